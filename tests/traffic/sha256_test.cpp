// SHA-256 against FIPS 180-4's example messages (and the million-'a' vector of its
// companion examples), and incremental hashing in random pieces equal to one call.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "sha256.hpp"

namespace ftoe::sim {
namespace {

std::string hex_of(const std::string& s) {
    return Sha256::hex(Sha256::of(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
}

TEST(Sha256, KnownAnswers) {
    EXPECT_EQ(hex_of(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    EXPECT_EQ(hex_of("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    EXPECT_EQ(hex_of("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
              "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
    EXPECT_EQ(hex_of(std::string(1000000, 'a')),
              "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST(Sha256, PiecesInAnySizesEqualOneCall) {
    std::mt19937_64 rng(5);
    for (std::size_t len : {0u, 1u, 55u, 56u, 63u, 64u, 65u, 119u, 120u, 1000u, 100000u}) {
        std::vector<uint8_t> m(len);
        for (auto& b : m) b = uint8_t(rng());
        const auto whole = Sha256::of(m.data(), m.size());
        Sha256 h;
        for (std::size_t at = 0; at < len;) {
            const std::size_t n = std::min<std::size_t>(len - at, rng() % 150);
            h.update(m.data() + at, n);
            at += n;
        }
        EXPECT_EQ(h.bytes(), len);
        EXPECT_EQ(Sha256::hex(h.finish()), Sha256::hex(whole)) << "length " << len;
    }
}

}  // namespace
}  // namespace ftoe::sim
