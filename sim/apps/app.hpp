// app.hpp: what every host application of ftoe-sim shares: the App interface the
// simulator drives, and the statistics each app keeps.
//
// An App runs on a host::Stack (Termination::kHost sockets). The caller invokes
// poll(stack, now_ns) after every Stack::poll(); poll() never blocks, serves all of the
// app's connections, and is level-triggered: it looks at each socket's readable(),
// writable(), eof() and state() rather than at Stack::take_events(), so several apps can
// share one Stack and the caller keeps (and must drain) the event queue. The first poll()
// opens the app's listener (servers) or its first connection (clients). A socket that
// reaches CLOSED is counted, its error (if any) recorded, and released.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "stack.hpp"

namespace ftoe::sim {

// Why something went wrong, counted in AppStats::errors.
enum class AppError : uint8_t {
    kListenFailed,     // Stack::listen() refused (port taken, ...)
    kConnectFailed,    // Stack::connect() refused (no port, bad address)
    kRefused,          // the socket closed with SocketError::kRefused
    kTimedOut,         //   ... kTimedOut
    kHostUnreachable,  //   ... kHostUnreachable
    kReset,            //   ... kReset
    kInstallFailed,    //   ... kInstallFailed
    kAborted,          //   ... kAborted
    kLinkDown,         //   ... kLinkDown
    kSendFailed,       // Stack::send() returned an error on an open connection
    kRecvFailed,       // Stack::recv() returned an error on an open connection
    kCloseFailed,      // Stack::close() / shutdown() returned an error
    kDataMismatch,     // received bytes differ from the ones expected
    kShortTransfer,    // the connection closed before all expected bytes came
    kBadResponse,      // HTTP: unparsable response, unexpected status or body length
};
const char* app_error_name(AppError e);
// The AppError for a socket error (kNone has none: returns false).
bool app_error_of(host::SocketError e, AppError& out);

struct LatencySummary {
    std::size_t count = 0;
    uint64_t p50_ns = 0, p90_ns = 0, p99_ns = 0, max_ns = 0;
};
// Nearest-rank percentiles of `samples` (all zero when empty).
LatencySummary summarize_latency(std::vector<uint64_t> samples);

struct AppStats {
    uint64_t connections_opened = 0;    // connect() calls that reached ESTABLISHED
    uint64_t connections_accepted = 0;  // accept()ed
    uint64_t connections_closed = 0;    // reached CLOSED (cleanly or not) and released
    uint64_t connections_failed = 0;    // of those closed, the ones with an error
    uint64_t bytes_in = 0, bytes_out = 0;  // payload recv()d / taken by send()
    std::map<AppError, uint64_t> errors;
    // Bulk and echo apps: hex SHA-256 of the bytes sent / received on the connection that
    // finished last (empty when the app sends / receives nothing).
    std::string sha256_sent, sha256_received;
    std::vector<uint64_t> latency_ns;   // echo client: one round trip per message
    // HTTP
    uint64_t requests = 0;              // server: parsed; client: sent
    uint64_t responses = 0;             // server: sent; client: received complete
    std::map<int, uint64_t> responses_by_status;

    uint64_t error_count() const;
    LatencySummary latency() const { return summarize_latency(latency_ns); }
    void count(AppError e) { errors[e]++; }
    // One line per non-zero field, for logs and failure messages.
    std::string describe() const;
};

class App {
public:
    virtual ~App() = default;
    virtual const char* name() const = 0;
    virtual void poll(host::Stack& stack, uint64_t now_ns) = 0;
    virtual const AppStats& stats() const = 0;
    // Clients: every connection the app was asked to make has finished (CLOSED and
    // released). Servers are never done.
    virtual bool done() const { return false; }
    virtual std::size_t open_connections() const = 0;  // sockets held, not yet released
};

// A server's listening socket: opened on the first poll(), then hands out every
// connection queued for accept().
class Acceptor {
public:
    explicit Acceptor(uint16_t port, std::size_t backlog = 0) : port_(port), backlog_(backlog) {}
    // Appends the connections accepted now to `out`; counts them (and a failed listen(),
    // once) in `stats`.
    void poll(host::Stack& stack, AppStats& stats, std::vector<host::SocketId>& out);
    uint16_t port() const { return port_; }
    bool listening() const { return listener_ != 0; }
    bool failed() const { return failed_; }
    // Closes the listener (no new connections; open ones go on).
    void stop(host::Stack& stack);

private:
    uint16_t port_;
    std::size_t backlog_;
    host::SocketId listener_ = 0;
    bool failed_ = false;
};

// Graceful close of a connection the app is done writing to: drops whatever the peer
// sent that was not read (close() would turn unread data into a reset) and calls
// close(), which sends the FIN after everything given to send() (the engine orders
// SEND_FIN behind the APP_DATA before it). Returns true (a refusal counts kCloseFailed).
bool graceful_close(host::Stack& stack, host::SocketId s, AppStats& stats);

// A client connection's handshake: update() notes (once, counting it in
// stats.connections_opened) when the socket has left SYN-SENT / SYN-RECEIVED alive;
// ready() holds from `delay_ns` after that (the clients' start delay).
class HandshakeWatch {
public:
    void update(const host::Stack& stack, host::SocketId s, uint64_t now_ns, AppStats& stats) {
        const host::TcpState st = stack.state(s);
        if (established_ || st == host::TcpState::kSynSent || st == host::TcpState::kSynReceived ||
            st == host::TcpState::kClosed)
            return;
        established_ = true;
        at_ns_ = now_ns;
        stats.connections_opened++;
    }
    bool established() const { return established_; }
    bool ready(uint64_t now_ns, uint64_t delay_ns) const { return established_ && now_ns - at_ns_ >= delay_ns; }
    void reset() { established_ = false; }

private:
    bool established_ = false;
    uint64_t at_ns_ = 0;
};

// If `s` is CLOSED: counts it (and its error) in `stats`, releases it, returns true.
bool reap_if_closed(host::Stack& stack, host::SocketId s, AppStats& stats);

}  // namespace ftoe::sim
