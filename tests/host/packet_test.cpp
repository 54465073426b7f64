// Frames of the host slow path (packet.hpp): known byte layouts for ARP, ICMP echo and a
// SYN-ACK (reference bytes produced once with python3-scapy 2.5 and pasted here), build
// -> parse round trips, checksums against a straightforward RFC 1071 sum written here,
// every ParseError produced by the malformation it names, TCP option list rules, and
// 50,000 seeded random mutations that must parse or fail cleanly without reading past
// the buffer (each input sits in its own exact-size heap block, so ASan catches any
// over-read in the asan preset).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <random>
#include <string>

#include "packet.hpp"

namespace ftoe::host {
namespace {

Bytes from_hex(const std::string& hex) {
    Bytes b;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2)
        b.push_back(uint8_t(std::stoul(hex.substr(i, 2), nullptr, 16)));
    return b;
}

std::string to_hex(const Bytes& b) {
    static const char* d = "0123456789abcdef";
    std::string s;
    for (uint8_t x : b) {
        s.push_back(d[x >> 4]);
        s.push_back(d[x & 15]);
    }
    return s;
}

// The RFC 1071 sum the simple way: 16-bit words added one at a time with end-around
// carry, an odd byte as the high half of a last word, then complemented.
uint16_t reference_checksum(const Bytes& data) {
    uint32_t sum = 0;
    for (std::size_t i = 0; i < data.size(); i += 2) {
        uint32_t word = uint32_t(data[i]) << 8;
        if (i + 1 < data.size()) word |= data[i + 1];
        sum += word;
        if (sum > 0xFFFF) sum = (sum & 0xFFFF) + 1;
    }
    return uint16_t(~sum);
}

// 32-bit draws (mt19937's result_type is wider than uint32_t on LP64).
struct Rng {
    explicit Rng(uint32_t seed) : g(seed) {}
    uint32_t operator()() { return uint32_t(g()); }
    std::mt19937 g;
};

constexpr MacAddress kOurMac{0x02, 0, 0, 0, 0, 0x01};
constexpr MacAddress kPeerMac{0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
constexpr uint32_t kOurIp = 0xC0A8010A;   // 192.168.1.10
constexpr uint32_t kPeerIp = 0xC0A80101;  // 192.168.1.1

// scapy: Ether()/ARP(op=1, 02:00:00:00:00:01 192.168.1.10 -> who-has 192.168.1.1), padded
const char* kArpRequestHex =
    "ffffffffffff02000000000108060001080006040001020000000001c0a8010a000000000000c0a80101"
    "000000000000000000000000000000000000";
// scapy: 192.168.1.1 -> 192.168.1.10 echo request id 0x1234 seq 7, id 0x1c46, DF, TTL 64
const char* kEchoRequestHex =
    "02000000000152540012345608004500003c1c46400040019b1fc0a80101c0a8010a0800c08f12340007"
    "6162636465666768696a6b6c6d6e6f707172737475767778797a303132333435";
// scapy: its reply from 192.168.1.10 with IP id 0
const char* kEchoReplyHex =
    "52540012345602000000000108004500003c000040004001b765c0a8010ac0a801010000c88f12340007"
    "6162636465666768696a6b6c6d6e6f707172737475767778797a303132333435";
// scapy: SYN-ACK 192.168.1.10:80 -> 192.168.1.1:40000, seq 0x11223344 ack 0x55667788,
// window 65160, options MSS 1460, SAckOK, TS (0x01020304, 0x0a0b0c0d), NOP, WScale 7
const char* kSynAckHex =
    "52540012345602000000000108004500003c000040004006b760c0a8010ac0a8010100509c4011223344"
    "55667788a012fe88fe070000020405b40402080a010203040a0b0c0d01030307";

TcpSegmentSpec syn_ack_spec() {
    TcpSegmentSpec s;
    s.src_mac = kOurMac;
    s.dst_mac = kPeerMac;
    s.ip.src = kOurIp;
    s.ip.dst = kPeerIp;
    s.src_port = 80;
    s.dst_port = 40000;
    s.seq = 0x11223344;
    s.ack = 0x55667788;
    s.flags = tcp_bits::kSyn | tcp_bits::kAck;
    s.window = 65160;
    s.options.has_mss = true;
    s.options.mss = 1460;
    s.options.sack_permitted = true;
    s.options.has_ts = true;
    s.options.tsval = 0x01020304;
    s.options.tsecr = 0x0a0b0c0d;
    s.options.has_wscale = true;
    s.options.wscale = 7;
    return s;
}

TEST(Checksum, MatchesAStraightforwardRfc1071SumOnRandomBuffersOfEveryParity) {
    Rng rng(1);
    for (int trial = 0; trial < 2000; ++trial) {
        Bytes b(rng() % 200);
        for (auto& x : b) x = uint8_t(rng());
        if (trial % 7 == 0) std::fill(b.begin(), b.end(), 0xFF);  // maximal carries
        ASSERT_EQ(checksum_fold(checksum_add(0, b.data(), b.size())), reference_checksum(b))
            << "trial " << trial << " length " << b.size();
    }
}

TEST(Arp, RequestHasTheKnownByteLayout) {
    EXPECT_EQ(to_hex(build_arp_request(kOurMac, kOurIp, kPeerIp)), kArpRequestHex);
}

TEST(Arp, RequestParsesBackToItsFields) {
    const auto p = parse_frame(from_hex(kArpRequestHex));
    ASSERT_TRUE(p.ok()) << parse_error_name(p.error);
    EXPECT_EQ(p.value.kind, FrameKind::kArp);
    EXPECT_EQ(p.value.eth.dst, kBroadcastMac);
    EXPECT_EQ(p.value.arp.op, arp_op::kRequest);
    EXPECT_EQ(p.value.arp.sender_mac, kOurMac);
    EXPECT_EQ(p.value.arp.sender_ip, kOurIp);
    EXPECT_EQ(p.value.arp.target_ip, kPeerIp);
}

TEST(Arp, ReplyGoesToTheAskerWithOurMacForTheAskedAddress) {
    ArpMessage req;
    req.op = arp_op::kRequest;
    req.sender_mac = kPeerMac;
    req.sender_ip = kPeerIp;
    req.target_ip = kOurIp;
    const Bytes f = build_arp_reply(kOurMac, req);
    ASSERT_EQ(f.size(), kMinFrameBytes);
    const auto p = parse_frame(f);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p.value.eth.dst, kPeerMac);
    EXPECT_EQ(p.value.eth.src, kOurMac);
    EXPECT_EQ(p.value.arp.op, arp_op::kReply);
    EXPECT_EQ(p.value.arp.sender_mac, kOurMac);
    EXPECT_EQ(p.value.arp.sender_ip, kOurIp);
    EXPECT_EQ(p.value.arp.target_mac, kPeerMac);
    EXPECT_EQ(p.value.arp.target_ip, kPeerIp);
}

TEST(Arp, RejectsOtherHardwareProtocolAndLengthsAndOpcodes) {
    const Bytes good = from_hex(kArpRequestHex);
    for (std::size_t off : {14u, 15u, 16u, 17u, 18u, 19u, 20u, 21u}) {
        Bytes b = good;
        b[off] ^= 0x01;
        EXPECT_EQ(parse_frame(b).error, ParseError::kBadArp) << "byte " << off;
    }
    Bytes b = good;
    b[21] = 3;  // RARP request
    EXPECT_EQ(parse_frame(b).error, ParseError::kBadArp);
    EXPECT_EQ(parse_frame(good.data(), 14 + 27).error, ParseError::kTruncated);
    EXPECT_TRUE(parse_frame(good.data(), 14 + 28).ok());
}

TEST(Icmp, EchoRequestHasTheKnownByteLayout) {
    IcmpEchoSpec s;
    s.src_mac = kPeerMac;
    s.dst_mac = kOurMac;
    s.ip.src = kPeerIp;
    s.ip.dst = kOurIp;
    s.ip.id = 0x1c46;
    s.type = icmp_type::kEchoRequest;
    s.id = 0x1234;
    s.seq = 7;
    const std::string data = "abcdefghijklmnopqrstuvwxyz012345";
    s.data.assign(data.begin(), data.end());
    EXPECT_EQ(to_hex(build_icmp_echo_frame(s)), kEchoRequestHex);
}

TEST(Icmp, EchoReplyToARequestHasTheKnownBytesSameIdSeqDataAndSwappedAddresses) {
    const Bytes req = from_hex(kEchoRequestHex);
    const auto p = parse_frame(req);
    ASSERT_TRUE(p.ok()) << parse_error_name(p.error);
    ASSERT_EQ(p.value.kind, FrameKind::kIcmp);
    EXPECT_EQ(p.value.icmp.type, icmp_type::kEchoRequest);
    EXPECT_EQ(p.value.icmp.echo_id(), 0x1234);
    EXPECT_EQ(p.value.icmp.echo_seq(), 7);
    EXPECT_EQ(p.value.payload_bytes, 32u);
    const Bytes reply = build_icmp_echo_reply(req.data(), req.size(), p.value, kOurMac);
    EXPECT_EQ(to_hex(reply), kEchoReplyHex);
}

TEST(Icmp, EchoReplyRefusesAFrameThatIsNotAnEchoRequest) {
    const Bytes rep = from_hex(kEchoReplyHex);
    const auto p = parse_frame(rep);
    ASSERT_TRUE(p.ok());
    EXPECT_THROW(build_icmp_echo_reply(rep.data(), rep.size(), p.value, kOurMac),
                 std::invalid_argument);
}

TEST(Icmp, CorruptedEchoFailsItsChecksum) {
    Bytes req = from_hex(kEchoRequestHex);
    req[50] ^= 0x40;  // a data byte
    EXPECT_EQ(parse_frame(req).error, ParseError::kBadIcmpChecksum);
    ParseOptions no_verify;
    no_verify.verify_checksums = false;
    EXPECT_TRUE(parse_frame(req, no_verify).ok());
}

TEST(Tcp, SynAckWithAllOptionsHasLinuxLayoutAndKnownBytes) {
    const Bytes f = build_tcp_frame(syn_ack_spec());
    EXPECT_EQ(to_hex(f), kSynAckHex);
    // MSS | SACK_PERM,TS | tsval | tsecr | NOP,WS
    EXPECT_EQ(to_hex(build_tcp_options(syn_ack_spec().options)),
              "020405b404020" "80a010203040a0b0c0d01030307");
}

TEST(Tcp, OptionLayoutsMatchLinuxForEachCombination) {
    TcpOptions o;
    o.has_ts = true;
    o.tsval = 1;
    o.tsecr = 2;
    EXPECT_EQ(to_hex(build_tcp_options(o)), "0101080a0000000100000002");  // NOP NOP TS
    TcpOptions s;
    s.has_mss = true;
    s.mss = 536;
    s.sack_permitted = true;
    EXPECT_EQ(to_hex(build_tcp_options(s)), "0204021801010402");  // MSS NOP NOP SACK_PERM
    s.has_wscale = true;
    s.wscale = 14;
    EXPECT_EQ(to_hex(build_tcp_options(s)), "02040218010104020103030e");
    EXPECT_TRUE(build_tcp_options(TcpOptions{}).empty());
}

TEST(Tcp, SackBlocksThatDoNotFitInFortyBytesAreDroppedFromTheEnd) {
    TcpOptions o;
    o.has_ts = true;
    o.sack_count = 4;
    for (uint32_t i = 0; i < 4; ++i) o.sack[i] = {100 * i, 100 * i + 50};
    const Bytes b = build_tcp_options(o);
    EXPECT_EQ(b.size(), 40u);  // NOP NOP TS (12) + NOP NOP SACK 3 blocks (28)
    const auto p = parse_tcp_options(b.data(), b.size());
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p.value.sack_count, 3);
    EXPECT_EQ(p.value.sack[2].left, 200u);
    EXPECT_EQ(p.value.sack[2].right, 250u);
    o.has_ts = false;
    EXPECT_EQ(build_tcp_options(o).size(), 36u);  // all four blocks fit
}

TEST(Tcp, BuildThenParseRoundTripsEveryFieldOnRandomSegments) {
    Rng rng(7);
    for (int trial = 0; trial < 3000; ++trial) {
        TcpSegmentSpec s;
        for (auto& x : s.src_mac) x = uint8_t(rng());
        for (auto& x : s.dst_mac) x = uint8_t(rng());
        s.ip.src = rng();
        s.ip.dst = rng();
        s.ip.id = uint16_t(rng());
        s.ip.ttl = uint8_t(rng());
        s.ip.tos = uint8_t(rng());
        s.ip.df = rng() & 1;
        s.src_port = uint16_t(rng());
        s.dst_port = uint16_t(rng());
        s.seq = rng();
        s.ack = rng();
        s.flags = uint8_t(rng());
        s.window = uint16_t(rng());
        s.urgent = uint16_t(rng());
        TcpOptions& o = s.options;
        o.has_mss = rng() & 1;
        o.mss = uint16_t(rng());
        o.has_wscale = rng() & 1;
        o.wscale = uint8_t(rng() % 15);
        o.sack_permitted = rng() & 1;
        o.has_ts = rng() & 1;
        o.tsval = rng();
        o.tsecr = rng();
        o.sack_count = uint8_t(rng() % 5);
        for (auto& sb : o.sack) sb = {uint32_t(rng()), uint32_t(rng())};
        s.payload.resize(rng() % 1500);
        for (auto& x : s.payload) x = uint8_t(rng());

        const Bytes f = build_tcp_frame(s);
        const auto p = parse_frame(f);
        ASSERT_TRUE(p.ok()) << "trial " << trial << ": " << parse_error_name(p.error);
        const ParsedFrame& r = p.value;
        ASSERT_EQ(r.kind, FrameKind::kTcp);
        EXPECT_EQ(r.eth.src, s.src_mac);
        EXPECT_EQ(r.eth.dst, s.dst_mac);
        EXPECT_EQ(r.ip.src, s.ip.src);
        EXPECT_EQ(r.ip.dst, s.ip.dst);
        EXPECT_EQ(r.ip.id, s.ip.id);
        EXPECT_EQ(r.ip.ttl, s.ip.ttl);
        EXPECT_EQ(r.ip.tos, s.ip.tos);
        EXPECT_EQ(r.ip.df, s.ip.df);
        EXPECT_EQ(r.tcp.src_port, s.src_port);
        EXPECT_EQ(r.tcp.dst_port, s.dst_port);
        EXPECT_EQ(r.tcp.seq, s.seq);
        EXPECT_EQ(r.tcp.ack, s.ack);
        EXPECT_EQ(r.tcp.flags, s.flags);
        EXPECT_EQ(r.tcp.window, s.window);
        EXPECT_EQ(r.tcp.urgent, s.urgent);
        const TcpOptions& q = r.tcp.options;
        EXPECT_EQ(q.has_mss, o.has_mss);
        if (o.has_mss) {
            EXPECT_EQ(q.mss, o.mss);
        }
        EXPECT_EQ(q.has_wscale, o.has_wscale);
        if (o.has_wscale) {
            EXPECT_EQ(q.wscale, o.wscale);
        }
        EXPECT_EQ(q.sack_permitted, o.sack_permitted);
        EXPECT_EQ(q.has_ts, o.has_ts);
        if (o.has_ts) {
            EXPECT_EQ(q.tsval, o.tsval);
            EXPECT_EQ(q.tsecr, o.tsecr);
        }
        EXPECT_LE(q.sack_count, o.sack_count);
        for (int i = 0; i < q.sack_count; ++i) {
            EXPECT_EQ(q.sack[i].left, o.sack[i].left);
            EXPECT_EQ(q.sack[i].right, o.sack[i].right);
        }
        ASSERT_EQ(r.payload_bytes, s.payload.size());
        EXPECT_TRUE(std::equal(s.payload.begin(), s.payload.end(), f.begin() + long(r.payload_offset)));
        EXPECT_EQ(f.size(), std::max<std::size_t>(kMinFrameBytes, r.payload_offset + r.payload_bytes));
    }
}

TEST(Tcp, ChecksumsEqualAnIndependentSumOverHeaderAndPseudoHeader) {
    Rng rng(3);
    for (int trial = 0; trial < 500; ++trial) {
        TcpSegmentSpec s = syn_ack_spec();
        s.ip.src = rng();
        s.ip.dst = rng();
        s.seq = rng();
        s.payload.resize(rng() % 100);  // odd and even lengths
        for (auto& x : s.payload) x = uint8_t(rng());
        const Bytes f = build_tcp_frame(s);
        // IPv4 header: the sum with the checksum field zeroed must equal the field.
        Bytes iph(f.begin() + 14, f.begin() + 34);
        const uint16_t ip_field = uint16_t(iph[10] << 8 | iph[11]);
        iph[10] = iph[11] = 0;
        EXPECT_EQ(ip_field, reference_checksum(iph)) << "trial " << trial;
        // TCP: pseudo-header (src, dst, 0, 6, length) then the segment with a zero field.
        const std::size_t tcp_len = f.size() >= 34 ? (std::size_t(f[16]) << 8 | f[17]) - 20 : 0;
        Bytes ph(f.begin() + 26, f.begin() + 34);  // src and dst addresses
        ph.push_back(0);
        ph.push_back(6);
        ph.push_back(uint8_t(tcp_len >> 8));
        ph.push_back(uint8_t(tcp_len));
        Bytes seg(f.begin() + 34, f.begin() + 34 + long(tcp_len));
        const uint16_t tcp_field = uint16_t(seg[16] << 8 | seg[17]);
        seg[16] = seg[17] = 0;
        ph.insert(ph.end(), seg.begin(), seg.end());
        EXPECT_EQ(tcp_field, reference_checksum(ph)) << "trial " << trial;
    }
}

TEST(Tcp, FillChecksumsOffLeavesTheFieldsZeroAndParsesWithoutVerification) {
    BuildOptions b;
    b.fill_checksums = false;
    const Bytes f = build_tcp_frame(syn_ack_spec(), b);
    EXPECT_EQ(f[24], 0);
    EXPECT_EQ(f[25], 0);
    EXPECT_EQ(f[50], 0);
    EXPECT_EQ(f[51], 0);
    EXPECT_EQ(parse_frame(f).error, ParseError::kBadIpChecksum);
    ParseOptions po;
    po.verify_checksums = false;
    EXPECT_TRUE(parse_frame(f, po).ok());
}

TEST(Frame, ShortFramesArePaddedTo60BytesAndThePaddingIsNotPayload) {
    TcpSegmentSpec s = syn_ack_spec();
    s.options = TcpOptions{};
    s.flags = tcp_bits::kAck;
    s.payload = {1, 2, 3};
    const Bytes f = build_tcp_frame(s);
    ASSERT_EQ(f.size(), 60u);  // 14 + 20 + 20 + 3 = 57
    EXPECT_EQ(f[57], 0);
    EXPECT_EQ(f[59], 0);
    const auto p = parse_frame(f);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p.value.payload_bytes, 3u);
    EXPECT_EQ(p.value.ip.total_length, 43);
}

TEST(Frame, Vlan8021QTaggedFrameParsesWithTheTagAndInnerEtherType) {
    Bytes f = build_tcp_frame(syn_ack_spec());
    const uint8_t tag[4] = {0x81, 0x00, 0x20, 0x64};  // PCP 1, VLAN 100
    f.insert(f.begin() + 12, tag, tag + 4);
    const auto p = parse_frame(f);
    ASSERT_TRUE(p.ok()) << parse_error_name(p.error);
    EXPECT_TRUE(p.value.eth.has_vlan);
    EXPECT_EQ(p.value.eth.vlan_tci, 0x2064);
    EXPECT_EQ(p.value.eth.ether_type, ether_type::kIpv4);
    EXPECT_EQ(p.value.l3_offset, 18u);
    EXPECT_EQ(p.value.tcp.options.mss, 1460);
    EXPECT_EQ(parse_frame(f.data(), 17).error, ParseError::kTruncated);
}

// Inserts 4 bytes of IPv4 options (NOP NOP NOP EOL), fixing IHL, total length and the
// header checksum.
Bytes with_ip_options(Bytes f) {
    const uint8_t opt[4] = {1, 1, 1, 0};
    f.insert(f.begin() + 34, opt, opt + 4);
    f[14] = 0x46;
    const uint16_t total = uint16_t((f[16] << 8 | f[17]) + 4);
    f[16] = uint8_t(total >> 8);
    f[17] = uint8_t(total);
    f[24] = f[25] = 0;
    const uint16_t c = checksum_fold(checksum_add(0, &f[14], 24));
    f[24] = uint8_t(c >> 8);
    f[25] = uint8_t(c);
    return f;
}

TEST(Ipv4, OptionsAreSkippedAndTheTcpHeaderFoundAfterThem) {
    const Bytes f = with_ip_options(build_tcp_frame(syn_ack_spec()));
    const auto p = parse_frame(f);
    ASSERT_TRUE(p.ok()) << parse_error_name(p.error);
    EXPECT_EQ(p.value.ip.header_bytes, 24u);
    EXPECT_EQ(p.value.l4_offset, 38u);
    EXPECT_EQ(p.value.tcp.src_port, 80);
    EXPECT_EQ(p.value.tcp.options.tsval, 0x01020304u);
}

TEST(Ipv4, OtherProtocolsParseAsOtherIpv4WithTheirPayload) {
    const uint8_t udp[8] = {0, 53, 0, 53, 0, 8, 0, 0};
    const Bytes f = build_ipv4_frame(kOurMac, kPeerMac, Ipv4Fields{kOurIp, kPeerIp}, 17, udp, 8);
    const auto p = parse_frame(f);
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p.value.kind, FrameKind::kOtherIpv4);
    EXPECT_EQ(p.value.ip.protocol, 17);
    EXPECT_EQ(p.value.payload_offset, 34u);
    EXPECT_EQ(p.value.payload_bytes, 8u);
}

// Sets a 16-bit field and repairs the IPv4 header checksum, so only the named check fails.
void set_ip16(Bytes& f, std::size_t off, uint16_t v) {
    f[off] = uint8_t(v >> 8);
    f[off + 1] = uint8_t(v);
    f[24] = f[25] = 0;
    const std::size_t ihl = std::size_t(f[14] & 15) * 4;
    const uint16_t c = checksum_fold(checksum_add(0, &f[14], std::max<std::size_t>(ihl, 20)));
    f[24] = uint8_t(c >> 8);
    f[25] = uint8_t(c);
}

TEST(Parse, EachErrorIsReportedForTheMalformationItNames) {
    const Bytes syn = build_tcp_frame(syn_ack_spec());  // 74 bytes, TCP header 40
    struct Case {
        const char* what;
        Bytes frame;
        ParseError want;
    };
    std::vector<Case> cases;
    cases.push_back({"13 bytes", Bytes(syn.begin(), syn.begin() + 13), ParseError::kTruncated});
    {
        Bytes f = syn;
        f[12] = 0x86;
        f[13] = 0xDD;  // IPv6
        cases.push_back({"EtherType IPv6", f, ParseError::kUnsupportedEtherType});
    }
    cases.push_back({"IPv4 header cut", Bytes(syn.begin(), syn.begin() + 33), ParseError::kTruncated});
    {
        Bytes f = syn;
        f[14] = 0x65;
        cases.push_back({"version 6", f, ParseError::kNotIpv4});
    }
    {
        Bytes f = syn;
        f[14] = 0x44;
        cases.push_back({"IHL 4", f, ParseError::kBadIpHeaderLength});
    }
    {
        Bytes f = syn;
        set_ip16(f, 16, 19);
        cases.push_back({"total length 19", f, ParseError::kBadLength});
    }
    {
        Bytes f = syn;
        set_ip16(f, 16, 61);  // one byte more than the frame holds
        cases.push_back({"total length past the frame", f, ParseError::kTruncated});
    }
    {
        Bytes f = syn;
        f[22] ^= 1;  // TTL, checksum not repaired
        cases.push_back({"IPv4 header corrupted", f, ParseError::kBadIpChecksum});
    }
    {
        Bytes f = syn;
        set_ip16(f, 20, 0x2000);
        cases.push_back({"MF set", f, ParseError::kFragment});
    }
    {
        Bytes f = syn;
        set_ip16(f, 20, 0x0001);
        cases.push_back({"fragment offset 1", f, ParseError::kFragment});
    }
    {
        Bytes f = syn;
        set_ip16(f, 16, 20 + 19);
        cases.push_back({"TCP header cut", Bytes(f.begin(), f.begin() + 53), ParseError::kTruncated});
    }
    {
        Bytes f = syn;
        f[46] = 0x40;  // data offset 4
        cases.push_back({"data offset 4", f, ParseError::kBadTcpOffset});
    }
    {
        Bytes f = syn;
        f[46] = 0xB0;  // 44 bytes, the segment has 40
        cases.push_back({"data offset past the segment", f, ParseError::kBadTcpOffset});
    }
    {
        Bytes f = syn;
        f[55] = 5;  // MSS length 5
        cases.push_back({"MSS of length 5", f, ParseError::kBadTcpOptions});
    }
    {
        Bytes f = syn;
        f[60] ^= 0x01;  // a tsval byte
        cases.push_back({"segment corrupted", f, ParseError::kBadTcpChecksum});
    }
    for (const Case& c : cases) {
        const auto p = parse_frame(c.frame);
        EXPECT_EQ(p.error, c.want) << c.what << ": got " << parse_error_name(p.error)
                                   << ", want " << parse_error_name(c.want);
    }
}

TEST(TcpOptions, UnknownKindsAreSkippedByLengthAndEolEndsTheList) {
    // unknown kind 30 (len 4), NOP, MSS 1400, EOL, then garbage that must be ignored
    const Bytes o = {30, 4, 0xAA, 0xBB, 1, 2, 4, 0x05, 0x78, 0, 2, 9, 9, 9, 9, 9};
    const auto p = parse_tcp_options(o.data(), o.size());
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p.value.unknown, 1);
    EXPECT_TRUE(p.value.has_mss);
    EXPECT_EQ(p.value.mss, 1400);
}

TEST(TcpOptions, ARepeatedOptionCountsItsLastValue) {
    const Bytes o = {3, 3, 2, 3, 3, 9, 0, 0};
    const auto p = parse_tcp_options(o.data(), o.size());
    ASSERT_TRUE(p.ok());
    EXPECT_EQ(p.value.wscale, 9);
}

TEST(TcpOptions, MalformedListsAreRejected) {
    const std::vector<std::pair<const char*, Bytes>> bad = {
        {"kind without length byte", {1, 1, 1, 2}},
        {"length 0", {30, 0, 1, 1}},
        {"length 1", {30, 1, 1, 1}},
        {"length past the end", {30, 6, 1, 1}},
        {"MSS length 3", {2, 3, 1, 0}},
        {"window scale length 4", {3, 4, 1, 1}},
        {"SACK-permitted length 3", {4, 3, 0, 0}},
        {"timestamps length 8", {8, 8, 0, 0, 0, 0, 0, 0}},
        {"SACK length 9", {5, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}},
        {"SACK length 8 (no block)", {5, 8, 0, 0, 0, 0, 0, 0}},
    };
    for (const auto& [what, b] : bad)
        EXPECT_EQ(parse_tcp_options(b.data(), b.size()).error, ParseError::kBadTcpOptions) << what;
    const Bytes empty;
    EXPECT_TRUE(parse_tcp_options(empty.data(), 0).ok());
}

TEST(Parse, FiftyThousandRandomMutationsNeverCrashOrReportOffsetsOutsideTheFrame) {
    std::vector<Bytes> seeds;
    seeds.push_back(build_tcp_frame(syn_ack_spec()));
    TcpSegmentSpec data = syn_ack_spec();
    data.options = TcpOptions{};
    data.options.has_ts = true;
    data.options.sack_count = 3;
    data.payload.assign(300, 0x5A);
    seeds.push_back(build_tcp_frame(data));
    seeds.push_back(with_ip_options(seeds[0]));
    seeds.push_back(from_hex(kArpRequestHex));
    seeds.push_back(from_hex(kEchoRequestHex));
    Bytes vlan = seeds[0];
    const uint8_t tag[4] = {0x81, 0x00, 0x00, 0x05};
    vlan.insert(vlan.begin() + 12, tag, tag + 4);
    seeds.push_back(vlan);

    Rng rng(20261125);
    int parsed_ok = 0;
    for (int i = 0; i < 50000; ++i) {
        Bytes b = seeds[rng() % seeds.size()];
        const int edits = 1 + int(rng() % 8);
        for (int e = 0; e < edits; ++e) {
            switch (rng() % 6) {
            case 0:  // flip a byte
            case 1:
                if (!b.empty()) b[rng() % b.size()] = uint8_t(rng());
                break;
            case 2:  // a length-ish byte in the headers
                if (b.size() > 47) b[std::vector<std::size_t>{12, 14, 16, 17, 46, 55, 56}[rng() % 7]] = uint8_t(rng());
                break;
            case 3:  // truncate
                b.resize(rng() % (b.size() + 1));
                break;
            case 4:  // extend with random bytes
                for (unsigned k = rng() % 20; k > 0; --k) b.push_back(uint8_t(rng()));
                break;
            case 5:  // option bytes replaced by small kinds and lengths
                if (b.size() > 60) for (std::size_t k = 54; k < 60; ++k) b[k] = uint8_t(rng() % 12);
                break;
            }
        }
        // An exact-size heap copy: one byte too far is a heap-buffer-overflow under ASan.
        std::unique_ptr<uint8_t[]> buf(new uint8_t[b.size() + (b.empty() ? 1 : 0)]);
        if (!b.empty()) std::memcpy(buf.get(), b.data(), b.size());
        for (bool verify : {true, false}) {
            ParseOptions po;
            po.verify_checksums = verify;
            const auto p = parse_frame(b.empty() ? nullptr : buf.get(), b.size(), po);
            if (!p.ok()) continue;
            ++parsed_ok;
            const ParsedFrame& f = p.value;
            ASSERT_LE(f.payload_offset + f.payload_bytes, b.size()) << "input " << i;
            if (f.kind != FrameKind::kArp) {
                ASSERT_LE(f.l4_offset + f.l4_bytes, b.size()) << "input " << i;
                if (f.kind == FrameKind::kIcmp && f.icmp.type == icmp_type::kEchoRequest) {
                    const Bytes reply = build_icmp_echo_reply(buf.get(), b.size(), f, kOurMac);
                    ASSERT_TRUE(parse_frame(reply).ok()) << "input " << i;
                }
            }
        }
    }
    // The mutations keep some frames valid: the parser is exercised past its first check.
    EXPECT_GT(parsed_ok, 1000);
}

// Builds a seeded mix of TCP (random options and payloads, some without checksums
// filled), ICMP echo and ARP frames and checks each parses back. When FTOE_PACKET_DUMP
// names a file, writes one line per frame for tests/host/packet_scapy_check.py:
//   tcp <hex> <mss|-> <wscale|-> <sackok 0/1> <tsval|-> <tsecr|-> <sack blocks>
//   icmp <hex> <id> <seq>      arp <hex> <op>
TEST(Scapy, FramesForTheScapyCrossCheckParseBack) {
    Rng rng(99);
    std::vector<std::string> lines;
    for (int i = 0; i < 300; ++i) {
        TcpSegmentSpec s = syn_ack_spec();
        s.ip.src = rng();
        s.ip.dst = rng();
        s.ip.id = uint16_t(rng());
        s.seq = rng();
        s.ack = rng();
        s.flags = uint8_t(rng());
        s.src_port = uint16_t(rng());
        s.dst_port = uint16_t(rng());
        TcpOptions& o = s.options;
        o.has_mss = rng() & 1;
        o.mss = uint16_t(rng());
        o.has_wscale = rng() & 1;
        o.wscale = uint8_t(rng() % 15);
        o.sack_permitted = rng() & 1;
        o.has_ts = rng() & 1;
        o.tsval = rng();
        o.tsecr = rng();
        o.sack_count = uint8_t(rng() % 5);
        for (auto& sb : o.sack) sb = {rng(), rng()};
        s.payload.resize(rng() % 64);
        for (auto& x : s.payload) x = uint8_t(rng());
        const Bytes f = build_tcp_frame(s);
        const auto p = parse_frame(f);
        ASSERT_TRUE(p.ok()) << "frame " << i << ": " << parse_error_name(p.error);
        const TcpOptions& q = p.value.tcp.options;  // what was actually laid out
        std::string l = "tcp " + to_hex(f);
        l += q.has_mss ? " " + std::to_string(q.mss) : std::string(" -");
        l += q.has_wscale ? " " + std::to_string(q.wscale) : std::string(" -");
        l += q.sack_permitted ? " 1" : " 0";
        l += q.has_ts ? " " + std::to_string(q.tsval) + " " + std::to_string(q.tsecr) : std::string(" - -");
        l += " " + std::to_string(q.sack_count);
        lines.push_back(l);
    }
    for (int i = 0; i < 50; ++i) {
        IcmpEchoSpec e;
        e.src_mac = kOurMac;
        e.dst_mac = kPeerMac;
        e.ip.src = rng();
        e.ip.dst = rng();
        e.type = (i & 1) ? icmp_type::kEchoReply : icmp_type::kEchoRequest;
        e.id = uint16_t(rng());
        e.seq = uint16_t(rng());
        e.data.resize(rng() % 100);
        for (auto& x : e.data) x = uint8_t(rng());
        const Bytes f = build_icmp_echo_frame(e);
        ASSERT_TRUE(parse_frame(f).ok()) << "echo " << i;
        lines.push_back("icmp " + to_hex(f) + " " + std::to_string(e.id) + " " + std::to_string(e.seq));
    }
    for (int i = 0; i < 20; ++i) {
        ArpMessage m;
        m.op = (i & 1) ? arp_op::kReply : arp_op::kRequest;
        m.sender_mac = kPeerMac;
        m.sender_ip = rng();
        m.target_ip = rng();
        const Bytes f = (i & 1) ? build_arp_reply(kOurMac, m) : build_arp_request(kOurMac, m.sender_ip, m.target_ip);
        ASSERT_TRUE(parse_frame(f).ok()) << "arp " << i;
        lines.push_back("arp " + to_hex(f) + " " + std::to_string(m.op));
    }
    if (const char* path = std::getenv("FTOE_PACKET_DUMP")) {
        std::ofstream out(path);
        ASSERT_TRUE(out) << "cannot write " << path;
        for (const auto& l : lines) out << l << "\n";
    }
}

}  // namespace
}  // namespace ftoe::host
