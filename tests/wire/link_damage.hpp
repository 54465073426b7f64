// link_damage.hpp: seeded damage to a host-link byte stream, as a noisy or lossy link
// would do it: bit flips, lost and duplicated ranges, inserted garbage (often full of
// magic bytes), truncation.
#pragma once

#include <algorithm>
#include <cstdint>
#include <random>

#include "wire_format.hpp"

namespace ftoe::driver::testing {

inline void damage_stream(Bytes& stream, int events, std::mt19937_64& rng) {
    auto uni = [&](uint64_t lo, uint64_t hi) {
        return std::uniform_int_distribution<uint64_t>(lo, hi)(rng);
    };
    for (int k = 0; k < events && !stream.empty(); k++) {
        const std::size_t at = uni(0, stream.size() - 1);
        const auto end_at = [&](uint64_t n) {
            return stream.begin() + long(std::min<std::size_t>(stream.size(), at + n));
        };
        switch (uni(0, 4)) {
            case 0: stream[at] ^= uint8_t(1u << uni(0, 7)); break;
            case 1: stream.erase(stream.begin() + long(at), end_at(uni(1, 40))); break;
            case 2: {
                const Bytes dup(stream.begin() + long(at), end_at(uni(1, 60)));
                stream.insert(stream.begin() + long(at), dup.begin(), dup.end());
                break;
            }
            case 3: {
                Bytes junk(uni(1, 30));
                for (auto& b : junk) b = uni(0, 3) ? uint8_t(rng()) : kMagic;
                stream.insert(stream.begin() + long(at), junk.begin(), junk.end());
                break;
            }
            default: stream.resize(at); break;
        }
    }
}

}  // namespace ftoe::driver::testing
