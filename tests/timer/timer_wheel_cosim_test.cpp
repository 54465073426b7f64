// Cosim of rtl/timer/timer_wheel.sv (4096 and 65536 sessions) against the reference
// model hls/timer_wheel.hpp. Random arm / re-arm (earlier and later) / cancel over
// random sessions, random tick gaps with bursts of a tick every cycle, random
// backpressure on the expiry stream: the RTL must produce exactly the model's sequence
// of (session, kind, deadline), never in or before the cycle of the deadline's tick,
// and within the header's bound when it was not backlogged. Directed tests hold the
// header's figures: command throughput, expiry latency and rate, catch-up rate, far
// deadlines, the reset sweep.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <random>
#include <type_traits>
#include <utility>
#include <vector>

#include "Vtimer_wheel.h"
#include "Vtimer_wheel_65536.h"
#include "clocked_model.hpp"
#include "timer_wheel.hpp"

namespace ftoe::kernel {
namespace {

// timer_wheel.sv header contract.
constexpr uint64_t kLatencyIdle = 3;   // tick pulse -> m_exp_valid, minus the list place
constexpr uint64_t kLatencyBusy = 5;   // the same with a command in progress
constexpr uint64_t kArmCycles = 2;     // fresh arm
constexpr uint64_t kReArmCycles = 3;   // re-arm of an armed timer
constexpr uint64_t kCancelCycles = 2;
constexpr uint64_t kSkipPerCycle = 64; // empty slots skipped per cycle when behind
constexpr uint32_t kWheel = 4096;      // default WHEEL
constexpr uint32_t kKinds = 3;

template <typename M>
struct Bench {
    explicit Bench(uint32_t sessions_)
        : sessions(sessions_), ref({sessions_, kKinds, kWheel, 32}) {
        auto& io = sim.io();
        io.tick = 0;
        io.s_cmd_valid = 0;
        io.m_exp_ready = 1;
        // The reset sweep: s_cmd_ready low for SESSIONS * 4 cycles (2-bit kind).
        while (true) {
            sim.settle();
            EXPECT_EQ(bool(io.ready), bool(io.s_cmd_ready)) << "ready flags the sweep's end";
            if (io.s_cmd_ready) break;
            sim.tick();
            ++init_cycles;
        }
    }
    M& io() { return sim.io(); }

    // Drives one command until accepted (no ticks, output always ready); returns the
    // cycle it was accepted in.
    uint64_t command(bool cancel, uint32_t session, uint32_t kind, uint32_t delay) {
        auto& m = io();
        m.s_cmd_valid = 1;
        m.s_cmd_cancel = cancel;
        m.s_cmd_session = static_cast<std::remove_reference_t<decltype(m.s_cmd_session)>>(session);
        m.s_cmd_kind = static_cast<std::remove_reference_t<decltype(m.s_cmd_kind)>>(kind);
        m.s_cmd_delay = delay;
        for (int waited = 0;; waited++) {
            if (waited == 100000) {
                ADD_FAILURE() << "command not accepted in 100000 cycles";
                m.s_cmd_valid = 0;
                return sim.cycle();
            }
            sim.settle();
            const bool hs = m.s_cmd_ready;
            const uint64_t c = sim.cycle();
            if (hs) {
                if (cancel) ref.cancel(session, kind);
                else ref.arm(session, kind, delay);
            }
            sim.tick();
            if (hs) {
                m.s_cmd_valid = 0;
                return c;
            }
        }
    }

    uint32_t sessions;
    sim::ClockedModel<M> sim;
    TimerWheel ref;
    uint64_t init_cycles = 0;
};

struct Expected {
    TimerExpiry e;
    uint64_t tick_cycle;  // cycle of the tick pulse that reached the deadline
    bool caught_up;       // the wheel had lag 0 in that cycle
    bool shown = false;
};

struct RandomStats {
    uint64_t cycles = 0, commands = 0, arms = 0, rearm_earlier = 0, rearm_later = 0, cancels = 0;
    uint64_t rearm_same_slot = 0;
    uint64_t expiries = 0, latency_checked = 0, burst_ticks = 0, ticks = 0, max_lag = 0;
    uint64_t worst_slack = 0;  // least margin to the bound seen (bound - latency)
};

// Random traffic against the model. `ops` commands over `pool` timers of random
// sessions (and now and then any session).
template <typename M>
RandomStats run_random(uint32_t sessions, int ops, int pool, uint32_t seed) {
    Bench<M> b(sessions);
    auto& io = b.io();
    auto& ref = b.ref;
    std::mt19937_64 rng(seed);
    std::vector<std::pair<uint32_t, uint32_t>> keys;
    for (int i = 0; i < pool; i++) keys.push_back({uint32_t(rng() % sessions), uint32_t(rng() % kKinds)});

    RandomStats st;
    std::deque<Expected> expected;
    bool pend = false, pend_cancel = false;
    uint32_t pend_s = 0, pend_k = 0, pend_delay = 0;
    uint64_t next_tick_in = 0, burst_left = 0, stall_left = 0;
    uint64_t last_stall = 0;  // last cycle with m_exp_valid && !m_exp_ready (+1; 0 = none)
    uint64_t last_deadline = 0;
    int issued = 0;
    bool draining = false;
    uint64_t drain_ticks = 0;
    std::vector<TimerExpiry> fired;

    auto random_delay = [&]() -> uint32_t {
        switch (rng() % 10) {
            case 0: return uint32_t(rng() % 2);                                  // 0 or 1
            case 1: return uint32_t(kWheel * (1 + rng() % 4) + rng() % 8);       // later revolutions
            case 2: return uint32_t(rng() % 300000);                             // far
            default: return uint32_t(1 + rng() % 3000);
        }
    };

    while (true) {
        const uint64_t cyc = b.sim.cycle();
        // ---- inputs -------------------------------------------------------------------
        if (!pend && !draining && issued < ops && rng() % 3 == 0) {
            const auto k = rng() % 50 == 0
                               ? std::pair<uint32_t, uint32_t>{uint32_t(rng() % sessions), uint32_t(rng() % kKinds)}
                               : keys[rng() % keys.size()];
            pend = true;
            pend_s = k.first;
            pend_k = k.second;
            pend_cancel = rng() % 4 == 0;
            pend_delay = random_delay();
            if (!pend_cancel && ref.armed(pend_s, pend_k) && rng() % 6 == 0) {
                // Re-arm into the same slot: the same deadline or whole revolutions away
                // (the node may be its slot's head: unlink and link touch one list).
                const uint64_t old = ref.deadline(pend_s, pend_k);
                const uint64_t want = old + kWheel * (rng() % 3) - (rng() % 2 ? kWheel : 0);
                if (want > ref.now()) pend_delay = uint32_t(want - ref.now()), ++st.rearm_same_slot;
            }
            ++issued;
        }
        if (draining && !pend && ref.armed_count() > 0 && drain_ticks > 400000) {
            // Cancel what is left (far deadlines) rather than tick to them.
            for (const auto& k : keys) {
                if (ref.armed(k.first, k.second)) {
                    pend = true, pend_cancel = true, pend_s = k.first, pend_k = k.second;
                    break;
                }
            }
            if (!pend) {
                for (uint32_t s = 0; s < sessions && !pend; s++)
                    for (uint32_t k = 0; k < kKinds && !pend; k++)
                        if (ref.armed(s, k)) pend = true, pend_cancel = true, pend_s = s, pend_k = k;
            }
        }
        bool tick = false;
        if (burst_left > 0) {
            tick = true;
            --burst_left;
            ++st.burst_ticks;
        } else if (draining) {
            tick = drain_ticks <= 400000 && ref.armed_count() > 0;
        } else if (next_tick_in == 0) {
            tick = true;
            if (rng() % 40 == 0) burst_left = 20 + rng() % 3000;
            next_tick_in = rng() % 4 == 0 ? 0 : rng() % 40;
        } else {
            --next_tick_in;
        }
        if (draining && tick) ++drain_ticks;
        if (stall_left > 0) --stall_left;
        else if (rng() % 200 == 0) stall_left = rng() % 300;
        const bool ready = stall_left == 0 && rng() % 5 != 0;

        io.tick = tick;
        io.s_cmd_valid = pend;
        io.s_cmd_cancel = pend_cancel;
        io.s_cmd_session = static_cast<std::remove_reference_t<decltype(io.s_cmd_session)>>(pend_s);
        io.s_cmd_kind = static_cast<std::remove_reference_t<decltype(io.s_cmd_kind)>>(pend_k);
        io.s_cmd_delay = pend_delay;
        io.m_exp_ready = ready;
        b.sim.settle();

        // ---- outputs ------------------------------------------------------------------
        EXPECT_EQ(uint64_t(io.now_tick), ref.now()) << "cycle " << cyc;
        EXPECT_FALSE(io.tick_lost);
        st.max_lag = std::max<uint64_t>(st.max_lag, io.lag);
        if (io.m_exp_valid) {
            if (expected.empty()) {
                ADD_FAILURE() << "cycle " << cyc << ": expiry of session " << io.m_exp_session
                              << " kind " << int(io.m_exp_kind) << " deadline " << io.m_exp_deadline
                              << " not expected";
                return st;
            }
            Expected& x = expected.front();
            if (io.m_exp_session != x.e.session || io.m_exp_kind != x.e.kind ||
                io.m_exp_deadline != x.e.deadline) {
                ADD_FAILURE() << "cycle " << cyc << ": expiry #" << st.expiries << " got session "
                              << io.m_exp_session << " kind " << int(io.m_exp_kind) << " deadline "
                              << io.m_exp_deadline << ", want session " << x.e.session << " kind "
                              << x.e.kind << " deadline " << x.e.deadline;
                return st;
            }
            if (!x.shown) {
                x.shown = true;
                // Never in or before the cycle of its deadline's tick pulse.
                EXPECT_GT(cyc, x.tick_cycle) << "expiry #" << st.expiries << " early";
                EXPECT_GE(uint64_t(io.m_exp_deadline), last_deadline) << "deadline order";
                last_deadline = io.m_exp_deadline;
                if (x.caught_up && last_stall <= x.tick_cycle) {
                    const uint64_t bound = x.tick_cycle + kLatencyBusy + x.e.position;
                    EXPECT_LE(cyc, bound) << "expiry #" << st.expiries << " late: tick at cycle "
                                          << x.tick_cycle << ", place " << x.e.position;
                    if (st.latency_checked == 0 || bound - cyc < st.worst_slack)
                        st.worst_slack = bound - cyc;
                    ++st.latency_checked;
                }
            }
            if (ready) {
                expected.pop_front();
                ++st.expiries;
            } else {
                last_stall = cyc + 1;
            }
        }
        if (pend && io.s_cmd_ready) {
            ++st.commands;
            if (pend_cancel) {
                ++st.cancels;
                ref.cancel(pend_s, pend_k);
            } else {
                if (ref.armed(pend_s, pend_k)) {
                    const uint64_t nd = ref.now() + std::max<uint32_t>(pend_delay, 1);
                    (nd < ref.deadline(pend_s, pend_k) ? st.rearm_earlier : st.rearm_later)++;
                }
                ++st.arms;
                ref.arm(pend_s, pend_k, pend_delay);
            }
            pend = false;
        }
        if (tick) {
            ++st.ticks;
            fired.clear();
            ref.tick(fired);
            for (const auto& e : fired) expected.push_back({e, cyc, io.lag == 0});
        }
        b.sim.tick();

        if (!draining && issued >= ops && !pend) draining = true;
        if (draining && !pend && ref.armed_count() == 0 && expected.empty() && io.lag == 0) break;
        if (::testing::Test::HasFailure()) return st;
        if (b.sim.cycle() > 50'000'000) {
            ADD_FAILURE() << "no end after 50M cycles: " << expected.size() << " expiries missing";
            return st;
        }
    }
    // Let the last command finish, then compare the counters.
    for (int i = 0; i < 4; i++) b.sim.tick();
    b.sim.settle();
    EXPECT_EQ(uint64_t(io.armed_count), 0u);
    EXPECT_EQ(uint64_t(io.fired_count), ref.fired_count() & 0xFFFFFFFFu);
    EXPECT_EQ(uint64_t(io.fired_count), st.expiries);
    EXPECT_EQ(io.bad_cmd_count, 0u);
    st.cycles = b.sim.cycle();
    return st;
}

void report(const char* name, const RandomStats& s) {
    std::printf("%s: %llu cycles, %llu ticks (%llu in bursts), %llu commands (%llu arms, "
                "%llu re-arm earlier, %llu later, %llu into the same slot, %llu cancels), "
                "%llu expiries, %llu "
                "latency-checked (least slack %llu cycles), max lag %llu\n",
                name, (unsigned long long)s.cycles, (unsigned long long)s.ticks,
                (unsigned long long)s.burst_ticks, (unsigned long long)s.commands,
                (unsigned long long)s.arms, (unsigned long long)s.rearm_earlier,
                (unsigned long long)s.rearm_later, (unsigned long long)s.rearm_same_slot,
                (unsigned long long)s.cancels,
                (unsigned long long)s.expiries, (unsigned long long)s.latency_checked,
                (unsigned long long)s.worst_slack, (unsigned long long)s.max_lag);
}

TEST(TimerWheelCosim, RandomArmCancelReArmMatchesModelWithBurstsAndBackpressure4096) {
    const RandomStats s = run_random<Vtimer_wheel>(4096, 40000, 400, 11);
    report("4096", s);
    EXPECT_GT(s.expiries, 10000u);
    EXPECT_GT(s.rearm_earlier, 500u);
    EXPECT_GT(s.rearm_later, 500u);
    EXPECT_GT(s.rearm_same_slot, 300u);
    EXPECT_GT(s.latency_checked, 500u);
    EXPECT_GT(s.burst_ticks, 20000u);
    EXPECT_GT(s.max_lag, 100u) << "backpressure and bursts must have left the wheel behind";
}

TEST(TimerWheelCosim, RandomArmCancelReArmMatchesModelWithBurstsAndBackpressure65536) {
    const RandomStats s = run_random<Vtimer_wheel_65536>(65536, 10000, 200, 12);
    report("65536", s);
    EXPECT_GT(s.expiries, 3000u);
    EXPECT_GT(s.rearm_same_slot, 50u);
    EXPECT_GT(s.latency_checked, 300u);
    EXPECT_GT(s.max_lag, 100u);
}

// ---- Directed: the header's figures -------------------------------------------------

TEST(TimerWheelCosim, ResetSweepTakesOneCycleperTimerSlot) {
    Bench<Vtimer_wheel> b(4096);
    EXPECT_EQ(b.init_cycles, 4096u * 4u);
}

TEST(TimerWheelCosim, CommandThroughputIsTwoCyclesPerArmOrCancelThreePerReArm) {
    Bench<Vtimer_wheel> b(4096);
    auto run = [&](bool cancel, uint32_t delay, uint64_t want, const char* what) {
        uint64_t prev = b.command(cancel, 0, 0, delay);
        for (uint32_t s = 1; s < 200; s++) {
            const uint64_t c = b.command(cancel, s * 17 % 4096, s % 3, delay + s);
            EXPECT_EQ(c - prev, want) << what << " #" << s;
            prev = c;
        }
    };
    // Valid is held from the cycle after each acceptance: the spacing is the block's.
    b.command(false, 4095, 2, 50);  // something in the wheel already
    run(false, 1000, kArmCycles, "fresh arm");
    run(false, 2000, kReArmCycles, "re-arm later");
    run(false, 10, kReArmCycles, "re-arm earlier");
    run(true, 0, kCancelCycles, "cancel");
    run(true, 0, kCancelCycles, "cancel of an idle timer");
    EXPECT_EQ(uint64_t(b.io().armed_count), 1u);
    // A kind beyond KINDS is taken in one cycle and only counted.
    const uint64_t c0 = b.command(false, 5, 3, 10);
    const uint64_t c1 = b.command(false, 5, 3, 10);
    EXPECT_EQ(c1 - c0, 1u);
    b.sim.settle();
    EXPECT_EQ(b.io().bad_cmd_count, 2u);
    EXPECT_EQ(uint64_t(b.io().armed_count), 1u);
}

// Runs ticks (one every `gap` cycles) until `n` ticks are done, output always ready,
// recording the first cycle each expiry is shown and the cycle of each tick.
struct Shown {
    TimerExpiry e;
    uint64_t cycle;
};
template <typename M>
std::vector<Shown> tick_and_watch(Bench<M>& b, uint64_t n, uint64_t gap, std::vector<uint64_t>& tick_cycles) {
    auto& io = b.io();
    std::vector<Shown> out;
    uint64_t done = 0, wait = 0;
    const uint64_t limit = b.sim.cycle() + n * (gap + 1) + 100000;
    io.m_exp_ready = 1;
    while (done < n || io.lag != 0 || io.m_exp_valid) {
        if (b.sim.cycle() > limit) {
            ADD_FAILURE() << "the wheel did not catch up by cycle " << limit;
            break;
        }
        const bool tick = done < n && wait == 0;
        io.tick = tick;
        b.sim.settle();
        if (io.m_exp_valid) {
            TimerExpiry e;
            e.session = io.m_exp_session;
            e.kind = io.m_exp_kind;
            e.deadline = io.m_exp_deadline;
            out.push_back({e, b.sim.cycle()});
        }
        if (tick) {
            tick_cycles.push_back(b.sim.cycle());
            ++done;
            wait = gap;
        } else if (wait > 0) {
            --wait;
        }
        b.sim.tick();
    }
    io.tick = 0;
    return out;
}

TEST(TimerWheelCosim, ExpiriesLeaveThreePlusPlaceCyclesAfterTheTickOnePerCycle) {
    Bench<Vtimer_wheel> b(4096);
    // 16 timers due at tick 40, 4 more in the same slot a few revolutions later, armed
    // interleaved so the walk passes over them.
    for (uint32_t i = 0; i < 20; i++) {
        const uint32_t delay = i % 5 == 4 ? 40 + kWheel * (1 + i / 5) : 40;
        b.command(false, 100 + i * 31, i % 3, delay);
    }
    std::vector<uint64_t> ticks;
    const auto shown = tick_and_watch(b, 40, 9, ticks);
    std::vector<TimerExpiry> want;
    for (int i = 0; i < 40; i++) b.ref.tick(want);
    ASSERT_EQ(shown.size(), 16u);
    ASSERT_EQ(want.size(), 16u);
    for (std::size_t i = 0; i < shown.size(); i++) {
        EXPECT_EQ(shown[i].e.session, want[i].session) << "expiry " << i;
        EXPECT_EQ(shown[i].e.deadline, 40u);
        EXPECT_EQ(shown[i].cycle, ticks[39] + kLatencyIdle + want[i].position)
            << "expiry " << i << " at place " << want[i].position;
    }
    // One place walked per cycle, fired or not: the last expiry is as many cycles after
    // the first as places apart (16 expiries, 4 places passed over among them).
    EXPECT_EQ(shown.back().cycle - shown.front().cycle, want.back().position - want.front().position);
    EXPECT_GE(want.back().position - want.front().position, 18u);
    EXPECT_EQ(uint64_t(b.io().armed_count), 4u);
}

TEST(TimerWheelCosim, ACommandInProgressAddsAtMostTwoCycles) {
    Bench<Vtimer_wheel> b(4096);
    b.command(false, 1, 0, 5);     // fires at tick 5
    b.command(false, 2, 0, 5000);  // re-armed below, in the cycle of tick 5
    auto& io = b.io();
    std::vector<uint64_t> ticks;
    tick_and_watch(b, 4, 3, ticks);
    // Tick 5 and a re-arm accepted in the same cycle.
    io.tick = 1;
    io.s_cmd_valid = 1;
    io.s_cmd_cancel = 0;
    io.s_cmd_session = 2;
    io.s_cmd_kind = 0;
    io.s_cmd_delay = 7000;
    b.sim.settle();
    ASSERT_TRUE(io.s_cmd_ready);
    const uint64_t c = b.sim.cycle();
    b.sim.tick();
    io.tick = 0;
    io.s_cmd_valid = 0;
    uint64_t seen = 0;
    for (int i = 0; i < 20 && !seen; i++) {
        b.sim.settle();
        if (io.m_exp_valid) seen = b.sim.cycle();
        b.sim.tick();
    }
    EXPECT_EQ(seen, c + kLatencyBusy + 1) << "re-arm (3 cycles) accepted with the tick";
    EXPECT_EQ(io.m_exp_session, 1u);
}

TEST(TimerWheelCosim, BurstOfTicksIsCaughtUpAtSixtyFourEmptySlotsPerCycle) {
    Bench<Vtimer_wheel> b(4096);
    auto& io = b.io();
    // Two timers at tick 3: the first waits in the output register, the second holds
    // the wheel (backpressure) while 100000 ticks arrive, one per cycle.
    b.command(false, 9, 1, 3);
    b.command(false, 10, 1, 3);
    const uint64_t burst = 100000;
    io.m_exp_ready = 0;
    for (uint64_t i = 0; i < burst; i++) {
        io.tick = 1;
        b.sim.tick();
    }
    io.tick = 0;
    b.sim.settle();
    ASSERT_TRUE(io.m_exp_valid);
    EXPECT_EQ(uint64_t(io.lag), burst - 2) << "the wheel waits in the slot of tick 3";
    io.m_exp_ready = 1;
    const uint64_t start = b.sim.cycle();
    while (io.lag != 0) {
        b.sim.tick();
        b.sim.settle();
        ASSERT_LT(b.sim.cycle() - start, burst) << "not catching up";
    }
    const uint64_t took = b.sim.cycle() - start;
    std::printf("caught up %llu ticks in %llu cycles\n", (unsigned long long)(burst - 2),
                (unsigned long long)took);
    // One cycle to finish the held slot, then whole 64-slot words.
    EXPECT_LE(took, (burst - 3 + kSkipPerCycle - 1) / kSkipPerCycle + 2);

    // A tick every cycle over an empty wheel: it never falls behind by more than 1.
    uint64_t max_lag = 0;
    for (int i = 0; i < 20000; i++) {
        io.tick = 1;
        b.sim.settle();
        max_lag = std::max<uint64_t>(max_lag, io.lag);
        b.sim.tick();
    }
    EXPECT_LE(max_lag, 1u);
}

TEST(TimerWheelCosim, FarDeadlineFiresExactlyAfterManyRevolutions) {
    Bench<Vtimer_wheel> b(4096);
    const uint32_t far = 1000000;  // 244 revolutions of the wheel
    b.command(false, 4000, 2, far);
    b.command(false, 4001, 2, far - kWheel * 100);  // same slot, 100 revolutions earlier
    b.command(false, 4002, 2, far + kWheel);        // same slot, next revolution
    b.command(false, 4003, 0, far);
    b.command(false, 4003, 0, far + kWheel * 3);    // re-armed later, into the same slot
    std::vector<uint64_t> ticks;
    const auto shown = tick_and_watch(b, far + kWheel * 3, 0, ticks);
    ASSERT_EQ(shown.size(), 4u);
    const uint64_t want[4] = {far - kWheel * 100, far, far + kWheel, far + kWheel * 3};
    const uint32_t who[4] = {4001, 4000, 4002, 4003};
    for (int i = 0; i < 4; i++) {
        EXPECT_EQ(shown[std::size_t(i)].e.deadline, want[i]);
        EXPECT_EQ(shown[std::size_t(i)].e.session, who[i]);
        EXPECT_GT(shown[std::size_t(i)].cycle, ticks[want[i] - 1]);
        // A tick every cycle leaves the wheel 1 behind; 4 timers share the slot.
        EXPECT_LE(shown[std::size_t(i)].cycle, ticks[want[i] - 1] + 1 + kLatencyIdle + 4);
    }
}

}  // namespace
}  // namespace ftoe::kernel
