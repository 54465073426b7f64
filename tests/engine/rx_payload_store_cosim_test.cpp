// Cosim of rtl/engine/rx_payload_store.sv at 64 and 512 bits. Random frames arrive with
// random idle beats; each is classified a random number of cycles after its tlast (in
// order), kept only when the store says it has room; kept frames are decided later,
// delivering a random in-order slice of their payload to a random session. The app
// stream runs under random backpressure. Every delivered slice must come out byte-exact,
// in order, on its session, realigned to lane 0 with exact tkeep; nothing else may come
// out. A directed test holds the header's latency and throughput figures.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <random>
#include <type_traits>
#include <vector>

#include "Vrx_payload_store_512.h"
#include "Vrx_payload_store_64.h"
#include "clocked_model.hpp"

namespace ftoe::sim {
namespace {

using Bytes = std::vector<uint8_t>;

// Byte-level access to the model's data ports, whichever C++ type Verilator chose.
template <typename Model, int W>
void drive_beat(Model& m, const Bytes& frame, std::size_t beat) {
    constexpr int NB = W / 8;
    auto byte_at = [&](std::size_t i) -> uint64_t {
        const std::size_t k = beat * NB + i;
        return k < frame.size() ? frame[k] : 0;
    };
    if constexpr (W <= 64) {
        uint64_t v = 0;
        for (int i = 0; i < NB; i++) v |= byte_at(std::size_t(i)) << (8 * i);
        m.s_axis_tdata = v;
    } else {
        for (int w = 0; w < W / 32; w++) {
            uint32_t v = 0;
            for (int i = 0; i < 4; i++) v |= uint32_t(byte_at(std::size_t(4 * w + i))) << (8 * i);
            m.s_axis_tdata[w] = v;
        }
    }
}

template <typename Model, int W>
uint8_t out_byte(Model& m, int i) {
    if constexpr (W <= 64) {
        return uint8_t(uint64_t(m.m_axis_tdata) >> (8 * i));
    } else {
        return uint8_t(m.m_axis_tdata[i / 4] >> (8 * (i % 4)));
    }
}

template <typename Model, int W>
uint64_t out_keep(Model& m) {
    if constexpr (W <= 64) {
        return uint64_t(m.m_axis_tkeep);
    } else {
        return uint64_t(m.m_axis_tkeep);
    }
}

struct Slice {
    Bytes bytes;
    uint32_t sid;
};

// Drives one model: frames in, classification and decisions as the caller schedules.
template <typename Model, int W>
class StoreBench {
public:
    static constexpr int NB = W / 8;
    ClockedModel<Model> sim;
    Model& io = sim.io();

    // Collects app beats (called after settle, before tick); returns false on a mismatch.
    void take_output(std::deque<Slice>& expected, bool ready) {
        io.m_axis_tready = ready;
        if (!(io.m_axis_tvalid && ready)) return;
        const uint64_t keep = out_keep<Model, W>(io);
        int n = 0;
        while (n < NB && ((keep >> n) & 1)) n++;
        ASSERT_TRUE(n == NB || io.m_axis_tlast) << "partial beat without tlast, slice " << slices_out;
        if (NB < 64) {
            ASSERT_EQ(keep >> n, 0u) << "tkeep not contiguous, slice " << slices_out;
        }
        for (int i = 0; i < n; i++) partial.push_back(out_byte<Model, W>(io, i));
        ASSERT_FALSE(expected.empty()) << "a beat came out with no slice expected";
        ASSERT_EQ(uint32_t(io.m_axis_tdest), expected.front().sid) << "slice " << slices_out;
        if (io.m_axis_tlast) {
            ASSERT_EQ(partial, expected.front().bytes) << "slice " << slices_out;
            expected.pop_front();
            partial.clear();
            slices_out++;
        }
    }
    Bytes partial;
    int slices_out = 0;
};

template <typename Model, int W>
void run_random(uint64_t seed, int frames, int ready_percent, bool expect_refusals) {
    StoreBench<Model, W> b;
    auto& io = b.io;
    std::mt19937_64 rng(seed);
    constexpr int NB = W / 8;

    struct Pending {
        Bytes frame;
        uint64_t due;
    };
    struct Kept {
        Bytes frame;
        uint16_t off;
        uint64_t due;
    };
    std::deque<Bytes> to_send;
    for (int f = 0; f < frames; f++) {
        Bytes fr(60 + rng() % 1455);
        for (auto& x : fr) x = uint8_t(rng());
        to_send.push_back(fr);
    }
    std::deque<Pending> to_classify;
    std::deque<Kept> to_decide;
    std::deque<Slice> expected;
    std::size_t beat = 0;
    uint64_t last_cls_due = 0, last_dec_due = 0;
    int kept = 0, refused = 0, delivered = 0;
    uint64_t guard = 0;
    while (!to_send.empty() || !to_classify.empty() || !to_decide.empty() || !expected.empty()) {
        ASSERT_LT(++guard, 50'000'000u) << "store hung: " << expected.size() << " slices owed";
        const uint64_t now = b.sim.cycle();
        // MAC beats: never stalled, random idle between beats
        const bool send = !to_send.empty() && rng() % 4 != 0;
        io.s_axis_tvalid = send;
        io.s_axis_tlast = 0;
        if (send) {
            drive_beat<Model, W>(io, to_send.front(), beat);
            io.s_axis_tlast = (beat + 1) * NB >= to_send.front().size();
        }
        // classification of the oldest frame, when due
        io.s_cls_valid = 0;
        io.s_dec_valid = 0;
        b.sim.settle();
        if (!to_classify.empty() && to_classify.front().due <= now) {
            const Bytes& fr = to_classify.front().frame;
            const bool keep = io.m_cls_room && rng() % 4 != 0;
            if (!io.m_cls_room) refused++;
            const uint16_t off = uint16_t(14 + rng() % (fr.size() - 14));
            io.s_cls_valid = 1;
            io.s_cls_keep = keep;
            io.s_cls_off = off;
            if (keep) {
                kept++;
                last_dec_due = std::max(last_dec_due + 1, now + 1 + rng() % 30);
                to_decide.push_back({fr, off, last_dec_due});
            }
            to_classify.pop_front();
        }
        // decision of the oldest kept frame, when due
        if (!to_decide.empty() && to_decide.front().due <= now) {
            const Kept& k = to_decide.front();
            const uint32_t plen = uint32_t(k.frame.size() - k.off);
            const bool deliver = rng() % 5 != 0;
            const uint32_t doff = rng() % 3 == 0 ? uint32_t(rng() % plen) : 0;
            const uint32_t dlen = rng() % 7 == 0 ? 0 : uint32_t(rng() % (plen - doff + 1));
            const uint32_t sid = uint32_t(rng() % 4096);
            io.s_dec_valid = 1;
            io.s_dec_deliver = deliver;
            io.s_dec_sid = uint16_t(sid);
            io.s_dec_off = uint16_t(doff);
            io.s_dec_len = uint16_t(dlen);
            if (deliver && dlen > 0) {
                delivered++;
                expected.push_back({Bytes(k.frame.begin() + k.off + doff,
                                          k.frame.begin() + k.off + doff + dlen), sid});
            }
            to_decide.pop_front();
        }
        b.take_output(expected, int(rng() % 100) < ready_percent);
        if (::testing::Test::HasFatalFailure()) return;
        b.sim.tick();
        if (send) {
            beat++;
            if (beat * NB >= to_send.front().size()) {
                last_cls_due = std::max(last_cls_due + 1, b.sim.cycle() + rng() % 12);
                to_classify.push_back({to_send.front(), last_cls_due});
                to_send.pop_front();
                beat = 0;
            }
        }
    }
    EXPECT_GT(kept, frames / 4) << "too few frames kept to mean anything";
    EXPECT_GT(delivered, frames / 6);
    if (expect_refusals) {
        EXPECT_GT(refused, 0) << "the store never filled: the test missed its point";
    } else {
        EXPECT_EQ(refused, 0);
    }
    std::printf("%d frames: %d kept, %d refused (store full), %d slices delivered\n", frames,
                kept, refused, delivered);
}

TEST(RxPayloadStoreCosim, RandomSlicesDeliveredExactlyInOrder64) {
    run_random<Vrx_payload_store_64, 64>(0x5107E, 3000, 70, false);
}

TEST(RxPayloadStoreCosim, RandomSlicesDeliveredExactlyInOrder512) {
    run_random<Vrx_payload_store_512, 512>(0x5107F, 3000, 70, false);
}

// A slow app: the ring fills, frames are refused at the door (m_cls_room low) and what
// was kept still comes out whole and in order.
TEST(RxPayloadStoreCosim, SlowAppFillsStoreRefusalsLoseNothingKept64) {
    run_random<Vrx_payload_store_64, 64>(0x51080, 3000, 8, true);
}

TEST(RxPayloadStoreCosim, SlowAppFillsStoreRefusalsLoseNothingKept512) {
    run_random<Vrx_payload_store_512, 512>(0x51081, 3000, 3, true);
}

// The header's figures: first beat 4 + w cycles after the decision with the reader idle
// (w = ring words the first beat spans), then one beat per cycle; the next segment's
// first beat comes 3 + w cycles after its predecessor's last.
template <typename Model, int W>
void run_latency(int payload_off) {
    StoreBench<Model, W> b;
    auto& io = b.io;
    constexpr int NB = W / 8;
    Bytes fr(1500);
    for (std::size_t i = 0; i < fr.size(); i++) fr[i] = uint8_t(i * 7 + 3);
    const std::size_t beats = (fr.size() + NB - 1) / NB;
    for (int copy = 0; copy < 2; copy++) {
        for (std::size_t k = 0; k < beats; k++) {
            io.s_axis_tvalid = 1;
            drive_beat<Model, W>(io, fr, k);
            io.s_axis_tlast = k + 1 == beats;
            b.sim.tick();
        }
        io.s_axis_tvalid = 0;
        io.s_cls_valid = 1;
        io.s_cls_keep = 1;
        io.s_cls_off = uint16_t(payload_off);
        b.sim.settle();
        ASSERT_TRUE(io.m_cls_room);
        b.sim.tick();
        io.s_cls_valid = 0;
    }
    const uint32_t len = uint32_t(fr.size()) - uint32_t(payload_off);
    std::deque<Slice> expected;
    for (int d = 0; d < 2; d++) {
        io.s_dec_valid = 1;
        io.s_dec_deliver = 1;
        io.s_dec_sid = uint16_t(7 + d);
        io.s_dec_off = 0;
        io.s_dec_len = uint16_t(len);
        expected.push_back({Bytes(fr.begin() + payload_off, fr.end()), uint32_t(7 + d)});
        b.sim.tick();
    }
    io.s_dec_valid = 0;
    const uint64_t decided = b.sim.cycle() - 2;  // the cycle the first decision was given
    const int shift = payload_off % NB;  // frames start at lane 0
    const int first_words = shift + int(std::min<uint32_t>(len, NB)) > NB ? 2 : 1;
    const uint64_t want_first = decided + 4 + uint64_t(first_words);
    const uint32_t nbeats = (len + NB - 1) / NB;
    std::vector<uint64_t> beat_cycles;
    while (!expected.empty()) {
        ASSERT_LT(b.sim.cycle(), decided + 2000);
        b.sim.settle();
        if (io.m_axis_tvalid) beat_cycles.push_back(b.sim.cycle());
        b.take_output(expected, true);
        if (::testing::Test::HasFatalFailure()) return;
        b.sim.tick();
    }
    ASSERT_EQ(beat_cycles.size(), 2 * nbeats);
    EXPECT_EQ(beat_cycles[0], want_first) << "first beat vs decision";
    for (uint32_t k = 1; k < nbeats; k++)
        ASSERT_EQ(beat_cycles[k], beat_cycles[k - 1] + 1) << "beat " << k << " not back to back";
    // the second segment: the reader's start-up again after the first one's last beat
    EXPECT_EQ(beat_cycles[nbeats], beat_cycles[nbeats - 1] + 3 + uint64_t(first_words))
        << "gap between delivered segments";
    for (uint32_t k = nbeats + 1; k < 2 * nbeats; k++)
        ASSERT_EQ(beat_cycles[k], beat_cycles[k - 1] + 1) << "beat " << k << " not back to back";
}

TEST(RxPayloadStoreCosim, LatencyAndThroughputAsStated64Aligned) { run_latency<Vrx_payload_store_64, 64>(56); }
TEST(RxPayloadStoreCosim, LatencyAndThroughputAsStated64Unaligned) { run_latency<Vrx_payload_store_64, 64>(54); }
TEST(RxPayloadStoreCosim, LatencyAndThroughputAsStated512Unaligned) { run_latency<Vrx_payload_store_512, 512>(54); }

}  // namespace
}  // namespace ftoe::sim
