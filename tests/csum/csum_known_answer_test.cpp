// Known-answer tests of the checksum kernels (hls/) and RTL (rtl/csum/): the worked
// examples of RFC 1071 and RFC 1624, real IPv4/TCP/UDP frames built by scapy (an
// independent checksum implementation), and RFC 1624 incremental update against full
// recomputation on random edits.
#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "csum_stream_sim.hpp"
#include "csum_top.hpp"
#include "frame.hpp"

namespace ftoe::sim {
namespace {

using kernel::csum_add;
using kernel::csum_bytes;

// Runs one frame through the Verilated csum_stream and returns its sum.
template <int W>
uint16_t rtl_sum(const Bytes& frame, uint16_t start, uint16_t end) {
    static CsumStreamSim<W> sim;  // one model per width; reset between frames
    sim.reset();
    const auto beats = to_beats<W>(frame);
    for (const auto& b : beats) sim.cycle(&b, start, end);
    for (int i = 0; i < 16; i++) {
        const auto out = sim.cycle(nullptr, 0, 0);
        if (out.sum_valid) return out.sum;
    }
    ADD_FAILURE() << "csum_stream<" << W << "> produced no sum";
    return 0;
}

template <int W>
kernel::Ipv4CsumResult kernel_ipv4(const Bytes& frame) {
    hls::stream<kernel::AxisBeat<W>> in;
    for (const auto& b : to_beats<W>(frame)) in.write(b);
    kernel::Ipv4CsumResult r{};
    if constexpr (W == 64) ftoe_ipv4_l4_csum_64(in, r);
    else ftoe_ipv4_l4_csum_512(in, r);
    return r;
}

uint16_t get16(const Bytes& f, std::size_t at) { return uint16_t(f[at] << 8 | f[at + 1]); }

std::string run_command(const std::string& cmd, const std::string& input = {}) {
    // Feed input through a temporary file so popen stays one-directional.
    std::string full = cmd;
    std::string tmp;
    if (!input.empty()) {
        char name[] = "/tmp/ftoe_csum_kat_XXXXXX";
        const int fd = mkstemp(name);
        EXPECT_GE(fd, 0);
        tmp = name;
        FILE* f = fdopen(fd, "w");
        std::fwrite(input.data(), 1, input.size(), f);
        std::fclose(f);
        full += " < " + tmp;
    }
    std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(full.c_str(), "r"), pclose);
    std::string out;
    char buf[65536];
    std::size_t n;
    while (pipe && (n = std::fread(buf, 1, sizeof buf, pipe.get())) > 0) out.append(buf, n);
    if (!tmp.empty()) std::remove(tmp.c_str());
    return out;
}

Bytes from_hex(const std::string& hex) {
    Bytes b(hex.size() / 2);
    for (std::size_t i = 0; i < b.size(); i++) b[i] = uint8_t(std::stoi(hex.substr(2 * i, 2), nullptr, 16));
    return b;
}

std::string to_hex(const Bytes& b) {
    static const char* digits = "0123456789abcdef";
    std::string s;
    for (uint8_t v : b) {
        s += digits[v >> 4];
        s += digits[v & 15];
    }
    return s;
}

TEST(CsumKnownAnswer, Rfc1071WorkedExample) {
    // RFC 1071 §3: bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2 (checksum 220d).
    const Bytes data{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    EXPECT_EQ(csum_bytes(data.data(), data.size()), 0xddf2);
    EXPECT_EQ(rtl_sum<64>(data, 0, 8), 0xddf2);
    EXPECT_EQ(rtl_sum<512>(data, 0, 8), 0xddf2);
    // Shifted by one byte the words pair up from the odd start: same sum.
    Bytes shifted{0x99};
    shifted.insert(shifted.end(), data.begin(), data.end());
    EXPECT_EQ(rtl_sum<64>(shifted, 1, 9), 0xddf2);
    EXPECT_EQ(rtl_sum<512>(shifted, 1, 9), 0xddf2);
}

TEST(CsumKnownAnswer, Rfc1624WorkedExample) {
    // RFC 1624 §4: m = 0x5555 -> m' = 0x3285 with HC = 0xDD2F gives HC' = 0x0000.
    EXPECT_EQ(kernel::csum_update16(0xdd2f, 0x5555, 0x3285), 0x0000);
    EXPECT_EQ(ftoe_csum_update32_top(0xdd2f, 0x00005555, 0x00003285), 0x0000);
}

TEST(CsumKnownAnswer, EmptyAndAllZeroRangesSumToZero) {
    const Bytes zeros(100, 0);
    EXPECT_EQ(rtl_sum<64>(zeros, 0, 100), 0x0000);
    const Bytes ones(100, 0xff);
    EXPECT_EQ(rtl_sum<64>(ones, 50, 50), 0x0000);   // empty range
    EXPECT_EQ(rtl_sum<512>(ones, 60, 10), 0x0000);  // end before start: empty
    EXPECT_EQ(rtl_sum<64>(ones, 0, 100), 0xffff);   // never +0 for non-zero data
}

// Real frames from scapy: TCP with real option sets, UDP, IPv4 options, 802.1Q tags,
// odd lengths, jumbo payloads, and short frames with non-zero Ethernet padding.
TEST(CsumKnownAnswer, ScapyFramesVerifyInKernelAndRtlAtBothWidths) {
    const std::string out =
        run_command(std::string(FTOE_PYTHON) + " " + FTOE_SCAPY_FRAMES + " make 1071 300");
    std::istringstream lines(out);
    std::string hex;
    int l3 = 0;
    unsigned ip_csum = 0, l4_csum = 0;
    int frames = 0;
    while (lines >> hex >> l3 >> ip_csum >> l4_csum) {
        const Bytes f = from_hex(hex);
        SCOPED_TRACE("scapy frame #" + std::to_string(frames) + ": " + hex.substr(0, 120));
        ASSERT_EQ(l3_offset(f), l3);
        const std::size_t ihl = (f[std::size_t(l3)] & 0x0f) * 4u;
        const uint16_t total = get16(f, std::size_t(l3) + 2);
        const std::size_t l4 = std::size_t(l3) + ihl;
        const uint8_t proto = f[std::size_t(l3) + 9];
        const uint16_t l4_csum_at = uint16_t(proto == kIpProtoTcp ? 16 : 6);
        ASSERT_EQ(get16(f, std::size_t(l3) + 10), ip_csum);
        ASSERT_EQ(get16(f, l4 + l4_csum_at), l4_csum);

        // The kernel verifies both checksums in one pass, padding excluded.
        for (const auto& r : {kernel_ipv4<64>(f), kernel_ipv4<512>(f)}) {
            EXPECT_TRUE(r.is_ipv4);
            EXPECT_TRUE(r.complete);
            EXPECT_EQ(r.protocol, proto);
            EXPECT_EQ(r.ip_header_sum, 0xffff);
            EXPECT_EQ(r.l4_sum, 0xffff);
        }
        // The RTL sums the same ranges to the same verdicts.
        const uint16_t pseudo = kernel::ipv4_pseudo_header_sum(
            uint32_t(get16(f, std::size_t(l3) + 12)) << 16 | get16(f, std::size_t(l3) + 14),
            uint32_t(get16(f, std::size_t(l3) + 16)) << 16 | get16(f, std::size_t(l3) + 18),
            proto, uint16_t(total - ihl));
        const uint16_t ip_end = uint16_t(l4), l4_end = uint16_t(l3 + total);
        EXPECT_EQ(rtl_sum<64>(f, uint16_t(l3), ip_end), 0xffff);
        EXPECT_EQ(rtl_sum<512>(f, uint16_t(l3), ip_end), 0xffff);
        EXPECT_EQ(csum_add(rtl_sum<64>(f, ip_end, l4_end), pseudo), 0xffff);
        EXPECT_EQ(csum_add(rtl_sum<512>(f, ip_end, l4_end), pseudo), 0xffff);

        // Recomputing with the fields zeroed gives scapy's values (the TX insert case).
        Bytes z = f;
        z[std::size_t(l3) + 10] = z[std::size_t(l3) + 11] = 0;
        z[l4 + l4_csum_at] = z[l4 + l4_csum_at + 1] = 0;
        EXPECT_EQ(uint16_t(~csum_bytes(&z[std::size_t(l3)], ihl)), ip_csum);
        uint16_t tx = uint16_t(~csum_add(rtl_sum<64>(z, ip_end, l4_end), pseudo));
        if (proto == kIpProtoUdp && tx == 0) tx = 0xffff;  // RFC 768: 0 means "none"
        EXPECT_EQ(tx, l4_csum);
        ++frames;
        if (HasFailure()) return;
    }
    EXPECT_EQ(frames, 300) << "scapy_frames.py gave too few frames; its output:\n" << out;
}

// Our own frame builder (used by every later test and benchmark) against scapy.
TEST(CsumKnownAnswer, FrameBuilderChecksumsAgreeWithScapy) {
    std::mt19937_64 rng(6528);
    std::string input;
    const int n = 200;
    for (int i = 0; i < n; i++) input += to_hex(random_tcp_frame(rng, i < 100 ? 1460 : 8960)) + "\n";
    const std::string out =
        run_command(std::string(FTOE_PYTHON) + " " + FTOE_SCAPY_FRAMES + " check", input);
    std::istringstream lines(out);
    std::string verdict;
    int ok = 0;
    while (std::getline(lines, verdict)) {
        EXPECT_EQ(verdict, "ok") << "frame #" << ok;
        ok++;
    }
    EXPECT_EQ(ok, n) << "scapy's output:\n" << out;
}

// RFC 1624 update equals full recomputation for random edits of 16- and 32-bit fields.
TEST(CsumKnownAnswer, IncrementalUpdateEqualsRecomputation) {
    std::mt19937_64 rng(1624);
    for (int i = 0; i < 100000; i++) {
        Bytes f = random_tcp_frame(rng, 256);
        const std::size_t l3 = l3_offset(f);
        const std::size_t ihl = (f[l3] & 0x0f) * 4u;
        const std::size_t l4 = l3 + ihl;
        const std::size_t seg_len = get16(f, l3 + 2) - ihl;
        const uint16_t pseudo = kernel::ipv4_pseudo_header_sum(
            uint32_t(get16(f, l3 + 12)) << 16 | get16(f, l3 + 14),
            uint32_t(get16(f, l3 + 16)) << 16 | get16(f, l3 + 18), kIpProtoTcp, uint16_t(seg_len));
        const uint16_t field = get16(f, l4 + 16);
        uint16_t updated;
        if (rng() & 1) {  // a 32-bit field: sequence or acknowledgment number
            const std::size_t at = l4 + ((rng() & 1) ? 4 : 8);
            const uint32_t old_v = uint32_t(get16(f, at)) << 16 | get16(f, at + 2);
            const uint32_t new_v = (rng() & 7) == 0 ? old_v + 1 : uint32_t(rng());
            for (int b = 0; b < 4; b++) f[at + std::size_t(b)] = uint8_t(new_v >> (24 - 8 * b));
            updated = ftoe_csum_update32_top(field, old_v, new_v);
        } else {  // any aligned 16-bit word of the segment other than the checksum
            std::size_t at;
            do at = l4 + 2 * (rng() % (seg_len / 2)); while (at == l4 + 16);
            const uint16_t old_w = get16(f, at);
            const uint16_t new_w = (rng() & 7) == 0 ? uint16_t(~old_w) : uint16_t(rng());
            f[at] = uint8_t(new_w >> 8);
            f[at + 1] = uint8_t(new_w);
            updated = kernel::csum_update16(field, old_w, new_w);
        }
        f[l4 + 16] = f[l4 + 17] = 0;
        const uint16_t recomputed = uint16_t(~csum_bytes(&f[l4], seg_len, pseudo));
        ASSERT_EQ(updated, recomputed) << "edit #" << i;
    }
}

}  // namespace
}  // namespace ftoe::sim
