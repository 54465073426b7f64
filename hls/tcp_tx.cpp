#include "tcp_tx.hpp"

namespace ftoe::kernel {
namespace {

constexpr bool seq_lt(uint32_t a, uint32_t b) { return int32_t(a - b) < 0; }
constexpr bool seq_le(uint32_t a, uint32_t b) { return int32_t(a - b) <= 0; }
constexpr uint32_t min32(uint32_t a, uint32_t b) { return a < b ? a : b; }
constexpr uint32_t max32(uint32_t a, uint32_t b) { return a > b ? a : b; }
constexpr uint32_t sat_add(uint32_t a, uint32_t b) {
    return uint64_t(a) + b > 0xFFFFFFFFull ? 0xFFFFFFFFu : a + b;
}
// min(2x, cap) without overflow
constexpr uint32_t double_capped(uint32_t x, uint32_t cap) {
    return uint64_t(x) * 2 > cap ? cap : x * 2;
}
// RFC 3042 limited transmit: how far past cwnd new data may go on the first (1*MSS)
// and second (2*MSS) duplicate ACK, outside fast recovery. A third duplicate that did
// not start recovery (SND.UNA not past `recover`) leaves dupacks at 3: the allowance
// stays 2*MSS, so the two segments already allowed are never exceeded. Only new data:
// while go-back-N resends below SND.MAX (SND.NXT < SND.MAX) there is none.
uint32_t limited_transmit_allowance(const TcpTxCcState& s) {
    if (s.in_recovery || s.dupacks == 0 || s.snd_nxt != s.snd_max) return 0;
    return s.dupacks == 1 ? uint32_t(s.mss) : 2u * s.mss;
}
// RFC 5681 eq. (4): ssthresh after a loss.
uint32_t loss_ssthresh(const TcpTxCcState& s) {
    const uint32_t flight = s.snd_max - s.snd_una;
    return max32(flight >> 1, 2u * s.mss);
}

}  // namespace

uint32_t tcp_tx_initial_window(uint16_t mss) {
    // RFC 5681 §3.1's segment limits; min(4*MSS, max(2*MSS, 4380)) (RFC 3390) would
    // allow 4 segments of 1096..1460 bytes where RFC 5681 allows 3.
    return mss > 2190 ? 2u * mss : mss > 1095 ? 3u * mss : 4u * mss;
}

void tcp_tx_rtt_sample(TcpTxCcState& s, uint32_t sample, const TcpTxConfig& cfg) {
    const uint32_t r = min32(sample, kTxRttMax);
    if (!s.srtt_valid) {  // RFC 6298 §2.2
        s.srtt8 = r << 3;
        s.rttvar4 = r << 1;  // 4 * R/2
        s.srtt_valid = true;
    } else {              // RFC 6298 §2.3, RTTVAR first (it uses the old SRTT)
        const uint32_t srtt = s.srtt8 >> 3;
        const uint32_t err = srtt > r ? srtt - r : r - srtt;
        s.rttvar4 = s.rttvar4 - (s.rttvar4 >> 2) + err;
        s.srtt8 = s.srtt8 - (s.srtt8 >> 3) + r;
    }
    const uint32_t rto = (s.srtt8 >> 3) + max32(cfg.clock_g, s.rttvar4);
    s.rto = rto < cfg.rto_min ? cfg.rto_min : rto > cfg.rto_max ? cfg.rto_max : rto;
}

TcpTxSegmentDecision tcp_tx_next_segment(const TcpTxCcState& s, const TcpTxConfig& cfg) {
    TcpTxSegmentDecision d;
    if (s.backoff > cfg.max_retries) return d;  // gave up: the host decides
    const bool outstanding = s.snd_max != s.snd_una;
    const bool fin_sent = s.fin_req && s.snd_max == s.app_end + 1;
    if (s.rtx_pending && outstanding) {
        // Fast retransmit / partial ACK: one MSS from SND.UNA, regardless of cwnd.
        const uint32_t avail = (fin_sent ? s.app_end : s.snd_max) - s.snd_una;
        const uint32_t len = min32(s.mss, avail);
        d.send = true;
        d.seq = s.snd_una;
        d.len = uint16_t(len);
        d.fin = fin_sent && len == avail;
        d.rtx = true;
        return d;
    }
    if (s.probe_pending && s.snd_wnd == 0) {
        // Zero-window probe: one unit of sequence space beyond the window.
        d.seq = outstanding ? s.snd_una : s.snd_nxt;
        d.rtx = outstanding;
        if (d.seq == s.app_end) {
            d.fin = s.fin_req;
            d.send = s.fin_req;
        } else {
            d.len = 1;
            d.send = true;
        }
        if (!d.send) d = TcpTxSegmentDecision{};  // as below: no segment, no fields
        return d;
    }
    const uint32_t inflight = s.snd_nxt - s.snd_una;
    // The peer's window bounds everything; cwnd plus the limited-transmit allowance,
    // saturating (cwnd may be near 2^32), bounds the congestion side.
    const uint32_t lim = min32(s.snd_wnd, sat_add(s.cwnd, limited_transmit_allowance(s)));
    const uint32_t usable = lim > inflight ? lim - inflight : 0;
    const uint32_t data_left = seq_lt(s.snd_nxt, s.app_end) ? s.app_end - s.snd_nxt : 0;
    d.seq = s.snd_nxt;
    d.rtx = seq_lt(s.snd_nxt, s.snd_max);
    if (data_left != 0) {
        const uint32_t len = min32(min32(s.mss, data_left), usable);
        d.len = uint16_t(len);
        d.send = len != 0 && (len == s.mss || len == data_left || inflight == 0);
        d.fin = d.send && s.fin_req && len == data_left;
    } else if (s.fin_req && s.snd_nxt == s.app_end && usable != 0) {
        d.send = true;
        d.fin = true;
    }
    if (!d.send) d = TcpTxSegmentDecision{};
    return d;
}

TcpTxCcDecision tcp_tx_cc(const TcpTxCcState& s, const TcpTxEvent& ev, const TcpTxConfig& cfg) {
    TcpTxCcDecision d;
    d.next = s;
    TcpTxCcState& n = d.next;
    bool restart_rto = false, rearm_persist = false;

    switch (ev.kind) {
    case TxEvent::kInit:
        n = TcpTxCcState{};
        n.snd_una = n.snd_nxt = n.snd_max = n.app_end = n.recover = ev.seq;
        n.snd_wnd = ev.wnd;
        n.mss = ev.len;
        n.cwnd = tcp_tx_initial_window(ev.len);
        n.ssthresh = 0xFFFFFFFFu;  // RFC 5681 §3.1: arbitrarily high
        n.rto = cfg.rto_initial;
        n.adv_wnd = cfg.rcv_buf;
        break;

    case TxEvent::kAck:
        n.snd_wnd = ev.wnd;
        if (ev.acked != 0) {
            const uint32_t una = s.snd_una + ev.acked;
            n.snd_una = una;
            if (seq_lt(s.snd_nxt, una)) n.snd_nxt = una;  // after go-back-N
            n.dupacks = 0;
            n.backoff = 0;
            restart_rto = true;  // RFC 6298 §5.3
            // RTT: the timestamp echo, else the timed segment (never a retransmitted one).
            const bool timed_done = s.timing && seq_le(s.rtt_seq, una);
            if (timed_done) n.timing = false;
            if (ev.rtt_valid) tcp_tx_rtt_sample(n, ev.rtt, cfg);
            else if (timed_done) tcp_tx_rtt_sample(n, ev.now - s.rtt_start, cfg);
            if (s.in_recovery) {
                if (seq_le(s.recover, una)) {  // full ACK: leave recovery (RFC 6582 §3.2 4)
                    n.cwnd = s.ssthresh;
                    n.in_recovery = false;
                    n.ca_acc = 0;
                } else {                       // partial ACK: next hole, deflate
                    uint32_t c = s.cwnd > ev.acked ? s.cwnd - ev.acked : 0;
                    if (ev.acked >= s.mss) c += s.mss;
                    n.cwnd = max32(c, s.mss);
                    n.rtx_pending = true;
                }
            } else if (s.cwnd < s.ssthresh) {  // slow start, RFC 5681 eq. (2)
                n.cwnd = sat_add(s.cwnd, min32(ev.acked, s.mss));
                n.ca_acc = 0;
            } else {                           // congestion avoidance, byte counting
                uint64_t acc = uint64_t(s.ca_acc) + ev.acked;
                if (acc >= s.cwnd) {
                    acc -= s.cwnd;
                    n.cwnd = sat_add(s.cwnd, s.mss);
                }
                n.ca_acc = acc > 0xFFFFFFFFull ? 0xFFFFFFFFu : uint32_t(acc);
            }
            if (una == s.snd_max) n.rtx_pending = false;
        } else if (ev.dup_ack && s.snd_max != s.snd_una) {
            if (s.in_recovery) {
                n.cwnd = sat_add(s.cwnd, s.mss);  // inflate
            } else {
                n.dupacks = uint8_t(s.dupacks < 3 ? s.dupacks + 1 : 3);
                if (s.dupacks == 2 && seq_le(s.recover, s.snd_una)) {
                    // The third duplicate: fast retransmit (RFC 5681 §3.2, RFC 6582 §3.2 2)
                    const uint32_t ss = loss_ssthresh(s);
                    n.ssthresh = ss;
                    n.cwnd = ss + 3u * s.mss;
                    n.in_recovery = true;
                    n.recover = s.snd_max;
                    n.rtx_pending = true;
                    n.ca_acc = 0;
                }
            }
        }
        break;

    case TxEvent::kRtoExpiry:
        if (!s.rto_on) break;  // stale
        n.backoff = uint8_t(s.backoff == 255 ? 255 : s.backoff + 1);
        if (n.backoff > cfg.max_retries) {
            d.give_up = true;
            break;
        }
        if (s.backoff == 0) n.ssthresh = loss_ssthresh(s);  // RFC 5681 eq. (4), once
        n.cwnd = s.mss;
        n.ca_acc = 0;
        n.in_recovery = false;
        n.dupacks = 0;
        n.recover = s.snd_max;
        n.snd_nxt = s.snd_una;  // go-back-N
        n.rtx_pending = false;
        n.timing = false;       // Karn
        n.rto = double_capped(s.rto, cfg.rto_max);
        restart_rto = true;     // RFC 6298 §5.5-5.6
        break;

    case TxEvent::kPersistExpiry:
        if (!s.persist_on) break;  // stale
        n.probe_pending = true;
        n.persist_int = double_capped(s.persist_int, cfg.rto_max);
        rearm_persist = true;
        break;

    case TxEvent::kSent: {
        const uint32_t end = ev.seq + ev.len + (ev.fin ? 1u : 0u);
        // SND.NXT moves only over a segment that starts at or before it: one taken before
        // an RTO's go-back-N and reported after it must not skip the bytes in between.
        if (seq_lt(s.snd_nxt, end) && seq_le(ev.seq, s.snd_nxt)) n.snd_nxt = end;
        if (seq_lt(s.snd_max, end)) n.snd_max = end;
        if (ev.len != 0 || ev.fin) {
            if (seq_lt(ev.seq, s.snd_max)) {  // a retransmission: no RTT sample (Karn)
                n.timing = false;
                if (ev.seq == s.snd_una) n.rtx_pending = false;
            } else if (!s.timing) {
                n.timing = true;
                n.rtt_seq = end;
                n.rtt_start = ev.now;
            }
            n.probe_pending = false;
        }
        // Every segment carries the ACK and the window.
        n.ack_owed = false;
        n.rcv_full = false;
        if (s.delack_on) {
            d.delack_stop = true;
            n.delack_on = false;
        }
        n.adv_wnd = ev.wnd;
        break;
    }

    case TxEvent::kDataQueued:
        if (!s.fin_req) n.app_end = s.app_end + ev.len;  // nothing goes after a FIN
        break;

    case TxEvent::kFinRequest:
        n.fin_req = true;
        break;

    case TxEvent::kDataReceived: {
        n.adv_wnd = s.adv_wnd - min32(ev.len, s.adv_wnd);
        const bool full = ev.len >= s.mss;
        if (ev.ack_now || ev.fin) {
            n.ack_owed = true;
        } else if (ev.len != 0) {
            if (!cfg.delack_enable || (full && s.rcv_full)) {
                n.ack_owed = true;  // every second full-size segment
            } else {
                if (full) n.rcv_full = true;
                if (!s.delack_on) {
                    d.delack_arm = true;
                    n.delack_on = true;
                }
            }
        }
        break;
    }

    case TxEvent::kDelackExpiry:
        if (s.delack_on) {
            n.delack_on = false;
            n.ack_owed = true;
        }
        break;

    case TxEvent::kWindowOpen:
        if (ev.wnd > s.adv_wnd) {
            const uint32_t grow = ev.wnd - s.adv_wnd;
            if (grow >= 2u * s.mss || grow >= cfg.rcv_buf >> 1) n.ack_owed = true;
        }
        break;
    }

    // Timers, from the new state.
    const bool gave_up = n.backoff > cfg.max_retries;
    const bool outstanding = n.snd_max != n.snd_una;
    const bool unsent = seq_lt(n.snd_nxt, n.app_end) || (n.fin_req && n.snd_nxt == n.app_end);
    const bool persist_mode = n.snd_wnd == 0 && (outstanding || unsent) && !gave_up;
    const bool want_rto = outstanding && !persist_mode && !gave_up;
    if (want_rto) {
        if (!n.rto_on || restart_rto) {
            d.rto_arm = true;
            n.rto_on = true;
        }
    } else if (n.rto_on) {
        d.rto_stop = true;
        n.rto_on = false;
    }
    if (persist_mode) {
        if (!n.persist_on) {
            d.persist_arm = true;
            n.persist_on = true;
            n.persist_int = n.rto;
        } else if (rearm_persist) {
            d.persist_arm = true;
        }
    } else {
        if (n.persist_on) {
            d.persist_stop = true;
            n.persist_on = false;
        }
        n.probe_pending = false;
    }
    d.rto_ticks = n.rto;
    d.persist_ticks = n.persist_int;
    d.delack_ticks = cfg.delack_ticks;
    d.ack_now = n.ack_owed;
    d.seg = tcp_tx_next_segment(n, cfg);
    return d;
}

}  // namespace ftoe::kernel

void ftoe_tcp_tx_cc(const ftoe::kernel::TcpTxCcState& state, const ftoe::kernel::TcpTxEvent& ev,
                    const ftoe::kernel::TcpTxConfig& cfg, ftoe::kernel::TcpTxCcDecision& out) {
#pragma HLS INTERFACE mode = ap_none port = state
#pragma HLS INTERFACE mode = ap_none port = ev
#pragma HLS INTERFACE mode = ap_none port = cfg
#pragma HLS INTERFACE mode = ap_none port = out
#pragma HLS INTERFACE mode = ap_ctrl_none port = return
#pragma HLS PIPELINE II = 1
    out = ftoe::kernel::tcp_tx_cc(state, ev, cfg);
}
