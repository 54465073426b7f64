// syn_cookie.hpp: SYN cookies (RFC 4987 §3.6). Under a SYN flood the Stack answers a SYN
// without keeping state: the SYN-ACK's sequence number (our ISN) is a cookie, and the
// final ACK of the handshake proves the peer received it (ACK - 1 == cookie) and brings
// back what the cookie encodes. The cookie's 32 bits:
//
//    31..27  t mod 32, t = now / 64 s (the cookie's age counter)
//    26..24  MSS index into kSynCookieMssTable: the largest entry <= the peer's MSS
//    23..0   low 24 bits of SipHash-2-4 under the cookie secret over
//            (local ip, local port, remote ip, remote port, peer ISN, t (full 32-bit
//             counter), MSS index)
//
// decode() accepts a cookie whose counter is the current one or up to max_age_periods
// older (default 1: the current or the previous 64-s period, so a cookie lives 64..128
// s), recomputes the hash with that full counter value and the peer's ISN (final ACK's
// SEQ - 1), and returns the MSS. Changing any bit of the cookie, the tuple or the peer
// ISN fails the 24-bit hash (a forgery succeeds with probability 2^-24 per try).
//
// What a cookie cannot carry: everything else the SYN said and the SYN-ACK answered.
//  - Window scale and SACK-permitted: carried in our SYN-ACK's TSval when the SYN had
//    timestamps (our choice, as Linux does): syn_cookie_tsval() puts the peer's window
//    scale (0..14, or 15 for "none") in TSval bits 3..0 and SACK-permitted in bit 4,
//    and the final ACK's TSecr echoes them back (syn_cookie_ts_options()). These bits
//    are not covered by the hash: a peer can only change its own connection's options.
//    Without timestamps in the SYN the connection runs with no window scaling (both
//    directions, RFC 7323 §2.2: we must then not send a WS option in the SYN-ACK) and
//    no SACK.
//  - Timestamps themselves: negotiated when the final ACK carries a timestamp option
//    (the peer only sends it if our SYN-ACK did); TS.Recent is taken from that ACK.
//  - The MSS is rounded down to a table entry (a peer advertising less than 536 is
//    given 536, the RFC 9293 default every IPv4 host must accept); no MSS option: 536.
//  - Anything sent as data on the SYN is dropped, and the SYN-ACK is never
//    retransmitted (no state): the peer's SYN retransmission gets a fresh cookie.
//
// Time passes only through arguments (ns); the secret comes from the caller's seed or
// std::random_device, separate from the ISN generator's.
#pragma once

#include <array>
#include <cstdint>

#include "four_tuple.hpp"
#include "isn.hpp"

namespace ftoe::host {

constexpr std::array<uint16_t, 8> kSynCookieMssTable = {536,  1220, 1300, 1360,
                                                        1400, 1440, 1460, 8960};
constexpr uint64_t kSynCookiePeriodNs = 64'000'000'000ull;
constexpr uint16_t kDefaultPeerMss = 536;  // RFC 9293 §3.7.1 when the SYN has no MSS

enum class CookieCheck : uint8_t {
    kValid,
    kExpired,  // the counter is older than max_age_periods (or from the future)
    kBadHash,  // not a cookie we made for this tuple and peer ISN
};
const char* cookie_check_name(CookieCheck c);

struct CookieResult {
    CookieCheck check = CookieCheck::kBadHash;
    uint16_t mss = 0;          // kValid: the MSS the cookie encoded
    uint32_t age_periods = 0;  // kValid: 0 = made in the current period
    bool ok() const { return check == CookieCheck::kValid; }
};

struct SynCookie {
    uint32_t isn = 0;  // our ISN for the SYN-ACK
    uint16_t mss = 0;  // the MSS it encodes (<= the peer's, or 536)
};

class SynCookies {
public:
    static constexpr uint32_t kMaxAgePeriods = 30;

    // Throws std::invalid_argument if max_age_periods > kMaxAgePeriods.
    explicit SynCookies(const SipKey& key, uint32_t max_age_periods = 1);
    static SynCookies from_seed(uint64_t seed, uint32_t max_age_periods = 1);
    static SynCookies from_random_device(uint32_t max_age_periods = 1);

    static uint32_t counter(uint64_t now_ns) { return uint32_t(now_ns / kSynCookiePeriodNs); }
    // The table index for a peer MSS (0 when the peer's MSS is below every entry).
    static uint8_t mss_index(uint16_t peer_mss);

    // The cookie for a SYN from the peer: peer_isn is the SYN's SEQ, peer_mss its MSS
    // option (kDefaultPeerMss when it had none).
    SynCookie encode(const FourTuple& t, uint32_t peer_isn, uint16_t peer_mss,
                     uint64_t now_ns) const;
    // Checks `cookie` (the final ACK's ACK - 1) for peer_isn (its SEQ - 1).
    CookieResult decode(const FourTuple& t, uint32_t peer_isn, uint32_t cookie,
                        uint64_t now_ns) const;
    // decode() from the final ACK's SEQ and ACK fields.
    CookieResult check_ack(const FourTuple& t, uint32_t seg_seq, uint32_t seg_ack,
                           uint64_t now_ns) const {
        return decode(t, seg_seq - 1, seg_ack - 1, now_ns);
    }

private:
    uint32_t hash24(const FourTuple& t, uint32_t peer_isn, uint32_t count, uint8_t mss_idx) const;

    SipKey key_;
    uint32_t max_age_;
};

// Options carried in the SYN-ACK's TSval (see above).
struct CookieTsOptions {
    bool has_wscale = false;
    uint8_t wscale = 0;  // the peer's shift, 0..14 (larger values are clamped to 14)
    bool sack_permitted = false;
};
constexpr uint32_t kCookieTsBits = 6;  // TSval bits 5..0 (bit 5 reserved, 0)

// Our SYN-ACK's TSval: our timestamp clock `ts_now` with its low 6 bits replaced by the
// options, moved back one 64-tick step if that would put it after ts_now (so our
// timestamps never run backwards on the connection).
uint32_t syn_cookie_tsval(uint32_t ts_now, const CookieTsOptions& o);
// The options back from the final ACK's TSecr.
CookieTsOptions syn_cookie_ts_options(uint32_t tsecr);

}  // namespace ftoe::host
