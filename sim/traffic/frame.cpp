#include "frame.hpp"

#include <stdexcept>

#include "csum.hpp"

namespace ftoe::sim {
namespace {

void put16(Bytes& b, std::size_t at, uint16_t v) {
    b[at] = uint8_t(v >> 8);
    b[at + 1] = uint8_t(v);
}
void put32(Bytes& b, std::size_t at, uint32_t v) {
    put16(b, at, uint16_t(v >> 16));
    put16(b, at + 2, uint16_t(v));
}
Bytes padded_to_words(const Bytes& options) {
    Bytes out = options;
    while (out.size() % 4) out.push_back(0);  // EOL
    return out;
}

}  // namespace

Bytes build_tcp_frame(const TcpFrameSpec& spec) {
    const Bytes ip_opts = padded_to_words(spec.ip_options);
    const Bytes tcp_opts = padded_to_words(spec.tcp_options);
    if (ip_opts.size() > 40 || tcp_opts.size() > 40)
        throw std::invalid_argument("build_tcp_frame: IPv4 and TCP options are at most 40 bytes");
    const std::size_t l2 = spec.vlan_id >= 0 ? 18 : 14;
    const std::size_t ihl = 20 + ip_opts.size();
    const std::size_t thl = 20 + tcp_opts.size();
    const std::size_t total = ihl + thl + spec.payload.size();
    if (total > 65535) throw std::invalid_argument("build_tcp_frame: datagram over 65535 bytes");

    Bytes f(l2 + total, 0);
    std::copy(spec.dst_mac.begin(), spec.dst_mac.end(), f.begin());
    std::copy(spec.src_mac.begin(), spec.src_mac.end(), f.begin() + 6);
    if (spec.vlan_id >= 0) {
        put16(f, 12, kEtherTypeVlan);
        put16(f, 14, uint16_t(spec.vlan_id & 0x0fff));
    }
    put16(f, l2 - 2, kEtherTypeIpv4);

    const std::size_t ip = l2;
    f[ip] = uint8_t(0x40 | (ihl / 4));
    put16(f, ip + 2, uint16_t(total));
    put16(f, ip + 4, spec.ip_id);
    put16(f, ip + 6, 0x4000);  // DF
    f[ip + 8] = spec.ttl;
    f[ip + 9] = kIpProtoTcp;
    put32(f, ip + 12, spec.src_ip);
    put32(f, ip + 16, spec.dst_ip);
    std::copy(ip_opts.begin(), ip_opts.end(), f.begin() + long(ip + 20));
    put16(f, ip + 10, uint16_t(~kernel::csum_bytes(&f[ip], ihl)));

    const std::size_t tcp = ip + ihl;
    put16(f, tcp, spec.src_port);
    put16(f, tcp + 2, spec.dst_port);
    put32(f, tcp + 4, spec.seq);
    put32(f, tcp + 8, spec.ack);
    f[tcp + 12] = uint8_t((thl / 4) << 4);
    f[tcp + 13] = spec.flags;
    put16(f, tcp + 14, spec.window);
    std::copy(tcp_opts.begin(), tcp_opts.end(), f.begin() + long(tcp + 20));
    std::copy(spec.payload.begin(), spec.payload.end(), f.begin() + long(tcp + thl));
    const uint16_t pseudo = kernel::ipv4_pseudo_header_sum(spec.src_ip, spec.dst_ip, kIpProtoTcp,
                                                           uint16_t(total - ihl));
    put16(f, tcp + 16, uint16_t(~kernel::csum_bytes(&f[tcp], total - ihl, pseudo)));

    if (f.size() < 60) f.resize(60, 0);  // Ethernet minimum without FCS
    return f;
}

void refresh_checksums(Bytes& f) {
    const std::size_t l3 = l3_offset(f);
    if (f.size() < l3 + 20) return;
    const std::size_t ihl = std::size_t(f[l3] & 0x0f) * 4;
    if (ihl < 20 || f.size() < l3 + ihl) return;
    put16(f, l3 + 10, 0);
    put16(f, l3 + 10, uint16_t(~kernel::csum_bytes(&f[l3], ihl)));
    const std::size_t total = std::size_t(f[l3 + 2]) << 8 | f[l3 + 3];
    const uint8_t proto = f[l3 + 9];
    const std::size_t field = proto == kIpProtoTcp ? 16 : proto == kIpProtoUdp ? 6 : 0;
    if (field == 0 || total < ihl + field + 2 || f.size() < l3 + total) return;
    const std::size_t l4 = l3 + ihl;
    const auto be32 = [&](std::size_t at) {
        return uint32_t(f[at]) << 24 | uint32_t(f[at + 1]) << 16 | uint32_t(f[at + 2]) << 8 | f[at + 3];
    };
    put16(f, l4 + field, 0);
    const uint16_t pseudo = kernel::ipv4_pseudo_header_sum(be32(l3 + 12), be32(l3 + 16), proto,
                                                           uint16_t(total - ihl));
    put16(f, l4 + field, uint16_t(~kernel::csum_bytes(&f[l4], total - ihl, pseudo)));
}

Bytes random_tcp_frame(std::mt19937_64& rng, int max_payload) {
    auto uni = [&](uint64_t lo, uint64_t hi) {
        return std::uniform_int_distribution<uint64_t>(lo, hi)(rng);
    };
    TcpFrameSpec s;
    s.vlan_id = uni(0, 9) == 0 ? int(uni(1, 4094)) : -1;
    s.src_ip = 0x0a000000 | uint32_t(uni(1, 0xfffe));
    s.dst_ip = 0x0a010000 | uint32_t(uni(1, 0xfffe));
    s.ip_id = uint16_t(uni(0, 0xffff));
    s.src_port = uint16_t(uni(1024, 65535));
    s.dst_port = uint16_t(uni(1, 65535));
    s.seq = uint32_t(uni(0, 0xffffffff));
    s.ack = uint32_t(uni(0, 0xffffffff));
    s.window = uint16_t(uni(0, 0xffff));
    // Timestamps as Linux sends them: NOP NOP TS(10).
    s.tcp_options = {1, 1, 8, 10};
    for (int i = 0; i < 8; i++) s.tcp_options.push_back(uint8_t(uni(0, 255)));
    if (uni(0, 7) == 0) {  // a SACK block now and then
        s.tcp_options.insert(s.tcp_options.end(), {1, 1, 5, 10});
        for (int i = 0; i < 8; i++) s.tcp_options.push_back(uint8_t(uni(0, 255)));
    }
    // IMIX-like: mostly pure ACKs and full segments, some in between.
    const uint64_t pick = uni(0, 11);
    const uint64_t max = uint64_t(max_payload);
    const std::size_t len = pick < 7 ? 0 : pick < 11 ? std::size_t(max) : std::size_t(uni(1, max));
    s.payload.resize(len);
    for (auto& b : s.payload) b = uint8_t(uni(0, 255));
    return build_tcp_frame(s);
}

}  // namespace ftoe::sim
