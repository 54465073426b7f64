// Cosim of rtl/tcp_tx/tx_frame_build.sv at 64 and 512 bits against hls/tx_frame.hpp.
// Unit: the reference's frames verify independently (IPv4 header and TCP segment with
// pseudo-header re-sum to 0xFFFF, fields parse back, padding to 60 outside the lengths).
// Cosim: thousands of random descriptors (with/without timestamps, payload 0..1500
// random bytes, random fields) with random idle on both inputs and random backpressure;
// every frame byte-exact equal to the reference. Directed: exact latency and throughput.
#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <random>
#include <type_traits>
#include <vector>

#include "Vtx_frame_build_512.h"
#include "Vtx_frame_build_64.h"
#include "clocked_model.hpp"
#include "tx_frame.hpp"

namespace ftoe::sim {
namespace {

using kernel::TxFrameDesc;

TxFrameDesc random_desc(std::mt19937_64& rng, std::vector<uint8_t>& pay, int max_len) {
    TxFrameDesc d;
    d.dst_mac = rng() & 0xFFFFFFFFFFFFull;
    d.src_mac = rng() & 0xFFFFFFFFFFFFull;
    d.src_ip = uint32_t(rng());
    d.dst_ip = uint32_t(rng());
    d.src_port = uint16_t(rng());
    d.dst_port = uint16_t(rng());
    d.seq = uint32_t(rng());
    d.ack = uint32_t(rng());
    d.flags = uint8_t(rng());
    d.window = uint16_t(rng());
    d.ts_enable = (rng() & 1) != 0;
    d.tsval = uint32_t(rng());
    d.tsecr = uint32_t(rng());
    const int kind = int(rng() % 4);
    d.payload_len = uint16_t(kind == 0 ? 0 : kind == 1 ? rng() % 8 : rng() % uint64_t(max_len + 1));
    pay.resize(d.payload_len);
    for (auto& b : pay) b = uint8_t(rng());
    d.payload_sum = kernel::tx_payload_sum(pay.data(), pay.size());
    return d;
}

uint32_t sum16(const std::vector<uint8_t>& f, std::size_t at, std::size_t n, uint32_t acc) {
    for (std::size_t i = 0; i < n; i += 2)
        acc += uint32_t(f[at + i]) << 8 | (i + 1 < n ? f[at + i + 1] : 0u);
    while (acc >> 16) acc = (acc & 0xFFFF) + (acc >> 16);
    return acc;
}
uint32_t be(const std::vector<uint8_t>& f, std::size_t at, int n) {
    uint32_t v = 0;
    for (int i = 0; i < n; i++) v = v << 8 | f[at + std::size_t(i)];
    return v;
}

TEST(TxFrameRef, FramesVerifyAndParseBackToTheDescriptor) {
    std::mt19937_64 rng(11);
    for (int k = 0; k < 5000; k++) {
        std::vector<uint8_t> pay;
        const TxFrameDesc d = random_desc(rng, pay, 1500);
        const auto f = kernel::tx_frame_build(d, pay.data());
        const std::size_t tcp_hlen = d.ts_enable ? 32 : 20;
        const std::size_t total = 20 + tcp_hlen + d.payload_len;
        ASSERT_EQ(f.size(), std::max<std::size_t>(60, 14 + total));
        EXPECT_EQ(be(f, 12, 2), 0x0800u);
        EXPECT_EQ((uint64_t(be(f, 0, 2)) << 32 | be(f, 2, 4)), d.dst_mac);
        EXPECT_EQ((uint64_t(be(f, 6, 2)) << 32 | be(f, 8, 4)), d.src_mac);
        EXPECT_EQ(be(f, 14, 4), 0x45000000u | uint32_t(total));
        EXPECT_EQ(be(f, 18, 4), 0x00004000u);
        EXPECT_EQ(be(f, 22, 2), 0x4006u);
        EXPECT_EQ(be(f, 26, 4), d.src_ip);
        EXPECT_EQ(be(f, 30, 4), d.dst_ip);
        EXPECT_EQ(sum16(f, 14, 20, 0), 0xFFFFu);
        const uint32_t pseudo = (d.src_ip >> 16) + (d.src_ip & 0xFFFF) + (d.dst_ip >> 16) +
                                (d.dst_ip & 0xFFFF) + 6 + uint32_t(total - 20);
        EXPECT_EQ(sum16(f, 34, total - 20, pseudo), 0xFFFFu);
        EXPECT_EQ(be(f, 34, 2), d.src_port);
        EXPECT_EQ(be(f, 36, 2), d.dst_port);
        EXPECT_EQ(be(f, 38, 4), d.seq);
        EXPECT_EQ(be(f, 42, 4), d.ack);
        EXPECT_EQ(f[46], uint8_t(tcp_hlen / 4 << 4));
        EXPECT_EQ(f[47], d.flags);
        EXPECT_EQ(be(f, 48, 2), d.window);
        EXPECT_EQ(be(f, 52, 2), 0u);
        if (d.ts_enable) {
            EXPECT_EQ(be(f, 54, 4), 0x0101080Au);
            EXPECT_EQ(be(f, 58, 4), d.tsval);
            EXPECT_EQ(be(f, 62, 4), d.tsecr);
        }
        for (std::size_t i = 0; i < d.payload_len; i++) ASSERT_EQ(f[14 + 20 + tcp_hlen + i], pay[i]);
        for (std::size_t i = 14 + total; i < f.size(); i++) ASSERT_EQ(f[i], 0);
    }
}

template <typename Model, int W>
struct Bench {
    static constexpr int B = W / 8;
    ClockedModel<Model> m;
    void set_desc(const TxFrameDesc& d) {
        auto& io = m.io();
        io.s_desc_dst_mac = d.dst_mac;
        io.s_desc_src_mac = d.src_mac;
        io.s_desc_src_ip = d.src_ip;
        io.s_desc_dst_ip = d.dst_ip;
        io.s_desc_src_port = d.src_port;
        io.s_desc_dst_port = d.dst_port;
        io.s_desc_seq = d.seq;
        io.s_desc_ack = d.ack;
        io.s_desc_flags = d.flags;
        io.s_desc_window = d.window;
        io.s_desc_ts_enable = d.ts_enable;
        io.s_desc_tsval = d.tsval;
        io.s_desc_tsecr = d.tsecr;
        io.s_desc_payload_len = d.payload_len;
        io.s_desc_payload_sum = d.payload_sum;
    }
    // Beat `pos` of `pay`: bytes past the end carry junk with their keep bit clear.
    void set_pay(const std::vector<uint8_t>& pay, std::size_t pos, std::mt19937_64& rng) {
        auto& io = m.io();
        uint64_t keep = 0;
        std::vector<uint32_t> w(std::size_t(W / 32), 0);
        for (int i = 0; i < B; i++) {
            const std::size_t at = pos + std::size_t(i);
            const uint8_t b = at < pay.size() ? pay[at] : uint8_t(rng());
            if (at < pay.size()) keep |= 1ull << i;
            w[std::size_t(i / 4)] |= uint32_t(b) << (8 * (i % 4));
        }
        if constexpr (W <= 64) {
            io.s_pay_tdata = uint64_t(w[0]) | uint64_t(w[1]) << 32;
        } else {
            for (int i = 0; i < W / 32; i++) io.s_pay_tdata[i] = w[std::size_t(i)];
        }
        io.s_pay_tkeep = static_cast<std::remove_reference_t<decltype(io.s_pay_tkeep)>>(keep);
        io.s_pay_tlast = pos + std::size_t(B) >= pay.size();
    }
    void take_out(std::vector<uint8_t>& got) {
        auto& io = m.io();
        const uint64_t keep = io.m_axis_tkeep;
        for (int i = 0; i < B; i++) {
            if (!(keep >> i & 1)) continue;
            if constexpr (W <= 64) {
                got.push_back(uint8_t(uint64_t(io.m_axis_tdata) >> (8 * i)));
            } else {
                got.push_back(uint8_t(io.m_axis_tdata[i / 4] >> (8 * (i % 4))));
            }
        }
    }
};

template <typename Model, int W>
void run_random(uint64_t seed, int frames) {
    Bench<Model, W> b;
    auto& io = b.m.io();
    std::mt19937_64 rng(seed);
    std::deque<TxFrameDesc> descs;
    std::deque<std::vector<uint8_t>> pays, expect;
    for (int k = 0; k < frames; k++) {
        std::vector<uint8_t> pay;
        descs.push_back(random_desc(rng, pay, 1500));
        expect.push_back(kernel::tx_frame_build(descs.back(), pay.data()));
        if (!pay.empty()) pays.push_back(pay);
    }
    std::size_t ppos = 0;
    std::vector<uint8_t> got;
    int done = 0;
    for (uint64_t c = 0; done < frames && c < 20000000; c++) {
        io.s_desc_valid = !descs.empty() && rng() % 4 != 0;
        if (!descs.empty()) b.set_desc(descs.front());
        io.s_pay_tvalid = !pays.empty() && rng() % 4 != 0;
        if (!pays.empty()) b.set_pay(pays.front(), ppos, rng);
        io.m_axis_tready = rng() % 3 != 0;
        b.m.settle();
        const bool dfire = io.s_desc_valid && io.s_desc_ready;
        const bool pfire = io.s_pay_tvalid && io.s_pay_tready;
        if (io.m_axis_tvalid && io.m_axis_tready) {
            ASSERT_EQ(io.m_axis_tuser, 0);
            b.take_out(got);
            if (io.m_axis_tlast) {
                ASSERT_EQ(got, expect.front()) << "frame " << done;
                expect.pop_front();
                got.clear();
                done++;
            }
        }
        b.m.tick();
        if (dfire) descs.pop_front();
        if (pfire) {
            ppos += std::size_t(W / 8);
            if (ppos >= pays.front().size()) {
                pays.pop_front();
                ppos = 0;
            }
        }
    }
    EXPECT_EQ(done, frames);
}

TEST(TxFrameBuild, RandomFramesByteExactToReference64) { run_random<Vtx_frame_build_64, 64>(1, 3000); }
TEST(TxFrameBuild, RandomFramesByteExactToReference512) { run_random<Vtx_frame_build_512, 512>(2, 3000); }

// Directed: descriptors always offered, payload always valid, output always ready.
// Records the cycle of each descriptor handshake and each output beat.
template <typename Model, int W>
void run_directed(const std::vector<TxFrameDesc>& descs, const std::vector<std::vector<uint8_t>>& pays,
                  std::vector<uint64_t>& hs, std::vector<uint64_t>& beats, std::vector<uint64_t>& lasts) {
    Bench<Model, W> b;
    auto& io = b.m.io();
    std::mt19937_64 rng(5);
    std::size_t di = 0, pi = 0, ppos = 0;
    for (int c = 0; c < 2000 && lasts.size() < descs.size(); c++) {
        io.s_desc_valid = di < descs.size();
        if (di < descs.size()) b.set_desc(descs[di]);
        io.s_pay_tvalid = pi < pays.size();
        if (pi < pays.size()) b.set_pay(pays[pi], ppos, rng);
        io.m_axis_tready = 1;
        b.m.settle();
        const uint64_t now = b.m.cycle();
        if (io.s_desc_valid && io.s_desc_ready) { hs.push_back(now); di++; }
        const bool pfire = io.s_pay_tvalid && io.s_pay_tready;
        if (io.m_axis_tvalid) {
            beats.push_back(now);
            if (io.m_axis_tlast) lasts.push_back(now);
        }
        b.m.tick();
        if (pfire) {
            ppos += std::size_t(W / 8);
            if (ppos >= pays[pi].size()) { pi++; ppos = 0; }
        }
    }
}

// The first frame's first beat 3 cycles after its handshake; the next descriptor is
// taken as soon as the previous header is loaded (in the cycle that frame's first beat
// is offered), and its frame follows the previous last beat with no idle cycle.
TEST(TxFrameBuild, FirstBeatThreeCyclesAfterHandshakeAndFramesBackToBack64) {
    std::mt19937_64 rng(9);
    std::vector<TxFrameDesc> descs;
    std::vector<std::vector<uint8_t>> pays;
    std::vector<uint64_t> nbeats;
    for (int k = 0; k < 6; k++) {
        std::vector<uint8_t> pay;
        TxFrameDesc d = random_desc(rng, pay, 300);
        d.ts_enable = (k & 1) != 0;
        pay.resize(std::size_t(k < 2 ? 0 : 100 * k + 1));
        for (auto& x : pay) x = uint8_t(rng());
        d.payload_len = uint16_t(pay.size());
        d.payload_sum = kernel::tx_payload_sum(pay.data(), pay.size());
        descs.push_back(d);
        if (!pay.empty()) pays.push_back(pay);
        nbeats.push_back((kernel::tx_frame_build(d, pay.data()).size() + 7) / 8);
    }
    std::vector<uint64_t> hs, beats, lasts;
    run_directed<Vtx_frame_build_64, 64>(descs, pays, hs, beats, lasts);
    ASSERT_EQ(lasts.size(), descs.size());
    std::size_t bi = 0;
    for (std::size_t k = 0; k < descs.size(); k++) {
        if (k == 0) {
            EXPECT_EQ(beats[bi], hs[k] + 3) << "latency, frame " << k;
        } else {
            EXPECT_EQ(beats[bi], lasts[k - 1] + 1) << "frame " << k << " back to back";
            EXPECT_EQ(hs[k], beats[bi - nbeats[k - 1]])
                << "descriptor " << k << " taken once the previous header is loaded";
        }
        // one beat per cycle through the frame
        for (uint64_t j = 0; j < nbeats[k]; j++) {
            EXPECT_EQ(beats[bi + j], beats[bi] + j);
        }
        EXPECT_EQ(lasts[k], beats[bi] + nbeats[k] - 1);
        bi += nbeats[k];
    }
}

}  // namespace
}  // namespace ftoe::sim
