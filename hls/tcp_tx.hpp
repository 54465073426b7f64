// tcp_tx.hpp: the transmit-side control state of an installed session and the decisions
// taken from it, the reference the tcp_tx_cc RTL is scoreboarded against. One call
// applies one event to one session's state and returns the next state plus what to do
// now (the next segment to send, an ACK owed, timer commands, give up). The TX data
// buffer and the frame builder are not here: they read the decision and report what
// they sent with a kSent event.
//
//   * RTO estimator, RFC 6298, in timer ticks (1 us by default), fixed point by shifts:
//     the state keeps 8*SRTT and 4*RTTVAR, so SRTT' = 7/8 SRTT + 1/8 R and
//     RTTVAR' = 3/4 RTTVAR + 1/4 |SRTT - R| are a subtract-shift-add each (truncating
//     the dropped 1/8 and 1/4 of the scaled values). R saturates at 2^28 - 1 ticks, so
//     every sum fits 32 bits. RTO = SRTT + max(G, 4*RTTVAR), clamped to
//     [rto_min, rto_max]; doubled (capped at rto_max) on each expiry. Samples: the
//     caller's timestamp echo (now - TSecr) when it has one, otherwise one timed segment
//     per flight (BSD style) that any retransmission cancels (Karn). A backed-off RTO
//     stays until a new sample. More than max_retries expiries in a row: give up.
//   * NewReno, RFC 5681 + RFC 6582, cwnd/ssthresh in bytes. IW per RFC 5681 §3.1
//     (4*MSS up to 1095 bytes, 3*MSS up to 2190, 2*MSS above). Slow start cwnd += min(acked, MSS) while cwnd < ssthresh.
//     Congestion avoidance by exact byte counting (RFC 3465, no divider): acked bytes
//     accumulate in ca_acc; when ca_acc >= cwnd, ca_acc -= cwnd and cwnd += MSS, i.e.
//     one MSS per cwnd of acknowledged bytes. The third duplicate ACK (not the second)
//     with SND.UNA past `recover` enters fast recovery: ssthresh = max(FlightSize/2,
//     2*MSS), recover = SND.MAX, retransmit SND.UNA, cwnd = ssthresh + 3*MSS; each
//     further duplicate inflates cwnd by MSS. A partial ACK retransmits the next hole
//     and deflates cwnd by the bytes acked (adding back MSS if >= MSS were acked, never
//     below MSS); a full ACK (>= recover) sets cwnd = ssthresh and leaves recovery.
//     RTO expiry: ssthresh = max(FlightSize/2, 2*MSS) on the first expiry of a series,
//     cwnd = 1 MSS, recover = SND.MAX, go-back-N (SND.NXT = SND.UNA).
//   * Send decision: a retransmission asked for by fast retransmit / partial ACK first
//     (one MSS at SND.UNA, regardless of cwnd), then a zero-window probe when the
//     persist timer expired, else new data: usable = min(SND.WND, cwnd + LT) -
//     (SND.NXT - SND.UNA). LT is RFC 3042 limited transmit: outside fast recovery and
//     with nothing below SND.MAX to resend (SND.NXT = SND.MAX), 1*MSS after the first
//     duplicate ACK, 2*MSS after the second (and after a third that did not start
//     recovery, dupacks staying 3: never more than cwnd + 2*MSS out), else 0; cwnd is
//     not changed and the sum saturates. So with cwnd full each of the first two
//     duplicates lets one new segment out if the peer's window has room, and a small
//     flight still earns its third duplicate instead of an RTO. A segment is a full MSS
//     unless it ends the queued data, or nothing is in flight (no ACK would come to open
//     the window: sender SWS rule, RFC 9293 §3.8.6.2.1). The FIN rides on the segment
//     that ends the queued data, or goes alone (needs 1 byte of usable window) once all
//     data is sent; it takes one sequence number, so SND.NXT passing it means it was
//     sent (go-back-N resends it).
//   * Zero window (SND.WND = 0 with anything unacknowledged or unsent): the persist
//     timer replaces the RTO timer (first interval = RTO, doubling to rto_max). On its
//     expiry one unit of sequence space is probed: the byte at SND.UNA if something is
//     outstanding, else the next new byte (or the FIN). Probes never give up (RFC 9293
//     §3.8.6.1: the peer keeps ACKing).
//   * Receive side ACK policy (RFC 9293 §3.8.6.3, RFC 5681 §4.2): with delayed ACKs
//     enabled an ACK is owed at once on the second full-size (>= MSS) segment since the
//     last ACK, for out-of-order/duplicate data (tcp_rx's ack_now) and for a FIN;
//     otherwise the delayed-ACK timer is armed. Window update (receiver SWS avoidance,
//     RFC 9293 §3.8.6.2.2): when the free receive window exceeds the right edge last
//     advertised by >= 2*MSS or >= rcv_buf/2, an ACK is owed. Any segment sent carries
//     the ACK and clears what is owed.
// Sequence arithmetic is modulo 2^32 throughout. ACK inputs come from tcp_rx_accept's
// decision (acked, dup_ack, the new SND.WND); its SND.NXT must be this state's snd_max.
#pragma once

#include <cstdint>

namespace ftoe::kernel {

// Engine-wide settings (SET_CONFIG); times in timer ticks.
struct TcpTxConfig {
    uint32_t rto_min = 200000;        // 200 ms, as Linux (RFC 6298 says 1 s)
    uint32_t rto_max = 120000000;     // 120 s
    uint32_t rto_initial = 1000000;   // 1 s before the first sample (RFC 6298 §2.1)
    uint32_t clock_g = 1;             // G, the clock granularity
    uint8_t max_retries = 15;         // RTO expiries in a row before giving up
    bool delack_enable = true;
    uint32_t delack_ticks = 40000;    // 40 ms (RFC 9293 §3.8.6.3: under 0.5 s)
    uint32_t rcv_buf = 65535;         // receive buffer per session (window update rule)
};

// Event kinds, the encoding of the RTL's s_kind.
enum class TxEvent : uint8_t {
    kInit = 0,        // install: seq = ISS + 1, len = MSS, wnd = peer window
    kAck = 1,         // from tcp_rx: acked, dup_ack, wnd = new SND.WND, rtt_valid/rtt
    kRtoExpiry = 2,
    kPersistExpiry = 3,
    kSent = 4,        // a segment left: seq, len, fin, wnd = window it advertised
    kDataQueued = 5,  // len more bytes of app data queued
    kFinRequest = 6,  // the host commands a FIN after all queued data
    kDataReceived = 7,// from tcp_rx: len bytes delivered, fin in order, ack_now
    kDelackExpiry = 8,
    kWindowOpen = 9,  // the consumer freed buffer: wnd = free receive window now
};
constexpr int kTxEventKinds = 10;

struct TcpTxEvent {
    TxEvent kind = TxEvent::kAck;
    uint32_t now = 0;         // timer ticks
    uint32_t seq = 0;
    uint16_t len = 0;
    bool fin = false;
    uint32_t wnd = 0;
    uint32_t acked = 0;       // bytes SND.UNA advanced by
    bool dup_ack = false;
    bool ack_now = false;     // tcp_rx asks for an immediate ACK (out of order, duplicate)
    bool rtt_valid = false;   // a timestamp-echo RTT sample comes with this ACK
    uint32_t rtt = 0;
};

// The per-session TX control state (the caller's table holds it).
struct TcpTxCcState {
    uint32_t snd_una = 0, snd_nxt = 0;
    uint32_t snd_max = 0;      // highest sequence number sent + 1
    uint32_t app_end = 0;      // sequence number after the last queued byte (FIN's place)
    bool fin_req = false;
    uint32_t snd_wnd = 0;      // peer window, bytes (scaled)
    uint16_t mss = 0;
    uint32_t cwnd = 0, ssthresh = 0;
    uint32_t ca_acc = 0;       // congestion-avoidance byte counter
    uint8_t dupacks = 0;       // 0..3, saturating
    bool in_recovery = false;
    uint32_t recover = 0;      // RFC 6582 (one past the highest sequence sent)
    bool rtx_pending = false;  // retransmit SND.UNA now (fast retransmit, partial ACK)
    bool srtt_valid = false;
    uint32_t srtt8 = 0;        // 8 * SRTT
    uint32_t rttvar4 = 0;      // 4 * RTTVAR
    uint32_t rto = 0;          // current RTO including backoff
    uint8_t backoff = 0;       // RTO expiries since progress (saturating at 255)
    bool timing = false;       // a segment is being timed
    uint32_t rtt_seq = 0;      // ... ACK >= this completes it
    uint32_t rtt_start = 0;    // ... sent at this tick
    bool rto_on = false;
    bool persist_on = false;
    uint32_t persist_int = 0;  // current persist interval
    bool probe_pending = false;
    bool delack_on = false;
    bool rcv_full = false;     // one full-size segment received since the last ACK
    bool ack_owed = false;
    uint32_t adv_wnd = 0;      // what is left of the window last advertised
};

struct TcpTxSegmentDecision {
    bool send = false;
    uint32_t seq = 0;
    uint16_t len = 0;
    bool fin = false;
    bool rtx = false;          // below SND.MAX: a retransmission
};

struct TcpTxCcDecision {
    TcpTxCcState next;
    TcpTxSegmentDecision seg;  // proposal; the caller reports it with kSent
    bool ack_now = false;      // an ACK is owed (pure ACK unless a segment goes)
    bool rto_arm = false, rto_stop = false;          // (re)start with rto_ticks / stop
    bool persist_arm = false, persist_stop = false;  // (re)start with persist_ticks / stop
    bool delack_arm = false, delack_stop = false;    // start with delack_ticks / stop
    uint32_t rto_ticks = 0, persist_ticks = 0, delack_ticks = 0;
    bool give_up = false;      // retries exhausted: report to the host
};

constexpr uint32_t kTxRttMax = (1u << 28) - 1;  // samples saturate here

// RFC 5681 §3.1 initial window.
uint32_t tcp_tx_initial_window(uint16_t mss);
// One RTT sample into the estimator; sets srtt8, rttvar4, srtt_valid and rto.
void tcp_tx_rtt_sample(TcpTxCcState& s, uint32_t r, const TcpTxConfig& cfg);
// What to send next from this state (nothing when gave up).
TcpTxSegmentDecision tcp_tx_next_segment(const TcpTxCcState& s, const TcpTxConfig& cfg);
// One event on one session.
TcpTxCcDecision tcp_tx_cc(const TcpTxCcState& s, const TcpTxEvent& ev, const TcpTxConfig& cfg);

}  // namespace ftoe::kernel

// Vitis HLS top (plain name for set_top); the tests call it.
void ftoe_tcp_tx_cc(const ftoe::kernel::TcpTxCcState& state, const ftoe::kernel::TcpTxEvent& ev,
                    const ftoe::kernel::TcpTxConfig& cfg, ftoe::kernel::TcpTxCcDecision& out);
