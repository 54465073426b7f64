// board.hpp: the SystemC model of one ftoe board: the Verilated engine (64-bit datapath,
// 4096 sessions) clocked at 156.25 MHz, its Ethernet port on two EthWires (one each way),
// its host link as two HostFifos (FT2232H synchronous FIFO behind USB), the TX buffer's
// external memory, and a pcap of every frame the port sends and receives, stamped with
// simulated time. The on-FPGA app on the engine's app streams is an echo (as
// rtl/apps/echo_app.sv): sessions installed for the FPGA app get their bytes back.
//
// Clocking: one SC_THREAD evaluates the engine a cycle at a time. Once the engine has
// been quiet on every port for `sleep_after_quiet_cycles` cycles, the board skips idle
// time through the engine's time base (EngineSim::skip_cycles keeps its ticks in phase
// with simulated time), as sim/models/idle_skip.hpp decides:
//   - timers_idle (nothing armed): it stops clocking the engine and sleeps until a frame
//     or a host byte is due (senders wake it at the arrival time). With no timer and no
//     input, the engine's next cycle is the same as its last.
//   - timers armed: only ticks can change anything, so it evaluates each tick pulse and
//     the cycles after it until timers_settled (one for an empty wheel slot; an expiry and
//     what it starts, plus a margin) and skips to the next pulse, again waking at once
//     for a frame or a host byte. A test holds a run with idle skipping to the same
//     captures as one clocking every cycle (--no-idle-skip).
//
// Every exchange between processes (wire, host FIFOs) has a delay of at least one
// cycle, so the order in which SystemC runs processes at one instant changes nothing:
// a run is a function of its configuration and seed.
#pragma once

// The Verilated model's headers come before SystemC's: with SYSTEMC_VERSION defined they
// would take their time from SystemC, and the model library is built without it.
#include "Vftoe_engine_64.h"
#include "engine_sim.hpp"
#include "idle_skip.hpp"

#include <systemc>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "eth_wire.hpp"
#include "host_fifo.hpp"
#include "pcap_writer.hpp"

namespace ftoe::sim {

struct BoardConfig {
    uint64_t clock_hz = 156'250'000;
    HostFifoConfig host_fifo;
    int sleep_after_quiet_cycles = 256;  // > the TX memory latency and any internal drain
    uint64_t seed = 1;
    std::string pcap_path;               // empty: no capture
};

struct BoardCounters {
    uint64_t evaluated_cycles = 0;  // cycles the engine model was evaluated
    uint64_t skipped_cycles = 0;    // cycles slept through (engine quiet, timers idle)
    uint64_t frames_sent = 0, frames_received = 0;
    uint64_t host_bytes_in = 0, host_bytes_out = 0;
};

class Board : public sc_core::sc_module {
public:
    using Engine = EngineSim<Vftoe_engine_64, 64>;
    SC_HAS_PROCESS(Board);
    Board(sc_core::sc_module_name name, BoardConfig config);

    // The port: frames the engine sends go into `tx` (and whoever receives from it is
    // woken by `tx_arrival` at each frame's arrival time); frames are taken from `rx`.
    void attach_port(EthWire* tx, std::function<void(uint64_t arrival_ps)> tx_arrival, EthWire* rx);
    // A sender into this board's rx wire calls this with each frame's arrival time.
    void wake_at(uint64_t t_ps);

    // Host side of the host link (called from the host's process).
    void host_write(const uint8_t* p, std::size_t n);
    HostFifo& to_host() { return to_host_; }
    sc_core::sc_event_queue& host_bytes_event() { return host_ev_; }

    uint64_t period_ps() const { return period_ps_; }
    bool asleep() const { return asleep_; }
    const BoardCounters& counters() const { return counters_; }
    std::optional<std::string> pcap_error() const { return pcap_error_; }

private:
    void run();
    void sleep_until(uint64_t deadline_ps, uint64_t now);
    uint64_t now_ps() const { return sc_core::sc_time_stamp().value(); }
    void capture(uint64_t t_ps, const Bytes& frame);

    BoardConfig cfg_;
    uint64_t period_ps_;
    Engine engine_;
    HostFifo to_engine_, to_host_;
    EthWire* tx_ = nullptr;
    EthWire* rx_ = nullptr;
    std::function<void(uint64_t)> tx_arrival_;
    sc_core::sc_event_queue wake_;
    sc_core::sc_event_queue host_ev_;
    std::unique_ptr<PcapWriter> pcap_;
    std::optional<std::string> pcap_error_;
    IdleSkip idle_;
    BoardCounters counters_;
    bool asleep_ = false;
};

}  // namespace ftoe::sim
