#include "echo_server.hpp"

#include <algorithm>

namespace ftoe::sim {

void EchoServer::poll(host::Stack& stack, uint64_t /*now_ns*/) {
    std::vector<host::SocketId> fresh;
    acceptor_.poll(stack, stats_, fresh);
    for (host::SocketId s : fresh) conns_.push_back(Conn{s, {}, false});
    for (Conn& c : conns_) serve(stack, c);
    conns_.erase(std::remove_if(conns_.begin(), conns_.end(),
                                [&](const Conn& c) { return reap_if_closed(stack, c.sock, stats_); }),
                 conns_.end());
}

void EchoServer::serve(host::Stack& stack, Conn& c) {
    if (c.closing || stack.state(c.sock) == host::TcpState::kClosed) return;
    while (true) {
        if (!c.pending.empty()) {
            auto r = stack.send(c.sock, c.pending.data(), c.pending.size());
            if (!r.ok()) {
                stats_.count(AppError::kSendFailed);
                (void)stack.abort(c.sock);
                c.closing = true;
                return;
            }
            c.pending.consume(r.value());
            stats_.bytes_out += r.value();
        }
        if (c.pending.size() >= opt_.max_pending || stack.readable(c.sock) == 0) break;
        scratch_.clear();
        auto r = stack.recv(c.sock, scratch_, opt_.max_pending - c.pending.size());
        if (!r.ok()) {
            stats_.count(AppError::kRecvFailed);
            break;
        }
        c.pending.append(scratch_.data(), scratch_.size());
        stats_.bytes_in += scratch_.size();
    }
    if (c.pending.empty() && stack.eof(c.sock)) c.closing = graceful_close(stack, c.sock, stats_);
}

}  // namespace ftoe::sim
