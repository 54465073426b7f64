#include "tcp_rx.hpp"

namespace ftoe::kernel {
namespace {

// RFC 9293 §3.10.7.4: is any part of the segment inside the receive window?
bool acceptable(const TcpRxState& s, uint32_t seq, uint32_t seg_len) {
    const uint32_t wnd_end = s.rcv_nxt + s.rcv_wnd;
    const bool start_in = seq_le(s.rcv_nxt, seq) && seq_lt(seq, wnd_end);
    if (seg_len == 0)
        return s.rcv_wnd == 0 ? seq == s.rcv_nxt : start_in;
    if (s.rcv_wnd == 0) return false;
    const uint32_t last = seq + seg_len - 1;
    return start_in || (seq_le(s.rcv_nxt, last) && seq_lt(last, wnd_end));
}

}  // namespace

TcpRxDecision tcp_rx_accept(const TcpRxState& s, const TcpRxSegment& seg) {
    TcpRxDecision d;
    d.next = s;
    TcpRxState& n = d.next;
    const bool rst = seg.flags & tcp_flag::kRst;
    const bool syn = seg.flags & tcp_flag::kSyn;
    const bool fin = seg.flags & tcp_flag::kFin;
    const bool ack = seg.flags & tcp_flag::kAck;
    // SEG.LEN counts SYN and FIN (RFC 9293 §3.4).
    const uint32_t seg_len = seg.payload_len + (syn ? 1 : 0) + (fin ? 1 : 0);

    // PAWS (RFC 7323 §5.3): an old timestamp marks an old duplicate; RSTs are exempt.
    if (s.ts_enabled && seg.has_ts && !rst && seq_lt(seg.tsval, s.ts_recent)) {
        d.paws_drop = true;
        d.ack_now = true;
        return d;
    }

    // 1. Acceptability. An unacceptable segment is answered with an ACK, an RST dropped.
    if (!acceptable(s, seg.seq, seg_len)) {
        d.out_of_window = true;
        d.ack_now = !rst;
        return d;
    }

    // 2. RST (RFC 5961 §3.2): only the exact next sequence number resets.
    if (rst) {
        if (seg.seq == s.rcv_nxt) d.rst_event = true;
        else d.challenge_ack = true;
        return d;
    }

    // 3. SYN in a synchronized state (RFC 5961 §4.2): challenge ACK, tell the host.
    if (syn) {
        d.challenge_ack = true;
        d.syn_event = true;
        return d;
    }

    // 4. ACK processing.
    if (!ack) return d;  // RFC 9293: no ACK bit, drop
    const uint32_t oldest_ok = s.snd_una - s.max_snd_wnd;
    if (!(seq_le(oldest_ok, seg.ack) && seq_le(seg.ack, s.snd_nxt))) {
        d.challenge_ack = true;  // RFC 5961 §5.2: ACK outside what we could have sent
        return d;
    }
    const uint32_t new_wnd = uint32_t(seg.window) << s.snd_wscale;
    if (seq_lt(s.snd_una, seg.ack)) {
        d.acked = seg.ack - s.snd_una;
        n.snd_una = seg.ack;
    } else if (seg.ack == s.snd_una && seg.payload_len == 0 && !fin && new_wnd == s.snd_wnd &&
               s.snd_una != s.snd_nxt) {
        d.dup_ack = true;  // RFC 5681 §2: nothing new, data outstanding, same window
    }
    // Window update (RFC 9293 §3.10.7.4): only from a newer segment, or the same one
    // acknowledging more.
    if (seq_le(s.snd_una, seg.ack) &&
        (seq_lt(s.snd_wl1, seg.seq) || (s.snd_wl1 == seg.seq && seq_le(s.snd_wl2, seg.ack)))) {
        d.window_updated = new_wnd != s.snd_wnd;
        n.snd_wnd = new_wnd;
        n.snd_wl1 = seg.seq;
        n.snd_wl2 = seg.ack;
        if (new_wnd > n.max_snd_wnd) n.max_snd_wnd = new_wnd;
    }

    // Timestamps (RFC 7323 §4.3): remember TSval of a segment that covers RCV.NXT.
    if (s.ts_enabled && seg.has_ts && seq_le(seg.seq, s.rcv_nxt) && seq_le(s.ts_recent, seg.tsval))
        n.ts_recent = seg.tsval;

    // 5. Payload: in order up to the window; ahead of RCV.NXT is out of order.
    if (seg.payload_len > 0) {
        if (seq_lt(s.rcv_nxt, seg.seq)) {
            d.ack_now = true;  // out of order: immediate duplicate ACK (RFC 5681 §4.2)
            return d;
        }
        const uint32_t offset = s.rcv_nxt - seg.seq;  // bytes we already have
        const uint32_t fresh = seg.payload_len - offset;
        const uint32_t take = fresh < s.rcv_wnd ? fresh : s.rcv_wnd;
        if (take > 0) {
            d.deliver = true;
            d.deliver_offset = offset;
            d.deliver_len = take;
            n.rcv_nxt = s.rcv_nxt + take;
            n.rcv_wnd = s.rcv_wnd - take;
            d.ack_due = true;
        }
        if (offset > 0 || take < fresh) d.ack_now = true;  // duplicate or clipped data
    }

    // 6. FIN, once all data before it is in.
    if (fin && n.rcv_nxt == seg.seq + seg.payload_len) {
        n.rcv_nxt += 1;
        d.fin_event = true;
        d.ack_now = true;
    }
    return d;
}

}  // namespace ftoe::kernel
