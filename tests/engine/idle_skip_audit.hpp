// idle_skip_audit.hpp: holds sim/models/idle_skip.hpp to its promise on an engine that is
// clocked every cycle. The audit feeds the policy the cycles a board would evaluate, and
// checks each cycle the board would have skipped: the engine moves nothing on a port and
// the status that allowed the skip (timers_settled before a tick, timers_idle while
// asleep) still holds after it. A skip ends early when input is queued, as a board
// wakes for a frame or a host byte.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <cstdio>
#include <string>

#include "idle_skip.hpp"

namespace ftoe::sim::test {

template <class E>
class IdleSkipAudit {
public:
    explicit IdleSkipAudit(E& e)
        : e_(e), policy_(256, uint64_t(e.options().cycles_per_tick)),
          per_tick_(uint64_t(e.options().cycles_per_tick)) {}

    // From the next cycle on, the audit must see every cycle. The cycles the engine ran
    // before (setup: host commands) count as evaluated, the last one with port activity
    // (a board evaluates every cycle that carries input), its status as they left it.
    void start() {
        next_ = e_.cycle();
        mode_ = Mode::kEvaluate;
        if (next_ != 0)
            (void)policy_.after_cycle(next_ - 1, true, e_.io().timers_idle, e_.io().timers_settled);
    }
    // Call before each step (exchange()'s each_cycle), after queuing that cycle's input.
    void before_step() {
        if (e_.cycle() == next_) return;  // nothing evaluated since start()
        EXPECT_EQ(e_.cycle(), next_ + 1) << "the engine ran cycles the audit did not see";
        next_ = e_.cycle();
        const uint64_t last = e_.cycle() - 1;  // the cycle just evaluated
        const bool last_skipped = mode_ != Mode::kEvaluate;
        if (last_skipped) check_skipped(last);
        if (last_skipped) {
            wake_if_due();
            return;
        }
        // `last` was evaluated by the board too: the policy decides about the next cycles.
        switch (policy_.after_cycle(last, e_.active(), e_.io().timers_idle,
                                    e_.io().timers_settled)) {
        case IdleSkip::Next::kEvaluate:
            break;
        case IdleSkip::Next::kSkipToTick:
            mode_ = Mode::kToTick;
            skip_from_ = last + 1;
            skip_to_ = policy_.next_tick(last);
            ++skips_to_tick_;
            break;
        case IdleSkip::Next::kSleep:
            mode_ = Mode::kSleep;
            skip_from_ = last + 1;
            ++sleeps_;
            break;
        }
        wake_if_due();
    }

    uint64_t skipped_cycles() const { return skipped_; }
    uint64_t skips_to_tick() const { return skips_to_tick_; }
    uint64_t sleeps() const { return sleeps_; }
    uint64_t violations() const { return violations_; }
    const std::string& first_violation() const { return first_; }

private:
    enum class Mode { kEvaluate, kToTick, kSleep };

    // A board evaluates the coming cycle at the end of a skip, or for input.
    void wake_if_due() {
        if (mode_ == Mode::kToTick && e_.cycle() >= skip_to_) mode_ = Mode::kEvaluate;
        if (mode_ != Mode::kEvaluate && !e_.inputs_drained()) mode_ = Mode::kEvaluate;
    }

    void check_skipped(uint64_t c) {
        ++skipped_;
        const bool held = mode_ == Mode::kToTick ? bool(e_.io().timers_settled)
                                                 : bool(e_.io().timers_idle);
        if (!e_.active() && held) return;
        if (violations_++ == 0) {
            char buf[200];
            std::snprintf(buf, sizeof buf,
                          "cycle %llu (tick phase %llu), skipped %s since cycle %llu: %s",
                          (unsigned long long)c, (unsigned long long)(c % per_tick_),
                          mode_ == Mode::kToTick ? "to the next tick" : "asleep",
                          (unsigned long long)skip_from_,
                          e_.active() ? "port activity" : "status fell");
            first_ = buf;
        }
    }

    E& e_;
    IdleSkip policy_;
    uint64_t per_tick_;
    Mode mode_ = Mode::kEvaluate;
    uint64_t next_ = 0;  // the cycle before_step() expects to follow
    uint64_t skip_from_ = 0, skip_to_ = 0;
    uint64_t skipped_ = 0, skips_to_tick_ = 0, sleeps_ = 0, violations_ = 0;
    std::string first_;
};

}  // namespace ftoe::sim::test
