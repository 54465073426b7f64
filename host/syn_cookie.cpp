// syn_cookie.cpp: see syn_cookie.hpp for the cookie layout and what it cannot carry.
#include "syn_cookie.hpp"

#include <stdexcept>
#include <string>

namespace ftoe::host {

namespace {
constexpr int kCounterShift = 27, kMssShift = 24;
constexpr uint32_t kHashMask = 0x00FFFFFF;
// Keeps the cookie key apart from an ISN key made from the same seed.
constexpr uint64_t kCookieSeedTweak = 0xC0061E5EC2E7ull;
}  // namespace

const char* cookie_check_name(CookieCheck c) {
    switch (c) {
    case CookieCheck::kValid: return "valid";
    case CookieCheck::kExpired: return "expired";
    case CookieCheck::kBadHash: return "bad-hash";
    }
    return "?";
}

SynCookies::SynCookies(const SipKey& key, uint32_t max_age_periods)
    : key_(key), max_age_(max_age_periods) {
    if (max_age_periods > kMaxAgePeriods)
        throw std::invalid_argument("SynCookies: max_age_periods " +
                                    std::to_string(max_age_periods) + " over " +
                                    std::to_string(kMaxAgePeriods));
}

SynCookies SynCookies::from_seed(uint64_t seed, uint32_t max_age_periods) {
    return SynCookies(sip_key_from_seed(seed ^ kCookieSeedTweak), max_age_periods);
}

SynCookies SynCookies::from_random_device(uint32_t max_age_periods) {
    return SynCookies(sip_key_from_random_device(), max_age_periods);
}

uint8_t SynCookies::mss_index(uint16_t peer_mss) {
    uint8_t i = uint8_t(kSynCookieMssTable.size() - 1);
    while (i > 0 && kSynCookieMssTable[i] > peer_mss) --i;
    return i;
}

uint32_t SynCookies::hash24(const FourTuple& t, uint32_t peer_isn, uint32_t count,
                            uint8_t mss_idx) const {
    const uint8_t m[21] = {
        uint8_t(t.local_ip >> 24),  uint8_t(t.local_ip >> 16),   uint8_t(t.local_ip >> 8),
        uint8_t(t.local_ip),        uint8_t(t.local_port >> 8),  uint8_t(t.local_port),
        uint8_t(t.remote_ip >> 24), uint8_t(t.remote_ip >> 16),  uint8_t(t.remote_ip >> 8),
        uint8_t(t.remote_ip),       uint8_t(t.remote_port >> 8), uint8_t(t.remote_port),
        uint8_t(peer_isn >> 24),    uint8_t(peer_isn >> 16),     uint8_t(peer_isn >> 8),
        uint8_t(peer_isn),          uint8_t(count >> 24),        uint8_t(count >> 16),
        uint8_t(count >> 8),        uint8_t(count),              mss_idx,
    };
    return uint32_t(siphash24(key_, m, sizeof m)) & kHashMask;
}

SynCookie SynCookies::encode(const FourTuple& t, uint32_t peer_isn, uint16_t peer_mss,
                             uint64_t now_ns) const {
    const uint32_t count = counter(now_ns);
    const uint8_t idx = mss_index(peer_mss);
    SynCookie c;
    c.isn = (count & 31u) << kCounterShift | uint32_t(idx) << kMssShift |
            hash24(t, peer_isn, count, idx);
    c.mss = kSynCookieMssTable[idx];
    return c;
}

CookieResult SynCookies::decode(const FourTuple& t, uint32_t peer_isn, uint32_t cookie,
                                uint64_t now_ns) const {
    CookieResult r;
    const uint32_t now_count = counter(now_ns);
    const uint32_t age = (now_count - (cookie >> kCounterShift)) & 31u;
    if (age > max_age_ || age > now_count) {  // too old (or before time began)
        r.check = CookieCheck::kExpired;
        return r;
    }
    const uint32_t count = now_count - age;
    const uint8_t idx = uint8_t((cookie >> kMssShift) & 7u);
    if (hash24(t, peer_isn, count, idx) != (cookie & kHashMask)) {
        r.check = CookieCheck::kBadHash;
        return r;
    }
    r.check = CookieCheck::kValid;
    r.mss = kSynCookieMssTable[idx];
    r.age_periods = age;
    return r;
}

uint32_t syn_cookie_tsval(uint32_t ts_now, const CookieTsOptions& o) {
    constexpr uint32_t mask = (1u << kCookieTsBits) - 1;
    uint32_t bits = o.has_wscale ? (o.wscale > 14 ? 14u : o.wscale) : 15u;
    if (o.sack_permitted) bits |= 1u << 4;
    uint32_t v = (ts_now & ~mask) | bits;
    if (v > ts_now) v -= 1u << kCookieTsBits;  // (wraps correctly in timestamp space)
    return v;
}

CookieTsOptions syn_cookie_ts_options(uint32_t tsecr) {
    CookieTsOptions o;
    const uint8_t ws = uint8_t(tsecr & 15u);
    o.has_wscale = ws != 15;
    o.wscale = o.has_wscale ? ws : 0;
    o.sack_permitted = (tsecr >> 4) & 1u;
    return o;
}

}  // namespace ftoe::host
