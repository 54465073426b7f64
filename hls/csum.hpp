// csum.hpp: Internet checksum kernels (RFC 1071, RFC 1624), bit-exact reference for the
// RTL (rtl/csum/) and Vitis-HLS-ready source (tops in csum_top.cpp, hls/vitis/).
//
// Conventions shared with the RTL:
//  - a "sum" is the folded 16-bit ones'-complement sum, NOT its complement: data that
//    carries a correct checksum sums to 0xFFFF; the field to send is ~sum computed with
//    the field zeroed.
//  - an all-zero range sums to 0x0000; any other range never does (end-around carry).
//  - words pair up from the first byte of a range; an odd start is handled by summing
//    at the frame's parity and byte-swapping the result (RFC 1071 §2(B)).
#pragma once

#include <cstddef>
#include <cstdint>

#include "axis_beat.hpp"
#include "hls_stream_compat.hpp"

namespace ftoe::kernel {

// Folds a wide ones'-complement accumulation to 16 bits with end-around carry.
inline uint16_t csum_fold(uint64_t acc) {
    // Three folds reduce any 64-bit value; fixed count keeps it HLS-friendly.
    for (int i = 0; i < 3; i++) acc = (acc & 0xffff) + (acc >> 16);
    acc = (acc & 0xffff) + (acc >> 16);
    return uint16_t(acc);
}

// Ones'-complement addition of two folded sums.
inline uint16_t csum_add(uint16_t a, uint16_t b) { return csum_fold(uint32_t(a) + b); }

inline uint16_t csum_swap(uint16_t s) { return uint16_t((s << 8) | (s >> 8)); }

// Plain byte-array RFC 1071 sum, for control-plane code and test oracles.
inline uint16_t csum_bytes(const uint8_t* p, std::size_t n, uint16_t initial = 0) {
    uint64_t acc = initial;
    for (std::size_t i = 0; i + 1 < n; i += 2) acc += uint32_t(p[i]) << 8 | p[i + 1];
    if (n & 1) acc += uint32_t(p[n - 1]) << 8;
    return csum_fold(acc);
}

// IPv4 pseudo-header sum for TCP/UDP (RFC 9293 §3.1): addresses, zero, protocol, length.
inline uint16_t ipv4_pseudo_header_sum(uint32_t src_ip, uint32_t dst_ip, uint8_t protocol,
                                       uint16_t l4_length) {
    uint64_t acc = (src_ip >> 16) + (src_ip & 0xffff) + (dst_ip >> 16) + (dst_ip & 0xffff) +
                   protocol + l4_length;
    return csum_fold(acc);
}

// RFC 1624 eqn. 3: checksum field after one 16-bit word of the covered data changes
// from old_word to new_word: HC' = ~(~HC + ~m + m').
inline uint16_t csum_update16(uint16_t field, uint16_t old_word, uint16_t new_word) {
    uint16_t s = csum_add(uint16_t(~field), uint16_t(~old_word));
    return uint16_t(~csum_add(s, new_word));
}

// The same for an aligned 32-bit field (sequence/ack numbers, IPv4 addresses).
inline uint16_t csum_update32(uint16_t field, uint32_t old_value, uint32_t new_value) {
    field = csum_update16(field, uint16_t(old_value >> 16), uint16_t(new_value >> 16));
    return csum_update16(field, uint16_t(old_value), uint16_t(new_value));
}

// Sum of the bytes of one frame at offsets [start, end), read from `in` up to and
// including its tlast beat. Lanes with tkeep=0 contribute nothing but still occupy
// their offset, exactly like rtl/csum/csum_stream.sv.
template <int DATA_W>
uint16_t csum_frame(hls::stream<AxisBeat<DATA_W>>& in, uint16_t start, uint16_t end) {
    constexpr int kBytes = AxisBeat<DATA_W>::kBytes;
    uint64_t acc = 0;
    uint32_t base = 0;  // frame offset of lane 0
    bool last = false;
frame_beats:
    while (!last) {
#pragma HLS PIPELINE II = 1
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1152
        const AxisBeat<DATA_W> beat = in.read();
        last = beat.last;
        uint32_t beat_sum = 0;
    beat_lanes:
        for (int lane = 0; lane < kBytes; lane++) {
#pragma HLS UNROLL
            const uint32_t off = base + uint32_t(lane);
            if (beat.kept(lane) && off >= start && off < end)
                beat_sum += (lane % 2 == 0) ? uint32_t(beat.byte(lane)) << 8 : beat.byte(lane);
        }
        acc += beat_sum;
        base += kBytes;
    }
    const uint16_t s = csum_fold(acc);
    return (start & 1) ? csum_swap(s) : s;
}

// Checksum verdicts of one Ethernet frame, computed in one pass, exactly as
// rtl/csum/csum_ipv4_l4.sv does: the IPv4 header starts at byte 14, or 18 behind an
// 802.1Q tag; `ip_header_sum` covers IHL*4 bytes and `l4_sum` the L4 segment as bounded
// by the IPv4 total length (Ethernet padding excluded) plus the pseudo-header. Both are
// 0xFFFF for a frame whose checksums are right. The sums are defined only when
// `complete` (an IPv4 frame holding its whole header and total length).
struct Ipv4CsumResult {
    bool is_ipv4;   // EtherType 0x0800 (after an optional 802.1Q tag) and version 4
    bool complete;  // IHL >= 5, total length >= IHL*4, frame holds the whole datagram
    uint8_t protocol;
    uint16_t ip_header_sum;
    uint16_t l4_sum;
    bool ip_ok() const { return complete && ip_header_sum == 0xffff; }
    bool l4_ok() const { return complete && l4_sum == 0xffff; }
};

template <int DATA_W>
Ipv4CsumResult ipv4_l4_csum(hls::stream<AxisBeat<DATA_W>>& in) {
    constexpr int kBytes = AxisBeat<DATA_W>::kBytes;
    constexpr int kHdr = 38;  // up to the end of a 20-byte IPv4 header behind a VLAN tag
    uint8_t hdr[kHdr];
#pragma HLS ARRAY_PARTITION variable = hdr complete
    for (int i = 0; i < kHdr; i++) hdr[i] = 0;
    uint64_t ip_acc = 0, l4_acc = 0;
    uint32_t base = 0, frame_len = 0;
    bool last = false;
frame_beats:
    while (!last) {
#pragma HLS PIPELINE II = 1
#pragma HLS LOOP_TRIPCOUNT min = 1 max = 1152
        const AxisBeat<DATA_W> beat = in.read();
        last = beat.last;
    beat_lanes:
        for (int lane = 0; lane < kBytes; lane++) {
#pragma HLS UNROLL
            const uint32_t off = base + uint32_t(lane);
            if (off < kHdr) hdr[off] = beat.kept(lane) ? beat.byte(lane) : 0;
            if (!beat.kept(lane)) continue;
            frame_len = off + 1;
            const uint32_t l3 = (hdr[12] == 0x81 && hdr[13] == 0x00) ? 18 : 14;
            if (off < l3) continue;
            const uint32_t rel = off - l3;
            const uint32_t ihl = (hdr[l3] & 0x0fu) * 4;
            const uint32_t total = uint32_t(hdr[l3 + 2]) << 8 | hdr[l3 + 3];
            const uint32_t word_byte = (rel % 2 == 0) ? uint32_t(beat.byte(lane)) << 8 : beat.byte(lane);
            // Bytes of the header stream past before the fields they depend on settle;
            // with IHL >= 5 every byte is classified by then (see `complete`).
            if (rel < ihl) ip_acc += word_byte;
            else if (rel < total) l4_acc += word_byte;
        }
        base += kBytes;
    }
    const uint32_t l3 = (hdr[12] == 0x81 && hdr[13] == 0x00) ? 18 : 14;
    const bool is_ipv4 = hdr[l3 - 2] == 0x08 && hdr[l3 - 1] == 0x00 && (hdr[l3] >> 4) == 4;
    const uint32_t ihl = (hdr[l3] & 0x0fu) * 4;
    const uint32_t total = uint32_t(hdr[l3 + 2]) << 8 | hdr[l3 + 3];
    const uint8_t protocol = hdr[l3 + 9];
    const uint32_t src = uint32_t(hdr[l3 + 12]) << 24 | uint32_t(hdr[l3 + 13]) << 16 |
                         uint32_t(hdr[l3 + 14]) << 8 | hdr[l3 + 15];
    const uint32_t dst = uint32_t(hdr[l3 + 16]) << 24 | uint32_t(hdr[l3 + 17]) << 16 |
                         uint32_t(hdr[l3 + 18]) << 8 | hdr[l3 + 19];
    const bool complete = is_ipv4 && ihl >= 20 && total >= ihl && frame_len >= l3 + total;
    const uint16_t pseudo = ipv4_pseudo_header_sum(src, dst, protocol, uint16_t(total - ihl));
    return Ipv4CsumResult{is_ipv4, complete, protocol, csum_fold(ip_acc),
                          csum_add(csum_fold(l4_acc), pseudo)};
}

}  // namespace ftoe::kernel
