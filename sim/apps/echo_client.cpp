#include "echo_client.hpp"

#include <algorithm>
#include <stdexcept>

namespace ftoe::sim {

EchoClient::EchoClient(EchoClientOptions o) : opt_(o), src_(o.seed), expect_(o.seed) {
    if (o.message_bytes == 0 || o.window == 0)
        throw std::invalid_argument("EchoClient: message_bytes and window must be at least 1");
    messages_ = (o.bytes + o.message_bytes - 1) / o.message_bytes;
}

uint64_t EchoClient::message_end(uint64_t i) const {
    return std::min<uint64_t>((i + 1) * opt_.message_bytes, opt_.bytes);
}

void EchoClient::poll(host::Stack& stack, uint64_t now_ns) {
    if (!started_) {
        started_ = true;
        auto c = stack.connect(opt_.remote_ip, opt_.remote_port, host::Termination::kHost);
        if (!c.ok()) {
            stats_.count(AppError::kConnectFailed);
            return;
        }
        sock_ = c.value();
    }
    if (!sock_) return;
    handshake_.update(stack, sock_, now_ns, stats_);
    if (handshake_.ready(now_ns, opt_.start_delay_ns) && !closing_ &&
        stack.state(sock_) != host::TcpState::kClosed)
        exchange(stack, now_ns);
    if (reap_if_closed(stack, sock_, stats_)) {
        if (done_msgs_ < messages_) stats_.count(AppError::kShortTransfer);
        sock_ = 0;
    }
}

void EchoClient::exchange(host::Stack& stack, uint64_t now_ns) {
    bool progress = true;
    while (progress) {
        progress = false;
        // Start the next message when the window allows.
        if (out_off_ == out_.size() && started_msgs_ < messages_ &&
            started_msgs_ - done_msgs_ < opt_.window) {
            const uint64_t begin = started_msgs_ * opt_.message_bytes;
            out_.resize(std::size_t(message_end(started_msgs_) - begin));
            src_.fill(out_.data(), out_.size());
            sent_hash_.update(out_.data(), out_.size());
            out_off_ = 0;
            start_ns_.push_back(now_ns);
            started_msgs_++;
        }
        if (out_off_ < out_.size()) {
            auto r = stack.send(sock_, out_.data() + out_off_, out_.size() - out_off_);
            if (!r.ok()) {
                stats_.count(AppError::kSendFailed);
                (void)stack.abort(sock_);
                closing_ = true;
                return;
            }
            out_off_ += r.value();
            stats_.bytes_out += r.value();
            if (r.value()) progress = true;
        }
        while (stack.readable(sock_) > 0) {
            scratch_.clear();
            if (!stack.recv(sock_, scratch_, 1u << 20).ok()) {
                stats_.count(AppError::kRecvFailed);
                break;
            }
            rcvd_hash_.update(scratch_.data(), scratch_.size());
            expect_buf_.resize(scratch_.size());
            expect_.fill(expect_buf_.data(), expect_buf_.size());
            if (!first_mismatch_) {
                const auto d = std::mismatch(scratch_.begin(), scratch_.end(), expect_buf_.begin());
                if (d.first != scratch_.end() || echoed_ + scratch_.size() > opt_.bytes) {
                    first_mismatch_ = echoed_ + uint64_t(d.first - scratch_.begin());
                    stats_.count(AppError::kDataMismatch);
                }
            }
            echoed_ += scratch_.size();
            stats_.bytes_in += scratch_.size();
            while (done_msgs_ < started_msgs_ && echoed_ >= message_end(done_msgs_)) {
                stats_.latency_ns.push_back(now_ns - start_ns_.front());
                start_ns_.pop_front();
                done_msgs_++;
                progress = true;
            }
        }
    }
    if (done_msgs_ == messages_ || stack.eof(sock_)) {
        if (!hashed_) {
            stats_.sha256_sent = Sha256::hex(sent_hash_.finish());
            stats_.sha256_received = Sha256::hex(rcvd_hash_.finish());
            hashed_ = true;
        }
        closing_ = graceful_close(stack, sock_, stats_);
    }
}

}  // namespace ftoe::sim
