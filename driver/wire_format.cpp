#include "wire_format.hpp"

#include <algorithm>
#include <array>
#include <cstdio>

namespace ftoe::driver {
namespace {

uint32_t get_le(const uint8_t* p, int n) {
    uint32_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}
void put_le(Bytes& out, uint32_t v, int n) {
    for (int i = 0; i < n; i++) out.push_back(uint8_t(v >> (8 * i)));
}

}  // namespace

const char* kind_name(Kind k) {
    switch (k) {
        case Kind::kPing: return "PING";
        case Kind::kSetConfig: return "SET_CONFIG";
        case Kind::kInstall: return "INSTALL";
        case Kind::kRemove: return "REMOVE";
        case Kind::kSendFin: return "SEND_FIN";
        case Kind::kAbort: return "ABORT";
        case Kind::kRawTx: return "RAW_TX";
        case Kind::kAppData: return "APP_DATA";
        case Kind::kReadCounters: return "READ_COUNTERS";
        case Kind::kRxCredit: return "RX_CREDIT";
        case Kind::kRxInject: return "RX_INJECT";
        case Kind::kPong: return "PONG";
        case Kind::kSlowPath: return "SLOW_PATH";
        case Kind::kInstalled: return "INSTALLED";
        case Kind::kRemoved: return "REMOVED";
        case Kind::kPeerFin: return "PEER_FIN";
        case Kind::kPeerRst: return "PEER_RST";
        case Kind::kPeerSyn: return "PEER_SYN";
        case Kind::kAcked: return "ACKED";
        case Kind::kRxData: return "RX_DATA";
        case Kind::kTimeout: return "TIMEOUT";
        case Kind::kCounters: return "COUNTERS";
        case Kind::kLinkError: return "LINK_ERROR";
    }
    return "UNKNOWN";
}

bool is_known_kind(uint8_t k) {
    return std::any_of(std::begin(kAllKinds), std::end(kAllKinds),
                       [k](Kind known) { return uint8_t(known) == k; });
}

const char* link_error_name(LinkError e) {
    switch (e) {
        case LinkError::kHeaderCrc: return "header CRC mismatch";
        case LinkError::kPayloadCrc: return "payload CRC mismatch";
        case LinkError::kSeqGap: return "sequence gap (messages lost)";
        case LinkError::kSeqDup: return "duplicate or old sequence number";
        case LinkError::kBadKind: return "unknown message kind";
        case LinkError::kTooLong: return "payload length over the maximum";
        case LinkError::kResync: return "bytes skipped to regain framing";
    }
    return "unknown link error";
}

uint16_t crc16_ccitt(const uint8_t* p, std::size_t n) {
    uint16_t crc = 0xFFFF;
    for (std::size_t i = 0; i < n; i++) {
        crc = uint16_t(crc ^ (p[i] << 8));
        for (int b = 0; b < 8; b++) crc = uint16_t(crc & 0x8000 ? (crc << 1) ^ 0x1021 : crc << 1);
    }
    return crc;
}

uint32_t crc32c(const uint8_t* p, std::size_t n) {
    // Byte-at-a-time table, built once: the host link moves at most tens of MB/s.
    static const std::array<uint32_t, 256> table = [] {
        std::array<uint32_t, 256> t{};
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t c = i;
            for (int b = 0; b < 8; b++) c = c & 1 ? (c >> 1) ^ 0x82F63B78u : c >> 1;
            t[i] = c;
        }
        return t;
    }();
    uint32_t crc = 0xFFFFFFFFu;
    for (std::size_t i = 0; i < n; i++) crc = (crc >> 8) ^ table[(crc ^ p[i]) & 0xff];
    return ~crc;
}

void encode(const Message& m, Bytes& out) {
    const std::size_t start = out.size();
    out.push_back(kMagic);
    out.push_back(uint8_t(m.kind));
    put_le(out, uint32_t(m.payload.size()), 2);
    put_le(out, m.seq, 4);
    put_le(out, m.session, 4);
    put_le(out, m.arg, 2);
    put_le(out, crc16_ccitt(&out[start], 14), 2);
    out.insert(out.end(), m.payload.begin(), m.payload.end());
    put_le(out, crc32c(m.payload.data(), m.payload.size()), 4);
}

Bytes Framer::frame(Kind kind, uint32_t session, uint16_t arg, const Bytes& payload) {
    Bytes out;
    frame_into(out, kind, session, arg, payload.data(), payload.size());
    return out;
}

void Framer::frame_into(Bytes& out, Kind kind, uint32_t session, uint16_t arg,
                        const uint8_t* payload, std::size_t n) {
    Message m{kind, next_seq_++, session, arg, Bytes(payload, payload + n)};
    encode(m, out);
}

void Deframer::push(const uint8_t* p, std::size_t n) {
    buf_.insert(buf_.end(), p, p + n);
    while (parse_one()) {
    }
}

std::optional<std::variant<Message, DeframeError>> Deframer::next() {
    if (out_.empty()) return std::nullopt;
    auto v = std::move(out_.front());
    out_.pop_front();
    return v;
}

void Deframer::drop_front(std::size_t n) { buf_.erase(buf_.begin(), buf_.begin() + long(n)); }

void Deframer::flush_skipped() {
    if (skipped_ == 0) return;
    out_.push_back(DeframeError{LinkError::kResync,
                                "skipped " + std::to_string(skipped_) +
                                    " bytes that did not start a valid message"});
    skipped_ = 0;
}

// Consumes at most one message (or one byte of garbage) from the front of buf_.
// Returns false when more bytes are needed.
bool Deframer::parse_one() {
    // Hunt for the magic byte.
    auto magic = std::find(buf_.begin(), buf_.end(), kMagic);
    skipped_ += std::size_t(magic - buf_.begin());
    buf_.erase(buf_.begin(), magic);
    if (buf_.size() < kHeaderBytes) return false;

    std::array<uint8_t, kHeaderBytes> h;
    std::copy_n(buf_.begin(), kHeaderBytes, h.begin());
    const uint16_t hcrc = uint16_t(get_le(&h[14], 2));
    if (crc16_ccitt(h.data(), 14) != hcrc) {
        // Not a header (or a damaged one): skip its magic and hunt again. A real header
        // that follows is found; the skipped bytes are reported as one resync.
        flush_skipped();
        char detail[96];
        std::snprintf(detail, sizeof detail, "header CRC 0x%04x, computed 0x%04x", hcrc,
                      crc16_ccitt(h.data(), 14));
        out_.push_back(DeframeError{LinkError::kHeaderCrc, detail});
        drop_front(1);
        return true;
    }
    const std::size_t len = get_le(&h[2], 2);
    if (len > kMaxPayload) {
        flush_skipped();
        out_.push_back(DeframeError{LinkError::kTooLong, "length " + std::to_string(len) +
                                                             " over " + std::to_string(kMaxPayload)});
        drop_front(1);
        return true;
    }
    if (buf_.size() < kHeaderBytes + len + kTrailerBytes) return false;
    flush_skipped();

    Message m;
    m.kind = Kind(h[1]);
    m.seq = get_le(&h[4], 4);
    m.session = get_le(&h[8], 4);
    m.arg = uint16_t(get_le(&h[12], 2));
    m.payload.assign(buf_.begin() + long(kHeaderBytes), buf_.begin() + long(kHeaderBytes + len));
    std::array<uint8_t, kTrailerBytes> t;
    std::copy_n(buf_.begin() + long(kHeaderBytes + len), kTrailerBytes, t.begin());
    drop_front(kHeaderBytes + len + kTrailerBytes);

    const uint32_t pcrc = get_le(t.data(), 4);
    const uint32_t want = crc32c(m.payload.data(), m.payload.size());
    if (pcrc != want) {
        char detail[128];
        std::snprintf(detail, sizeof detail, "%s seq %u: payload CRC 0x%08x, computed 0x%08x",
                      kind_name(m.kind), m.seq, pcrc, want);
        out_.push_back(DeframeError{LinkError::kPayloadCrc, detail});
        return true;
    }
    if (!is_known_kind(h[1]) || is_command(m.kind) != accept_commands_) {
        char detail[64];
        std::snprintf(detail, sizeof detail, "kind 0x%02x not accepted on this side", h[1]);
        out_.push_back(DeframeError{LinkError::kBadKind, detail});
        return true;
    }
    const int32_t ahead = int32_t(m.seq - expected_seq_);
    if (ahead < 0) {
        out_.push_back(DeframeError{LinkError::kSeqDup, "seq " + std::to_string(m.seq) +
                                                            ", expected " +
                                                            std::to_string(expected_seq_)});
        return true;
    }
    if (ahead > 0) {
        out_.push_back(DeframeError{LinkError::kSeqGap,
                                    std::to_string(ahead) + " message(s) lost before seq " +
                                        std::to_string(m.seq)});
    }
    expected_seq_ = m.seq + 1;
    out_.push_back(std::move(m));
    return true;
}

}  // namespace ftoe::driver
