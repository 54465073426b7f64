// Cosim of rtl/csum/csum_ipv4_l4.sv at DATA_W = 64 and 512 against ipv4_l4_csum() in
// hls/csum.hpp: realistic TCP frames (some 802.1Q-tagged, some with IPv4 options, short
// ones padded), the same with a corrupted byte, truncated frames, non-IPv4 frames and
// random garbage; random idle and back-to-back bursts; the verdict exactly LATENCY
// cycles after each tlast, never a stall.
#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <random>
#include <string>

#include "Vcsum_ipv4_l4_512.h"
#include "Vcsum_ipv4_l4_64.h"
#include "clocked_model.hpp"
#include "csum_top.hpp"
#include "frame.hpp"
#include "verilated.h"

namespace ftoe::sim {
namespace {

template <int W>
struct Model;
template <>
struct Model<64> {
    using type = Vcsum_ipv4_l4_64;
    static constexpr int kLatency = 3;  // header contract
};
template <>
struct Model<512> {
    using type = Vcsum_ipv4_l4_512;
    static constexpr int kLatency = 5;
};

kernel::Ipv4CsumResult reference(const std::vector<kernel::AxisBeat<64>>& beats) {
    hls::stream<kernel::AxisBeat<64>> in;
    for (const auto& b : beats) in.write(b);
    kernel::Ipv4CsumResult r{};
    ftoe_ipv4_l4_csum_64(in, r);
    return r;
}
kernel::Ipv4CsumResult reference(const std::vector<kernel::AxisBeat<512>>& beats) {
    hls::stream<kernel::AxisBeat<512>> in;
    for (const auto& b : beats) in.write(b);
    kernel::Ipv4CsumResult r{};
    ftoe_ipv4_l4_csum_512(in, r);
    return r;
}

Bytes make_frame(std::mt19937_64& rng, std::string& kind) {
    Bytes f;
    switch (rng() % 10) {
        case 0: {  // IPv4 options
            TcpFrameSpec s;
            s.ip_options = {0x01, 0x07, 0x07, 0x04, 10, 9, 9, 9};  // NOP, record route
            s.payload.resize(rng() % 200);
            for (auto& b : s.payload) b = uint8_t(rng());
            f = build_tcp_frame(s);
            kind = "ip-options";
            break;
        }
        case 1:  // random garbage
            f.resize(1 + rng() % 200);
            for (auto& b : f) b = uint8_t(rng());
            kind = "garbage";
            break;
        case 2:  // truncated
            f = random_tcp_frame(rng);
            f.resize(1 + rng() % f.size());
            kind = "truncated";
            break;
        case 3:  // not IPv4
            f = random_tcp_frame(rng);
            f[12] = 0x86;
            f[13] = 0xdd;
            kind = "ipv6-ethertype";
            break;
        default:
            f = random_tcp_frame(rng, rng() % 4 ? 1460 : 8960);
            kind = "tcp";
    }
    if (rng() % 4 == 0) {  // corrupt one byte: the verdicts must change accordingly
        f[rng() % f.size()] ^= uint8_t(1u << (rng() % 8));
        kind += "+corrupt";
    }
    return f;
}

template <typename T>
class CsumIpv4L4Cosim : public ::testing::Test {};
using Widths = ::testing::Types<std::integral_constant<int, 64>, std::integral_constant<int, 512>>;
TYPED_TEST_SUITE(CsumIpv4L4Cosim, Widths);

TYPED_TEST(CsumIpv4L4Cosim, VerdictsMatchKernelAtFixedLatency) {
    constexpr int W = TypeParam::value;
    using M = Model<W>;
    auto ctx = std::make_unique<VerilatedContext>();
    auto m = std::make_unique<typename M::type>(ctx.get());
    std::mt19937_64 rng(0x4c4 + W);
    uint64_t cycle = 0;
    struct Pending {
        int frame;
        std::string kind;
        kernel::Ipv4CsumResult want;
        uint64_t last_cycle;
    };
    std::deque<Pending> pending;
    int checked = 0, ok_frames = 0, bad_frames = 0;
    auto step = [&](const kernel::AxisBeat<W>* b) {
        m->s_axis_tvalid = b != nullptr;
        if (b) {
            set_axis_beat(*m, *b);
            m->s_axis_tlast = b->last;
        }
        m->clk = 0;
        m->eval();
        ASSERT_TRUE(m->s_axis_tready);
        if (m->m_valid) {
            ASSERT_FALSE(pending.empty()) << "verdict with no frame pending, cycle " << cycle;
            const Pending p = pending.front();
            pending.pop_front();
            const auto& w = p.want;
            const std::string where = "frame #" + std::to_string(p.frame) + " (" + p.kind + ")";
            ASSERT_EQ(cycle - p.last_cycle, uint64_t(M::kLatency)) << where << ": latency";
            ASSERT_EQ(bool(m->m_is_ipv4), w.is_ipv4) << where;
            ASSERT_EQ(bool(m->m_complete), w.complete) << where;
            if (w.complete) {
                ASSERT_EQ(m->m_protocol, w.protocol) << where;
                ASSERT_EQ(m->m_ip_sum, w.ip_header_sum) << where;
                ASSERT_EQ(m->m_l4_sum, w.l4_sum) << where;
            }
            ASSERT_EQ(bool(m->m_ip_ok), w.ip_ok()) << where;
            ASSERT_EQ(bool(m->m_l4_ok), w.l4_ok()) << where;
            (w.ip_ok() && w.l4_ok() ? ok_frames : bad_frames)++;
            ++checked;
        } else {
            ASSERT_TRUE(pending.empty() || pending.front().last_cycle == ~uint64_t(0) ||
                        cycle - pending.front().last_cycle < uint64_t(M::kLatency))
                << "verdict late for frame #" << pending.front().frame;
        }
        m->clk = 1;
        m->eval();
        ++cycle;
    };
    m->rst = 1;
    for (int i = 0; i < 4; i++) step(nullptr);
    m->rst = 0;
    const int frames = 20000;
    for (int f = 0; f < frames; f++) {
        const bool burst = (f / 1000) % 2 == 0;
        std::string kind;
        const Bytes frame = make_frame(rng, kind);
        const auto beats = to_beats<W>(frame);
        pending.push_back({f, kind, reference(beats), ~uint64_t(0)});
        while (!burst && rng() % 3 == 0) step(nullptr);
        for (const auto& b : beats) {
            while (!burst && rng() % 10 == 0) step(nullptr);
            if (b.last) pending.back().last_cycle = cycle;
            step(&b);
            if (::testing::Test::HasFatalFailure()) return;
        }
    }
    for (int i = 0; i < 10; i++) step(nullptr);
    EXPECT_TRUE(pending.empty());
    EXPECT_EQ(checked, frames);
    EXPECT_GT(ok_frames, frames / 3) << "too few good frames: the test would prove little";
    EXPECT_GT(bad_frames, frames / 10);
    std::printf("W=%d: %d frames, %d with both checksums right, %d rejected\n", W, frames,
                ok_frames, bad_frames);
    m->final();
}

}  // namespace
}  // namespace ftoe::sim
