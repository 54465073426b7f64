// Cosim of rtl/tcp_tx/tx_ack_build.sv at 64 and 512 bits: random descriptors (random
// addresses, ports, numbers, flags, windows, with and without timestamps) offered with
// random gaps, frames taken under random backpressure. Every frame must equal, byte for
// byte, what sim/traffic's independent frame builder makes of the same fields (checksums
// included) and pass the receive parser as a valid segment for its destination. A
// directed test holds the header's latency and throughput figures exactly.
#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <random>
#include <vector>

#include "Vtx_ack_build_512.h"
#include "Vtx_ack_build_64.h"
#include "clocked_model.hpp"
#include "eth_rx_parse.hpp"
#include "frame.hpp"

namespace ftoe::sim {
namespace {

struct Desc {
    uint64_t dst_mac, src_mac;
    uint32_t src_ip, dst_ip;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t window;
    bool ts;
    uint32_t tsval, tsecr;
};

Desc random_desc(std::mt19937_64& rng) {
    Desc d;
    d.dst_mac = rng() & 0xFEFFFFFFFFFFull;  // unicast
    d.src_mac = rng() & 0xFEFFFFFFFFFFull;
    d.src_ip = uint32_t(rng());
    d.dst_ip = uint32_t(rng());
    d.sport = uint16_t(rng());
    d.dport = uint16_t(rng());
    d.seq = uint32_t(rng());
    d.ack = uint32_t(rng());
    d.flags = rng() % 2 ? uint8_t(tcp_flags::kAck) : uint8_t(rng());
    d.window = uint16_t(rng());
    d.ts = rng() % 2;
    d.tsval = uint32_t(rng());
    d.tsecr = uint32_t(rng());
    return d;
}

MacAddr mac_of(uint64_t m) {
    MacAddr a{};
    for (int i = 0; i < 6; i++) a[std::size_t(i)] = uint8_t(m >> (8 * (5 - i)));
    return a;
}

// The same segment by sim/traffic's builder.
Bytes reference(const Desc& d) {
    TcpFrameSpec s;
    s.dst_mac = mac_of(d.dst_mac);
    s.src_mac = mac_of(d.src_mac);
    s.src_ip = d.src_ip;
    s.dst_ip = d.dst_ip;
    s.src_port = d.sport;
    s.dst_port = d.dport;
    s.seq = d.seq;
    s.ack = d.ack;
    s.flags = d.flags;
    s.window = d.window;
    if (d.ts)
        s.tcp_options = {1, 1, 8, 10, uint8_t(d.tsval >> 24), uint8_t(d.tsval >> 16),
                         uint8_t(d.tsval >> 8), uint8_t(d.tsval), uint8_t(d.tsecr >> 24),
                         uint8_t(d.tsecr >> 16), uint8_t(d.tsecr >> 8), uint8_t(d.tsecr)};
    return build_tcp_frame(s);
}

template <typename Model>
void drive(Model& io, const Desc& d) {
    io.s_desc_dst_mac = d.dst_mac;
    io.s_desc_src_mac = d.src_mac;
    io.s_desc_src_ip = d.src_ip;
    io.s_desc_dst_ip = d.dst_ip;
    io.s_desc_src_port = d.sport;
    io.s_desc_dst_port = d.dport;
    io.s_desc_seq = d.seq;
    io.s_desc_ack = d.ack;
    io.s_desc_flags = d.flags;
    io.s_desc_window = d.window;
    io.s_desc_ts_enable = d.ts;
    io.s_desc_tsval = d.tsval;
    io.s_desc_tsecr = d.tsecr;
}

template <typename Model, int W>
void collect(Model& io, Bytes& partial) {
    for (int lane = 0; lane < W / 8; lane++) {
        if (!((uint64_t(io.m_axis_tkeep) >> lane) & 1)) continue;
        if constexpr (W <= 64)
            partial.push_back(uint8_t(uint64_t(io.m_axis_tdata) >> (8 * lane)));
        else
            partial.push_back(uint8_t(io.m_axis_tdata[lane / 4] >> (8 * (lane % 4))));
    }
}

template <typename Model, int W>
void random_frames(uint64_t seed) {
    ClockedModel<Model> sim;
    auto& io = sim.io();
    std::mt19937_64 rng(seed);
    std::deque<Desc> to_send, sent;
    for (int i = 0; i < 3000; i++) to_send.push_back(random_desc(rng));
    Bytes partial;
    int frames = 0, with_ts = 0;
    while (frames < 3000) {
        ASSERT_LT(sim.cycle(), 200000u);
        const bool offer = !to_send.empty() && rng() % 3 != 0;
        io.s_desc_valid = offer;
        if (offer) drive(io, to_send.front());
        io.m_axis_tready = rng() % 4 != 0;
        sim.settle();
        if (offer && io.s_desc_ready) {
            sent.push_back(to_send.front());
            to_send.pop_front();
        }
        if (io.m_axis_tvalid && io.m_axis_tready) {
            collect<Model, W>(io, partial);
            if (io.m_axis_tlast) {
                ASSERT_FALSE(sent.empty());
                const Desc d = sent.front();
                sent.pop_front();
                ASSERT_EQ(partial, reference(d)) << "frame " << frames;
                kernel::RxParseConfig peer;
                peer.our_mac = d.dst_mac;
                peer.our_ip = d.dst_ip;
                const auto m = kernel::eth_rx_parse(partial.data(), int(partial.size()), false, peer);
                ASSERT_TRUE(m.reason == driver::RxReason::kTcp || (d.flags & 0x07) != 0)
                    << "frame " << frames << " not a valid segment: " << driver::rx_reason_name(m.reason);
                with_ts += d.ts;
                partial.clear();
                frames++;
            }
        }
        sim.tick();
    }
    EXPECT_GT(with_ts, 1000);
}

TEST(TxAckBuildCosim, RandomSegmentsEqualTheReferenceFrames64) {
    random_frames<Vtx_ack_build_64, 64>(0xACC64);
}
TEST(TxAckBuildCosim, RandomSegmentsEqualTheReferenceFrames512) {
    random_frames<Vtx_ack_build_512, 512>(0xACC512);
}

// First beat 3 cycles after the descriptor; beats back to back; the next descriptor is
// taken the cycle after the last beat: 3 + beats cycles per frame.
template <typename Model, int W>
void contract() {
    ClockedModel<Model> sim;
    auto& io = sim.io();
    std::mt19937_64 rng(5);
    io.m_axis_tready = 1;
    for (bool ts : {false, true}) {
        Desc d = random_desc(rng);
        d.ts = ts;
        const std::size_t bytes = ts ? 66 : 60;
        const uint64_t beats = (bytes + W / 8 - 1) / (W / 8);
        std::vector<uint64_t> hs, beat_cycles;
        for (int n = 0; n < 2; n++) {
            while (true) {
                io.s_desc_valid = 1;
                drive(io, d);
                sim.settle();
                if (io.m_axis_tvalid) beat_cycles.push_back(sim.cycle());
                const bool took = io.s_desc_ready;
                sim.tick();
                if (took) {
                    hs.push_back(sim.cycle() - 1);
                    break;
                }
            }
        }
        io.s_desc_valid = 0;
        for (int i = 0; i < 20; i++) {
            sim.settle();
            if (io.m_axis_tvalid) beat_cycles.push_back(sim.cycle());
            sim.tick();
        }
        ASSERT_EQ(beat_cycles.size(), 2 * beats) << (ts ? "with" : "without") << " timestamps";
        EXPECT_EQ(beat_cycles[0], hs[0] + 3) << "first beat after the descriptor";
        EXPECT_EQ(beat_cycles[beats - 1], beat_cycles[0] + beats - 1) << "beats back to back";
        EXPECT_EQ(hs[1], beat_cycles[beats - 1] + 1) << "next descriptor after the last beat";
        EXPECT_EQ(hs[1] - hs[0], 3 + beats);
    }
}
TEST(TxAckBuildCosim, LatencyAndThroughputAsStated64) { contract<Vtx_ack_build_64, 64>(); }
TEST(TxAckBuildCosim, LatencyAndThroughputAsStated512) { contract<Vtx_ack_build_512, 512>(); }

}  // namespace
}  // namespace ftoe::sim
