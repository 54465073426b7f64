// Cosim of rtl/engine/raw_tx_csum.sv: host-built frames with garbage in their checksum
// fields, under random fill flags, idle cycles on the input and backpressure on the
// output, must leave byte for byte as the spec in the block's header says: the IPv4
// header checksum and the TCP/UDP checksum filled where they apply (computed here with
// the hls/ checksum kernels), every other byte untouched. Frames: TCP (with options,
// VLAN tags, IP options, padding), UDP, fragments, truncated IPv4, non-IPv4 and runts.
// The header's latency (first byte 4 cycles after the last byte in) is asserted.
#include <gtest/gtest.h>

#include <cstdint>
#include <deque>
#include <random>
#include <vector>

#include "Vraw_tx_csum.h"
#include "clocked_model.hpp"
#include "csum.hpp"
#include "frame.hpp"

namespace ftoe::sim {
namespace {

constexpr uint64_t kLatency = 4;

uint16_t get16(const Bytes& f, std::size_t at) { return uint16_t(f[at] << 8 | f[at + 1]); }
void put16(Bytes& f, std::size_t at, uint16_t v) {
    f[at] = uint8_t(v >> 8);
    f[at + 1] = uint8_t(v);
}

// The block's contract, in C++: the frame as it must leave.
Bytes expected(Bytes f, uint8_t fill) {
    const std::size_t l3 = l3_offset(f);
    if (f.size() < 14 || f.size() < l3 + 1) return f;
    const uint16_t et = get16(f, l3 - 2);
    const std::size_t ihl = std::size_t(f[l3] & 0x0f) * 4;
    const bool ipv4 = et == kEtherTypeIpv4 && (f[l3] >> 4) == 4 && ihl >= 20 && f.size() >= l3 + ihl;
    if (!ipv4) return f;
    if (fill & 1) {
        put16(f, l3 + 10, 0);
        put16(f, l3 + 10, uint16_t(~kernel::csum_bytes(&f[l3], ihl)));
    }
    const std::size_t total = get16(f, l3 + 2);
    const uint8_t proto = f[l3 + 9];
    const bool frag = (f[l3 + 6] & 0x3f) != 0 || f[l3 + 7] != 0;
    const bool tcp = proto == kIpProtoTcp, udp = proto == kIpProtoUdp;
    if (!(fill & 2) || !(tcp || udp) || frag || total < ihl || f.size() < l3 + total ||
        total - ihl < (tcp ? 20u : 8u))
        return f;
    const std::size_t l4 = l3 + ihl, field = l4 + (tcp ? 16 : 6);
    const auto be32 = [&](std::size_t at) {
        return uint32_t(f[at]) << 24 | uint32_t(f[at + 1]) << 16 | uint32_t(f[at + 2]) << 8 | f[at + 3];
    };
    put16(f, field, 0);
    const uint16_t pseudo = kernel::ipv4_pseudo_header_sum(be32(l3 + 12), be32(l3 + 16), proto,
                                                           uint16_t(total - ihl));
    uint16_t c = uint16_t(~kernel::csum_bytes(&f[l4], total - ihl, pseudo));
    if (udp && c == 0) c = 0xFFFF;  // RFC 768: 0 means "no checksum"
    put16(f, field, c);
    return f;
}

// A frame of one of the kinds above, its checksum fields garbage.
Bytes random_frame(std::mt19937_64& rng) {
    auto uni = [&](uint64_t lo, uint64_t hi) {
        return std::uniform_int_distribution<uint64_t>(lo, hi)(rng);
    };
    Bytes f = random_tcp_frame(rng, int(uni(0, 1)) ? 1460 : 64);
    const std::size_t l3 = l3_offset(f);
    const std::size_t ihl = std::size_t(f[l3] & 0x0f) * 4;
    switch (uni(0, 9)) {
        case 0: {  // UDP: the same bytes, protocol 17, the UDP length field right
            f[l3 + 9] = kIpProtoUdp;
            put16(f, l3 + ihl + 4, uint16_t(get16(f, l3 + 2) - ihl));
            break;
        }
        case 1:  // a fragment
            f[l3 + 6] = uint8_t(f[l3 + 6] | (uni(0, 1) ? 0x20 : 0x01));
            break;
        case 2:  // truncated: the total length claims more than the frame holds
            put16(f, l3 + 2, uint16_t(f.size() - l3 + uni(1, 40)));
            break;
        case 3:  // not IPv4 (ARP's ethertype)
            put16(f, l3 - 2, 0x0806);
            break;
        case 4:  // a runt cut anywhere
            f.resize(std::size_t(uni(1, std::min<uint64_t>(f.size(), 50))));
            break;
        case 5:  // an IHL below 5
            f[l3] = uint8_t(0x40 | uni(0, 4));
            break;
        case 6: {  // IPv4 options (a NOP-padded record route of random length)
            TcpFrameSpec s;
            s.ip_options.assign(uni(1, 10) * 4, 1);
            s.payload.assign(uni(0, 300), uint8_t(uni(0, 255)));
            f = build_tcp_frame(s);
            break;
        }
        default: break;
    }
    // garbage in both fields, wherever they are
    if (f.size() >= l3 + 12) put16(f, l3 + 10, uint16_t(uni(0, 0xffff)));
    for (std::size_t at : {l3 + ihl + 16, l3 + ihl + 6})
        if (f.size() >= at + 2 && uni(0, 1)) put16(f, at, uint16_t(uni(0, 0xffff)));
    return f;
}

TEST(RawTxCsumCosim, ChecksumsFilledWhereTheyApplyUnderIdleAndBackpressure) {
    sim::ClockedModel<Vraw_tx_csum> sim;
    auto& io = sim.io();
    std::mt19937_64 rng(41);
    struct In {
        Bytes frame;
        uint8_t fill;
    };
    std::deque<In> in;
    std::deque<Bytes> want;
    int counts[4] = {};
    for (int i = 0; i < 20000; i++) {
        const Bytes f = random_frame(rng);
        const uint8_t fill = uint8_t(rng() % 4);
        counts[fill]++;
        in.push_back({f, fill});
        want.push_back(expected(f, fill));
    }
    std::size_t in_pos = 0, frames_out = 0;
    uint64_t last_in_cycle = 0;
    bool first_byte = true;
    Bytes got;
    io.s_axis_tvalid = 0;
    io.m_axis_tready = 0;
    while (frames_out < want.size()) {
        ASSERT_LT(sim.cycle(), 100000000u);
        const bool offer = !in.empty() && rng() % 8 != 0;
        io.s_axis_tvalid = offer;
        if (offer) {
            io.s_axis_tdata = in.front().frame[in_pos];
            io.s_axis_tlast = in_pos + 1 == in.front().frame.size();
            io.s_fill = in.front().fill;
        }
        const bool ready = rng() % 5 != 0;
        io.m_axis_tready = ready;
        sim.settle();
        if (io.m_axis_tvalid && ready) {
            if (first_byte) {
                EXPECT_GE(sim.cycle() - last_in_cycle, kLatency) << "frame " << frames_out;
            }
            first_byte = false;
            got.push_back(io.m_axis_tdata);
            if (io.m_axis_tlast) {
                ASSERT_EQ(got, want.front()) << "frame " << frames_out << " (" << got.size()
                                             << " bytes)";
                want.pop_front();
                got.clear();
                ++frames_out;
                first_byte = true;
            }
        }
        if (offer && io.s_axis_tready) {
            if (io.s_axis_tlast) {
                last_in_cycle = sim.cycle();
                in_pos = 0;
                in.pop_front();
            } else {
                ++in_pos;
            }
        }
        sim.tick();
    }
    std::printf("20000 frames: fill none %d, IPv4 %d, L4 %d, both %d\n", counts[0], counts[1],
                counts[2], counts[3]);
}

// The header's latency and rate: with the output always ready, the first byte is offered
// exactly 4 cycles after the last byte is taken, and the frame then leaves at 1 byte/cycle.
TEST(RawTxCsumCosim, StoreAndForwardLatencyAndRate) {
    sim::ClockedModel<Vraw_tx_csum> sim;
    auto& io = sim.io();
    std::mt19937_64 rng(5);
    for (int n = 0; n < 50; n++) {
        const Bytes f = random_tcp_frame(rng);
        uint64_t last_in = 0;
        for (std::size_t i = 0; i < f.size(); i++) {
            io.s_axis_tvalid = 1;
            io.s_axis_tdata = f[i];
            io.s_axis_tlast = i + 1 == f.size();
            io.s_fill = 3;
            io.m_axis_tready = 1;
            sim.settle();
            ASSERT_TRUE(io.s_axis_tready) << "byte " << i << " of frame " << n;
            last_in = sim.cycle();
            sim.tick();
        }
        io.s_axis_tvalid = 0;
        Bytes out;
        uint64_t first = 0;
        while (true) {
            sim.settle();
            if (io.m_axis_tvalid) {
                if (out.empty()) first = sim.cycle();
                EXPECT_EQ(sim.cycle() - first, out.size()) << "a gap in frame " << n;
                out.push_back(io.m_axis_tdata);
                if (io.m_axis_tlast) {
                    sim.tick();
                    break;
                }
            }
            ASSERT_LT(sim.cycle(), last_in + 20000);
            sim.tick();
        }
        EXPECT_EQ(first - last_in, kLatency) << "frame " << n;
        EXPECT_EQ(out, expected(f, 3)) << "frame " << n;
        EXPECT_EQ(out, f) << "a correct frame stays as it is";
    }
}

// RFC 768: a UDP checksum that computes to 0 is sent as 0xFFFF (0 means "none"). The
// frame's last payload word is chosen so that the sum comes out at 0.
TEST(RawTxCsumCosim, UdpChecksumOfZeroIsSentAsAllOnes) {
    TcpFrameSpec s;
    s.payload.assign(100, 0x5a);
    Bytes f = build_tcp_frame(s);
    const std::size_t l3 = l3_offset(f), ihl = 20, l4 = l3 + ihl;
    f[l3 + 9] = kIpProtoUdp;
    put16(f, l4 + 4, uint16_t(get16(f, l3 + 2) - ihl));
    const Bytes first = expected(f, 2);
    const uint16_t c = get16(first, l4 + 6);
    ASSERT_NE(c, 0xFFFF);
    const std::size_t last_word = l3 + get16(f, l3 + 2) - 2;  // even offset: a whole word
    put16(f, last_word, kernel::csum_add(get16(f, last_word), c));
    const Bytes want = expected(f, 2);
    ASSERT_EQ(get16(want, l4 + 6), 0xFFFF) << "the sum must come out at zero";
    sim::ClockedModel<Vraw_tx_csum> sim;
    auto& io = sim.io();
    Bytes out;
    for (std::size_t i = 0; i < f.size() || out.size() < f.size();) {
        io.s_axis_tvalid = i < f.size();
        if (i < f.size()) {
            io.s_axis_tdata = f[i];
            io.s_axis_tlast = i + 1 == f.size();
            io.s_fill = 2;
        }
        io.m_axis_tready = 1;
        sim.settle();
        if (io.m_axis_tvalid) out.push_back(io.m_axis_tdata);
        if (io.s_axis_tvalid && io.s_axis_tready) i++;
        ASSERT_LT(sim.cycle(), 10000u);
        sim.tick();
    }
    EXPECT_EQ(out, want);
}

}  // namespace
}  // namespace ftoe::sim
