// tcp_rx.hpp: segment acceptance and ACK processing for an installed (synchronized)
// session, the reference the tcp_rx RTL is scoreboarded against. One call decides what
// one arriving segment does to the session, as RFC 9293 §3.10.7.4 orders the checks:
//   1. sequence acceptability (the four cases), with PAWS first (RFC 7323 §5.3);
//   2. RST: exact RCV.NXT resets, otherwise in-window is a challenge ACK (RFC 5961 §3.2);
//   3. SYN on a synchronized session: challenge ACK and an event (RFC 5961 §4.2);
//   4. ACK acceptability (RFC 5961 §5.2), SND.UNA advance, duplicate-ACK detection
//      (RFC 5681 §2), send-window update by the SND.WL1/SND.WL2 rule;
//   5. in-order payload delivered up to the receive window; out-of-order dropped with an
//      immediate duplicate ACK (no reassembly yet);
//   6. FIN once everything before it has arrived: RCV.NXT + 1 and an event.
// All sequence comparisons are modulo 2^32 (serial arithmetic), so wraparound is normal.
#pragma once

#include <cstdint>

namespace ftoe::kernel {

// a < b, a <= b in sequence space (RFC 9293 §3.4).
constexpr bool seq_lt(uint32_t a, uint32_t b) { return int32_t(a - b) < 0; }
constexpr bool seq_le(uint32_t a, uint32_t b) { return int32_t(a - b) <= 0; }

namespace tcp_flag {
constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;
}

// The part of the TCB the receive path reads and writes.
struct TcpRxState {
    uint32_t rcv_nxt = 0;
    uint32_t rcv_wnd = 0;       // bytes we accept beyond rcv_nxt (already scaled)
    uint32_t snd_una = 0;
    uint32_t snd_nxt = 0;
    uint32_t snd_wnd = 0;       // peer's window in bytes (scaled)
    uint32_t max_snd_wnd = 0;   // largest window the peer offered (RFC 5961 §5.2)
    uint32_t snd_wl1 = 0, snd_wl2 = 0;
    uint8_t snd_wscale = 0;     // shift applied to the window field the peer sends
    bool ts_enabled = false;    // timestamps negotiated (RFC 7323)
    uint32_t ts_recent = 0;
};

struct TcpRxSegment {
    uint32_t seq = 0, ack = 0;
    uint8_t flags = tcp_flag::kAck;
    uint16_t window = 0;        // raw field
    uint32_t payload_len = 0;
    bool has_ts = false;
    uint32_t tsval = 0, tsecr = 0;
};

struct TcpRxDecision {
    TcpRxState next;            // the session after this segment
    bool deliver = false;       // payload bytes [deliver_offset, +deliver_len) go in order
    uint32_t deliver_offset = 0, deliver_len = 0;
    bool ack_now = false;       // send an ACK immediately (dup ACK, window probe answer)
    bool ack_due = false;       // data arrived: an ACK is owed (delayed-ACK policy decides)
    bool challenge_ack = false; // RFC 5961 challenge ACK
    bool rst_event = false;     // valid RST: the host aborts the connection
    bool syn_event = false;     // SYN on a synchronized session
    bool fin_event = false;     // in-order FIN: the peer closed its side
    bool paws_drop = false;     // dropped by PAWS
    bool out_of_window = false; // failed the acceptability test
    uint32_t acked = 0;         // bytes SND.UNA advanced by
    bool dup_ack = false;       // a duplicate ACK (RFC 5681 §2) for fast retransmit
    bool window_updated = false;
};

TcpRxDecision tcp_rx_accept(const TcpRxState& s, const TcpRxSegment& seg);

}  // namespace ftoe::kernel
