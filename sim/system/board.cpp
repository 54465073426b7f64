#include "board.hpp"

#include <utility>

#include "Vftoe_engine_64___024root.h"

namespace ftoe::sim {
namespace {

EngineSimOptions engine_options(uint64_t seed) {
    EngineSimOptions o;
    o.deframe_events = false;  // the host's ByteLink deframes
    o.record_cycles = false;
    o.echo = true;             // the on-FPGA app: rtl/apps/echo_app.sv's behaviour
    o.seed = seed;
    return o;
}

// What a settle eval() records for the edge detection of Verilator 5.0x: clk seen low.
void clock_low_seen(Vftoe_engine_64& m) { m.rootp->__Vtrigrprev__TOP__clk = 0; }

}  // namespace

Board::Board(sc_core::sc_module_name name, BoardConfig config)
    : sc_core::sc_module(name), cfg_(std::move(config)),
      period_ps_(1'000'000'000'000ull / cfg_.clock_hz), engine_(engine_options(cfg_.seed)),
      to_engine_(cfg_.host_fifo), to_host_(cfg_.host_fifo),
      idle_(cfg_.sleep_after_quiet_cycles, uint64_t(engine_.options().cycles_per_tick)) {
    if (!cfg_.pcap_path.empty()) {
        auto w = PcapWriter::open(cfg_.pcap_path);
        if (w.ok()) pcap_ = std::make_unique<PcapWriter>(std::move(w.value()));
        else pcap_error_ = w.error().message;
    }
    // The board reads no output before the edge that an input drives combinationally
    // (but the app's s_app_tx_tready, which EngineSim settles for): one eval() per cycle.
    engine_.settle_free(clock_low_seen);
    SC_THREAD(run);
    // Verilated evaluation and the STL use more stack than SystemC's default 64 KiB.
    set_stack_size(16u << 20);
}

void Board::attach_port(EthWire* tx, std::function<void(uint64_t)> tx_arrival, EthWire* rx) {
    tx_ = tx;
    tx_arrival_ = std::move(tx_arrival);
    rx_ = rx;
}

void Board::wake_at(uint64_t t_ps) {
    const uint64_t now = now_ps();
    wake_.notify(sc_core::sc_time(double(t_ps > now ? t_ps - now : 0), sc_core::SC_PS));
}

void Board::host_write(const uint8_t* p, std::size_t n) {
    if (n == 0) return;
    counters_.host_bytes_in += n;
    wake_at(to_engine_.push(now_ps(), p, n));
}

void Board::capture(uint64_t t_ps, const Bytes& frame) {
    if (!pcap_) return;
    auto st = pcap_->write(t_ps / 1000, frame);
    if (!st.ok() && !pcap_error_) pcap_error_ = st.error().message;
}

void Board::run() {
    const sc_core::sc_time period(double(period_ps_), sc_core::SC_PS);
    Bytes frame;
    std::vector<uint8_t> host_bytes;
    while (true) {
        const uint64_t now = now_ps();
        while (rx_ && rx_->receive(now, frame)) {
            capture(now, frame);
            counters_.frames_received++;
            engine_.send_frame(frame);
        }
        host_bytes.clear();
        if (to_engine_.take(now, host_bytes)) engine_.send_host_bytes(host_bytes);
        // The FIFO takes an event byte only when its clock has a slot.
        engine_.set_host_ready_percent(to_host_.can_push(now) ? 100 : 0);
        engine_.step();
        counters_.evaluated_cycles++;
        for (auto& f : engine_.tx_frames) {
            capture(now, f);
            counters_.frames_sent++;
            const uint64_t arrival = tx_ ? tx_->send(now, std::move(f)) : 0;
            if (arrival && tx_arrival_) tx_arrival_(arrival);
        }
        engine_.tx_frames.clear();
        if (!engine_.host_out.empty()) {
            host_bytes.assign(engine_.host_out.begin(), engine_.host_out.end());
            engine_.host_out.clear();
            counters_.host_bytes_out += host_bytes.size();
            const uint64_t ready = to_host_.push(now, host_bytes.data(), host_bytes.size());
            host_ev_.notify(sc_core::sc_time(double(ready - now), sc_core::SC_PS));
        }
        const uint64_t evaluated = engine_.cycle() - 1;
        switch (idle_.after_cycle(evaluated, engine_.active(), engine_.io().timers_idle,
                                  engine_.io().timers_settled)) {
        case IdleSkip::Next::kEvaluate:
            sc_core::wait(period);
            break;
        case IdleSkip::Next::kSkipToTick:
            // The next cycle evaluated is the next tick's pulse, unless a frame or a host
            // byte comes first.
            sleep_until(now + (idle_.next_tick(evaluated) - evaluated) * period_ps_, now);
            break;
        case IdleSkip::Next::kSleep:
            sleep_until(0, now);
            break;
        }
    }
}

void Board::sleep_until(uint64_t deadline_ps, uint64_t now) {
    // Sleeps until woken (or the deadline, when not 0), then resumes on the next cycle
    // boundary after `now`'s cycle; the cycles in between are skipped.
    asleep_ = true;
    if (deadline_ps) {
        sc_core::wait(sc_core::sc_time(double(deadline_ps - now), sc_core::SC_PS),
                      wake_.default_event());
    } else {
        sc_core::wait(wake_.default_event());
    }
    asleep_ = false;
    const uint64_t woke = now_ps();
    uint64_t next = (woke + period_ps_ - 1) / period_ps_ * period_ps_;
    if (next <= now) next = now + period_ps_;
    const uint64_t skipped = (next - now) / period_ps_ - 1;
    engine_.skip_cycles(skipped);
    counters_.skipped_cycles += skipped;
    if (next > woke) sc_core::wait(sc_core::sc_time(double(next - woke), sc_core::SC_PS));
}

}  // namespace ftoe::sim
