// tx_frame.hpp: the reference for tx_frame_build, one whole Ethernet/IPv4/TCP frame
// (no FCS) built from a segment descriptor and its payload bytes, both checksums filled.
// IPv4: version 4, IHL 5, DSCP/ECN 0, ID 0 with DF (RFC 6864: atomic datagram), TTL 64,
// protocol 6. TCP: urgent pointer 0; options NOP NOP Timestamps (RFC 7323 Appendix A
// layout, data offset 8) when ts_enable, else none (data offset 5). The TCP checksum is
// computed from the pseudo-header, the header and the descriptor's payload_sum (the
// RFC 1071 sum of the payload bytes from an even offset), exactly as the RTL does:
// cut-through, the payload bytes are only copied. Frames under 60 bytes are padded with
// zeros to 60; the padding is outside the IPv4 total length and the checksums.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "csum.hpp"

namespace ftoe::kernel {

struct TxFrameDesc {
    uint64_t dst_mac = 0, src_mac = 0;   // 48 bits, first byte on the wire is bits 47:40
    uint32_t src_ip = 0, dst_ip = 0;
    uint16_t src_port = 0, dst_port = 0;
    uint32_t seq = 0, ack = 0;
    uint8_t flags = 0;                   // CWR ECE URG ACK PSH RST SYN FIN (bit 7..0)
    uint16_t window = 0;                 // raw field
    bool ts_enable = false;
    uint32_t tsval = 0, tsecr = 0;
    uint16_t payload_len = 0;
    uint16_t payload_sum = 0;            // ones'-complement sum of the payload bytes
};

constexpr std::size_t kTxEthLen = 14, kTxIpLen = 20, kTxMinFrame = 60;

inline std::size_t tx_frame_header_len(const TxFrameDesc& d) {
    return kTxEthLen + kTxIpLen + (d.ts_enable ? 32u : 20u);
}

namespace tx_frame_detail {
inline void put16(std::vector<uint8_t>& f, std::size_t at, uint16_t v) {
    f[at] = uint8_t(v >> 8);
    f[at + 1] = uint8_t(v);
}
inline void put32(std::vector<uint8_t>& f, std::size_t at, uint32_t v) {
    put16(f, at, uint16_t(v >> 16));
    put16(f, at + 2, uint16_t(v));
}
inline void put48(std::vector<uint8_t>& f, std::size_t at, uint64_t v) {
    put16(f, at, uint16_t(v >> 32));
    put32(f, at + 2, uint32_t(v));
}
}  // namespace tx_frame_detail

// RFC 1071 sum of payload bytes as if they started at an even offset (what the payload
// holder supplies as payload_sum).
inline uint16_t tx_payload_sum(const uint8_t* p, std::size_t n) { return csum_bytes(p, n); }

// The frame bytes; `payload` must hold d.payload_len bytes (not checked against
// payload_sum: a wrong payload_sum yields a wrong TCP checksum, as in the RTL).
inline std::vector<uint8_t> tx_frame_build(const TxFrameDesc& d, const uint8_t* payload) {
    using namespace tx_frame_detail;
    const std::size_t hdr = tx_frame_header_len(d);
    const std::size_t tcp_hlen = hdr - kTxEthLen - kTxIpLen;
    const std::size_t len = hdr + d.payload_len;
    std::vector<uint8_t> f(len < kTxMinFrame ? kTxMinFrame : len, 0);
    put48(f, 0, d.dst_mac);
    put48(f, 6, d.src_mac);
    put16(f, 12, 0x0800);
    // IPv4
    const uint16_t total = uint16_t(kTxIpLen + tcp_hlen + d.payload_len);
    f[14] = 0x45;
    f[15] = 0x00;
    put16(f, 16, total);
    put16(f, 18, 0x0000);                // identification
    put16(f, 20, 0x4000);                // DF, fragment offset 0
    f[22] = 64;
    f[23] = 6;
    put32(f, 26, d.src_ip);
    put32(f, 30, d.dst_ip);
    put16(f, 24, uint16_t(~csum_bytes(&f[14], kTxIpLen)));
    // TCP
    const std::size_t t = kTxEthLen + kTxIpLen;
    put16(f, t + 0, d.src_port);
    put16(f, t + 2, d.dst_port);
    put32(f, t + 4, d.seq);
    put32(f, t + 8, d.ack);
    f[t + 12] = uint8_t((tcp_hlen / 4) << 4);
    f[t + 13] = d.flags;
    put16(f, t + 14, d.window);
    put16(f, t + 18, 0);                 // urgent pointer
    if (d.ts_enable) {
        f[t + 20] = 1;
        f[t + 21] = 1;
        f[t + 22] = 8;
        f[t + 23] = 10;
        put32(f, t + 24, d.tsval);
        put32(f, t + 28, d.tsecr);
    }
    uint16_t sum = ipv4_pseudo_header_sum(d.src_ip, d.dst_ip, 6,
                                          uint16_t(tcp_hlen + d.payload_len));
    sum = csum_bytes(&f[t], tcp_hlen, sum);
    // tcp_hlen is even, so the payload starts at an even offset of the segment.
    sum = csum_add(sum, d.payload_sum);
    put16(f, t + 16, uint16_t(~sum));
    for (std::size_t i = 0; i < d.payload_len; ++i) f[hdr + i] = payload[i];
    return f;
}

}  // namespace ftoe::kernel
