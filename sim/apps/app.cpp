#include "app.hpp"

#include <algorithm>
#include <sstream>

namespace ftoe::sim {

const char* app_error_name(AppError e) {
    switch (e) {
        case AppError::kListenFailed: return "listen_failed";
        case AppError::kConnectFailed: return "connect_failed";
        case AppError::kRefused: return "refused";
        case AppError::kTimedOut: return "timed_out";
        case AppError::kHostUnreachable: return "host_unreachable";
        case AppError::kReset: return "reset";
        case AppError::kInstallFailed: return "install_failed";
        case AppError::kAborted: return "aborted";
        case AppError::kLinkDown: return "link_down";
        case AppError::kSendFailed: return "send_failed";
        case AppError::kRecvFailed: return "recv_failed";
        case AppError::kCloseFailed: return "close_failed";
        case AppError::kDataMismatch: return "data_mismatch";
        case AppError::kShortTransfer: return "short_transfer";
        case AppError::kBadResponse: return "bad_response";
    }
    return "?";
}

bool app_error_of(host::SocketError e, AppError& out) {
    using host::SocketError;
    switch (e) {
        case SocketError::kNone: return false;
        case SocketError::kRefused: out = AppError::kRefused; return true;
        case SocketError::kTimedOut: out = AppError::kTimedOut; return true;
        case SocketError::kHostUnreachable: out = AppError::kHostUnreachable; return true;
        case SocketError::kReset: out = AppError::kReset; return true;
        case SocketError::kInstallFailed: out = AppError::kInstallFailed; return true;
        case SocketError::kAborted: out = AppError::kAborted; return true;
        case SocketError::kLinkDown: out = AppError::kLinkDown; return true;
    }
    return false;
}

LatencySummary summarize_latency(std::vector<uint64_t> samples) {
    LatencySummary s;
    s.count = samples.size();
    if (samples.empty()) return s;
    std::sort(samples.begin(), samples.end());
    // nearest rank: the smallest sample with at least p% of the samples at or below it
    const auto rank = [&](unsigned p) {
        const std::size_t r = (samples.size() * p + 99) / 100;
        return samples[std::max<std::size_t>(r, 1) - 1];
    };
    s.p50_ns = rank(50);
    s.p90_ns = rank(90);
    s.p99_ns = rank(99);
    s.max_ns = samples.back();
    return s;
}

uint64_t AppStats::error_count() const {
    uint64_t n = 0;
    for (const auto& [kind, k] : errors) n += k;
    return n;
}

std::string AppStats::describe() const {
    std::ostringstream o;
    o << "opened " << connections_opened << ", accepted " << connections_accepted
      << ", closed " << connections_closed << " (" << connections_failed << " failed), in "
      << bytes_in << " B, out " << bytes_out << " B";
    if (requests || responses) o << ", requests " << requests << ", responses " << responses;
    for (const auto& [status, n] : responses_by_status) o << ", " << status << ": " << n;
    for (const auto& [kind, n] : errors) o << ", " << app_error_name(kind) << ": " << n;
    if (!latency_ns.empty()) {
        const LatencySummary l = latency();
        o << ", rtt n=" << l.count << " p50 " << l.p50_ns << " p90 " << l.p90_ns << " p99 "
          << l.p99_ns << " max " << l.max_ns << " ns";
    }
    if (!sha256_sent.empty()) o << ", sent sha256 " << sha256_sent;
    if (!sha256_received.empty()) o << ", received sha256 " << sha256_received;
    return o.str();
}

void Acceptor::poll(host::Stack& stack, AppStats& stats, std::vector<host::SocketId>& out) {
    if (failed_) return;
    if (!listener_) {
        auto l = stack.listen(port_, backlog_, host::Termination::kHost);
        if (!l.ok()) {
            failed_ = true;
            stats.count(AppError::kListenFailed);
            return;
        }
        listener_ = l.value();
    }
    while (auto s = stack.accept(listener_)) {
        stats.connections_accepted++;
        out.push_back(*s);
    }
}

void Acceptor::stop(host::Stack& stack) {
    if (!listener_) return;
    (void)stack.close(listener_);
    (void)stack.release(listener_);
    listener_ = 0;
    failed_ = true;  // not reopened
}

bool graceful_close(host::Stack& stack, host::SocketId s, AppStats& stats) {
    driver::Bytes drop;
    while (stack.readable(s) > 0) {
        drop.clear();
        if (!stack.recv(s, drop, 1u << 20).ok()) break;
        stats.bytes_in += drop.size();
    }
    if (!stack.close(s).ok()) stats.count(AppError::kCloseFailed);
    return true;
}

bool reap_if_closed(host::Stack& stack, host::SocketId s, AppStats& stats) {
    if (stack.state(s) != host::TcpState::kClosed) return false;
    const host::SocketError err = stack.error(s);
    if (!stack.release(s).ok()) return false;  // still being removed: next poll
    stats.connections_closed++;
    AppError e;
    if (app_error_of(err, e)) {
        stats.count(e);
        stats.connections_failed++;
    }
    return true;
}

}  // namespace ftoe::sim
