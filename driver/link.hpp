// link.hpp: the host link as the control plane sees it. A Link carries framed messages
// (wire_format.hpp) between this host and one engine: send() frames and numbers a
// command, poll() hands back the events that arrived and the problems the deframer found
// in the byte stream, in arrival order, and now() is the only clock the host uses
// (simulated time under simulation, the steady clock on hardware).
//
// Backends: ByteLink (byte_link.hpp) does the framing for any byte transport; UsbLink
// (usb_link.hpp, FT2232H over libusb) and SimLink (sim/, the Verilated engine in the same
// process) are byte transports under a ByteLink, so every backend runs the same framing
// code.
//
// A Link is driven from one thread (backends may run their own threads inside).
//
// Errors are values. A Link that failed (device unplugged, transfer error, model
// stopped) stays failed: every later send() and poll() returns that failure's Error,
// after poll() has handed out whatever had arrived before it.
#pragma once

#include <chrono>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "wire_format.hpp"

namespace ftoe::driver {

// Link time. Nanoseconds since the link was opened (hardware) or since the simulation
// started (simulation).
using Duration = std::chrono::nanoseconds;

// A condition the caller can act on, with a message written for a human: what was
// attempted, what happened, and what to check.
struct Error {
    std::string message;
};

// Either a value or an Error (a small std::expected for C++17). Reading the wrong
// alternative is a programming error and throws std::logic_error.
template <class T>
class [[nodiscard]] Result {
public:
    // Implicit on purpose: `return value;` and `return Error{...};` both read naturally.
    Result(const T& value) : v_(std::in_place_index<0>, value) {}
    Result(T&& value) : v_(std::in_place_index<0>, std::move(value)) {}
    Result(Error error) : v_(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }

    T& value() & {
        check(true);
        return std::get<0>(v_);
    }
    const T& value() const& {
        check(true);
        return std::get<0>(v_);
    }
    T&& value() && {
        check(true);
        return std::get<0>(std::move(v_));
    }
    const Error& error() const {
        check(false);
        return std::get<1>(v_);
    }

private:
    void check(bool want_value) const {
        if (ok() == want_value) return;
        throw std::logic_error(want_value
                                   ? "Result::value() on an error: " + std::get<1>(v_).message
                                   : std::string("Result::error() on a value"));
    }

    std::variant<T, Error> v_;
};

struct Ok {};
using Status = Result<Ok>;

// One item handed out by Link::poll(): a message that passed every check, or a problem
// the deframer found in the received bytes (damaged, lost or duplicated messages). A
// DeframeError does not fail the link; the engine's own view of the command stream
// arrives as kLinkError events.
using Received = std::variant<Message, DeframeError>;

class Link {
public:
    virtual ~Link() = default;

    // Frames one message with the next sequence number and queues it for the engine.
    // Returns the sequence number it carries. Errors: the link has failed (it stays
    // failed), or the message cannot be sent (a kind this side does not send, a payload
    // over kMaxPayload; nothing is queued and the link stays usable).
    virtual Result<uint32_t> send(Kind kind, uint32_t session, uint16_t arg,
                                  const Bytes& payload) = 0;

    // Everything received since the last poll, in arrival order. Waits at most
    // `wait_at_most` of link time for the first item (0: do not wait; a simulation
    // backend advances its model by up to that much). Once the link has failed, the
    // items that arrived before the failure are returned first, then the failure.
    virtual Result<std::vector<Received>> poll(Duration wait_at_most) = 0;

    // Link time now.
    virtual Duration now() const = 0;
};

}  // namespace ftoe::driver
