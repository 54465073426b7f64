// Cosim of rtl/stats/stat_counters.sv (N=32, W=64): the self-clearing sweep after reset,
// then random increments (often to the same counter on consecutive cycles, the
// read-modify-write hazard) and a read every cycle, against a plain array. Holds the
// header's contract: rd_value in cycle c+1 is the counter rd_idx named in cycle c, with
// every increment up to cycle c-1 in it.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>

#include "Vstat_counters.h"
#include "clocked_model.hpp"

namespace ftoe::sim {
namespace {

constexpr int kN = 32;

TEST(StatCountersCosim, ClearsItselfThenCountsEveryIncrement) {
    ClockedModel<Vstat_counters> sim(1);
    auto& io = sim.io();
    // The sweep: not ready for exactly N cycles after reset, increments ignored meanwhile.
    int not_ready = 0;
    for (; not_ready < 2 * kN; not_ready++) {
        io.s_inc_valid = 1;
        io.s_inc_idx = 3;
        sim.settle();
        if (io.ready) break;
        sim.tick();
    }
    EXPECT_EQ(not_ready, kN) << "clearing takes one cycle per counter";

    std::array<uint64_t, kN> model{};
    std::mt19937_64 rng(2026);
    int last_rd = -1;
    uint64_t want_rd = 0;
    for (int c = 0; c < 200000; c++) {
        const bool inc = rng() % 4 != 0;
        const int idx = rng() % 3 == 0 ? int(rng() % 2) : int(rng() % kN);  // hot counters
        const int rd = int(rng() % kN);
        io.s_inc_valid = inc;
        io.s_inc_idx = uint8_t(idx);
        io.rd_idx = uint8_t(rd);
        sim.settle();
        ASSERT_TRUE(io.ready);
        if (last_rd >= 0) {
            ASSERT_EQ(io.rd_value, want_rd) << "cycle " << c << ": counter " << last_rd;
        }
        // What this cycle's read returns next cycle: the counters as of this cycle's start
        // (this cycle's increment is not yet in).
        want_rd = model[std::size_t(rd)];
        last_rd = rd;
        if (inc) model[std::size_t(idx)]++;
        sim.tick();
    }
    uint64_t total = 0;
    for (int i = 0; i < kN; i++) {
        io.s_inc_valid = 0;
        io.rd_idx = uint8_t(i);
        sim.tick();
        sim.settle();
        EXPECT_EQ(io.rd_value, model[std::size_t(i)]) << "counter " << i;
        total += io.rd_value;
    }
    EXPECT_GT(total, 140000u);
}

}  // namespace
}  // namespace ftoe::sim
