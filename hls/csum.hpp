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

// Checksum sums of one Ethernet frame carrying IPv4 (and TCP or UDP), computed in one
// pass: `ip_header_sum` over the IPv4 header (IHL words, options included) and
// `l4_sum` over the L4 segment as bounded by the IPv4 total length (Ethernet padding
// excluded) plus the pseudo-header. Both are 0xFFFF for a frame with correct checksums.
struct Ipv4CsumResult {
    uint16_t ip_header_sum;
    uint16_t l4_sum;
    bool header_complete;  // the frame held the whole IPv4 header and total length
};

template <int DATA_W>
Ipv4CsumResult ipv4_l4_csum(hls::stream<AxisBeat<DATA_W>>& in, uint16_t l3_offset) {
    constexpr int kBytes = AxisBeat<DATA_W>::kBytes;
    uint64_t ip_acc = 0, l4_acc = 0;
    uint32_t src_ip = 0, dst_ip = 0;
    uint16_t total_len = 0;
    uint8_t ihl_bytes = 20, protocol = 0;
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
            if (!beat.kept(lane)) continue;
            const uint32_t off = base + uint32_t(lane);
            const uint8_t b = beat.byte(lane);
            frame_len = off + 1;
            if (off < l3_offset) continue;
            const uint32_t rel = off - l3_offset;  // offset inside the IPv4 datagram
            // Header fields, captured as they stream past.
            if (rel == 0) ihl_bytes = uint8_t((b & 0x0f) * 4);
            if (rel == 2) total_len = uint16_t((total_len & 0x00ff) | (b << 8));
            if (rel == 3) total_len = uint16_t((total_len & 0xff00) | b);
            if (rel == 9) protocol = b;
            if (rel >= 12 && rel < 16) src_ip |= uint32_t(b) << (8 * (15 - rel));
            if (rel >= 16 && rel < 20) dst_ip |= uint32_t(b) << (8 * (19 - rel));
            // l3_offset may be odd in principle; pair bytes by their datagram offset.
            const uint32_t word_byte = (rel % 2 == 0) ? uint32_t(b) << 8 : b;
            if (rel < ihl_bytes) ip_acc += word_byte;
            else if (rel < total_len) l4_acc += word_byte;
        }
        base += kBytes;
    }
    // A truncated frame can't be verified; report it rather than a misleading sum.
    const bool complete = ihl_bytes >= 20 && total_len >= ihl_bytes &&
                          frame_len >= uint32_t(l3_offset) + total_len;
    const uint16_t l4_len = uint16_t(total_len - ihl_bytes);
    const uint16_t pseudo = ipv4_pseudo_header_sum(src_ip, dst_ip, protocol, l4_len);
    // IHL counts 4-byte words, so the L4 segment always starts at an even offset.
    return Ipv4CsumResult{csum_fold(ip_acc), csum_add(csum_fold(l4_acc), pseudo), complete};
}

}  // namespace ftoe::kernel
