// Cosim of rtl/tcp_tx/tcp_tx_session.sv: sessions installed and driven by random events
// (every kind, random fields; half the SENT events report the proposed segment, FIN
// requests rarer, sessions now and then installed afresh, so windows fill and
// duplicate ACKs meet a full cwnd), offered back to back with random gaps over few sessions
// so the same session often comes back within 1..4 cycles. Each event's outcome (the
// whole next state, read from the packed m_next_state, and every decision) must equal
// tcp_tx_cc() applied to the session's state in acceptance order, exactly 4 cycles after
// acceptance; s_ev_ready must drop exactly when the event's session is among the last 3
// accepted (the header's hazard rule), and never otherwise.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <deque>
#include <map>
#include <random>
#include <string>

#include "Vtcp_tx_session.h"
#include "clocked_model.hpp"
#include "tcp_tx.hpp"
#include "tx_decision_diff.hpp"

namespace ftoe::kernel {
namespace {

constexpr int kLatency = 4;  // tcp_tx_session.sv header contract

// m_next_state, most significant field first (the header's layout).
TcpTxCcState unpack(const VlWide<18>& w) {
    int pos = 549;
    auto take = [&](int width) {
        uint64_t v = 0;
        for (int i = 0; i < width; i++) {
            const int bit = pos - width + i;
            v |= uint64_t((w[std::size_t(bit / 32)] >> (bit % 32)) & 1u) << i;
        }
        pos -= width;
        return v;
    };
    TcpTxCcState s;
    s.snd_una = uint32_t(take(32));
    s.snd_nxt = uint32_t(take(32));
    s.snd_max = uint32_t(take(32));
    s.app_end = uint32_t(take(32));
    s.fin_req = take(1);
    s.snd_wnd = uint32_t(take(32));
    s.mss = uint16_t(take(16));
    s.cwnd = uint32_t(take(32));
    s.ssthresh = uint32_t(take(32));
    s.ca_acc = uint32_t(take(32));
    s.dupacks = uint8_t(take(2));
    s.in_recovery = take(1);
    s.recover = uint32_t(take(32));
    s.rtx_pending = take(1);
    s.srtt_valid = take(1);
    s.srtt8 = uint32_t(take(32));
    s.rttvar4 = uint32_t(take(32));
    s.rto = uint32_t(take(32));
    s.backoff = uint8_t(take(8));
    s.timing = take(1);
    s.rtt_seq = uint32_t(take(32));
    s.rtt_start = uint32_t(take(32));
    s.rto_on = take(1);
    s.persist_on = take(1);
    s.persist_int = uint32_t(take(32));
    s.probe_pending = take(1);
    s.delack_on = take(1);
    s.rcv_full = take(1);
    s.ack_owed = take(1);
    s.adv_wnd = uint32_t(take(32));
    EXPECT_EQ(pos, 0);
    return s;
}

TcpTxCcDecision read(const Vtcp_tx_session& io) {
    TcpTxCcDecision d;
    d.next = unpack(io.m_next_state);
    d.seg.send = io.m_send;
    d.seg.seq = io.m_send_seq;
    d.seg.len = io.m_send_len;
    d.seg.fin = io.m_send_fin;
    d.seg.rtx = io.m_send_rtx;
    d.ack_now = io.m_ack_now;
    d.rto_arm = io.m_rto_arm;
    d.rto_stop = io.m_rto_stop;
    d.persist_arm = io.m_persist_arm;
    d.persist_stop = io.m_persist_stop;
    d.delack_arm = io.m_delack_arm;
    d.delack_stop = io.m_delack_stop;
    d.rto_ticks = io.m_rto_ticks;
    d.persist_ticks = io.m_persist_ticks;
    d.delack_ticks = io.m_delack_ticks;
    d.give_up = io.m_give_up;
    return d;
}

// A random event for a session whose state is `s` (fields near the state's numbers).
// Half the SENT events report the segment the last decision proposed, so windows fill
// as they would (and duplicate ACKs meet a full cwnd: limited transmit).
TcpTxEvent random_event(std::mt19937_64& rng, const TcpTxCcState& s,
                        const TcpTxSegmentDecision& last, uint32_t now) {
    TcpTxEvent e;
    e.kind = TxEvent(1 + rng() % 9);
    // a FIN request ends the session's data for good: keep it rarer than the others
    if (e.kind == TxEvent::kFinRequest && rng() % 8 != 0) e.kind = TxEvent::kDataQueued;
    e.now = now;
    e.seq = rng() % 2 ? s.snd_nxt : s.snd_una + uint32_t(rng() % 5000);
    e.len = uint16_t(rng() % 3 ? rng() % (s.mss + 1u) : rng() % 3000);
    e.fin = rng() % 10 == 0;
    if (e.kind == TxEvent::kDataQueued && rng() % 2) e.len = uint16_t(rng() % 20000);
    if (e.kind == TxEvent::kSent && last.send && rng() % 2) {
        e.seq = last.seq;
        e.len = last.len;
        e.fin = last.fin;
    }
    e.wnd = rng() % 4 ? uint32_t(rng() % 200000) : 0;
    e.acked = rng() % 3 ? uint32_t(rng() % (s.snd_max - s.snd_una + 1)) : 0;
    e.dup_ack = e.acked == 0 && rng() % 2;
    e.ack_now = rng() % 5 == 0;
    e.rtt_valid = rng() % 4 == 0;
    e.rtt = uint32_t(rng() % 500000);
    return e;
}

TEST(TcpTxSessionCosim, SessionsEvolveLikeTheKernelWithBackToBackEvents) {
    sim::ClockedModel<Vtcp_tx_session> sim;
    auto& io = sim.io();
    const TcpTxConfig cfg;
    io.cfg_rto_min = cfg.rto_min;
    io.cfg_rto_max = cfg.rto_max;
    io.cfg_rto_initial = cfg.rto_initial;
    io.cfg_clock_g = cfg.clock_g;
    io.cfg_max_retries = cfg.max_retries;
    io.cfg_delack_enable = cfg.delack_enable;
    io.cfg_delack_ticks = cfg.delack_ticks;
    io.cfg_rcv_buf = cfg.rcv_buf;
    std::mt19937_64 rng(8128);
    constexpr int kActive = 6;
    std::array<uint16_t, kActive> sids{};
    for (auto& s : sids) s = uint16_t(rng() % 4096);
    std::map<uint16_t, TcpTxCcState> model;
    std::map<uint16_t, TcpTxSegmentDecision> proposed;  // each session's last decision

    struct Pending {
        uint64_t due;
        uint16_t sid;
        uint8_t tag;
        TcpTxCcDecision want;
    };
    std::deque<Pending> pending;
    std::array<int, 3> recent{-1, -1, -1};  // sessions accepted 1, 2, 3 cycles ago
    bool offering = false;
    uint16_t off_sid = 0;
    uint8_t off_tag = 0;
    TcpTxEvent off_ev;
    int events = 0, stalls = 0, checked = 0, limited = 0;
    uint32_t now = 1000;
    while (events < 60000 || !pending.empty()) {
        ASSERT_LT(sim.cycle(), 2000000u);
        if (rng() % 3 == 0) now += uint32_t(rng() % 100);
        if (!offering && events < 60000 && rng() % 4 != 0) {
            off_sid = sids[rng() % kActive];
            off_tag = uint8_t(rng());
            if (!model.count(off_sid) || rng() % 512 == 0) {  // now and then a fresh session
                off_ev = TcpTxEvent{};
                off_ev.kind = TxEvent::kInit;
                off_ev.now = now;
                off_ev.seq = uint32_t(rng());
                off_ev.len = uint16_t(rng() % 2 ? 1460 : 536);
                off_ev.wnd = uint32_t(rng() % 100000);
            } else {
                off_ev = random_event(rng, model[off_sid], proposed[off_sid], now);
            }
            offering = true;
        }
        io.s_ev_valid = offering;
        io.s_ev_sid = off_sid;
        io.s_ev_tag = off_tag;
        io.s_ev_kind = uint8_t(off_ev.kind);
        io.s_ev_now = off_ev.now;
        io.s_ev_seq = off_ev.seq;
        io.s_ev_len = off_ev.len;
        io.s_ev_fin = off_ev.fin;
        io.s_ev_wnd = off_ev.wnd;
        io.s_ev_acked = off_ev.acked;
        io.s_ev_dup_ack = off_ev.dup_ack;
        io.s_ev_ack_now = off_ev.ack_now;
        io.s_ev_rtt_valid = off_ev.rtt_valid;
        io.s_ev_rtt = off_ev.rtt;
        sim.settle();
        // hazard rule: ready low exactly when the session was accepted in the last 3 cycles
        const bool busy = recent[0] == off_sid || recent[1] == off_sid || recent[2] == off_sid;
        ASSERT_EQ(bool(io.s_ev_ready), !busy) << "cycle " << sim.cycle();
        if (io.m_valid) {
            ASSERT_FALSE(pending.empty()) << "an outcome with no event, cycle " << sim.cycle();
            const Pending p = pending.front();
            pending.pop_front();
            ASSERT_EQ(sim.cycle(), p.due) << "latency";
            ASSERT_EQ(io.m_sid, p.sid);
            ASSERT_EQ(io.m_tag, p.tag);
            const std::string diff = differences(read(io), p.want);
            ASSERT_EQ(diff, "") << "event " << checked << " (got/want)";
            checked++;
        }
        recent = {-1, recent[0], recent[1]};
        if (offering && io.s_ev_ready) {
            const TcpTxCcDecision d = tcp_tx_cc(model[off_sid], off_ev, cfg);
            model[off_sid] = d.next;
            proposed[off_sid] = d.seg;
            // new data beyond cwnd: only RFC 3042 limited transmit lets it out
            const TcpTxCcState& n = d.next;
            limited += d.seg.send && !d.seg.rtx && d.seg.len != 0 && !n.probe_pending &&
                       uint64_t(n.snd_nxt - n.snd_una) + d.seg.len > n.cwnd;
            pending.push_back({sim.cycle() + kLatency, off_sid, off_tag, d});
            recent[0] = off_sid;
            offering = false;
            events++;
        } else if (offering) {
            stalls++;
        }
        sim.tick();
    }
    EXPECT_EQ(checked, 60000);
    EXPECT_GT(stalls, 1000) << "the same session rarely came back quickly: hazards untested";
    EXPECT_GT(limited, 100) << "limited transmit (RFC 3042) rarely decided: untested";
    std::printf("%d events over %d sessions, %d hazard stalls, %d limited-transmit sends\n",
                checked, kActive, stalls, limited);
}

}  // namespace
}  // namespace ftoe::kernel
