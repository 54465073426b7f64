// Cosim of rtl/engine/raw_tx_pack.sv at 64 bits: random frames of 1..2000 bytes offered a
// byte at a time with random gaps, beats taken under random backpressure. Every frame
// comes out byte-exact with exact tkeep, and the header's contract holds: a beat is
// offered the cycle after its last byte is accepted, and tready is low only while a
// full beat waits.
#include <gtest/gtest.h>

#include <deque>
#include <random>
#include <vector>

#include "Vraw_tx_pack_64.h"
#include "clocked_model.hpp"

namespace ftoe::sim {
namespace {

TEST(RawTxPackCosim, FramesArePackedExactlyWithOneCycleLatency) {
    ClockedModel<Vraw_tx_pack_64> sim;
    auto& io = sim.io();
    std::mt19937_64 rng(245);
    std::vector<std::vector<uint8_t>> sent, got;
    std::deque<std::pair<uint8_t, bool>> bytes;  // {byte, last}
    for (int f = 0; f < 2000; f++) {
        std::vector<uint8_t> frame(1 + rng() % 2000);
        for (auto& b : frame) b = uint8_t(rng());
        for (std::size_t i = 0; i < frame.size(); i++) bytes.push_back({frame[i], i + 1 == frame.size()});
        sent.push_back(frame);
    }
    std::vector<uint8_t> partial;
    int64_t beat_due = -1;  // cycle a beat must first be offered
    bool had_beat = false;
    int lane = 0;           // lane of the next byte accepted
    while (got.size() < sent.size()) {
        const bool offer = !bytes.empty() && rng() % 5 != 0;
        io.s_axis_tvalid = offer;
        if (offer) {
            io.s_axis_tdata = bytes.front().first;
            io.s_axis_tlast = bytes.front().second;
        }
        io.m_axis_tready = rng() % 3 != 0;
        sim.settle();
        // tready low only while a full beat waits for the MAC
        ASSERT_EQ(bool(io.s_axis_tready), !(io.m_axis_tvalid && !io.m_axis_tready)) << sim.cycle();
        if (beat_due >= 0 && !had_beat) {
            ASSERT_EQ(int64_t(sim.cycle()), beat_due) << "beat not offered the cycle after its last byte";
            ASSERT_TRUE(io.m_axis_tvalid);
        }
        if (io.m_axis_tvalid) had_beat = true;
        if (io.m_axis_tvalid && io.m_axis_tready) {
            for (int k = 0; k < 8; k++)
                if ((io.m_axis_tkeep >> k) & 1) partial.push_back(uint8_t(io.m_axis_tdata >> (8 * k)));
            const std::size_t in_last = partial.size() % 8 == 0 ? 8 : partial.size() % 8;
            const uint8_t want_keep = io.m_axis_tlast ? uint8_t((1u << in_last) - 1) : uint8_t(0xff);
            ASSERT_EQ(io.m_axis_tkeep, want_keep) << "frame " << got.size();
            if (io.m_axis_tlast) {
                got.push_back(partial);
                ASSERT_EQ(got.back(), sent[got.size() - 1]) << "frame " << got.size() - 1;
                partial.clear();
            }
            had_beat = false;
            beat_due = -1;
        }
        if (offer && io.s_axis_tready) {
            const bool last = bytes.front().second;
            bytes.pop_front();
            // this byte completes a beat: 8 bytes gathered, or the frame's end
            if (last || lane == 7) {
                beat_due = int64_t(sim.cycle()) + 1;
                had_beat = false;
                lane = 0;
            } else {
                ++lane;
            }
        }
        sim.tick();
    }
    EXPECT_EQ(got.size(), sent.size());
}

}  // namespace
}  // namespace ftoe::sim
