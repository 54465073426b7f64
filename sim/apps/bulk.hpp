// bulk.hpp: bulk transfers of the deterministic ByteStream, the server and the client
// side, each in one of two roles:
//   kSend:    send `bytes` bytes of ByteStream(seed), then close (what the peer sends
//             meanwhile is read and dropped). Reports the SHA-256 of what it sent.
//   kReceive: read until the peer's FIN, then close. Reports the SHA-256 of what it
//             received; with `verify`, checks each byte against ByteStream(seed)
//             (kDataMismatch, once per connection) and, when `bytes` is not 0, the length
//             (kShortTransfer).
// BulkServer runs one transfer per accepted connection (each gets the same stream);
// BulkClient connects `connections` times at once and runs one transfer on each.
// AppStats::sha256_sent / sha256_received are those of the transfer that finished last.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "app.hpp"
#include "byte_stream.hpp"
#include "sha256.hpp"

namespace ftoe::sim {

enum class BulkRole : uint8_t { kSend, kReceive };

struct BulkOptions {
    BulkRole role = BulkRole::kSend;
    uint64_t bytes = 1u << 20;  // kSend: bytes to send; kReceive: bytes expected (0: any)
    uint64_t seed = 1;          // ByteStream seed
    bool verify = true;         // kReceive: compare against ByteStream(seed)
};

// One connection's transfer. pump() moves what it can and closes the socket when done.
class BulkTransfer {
public:
    // Nothing is sent before `not_before_ns` (the caller's clock).
    BulkTransfer(host::SocketId sock, const BulkOptions& o, uint64_t not_before_ns = 0)
        : sock_(sock), opt_(o), src_(o.seed), expect_(o.seed), not_before_ns_(not_before_ns) {}
    host::SocketId socket() const { return sock_; }
    void pump(host::Stack& stack, AppStats& stats, uint64_t now_ns);
    bool closing() const { return closing_; }
    // Called once the socket is gone: a receive that ended early is a short transfer.
    void finish(AppStats& stats);

private:
    void send_side(host::Stack& stack, AppStats& stats);
    void receive_side(host::Stack& stack, AppStats& stats);

    host::SocketId sock_;
    BulkOptions opt_;
    ByteStream src_, expect_;
    Sha256 hash_;
    driver::Bytes chunk_;          // produced, not yet taken by send()
    std::size_t chunk_off_ = 0;
    uint64_t sent_ = 0, received_ = 0;
    uint64_t not_before_ns_;
    bool mismatch_ = false, closing_ = false, hashed_ = false;
    driver::Bytes scratch_, expect_buf_;
};

struct BulkServerOptions {
    uint16_t port = 5001;
    std::size_t backlog = 0;
    BulkOptions transfer;
};

class BulkServer final : public App {
public:
    explicit BulkServer(BulkServerOptions o) : opt_(o), acceptor_(o.port, o.backlog) {}
    const char* name() const override { return "bulk-server"; }
    void poll(host::Stack& stack, uint64_t now_ns) override;
    const AppStats& stats() const override { return stats_; }
    std::size_t open_connections() const override { return transfers_.size(); }

private:
    BulkServerOptions opt_;
    Acceptor acceptor_;
    std::vector<BulkTransfer> transfers_;
    AppStats stats_;
};

struct BulkClientOptions {
    uint32_t remote_ip = 0;
    uint16_t remote_port = 5001;
    std::size_t connections = 1;  // opened at once, each its own transfer
    BulkOptions transfer;
    // Wait this long after ESTABLISHED before the first send() (0: at once; data that
    // reaches the server's Stack before its INSTALL completes is held and injected into
    // the engine after INSTALLED, stack.hpp).
    uint64_t start_delay_ns = 0;
};

class BulkClient final : public App {
public:
    explicit BulkClient(BulkClientOptions o) : opt_(o) {}
    const char* name() const override { return "bulk-client"; }
    void poll(host::Stack& stack, uint64_t now_ns) override;
    const AppStats& stats() const override { return stats_; }
    bool done() const override { return started_ && transfers_.empty() && connecting_.empty(); }
    std::size_t open_connections() const override { return transfers_.size() + connecting_.size(); }

private:
    BulkClientOptions opt_;
    bool started_ = false;
    std::vector<host::SocketId> connecting_;  // SYN-SENT
    std::vector<BulkTransfer> transfers_;
    AppStats stats_;
};

}  // namespace ftoe::sim
