// decision_diff.hpp: what differs between two RX decisions (hls/tcp_rx.hpp), for the
// cosim tests of tcp_rx_accept and tcp_rx_session. Each test reads its model's ports
// into a TcpRxDecision and compares here, so both hold the RTL to the same fields.
#pragma once

#include <string>

#include "tcp_rx.hpp"

namespace ftoe::kernel {

// " name got/want" for every differing field, "" when they agree. The delivered range is
// compared only when delivering; `whole_state` adds the fields tcp_rx_session keeps
// internal (max window, WL1/WL2, TS.Recent).
inline std::string decision_differences(const TcpRxDecision& got, const TcpRxDecision& want,
                                        bool whole_state) {
    std::string out;
    auto cmp = [&](const char* name, uint64_t g, uint64_t w) {
        if (g != w) out += std::string(" ") + name + " " + std::to_string(g) + "/" + std::to_string(w);
    };
    cmp("rcv_nxt", got.next.rcv_nxt, want.next.rcv_nxt);
    cmp("rcv_wnd", got.next.rcv_wnd, want.next.rcv_wnd);
    cmp("snd_una", got.next.snd_una, want.next.snd_una);
    cmp("snd_wnd", got.next.snd_wnd, want.next.snd_wnd);
    if (whole_state) {
        cmp("max_snd_wnd", got.next.max_snd_wnd, want.next.max_snd_wnd);
        cmp("snd_wl1", got.next.snd_wl1, want.next.snd_wl1);
        cmp("snd_wl2", got.next.snd_wl2, want.next.snd_wl2);
        cmp("ts_recent", got.next.ts_recent, want.next.ts_recent);
    }
    cmp("deliver", got.deliver, want.deliver);
    if (want.deliver) {
        cmp("deliver_offset", got.deliver_offset, want.deliver_offset);
        cmp("deliver_len", got.deliver_len, want.deliver_len);
    }
    cmp("ack_now", got.ack_now, want.ack_now);
    cmp("ack_due", got.ack_due, want.ack_due);
    cmp("challenge_ack", got.challenge_ack, want.challenge_ack);
    cmp("rst_event", got.rst_event, want.rst_event);
    cmp("syn_event", got.syn_event, want.syn_event);
    cmp("fin_event", got.fin_event, want.fin_event);
    cmp("paws_drop", got.paws_drop, want.paws_drop);
    cmp("out_of_window", got.out_of_window, want.out_of_window);
    cmp("acked", got.acked, want.acked);
    cmp("dup_ack", got.dup_ack, want.dup_ack);
    cmp("window_updated", got.window_updated, want.window_updated);
    return out;
}

// The decision ports every RX decision model shares (tcp_rx_accept's and tcp_rx_session's
// names for them are the same), the state fields read by the caller.
template <typename Model>
void read_decision_flags(const Model& io, TcpRxDecision& d) {
    d.deliver = io.m_deliver;
    d.deliver_offset = io.m_deliver_offset;
    d.deliver_len = io.m_deliver_len;
    d.ack_now = io.m_ack_now;
    d.ack_due = io.m_ack_due;
    d.challenge_ack = io.m_challenge_ack;
    d.rst_event = io.m_rst_event;
    d.syn_event = io.m_syn_event;
    d.fin_event = io.m_fin_event;
    d.paws_drop = io.m_paws_drop;
    d.out_of_window = io.m_out_of_window;
    d.acked = io.m_acked;
    d.dup_ack = io.m_dup_ack;
    d.window_updated = io.m_window_updated;
}

}  // namespace ftoe::kernel
