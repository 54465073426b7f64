// Cosim of rtl/csum/csum_stream.sv at DATA_W = 64 and 512 against the hls/ kernel.
//
// Random frames of 1..9000 bytes with random byte ranges, random tkeep on the tlast
// beat, random idle cycles between and within frames, and long back-to-back bursts.
// Checks the values and the cycle contract of the header comment: tready never low,
// and every sum exactly LATENCY cycles after its tlast beat.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "csum_stream_sim.hpp"
#include "csum_top.hpp"
#include "frame.hpp"

namespace ftoe::sim {
namespace {

// The contract stated in csum_stream.sv's header, written here independently so a
// change of pipeline depth fails this test until the header and this agree.
template <int W>
constexpr int kContractLatency = W == 64 ? 2 : 4;

uint16_t reference_sum(const std::vector<kernel::AxisBeat<64>>& beats, uint16_t s, uint16_t e) {
    hls::stream<kernel::AxisBeat<64>> in;
    for (const auto& b : beats) in.write(b);
    return ftoe_csum_frame_64(in, s, e);
}
uint16_t reference_sum(const std::vector<kernel::AxisBeat<512>>& beats, uint16_t s,
                       uint16_t e) {
    hls::stream<kernel::AxisBeat<512>> in;
    for (const auto& b : beats) in.write(b);
    return ftoe_csum_frame_512(in, s, e);
}

// Frames to run per width: 100k in CI, FTOE_CSUM_FRAMES overrides (long soak runs).
int frames_to_run() {
    if (const char* env = std::getenv("FTOE_CSUM_FRAMES")) return std::atoi(env);
    return 100000;
}

struct Traffic {
    std::size_t len;
    uint16_t start, end;
};

// Lengths: many small frames (more tlast beats per cycle), MTU-sized and jumbo frames.
Traffic random_traffic(std::mt19937_64& rng) {
    auto uni = [&](uint64_t lo, uint64_t hi) {
        return std::uniform_int_distribution<uint64_t>(lo, hi)(rng);
    };
    const uint64_t kind = uni(0, 9);
    const std::size_t len = kind < 4 ? uni(1, 128) : kind < 7 ? uni(129, 1518) : uni(1519, 9000);
    uint16_t start = 0, end = uint16_t(len);
    switch (uni(0, 5)) {
        case 0: break;                                               // whole frame
        case 1: start = 14; break;                                   // from the IPv4 header
        case 2: start = uint16_t(uni(0, len)); end = uint16_t(uni(start, len)); break;
        case 3: start = uint16_t(uni(0, len) | 1); end = uint16_t(uni(0, 65535)); break;
        case 4: start = uint16_t(uni(0, 65535)); end = uint16_t(uni(0, 65535)); break;
        default: start = uint16_t(uni(0, 64)); end = uint16_t(len + uni(0, 64)); break;
    }
    return {len, start, end};
}

template <typename T>
class CsumStreamCosim : public ::testing::Test {};
using Widths = ::testing::Types<std::integral_constant<int, 64>, std::integral_constant<int, 512>>;
class WidthName {
public:
    template <typename T>
    static std::string GetName(int) { return "W" + std::to_string(T::value); }
};
TYPED_TEST_SUITE(CsumStreamCosim, Widths, WidthName);

TYPED_TEST(CsumStreamCosim, RandomFramesMatchKernelAtFixedLatencyWithoutStall) {
    constexpr int W = TypeParam::value;
    using Beat = kernel::AxisBeat<W>;
    std::mt19937_64 rng(0xc5c5'0000 + W);
    auto chance = [&](double p) { return std::bernoulli_distribution(p)(rng); };

    CsumStreamSim<W> sim;
    sim.reset();

    struct Expected {
        int frame;
        uint16_t sum;
        uint64_t last_cycle;
    };
    constexpr uint64_t kNotYet = ~uint64_t(0);  // tlast beat not yet sent
    std::deque<Expected> pending;
    const int frames = frames_to_run();
    uint64_t beats_sent = 0, idle_cycles = 0, longest_burst = 0, burst = 0;
    int checked = 0;

    auto check_outputs = [&](const typename CsumStreamSim<W>::Outputs& out, uint64_t cycle) {
        ASSERT_TRUE(out.tready) << "tready low in cycle " << cycle;
        if (!out.sum_valid) {
            ASSERT_TRUE(pending.empty() || pending.front().last_cycle == kNotYet ||
                        cycle - pending.front().last_cycle < kContractLatency<W>)
                << "frame #" << pending.front().frame << ": no sum " << kContractLatency<W>
                << " cycles after its tlast (cycle " << pending.front().last_cycle << ")";
            return;
        }
        ASSERT_FALSE(pending.empty()) << "sum_valid in cycle " << cycle << " with no frame pending";
        const Expected exp = pending.front();
        pending.pop_front();
        ASSERT_EQ(cycle - exp.last_cycle, uint64_t(kContractLatency<W>))
            << "frame #" << exp.frame << ": sum came " << cycle - exp.last_cycle
            << " cycles after tlast, contract says " << kContractLatency<W>;
        ASSERT_EQ(out.sum, exp.sum) << "frame #" << exp.frame << " (tlast in cycle "
                                    << exp.last_cycle << "): expected sum 0x" << std::hex
                                    << exp.sum << ", RTL gave 0x" << out.sum;
        ++checked;
    };
    // One cycle: the outputs belong to the cycle in which the inputs are presented.
    auto step = [&](const Beat* beat, uint16_t start, uint16_t end) {
        const uint64_t cycle = sim.cycles();
        check_outputs(sim.cycle(beat, start, end), cycle);
    };

    // Traffic phases: back-to-back bursts (no idle at all) alternate with idle-heavy ones.
    double idle_between = 0, idle_within = 0;
    for (int f = 0; f < frames; f++) {
        if (f % 500 == 0) {
            const bool burst_phase = chance(0.5);
            idle_between = burst_phase ? 0.0 : 0.3;
            idle_within = burst_phase ? 0.0 : 0.1;
        }
        const Traffic t = random_traffic(rng);
        Bytes frame(t.len);
        for (auto& b : frame) b = uint8_t(rng());
        std::vector<Beat> beats = to_beats<W>(frame);
        if (chance(0.5)) beats.back().keep &= rng() | 1;  // sparse tkeep on the tlast beat
        pending.push_back({f, reference_sum(beats, t.start, t.end), kNotYet});

        while (chance(idle_between)) {
            step(nullptr, 0, 0);
            ++idle_cycles;
            burst = 0;
        }
        for (std::size_t i = 0; i < beats.size(); i++) {
            while (i > 0 && chance(idle_within)) {
                // Range inputs are don't-care while tvalid is low: drive junk.
                step(nullptr, uint16_t(rng()), uint16_t(rng()));
                ++idle_cycles;
                burst = 0;
            }
            if (beats[i].last) pending.back().last_cycle = sim.cycles();
            step(&beats[i], t.start, t.end);
            ++beats_sent;
            longest_burst = std::max(longest_burst, ++burst);
            if (::testing::Test::HasFatalFailure()) return;
        }
    }
    for (int i = 0; i < 2 * kContractLatency<W> && !pending.empty(); i++) {
        step(nullptr, 0, 0);
        if (::testing::Test::HasFatalFailure()) return;
    }
    EXPECT_TRUE(pending.empty()) << pending.size() << " frames never got a sum";
    EXPECT_EQ(checked, frames);
    // The run must have exercised what it claims to.
    EXPECT_GT(longest_burst, 10000u) << "no long back-to-back burst was generated";
    EXPECT_GT(idle_cycles, 1000u);
    std::printf("W=%d: %d frames, %llu beats, %llu idle cycles, longest burst %llu beats\n", W,
                frames, (unsigned long long)beats_sent, (unsigned long long)idle_cycles,
                (unsigned long long)longest_burst);
}

// Reset in the middle of a frame must leave no stale state behind: the next frame's
// sum is exactly its own.
TYPED_TEST(CsumStreamCosim, ResetMidFrameStartsClean) {
    constexpr int W = TypeParam::value;
    using Beat = kernel::AxisBeat<W>;
    CsumStreamSim<W> sim;
    sim.reset();
    Bytes junk(300, 0xab);
    const auto junk_beats = to_beats<W>(junk);
    sim.cycle(&junk_beats[0], 0, 300);
    sim.reset();

    Bytes frame{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};  // RFC 1071 §3 example
    const auto beats = to_beats<W>(frame);
    ASSERT_EQ(beats.size(), 1u);
    for (int c = 0; c < 8; c++) {
        const auto out = sim.cycle(c == 0 ? &beats[0] : static_cast<const Beat*>(nullptr), 0, 8);
        if (c == kContractLatency<W>) {
            ASSERT_TRUE(out.sum_valid);
            EXPECT_EQ(out.sum, 0xddf2);
        } else {
            ASSERT_FALSE(out.sum_valid) << "unexpected sum_valid in cycle " << c;
        }
    }
}

}  // namespace
}  // namespace ftoe::sim
