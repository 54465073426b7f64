// byte_stream.hpp: a deterministic byte stream (xorshift64* words, least significant
// byte first), produced in pieces of any size: the same seed gives the same bytes however
// the pieces are cut. Bulk senders, the HTTP server's /bytes/N bodies and the checks at
// the receiving ends all draw from it, so a receiver can regenerate what it should get.
#pragma once

#include <cstddef>
#include <cstdint>

namespace ftoe::sim {

class ByteStream {
public:
    explicit ByteStream(uint64_t seed) : x_(seed | 1) {}

    void fill(uint8_t* p, std::size_t n) {
        for (std::size_t i = 0; i < n; i++) {
            if (left_ == 0) {
                x_ ^= x_ >> 12;
                x_ ^= x_ << 25;
                x_ ^= x_ >> 27;
                word_ = x_ * 0x2545F4914F6CDD1Dull;
                left_ = 8;
            }
            p[i] = uint8_t(word_);
            word_ >>= 8;
            left_--;
        }
        produced_ += n;
    }

    uint64_t produced() const { return produced_; }  // bytes handed out so far

private:
    uint64_t x_, word_ = 0;
    int left_ = 0;
    uint64_t produced_ = 0;
};

}  // namespace ftoe::sim
