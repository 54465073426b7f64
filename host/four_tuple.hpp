// four_tuple.hpp: a TCP connection's 4-tuple as the host control plane keys it, and a
// seeded hash for the host's tables (TIME_WAIT table, port allocator, later the Stack's
// socket tables). The fields are the same, in the same order, as driver::FourTuple (the
// engine's session key), so converting between the two is a field-for-field copy.
// Addresses and ports are numbers in host byte order; "local" is our side.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ftoe::host {

struct FourTuple {
    uint32_t remote_ip = 0, local_ip = 0;
    uint16_t remote_port = 0, local_port = 0;
};

constexpr bool operator==(const FourTuple& a, const FourTuple& b) {
    return a.remote_ip == b.remote_ip && a.local_ip == b.local_ip &&
           a.remote_port == b.remote_port && a.local_port == b.local_port;
}
constexpr bool operator!=(const FourTuple& a, const FourTuple& b) { return !(a == b); }
// An arbitrary total order (remote ip, local ip, remote port, local port), for ordered
// containers.
constexpr bool operator<(const FourTuple& a, const FourTuple& b) {
    if (a.remote_ip != b.remote_ip) return a.remote_ip < b.remote_ip;
    if (a.local_ip != b.local_ip) return a.local_ip < b.local_ip;
    if (a.remote_port != b.remote_port) return a.remote_port < b.remote_port;
    return a.local_port < b.local_port;
}

// A 64-bit finalizer (the splitmix64 output function): every input bit affects every
// output bit, so the low bits of the result are good bucket indices.
constexpr uint64_t mix64(uint64_t x) {
    x ^= x >> 30;
    x *= 0xBF58476D1CE4E5B9ull;
    x ^= x >> 27;
    x *= 0x94D049BB133111EBull;
    x ^= x >> 31;
    return x;
}

// Hash of a 4-tuple under a seed. The seed comes from the caller's seeded random source,
// so a remote peer that does not know it cannot pick tuples that collide in our tables
// (hash flooding). Not a cryptographic PRF: it spreads keys, it does not keep secrets.
constexpr uint64_t hash_four_tuple(const FourTuple& t, uint64_t seed) {
    const uint64_t addrs = (uint64_t(t.remote_ip) << 32) | t.local_ip;
    const uint64_t ports = (uint64_t(t.remote_port) << 16) | t.local_port;
    return mix64(mix64(addrs ^ seed) ^ ports ^ (seed >> 17) ^ (seed << 47));
}

struct FourTupleHash {
    uint64_t seed = 0;
    std::size_t operator()(const FourTuple& t) const {
        return static_cast<std::size_t>(hash_four_tuple(t, seed));
    }
};

}  // namespace ftoe::host
