// packet.hpp: the frames the host control plane reads from slow-path events and writes
// with RAW_TX: Ethernet II (an 802.1Q tag is accepted on parse), ARP (IPv4 over
// Ethernet, request/reply), IPv4, ICMP echo and TCP with options. A kSlowPath event's
// payload is one whole Ethernet frame (parse_frame(msg.payload)); a built frame is the
// payload of a kRawTx command.
//
// Parsing takes a pointer and a length and never reads past the length, whatever the
// bytes claim (a seeded random-mutation test feeds it 50,000 damaged frames under ASan).
// A frame that cannot be used is an error value (ParseError) saying why, never an
// exception. Lengths are checked in this order, and the first failure is reported:
//   Ethernet header (and VLAN tag) present            else kTruncated
//   EtherType IPv4 or ARP                             else kUnsupportedEtherType
//   ARP: 28 bytes; htype 1, ptype 0x0800, 6/4, op 1/2 else kTruncated / kBadArp
//   IPv4: 20 bytes present                            else kTruncated
//         version 4                                   else kNotIpv4
//         IHL >= 5                                    else kBadIpHeaderLength
//         total length >= IHL*4                       else kBadLength
//         frame holds IHL*4 and total length bytes    else kTruncated
//         header checksum (if verified)               else kBadIpChecksum
//         not a fragment (MF clear, offset 0)         else kFragment
//   TCP:  20 bytes present                            else kTruncated
//         data offset >= 5 and within the datagram    else kBadTcpOffset
//         option list well formed                     else kBadTcpOptions
//         checksum (if verified)                      else kBadTcpChecksum
//   ICMP: 8 bytes present                             else kTruncated
//         checksum (if verified)                      else kBadIcmpChecksum
// IPv4 options are skipped (not interpreted); bytes after the IPv4 total length
// (Ethernet padding) are ignored. An IPv4 protocol other than TCP and ICMP parses as
// FrameKind::kOtherIpv4 (the caller decides, e.g. ICMP protocol unreachable or drop).
//
// TCP options: NOPs are skipped, EOL ends the list; every other option needs a length
// byte >= 2 that stays inside the list; MSS (4), window scale (3), SACK-permitted (2),
// SACK (10/18/26/34) and timestamps (10) must have exactly their length; unknown kinds
// are skipped by their length. Anything else rejects the whole list (kBadTcpOptions),
// the same rule as the engine (hls/tcp_options.hpp), so a frame the engine dropped as
// malformed is never accepted here. A repeated option: the last one counts.
//
// Building: frames are assembled into a std::vector, padded with zeros to 60 bytes (the
// Ethernet minimum without FCS; the MAC appends the FCS). Every IPv4 datagram we send is
// atomic (DF set, never fragmented), so its Identification has no meaning (RFC 6864
// §4.1): the builder writes the caller's Ipv4Fields::id, default 0, and the Stack may
// leave it 0. TTL defaults to 64 (Linux's default). Checksums (IPv4 header, TCP with
// pseudo-header, ICMP) are computed when BuildOptions::fill_checksums is set (default):
// today the engine sends RAW_TX frames as they are. With it off the checksum fields are
// left 0 for an engine that fills them.
//
// TCP options are laid out as Linux's tcp_options_write() does: MSS, then SACK-permitted
// and timestamps (SACK_PERM,TS when both; NOP,NOP,TS or NOP,NOP,SACK_PERM when one),
// then NOP,WS, then NOP,NOP,SACK blocks. A SYN with all four is therefore
//   02 04 mm mm | 04 02 08 0a | tsval | tsecr | 01 03 03 ws     (20 bytes)
// and an established segment with timestamps is NOP NOP TS (12 bytes). SACK blocks that
// do not fit in the 40 option bytes are dropped from the end (as Linux does).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <vector>

namespace ftoe::host {

using Bytes = std::vector<uint8_t>;
using MacAddress = std::array<uint8_t, 6>;

constexpr MacAddress kBroadcastMac{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};

namespace ether_type {
constexpr uint16_t kIpv4 = 0x0800, kArp = 0x0806, kVlan = 0x8100;
}
namespace ip_proto {
constexpr uint8_t kIcmp = 1, kTcp = 6;
}
namespace arp_op {
constexpr uint16_t kRequest = 1, kReply = 2;
}
namespace icmp_type {
constexpr uint8_t kEchoReply = 0, kDestUnreachable = 3, kEchoRequest = 8;
}
// TCP flag bits as in the header's byte 13 (the same values as tcp_flag:: in
// time_wait_table.hpp, plus URG, ECE and CWR).
namespace tcp_bits {
constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10,
                  kUrg = 0x20, kEce = 0x40, kCwr = 0x80;
}

constexpr std::size_t kEthHeaderBytes = 14;
constexpr std::size_t kVlanTagBytes = 4;
constexpr std::size_t kMinFrameBytes = 60;  // without the FCS
constexpr std::size_t kArpBytes = 28;
constexpr std::size_t kIpv4HeaderBytes = 20;  // without options
constexpr std::size_t kTcpHeaderBytes = 20;   // without options
constexpr std::size_t kTcpMaxOptionBytes = 40;
constexpr std::size_t kIcmpHeaderBytes = 8;
constexpr uint8_t kDefaultTtl = 64;

enum class ParseError : uint8_t {
    kOk = 0,
    kTruncated,             // the frame ends inside a header or datagram it must hold
    kUnsupportedEtherType,  // neither IPv4 nor ARP (after an optional 802.1Q tag)
    kBadArp,                // not Ethernet/IPv4 ARP, or an opcode other than 1 and 2
    kNotIpv4,               // IP version is not 4
    kBadIpHeaderLength,     // IHL below 5
    kBadLength,             // IPv4 total length below the header length
    kBadIpChecksum,
    kFragment,              // MF set or fragment offset non-zero (no reassembly here)
    kBadTcpOffset,          // data offset below 5 or past the end of the datagram
    kBadTcpOptions,         // malformed option list (see the rules above)
    kBadTcpChecksum,
    kBadIcmpChecksum,
};
const char* parse_error_name(ParseError e);

// A parse result: the value is meaningful only when ok().
template <class T>
struct Parsed {
    ParseError error = ParseError::kOk;
    T value{};
    bool ok() const { return error == ParseError::kOk; }
    explicit operator bool() const { return ok(); }
};

struct EthernetHeader {
    MacAddress dst{}, src{};
    uint16_t ether_type = 0;  // of the payload (after the VLAN tag, if any)
    bool has_vlan = false;
    uint16_t vlan_tci = 0;    // PCP, DEI, VLAN id
    std::size_t header_bytes = kEthHeaderBytes;  // 14, or 18 with a VLAN tag
};

struct ArpMessage {
    uint16_t op = arp_op::kRequest;
    MacAddress sender_mac{};
    uint32_t sender_ip = 0;
    MacAddress target_mac{};
    uint32_t target_ip = 0;
};

struct Ipv4Header {
    uint8_t tos = 0;
    uint16_t total_length = 0;
    uint16_t id = 0;
    bool df = false, mf = false;
    uint16_t fragment_offset = 0;  // in 8-byte units
    uint8_t ttl = 0;
    uint8_t protocol = 0;
    uint16_t checksum = 0;         // as received
    uint32_t src = 0, dst = 0;     // host byte order
    std::size_t header_bytes = kIpv4HeaderBytes;  // IHL*4 (options skipped)
};

struct SackBlock {
    uint32_t left = 0, right = 0;
};

struct TcpOptions {
    bool has_mss = false;
    uint16_t mss = 0;
    bool has_wscale = false;
    uint8_t wscale = 0;       // as sent; RFC 7323 caps the use at 14, the caller clamps
    bool sack_permitted = false;
    bool has_ts = false;
    uint32_t tsval = 0, tsecr = 0;
    uint8_t sack_count = 0;   // SACK blocks (0..4)
    std::array<SackBlock, 4> sack{};
    uint8_t unknown = 0;      // options of unknown kind skipped (parse only)
};

struct TcpHeader {
    uint16_t src_port = 0, dst_port = 0;
    uint32_t seq = 0, ack = 0;
    uint8_t flags = 0;        // tcp_bits
    uint16_t window = 0;      // as on the wire (unscaled)
    uint16_t checksum = 0;    // as received
    uint16_t urgent = 0;
    std::size_t header_bytes = kTcpHeaderBytes;  // data offset * 4
    TcpOptions options;
};

struct IcmpHeader {
    uint8_t type = 0, code = 0;
    uint16_t checksum = 0;
    uint32_t rest = 0;  // bytes 4..7: identifier and sequence number for echo
    uint16_t echo_id() const { return uint16_t(rest >> 16); }
    uint16_t echo_seq() const { return uint16_t(rest & 0xFFFF); }
};

enum class FrameKind : uint8_t { kArp, kTcp, kIcmp, kOtherIpv4 };

// A parsed frame. Offsets are into the buffer given to parse_frame().
struct ParsedFrame {
    FrameKind kind = FrameKind::kArp;
    EthernetHeader eth;
    ArpMessage arp;   // kArp
    Ipv4Header ip;    // kTcp, kIcmp, kOtherIpv4
    TcpHeader tcp;    // kTcp
    IcmpHeader icmp;  // kIcmp
    std::size_t l3_offset = 0;  // ARP message or IPv4 header
    std::size_t l4_offset = 0, l4_bytes = 0;  // the IPv4 payload (IPv4 kinds)
    // TCP: the segment's data; ICMP: the bytes after the 8-byte header; kOtherIpv4: the
    // IPv4 payload.
    std::size_t payload_offset = 0, payload_bytes = 0;
};

struct ParseOptions {
    bool verify_checksums = true;
};

Parsed<ParsedFrame> parse_frame(const uint8_t* frame, std::size_t len,
                                const ParseOptions& options = {});
inline Parsed<ParsedFrame> parse_frame(const Bytes& frame, const ParseOptions& options = {}) {
    return parse_frame(frame.data(), frame.size(), options);
}

// The option bytes of a TCP header (header bytes 20..data offset*4), `len` <= 40.
Parsed<TcpOptions> parse_tcp_options(const uint8_t* opts, std::size_t len);

// RFC 1071 Internet checksum pieces. checksum_add() adds `len` bytes as big-endian
// 16-bit words (an odd last byte padded with zero) to a running sum; only the last
// piece of a sum may have an odd length. checksum_fold() folds the carries and
// complements: the value to store in a checksum field, and 0 when verifying a block
// that includes its own correct checksum.
uint64_t checksum_add(uint64_t sum, const uint8_t* data, std::size_t len);
uint16_t checksum_fold(uint64_t sum);
// The TCP/UDP pseudo-header sum (RFC 9293 §3.1) for checksum_add() to continue.
uint64_t pseudo_header_sum(uint32_t src, uint32_t dst, uint8_t protocol, uint16_t l4_length);

// ---- building ----

struct BuildOptions {
    bool fill_checksums = true;  // the engine does not yet fill RAW_TX checksums
};

struct Ipv4Fields {
    uint32_t src = 0, dst = 0;
    uint16_t id = 0;  // see "atomic datagrams" above
    uint8_t ttl = kDefaultTtl;
    uint8_t tos = 0;
    bool df = true;
};

struct TcpSegmentSpec {
    MacAddress src_mac{}, dst_mac{};
    Ipv4Fields ip;
    uint16_t src_port = 0, dst_port = 0;
    uint32_t seq = 0, ack = 0;
    uint8_t flags = 0;
    uint16_t window = 0;
    uint16_t urgent = 0;
    TcpOptions options;  // has_* fields select the options; `unknown` is ignored
    Bytes payload;
};

struct IcmpEchoSpec {
    MacAddress src_mac{}, dst_mac{};
    Ipv4Fields ip;
    uint8_t type = icmp_type::kEchoRequest;  // kEchoRequest or kEchoReply
    uint16_t id = 0, seq = 0;
    Bytes data;
};

// The option bytes (a multiple of 4, at most 40) for `o`, in Linux's order.
Bytes build_tcp_options(const TcpOptions& o);

// A complete frame, padded to 60 bytes. Throws std::length_error if the datagram would
// exceed 65535 bytes (a programming error).
Bytes build_tcp_frame(const TcpSegmentSpec& s, const BuildOptions& b = {});
Bytes build_icmp_echo_frame(const IcmpEchoSpec& s, const BuildOptions& b = {});
// An IPv4 datagram carrying `payload` as `protocol`, with no transport checksum work.
Bytes build_ipv4_frame(const MacAddress& src_mac, const MacAddress& dst_mac,
                       const Ipv4Fields& ip, uint8_t protocol, const uint8_t* payload,
                       std::size_t payload_len, const BuildOptions& b = {});

// An ARP frame: Ethernet destination `eth_dst` (broadcast for a request), source the
// message's sender MAC.
Bytes build_arp_frame(const MacAddress& eth_dst, const ArpMessage& m);
// Who-has target_ip, tell our_ip: broadcast, target MAC zero.
Bytes build_arp_request(const MacAddress& our_mac, uint32_t our_ip, uint32_t target_ip);
// Our answer to `request` for our address request.target_ip, sent to its sender.
Bytes build_arp_reply(const MacAddress& our_mac, const ArpMessage& request);

// The echo reply to the echo request `req` (parsed from `frame`): back to the sender's
// MAC and address, from the address it was sent to, same identifier, sequence number
// and data; `ip` supplies id, TTL and TOS (its src/dst are ignored). The request must be
// kIcmp with type kEchoRequest: otherwise std::invalid_argument.
Bytes build_icmp_echo_reply(const uint8_t* frame, std::size_t len, const ParsedFrame& req,
                            const MacAddress& our_mac, const Ipv4Fields& ip = {},
                            const BuildOptions& b = {});

}  // namespace ftoe::host
