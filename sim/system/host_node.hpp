// host_node.hpp: the host computer attached to a Board in the system model: a host
// Stack on a driver::ByteLink whose transport is the board's host-link FIFOs, run by one
// SC_THREAD in simulated time. The host runs exactly the framing and control-plane code
// it runs over USB; only the transport (and so the clock) differs.
//
// The thread loops: Stack::poll() (which waits in simulated time, at most poll_wait,
// for event bytes), then the application callback, which may call the socket API. It
// stops looping once the callback returns false.
#pragma once

#include "board.hpp"  // first: see board.hpp

#include <systemc>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "board.hpp"
#include "byte_link.hpp"
#include "stack.hpp"

namespace ftoe::sim {

// The host link as a byte transport over the board's FIFOs, in simulated time. Must be
// used from a SystemC thread (read() waits).
class BoardTransport final : public driver::ByteTransport {
public:
    explicit BoardTransport(Board& board) : board_(board) {}
    driver::Status write(const uint8_t* p, std::size_t n) override;
    driver::Status read(driver::Bytes& out, driver::Duration wait_at_most) override;
    driver::Duration now() const override;

private:
    Board& board_;
};

class HostNode : public sc_core::sc_module {
public:
    // Called after every poll with the stack and the simulated time in ns; false stops
    // the host's loop.
    using App = std::function<bool(host::Stack&, uint64_t now_ns)>;
    SC_HAS_PROCESS(HostNode);
    HostNode(sc_core::sc_module_name name, Board& board, host::StackConfig config,
             std::chrono::nanoseconds poll_wait = std::chrono::microseconds(50));

    void set_app(App app) { app_ = std::move(app); }
    host::Stack& stack() { return *stack_; }
    // The first error the Stack's poll() returned (the link failed), if any.
    const std::string& error() const { return error_; }

private:
    void run();

    std::unique_ptr<driver::ByteLink> link_;
    std::unique_ptr<host::Stack> stack_;
    std::chrono::nanoseconds poll_wait_;
    App app_;
    std::string error_;
};

}  // namespace ftoe::sim
