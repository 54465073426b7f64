// isn.hpp: initial sequence numbers per RFC 6528 §3:
//     ISN = M + F(localip, localport, remoteip, remoteport, secretkey)
// M is a 4-microsecond timer (the caller's time in ns / 4000, modulo 2^32), F the low
// 32 bits of SipHash-2-4 under a 128-bit per-stack secret over the 4-tuple. For one
// 4-tuple successive ISNs therefore advance exactly with M (RFC 9293 §3.4.1: new
// incarnations start above old sequence numbers), while an observer of one connection
// learns nothing about the ISNs of other tuples (F is a keyed PRF).
//
// SipHash-2-4 (Aumasson & Bernstein, "SipHash: a fast short-input PRF", 2012) is
// implemented here from the paper's description; syn_cookie.hpp uses it too.
//
// The F input is the 12 bytes local ip, local port, remote ip, remote port, each
// big-endian. The secret comes from the caller's seed (expanded to 128 bits with the
// splitmix64 sequence: for reproducible runs and tests) or from std::random_device.
// RFC 6528 allows rekeying; this generator keeps one key for its lifetime (a new Stack
// gets a new key). Time passes only through the argument: no clock is read here.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "four_tuple.hpp"

namespace ftoe::host {

using SipKey = std::array<uint8_t, 16>;

// SipHash-2-4 of `len` bytes at `msg` under `key` (k0 = key bytes 0..7, k1 = 8..15,
// little-endian as in the paper).
uint64_t siphash24(const SipKey& key, const uint8_t* msg, std::size_t len);

// A 128-bit key from a 64-bit seed (deterministic), or from std::random_device.
SipKey sip_key_from_seed(uint64_t seed);
SipKey sip_key_from_random_device();

class IsnGenerator {
public:
    explicit IsnGenerator(const SipKey& key) : key_(key) {}
    static IsnGenerator from_seed(uint64_t seed) { return IsnGenerator(sip_key_from_seed(seed)); }
    static IsnGenerator from_random_device() {
        return IsnGenerator(sip_key_from_random_device());
    }

    // M: the 4-us timer at now_ns, modulo 2^32 (it wraps every 4.77 hours).
    static uint32_t timer(uint64_t now_ns) { return uint32_t(now_ns / 4000); }
    // F: the keyed hash of the tuple (low 32 bits of SipHash-2-4).
    uint32_t offset(const FourTuple& t) const;
    // ISN = M + F.
    uint32_t isn(const FourTuple& t, uint64_t now_ns) const {
        return uint32_t(timer(now_ns) + offset(t));
    }

private:
    SipKey key_;
};

}  // namespace ftoe::host
