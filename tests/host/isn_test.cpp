// ISN generation (isn.hpp): SipHash-2-4 against the paper's published test vector and
// further vectors (message 00 01 02 ... of each length, key 00..0f, computed with
// OpenSSL's SIPHASH MAC and pasted here), then RFC 6528: for one tuple the ISN advances
// exactly with the 4-us timer M; different tuples and different secrets give unrelated
// offsets; the same seed gives the same generator.
#include <gtest/gtest.h>

#include <set>

#include "isn.hpp"
#include "time_wait_table.hpp"  // seq_gt

namespace ftoe::host {
namespace {

SipKey paper_key() {
    SipKey k{};
    for (std::size_t i = 0; i < k.size(); ++i) k[i] = uint8_t(i);
    return k;
}

uint64_t hash_counting_message(std::size_t len) {
    uint8_t m[64];
    for (std::size_t i = 0; i < sizeof m; ++i) m[i] = uint8_t(i);
    return siphash24(paper_key(), m, len);
}

TEST(SipHash, PaperTestVectorKey00To0fMessage00To0e) {
    // Aumasson & Bernstein, SipHash paper, Appendix A: a129ca6149be45e5.
    EXPECT_EQ(hash_counting_message(15), 0xa129ca6149be45e5ull);
}

TEST(SipHash, ReferenceVectorsForEveryTailLengthAndMultipleBlocks) {
    const std::pair<std::size_t, uint64_t> vectors[] = {
        {0, 0x726fdb47dd0e0e31ull},  {1, 0x74f839c593dc67fdull},  {7, 0xab0200f58b01d137ull},
        {8, 0x93f5f5799a932462ull},  {9, 0x9e0082df0ba9e4b0ull},  {16, 0x3f2acc7f57c29bdbull},
        {17, 0x699ae9f52cbe4794ull}, {31, 0x32d892fad841c342ull}, {32, 0x7127512f72f27cceull},
        {63, 0x958a324ceb064572ull},
    };
    for (const auto& [len, want] : vectors)
        EXPECT_EQ(hash_counting_message(len), want) << "message length " << len;
}

FourTuple tuple(uint32_t rip, uint16_t rport, uint32_t lip = 0x0A000001, uint16_t lport = 80) {
    FourTuple t;
    t.remote_ip = rip;
    t.remote_port = rport;
    t.local_ip = lip;
    t.local_port = lport;
    return t;
}

TEST(Isn, AdvancesExactlyWithTheFourMicrosecondTimerForOneTuple) {
    const IsnGenerator g = IsnGenerator::from_seed(42);
    const FourTuple t = tuple(0xC0A80002, 40000);
    const uint64_t t0 = 123'456'788'000ull;  // a multiple of 4000 ns
    const uint32_t base = g.isn(t, t0);
    EXPECT_EQ(g.isn(t, t0 + 3999), base);            // within one 4-us tick
    EXPECT_EQ(g.isn(t, t0 + 4000), base + 1);
    EXPECT_EQ(g.isn(t, t0 + 4'000'000), base + 1000);  // 4 ms later
    uint32_t prev = base;
    for (uint64_t dt = 4000; dt < 1'000'000'000ull; dt = dt * 3 + 4000) {
        const uint32_t now = g.isn(t, t0 + dt);
        EXPECT_EQ(uint32_t(now - base), IsnGenerator::timer(t0 + dt) - IsnGenerator::timer(t0));
        EXPECT_TRUE(seq_gt(now, prev)) << "dt " << dt;
        prev = now;
    }
    EXPECT_EQ(g.isn(t, 0), g.offset(t));  // M = 0 at time 0: ISN = F
}

TEST(Isn, DiffersPerTupleAtTheSameTime) {
    const IsnGenerator g = IsnGenerator::from_seed(42);
    std::set<uint32_t> seen;
    const uint64_t now = 5'000'000'000ull;
    int n = 0;
    for (uint16_t port = 40000; port < 41000; ++port, ++n) seen.insert(g.isn(tuple(0xC0A80002, port), now));
    for (uint32_t ip = 1; ip <= 1000; ++ip, ++n) seen.insert(g.isn(tuple(ip, 40000), now));
    // Each field of the tuple matters, including the local side.
    seen.insert(g.isn(tuple(0xC0A80002, 40000, 0x0A000002, 80), now));
    seen.insert(g.isn(tuple(0xC0A80002, 40000, 0x0A000001, 81), now));
    n += 2;
    // 2002 32-bit values: a collision among them has probability ~5e-4 for a PRF.
    EXPECT_GE(seen.size(), std::size_t(n - 1));
}

TEST(Isn, DiffersPerSecretAndIsReproducibleFromTheSameSeed) {
    const FourTuple t = tuple(0xC0A80002, 40000);
    const uint64_t now = 77'000'000ull;
    EXPECT_EQ(IsnGenerator::from_seed(1).isn(t, now), IsnGenerator::from_seed(1).isn(t, now));
    std::set<uint32_t> seen;
    for (uint64_t seed = 0; seed < 100; ++seed) seen.insert(IsnGenerator::from_seed(seed).isn(t, now));
    EXPECT_GE(seen.size(), 99u);
    // Keys from the random device differ from each other.
    EXPECT_NE(sip_key_from_random_device(), sip_key_from_random_device());
}

TEST(Isn, OffsetIsTheLowHalfOfSipHashOverTheBigEndianTuple) {
    const SipKey k = sip_key_from_seed(9);
    const FourTuple t = tuple(0xC0A80002, 0x9C40, 0x0A000001, 0x0050);
    const uint8_t m[12] = {0x0A, 0, 0, 1, 0, 0x50, 0xC0, 0xA8, 0, 2, 0x9C, 0x40};
    EXPECT_EQ(IsnGenerator(k).offset(t), uint32_t(siphash24(k, m, 12)));
}

}  // namespace
}  // namespace ftoe::host
