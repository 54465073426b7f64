// Cosim of rtl/engine/rx_inject_merge.sv at 64 and 512 bits. Random MAC frames with
// random gaps (tready must stay 1) and random injected frames of 1..2048 bytes offered
// beat by beat with gaps: every frame leaves exactly once, MAC frames in their order,
// injected frames in theirs, no two frames interleaved, and the header's contract holds:
// while nothing is stored or queued the MAC beat passes in the same cycle, unchanged; a
// MAC beat is delayed by at most one injected frame's beats (so the FIFO, twice that,
// never overflows); an injected frame's beats leave back to back. A scripted case holds
// the exact figures: an injected frame leaves the cycle after its last beat is stored,
// and a MAC frame arriving with it is delayed by exactly its length.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <deque>
#include <random>
#include <type_traits>
#include <vector>

#include "Vrx_inject_merge_512.h"
#include "Vrx_inject_merge_64.h"
#include "clocked_model.hpp"

namespace ftoe::sim {
namespace {

constexpr int kMaxInject = 2048;

// A beat: its words (DATA_W / 32 used), keep bits, last, user; `tag` names it (frame
// number, beat number, source) and seeds every word, so a beat out says where it is from.
struct Beat {
    std::array<uint32_t, 16> w{};
    uint64_t keep = 0;
    bool last = false, user = false;
    bool operator==(const Beat& o) const {
        return w == o.w && keep == o.keep && last == o.last && user == o.user;
    }
};

template <typename P>
void put(P& port, const Beat& b, int words) {
    if constexpr (std::is_integral_v<P>) {
        uint64_t v = b.w[0];
        if (words > 1) v |= uint64_t(b.w[1]) << 32;
        port = P(v);
    } else {
        for (int i = 0; i < words; i++) port[i] = b.w[i];
    }
}
template <typename P>
void get(const P& port, Beat& b, int words) {
    if constexpr (std::is_integral_v<P>) {
        const uint64_t v = port;
        b.w[0] = uint32_t(v);
        if (words > 1) b.w[1] = uint32_t(v >> 32);
    } else {
        for (int i = 0; i < words; i++) b.w[i] = port[i];
    }
}

// Beat `k` of frame `f` (src 0 MAC, 1 injected) of `n` beats.
template <int DATA_W>
Beat make_beat(int src, int f, int k, int n, bool user) {
    Beat b;
    constexpr int kWords = DATA_W / 32;
    const uint32_t tag = uint32_t(src) << 31 | uint32_t(f) << 12 | uint32_t(k);
    for (int i = 0; i < kWords; i++) b.w[i] = tag ^ (0x9E3779B9u * uint32_t(i));
    b.last = k + 1 == n;
    constexpr int kNb = DATA_W / 8;
    b.keep = kNb == 64 ? ~uint64_t(0) : (uint64_t(1) << kNb) - 1;
    if (b.last) b.keep = b.keep >> (uint32_t(f) % uint32_t(kNb));  // a partial last beat
    b.user = src == 0 && user && b.last;
    return b;
}
uint32_t tag_of(const Beat& b) { return b.w[0]; }

template <typename Model, int DATA_W>
class Harness {
public:
    static constexpr int kWords = DATA_W / 32;
    static constexpr int kInjBeats = kMaxInject / (DATA_W / 8);
    ClockedModel<Model> sim;

    struct Out {
        Beat beat;
        uint64_t cycle;
    };
    // One cycle: the MAC beat (or none), the injected beat offered (or none). Returns
    // whether the injected beat was taken. Checks the bypass contract.
    bool step(const Beat* mac, const Beat* inj) {
        auto& io = sim.io();
        io.s_mac_tvalid = mac != nullptr;
        if (mac) {
            put(io.s_mac_tdata, *mac, kWords);
            io.s_mac_tkeep = decltype(io.s_mac_tkeep)(mac->keep);
            io.s_mac_tlast = mac->last;
            io.s_mac_tuser = mac->user;
        }
        io.s_inj_tvalid = inj != nullptr;
        if (inj) {
            put(io.s_inj_tdata, *inj, kWords);
            io.s_inj_tkeep = decltype(io.s_inj_tkeep)(inj->keep);
            io.s_inj_tlast = inj->last;
        }
        const bool was_busy = sim.io().busy;  // registered state, before this edge
        sim.settle();
        EXPECT_TRUE(io.s_mac_tready) << "cycle " << sim.cycle();
        if (!was_busy) {  // idle: combinational bypass, nothing added
            EXPECT_EQ(bool(io.m_axis_tvalid), mac != nullptr) << "cycle " << sim.cycle();
        }
        if (io.m_axis_tvalid) {
            Out o;
            get(io.m_axis_tdata, o.beat, kWords);
            o.beat.keep = uint64_t(io.m_axis_tkeep);
            o.beat.last = io.m_axis_tlast;
            o.beat.user = io.m_axis_tuser;
            o.cycle = sim.cycle();
            if (!was_busy && mac) { EXPECT_TRUE(o.beat == *mac) << "bypass changed the beat, cycle " << sim.cycle(); }
            out.push_back(o);
        }
        const bool taken = inj && io.s_inj_tready;
        sim.tick();
        return taken;
    }
    std::vector<Out> out;
};

template <typename Model, int DATA_W>
void random_traffic(uint64_t seed) {
    using H = Harness<Model, DATA_W>;
    H h;
    std::mt19937_64 rng(seed);
    constexpr int kMacFrames = 1500, kInjFrames = 120;
    // MAC beats per cycle (nullopt = gap), planned ahead; the input cycle of each beat
    std::deque<Beat> mac_plan;
    std::vector<Beat> mac_sent, inj_sent;
    std::vector<int> mac_len, inj_len;
    for (int f = 0; f < kMacFrames; f++) {
        const int n = 1 + int(rng() % 24);
        mac_len.push_back(n);
        for (int k = 0; k < n; k++) mac_sent.push_back(make_beat<DATA_W>(0, f, k, n, rng() % 7 == 0));
    }
    for (int f = 0; f < kInjFrames; f++) {
        const int n = 1 + int(rng() % H::kInjBeats);
        inj_len.push_back(n);
        for (int k = 0; k < n; k++) inj_sent.push_back(make_beat<DATA_W>(1, f, k, n, false));
    }
    std::size_t mi = 0, ii = 0;
    std::vector<uint64_t> mac_in_cycle;
    uint64_t guard = 0;
    while ((mi < mac_sent.size() || ii < inj_sent.size() ||
            h.out.size() < mac_sent.size() + inj_sent.size()) && guard++ < 2'000'000) {
        const bool mac_go = mi < mac_sent.size() && rng() % 4 != 0;  // busy MAC, with gaps
        const bool inj_go = ii < inj_sent.size() && rng() % 3 != 0;
        const Beat* m = mac_go ? &mac_sent[mi] : nullptr;
        if (mac_go) mac_in_cycle.push_back(h.sim.cycle());
        if (h.step(m, inj_go ? &inj_sent[ii] : nullptr)) ii++;
        if (mac_go) mi++;
        if (::testing::Test::HasFailure()) return;
    }
    ASSERT_EQ(h.out.size(), mac_sent.size() + inj_sent.size()) << "beats lost or added";
    // Split by source; frames whole, not interleaved; orders kept; delays bounded.
    std::size_t mo = 0, io = 0;
    int open_src = -1;
    uint64_t prev_inj_cycle = 0;
    for (std::size_t i = 0; i < h.out.size(); i++) {
        const auto& o = h.out[i];
        const int src = int(tag_of(o.beat) >> 31);
        if (open_src >= 0) { ASSERT_EQ(src, open_src) << "frames interleaved at output beat " << i; }
        if (src == 0) {
            ASSERT_LT(mo, mac_sent.size());
            ASSERT_TRUE(o.beat == mac_sent[mo]) << "MAC beat " << mo << " out of order or changed";
            const uint64_t delay = o.cycle - mac_in_cycle[mo];
            ASSERT_LE(delay, uint64_t(H::kInjBeats)) << "MAC beat " << mo << " delayed " << delay;
            mo++;
        } else {
            ASSERT_LT(io, inj_sent.size());
            ASSERT_TRUE(o.beat == inj_sent[io]) << "injected beat " << io << " out of order or changed";
            if (open_src == 1) { ASSERT_EQ(o.cycle, prev_inj_cycle + 1) << "injected beats not back to back"; }
            prev_inj_cycle = o.cycle;
            io++;
        }
        open_src = o.beat.last ? -1 : src;
    }
    EXPECT_EQ(mo, mac_sent.size());
    EXPECT_EQ(io, inj_sent.size());
}

template <typename Model, int DATA_W>
void exact_figures() {
    using H = Harness<Model, DATA_W>;
    H h;
    for (int i = 0; i < 5; i++) h.step(nullptr, nullptr);
    // A MAC frame alone: out in its own cycles.
    const int kMac = 6;
    for (int k = 0; k < kMac; k++) {
        const Beat b = make_beat<DATA_W>(0, 0, k, kMac, false);
        const uint64_t c = h.sim.cycle();
        h.step(&b, nullptr);
        ASSERT_EQ(h.out.back().cycle, c) << "bypass added cycles";
    }
    // An injected frame of the longest length; it leaves the cycle after its last beat.
    const int n = H::kInjBeats;
    uint64_t last_in = 0;
    for (int k = 0; k < n; k++) {
        const Beat b = make_beat<DATA_W>(1, 0, k, n, false);
        last_in = h.sim.cycle();
        ASSERT_TRUE(h.step(nullptr, &b));
    }
    // In the cycle its first beat leaves, a MAC frame starts: delayed by exactly n.
    std::vector<uint64_t> in_cycles;
    for (int k = 0; k < kMac; k++) {
        const Beat b = make_beat<DATA_W>(0, 1, k, kMac, false);
        in_cycles.push_back(h.sim.cycle());
        h.step(&b, nullptr);
    }
    for (int i = 0; i < 2 * n; i++) h.step(nullptr, nullptr);
    ASSERT_EQ(h.out.size(), std::size_t(kMac + n + kMac));
    EXPECT_EQ(h.out[kMac].cycle, last_in + 1) << "injected frame not out the cycle after its last beat";
    for (int k = 0; k < kMac; k++)
        EXPECT_EQ(h.out[kMac + n + k].cycle, in_cycles[k] + uint64_t(n)) << "MAC beat " << k;
    EXPECT_FALSE(h.sim.io().busy);
    // Idle again: bypass with 0 cycles.
    const Beat b = make_beat<DATA_W>(0, 2, 0, 1, false);
    const uint64_t c = h.sim.cycle();
    h.step(&b, nullptr);
    EXPECT_EQ(h.out.back().cycle, c);
}

TEST(RxInjectMergeCosim, RandomTrafficEveryFrameOnceInOrder64) {
    random_traffic<Vrx_inject_merge_64, 64>(11);
}
TEST(RxInjectMergeCosim, RandomTrafficEveryFrameOnceInOrder512) {
    random_traffic<Vrx_inject_merge_512, 512>(12);
}
TEST(RxInjectMergeCosim, ExactLatencyFigures64) { exact_figures<Vrx_inject_merge_64, 64>(); }
TEST(RxInjectMergeCosim, ExactLatencyFigures512) { exact_figures<Vrx_inject_merge_512, 512>(); }

}  // namespace
}  // namespace ftoe::sim
