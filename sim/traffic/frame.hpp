// frame.hpp: Ethernet/IPv4/TCP frames as byte vectors, and their AXI4-Stream beats.
//
// Used by tests and benchmarks to make realistic traffic: checksums are filled in with
// the hls/ kernels' byte-level helpers, so a frame built here is one Linux would accept.
#pragma once

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "axis_beat.hpp"

namespace ftoe::sim {

using Bytes = std::vector<uint8_t>;
using MacAddr = std::array<uint8_t, 6>;

constexpr uint16_t kEtherTypeIpv4 = 0x0800;
constexpr uint16_t kEtherTypeVlan = 0x8100;
constexpr uint8_t kIpProtoTcp = 6;
constexpr uint8_t kIpProtoUdp = 17;

namespace tcp_flags {
constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;
}

// Everything needed to build one TCP/IPv4 segment in an Ethernet frame.
struct TcpFrameSpec {
    MacAddr dst_mac{0x02, 0, 0, 0, 0, 2};
    MacAddr src_mac{0x02, 0, 0, 0, 0, 1};
    int vlan_id = -1;             // -1: untagged; else an 802.1Q tag with this VID
    uint32_t src_ip = 0x0a000001;  // 10.0.0.1
    uint32_t dst_ip = 0x0a000002;
    uint8_t ttl = 64;
    uint16_t ip_id = 0;
    Bytes ip_options;  // padded to a multiple of 4 bytes with EOL (0)
    uint16_t src_port = 40000;
    uint16_t dst_port = 7;
    uint32_t seq = 0;
    uint32_t ack = 0;
    uint8_t flags = tcp_flags::kAck | tcp_flags::kPsh;
    uint16_t window = 65535;
    Bytes tcp_options;  // padded to a multiple of 4 bytes with EOL (0)
    Bytes payload;
};

// Builds the frame with correct IPv4 and TCP checksums, padded to the 60-byte
// Ethernet minimum (no FCS), as a MAC would present it.
Bytes build_tcp_frame(const TcpFrameSpec& spec);

// Offset of the IPv4 header: 14, or 18 behind an 802.1Q tag.
inline uint16_t l3_offset(const Bytes& frame) {
    return (frame.size() >= 14 && frame[12] == 0x81 && frame[13] == 0x00) ? 18 : 14;
}

// Recomputes the IPv4 header checksum and the TCP/UDP checksum in place, as far as the
// frame's headers allow: a test that changes one field then sees only that change.
void refresh_checksums(Bytes& frame);

// Random realistic TCP frame: an IMIX-like payload size (0..max_payload), options of a
// real stack (timestamps, sometimes SACK blocks), now and then a VLAN tag.
Bytes random_tcp_frame(std::mt19937_64& rng, int max_payload = 1460);

// Splits a frame into beats; the tlast beat's tkeep covers exactly the remaining bytes.
template <int DATA_W>
std::vector<kernel::AxisBeat<DATA_W>> to_beats(const Bytes& frame) {
    using Beat = kernel::AxisBeat<DATA_W>;
    std::vector<Beat> beats;
    const std::size_t n = frame.size();
    for (std::size_t off = 0; off < n || beats.empty(); off += Beat::kBytes) {
        Beat b{};
        for (int lane = 0; lane < Beat::kBytes && off + std::size_t(lane) < n; lane++) {
            b.set_byte(lane, frame[off + std::size_t(lane)]);
            b.keep |= uint64_t(1) << lane;
        }
        b.last = off + Beat::kBytes >= n;
        beats.push_back(b);
    }
    return beats;
}

}  // namespace ftoe::sim
