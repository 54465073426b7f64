// SYN cookies (syn_cookie.hpp): a cookie is accepted in the period it was made and the
// next one (max_age_periods = 1), rejected after; rejected when the tuple, the peer ISN,
// the MSS bits, the counter bits or the hash bits are changed, or under another secret;
// the MSS comes back as the table entry at or below the peer's; check_ack() takes the
// final ACK's SEQ and ACK; window scale and SACK-permitted survive the TSval round trip.
#include <gtest/gtest.h>

#include <random>

#include "syn_cookie.hpp"

namespace ftoe::host {
namespace {

constexpr uint64_t kPeriod = kSynCookiePeriodNs;
constexpr uint64_t kT0 = 1000 * kPeriod + 5'000'000'000ull;  // 5 s into period 1000

FourTuple tuple() {
    FourTuple t;
    t.remote_ip = 0xC0A80002;
    t.remote_port = 40000;
    t.local_ip = 0x0A000001;
    t.local_port = 80;
    return t;
}

TEST(SynCookie, LayoutHasCounterModThirtyTwoOnTopAndTheMssIndexBelowIt) {
    const SynCookies c = SynCookies::from_seed(1);
    const SynCookie k = c.encode(tuple(), 0x12345678, 1460, kT0);
    EXPECT_EQ(k.isn >> 27, 1000u % 32);
    EXPECT_EQ((k.isn >> 24) & 7u, 6u);  // 1460 is entry 6
    EXPECT_EQ(k.mss, 1460);
}

TEST(SynCookie, AcceptedInItsPeriodAndTheNextWithTheEncodedMss) {
    const SynCookies c = SynCookies::from_seed(1);
    const SynCookie k = c.encode(tuple(), 0x12345678, 1460, kT0);
    const uint64_t end_of_period = kPeriod - uint64_t{5'000'000'001};  // the last ns of period 1000
    for (uint64_t later : {uint64_t{0}, end_of_period, kPeriod, kPeriod + end_of_period}) {
        const CookieResult r = c.decode(tuple(), 0x12345678, k.isn, kT0 + later);
        EXPECT_TRUE(r.ok()) << "after " << later << " ns: " << cookie_check_name(r.check);
        EXPECT_EQ(r.mss, 1460);
        EXPECT_EQ(r.age_periods, (kT0 + later) / kPeriod - 1000);
    }
}

TEST(SynCookie, RejectedOnceOlderThanTheAgeLimitIncludingAfterTheCounterWraps) {
    const SynCookies c = SynCookies::from_seed(1);
    const SynCookie k = c.encode(tuple(), 7, 1460, kT0);
    // Period 1002 and later: too old; period 1032 has the same t mod 32 but the hash
    // covers the full counter.
    for (uint64_t periods : {2, 3, 16, 31, 32, 33, 64}) {
        const CookieResult r = c.decode(tuple(), 7, k.isn, kT0 + periods * kPeriod);
        EXPECT_FALSE(r.ok()) << periods << " periods later";
    }
    EXPECT_EQ(c.decode(tuple(), 7, k.isn, kT0 + 2 * kPeriod).check, CookieCheck::kExpired);
    EXPECT_EQ(c.decode(tuple(), 7, k.isn, kT0 + 32 * kPeriod).check, CookieCheck::kBadHash);
    // A cookie from the future (clock went back, or a forged counter) is not accepted.
    EXPECT_FALSE(c.decode(tuple(), 7, k.isn, kT0 - kPeriod).ok());
}

TEST(SynCookie, ALongerAgeLimitAcceptsOlderCookies) {
    const SynCookies c = SynCookies::from_seed(1, 3);
    const SynCookie k = c.encode(tuple(), 7, 1460, kT0);
    EXPECT_TRUE(c.decode(tuple(), 7, k.isn, kT0 + 3 * kPeriod).ok());
    EXPECT_FALSE(c.decode(tuple(), 7, k.isn, kT0 + 4 * kPeriod).ok());
    EXPECT_THROW(SynCookies::from_seed(1, 31), std::invalid_argument);
}

TEST(SynCookie, RejectedWhenAnyFieldOfTupleOrPeerIsnChanges) {
    const SynCookies c = SynCookies::from_seed(1);
    const FourTuple t = tuple();
    const SynCookie k = c.encode(t, 0xABCDEF01, 1460, kT0);
    ASSERT_TRUE(c.decode(t, 0xABCDEF01, k.isn, kT0).ok());
    FourTuple u = t;
    u.remote_ip ^= 1;
    EXPECT_EQ(c.decode(u, 0xABCDEF01, k.isn, kT0).check, CookieCheck::kBadHash);
    u = t;
    u.local_ip ^= 0x100;
    EXPECT_EQ(c.decode(u, 0xABCDEF01, k.isn, kT0).check, CookieCheck::kBadHash);
    u = t;
    u.remote_port ^= 1;
    EXPECT_EQ(c.decode(u, 0xABCDEF01, k.isn, kT0).check, CookieCheck::kBadHash);
    u = t;
    u.local_port ^= 0x8000;
    EXPECT_EQ(c.decode(u, 0xABCDEF01, k.isn, kT0).check, CookieCheck::kBadHash);
    EXPECT_EQ(c.decode(t, 0xABCDEF02, k.isn, kT0).check, CookieCheck::kBadHash);
    // Another secret does not accept it.
    EXPECT_FALSE(SynCookies::from_seed(2).decode(t, 0xABCDEF01, k.isn, kT0).ok());
}

TEST(SynCookie, RejectedWhenAnyBitOfTheCookieIsFlipped) {
    const SynCookies c = SynCookies::from_seed(1);
    const SynCookie k = c.encode(tuple(), 99, 1440, kT0 + kPeriod / 2);
    for (int bit = 0; bit < 32; ++bit) {
        const uint32_t forged = k.isn ^ (1u << bit);
        // Checked in the period after the cookie's: a counter bit flipped to the previous
        // period's value is inside the age limit and still fails on the hash.
        EXPECT_FALSE(c.decode(tuple(), 99, forged, kT0 + kPeriod).ok()) << "bit " << bit;
        EXPECT_FALSE(c.decode(tuple(), 99, forged, kT0).ok()) << "bit " << bit;
    }
}

TEST(SynCookie, RandomForgeriesAreRejectedAtAboutTwoToTheMinusTwentyFour) {
    const SynCookies c = SynCookies::from_seed(5);
    std::mt19937 rng(11);
    int accepted = 0;
    for (int i = 0; i < 200000; ++i)
        accepted += c.decode(tuple(), uint32_t(rng()), uint32_t(rng()), kT0).ok() ? 1 : 0;
    // Expected 200000 * 2/32 (age) * 2^-24 ~ 0.0007.
    EXPECT_EQ(accepted, 0);
}

TEST(SynCookie, MssIsRoundedDownToATableEntryAnd536WithoutOrBelowIt) {
    const SynCookies c = SynCookies::from_seed(1);
    const std::pair<uint16_t, uint16_t> cases[] = {
        {kDefaultPeerMss, 536}, {100, 536}, {536, 536}, {1219, 536}, {1220, 1220},
        {1459, 1440}, {1460, 1460}, {8960, 8960}, {65535, 8960}, {1300, 1300},
    };
    for (const auto& [peer, want] : cases) {
        const SynCookie k = c.encode(tuple(), 1, peer, kT0);
        EXPECT_EQ(k.mss, want) << "peer MSS " << peer;
        const CookieResult r = c.decode(tuple(), 1, k.isn, kT0);
        ASSERT_TRUE(r.ok());
        EXPECT_EQ(r.mss, want) << "peer MSS " << peer;
    }
}

TEST(SynCookie, CheckAckUsesSeqMinusOneAndAckMinusOneOfTheFinalAck) {
    const SynCookies c = SynCookies::from_seed(1);
    const uint32_t peer_isn = 0xFFFFFFFF;  // SEQ of the final ACK wraps to 0
    const SynCookie k = c.encode(tuple(), peer_isn, 1460, kT0);
    EXPECT_TRUE(c.check_ack(tuple(), peer_isn + 1, k.isn + 1, kT0).ok());
    EXPECT_FALSE(c.check_ack(tuple(), peer_isn, k.isn + 1, kT0).ok());
    EXPECT_FALSE(c.check_ack(tuple(), peer_isn + 1, k.isn, kT0).ok());
}

TEST(SynCookie, WindowScaleAndSackSurviveTheTsvalRoundTripAndTsvalNeverRunsAhead) {
    std::mt19937 rng(3);
    for (int i = 0; i < 10000; ++i) {
        CookieTsOptions o;
        o.has_wscale = rng() & 1;
        o.wscale = uint8_t(rng() % 15);
        o.sack_permitted = rng() & 1;
        const uint32_t now = uint32_t(rng());
        const uint32_t tsval = syn_cookie_tsval(now, o);
        EXPECT_LT(uint32_t(now - tsval), 64u) << "now " << now << " tsval " << tsval;
        const CookieTsOptions back = syn_cookie_ts_options(tsval);
        EXPECT_EQ(back.has_wscale, o.has_wscale);
        if (o.has_wscale) {
            EXPECT_EQ(back.wscale, o.wscale);
        }
        EXPECT_EQ(back.sack_permitted, o.sack_permitted);
    }
    CookieTsOptions big;
    big.has_wscale = true;
    big.wscale = 20;
    EXPECT_EQ(syn_cookie_ts_options(syn_cookie_tsval(1000, big)).wscale, 14);
}

}  // namespace
}  // namespace ftoe::host
