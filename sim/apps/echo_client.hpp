// echo_client.hpp: EchoClient sends `bytes` bytes of ByteStream(seed) to an echo server
// in messages of `message_bytes` (the last one may be shorter), at most `window`
// messages outstanding, and checks that what comes back is what it sent (byte for byte,
// and SHA-256 both ways). A message's round trip runs from the poll() that first hands
// it to send() to the poll() that finds its last byte echoed: its resolution is the
// caller's poll interval. Once every message is back it closes the connection.
//
// Stats: sha256_sent / sha256_received, latency_ns (one sample per message; latency()
// gives p50/p90/p99/max), kDataMismatch (once) on the first wrong byte, kShortTransfer
// when the connection ends before everything came back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

#include "app.hpp"
#include "byte_stream.hpp"
#include "sha256.hpp"

namespace ftoe::sim {

struct EchoClientOptions {
    uint32_t remote_ip = 0;
    uint16_t remote_port = 7;
    uint64_t bytes = 64 * 1024;
    std::size_t message_bytes = 1024;
    std::size_t window = 1;  // messages outstanding at once (>= 1)
    uint64_t seed = 7;
    // Wait this long after ESTABLISHED before the first send() (0: at once; data that
    // reaches the server's Stack before its INSTALL completes is held and injected into
    // the engine after INSTALLED, stack.hpp).
    uint64_t start_delay_ns = 0;
};

class EchoClient final : public App {
public:
    // Throws std::invalid_argument for message_bytes or window 0 (programming error).
    explicit EchoClient(EchoClientOptions o);
    const char* name() const override { return "echo-client"; }
    void poll(host::Stack& stack, uint64_t now_ns) override;
    const AppStats& stats() const override { return stats_; }
    bool done() const override { return started_ && !sock_; }
    std::size_t open_connections() const override { return sock_ ? 1 : 0; }
    // The first byte offset that came back wrong, if any.
    std::optional<uint64_t> first_mismatch() const { return first_mismatch_; }
    uint64_t bytes_echoed() const { return echoed_; }

private:
    uint64_t message_end(uint64_t i) const;  // offset after message i
    void exchange(host::Stack& stack, uint64_t now_ns);

    EchoClientOptions opt_;
    uint64_t messages_ = 0;  // in all
    bool started_ = false, closing_ = false, hashed_ = false;
    HandshakeWatch handshake_;
    host::SocketId sock_ = 0;
    ByteStream src_, expect_;
    Sha256 sent_hash_, rcvd_hash_;
    driver::Bytes out_;            // the current message's bytes not yet taken by send()
    std::size_t out_off_ = 0;
    uint64_t started_msgs_ = 0, done_msgs_ = 0, echoed_ = 0;
    std::deque<uint64_t> start_ns_;  // outstanding messages' start times, oldest first
    std::optional<uint64_t> first_mismatch_;
    driver::Bytes scratch_, expect_buf_;
    AppStats stats_;
};

}  // namespace ftoe::sim
