#include "bulk.hpp"

#include <algorithm>
#include <cstring>

namespace ftoe::sim {
namespace {

constexpr std::size_t kChunkBytes = 64 * 1024;

// Clients: moves connections that reached ESTABLISHED from `connecting` to `transfers`;
// reaps the ones that failed.
void settle_connects(host::Stack& stack, const BulkOptions& o, uint64_t not_before_ns,
                     std::vector<host::SocketId>& connecting,
                     std::vector<BulkTransfer>& transfers, AppStats& stats) {
    for (std::size_t i = 0; i < connecting.size();) {
        const host::SocketId s = connecting[i];
        const host::TcpState st = stack.state(s);
        if (st == host::TcpState::kSynSent || st == host::TcpState::kSynReceived) {
            i++;
            continue;
        }
        if (st == host::TcpState::kClosed) {  // refused, timed out, unreachable
            if (reap_if_closed(stack, s, stats))
                connecting.erase(connecting.begin() + long(i));
            else
                i++;
            continue;
        }
        connecting.erase(connecting.begin() + long(i));
        stats.connections_opened++;
        transfers.emplace_back(s, o, not_before_ns);
    }
}

void pump_all(host::Stack& stack, std::vector<BulkTransfer>& transfers, AppStats& stats,
              uint64_t now_ns) {
    for (BulkTransfer& t : transfers) t.pump(stack, stats, now_ns);
    transfers.erase(std::remove_if(transfers.begin(), transfers.end(),
                                   [&](BulkTransfer& t) {
                                       if (!reap_if_closed(stack, t.socket(), stats)) return false;
                                       t.finish(stats);
                                       return true;
                                   }),
                    transfers.end());
}

}  // namespace

void BulkTransfer::pump(host::Stack& stack, AppStats& stats, uint64_t now_ns) {
    if (closing_ || stack.state(sock_) == host::TcpState::kClosed || now_ns < not_before_ns_)
        return;
    if (opt_.role == BulkRole::kSend)
        send_side(stack, stats);
    else
        receive_side(stack, stats);
}

void BulkTransfer::send_side(host::Stack& stack, AppStats& stats) {
    while (true) {
        if (chunk_off_ == chunk_.size()) {
            if (sent_ == opt_.bytes) break;
            chunk_.resize(std::size_t(std::min<uint64_t>(kChunkBytes, opt_.bytes - sent_)));
            src_.fill(chunk_.data(), chunk_.size());
            hash_.update(chunk_.data(), chunk_.size());
            sent_ += chunk_.size();
            chunk_off_ = 0;
        }
        auto r = stack.send(sock_, chunk_.data() + chunk_off_, chunk_.size() - chunk_off_);
        if (!r.ok()) {
            stats.count(AppError::kSendFailed);
            (void)stack.abort(sock_);
            closing_ = true;
            return;
        }
        if (r.value() == 0) break;
        chunk_off_ += r.value();
        stats.bytes_out += r.value();
    }
    // Whatever the peer sends is read and dropped, so that close() never finds unread
    // data (which would make it a reset).
    while (stack.readable(sock_) > 0) {
        scratch_.clear();
        if (!stack.recv(sock_, scratch_, 1u << 20).ok()) break;
        stats.bytes_in += scratch_.size();
    }
    if (sent_ == opt_.bytes && chunk_off_ == chunk_.size()) {
        if (!hashed_) stats.sha256_sent = Sha256::hex(hash_.finish());
        hashed_ = true;
        closing_ = graceful_close(stack, sock_, stats);
    }
}

void BulkTransfer::receive_side(host::Stack& stack, AppStats& stats) {
    while (stack.readable(sock_) > 0) {
        scratch_.clear();
        auto r = stack.recv(sock_, scratch_, 1u << 20);
        if (!r.ok()) {
            stats.count(AppError::kRecvFailed);
            break;
        }
        hash_.update(scratch_.data(), scratch_.size());
        if (opt_.verify && !mismatch_) {
            expect_buf_.resize(scratch_.size());
            expect_.fill(expect_buf_.data(), expect_buf_.size());
            if (std::memcmp(expect_buf_.data(), scratch_.data(), scratch_.size()) != 0 ||
                (opt_.bytes && received_ + scratch_.size() > opt_.bytes)) {
                mismatch_ = true;
                stats.count(AppError::kDataMismatch);
            }
        }
        received_ += scratch_.size();
        stats.bytes_in += scratch_.size();
    }
    if (stack.eof(sock_)) {
        stats.sha256_received = Sha256::hex(hash_.finish());
        hashed_ = true;
        if (opt_.bytes && received_ < opt_.bytes) stats.count(AppError::kShortTransfer);
        closing_ = graceful_close(stack, sock_, stats);
    }
}

void BulkTransfer::finish(AppStats& stats) {
    if (!hashed_ && opt_.role == BulkRole::kReceive && opt_.bytes)
        stats.count(AppError::kShortTransfer);  // reset (or failed) before the FIN
}

void BulkServer::poll(host::Stack& stack, uint64_t now_ns) {
    std::vector<host::SocketId> fresh;
    acceptor_.poll(stack, stats_, fresh);
    for (host::SocketId s : fresh) transfers_.emplace_back(s, opt_.transfer);
    pump_all(stack, transfers_, stats_, now_ns);
}

void BulkClient::poll(host::Stack& stack, uint64_t now_ns) {
    if (!started_) {
        started_ = true;
        for (std::size_t i = 0; i < opt_.connections; i++) {
            auto c = stack.connect(opt_.remote_ip, opt_.remote_port, host::Termination::kHost);
            if (c.ok())
                connecting_.push_back(c.value());
            else
                stats_.count(AppError::kConnectFailed);
        }
    }
    settle_connects(stack, opt_.transfer, now_ns + opt_.start_delay_ns, connecting_, transfers_,
                    stats_);
    pump_all(stack, transfers_, stats_, now_ns);
}

}  // namespace ftoe::sim
