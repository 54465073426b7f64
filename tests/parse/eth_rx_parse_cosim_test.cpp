// Cosim of rtl/parse/eth_rx_parse.sv against eth_rx_parse() (hls/eth_rx_parse.hpp), at
// 64 and 512 bits: realistic TCP traffic for us and every kind of frame that must be
// sent to the host or dropped (wrong MAC or address, ARP, ICMP, UDP, fragments, IPv6,
// runts, truncations, bad checksums, bad IHL/data offset/options, MAC errors), plus
// random mutations with and without checksum repair. Random idle cycles between beats,
// and bursts with none. Every frame must give exactly one descriptor, exactly
// kLatency cycles after its tlast, with the reference's reason and fields.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <random>
#include <string>

#include "Veth_rx_parse_512.h"
#include "Veth_rx_parse_64.h"
#include "clocked_model.hpp"
#include "eth_rx_parse.hpp"
#include "frame.hpp"
#include "frame_mix.hpp"

namespace ftoe::sim {
namespace {

using driver::RxReason;
using kernel::RxMeta;

constexpr int kLatency = 7;  // eth_rx_parse.sv header: MAX_OPTIONS=4 at 64 and 512 bits
constexpr uint64_t kOurMac = 0x020000000002ull;
constexpr uint32_t kOurIp = 0x0a000002;

kernel::RxParseConfig config() {
    kernel::RxParseConfig c;
    c.our_mac = kOurMac;
    c.our_ip = kOurIp;
    c.max_options = 4;
    return c;
}

using TestFrame = MixFrame;

uint64_t uni(std::mt19937_64& rng, uint64_t lo, uint64_t hi) {
    return std::uniform_int_distribution<uint64_t>(lo, hi)(rng);
}

std::string hex(const Bytes& f) {
    std::string s;
    char b[4];
    for (std::size_t i = 0; i < f.size() && i < 96; i++) {
        std::snprintf(b, sizeof b, "%02x", f[i]);
        s += b;
    }
    return s + (f.size() > 96 ? "..." : "");
}

template <typename Model>
RxMeta read_descriptor(const Model& io) {
    RxMeta m;
    m.reason = RxReason(io.m_reason);
    m.frame_len = io.m_frame_len;
    m.vlan = io.m_vlan;
    m.vlan_tci = io.m_vlan_tci;
    m.src_mac = io.m_src_mac;
    m.src_ip = io.m_src_ip;
    m.dst_ip = io.m_dst_ip;
    m.src_port = io.m_src_port;
    m.dst_port = io.m_dst_port;
    m.seq = io.m_seq;
    m.ack = io.m_ack;
    m.flags = io.m_flags;
    m.window = io.m_window;
    m.payload_off = io.m_payload_off;
    m.payload_len = io.m_payload_len;
    m.opts.has_mss = io.m_has_mss;
    m.opts.mss = io.m_mss;
    m.opts.has_wscale = io.m_has_wscale;
    m.opts.wscale = io.m_wscale;
    m.opts.sack_permitted = io.m_sack_permitted;
    m.opts.has_sack = io.m_has_sack;
    m.opts.sack_blocks = io.m_sack_blocks;
    m.opts.has_ts = io.m_has_ts;
    m.opts.tsval = io.m_tsval;
    m.opts.tsecr = io.m_tsecr;
    return m;
}

// What must agree: the reason and length always; every field for the fast path.
std::string differences(const RxMeta& got, const RxMeta& want) {
    std::string d;
    auto cmp = [&](const char* name, uint64_t g, uint64_t w) {
        if (g != w) d += std::string(" ") + name + " " + std::to_string(g) + "/" + std::to_string(w);
    };
    cmp("reason", uint8_t(got.reason), uint8_t(want.reason));
    cmp("frame_len", got.frame_len, want.frame_len);
    if (want.reason != RxReason::kTcp) return d;
    cmp("vlan", got.vlan, want.vlan);
    if (want.vlan) cmp("vlan_tci", got.vlan_tci, want.vlan_tci);
    cmp("src_mac", got.src_mac, want.src_mac);
    cmp("src_ip", got.src_ip, want.src_ip);
    cmp("dst_ip", got.dst_ip, want.dst_ip);
    cmp("src_port", got.src_port, want.src_port);
    cmp("dst_port", got.dst_port, want.dst_port);
    cmp("seq", got.seq, want.seq);
    cmp("ack", got.ack, want.ack);
    cmp("flags", got.flags, want.flags);
    cmp("window", got.window, want.window);
    cmp("payload_off", got.payload_off, want.payload_off);
    cmp("payload_len", got.payload_len, want.payload_len);
    const auto& g = got.opts;
    const auto& w = want.opts;
    cmp("has_mss", g.has_mss, w.has_mss);
    if (w.has_mss) cmp("mss", g.mss, w.mss);
    cmp("has_wscale", g.has_wscale, w.has_wscale);
    if (w.has_wscale) cmp("wscale", g.wscale, w.wscale);
    cmp("sack_permitted", g.sack_permitted, w.sack_permitted);
    cmp("has_sack", g.has_sack, w.has_sack);
    if (w.has_sack) cmp("sack_blocks", g.sack_blocks, w.sack_blocks);
    cmp("has_ts", g.has_ts, w.has_ts);
    if (w.has_ts) cmp("tsval", g.tsval, w.tsval), cmp("tsecr", g.tsecr, w.tsecr);
    return d;
}

struct RunStats {
    std::map<RxReason, int> by_reason;
    int frames = 0;
    uint64_t cycles = 0, beats = 0;
};

// Plays `frames` through the model. `idle_percent` < 0: random phases of heavy idle and
// of back-to-back bursts; otherwise that fixed chance of an idle cycle before each beat.
// `make` returns the next frame.
template <int W, typename Model, typename Make>
RunStats run(int frames, int idle_percent, std::mt19937_64& rng, Make make) {
    using Beat = kernel::AxisBeat<W>;
    ClockedModel<Model> sim;
    auto& io = sim.io();
    io.cfg_mac = kOurMac;
    io.cfg_ip = kOurIp;
    struct Expect {
        uint64_t due;
        int index;
        Bytes frame;
        RxMeta want;
    };
    std::deque<Expect> expected;
    std::deque<Beat> beats;
    TestFrame current;
    int next_beat = 0, made = 0;
    int idle = idle_percent < 0 ? 50 : idle_percent;
    RunStats st;
    const auto cfg = config();
    while (made < frames || !beats.empty() || !expected.empty()) {
        if (beats.empty() && made < frames) {
            current = make(rng);
            for (const auto& b : to_beats<W>(current.bytes)) beats.push_back(b);
            next_beat = 0;
            ++made;
            if (idle_percent < 0 && uni(rng, 0, 63) == 0) idle = uni(rng, 0, 1) ? 0 : 80;
        }
        const bool send = !beats.empty() && int(uni(rng, 0, 99)) >= idle;
        io.s_axis_tvalid = send;
        io.s_axis_tlast = send && beats.front().last;
        io.s_axis_tuser = send && next_beat == current.error_beat;
        if (send) set_axis_beat<Model, W>(io, beats.front());
        else io.s_axis_tkeep = 0;
        sim.settle();
        EXPECT_EQ(io.s_axis_tready, 1) << "tready must be constant 1";
        if (io.m_valid) {
            if (expected.empty()) {
                ADD_FAILURE() << "descriptor at cycle " << sim.cycle() << " with no frame pending";
                return st;
            }
            const Expect e = expected.front();
            expected.pop_front();
            if (e.due != sim.cycle()) {
                ADD_FAILURE() << "frame #" << e.index << ": descriptor at cycle " << sim.cycle()
                              << ", want " << e.due << " (latency " << kLatency << ")";
                return st;
            }
            const std::string diff = differences(read_descriptor(io), e.want);
            if (!diff.empty()) {
                ADD_FAILURE() << "frame #" << e.index << " (" << e.frame.size()
                              << " bytes, want " << driver::rx_reason_name(e.want.reason)
                              << "): got/want" << diff << "\n  " << hex(e.frame);
                return st;
            }
            st.by_reason[e.want.reason]++;
            st.frames++;
        } else if (!expected.empty() && expected.front().due <= sim.cycle()) {
            ADD_FAILURE() << "frame #" << expected.front().index << ": no descriptor at cycle "
                          << expected.front().due;
            return st;
        }
        if (send) {
            ++st.beats;
            if (beats.front().last) {
                const RxMeta want = kernel::eth_rx_parse(current.bytes.data(), int(current.bytes.size()),
                                                         current.error_beat >= 0, cfg);
                expected.push_back({sim.cycle() + kLatency, made - 1, current.bytes, want});
            }
            beats.pop_front();
            ++next_beat;
        }
        sim.tick();
    }
    st.cycles = sim.cycle();
    return st;
}

int frame_count(int ci_default) {
    const char* env = std::getenv("FTOE_RX_PARSE_FRAMES");
    return env ? std::atoi(env) : ci_default;
}

template <int W, typename Model>
void random_mix(uint64_t seed) {
    std::mt19937_64 rng(seed);
    const int frames = frame_count(30000);
    const RunStats st = run<W, Model>(frames, -1, rng, [](std::mt19937_64& r) {
        return random_frame_mix(r, kOurIp, W / 8);
    });
    ASSERT_EQ(st.frames, frames) << "every frame gives exactly one descriptor";
    std::printf("%d-bit: %d frames, %llu beats in %llu cycles\n", W, st.frames,
                (unsigned long long)st.beats, (unsigned long long)st.cycles);
    for (RxReason r : driver::kAllRxReasons) {
        if (r == RxReason::kSlowNoSession || r == RxReason::kDropNoBuffer) continue;  // the engine's
        const int n = st.by_reason.count(r) ? st.by_reason.at(r) : 0;
        std::printf("  %-22s %6d\n", driver::rx_reason_name(r), n);
        EXPECT_GE(n, frames / 2000) << driver::rx_reason_name(r) << " is barely exercised";
    }
}

TEST(EthRxParseCosim, RandomMixMatchesReference64) { random_mix<64, Veth_rx_parse_64>(64); }
TEST(EthRxParseCosim, RandomMixMatchesReference512) { random_mix<512, Veth_rx_parse_512>(512); }

// Minimum-size frames back to back: one descriptor per frame at one beat per cycle, with
// no idle at all (at 512 bits a frame every cycle).
template <int W, typename Model>
void back_to_back_min_frames() {
    std::mt19937_64 rng(W);
    const int frames = 4000;
    const RunStats st = run<W, Model>(frames, 0, rng, [](std::mt19937_64& r) {
        TcpFrameSpec s;
        s.dst_ip = kOurIp;
        s.src_ip = uint32_t(r());
        s.seq = uint32_t(r());
        s.src_port = uint16_t(r());
        s.payload.resize(uni(r, 0, 6));  // 54..60 bytes: padded to 60
        return TestFrame{build_tcp_frame(s), -1};
    });
    ASSERT_EQ(st.frames, frames);
    EXPECT_EQ(st.by_reason.at(RxReason::kTcp), frames);
    const uint64_t beats_per_frame = (60 + W / 8 - 1) / (W / 8);
    // Reset (4) + drain (latency) aside, every cycle carried a beat.
    EXPECT_EQ(st.beats, frames * beats_per_frame);
    EXPECT_LE(st.cycles, st.beats + 4 + kLatency + 1) << "the parser must take a beat every cycle";
}

TEST(EthRxParseCosim, BackToBackMinimumFrames64) { back_to_back_min_frames<64, Veth_rx_parse_64>(); }
TEST(EthRxParseCosim, BackToBackMinimumFrames512) { back_to_back_min_frames<512, Veth_rx_parse_512>(); }

// The reference itself against hand-built frames: what it reports is what was built.
TEST(EthRxParseReference, FieldsOfABuiltSegment) {
    TcpFrameSpec s;
    s.vlan_id = 42;
    s.dst_ip = kOurIp;
    s.src_ip = 0xc0a80105;
    s.ip_options = {1, 1, 1, 1};
    s.src_port = 443;
    s.dst_port = 51000;
    s.seq = 0xfffffff0;
    s.ack = 0x12345678;
    s.flags = tcp_flags::kAck | tcp_flags::kPsh;
    s.window = 501;
    s.tcp_options = {1, 1, 8, 10, 0, 0, 0, 7, 0, 0, 0, 9};
    s.payload.assign(100, 0x5a);
    const Bytes f = build_tcp_frame(s);
    const RxMeta m = kernel::eth_rx_parse(f.data(), int(f.size()), false, config());
    EXPECT_EQ(m.reason, RxReason::kTcp);
    EXPECT_TRUE(m.vlan);
    EXPECT_EQ(m.vlan_tci, 42);
    EXPECT_EQ(m.src_mac, 0x020000000001ull);
    EXPECT_EQ(m.src_ip, 0xc0a80105u);
    EXPECT_EQ(m.src_port, 443);
    EXPECT_EQ(m.dst_port, 51000);
    EXPECT_EQ(m.seq, 0xfffffff0u);
    EXPECT_EQ(m.ack, 0x12345678u);
    EXPECT_EQ(m.flags, tcp_flags::kAck | tcp_flags::kPsh);
    EXPECT_EQ(m.window, 501);
    EXPECT_EQ(m.payload_off, 18 + 24 + 32);
    EXPECT_EQ(m.payload_len, 100);
    EXPECT_TRUE(m.opts.has_ts);
    EXPECT_EQ(m.opts.tsval, 7u);
    EXPECT_EQ(m.opts.tsecr, 9u);
}

TEST(EthRxParseReference, EachCheckNamesItsFrame) {
    TcpFrameSpec s;
    s.dst_ip = kOurIp;
    const Bytes good = build_tcp_frame(s);
    const auto reason = [](Bytes f, bool mac_error = false) {
        return kernel::eth_rx_parse(f.data(), int(f.size()), mac_error, config()).reason;
    };
    auto edit = [&](auto change, bool refresh = true) {
        Bytes f = good;
        change(f);
        if (refresh) refresh_checksums(f);
        return f;
    };
    EXPECT_EQ(reason(good), RxReason::kTcp);
    EXPECT_EQ(reason(good, true), RxReason::kDropMacError);
    EXPECT_EQ(reason(Bytes(good.begin(), good.begin() + 13)), RxReason::kDropRunt);
    EXPECT_EQ(reason(edit([](Bytes& f) { f[0] = 0x04; })), RxReason::kDropNotOurMac);
    EXPECT_EQ(reason(edit([](Bytes& f) { f[12] = 0x86, f[13] = 0xdd; })), RxReason::kDropEtherType);
    EXPECT_EQ(reason(edit([](Bytes& f) { f[14] = 0x44; })), RxReason::kDropBadIpHeader);
    EXPECT_EQ(reason(edit([](Bytes& f) { f[24] ^= 1; }, false)), RxReason::kDropIpChecksum);
    EXPECT_EQ(reason(edit([](Bytes& f) { f[33] = 9; })), RxReason::kDropNotOurIp);
    EXPECT_EQ(reason(edit([](Bytes& f) { f[20] = 0x20; })), RxReason::kSlowFragment);
    EXPECT_EQ(reason(edit([](Bytes& f) { f[23] = 1; })), RxReason::kSlowIcmp);
    EXPECT_EQ(reason(edit([](Bytes& f) { f[23] = 17; })), RxReason::kSlowOtherProto);
    EXPECT_EQ(reason(edit([](Bytes& f) { f[46] = 0x40; })), RxReason::kDropBadTcpHeader);
    EXPECT_EQ(reason(edit([](Bytes& f) { f[40] ^= 1; }, false)), RxReason::kDropTcpChecksum);
    s.tcp_options = {8, 1, 0, 0};  // a timestamp option of length 1
    EXPECT_EQ(reason(build_tcp_frame(s)), RxReason::kDropBadTcpOptions);
    s.tcp_options = {2, 4, 5, 180, 4, 2, 3, 3, 7, 30, 2, 31, 2, 0};  // five options
    EXPECT_EQ(reason(build_tcp_frame(s)), RxReason::kSlowTcpOptions);
    std::mt19937_64 rng(1);
    EXPECT_EQ(reason(arp_request(rng)), RxReason::kSlowArp);
}

}  // namespace
}  // namespace ftoe::sim
