// frame_mix.hpp: random frames for receive-path tests: realistic TCP segments, and the
// whole zoo a receiver must sort out (ARP, ICMP, UDP, fragments, IPv6, wrong addresses,
// runts, truncations, long padding, damaged bytes with and without repaired checksums,
// bad IHL / data offset / total length / options, MAC errors).
#pragma once

#include <cstdint>
#include <random>

#include "frame.hpp"

namespace ftoe::sim {

// TCP option lists real stacks send, plus odd but legal ones (one with five options).
Bytes random_tcp_options(std::mt19937_64& rng);

// A valid TCP segment to `dst_ip` (the frame's default destination MAC, see
// TcpFrameSpec), now and then tagged, with IP options, or to the broadcast MAC.
Bytes random_tcp_to(std::mt19937_64& rng, uint32_t dst_ip);

// A broadcast ARP request frame (60 bytes).
Bytes arp_request(std::mt19937_64& rng);

struct MixFrame {
    Bytes bytes;
    int error_beat = -1;  // beat with the MAC's error flag (tuser) set, -1 for none
};

// One frame of the mix: random_tcp_to(dst_ip), then (most of the time) one change that
// makes a receiver send it to the host or drop it. `beat_bytes` places error_beat.
MixFrame random_frame_mix(std::mt19937_64& rng, uint32_t dst_ip, int beat_bytes);

}  // namespace ftoe::sim
