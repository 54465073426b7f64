// The timer wheel's reference model (hls/timer_wheel.hpp) alone, against the plainest
// possible oracle: a map from timer to its absolute (never wrapping) deadline, fired
// when absolute time equals it. Exact firing ticks, re-arm earlier/later, cancel, far
// deadlines across thousands of revolutions, and modular time across counter wraps.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <tuple>
#include <vector>

#include "timer_wheel.hpp"

namespace ftoe::kernel {
namespace {

using Key = std::pair<uint32_t, uint32_t>;  // session, kind

// The oracle: absolute deadlines, no wheel.
struct Oracle {
    uint64_t now = 0;  // absolute
    std::map<Key, uint64_t> armed;
    void arm(Key k, uint64_t delay) { armed[k] = now + std::max<uint64_t>(delay, 1); }
    void cancel(Key k) { armed.erase(k); }
    std::set<Key> tick() {
        ++now;
        std::set<Key> out;
        for (auto it = armed.begin(); it != armed.end();) {
            if (it->second == now) {
                out.insert(it->first);
                it = armed.erase(it);
            } else {
                ++it;
            }
        }
        return out;
    }
};

std::vector<TimerExpiry> tick(TimerWheel& w) {
    std::vector<TimerExpiry> out;
    w.tick(out);
    return out;
}

// Ticks until `n` ticks have passed, returning (tick index from 1, expiry) pairs.
std::vector<std::pair<uint64_t, TimerExpiry>> run(TimerWheel& w, uint64_t n) {
    std::vector<std::pair<uint64_t, TimerExpiry>> all;
    std::vector<TimerExpiry> out;
    for (uint64_t t = 1; t <= n; t++) {
        out.clear();
        w.tick(out);
        for (const auto& e : out) all.push_back({t, e});
    }
    return all;
}

TEST(TimerWheelRef, EachTimerFiresExactlyAtItsDeadlineTick) {
    TimerWheel w({64, 3, 64, 32});
    w.arm(1, 0, 5);
    w.arm(2, 1, 1);
    w.arm(3, 2, 64);   // one revolution: same slot as "now"
    w.arm(4, 0, 65);   // same slot as delay 1
    w.arm(5, 1, 0);    // delay 0 is taken as 1
    EXPECT_EQ(w.armed_count(), 5u);
    const auto all = run(w, 200);
    ASSERT_EQ(all.size(), 5u);
    std::map<uint32_t, uint64_t> at;
    for (const auto& [t, e] : all) {
        at[e.session] = t;
        EXPECT_EQ(e.deadline, t) << "the expiry carries its deadline";
    }
    EXPECT_EQ(at[1], 5u);
    EXPECT_EQ(at[2], 1u);
    EXPECT_EQ(at[3], 64u);
    EXPECT_EQ(at[4], 65u);
    EXPECT_EQ(at[5], 1u);
    EXPECT_EQ(w.armed_count(), 0u);
    EXPECT_EQ(w.fired_count(), 5u);
}

TEST(TimerWheelRef, ReArmEarlierOrLaterReplacesTheDeadline) {
    TimerWheel w({64, 3, 64, 32});
    w.arm(7, 0, 100);
    w.arm(8, 0, 10);
    for (int i = 0; i < 5; i++) EXPECT_TRUE(tick(w).empty());
    w.arm(7, 0, 3);    // earlier: now 5 -> 8
    w.arm(8, 0, 200);  // later: now 5 -> 205
    const auto all = run(w, 300);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].first, 3u);  // tick 8 overall
    EXPECT_EQ(all[0].second.session, 7u);
    EXPECT_EQ(all[0].second.deadline, 8u);
    EXPECT_EQ(all[1].first, 200u);
    EXPECT_EQ(all[1].second.session, 8u);
    EXPECT_EQ(all[1].second.deadline, 205u);
    EXPECT_EQ(w.armed_count(), 0u);
}

TEST(TimerWheelRef, CancelledTimerNeverFires) {
    TimerWheel w({64, 3, 64, 32});
    w.arm(1, 2, 10);
    w.arm(2, 2, 10);
    w.cancel(1, 2);
    w.cancel(9, 1);  // not armed: nothing
    EXPECT_EQ(w.armed_count(), 1u);
    const auto all = run(w, 1000);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].second.session, 2u);
    // Re-armed after a cancel, it fires again, once.
    w.arm(1, 2, 7);
    const auto again = run(w, 100);
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again[0].first, 7u);
}

TEST(TimerWheelRef, SlotOrderIsMostRecentlyArmedFirstWithPositions) {
    TimerWheel w({64, 3, 64, 32});
    w.arm(1, 0, 10);
    w.arm(2, 0, 74);  // same slot, next revolution: stays, still counted in the walk
    w.arm(3, 0, 10);
    w.arm(4, 0, 10);
    w.arm(3, 0, 10);  // re-arm, same deadline: back to the head
    EXPECT_EQ(w.slot_size(10), 4u);
    const auto all = run(w, 10);
    ASSERT_EQ(all.size(), 3u);
    EXPECT_EQ(all[0].second.session, 3u);
    EXPECT_EQ(all[0].second.position, 1u);
    EXPECT_EQ(all[1].second.session, 4u);
    EXPECT_EQ(all[1].second.position, 2u);
    EXPECT_EQ(all[2].second.session, 1u);
    EXPECT_EQ(all[2].second.position, 4u);  // session 2 walked past at position 3
    EXPECT_EQ(w.slot_size(74), 1u);
}

TEST(TimerWheelRef, KindBeyondKindsIsRejectedAndCounted) {
    TimerWheel w({64, 3, 64, 32});
    EXPECT_FALSE(w.arm(1, 3, 5));
    EXPECT_FALSE(w.cancel(1, 3));
    EXPECT_EQ(w.bad_commands(), 2u);
    EXPECT_EQ(w.armed_count(), 0u);
    EXPECT_TRUE(run(w, 100).empty());
}

// RTO of 120 s at one tick per microsecond: ~29,000 revolutions of a 4096-slot wheel.
TEST(TimerWheelRef, FarDeadlinesFireAfterManyRevolutions) {
    TimerWheel w({4096, 3, 4096, 32});
    const uint64_t far = 120'000'000;
    w.arm(100, 0, far);
    w.arm(101, 0, far - 4096);        // same slot, one revolution earlier
    w.arm(102, 0, far + 4096 * 1000);  // same slot, 1000 revolutions later
    w.arm(103, 2, 1'000'000);
    w.arm(100, 1, 3);
    const auto all = run(w, far + 4096 * 1000 + 10);
    ASSERT_EQ(all.size(), 5u);
    EXPECT_EQ(all[0].first, 3u);
    EXPECT_EQ(all[1].first, 1'000'000u);
    EXPECT_EQ(all[2].first, far - 4096);
    EXPECT_EQ(all[3].first, far);
    EXPECT_EQ(all[3].second.session, 100u);
    EXPECT_EQ(all[4].first, far + 4096 * 1000);
}

// Random arm / re-arm / cancel over a few hundred timers, ticks in between, compared with
// the oracle tick by tick. Runs with modular time of `deadline_w` bits started near the
// wrap, so deadlines and the tick counter wrap many times.
void random_against_oracle(int deadline_w, uint64_t start, uint64_t max_delay, int ops,
                           uint32_t seed) {
    SCOPED_TRACE(testing::Message() << "deadline_w " << deadline_w << " seed " << seed);
    const uint32_t sessions = 256, wheel = 64;
    TimerWheel w({sessions, 3, wheel, deadline_w}, start);
    const uint64_t mask = (uint64_t(1) << deadline_w) - 1;
    Oracle o;
    std::mt19937_64 rng(seed);
    uint64_t wraps = 0, fired = 0, rearm_earlier = 0, rearm_later = 0;
    for (int i = 0; i < ops; i++) {
        const Key k{uint32_t(rng() % sessions), uint32_t(rng() % 3)};
        const int what = int(rng() % 10);
        if (what < 6) {
            const uint64_t delay = rng() % 4 == 0 ? rng() % (max_delay + 1) : rng() % 3 * wheel + rng() % 8;
            auto it = o.armed.find(k);
            if (it != o.armed.end()) {
                const uint64_t nd = o.now + std::max<uint64_t>(delay, 1);
                rearm_earlier += nd < it->second;
                rearm_later += nd > it->second;
            }
            uint64_t d = 0;
            ASSERT_TRUE(w.arm(k.first, k.second, delay, &d));
            o.arm(k, delay);
            ASSERT_EQ(d, (start + o.armed[k]) & mask);
        } else if (what < 8) {
            ASSERT_TRUE(w.cancel(k.first, k.second));
            o.cancel(k);
        }
        const int ticks = int(rng() % 4);
        for (int t = 0; t < ticks; t++) {
            const std::set<Key> want = o.tick();
            std::set<Key> got;
            for (const auto& e : tick(w)) {
                ASSERT_EQ(e.deadline, (start + o.now) & mask) << "tick " << o.now;
                ASSERT_TRUE(got.insert({e.session, e.kind}).second) << "fired twice";
            }
            ASSERT_EQ(got, want) << "tick " << o.now;
            fired += got.size();
            wraps += w.now() == 0;
            ASSERT_EQ(w.now(), (start + o.now) & mask);
        }
        ASSERT_EQ(w.armed_count(), o.armed.size());
    }
    EXPECT_EQ(w.fired_count(), fired);
    EXPECT_GT(fired, uint64_t(ops) / 10);
    EXPECT_GT(rearm_earlier, 100u);
    EXPECT_GT(rearm_later, 100u);
    if (deadline_w <= 12) EXPECT_GT(wraps, 10u) << "the tick counter must have wrapped";
    else EXPECT_GE(wraps, 1u) << "the tick counter must have wrapped";
}

TEST(TimerWheelRef, RandomOpsMatchOracleAcrossTickCounterWraps) {
    // 12-bit time on a 64-slot wheel: delays up to 4000 ticks, dozens of counter wraps.
    random_against_oracle(12, 0, 4000, 60000, 1);
    // 32-bit time started 3000 ticks before the wrap.
    random_against_oracle(32, (uint64_t(1) << 32) - 3000, 100000, 60000, 2);
}

TEST(TimerWheelRef, BadConfigurationIsRefused) {
    EXPECT_THROW(TimerWheel({100, 3, 64, 32}), std::invalid_argument);
    EXPECT_THROW(TimerWheel({64, 3, 48, 32}), std::invalid_argument);
    EXPECT_THROW(TimerWheel({64, 9, 64, 32}), std::invalid_argument);
    EXPECT_THROW(TimerWheel({64, 3, 64, 6}), std::invalid_argument);
}

}  // namespace
}  // namespace ftoe::kernel
