// idle_skip.hpp: which coming cycles a quiet engine may be left unclocked (the system
// model's idle skipping, sim/system/board.cpp), decided after each evaluated cycle from
// what the engine did in it and its status outputs after it:
//   - kEvaluate: clock the next cycle.
//   - kSkipToTick: timers armed, nothing moving: nothing changes before the next tick
//     pulse; skip to it. A pulse whose wheel slot is empty leaves timers_settled 0 for
//     one cycle (the wheel's catch-up), so a quiet tick costs two evaluated cycles.
//   - kSleep: as kSkipToTick with timers_idle (nothing armed): nothing changes before the
//     next input; stop clocking until a frame or a host byte is due.
// "Nothing moving": the ports quiet for `quiet_cycles` cycles (no beat, host byte or
// memory request; longer than the TX memory latency and any internal drain), the timer
// tables' reset sweep done (timers_idle's first rise), timers_settled, and kMarginCycles
// cycles since it was last 0 other than in a pulse's catch-up: an outcome's segment or
// ACK (a payload read, the ACK builder) reaches a port within them, which timers_settled
// does not cover (rtl/ftoe_engine.sv).
// A test (tests/engine/engine_timer_test.cpp, IdleSkipSkipsOnlyCyclesThatDoNothing)
// clocks an engine every cycle through RTO expiries, zero-window probes and a delayed ACK
// and holds every cycle this policy would have skipped to doing nothing; without the
// margin it fails.
#pragma once

#include <cstdint>

namespace ftoe::sim {

class IdleSkip {
public:
    enum class Next { kEvaluate, kSkipToTick, kSleep };
    static constexpr uint64_t kMarginCycles = 16;

    explicit IdleSkip(int quiet_cycles = 256, uint64_t cycles_per_tick = 156)
        : quiet_cycles_(quiet_cycles), per_tick_(cycles_per_tick) {}

    // After evaluating cycle `cycle` (the engine's time base, counting skipped cycles):
    // `active` whether it moved anything on a port, the status outputs after its edge.
    Next after_cycle(uint64_t cycle, bool active, bool timers_idle, bool timers_settled) {
        quiet_ = active ? 0 : quiet_ + 1;
        swept_ = swept_ || timers_idle;
        const bool pulse = per_tick_ != 0 && cycle % per_tick_ == 0;
        // The catch-up cycle after a pulse is expected; anything else unsettled is work.
        if (!timers_settled && !pulse) last_work_ = cycle;
        if (quiet_ < quiet_cycles_ || !swept_) return Next::kEvaluate;
        if (!timers_settled || cycle < last_work_ + kMarginCycles) return Next::kEvaluate;
        if (timers_idle) return Next::kSleep;
        return per_tick_ == 0 ? Next::kEvaluate : Next::kSkipToTick;
    }
    // The next tick pulse's cycle after `cycle`.
    uint64_t next_tick(uint64_t cycle) const { return (cycle / per_tick_ + 1) * per_tick_; }

private:
    int quiet_cycles_;
    uint64_t per_tick_;
    int quiet_ = 0;
    bool swept_ = false;
    uint64_t last_work_ = 0;
};

}  // namespace ftoe::sim
