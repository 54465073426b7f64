#include "discard_server.hpp"

#include <algorithm>

namespace ftoe::sim {

void DiscardServer::poll(host::Stack& stack, uint64_t /*now_ns*/) {
    std::vector<host::SocketId> fresh;
    acceptor_.poll(stack, stats_, fresh);
    for (host::SocketId s : fresh) conns_.push_back(Conn{s, false});
    for (Conn& c : conns_) {
        if (c.closing) continue;
        while (stack.readable(c.sock) > 0) {
            scratch_.clear();
            auto r = stack.recv(c.sock, scratch_, 1u << 20);
            if (!r.ok()) {
                stats_.count(AppError::kRecvFailed);
                break;
            }
            stats_.bytes_in += r.value();
        }
        if (stack.eof(c.sock)) c.closing = graceful_close(stack, c.sock, stats_);
    }
    conns_.erase(std::remove_if(conns_.begin(), conns_.end(),
                                [&](const Conn& c) { return reap_if_closed(stack, c.sock, stats_); }),
                 conns_.end());
}

}  // namespace ftoe::sim
