// engine_messages.hpp: payloads of the engine's commands and events (the C++ side of
// "Payloads" in rtl/ftoe_pkg.sv): building SET_CONFIG and INSTALL/REMOVE payloads,
// the INSTALLED/REMOVED result codes, and decoding COUNTERS.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "rx_reason.hpp"
#include "wire_format.hpp"

namespace ftoe::driver {

// arg of INSTALLED / REMOVED
enum class TableResult : uint16_t {
    kInserted = 0,
    kStashed = 1,   // installed, in the stash
    kExists = 2,
    kFull = 3,
    kRemoved = 4,
    kMissing = 5,
    kBadSession = 254,  // session id beyond the table
    kShortPayload = 255,
};
const char* table_result_name(TableResult r);

// What one segment of an installed session did (the engine counts each once). The
// first that applies names the segment, in the order of this list.
enum class SegOutcome : uint8_t {
    kPaws = 4,         // old timestamp (RFC 7323 PAWS)
    kOutOfWindow = 3,  // unacceptable: ACKed and dropped
    kRst = 6,          // valid RST: PEER_RST
    kSyn = 7,          // SYN on a synchronized session: challenge ACK, PEER_SYN
    kChallenge = 5,    // RST off RCV.NXT or ACK out of range (RFC 5961)
    kFin = 8,          // in-order FIN: PEER_FIN
    kData = 0,         // in-order payload accepted
    kOutOfOrder = 2,   // payload beyond RCV.NXT: dropped with an immediate ACK
    kDupAck = 9,       // duplicate ACK (RFC 5681)
    kNoAck = 10,       // no ACK flag: dropped
    kAck = 1,          // anything else: an ACK or window update
};
constexpr SegOutcome kAllSegOutcomes[] = {
    SegOutcome::kPaws, SegOutcome::kOutOfWindow, SegOutcome::kRst,        SegOutcome::kSyn,
    SegOutcome::kChallenge, SegOutcome::kFin,    SegOutcome::kData,       SegOutcome::kOutOfOrder,
    SegOutcome::kDupAck, SegOutcome::kNoAck,     SegOutcome::kAck,
};
const char* seg_outcome_name(SegOutcome o);  // the SystemVerilog suffix: SEG_<name>

constexpr int kCountersRx = 32;    // by RxReason
constexpr int kCountersLink = 8;   // by LinkError code
constexpr int kCountersSeg = 16;   // by SegOutcome
constexpr int kCountersEvt = 16;   // events sent, by kind - 0x80
constexpr int kCounterWords = kCountersRx + kCountersLink + 2 + kCountersSeg + 4 + 7 + kCountersEvt + 1;
constexpr std::size_t kCountersBytes = 8 * kCounterWords + 16;

struct EngineCounters {
    std::array<uint64_t, kCountersRx> rx{};
    std::array<uint64_t, kCountersLink> link{};
    uint64_t link_events_lost = 0;      // link-error records the engine could not queue
    uint64_t unsupported_commands = 0;  // commands this engine version does not execute
    std::array<uint64_t, kCountersSeg> seg{};
    uint64_t session_events_lost = 0;   // PEER_* events the engine could not queue
    uint64_t acks_sent = 0;             // ACK segments the engine built and sent
    uint64_t acks_lost = 0;             // ACKs owed that found the ACK queue full
    uint64_t data_segments_sent = 0;    // segments with payload or FIN the engine sent
    uint64_t retransmissions = 0;       // ... of them below SND.MAX (sent before)
    uint64_t rto_expiries = 0;          // retransmission timeouts taken
    uint64_t persist_expiries = 0;      // zero-window probes due
    uint64_t delack_expiries = 0;       // delayed ACKs sent by their timer
    uint64_t timeouts = 0;              // TIMEOUT events: retries exhausted
    uint64_t stale_timer_expiries = 0;  // expiries a newer timer command replaced
    uint64_t rsts_sent = 0;             // RST segments the engine sent (ABORT)
    std::array<uint64_t, kCountersEvt> events{};  // events sent on the host link, by kind
    uint64_t rx_injected = 0;           // frames taken in by RX_INJECT
    uint32_t table_occupancy = 0, table_insert_failures = 0, table_stashed = 0, table_moves = 0;

    uint64_t rx_at(RxReason r) const { return rx[uint8_t(r)]; }
    uint64_t seg_at(SegOutcome o) const { return seg[uint8_t(o)]; }
    uint64_t events_of(Kind k) const { return events[uint8_t(k) & 0x0F]; }
    uint64_t rx_total() const;
};

// nullopt when the payload is not kCountersBytes long.
std::optional<EngineCounters> decode_counters(const Bytes& payload);

// A connection's 4-tuple as the engine's table keys it (local = the engine's side).
struct FourTuple {
    uint32_t remote_ip = 0, local_ip = 0;
    uint16_t remote_port = 0, local_port = 0;
};
// The receive-side state the host hands the engine when it installs a session.
struct SessionState {
    uint32_t rcv_nxt = 0, rcv_wnd = 0;
    uint32_t snd_una = 0, snd_nxt = 0, snd_wnd = 0, max_snd_wnd = 0;
    uint32_t snd_wl1 = 0, snd_wl2 = 0;
    uint8_t snd_wscale = 0;  // shift applied to the peer's window field (0..14)
    bool timestamps = false;
    bool host_terminated = false;  // the host is the app: RX_DATA / APP_DATA over the link
    uint32_t ts_recent = 0;
    // for the engine's own segments (ACKs, data)
    uint64_t peer_mac = 0;   // 48 bits, first byte on the wire in bits 47:40
    uint8_t rcv_wscale = 0;  // shift applied to RCV.WND when advertised (0..14)
    uint32_t tsval_now = 0;  // our TSval now (ms clock): the engine's TSvals continue it
    uint16_t mss = 536;      // the peer's MSS: the engine's segments carry at most this
};
// RAW_TX arg bits: the checksums the engine fills (rtl/ftoe_pkg.sv HL_RAWTX_FILL_*)
constexpr uint16_t kRawTxFillIp = 0x0001;
constexpr uint16_t kRawTxFillL4 = 0x0002;
// INSTALL flag bits and ACKED arg bits (rtl/ftoe_pkg.sv HL_INSTALL_*, HL_ACKED_*)
constexpr uint8_t kInstallTimestamps = 0x01;
constexpr uint8_t kInstallHost = 0x02;
constexpr uint16_t kAckedFin = 0x0001;
constexpr uint16_t kAckedData = 0x0002;  // payload: SND.UNA (4 bytes, big-endian)
// The engine build's TX buffer per session and its room-check chunk (ftoe_engine's
// TX_BUF_BYTES, TX_CHUNK): a host-terminated session keeps the bytes it has handed
// over beyond the reported SND.UNA at most kEngineTxBufBytes - kEngineTxChunk.
constexpr uint32_t kEngineTxBufBytes = 65536;
constexpr uint32_t kEngineTxChunk = 2048;
// SND.UNA of an ACKED with kAckedData; nullopt when the payload is not 4 bytes.
std::optional<uint32_t> acked_snd_una(const Bytes& payload);
constexpr std::size_t kKeyBytes = 12;
constexpr std::size_t kInstallBytes = 63;
Bytes table_key_payload(const FourTuple& t);  // REMOVE
Bytes install_payload(const FourTuple& t, const SessionState& s);

// The engine's transmit timers, in its time-base ticks (1 us on a board by default).
struct EngineTimers {
    uint32_t rto_min = 200000;         // 200 ms, as Linux (RFC 6298 says 1 s)
    uint32_t rto_max = 120000000;      // 120 s
    uint32_t rto_initial = 1000000;    // 1 s before the first RTT sample (RFC 6298 §2.1)
    uint8_t max_retries = 15;          // RTO expiries in a row before TIMEOUT
    bool delayed_ack = false;          // ACK every second full-size segment or on a timer
    uint32_t delack_ticks = 40000;     // 40 ms (RFC 9293 §3.8.6.3: under 0.5 s)
};
constexpr std::size_t kConfigBytes = 10;
constexpr std::size_t kConfigTimersBytes = 28;
// SET_CONFIG: MAC as 48 bits, first byte on the wire in bits 47:40; with `timers`, the
// timer settings too (without, the engine keeps the ones it has).
Bytes set_config_payload(uint64_t mac, uint32_t ip);
Bytes set_config_payload(uint64_t mac, uint32_t ip, const EngineTimers& timers);

}  // namespace ftoe::driver
