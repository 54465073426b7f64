// Cosim of rtl/engine/tx_frame_mux.sv at 64 bits: two sources offer random frames with
// random idle, the MAC takes beats under random backpressure. Every frame comes out
// whole (never interleaved with the other source's), each source's frames in order; a
// beat on offer never changes until taken; when both sources wait at a frame boundary
// they take turns; and frames follow each other without an idle cycle.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <deque>
#include <random>
#include <vector>

#include "Vtx_frame_mux_64.h"
#include "clocked_model.hpp"

namespace ftoe::sim {
namespace {

struct Beat {
    uint64_t data;
    uint8_t keep;
    bool last;
    int frame;  // frame number within its source
};

TEST(TxFrameMuxCosim, FramesWholeInOrderTurnsTakenNoIdleBetweenFrames) {
    ClockedModel<Vtx_frame_mux_64> sim;
    auto& io = sim.io();
    std::mt19937_64 rng(0x3a7);
    std::array<std::deque<Beat>, 2> src;
    std::array<int, 2> frames{};
    for (int s = 0; s < 2; s++) {
        for (int f = 0; f < 1500; f++) {
            const int beats = 1 + int(rng() % 12);
            for (int b = 0; b < beats; b++)
                src[s].push_back({rng(), uint8_t(b + 1 == beats ? 0x0f : 0xff), b + 1 == beats, f});
            frames[s]++;
        }
    }
    std::array<bool, 2> offering{};  // a source's tvalid stays up until its beat is taken
    std::array<int, 2> next_frame{};
    int owner = -1, both_waiting_turns = 0, alternations = 0, last_owner = -1;
    bool prev_valid = false, prev_taken = true;
    uint64_t prev_data = 0;
    uint64_t idle_between = 0, busy = 0;
    while (!src[0].empty() || !src[1].empty()) {
        ASSERT_LT(sim.cycle(), 1000000u);
        for (int s = 0; s < 2; s++)
            if (!offering[s] && !src[s].empty() && rng() % 4 != 0) offering[s] = true;
        io.s0_axis_tvalid = offering[0];
        io.s1_axis_tvalid = offering[1];
        io.s0_axis_tdest = 0;  // tdest travels with its packet: the source's number
        io.s1_axis_tdest = 1;
        if (offering[0]) {
            io.s0_axis_tdata = src[0].front().data;
            io.s0_axis_tkeep = src[0].front().keep;
            io.s0_axis_tlast = src[0].front().last;
        }
        if (offering[1]) {
            io.s1_axis_tdata = src[1].front().data;
            io.s1_axis_tkeep = src[1].front().keep;
            io.s1_axis_tlast = src[1].front().last;
        }
        const bool ready = rng() % 4 != 0;
        io.m_axis_tready = ready;
        sim.settle();
        if (prev_valid && !prev_taken) {
            ASSERT_TRUE(io.m_axis_tvalid) << "tvalid dropped before its beat was taken, cycle " << sim.cycle();
            ASSERT_EQ(uint64_t(io.m_axis_tdata), prev_data) << "beat changed under tvalid, cycle " << sim.cycle();
        }
        // no idle output cycle while a source waits at a frame boundary (owner == -1)
        if (owner == -1 && (offering[0] || offering[1])) {
            if (!io.m_axis_tvalid) idle_between++;
            busy++;
        }
        // the choice is made when a frame's first beat is first offered
        if (owner == -1 && io.m_axis_tvalid) {
            const int sel = offering[1] && uint64_t(io.m_axis_tdata) == src[1].front().data ? 1 : 0;
            if (offering[0] && offering[1] && last_owner != -1) {
                both_waiting_turns++;
                if (sel != last_owner) alternations++;
            }
            owner = sel;
        }
        const bool taken = io.m_axis_tvalid && ready;
        if (taken) {
            const int s = io.s1_axis_tready ? 1 : 0;
            ASSERT_TRUE(s == 1 ? bool(io.s1_axis_tready) : bool(io.s0_axis_tready));
            ASSERT_TRUE(offering[s]);
            ASSERT_EQ(s, owner) << "frames interleaved or choice changed, cycle " << sim.cycle();
            const Beat b = src[s].front();
            ASSERT_EQ(uint64_t(io.m_axis_tdata), b.data);
            ASSERT_EQ(uint32_t(io.m_axis_tkeep), b.keep);
            ASSERT_EQ(bool(io.m_axis_tlast), b.last);
            ASSERT_EQ(int(io.m_axis_tdest), s) << "tdest of source " << s;
            ASSERT_EQ(b.frame, next_frame[s]) << "source " << s << " out of order";
            src[s].pop_front();
            offering[s] = false;
            if (b.last) {
                next_frame[s]++;
                last_owner = owner;
                owner = -1;
            }
        }
        prev_valid = io.m_axis_tvalid;
        prev_taken = taken;
        prev_data = uint64_t(io.m_axis_tdata);
        sim.tick();
    }
    EXPECT_EQ(next_frame[0], frames[0]);
    EXPECT_EQ(next_frame[1], frames[1]);
    EXPECT_EQ(idle_between, 0u) << "of " << busy << " cycles with a frame waiting";
    ASSERT_GT(both_waiting_turns, 100);
    EXPECT_EQ(alternations, both_waiting_turns) << "sources did not take turns";
}

}  // namespace
}  // namespace ftoe::sim
