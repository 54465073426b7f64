// eth_rx_parse.hpp: what the engine's receive parser makes of one Ethernet frame, the
// reference for rtl/parse/eth_rx_parse.sv. One frame in (bytes as the MAC delivers them,
// no FCS, plus the MAC's error flag), one descriptor out: the frame's reason code
// (driver/rx_reason.hpp) and, for TCP, every header field the fast path needs.
//
// The checks run in this order and the first that fails names the frame:
//   MAC error; runt (< 14 bytes, or < 18 with an 802.1Q tag); destination MAC neither
//   ours nor broadcast; ARP -> slow path; not IPv4 -> drop; IPv4 header (version 4,
//   IHL >= 5, total length >= IHL*4, whole datagram inside the frame); IPv4 checksum;
//   destination address ours; fragment -> slow path; ICMP, other protocols -> slow
//   path; TCP header (datagram >= 20 bytes, 5 <= data offset, header inside datagram);
//   TCP checksum; option list well-formed; no more options than the walk handles
//   (else slow path). Ethernet padding after the datagram is ignored.
#pragma once

#include <cstdint>

#include "csum.hpp"
#include "rx_reason.hpp"
#include "tcp_options.hpp"

namespace ftoe::kernel {

using driver::RxReason;

struct RxParseConfig {
    uint64_t our_mac = 0;  // 48 bits, first byte on the wire in bits 47:40
    uint32_t our_ip = 0;
    int max_options = 4;   // the RTL walk's MAX_OPTIONS
};

// Fields are meaningful when reason is kTcp (and the addresses for the slow path too).
struct RxMeta {
    RxReason reason = RxReason::kDropRunt;
    uint16_t frame_len = 0;  // bytes, saturating at 65535
    bool vlan = false;
    uint16_t vlan_tci = 0;
    uint64_t src_mac = 0;
    uint32_t src_ip = 0, dst_ip = 0;
    uint16_t src_port = 0, dst_port = 0;
    uint32_t seq = 0, ack = 0;
    uint8_t flags = 0;       // CWR ECE URG ACK PSH RST SYN FIN
    uint16_t window = 0;     // raw field
    uint16_t payload_off = 0, payload_len = 0;  // in the frame
    TcpOptions opts;
};

inline RxMeta eth_rx_parse(const uint8_t* f, int len, bool mac_error, const RxParseConfig& cfg) {
    RxMeta m;
    m.frame_len = uint16_t(len > 65535 ? 65535 : len);
    const auto b = [&](int i) -> uint32_t { return i < len ? f[i] : 0u; };
    const auto be16 = [&](int i) { return uint16_t(b(i) << 8 | b(i + 1)); };
    const auto be32 = [&](int i) { return uint32_t(be16(i)) << 16 | be16(i + 2); };
    const auto fail = [&](RxReason r) {
        m.reason = r;
        return m;
    };

    if (mac_error) return fail(RxReason::kDropMacError);
    m.vlan = len >= 14 && be16(12) == 0x8100;
    const int l3 = m.vlan ? 18 : 14;
    if (len < l3) return fail(RxReason::kDropRunt);
    uint64_t dst_mac = 0;
    for (int i = 0; i < 6; i++) {
        dst_mac = dst_mac << 8 | b(i);
        m.src_mac = m.src_mac << 8 | b(6 + i);
    }
    if (m.vlan) m.vlan_tci = be16(14);
    if (dst_mac != cfg.our_mac && dst_mac != 0xFFFFFFFFFFFFull) return fail(RxReason::kDropNotOurMac);
    const uint16_t ethertype = be16(l3 - 2);
    if (ethertype == 0x0806) return fail(RxReason::kSlowArp);
    if (ethertype != 0x0800) return fail(RxReason::kDropEtherType);

    const int ihl = int(b(l3) & 0xf) * 4;
    const int total = be16(l3 + 2);
    if ((b(l3) >> 4) != 4 || ihl < 20 || total < ihl || l3 + total > len)
        return fail(RxReason::kDropBadIpHeader);
    if (csum_bytes(f + l3, std::size_t(ihl)) != 0xFFFF) return fail(RxReason::kDropIpChecksum);
    m.src_ip = be32(l3 + 12);
    m.dst_ip = be32(l3 + 16);
    if (m.dst_ip != cfg.our_ip) return fail(RxReason::kDropNotOurIp);
    if (be16(l3 + 6) & 0x3FFF) return fail(RxReason::kSlowFragment);  // MF or an offset
    const uint8_t proto = uint8_t(b(l3 + 9));
    if (proto == 1) return fail(RxReason::kSlowIcmp);
    if (proto != 6) return fail(RxReason::kSlowOtherProto);

    const int l4 = l3 + ihl;
    const int l4_len = total - ihl;
    const int doff = int(b(l4 + 12) >> 4) * 4;
    if (l4_len < 20 || doff < 20 || doff > l4_len) return fail(RxReason::kDropBadTcpHeader);
    const uint16_t pseudo = ipv4_pseudo_header_sum(m.src_ip, m.dst_ip, proto, uint16_t(l4_len));
    if (csum_bytes(f + l4, std::size_t(l4_len), pseudo) != 0xFFFF)
        return fail(RxReason::kDropTcpChecksum);
    m.src_port = be16(l4);
    m.dst_port = be16(l4 + 2);
    m.seq = be32(l4 + 4);
    m.ack = be32(l4 + 8);
    m.flags = uint8_t(b(l4 + 13));
    m.window = be16(l4 + 14);
    m.payload_off = uint16_t(l4 + doff);
    m.payload_len = uint16_t(l4_len - doff);
    m.opts = tcp_options_parse(f + l4 + 20, doff - 20, cfg.max_options);
    if (m.opts.malformed) return fail(RxReason::kDropBadTcpOptions);
    if (m.opts.too_many) return fail(RxReason::kSlowTcpOptions);
    m.reason = RxReason::kTcp;
    return m;
}

}  // namespace ftoe::kernel
