// isn.cpp: SipHash-2-4 from the paper's specification, and the RFC 6528 generator.
#include "isn.hpp"

#include <random>

namespace ftoe::host {

namespace {

constexpr uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

uint64_t load_le64(const uint8_t* p) {
    uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
    return v;
}

struct SipState {
    uint64_t v0, v1, v2, v3;
    // SipRound: the ARX network of the paper's Figure 2.
    void round() {
        v0 += v1;
        v1 = rotl(v1, 13);
        v1 ^= v0;
        v0 = rotl(v0, 32);
        v2 += v3;
        v3 = rotl(v3, 16);
        v3 ^= v2;
        v0 += v3;
        v3 = rotl(v3, 21);
        v3 ^= v0;
        v2 += v1;
        v1 = rotl(v1, 17);
        v1 ^= v2;
        v2 = rotl(v2, 32);
    }
    void compress(uint64_t m) {  // c = 2 rounds per message word
        v3 ^= m;
        round();
        round();
        v0 ^= m;
    }
};

}  // namespace

uint64_t siphash24(const SipKey& key, const uint8_t* msg, std::size_t len) {
    const uint64_t k0 = load_le64(key.data()), k1 = load_le64(key.data() + 8);
    // Initialization: the constants spell "somepseudorandomlygeneratedbytes".
    SipState s{k0 ^ 0x736f6d6570736575ull, k1 ^ 0x646f72616e646f6dull,
               k0 ^ 0x6c7967656e657261ull, k1 ^ 0x7465646279746573ull};
    const std::size_t full = len / 8 * 8;
    for (std::size_t i = 0; i < full; i += 8) s.compress(load_le64(msg + i));
    // The last word: the remaining 0..7 bytes, zero padding, and len mod 256 in the top
    // byte.
    uint64_t last = uint64_t(len & 0xFF) << 56;
    for (std::size_t i = 0; i < len - full; ++i) last |= uint64_t(msg[full + i]) << (8 * i);
    s.compress(last);
    // Finalization: d = 4 rounds.
    s.v2 ^= 0xFF;
    for (int i = 0; i < 4; ++i) s.round();
    return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

SipKey sip_key_from_seed(uint64_t seed) {
    SipKey k{};
    uint64_t x = seed;
    for (int half = 0; half < 2; ++half) {
        x += 0x9E3779B97F4A7C15ull;  // the splitmix64 sequence
        const uint64_t w = mix64(x);
        for (int i = 0; i < 8; ++i) k[std::size_t(half * 8 + i)] = uint8_t(w >> (8 * i));
    }
    return k;
}

SipKey sip_key_from_random_device() {
    std::random_device rd;
    SipKey k{};
    for (std::size_t i = 0; i < k.size(); i += 4) {
        const uint32_t w = uint32_t(rd());
        for (std::size_t j = 0; j < 4; ++j) k[i + j] = uint8_t(w >> (8 * j));
    }
    return k;
}

uint32_t IsnGenerator::offset(const FourTuple& t) const {
    const uint8_t m[12] = {
        uint8_t(t.local_ip >> 24),  uint8_t(t.local_ip >> 16),  uint8_t(t.local_ip >> 8),
        uint8_t(t.local_ip),        uint8_t(t.local_port >> 8), uint8_t(t.local_port),
        uint8_t(t.remote_ip >> 24), uint8_t(t.remote_ip >> 16), uint8_t(t.remote_ip >> 8),
        uint8_t(t.remote_ip),       uint8_t(t.remote_port >> 8), uint8_t(t.remote_port),
    };
    return uint32_t(siphash24(key_, m, sizeof m));
}

}  // namespace ftoe::host
