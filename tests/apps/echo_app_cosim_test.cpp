// Cosim of rtl/apps/echo_app.sv (64 bits): random packets of random sessions in with
// random idle, out under random backpressure. Holds its header's contract: every beat
// comes back unchanged (data, keep, last, session) and in order; a beat taken in cycle t
// is offered in t+1 when the output was free; the input is never refused while the
// output keeps taking (1 beat/cycle, no bubble); a beat on offer does not change until
// taken.
#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <random>

#include "Vecho_app_64.h"
#include "clocked_model.hpp"

namespace ftoe::sim {
namespace {

struct Beat {
    uint64_t data;
    uint8_t keep;
    bool last;
    uint16_t dest;
};

TEST(EchoAppCosim, BeatsComeBackInOrderOneCycleLaterWithoutBubbles) {
    ClockedModel<Vecho_app_64> sim;
    auto& io = sim.io();
    std::mt19937_64 rng(0xec40);
    std::deque<Beat> in, expect;
    for (int p = 0; p < 3000; p++) {
        const uint16_t dest = uint16_t(rng() % 4096);
        const int beats = 1 + int(rng() % 20);
        for (int b = 0; b < beats; b++)
            in.push_back({rng(), uint8_t(b + 1 == beats ? 0xff >> (rng() % 8) : 0xff),
                          b + 1 == beats, dest});
    }
    const std::size_t total = in.size();
    std::size_t out = 0;
    bool offering = false, prev_valid = false, prev_taken = true, prev_in_taken = false;
    uint64_t prev_data = 0, free_run_cycles = 0;
    int phase = 0;  // 0: random both sides; 1: output always ready (the no-bubble check)
    while (out < total) {
        ASSERT_LT(sim.cycle(), 2000000u);
        phase = (sim.cycle() / 5000) % 2;
        if (!offering && !in.empty() && (phase == 1 || rng() % 4 != 0)) offering = true;
        io.s_rx_tvalid = offering;
        if (offering) {
            io.s_rx_tdata = in.front().data;
            io.s_rx_tkeep = in.front().keep;
            io.s_rx_tlast = in.front().last;
            io.s_rx_tdest = in.front().dest;
        }
        const bool ready = phase == 1 || rng() % 3 != 0;
        io.m_tx_tready = ready;
        sim.settle();
        if (prev_valid && !prev_taken) {
            ASSERT_TRUE(io.m_tx_tvalid) << "tvalid dropped before taken, cycle " << sim.cycle();
            ASSERT_EQ(uint64_t(io.m_tx_tdata), prev_data) << "beat changed under tvalid";
        }
        if (prev_in_taken && phase == 1) {  // last cycle's input beat is on offer now
            ASSERT_TRUE(io.m_tx_tvalid) << "latency is not 1 cycle, cycle " << sim.cycle();
        }
        // (a beat parked in the skid register during phase 0 leaves in phase 1's first cycle)
        if (phase == 1 && sim.cycle() % 5000 >= 2 && offering) {
            ASSERT_TRUE(io.s_rx_tready) << "input refused while the output takes every beat, cycle " << sim.cycle();
            free_run_cycles++;
        }
        const bool out_hs = io.m_tx_tvalid && ready;
        if (out_hs) {
            ASSERT_FALSE(expect.empty()) << "a beat nobody sent";
            const Beat& w = expect.front();
            ASSERT_EQ(uint64_t(io.m_tx_tdata), w.data) << "beat " << out;
            ASSERT_EQ(io.m_tx_tkeep, w.keep) << "beat " << out;
            ASSERT_EQ(bool(io.m_tx_tlast), w.last) << "beat " << out;
            ASSERT_EQ(io.m_tx_tdest, w.dest) << "beat " << out;
            expect.pop_front();
            ++out;
        }
        prev_valid = io.m_tx_tvalid;
        prev_taken = out_hs;
        prev_data = uint64_t(io.m_tx_tdata);
        prev_in_taken = offering && io.s_rx_tready && expect.empty() && !io.m_tx_tvalid;
        if (offering && io.s_rx_tready) {
            expect.push_back(in.front());
            in.pop_front();
            offering = false;
        }
        sim.tick();
    }
    EXPECT_GT(free_run_cycles, 10000u);
}

}  // namespace
}  // namespace ftoe::sim
