// byte_link.hpp: a Link over any byte transport. The framing (Framer, Deframer) lives
// here once; a backend only moves bytes: UsbLink over the FT2232H sync FIFO, SimLink
// over the Verilated engine's host-link byte streams, tests over a loopback pipe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <vector>

#include "link.hpp"
#include "wire_format.hpp"

namespace ftoe::driver {

// One direction pair of raw bytes to and from the engine. Failures are permanent: after
// a transport returned an Error, it returns one on every later call.
class ByteTransport {
public:
    virtual ~ByteTransport() = default;

    // Queues `n` bytes for the far end, in order after everything written before.
    virtual Status write(const uint8_t* p, std::size_t n) = 0;

    // Appends the bytes that have arrived to `out`, waiting at most `wait_at_most` of
    // transport time for the first one. On an Error, `out` may still have received the
    // bytes that arrived before the failure; they are good bytes.
    virtual Status read(Bytes& out, Duration wait_at_most) = 0;

    virtual Duration now() const = 0;
};

// Which end of the link this is: the host sends commands and receives events; the
// engine end (a test's fake engine) the reverse.
enum class LinkSide { kHost, kEngine };

class ByteLink final : public Link {
public:
    explicit ByteLink(std::unique_ptr<ByteTransport> transport, LinkSide side = LinkSide::kHost);

    Result<uint32_t> send(Kind kind, uint32_t session, uint16_t arg, const Bytes& payload) override;
    Result<std::vector<Received>> poll(Duration wait_at_most) override;
    Duration now() const override { return transport_->now(); }

    // The failure the link is stuck in, if any.
    const std::optional<Error>& failure() const { return failure_; }
    ByteTransport& transport() { return *transport_; }
    uint32_t next_send_seq() const { return framer_.next_seq(); }

private:
    std::unique_ptr<ByteTransport> transport_;
    LinkSide side_;
    Framer framer_;
    Deframer deframer_;
    std::optional<Error> failure_;
    Bytes tx_;  // reused encode buffer
    Bytes rx_;  // reused receive buffer
};

}  // namespace ftoe::driver
