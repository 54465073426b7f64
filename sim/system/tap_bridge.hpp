// tap_bridge.hpp: joins a Board's Ethernet port to a Linux TAP device, so that the
// simulated FPGA talks TCP to the real kernel. Frames Linux sends enter the board's rx
// EthWire (with its faults) at the current simulated time; frames arriving at the far
// end of the board's tx EthWire are written to the TAP.
//
// Pacing against wall-clock time: simulated time never runs ahead of the wall clock
// (the bridge sleeps in poll() on the TAP until the wall clock catches up, waking at
// once when Linux sends a frame), and it falls behind only while the model is busy: when
// the board sleeps (quiet, no timer armed) simulated time jumps forward cheaply in
// idle_step strides until it meets the wall clock again. Retransmission, TIME_WAIT and
// other timers on both sides therefore run at wall-clock pace.
#pragma once

#include "board.hpp"  // first: see board.hpp

#include <systemc>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>

#include "board.hpp"
#include "eth_wire.hpp"
#include "tap_device.hpp"

namespace ftoe::sim {

struct TapBridgeCounters {
    uint64_t frames_from_linux = 0, frames_to_linux = 0;
    uint64_t write_errors = 0;
    uint64_t sleeps = 0;         // times the bridge waited for the wall clock
    uint64_t max_lag_ns = 0;     // the furthest simulated time fell behind the wall clock
};

class TapBridge : public sc_core::sc_module {
public:
    SC_HAS_PROCESS(TapBridge);
    // `to_board` is the board's rx wire, `from_board` its tx wire. Once `stop` is set or
    // `duration` of wall time has passed, stopping() holds; the simulation is stopped
    // (sc_stop) by whoever winds up, or by the bridge 20 ms of simulated time later.
    TapBridge(sc_core::sc_module_name name, TapDevice& tap, Board& board, EthWire& to_board,
              EthWire& from_board, std::chrono::nanoseconds duration,
              const std::atomic<bool>& stop);

    const TapBridgeCounters& counters() const { return counters_; }
    const std::string& error() const { return error_; }
    // Stop asked for (or --duration over): the host should wind up and call sc_stop().
    bool stopping() const { return stopping_; }

private:
    void run();

    TapDevice& tap_;
    Board& board_;
    EthWire& to_board_;
    EthWire& from_board_;
    std::chrono::nanoseconds duration_;
    const std::atomic<bool>& stop_;
    TapBridgeCounters counters_;
    std::string error_;
    bool stopping_ = false;
    uint64_t stop_at_ps_ = 0;
};

}  // namespace ftoe::sim
