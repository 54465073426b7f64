// Cosim of rtl/common/bypass_ram.sv (64 entries of 40 bits) against an array: a read
// returns, exactly one cycle later, the entry as it stands at the end of its own cycle
// (a write to the same entry in that cycle included) with rd_valid, and rd_valid and
// rd_data are 0 in every cycle that follows no read. Random reads and writes every cycle over few entries, so that a
// read and a write of the same entry in one cycle are common; scripted cases hold the
// latency, the bypass, back-to-back reads and writes, and the read flag's reset.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>

#include "Vbypass_ram.h"
#include "clocked_model.hpp"

namespace ftoe::sim {
namespace {

constexpr int kDepth = 64;
constexpr uint64_t kMask = (uint64_t(1) << 40) - 1;

class BypassRam {
public:
    // One cycle: a write and/or a read (either may be off); returns rd_data after the edge.
    uint64_t cycle(bool wr, unsigned wa, uint64_t wd, bool rd, unsigned ra) {
        auto& io = m_.io();
        io.wr_en = wr;
        io.wr_addr = uint8_t(wa);
        io.wr_data = wd;
        io.rd_en = rd;
        io.rd_addr = uint8_t(ra);
        m_.tick();
        return io.rd_data;
    }
    bool valid() { return m_.io().rd_valid; }
    void reset_one_cycle() { m_.io().rst = 1; }
    void release_reset() { m_.io().rst = 0; }

private:
    ClockedModel<Vbypass_ram> m_;
};

TEST(BypassRam, RandomTrafficMatchesArrayOneCycleLater) {
    BypassRam ram;
    std::array<uint64_t, kDepth> ref{};
    std::mt19937_64 rng(7);
    // Every entry written once first, so that a read never meets the RAM's power-up value.
    for (unsigned a = 0; a < kDepth; a++) {
        ref[a] = rng() & kMask;
        ASSERT_EQ(ram.cycle(true, a, ref[a], false, 0), 0u);
    }
    int same_cycle = 0, reads = 0;
    for (int c = 0; c < 200000; c++) {
        const bool wr = rng() % 3 != 0;
        const bool rd = rng() % 3 != 0;
        const unsigned wa = unsigned(rng() % 8);                      // few entries: collisions
        const unsigned ra = rng() % 2 ? wa : unsigned(rng() % 8);
        const uint64_t wd = rng() & kMask;
        if (wr) ref[wa] = wd;
        const uint64_t want = rd ? ref[ra] : 0;
        same_cycle += wr && rd && wa == ra;
        reads += rd;
        ASSERT_EQ(ram.cycle(wr, wa, wd, rd, ra), want)
            << "cycle " << c << (rd ? " read " : " no read ") << ra << (wr ? " write " : " no write ")
            << wa;
        ASSERT_EQ(ram.valid(), rd) << "cycle " << c;
    }
    EXPECT_GT(same_cycle, 30000);  // the bypass is what this test exercises most
    EXPECT_GT(reads, 120000);
}

TEST(BypassRam, ScriptedLatencyBypassAndReset) {
    BypassRam ram;
    EXPECT_EQ(ram.cycle(true, 5, 0x1111, false, 0), 0u);        // no read: 0
    EXPECT_FALSE(ram.valid());
    EXPECT_EQ(ram.cycle(false, 0, 0, true, 5), 0x1111u);        // 1 cycle later
    EXPECT_TRUE(ram.valid());
    EXPECT_EQ(ram.cycle(true, 5, 0x2222, true, 5), 0x2222u);    // same cycle: the new value
    EXPECT_EQ(ram.cycle(true, 6, 0x3333, true, 5), 0x2222u);    // other entry written
    EXPECT_EQ(ram.cycle(false, 0, 0, false, 5), 0u);            // a read is not held
    EXPECT_EQ(ram.cycle(true, 6, 0x4444, true, 6), 0x4444u);    // back to back, bypassed
    EXPECT_EQ(ram.cycle(true, 6, 0x5555, true, 6), 0x5555u);
    EXPECT_EQ(ram.cycle(false, 0, 0, true, 6), 0x5555u);
    ram.reset_one_cycle();                                      // a read under reset: 0
    EXPECT_EQ(ram.cycle(false, 0, 0, true, 6), 0u);
    EXPECT_FALSE(ram.valid());
    ram.release_reset();
    EXPECT_EQ(ram.cycle(false, 0, 0, true, 6), 0x5555u);        // the memory kept its data
}

}  // namespace
}  // namespace ftoe::sim
