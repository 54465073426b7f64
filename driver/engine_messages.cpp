#include "engine_messages.hpp"

namespace ftoe::driver {
namespace {

void put_be(Bytes& out, uint64_t v, int n) {
    for (int i = n - 1; i >= 0; i--) out.push_back(uint8_t(v >> (8 * i)));
}
uint64_t get_le(const uint8_t* p, int n) {
    uint64_t v = 0;
    for (int i = n - 1; i >= 0; i--) v = v << 8 | p[i];
    return v;
}

}  // namespace

const char* table_result_name(TableResult r) {
    switch (r) {
        case TableResult::kInserted: return "inserted";
        case TableResult::kStashed: return "inserted (stash)";
        case TableResult::kExists: return "already installed";
        case TableResult::kFull: return "table full";
        case TableResult::kRemoved: return "removed";
        case TableResult::kMissing: return "not installed";
        case TableResult::kBadSession: return "session id beyond the table";
        case TableResult::kShortPayload: return "payload shorter than a 4-tuple";
    }
    return "unknown result";
}

const char* seg_outcome_name(SegOutcome o) {
    switch (o) {
        case SegOutcome::kPaws: return "PAWS";
        case SegOutcome::kOutOfWindow: return "OUT_OF_WINDOW";
        case SegOutcome::kRst: return "RST";
        case SegOutcome::kSyn: return "SYN";
        case SegOutcome::kChallenge: return "CHALLENGE";
        case SegOutcome::kFin: return "FIN";
        case SegOutcome::kData: return "DATA";
        case SegOutcome::kOutOfOrder: return "OUT_OF_ORDER";
        case SegOutcome::kDupAck: return "DUP_ACK";
        case SegOutcome::kNoAck: return "NO_ACK";
        case SegOutcome::kAck: return "ACK";
    }
    return "UNKNOWN";
}

uint64_t EngineCounters::rx_total() const {
    uint64_t n = 0;
    for (uint64_t c : rx) n += c;
    return n;
}

std::optional<EngineCounters> decode_counters(const Bytes& p) {
    if (p.size() != kCountersBytes) return std::nullopt;
    EngineCounters c;
    const uint8_t* q = p.data();
    for (auto& v : c.rx) v = get_le(q, 8), q += 8;
    for (auto& v : c.link) v = get_le(q, 8), q += 8;
    c.link_events_lost = get_le(q, 8), q += 8;
    c.unsupported_commands = get_le(q, 8), q += 8;
    for (auto& v : c.seg) v = get_le(q, 8), q += 8;
    c.session_events_lost = get_le(q, 8), q += 8;
    c.acks_sent = get_le(q, 8), q += 8;
    c.acks_lost = get_le(q, 8), q += 8;
    c.data_segments_sent = get_le(q, 8), q += 8;
    c.retransmissions = get_le(q, 8), q += 8;
    c.rto_expiries = get_le(q, 8), q += 8;
    c.persist_expiries = get_le(q, 8), q += 8;
    c.delack_expiries = get_le(q, 8), q += 8;
    c.timeouts = get_le(q, 8), q += 8;
    c.stale_timer_expiries = get_le(q, 8), q += 8;
    c.rsts_sent = get_le(q, 8), q += 8;
    for (auto& v : c.events) v = get_le(q, 8), q += 8;
    c.rx_injected = get_le(q, 8), q += 8;
    c.table_occupancy = uint32_t(get_le(q, 4)), q += 4;
    c.table_insert_failures = uint32_t(get_le(q, 4)), q += 4;
    c.table_stashed = uint32_t(get_le(q, 4)), q += 4;
    c.table_moves = uint32_t(get_le(q, 4));
    return c;
}

Bytes table_key_payload(const FourTuple& t) {
    Bytes b;
    b.reserve(kKeyBytes);
    put_be(b, t.remote_ip, 4);
    put_be(b, t.local_ip, 4);
    put_be(b, t.remote_port, 2);
    put_be(b, t.local_port, 2);
    return b;
}

Bytes install_payload(const FourTuple& t, const SessionState& s) {
    Bytes b = table_key_payload(t);
    b.reserve(kInstallBytes);
    for (uint32_t v : {s.rcv_nxt, s.rcv_wnd, s.snd_una, s.snd_nxt, s.snd_wnd, s.max_snd_wnd,
                       s.snd_wl1, s.snd_wl2})
        put_be(b, v, 4);
    b.push_back(s.snd_wscale);
    b.push_back(uint8_t((s.timestamps ? kInstallTimestamps : 0) |
                        (s.host_terminated ? kInstallHost : 0)));
    put_be(b, s.ts_recent, 4);
    put_be(b, s.peer_mac, 6);
    b.push_back(s.rcv_wscale);
    put_be(b, s.tsval_now, 4);
    put_be(b, s.mss, 2);
    return b;
}

Bytes set_config_payload(uint64_t mac, uint32_t ip) {
    Bytes b;
    put_be(b, mac, 6);
    put_be(b, ip, 4);
    return b;
}

std::optional<uint32_t> acked_snd_una(const Bytes& p) {
    if (p.size() != 4) return std::nullopt;
    return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | uint32_t(p[3]);
}

Bytes set_config_payload(uint64_t mac, uint32_t ip, const EngineTimers& t) {
    Bytes b = set_config_payload(mac, ip);
    put_be(b, t.rto_min, 4);
    put_be(b, t.rto_max, 4);
    put_be(b, t.rto_initial, 4);
    b.push_back(t.max_retries);
    b.push_back(t.delayed_ack ? 1 : 0);
    put_be(b, t.delack_ticks, 4);
    return b;
}

}  // namespace ftoe::driver
