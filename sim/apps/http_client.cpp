#include "http_client.hpp"

#include <algorithm>
#include <stdexcept>

#include "byte_stream.hpp"
#include "sha256.hpp"

namespace ftoe::sim {
namespace {

// N of a "/bytes/N" path, or false.
bool bytes_n(const std::string& path, uint64_t& n) {
    const std::string prefix = "/bytes/";
    if (path.compare(0, prefix.size(), prefix) != 0 || path.size() == prefix.size() ||
        path.size() > prefix.size() + 18)
        return false;
    n = 0;
    for (std::size_t i = prefix.size(); i < path.size(); i++) {
        if (path[i] < '0' || path[i] > '9') return false;
        n = n * 10 + uint64_t(path[i] - '0');
    }
    return true;
}

}  // namespace

HttpClient::HttpClient(HttpClientOptions o) : opt_(std::move(o)) {
    if (opt_.paths.empty()) throw std::invalid_argument("HttpClient: no paths to request");
}

void HttpClient::poll(host::Stack& stack, uint64_t now_ns) {
    if (!sock_ && finished_ < opt_.requests) open(stack);
    if (!sock_) return;
    handshake_.update(stack, sock_, now_ns, stats_);
    if (handshake_.ready(now_ns, opt_.start_delay_ns) && !closing_ &&
        stack.state(sock_) != host::TcpState::kClosed)
        exchange(stack, now_ns);
    if (reap_if_closed(stack, sock_, stats_)) {
        if (in_flight_) {  // the connection went before its response came
            stats_.count(AppError::kBadResponse);
            finished_++;
            in_flight_ = false;
        } else if (!handshake_.established()) {
            issued_++;  // never connected: the request it was for is given up
            finished_++;
        }
        sock_ = 0;
    }
}

void HttpClient::open(host::Stack& stack) {
    auto c = stack.connect(opt_.remote_ip, opt_.remote_port, host::Termination::kHost);
    if (!c.ok()) {
        stats_.count(AppError::kConnectFailed);
        issued_++;
        finished_++;
        return;
    }
    sock_ = c.value();
    handshake_.reset();
    closing_ = in_flight_ = conn_done_ = server_closes_ = false;
    out_.clear();
    parser_ = HttpResponseParser{};
}

const std::string& HttpClient::expected_sha(uint64_t n) {
    auto it = sha_cache_.find(n);
    if (it != sha_cache_.end()) return it->second;
    ByteStream s(opt_.bytes_seed);
    Sha256 h;
    driver::Bytes buf;
    for (uint64_t left = n; left > 0;) {
        buf.resize(std::size_t(std::min<uint64_t>(left, 65536)));
        s.fill(buf.data(), buf.size());
        h.update(buf.data(), buf.size());
        left -= buf.size();
    }
    return sha_cache_[n] = Sha256::hex(h.finish());
}

void HttpClient::check(const HttpResponse& r, const std::string& path) {
    stats_.responses++;
    stats_.responses_by_status[r.status]++;
    bool good = r.status == opt_.expect_status && r.body_bytes == r.content_length;
    uint64_t n = 0;
    if (good && r.status == 200 && bytes_n(path, n))
        good = r.content_length == n && (!opt_.verify_bytes || r.body_sha256 == expected_sha(n));
    if (good)
        answered_++;
    else
        stats_.count(AppError::kBadResponse);
}

void HttpClient::exchange(host::Stack& stack, uint64_t now_ns) {
    bool progress = true;
    while (progress) {
        progress = false;
        if (!in_flight_ && !conn_done_ && issued_ < opt_.requests) {
            path_ = opt_.paths[issued_ % opt_.paths.size()];
            last_on_conn_ = !opt_.keep_alive || issued_ + 1 == opt_.requests;
            out_ = "GET " + path_ + " HTTP/1.1\r\nHost: " + opt_.host +
                   "\r\nUser-Agent: ftoe-sim\r\n" +
                   (last_on_conn_ ? "Connection: close\r\n" : "") + "\r\n";
            issued_++;
            in_flight_ = true;
            sent_at_ns_ = now_ns;
            stats_.requests++;
        }
        if (!out_.empty()) {
            auto r = stack.send(sock_, reinterpret_cast<const uint8_t*>(out_.data()), out_.size());
            if (!r.ok()) {
                stats_.count(AppError::kSendFailed);
                (void)stack.abort(sock_);
                closing_ = true;
                return;
            }
            out_.erase(0, r.value());
            stats_.bytes_out += r.value();
        }
        while (stack.readable(sock_) > 0) {
            scratch_.clear();
            if (!stack.recv(sock_, scratch_, 1u << 20).ok()) {
                stats_.count(AppError::kRecvFailed);
                break;
            }
            stats_.bytes_in += scratch_.size();
            parser_.feed(scratch_.data(), scratch_.size());
        }
        HttpResponse resp;
        const auto st = parser_.next(resp);
        if (st == HttpResponseParser::Status::kResponse && in_flight_) {
            check(resp, path_);
            stats_.latency_ns.push_back(now_ns - sent_at_ns_);
            in_flight_ = false;
            finished_++;
            server_closes_ = resp.close;
            conn_done_ = last_on_conn_ || resp.close;
            progress = !conn_done_;
        } else if (st != HttpResponseParser::Status::kNeedMore) {
            // a parse error, or a response nobody asked for
            stats_.count(AppError::kBadResponse);
            if (in_flight_) finished_++;
            in_flight_ = false;
            conn_done_ = true;
            server_closes_ = false;
        }
    }
    const bool peer_done = stack.eof(sock_);
    if (peer_done && in_flight_) {  // the server closed before answering in full
        stats_.count(AppError::kBadResponse);
        in_flight_ = false;
        finished_++;
        conn_done_ = true;
    }
    if (conn_done_ && (peer_done || !server_closes_))
        closing_ = graceful_close(stack, sock_, stats_);
}

}  // namespace ftoe::sim
