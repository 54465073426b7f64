// sha256.hpp: SHA-256 (FIPS 180-4) over a byte stream, for end-to-end checks of bulk
// transfers: both ends hash what they sent and what they received, incrementally, so a
// 10 MB (or 100 MB) transfer needs no copy of its data.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace ftoe::sim {

class Sha256 {
public:
    using Digest = std::array<uint8_t, 32>;

    Sha256();
    void update(const uint8_t* p, std::size_t n);
    Digest finish();  // the digest; the object is spent afterwards
    uint64_t bytes() const { return total_; }

    static std::string hex(const Digest& d);
    static Digest of(const uint8_t* p, std::size_t n);

private:
    void block(const uint8_t* p);

    std::array<uint32_t, 8> h_;
    std::array<uint8_t, 64> buf_{};
    std::size_t used_ = 0;  // bytes waiting in buf_
    uint64_t total_ = 0;
};

}  // namespace ftoe::sim
