// tx_decision_diff.hpp: what differs between two TX control decisions (hls/tcp_tx.hpp),
// for the cosim tests of tcp_tx_cc and tcp_tx_session: each reads its model's ports into
// a TcpTxCcDecision and compares here, so both hold the RTL to the same fields.
#pragma once

#include <cstdint>
#include <string>

#include "tcp_tx.hpp"

namespace ftoe::kernel {

// " name got/want" for every differing field, "" when they agree.
inline std::string differences(const TcpTxCcDecision& g, const TcpTxCcDecision& w) {
    std::string out;
    auto cmp = [&](const char* name, uint64_t a, uint64_t b) {
        if (a != b) out += std::string(" ") + name + " " + std::to_string(a) + "/" + std::to_string(b);
    };
#define FTOE_CMP_STATE(f) cmp(#f, g.next.f, w.next.f)
    FTOE_CMP_STATE(snd_una); FTOE_CMP_STATE(snd_nxt); FTOE_CMP_STATE(snd_max);
    FTOE_CMP_STATE(app_end); FTOE_CMP_STATE(fin_req); FTOE_CMP_STATE(snd_wnd);
    FTOE_CMP_STATE(mss); FTOE_CMP_STATE(cwnd); FTOE_CMP_STATE(ssthresh);
    FTOE_CMP_STATE(ca_acc); FTOE_CMP_STATE(dupacks); FTOE_CMP_STATE(in_recovery);
    FTOE_CMP_STATE(recover); FTOE_CMP_STATE(rtx_pending); FTOE_CMP_STATE(srtt_valid);
    FTOE_CMP_STATE(srtt8); FTOE_CMP_STATE(rttvar4); FTOE_CMP_STATE(rto);
    FTOE_CMP_STATE(backoff); FTOE_CMP_STATE(timing); FTOE_CMP_STATE(rtt_seq);
    FTOE_CMP_STATE(rtt_start); FTOE_CMP_STATE(rto_on); FTOE_CMP_STATE(persist_on);
    FTOE_CMP_STATE(persist_int); FTOE_CMP_STATE(probe_pending); FTOE_CMP_STATE(delack_on);
    FTOE_CMP_STATE(rcv_full); FTOE_CMP_STATE(ack_owed); FTOE_CMP_STATE(adv_wnd);
#undef FTOE_CMP_STATE
    cmp("send", g.seg.send, w.seg.send);
    cmp("send_seq", g.seg.seq, w.seg.seq);
    cmp("send_len", g.seg.len, w.seg.len);
    cmp("send_fin", g.seg.fin, w.seg.fin);
    cmp("send_rtx", g.seg.rtx, w.seg.rtx);
    cmp("ack_now", g.ack_now, w.ack_now);
    cmp("rto_arm", g.rto_arm, w.rto_arm);
    cmp("rto_stop", g.rto_stop, w.rto_stop);
    cmp("persist_arm", g.persist_arm, w.persist_arm);
    cmp("persist_stop", g.persist_stop, w.persist_stop);
    cmp("delack_arm", g.delack_arm, w.delack_arm);
    cmp("delack_stop", g.delack_stop, w.delack_stop);
    cmp("rto_ticks", g.rto_ticks, w.rto_ticks);
    cmp("persist_ticks", g.persist_ticks, w.persist_ticks);
    cmp("delack_ticks", g.delack_ticks, w.delack_ticks);
    cmp("give_up", g.give_up, w.give_up);
    return out;
}

}  // namespace ftoe::kernel
