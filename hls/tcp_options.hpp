// tcp_options.hpp: TCP option-list parsing (RFC 9293 §3.2, RFC 7323, RFC 2018), the
// reference for rtl/parse/tcp_opt_parse.sv.
//
// The walk: skip NOPs, stop at EOL or the end, otherwise read kind and length; a length
// below 2 or running past the list, or a known option with the wrong length, makes the
// list malformed (the frame is rejected). Unknown kinds are skipped by their length. A
// repeated option: the last one counts. The hardware walks at most kMaxOptions options
// (NOPs not counted); a longer list is flagged too_many and goes to the host's slow path,
// which is not an error: no real stack sends more than five.
#pragma once

#include <cstdint>

namespace ftoe::kernel {

constexpr int kTcpMaxOptionBytes = 40;
constexpr int kMaxOptions = 8;

struct TcpOptions {
    bool malformed = false;
    bool too_many = false;
    bool has_mss = false;
    uint16_t mss = 0;
    bool has_wscale = false;
    uint8_t wscale = 0;
    bool sack_permitted = false;
    bool has_sack = false;
    uint8_t sack_blocks = 0;
    bool has_ts = false;
    uint32_t tsval = 0, tsecr = 0;
    uint8_t unknown = 0;  // options skipped by length
    bool operator==(const TcpOptions& o) const {
        return malformed == o.malformed && too_many == o.too_many && has_mss == o.has_mss &&
               mss == o.mss && has_wscale == o.has_wscale && wscale == o.wscale &&
               sack_permitted == o.sack_permitted && has_sack == o.has_sack &&
               sack_blocks == o.sack_blocks && has_ts == o.has_ts && tsval == o.tsval &&
               tsecr == o.tsecr && unknown == o.unknown;
    }
};

// `opts` holds the option bytes (TCP header bytes 20..), `len` of them (0..40);
// `max_options` is the RTL's MAX_OPTIONS (the walk's stage count).
inline TcpOptions tcp_options_parse(const uint8_t* opts, int len, int max_options = kMaxOptions) {
    TcpOptions r;
    int p = 0;
    auto skip_nops = [&] {
        while (p < len && opts[p] == 1) p++;
    };
    for (int n = 0; n < kMaxOptions; n++) {
        if (n >= max_options) break;
        skip_nops();
        if (p >= len || opts[p] == 0) return r;  // end of list, or EOL
        if (p + 1 >= len) {
            r.malformed = true;
            return r;
        }
        const int kind = opts[p], olen = opts[p + 1];
        if (olen < 2 || p + olen > len) {
            r.malformed = true;
            return r;
        }
        // A known option must have its exact length; check before reading its value.
        const bool length_ok = kind == 2   ? olen == 4
                               : kind == 3 ? olen == 3
                               : kind == 4 ? olen == 2
                               : kind == 5 ? olen >= 10 && olen <= 34 && (olen - 2) % 8 == 0
                               : kind == 8 ? olen == 10
                                           : true;
        if (!length_ok) {
            r.malformed = true;
            return r;
        }
        // Value bytes through a bounded read: never past the list, whatever the lengths.
        const auto v = [&](int i) { return p + 2 + i < len ? opts[p + 2 + i] : uint8_t(0); };
        switch (kind) {
            case 2:
                r.has_mss = true;
                r.mss = uint16_t(v(0) << 8 | v(1));
                break;
            case 3:
                r.has_wscale = true;
                r.wscale = v(0);
                break;
            case 4: r.sack_permitted = true; break;
            case 5:
                r.has_sack = true;
                r.sack_blocks = uint8_t((olen - 2) / 8);
                break;
            case 8:
                r.has_ts = true;
                r.tsval = uint32_t(v(0)) << 24 | uint32_t(v(1)) << 16 | uint32_t(v(2)) << 8 | v(3);
                r.tsecr = uint32_t(v(4)) << 24 | uint32_t(v(5)) << 16 | uint32_t(v(6)) << 8 | v(7);
                break;
            default: r.unknown++;
        }
        p += olen;
    }
    skip_nops();
    r.too_many = p < len && opts[p] != 0;
    return r;
}

}  // namespace ftoe::kernel
