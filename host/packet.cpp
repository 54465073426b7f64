// packet.cpp: see packet.hpp for the checks, their order and the layouts built.
// Every read goes through a bounds check against the length the caller gave.
#include "packet.hpp"

#include <algorithm>
#include <stdexcept>

namespace ftoe::host {

namespace {

uint16_t rd16(const uint8_t* p) { return uint16_t(uint16_t(p[0]) << 8 | p[1]); }
uint32_t rd32(const uint8_t* p) {
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3];
}
void wr16(uint8_t* p, uint16_t v) {
    p[0] = uint8_t(v >> 8);
    p[1] = uint8_t(v);
}
void put16(Bytes& b, uint16_t v) {
    const uint8_t w[2] = {uint8_t(v >> 8), uint8_t(v)};
    b.insert(b.end(), w, w + 2);
}
void put32(Bytes& b, uint32_t v) {
    const uint8_t w[4] = {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
    b.insert(b.end(), w, w + 4);
}
MacAddress rd_mac(const uint8_t* p) {
    MacAddress m;
    std::copy(p, p + 6, m.begin());
    return m;
}
void put_mac(Bytes& b, const MacAddress& m) { b.insert(b.end(), m.begin(), m.end()); }

void pad_frame(Bytes& f) {
    if (f.size() < kMinFrameBytes) f.resize(kMinFrameBytes, 0);
}

// Exact lengths of the known options (0: any length, checked elsewhere).
bool option_length_ok(uint8_t kind, uint8_t len) {
    switch (kind) {
    case 2: return len == 4;   // MSS
    case 3: return len == 3;   // window scale
    case 4: return len == 2;   // SACK permitted
    case 5: return len >= 10 && len <= 34 && (len - 2) % 8 == 0;  // SACK, 1..4 blocks
    case 8: return len == 10;  // timestamps
    default: return true;
    }
}

}  // namespace

const char* parse_error_name(ParseError e) {
    switch (e) {
    case ParseError::kOk: return "ok";
    case ParseError::kTruncated: return "truncated";
    case ParseError::kUnsupportedEtherType: return "unsupported-ethertype";
    case ParseError::kBadArp: return "bad-arp";
    case ParseError::kNotIpv4: return "not-ipv4";
    case ParseError::kBadIpHeaderLength: return "bad-ip-header-length";
    case ParseError::kBadLength: return "bad-length";
    case ParseError::kBadIpChecksum: return "bad-ip-checksum";
    case ParseError::kFragment: return "fragment";
    case ParseError::kBadTcpOffset: return "bad-tcp-offset";
    case ParseError::kBadTcpOptions: return "bad-tcp-options";
    case ParseError::kBadTcpChecksum: return "bad-tcp-checksum";
    case ParseError::kBadIcmpChecksum: return "bad-icmp-checksum";
    }
    return "?";
}

uint64_t checksum_add(uint64_t sum, const uint8_t* data, std::size_t len) {
    std::size_t i = 0;
    for (; i + 1 < len; i += 2) sum += rd16(data + i);
    if (i < len) sum += uint64_t(data[i]) << 8;
    return sum;
}

uint16_t checksum_fold(uint64_t sum) {
    while (sum >> 16) sum = (sum & 0xFFFF) + (sum >> 16);
    return uint16_t(~sum & 0xFFFF);
}

uint64_t pseudo_header_sum(uint32_t src, uint32_t dst, uint8_t protocol, uint16_t l4_length) {
    return uint64_t(src >> 16) + (src & 0xFFFF) + (dst >> 16) + (dst & 0xFFFF) + protocol +
           l4_length;
}

Parsed<TcpOptions> parse_tcp_options(const uint8_t* opts, std::size_t len) {
    Parsed<TcpOptions> r;
    TcpOptions& o = r.value;
    std::size_t p = 0;
    while (p < len) {
        const uint8_t kind = opts[p];
        if (kind == 0) break;  // EOL
        if (kind == 1) {       // NOP
            ++p;
            continue;
        }
        if (p + 1 >= len) {  // no length byte
            r.error = ParseError::kBadTcpOptions;
            return r;
        }
        const uint8_t olen = opts[p + 1];
        if (olen < 2 || olen > len - p || !option_length_ok(kind, olen)) {
            r.error = ParseError::kBadTcpOptions;
            return r;
        }
        const uint8_t* v = opts + p + 2;  // olen - 2 value bytes, all inside the list
        switch (kind) {
        case 2:
            o.has_mss = true;
            o.mss = rd16(v);
            break;
        case 3:
            o.has_wscale = true;
            o.wscale = v[0];
            break;
        case 4: o.sack_permitted = true; break;
        case 5:
            o.sack_count = uint8_t((olen - 2) / 8);
            for (uint8_t i = 0; i < o.sack_count; ++i) {
                o.sack[i].left = rd32(v + 8 * i);
                o.sack[i].right = rd32(v + 8 * i + 4);
            }
            break;
        case 8:
            o.has_ts = true;
            o.tsval = rd32(v);
            o.tsecr = rd32(v + 4);
            break;
        default:
            if (o.unknown < 255) ++o.unknown;
            break;
        }
        p += olen;
    }
    return r;
}

namespace {

ParseError parse_tcp(const uint8_t* seg, std::size_t len, const Ipv4Header& ip,
                     const ParseOptions& po, TcpHeader& t) {
    if (len < kTcpHeaderBytes) return ParseError::kTruncated;
    t.src_port = rd16(seg);
    t.dst_port = rd16(seg + 2);
    t.seq = rd32(seg + 4);
    t.ack = rd32(seg + 8);
    t.header_bytes = std::size_t(seg[12] >> 4) * 4;
    t.flags = seg[13];
    t.window = rd16(seg + 14);
    t.checksum = rd16(seg + 16);
    t.urgent = rd16(seg + 18);
    if (t.header_bytes < kTcpHeaderBytes || t.header_bytes > len) return ParseError::kBadTcpOffset;
    const Parsed<TcpOptions> o =
        parse_tcp_options(seg + kTcpHeaderBytes, t.header_bytes - kTcpHeaderBytes);
    if (!o.ok()) return o.error;
    t.options = o.value;
    if (po.verify_checksums) {
        // len <= 65535 - 20 here: the datagram's total length is a 16-bit field.
        const uint64_t sum = pseudo_header_sum(ip.src, ip.dst, ip_proto::kTcp, uint16_t(len));
        if (checksum_fold(checksum_add(sum, seg, len)) != 0) return ParseError::kBadTcpChecksum;
    }
    return ParseError::kOk;
}

}  // namespace

Parsed<ParsedFrame> parse_frame(const uint8_t* frame, std::size_t len, const ParseOptions& po) {
    Parsed<ParsedFrame> r;
    ParsedFrame& f = r.value;
    auto fail = [&r](ParseError e) {
        r.error = e;
        return r;
    };
    if (frame == nullptr || len < kEthHeaderBytes) return fail(ParseError::kTruncated);
    f.eth.dst = rd_mac(frame);
    f.eth.src = rd_mac(frame + 6);
    f.eth.ether_type = rd16(frame + 12);
    f.eth.header_bytes = kEthHeaderBytes;
    if (f.eth.ether_type == ether_type::kVlan) {
        if (len < kEthHeaderBytes + kVlanTagBytes) return fail(ParseError::kTruncated);
        f.eth.has_vlan = true;
        f.eth.vlan_tci = rd16(frame + 14);
        f.eth.ether_type = rd16(frame + 16);
        f.eth.header_bytes = kEthHeaderBytes + kVlanTagBytes;
    }
    const std::size_t l3 = f.eth.header_bytes;
    f.l3_offset = l3;
    const uint8_t* p = frame + l3;
    const std::size_t n = len - l3;

    if (f.eth.ether_type == ether_type::kArp) {
        f.kind = FrameKind::kArp;
        if (n < kArpBytes) return fail(ParseError::kTruncated);
        ArpMessage& a = f.arp;
        if (rd16(p) != 1 || rd16(p + 2) != ether_type::kIpv4 || p[4] != 6 || p[5] != 4)
            return fail(ParseError::kBadArp);
        a.op = rd16(p + 6);
        if (a.op != arp_op::kRequest && a.op != arp_op::kReply) return fail(ParseError::kBadArp);
        a.sender_mac = rd_mac(p + 8);
        a.sender_ip = rd32(p + 14);
        a.target_mac = rd_mac(p + 18);
        a.target_ip = rd32(p + 24);
        return r;
    }
    if (f.eth.ether_type != ether_type::kIpv4) return fail(ParseError::kUnsupportedEtherType);

    if (n < kIpv4HeaderBytes) return fail(ParseError::kTruncated);
    Ipv4Header& ip = f.ip;
    if ((p[0] >> 4) != 4) return fail(ParseError::kNotIpv4);
    ip.header_bytes = std::size_t(p[0] & 0x0F) * 4;
    if (ip.header_bytes < kIpv4HeaderBytes) return fail(ParseError::kBadIpHeaderLength);
    ip.tos = p[1];
    ip.total_length = rd16(p + 2);
    ip.id = rd16(p + 4);
    const uint16_t frag = rd16(p + 6);
    ip.df = (frag & 0x4000) != 0;
    ip.mf = (frag & 0x2000) != 0;
    ip.fragment_offset = frag & 0x1FFF;
    ip.ttl = p[8];
    ip.protocol = p[9];
    ip.checksum = rd16(p + 10);
    ip.src = rd32(p + 12);
    ip.dst = rd32(p + 16);
    if (ip.total_length < ip.header_bytes) return fail(ParseError::kBadLength);
    if (ip.total_length > n) return fail(ParseError::kTruncated);
    if (po.verify_checksums && checksum_fold(checksum_add(0, p, ip.header_bytes)) != 0)
        return fail(ParseError::kBadIpChecksum);
    if (ip.mf || ip.fragment_offset != 0) return fail(ParseError::kFragment);

    f.l4_offset = l3 + ip.header_bytes;
    f.l4_bytes = std::size_t(ip.total_length) - ip.header_bytes;
    const uint8_t* l4 = frame + f.l4_offset;

    if (ip.protocol == ip_proto::kTcp) {
        f.kind = FrameKind::kTcp;
        const ParseError e = parse_tcp(l4, f.l4_bytes, ip, po, f.tcp);
        if (e != ParseError::kOk) return fail(e);
        f.payload_offset = f.l4_offset + f.tcp.header_bytes;
        f.payload_bytes = f.l4_bytes - f.tcp.header_bytes;
        return r;
    }
    if (ip.protocol == ip_proto::kIcmp) {
        f.kind = FrameKind::kIcmp;
        if (f.l4_bytes < kIcmpHeaderBytes) return fail(ParseError::kTruncated);
        f.icmp.type = l4[0];
        f.icmp.code = l4[1];
        f.icmp.checksum = rd16(l4 + 2);
        f.icmp.rest = rd32(l4 + 4);
        if (po.verify_checksums && checksum_fold(checksum_add(0, l4, f.l4_bytes)) != 0)
            return fail(ParseError::kBadIcmpChecksum);
        f.payload_offset = f.l4_offset + kIcmpHeaderBytes;
        f.payload_bytes = f.l4_bytes - kIcmpHeaderBytes;
        return r;
    }
    f.kind = FrameKind::kOtherIpv4;
    f.payload_offset = f.l4_offset;
    f.payload_bytes = f.l4_bytes;
    return r;
}

// ---- building ----

Bytes build_tcp_options(const TcpOptions& o) {
    Bytes b;
    b.reserve(40);
    if (o.has_mss) {
        b.push_back(2);
        b.push_back(4);
        put16(b, o.mss);
    }
    if (o.has_ts) {
        if (o.sack_permitted) {
            b.push_back(4);
            b.push_back(2);
        } else {
            b.push_back(1);
            b.push_back(1);
        }
        b.push_back(8);
        b.push_back(10);
        put32(b, o.tsval);
        put32(b, o.tsecr);
    } else if (o.sack_permitted) {
        b.insert(b.end(), {1, 1, 4, 2});
    }
    if (o.has_wscale) b.insert(b.end(), {1, 3, 3, o.wscale});
    std::size_t blocks = std::min<std::size_t>(o.sack_count, 4);
    while (blocks > 0 && b.size() + 4 + 8 * blocks > kTcpMaxOptionBytes) --blocks;
    if (blocks > 0) {
        b.insert(b.end(), {1, 1, 5, uint8_t(2 + 8 * blocks)});
        for (std::size_t i = 0; i < blocks; ++i) {
            put32(b, o.sack[i].left);
            put32(b, o.sack[i].right);
        }
    }
    return b;  // every piece above is a multiple of 4 bytes
}

namespace {

// Ethernet + IPv4 header for a datagram of `l4_len` payload bytes; the IPv4 checksum is
// filled when asked.
Bytes start_ipv4_frame(const MacAddress& src_mac, const MacAddress& dst_mac,
                       const Ipv4Fields& ip, uint8_t protocol, std::size_t l4_len,
                       const BuildOptions& b) {
    const std::size_t total = kIpv4HeaderBytes + l4_len;
    if (total > 0xFFFF) throw std::length_error("IPv4 datagram over 65535 bytes");
    Bytes f;
    f.reserve(std::max(kMinFrameBytes, kEthHeaderBytes + total));
    put_mac(f, dst_mac);
    put_mac(f, src_mac);
    put16(f, ether_type::kIpv4);
    f.push_back(0x45);
    f.push_back(ip.tos);
    put16(f, uint16_t(total));
    put16(f, ip.id);
    put16(f, ip.df ? 0x4000 : 0);
    f.push_back(ip.ttl);
    f.push_back(protocol);
    put16(f, 0);
    put32(f, ip.src);
    put32(f, ip.dst);
    if (b.fill_checksums)
        wr16(&f[kEthHeaderBytes + 10],
             checksum_fold(checksum_add(0, &f[kEthHeaderBytes], kIpv4HeaderBytes)));
    return f;
}

}  // namespace

Bytes build_ipv4_frame(const MacAddress& src_mac, const MacAddress& dst_mac,
                       const Ipv4Fields& ip, uint8_t protocol, const uint8_t* payload,
                       std::size_t payload_len, const BuildOptions& b) {
    Bytes f = start_ipv4_frame(src_mac, dst_mac, ip, protocol, payload_len, b);
    if (payload_len > 0) f.insert(f.end(), payload, payload + payload_len);
    pad_frame(f);
    return f;
}

Bytes build_tcp_frame(const TcpSegmentSpec& s, const BuildOptions& b) {
    const Bytes opts = build_tcp_options(s.options);
    const std::size_t hdr = kTcpHeaderBytes + opts.size();
    const std::size_t l4_len = hdr + s.payload.size();
    Bytes f = start_ipv4_frame(s.src_mac, s.dst_mac, s.ip, ip_proto::kTcp, l4_len, b);
    const std::size_t l4 = f.size();
    put16(f, s.src_port);
    put16(f, s.dst_port);
    put32(f, s.seq);
    put32(f, s.ack);
    f.push_back(uint8_t((hdr / 4) << 4));
    f.push_back(s.flags);
    put16(f, s.window);
    put16(f, 0);  // checksum
    put16(f, s.urgent);
    f.insert(f.end(), opts.begin(), opts.end());
    f.insert(f.end(), s.payload.begin(), s.payload.end());
    if (b.fill_checksums) {
        const uint64_t sum =
            pseudo_header_sum(s.ip.src, s.ip.dst, ip_proto::kTcp, uint16_t(l4_len));
        wr16(&f[l4 + 16], checksum_fold(checksum_add(sum, &f[l4], l4_len)));
    }
    pad_frame(f);
    return f;
}

Bytes build_icmp_echo_frame(const IcmpEchoSpec& s, const BuildOptions& b) {
    const std::size_t l4_len = kIcmpHeaderBytes + s.data.size();
    Bytes f = start_ipv4_frame(s.src_mac, s.dst_mac, s.ip, ip_proto::kIcmp, l4_len, b);
    const std::size_t l4 = f.size();
    f.push_back(s.type);
    f.push_back(0);  // code
    put16(f, 0);     // checksum
    put16(f, s.id);
    put16(f, s.seq);
    f.insert(f.end(), s.data.begin(), s.data.end());
    if (b.fill_checksums) wr16(&f[l4 + 2], checksum_fold(checksum_add(0, &f[l4], l4_len)));
    pad_frame(f);
    return f;
}

Bytes build_icmp_echo_reply(const uint8_t* frame, std::size_t len, const ParsedFrame& req,
                            const MacAddress& our_mac, const Ipv4Fields& ip,
                            const BuildOptions& b) {
    if (req.kind != FrameKind::kIcmp || req.icmp.type != icmp_type::kEchoRequest)
        throw std::invalid_argument("build_icmp_echo_reply: not an ICMP echo request");
    if (req.payload_offset > len || req.payload_bytes > len - req.payload_offset)
        throw std::invalid_argument("build_icmp_echo_reply: request data outside the frame");
    IcmpEchoSpec s;
    s.src_mac = our_mac;
    s.dst_mac = req.eth.src;
    s.ip = ip;
    s.ip.src = req.ip.dst;
    s.ip.dst = req.ip.src;
    s.type = icmp_type::kEchoReply;
    s.id = req.icmp.echo_id();
    s.seq = req.icmp.echo_seq();
    s.data.assign(frame + req.payload_offset, frame + req.payload_offset + req.payload_bytes);
    return build_icmp_echo_frame(s, b);
}

Bytes build_arp_frame(const MacAddress& eth_dst, const ArpMessage& m) {
    Bytes f;
    f.reserve(kMinFrameBytes);
    put_mac(f, eth_dst);
    put_mac(f, m.sender_mac);
    put16(f, ether_type::kArp);
    put16(f, 1);  // htype Ethernet
    put16(f, ether_type::kIpv4);
    f.push_back(6);
    f.push_back(4);
    put16(f, m.op);
    put_mac(f, m.sender_mac);
    put32(f, m.sender_ip);
    put_mac(f, m.target_mac);
    put32(f, m.target_ip);
    pad_frame(f);
    return f;
}

Bytes build_arp_request(const MacAddress& our_mac, uint32_t our_ip, uint32_t target_ip) {
    ArpMessage m;
    m.op = arp_op::kRequest;
    m.sender_mac = our_mac;
    m.sender_ip = our_ip;
    m.target_mac = MacAddress{};
    m.target_ip = target_ip;
    return build_arp_frame(kBroadcastMac, m);
}

Bytes build_arp_reply(const MacAddress& our_mac, const ArpMessage& request) {
    ArpMessage m;
    m.op = arp_op::kReply;
    m.sender_mac = our_mac;
    m.sender_ip = request.target_ip;
    m.target_mac = request.sender_mac;
    m.target_ip = request.sender_ip;
    return build_arp_frame(request.sender_mac, m);
}

}  // namespace ftoe::host
