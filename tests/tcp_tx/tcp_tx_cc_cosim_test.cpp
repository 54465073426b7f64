// Cosim of rtl/tcp_tx/tcp_tx_cc.sv against tcp_tx_cc() (hls/tcp_tx.*, through its Vitis
// top): every decision output and the whole next state, for (1) independent random
// state/event pairs biased to the edges (sequence numbers straddling 2^32, zero and huge
// windows, saturating counters, retries at the limit, out-of-range event kinds), one per
// cycle with random gaps; and (2) 64 sessions evolving event by event (ACKs, duplicate
// ACKs, the segments the decisions propose, timer expiries, received data), the RTL's
// next state fed back, sessions interleaved with one event in flight per session. Three
// configurations each (the pipeline drained between them). The latency stated in the
// header is asserted on every result.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <deque>
#include <random>
#include <string>
#include <vector>

#include "Vtcp_tx_cc.h"
#include "clocked_model.hpp"
#include "tcp_tx.hpp"
#include "tx_decision_diff.hpp"

namespace ftoe::kernel {
namespace {

constexpr int kLatency = 3;  // tcp_tx_cc.sv header contract

std::vector<TcpTxConfig> configs() {
    std::vector<TcpTxConfig> v(3);
    v[1].delack_enable = false;
    v[1].rto_min = 1000;
    v[1].max_retries = 3;
    v[1].clock_g = 100;
    v[1].rcv_buf = 20000;
    v[1].delack_ticks = 200000;
    v[2].rto_min = 50000;
    v[2].rto_max = 5000000;
    v[2].rto_initial = 300000;
    v[2].max_retries = 6;
    v[2].rcv_buf = 1 << 20;
    return v;
}

void drive_config(Vtcp_tx_cc& io, const TcpTxConfig& c) {
    io.cfg_rto_min = c.rto_min;
    io.cfg_rto_max = c.rto_max;
    io.cfg_rto_initial = c.rto_initial;
    io.cfg_clock_g = c.clock_g;
    io.cfg_max_retries = c.max_retries;
    io.cfg_delack_enable = c.delack_enable;
    io.cfg_delack_ticks = c.delack_ticks;
    io.cfg_rcv_buf = c.rcv_buf;
}

void drive(Vtcp_tx_cc& io, uint16_t tag, const TcpTxCcState& s, const TcpTxEvent& e) {
    io.s_tag = tag;
    io.s_kind = uint8_t(e.kind);
    io.s_now = e.now;
    io.s_seq = e.seq;
    io.s_len = e.len;
    io.s_fin = e.fin;
    io.s_wnd = e.wnd;
    io.s_acked = e.acked;
    io.s_dup_ack = e.dup_ack;
    io.s_ack_now = e.ack_now;
    io.s_rtt_valid = e.rtt_valid;
    io.s_rtt = e.rtt;
    io.s_snd_una = s.snd_una;
    io.s_snd_nxt = s.snd_nxt;
    io.s_snd_max = s.snd_max;
    io.s_app_end = s.app_end;
    io.s_fin_req = s.fin_req;
    io.s_snd_wnd = s.snd_wnd;
    io.s_mss = s.mss;
    io.s_cwnd = s.cwnd;
    io.s_ssthresh = s.ssthresh;
    io.s_ca_acc = s.ca_acc;
    io.s_dupacks = s.dupacks;
    io.s_in_recovery = s.in_recovery;
    io.s_recover = s.recover;
    io.s_rtx_pending = s.rtx_pending;
    io.s_srtt_valid = s.srtt_valid;
    io.s_srtt8 = s.srtt8;
    io.s_rttvar4 = s.rttvar4;
    io.s_rto = s.rto;
    io.s_backoff = s.backoff;
    io.s_timing = s.timing;
    io.s_rtt_seq = s.rtt_seq;
    io.s_rtt_start = s.rtt_start;
    io.s_rto_on = s.rto_on;
    io.s_persist_on = s.persist_on;
    io.s_persist_int = s.persist_int;
    io.s_probe_pending = s.probe_pending;
    io.s_delack_on = s.delack_on;
    io.s_rcv_full = s.rcv_full;
    io.s_ack_owed = s.ack_owed;
    io.s_adv_wnd = s.adv_wnd;
}

TcpTxCcDecision read(const Vtcp_tx_cc& io) {
    TcpTxCcDecision d;
    TcpTxCcState& n = d.next;
    n.snd_una = io.m_next_snd_una;
    n.snd_nxt = io.m_next_snd_nxt;
    n.snd_max = io.m_next_snd_max;
    n.app_end = io.m_next_app_end;
    n.fin_req = io.m_next_fin_req;
    n.snd_wnd = io.m_next_snd_wnd;
    n.mss = io.m_next_mss;
    n.cwnd = io.m_next_cwnd;
    n.ssthresh = io.m_next_ssthresh;
    n.ca_acc = io.m_next_ca_acc;
    n.dupacks = io.m_next_dupacks;
    n.in_recovery = io.m_next_in_recovery;
    n.recover = io.m_next_recover;
    n.rtx_pending = io.m_next_rtx_pending;
    n.srtt_valid = io.m_next_srtt_valid;
    n.srtt8 = io.m_next_srtt8;
    n.rttvar4 = io.m_next_rttvar4;
    n.rto = io.m_next_rto;
    n.backoff = io.m_next_backoff;
    n.timing = io.m_next_timing;
    n.rtt_seq = io.m_next_rtt_seq;
    n.rtt_start = io.m_next_rtt_start;
    n.rto_on = io.m_next_rto_on;
    n.persist_on = io.m_next_persist_on;
    n.persist_int = io.m_next_persist_int;
    n.probe_pending = io.m_next_probe_pending;
    n.delack_on = io.m_next_delack_on;
    n.rcv_full = io.m_next_rcv_full;
    n.ack_owed = io.m_next_ack_owed;
    n.adv_wnd = io.m_next_adv_wnd;
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

std::string describe(const TcpTxCcState& s, const TcpTxEvent& e) {
    char b[600];
    std::snprintf(b, sizeof b,
                  "event kind=%u now=%u seq=%u len=%u fin=%d wnd=%u acked=%u dup=%d ack_now=%d "
                  "rtt=%d/%u; state una=%u nxt=%u max=%u end=%u fin=%d wnd=%u mss=%u cwnd=%u "
                  "ssth=%u acc=%u dup=%u rec=%d/%u rtx=%d srtt=%d/%u/%u rto=%u bo=%u tim=%d/%u/%u "
                  "on=%d/%d pint=%u probe=%d del=%d full=%d owed=%d adv=%u",
                  unsigned(e.kind), e.now, e.seq, e.len, e.fin, e.wnd, e.acked, e.dup_ack,
                  e.ack_now, e.rtt_valid, e.rtt, s.snd_una, s.snd_nxt, s.snd_max, s.app_end,
                  s.fin_req, s.snd_wnd, s.mss, s.cwnd, s.ssthresh, s.ca_acc, s.dupacks,
                  s.in_recovery, s.recover, s.rtx_pending, s.srtt_valid, s.srtt8, s.rttvar4,
                  s.rto, s.backoff, s.timing, s.rtt_seq, s.rtt_start, s.rto_on, s.persist_on,
                  s.persist_int, s.probe_pending, s.delack_on, s.rcv_full, s.ack_owed, s.adv_wnd);
    return b;
}

uint32_t near(std::mt19937_64& rng, uint32_t x) {
    switch (rng() % 6) {
        case 0: return x;
        case 1: return x + 1;
        case 2: return x - 1;
        case 3: return x + uint32_t(rng() % 20000);
        case 4: return x - uint32_t(rng() % 20000);
        default: return uint32_t(rng());
    }
}

uint32_t pick(std::mt19937_64& rng, std::initializer_list<uint32_t> v) {
    return *(v.begin() + rng() % v.size());
}

uint16_t random_mss(std::mt19937_64& rng) {
    return uint16_t(rng() % 8 == 0 ? rng() % 0x10000 : pick(rng, {536, 1000, 1460, 8960}));
}

TcpTxCcState random_state(std::mt19937_64& rng, const TcpTxConfig& cfg) {
    TcpTxCcState s;
    const uint32_t base = rng() % 2 ? uint32_t(0u - uint32_t(rng() % 300000)) : uint32_t(rng());
    s.snd_una = base;
    s.snd_max = base + (rng() % 4 ? uint32_t(rng() % 200000) : 0u);
    s.snd_nxt = rng() % 3 ? s.snd_max : s.snd_una + uint32_t(rng() % (s.snd_max - s.snd_una + 1));
    s.fin_req = rng() % 3 == 0;
    s.app_end = s.fin_req && rng() % 2 ? s.snd_max - 1 : s.snd_max + uint32_t(rng() % 100000);
    if (rng() % 16 == 0) s.app_end = near(rng, s.snd_nxt);
    s.snd_wnd = pick(rng, {0, 1, 300, 65535, 1u << 20, uint32_t(rng() % 200000), uint32_t(rng())});
    s.mss = rng() % 64 == 0 ? 0 : random_mss(rng);
    s.cwnd = rng() % 8 == 0 ? uint32_t(0u - uint32_t(rng() % 20000)) : uint32_t(rng() % 300000);
    s.ssthresh = rng() % 4 == 0 ? 0xFFFFFFFFu : uint32_t(rng() % 300000);
    s.ca_acc = rng() % 8 == 0 ? uint32_t(rng()) : uint32_t(rng() % (s.cwnd / 2 + 1));
    s.dupacks = uint8_t(rng() % 4);
    s.in_recovery = rng() % 3 == 0;
    s.recover = near(rng, rng() % 2 ? s.snd_una : s.snd_max);
    s.rtx_pending = rng() % 4 == 0;
    s.srtt_valid = rng() % 4 != 0;
    s.srtt8 = rng() % 8 == 0 ? uint32_t(rng() % 0x80000000u) : uint32_t(rng() % 4000000);
    s.rttvar4 = rng() % 8 == 0 ? uint32_t(rng() % 0x40000000u) : uint32_t(rng() % 2000000);
    s.rto = rng() % 8 == 0 ? uint32_t(rng()) : uint32_t(rng() % (cfg.rto_max + 1));
    s.backoff = uint8_t(rng() % 4 == 0 ? cfg.max_retries + rng() % 3 - 1
                                       : rng() % 16 == 0 ? 255 - rng() % 2 : rng() % 4);
    s.timing = rng() % 2;
    s.rtt_seq = near(rng, s.snd_una + uint32_t(rng() % 20000));
    s.rtt_start = uint32_t(rng());
    s.rto_on = rng() % 2;
    s.persist_on = rng() % 3 == 0;
    s.persist_int = rng() % 8 == 0 ? uint32_t(rng()) : uint32_t(rng() % (cfg.rto_max + 1));
    s.probe_pending = rng() % 4 == 0;
    s.delack_on = rng() % 2;
    s.rcv_full = rng() % 2;
    s.ack_owed = rng() % 4 == 0;
    s.adv_wnd = rng() % 2 ? uint32_t(rng() % (cfg.rcv_buf + 1)) : uint32_t(rng());
    return s;
}

TcpTxEvent random_event(std::mt19937_64& rng, const TcpTxCcState& s) {
    TcpTxEvent e;
    e.kind = TxEvent(rng() % 64 == 0 ? 10 + rng() % 6 : rng() % kTxEventKinds);
    e.now = rng() % 2 ? s.rtt_start + uint32_t(rng() % 5000000) : uint32_t(rng());
    e.seq = rng() % 2 ? near(rng, s.snd_nxt) : near(rng, s.snd_una);
    e.len = uint16_t(rng() % 3 == 0 ? s.mss : rng() % 3 == 0 ? rng() % 0x10000 : rng() % 2000);
    e.fin = rng() % 4 == 0;
    e.wnd = pick(rng, {0, s.snd_wnd, s.adv_wnd + uint32_t(rng() % 5000), uint32_t(rng() % 300000),
                       uint32_t(rng())});
    const uint32_t out = s.snd_max - s.snd_una;
    e.acked = rng() % 3 == 0 ? 0 : rng() % 8 == 0 ? uint32_t(rng()) : uint32_t(rng() % (out + 1));
    e.dup_ack = rng() % 2;
    e.ack_now = rng() % 4 == 0;
    e.rtt_valid = rng() % 3 == 0;
    e.rtt = rng() % 8 == 0 ? uint32_t(rng()) : uint32_t(rng() % 1000000);
    return e;
}

struct Coverage {
    int recovery = 0, partial = 0, full = 0, rto = 0, give_up = 0, probe = 0, fin = 0, rtx = 0,
        delack = 0, ack_now = 0, persist = 0, window_ack = 0, samples = 0, ss = 0, ca = 0,
        limited = 0;
    void add(const TcpTxCcState& s, const TcpTxEvent& e, const TcpTxCcDecision& d) {
        const TcpTxCcState& n = d.next;
        recovery += !s.in_recovery && n.in_recovery;
        partial += e.kind == TxEvent::kAck && s.in_recovery && n.in_recovery && e.acked != 0;
        full += e.kind == TxEvent::kAck && s.in_recovery && !n.in_recovery;
        rto += e.kind == TxEvent::kRtoExpiry && s.rto_on && !d.give_up;
        give_up += d.give_up;
        probe += d.seg.send && n.snd_wnd == 0 && n.persist_on;
        fin += d.seg.send && d.seg.fin;
        rtx += d.seg.send && d.seg.rtx;
        delack += d.delack_arm;
        ack_now += d.ack_now && !s.ack_owed;
        persist += d.persist_arm;
        window_ack += e.kind == TxEvent::kWindowOpen && d.ack_now && !s.ack_owed;
        samples += n.srtt8 != s.srtt8 && e.kind == TxEvent::kAck;
        ss += e.kind == TxEvent::kAck && n.cwnd > s.cwnd && s.cwnd < s.ssthresh && !s.in_recovery;
        ca += e.kind == TxEvent::kAck && n.cwnd > s.cwnd && s.cwnd >= s.ssthresh && !s.in_recovery;
        // new data beyond cwnd: only RFC 3042 limited transmit lets it out
        limited += d.seg.send && !d.seg.rtx && d.seg.len != 0 && !n.probe_pending &&
                   uint64_t(n.snd_nxt - n.snd_una) + d.seg.len > n.cwnd;
    }
    void print() const {
        std::printf("recovery %d partial %d full %d rto %d give_up %d probe %d fin %d rtx %d "
                    "delack %d ack_now %d persist %d window_ack %d samples %d ss %d ca %d "
                    "limited %d\n",
                    recovery, partial, full, rto, give_up, probe, fin, rtx, delack, ack_now,
                    persist, window_ack, samples, ss, ca, limited);
    }
    void expect_all(int min) const {
        for (int c : {recovery, partial, full, rto, give_up, probe, fin, rtx, delack, ack_now,
                      persist, window_ack, samples, ss, ca, limited})
            EXPECT_GE(c, min);
    }
};

TEST(TcpTxCcCosim, RandomStatesAndEventsMatchReference) {
    sim::ClockedModel<Vtcp_tx_cc> sim;
    auto& io = sim.io();
    std::mt19937_64 rng(6298);
    struct Pending {
        uint64_t due;
        uint16_t tag;
        TcpTxCcState s;
        TcpTxEvent e;
        TcpTxCcDecision d;
    };
    Coverage seen;
    const int per_config = 200000;
    int total = 0;
    for (const TcpTxConfig& cfg : configs()) {
        drive_config(io, cfg);
        std::deque<Pending> pending;
        for (int sent = 0; sent < per_config || !pending.empty();) {
            const bool send = sent < per_config && rng() % 5 != 0;
            io.s_valid = send;
            Pending p{};
            if (send) {
                p.s = random_state(rng, cfg);
                p.e = random_event(rng, p.s);
                p.tag = uint16_t(total);
                ftoe_tcp_tx_cc(p.s, p.e, cfg, p.d);
                drive(io, p.tag, p.s, p.e);
            }
            sim.settle();
            if (io.m_valid) {
                ASSERT_FALSE(pending.empty()) << "result with nothing pending at cycle " << sim.cycle();
                const Pending& q = pending.front();
                ASSERT_EQ(q.due, sim.cycle()) << "event #" << q.tag << ": latency";
                ASSERT_EQ(io.m_tag, q.tag) << "results out of order";
                const std::string diff = differences(read(io), q.d);
                ASSERT_TRUE(diff.empty()) << "event #" << q.tag << " got/want" << diff << "\n  "
                                          << describe(q.s, q.e);
                seen.add(q.s, q.e, q.d);
                pending.pop_front();
            } else {
                ASSERT_TRUE(pending.empty() || pending.front().due > sim.cycle())
                    << "event #" << pending.front().tag << ": no result at cycle "
                    << pending.front().due;
            }
            if (send) {
                p.due = sim.cycle() + kLatency;
                pending.push_back(p);
                ++sent;
                ++total;
            }
            sim.tick();
        }
    }
    seen.print();
    seen.expect_all(50);
}

// A plausible next event for an evolving session: what a peer, the app, the timers and
// the frame builder (sending what the last decision proposed) would produce.
TcpTxEvent session_event(std::mt19937_64& rng, const TcpTxCcState& s,
                         const TcpTxCcDecision& last, const TcpTxConfig& cfg, uint32_t now) {
    TcpTxEvent e;
    e.now = now;
    const int k = int(rng() % 100);
    const uint32_t out = s.snd_max - s.snd_una;
    const bool gave_up = s.backoff > cfg.max_retries;
    if (s.mss == 0 || k == 0 || (gave_up && k < 20) || (s.fin_req && k < 3)) {
        e.kind = TxEvent::kInit;
        e.seq = rng() % 2 ? uint32_t(0u - uint32_t(rng() % 100000)) : uint32_t(rng());
        e.len = uint16_t(pick(rng, {536, 1000, 1460, 8960}));
        e.wnd = pick(rng, {0, 3000, 65535, 1u << 20});
    } else if (k < 32) {
        e.kind = TxEvent::kAck;
        const int r = int(rng() % 10);
        if (out != 0 && r < 4) {
            const uint32_t segs = s.mss * uint32_t(1 + rng() % 3);
            e.acked = rng() % 4 == 0 ? out : segs < out ? segs : out;
            if (rng() % 8 == 0) e.acked = 1 + uint32_t(rng() % out);
        } else if (out != 0 && r < 8) {
            e.dup_ack = true;
        }
        const int w = int(rng() % 20);
        e.wnd = w == 0 ? 0 : w == 1 ? uint32_t(rng() % 200000) : w == 2 ? 65535 : s.snd_wnd;
        if (s.snd_wnd == 0 && w > 10) e.wnd = 65535;  // zero windows reopen
        if (e.wnd != s.snd_wnd) e.dup_ack = false;     // as tcp_rx decides
        e.rtt_valid = e.acked != 0 && rng() % 3 == 0;
        e.rtt = rng() % 50 == 0 ? uint32_t(rng()) : 20000 + uint32_t(rng() % 300000);
    } else if (k < 62) {
        e.kind = TxEvent::kSent;
        if (last.seg.send && rng() % 8 != 0) {
            e.seq = last.seg.seq;
            e.len = last.seg.len;
            e.fin = last.seg.fin;
        } else {
            e.seq = s.snd_nxt;  // a pure ACK
        }
        e.wnd = rng() % 2 ? cfg.rcv_buf : s.adv_wnd + uint32_t(rng() % 5000);
    } else if (k < 70) {
        e.kind = TxEvent::kDataQueued;
        e.len = uint16_t(rng() % 4 == 0 ? rng() % 60000 : rng() % (3u * s.mss + 1));
    } else if (k < 71) {
        e.kind = TxEvent::kFinRequest;
    } else if (k < 76) {
        e.kind = TxEvent::kRtoExpiry;
    } else if (k < 80) {
        e.kind = TxEvent::kPersistExpiry;
    } else if (k < 91) {
        e.kind = TxEvent::kDataReceived;
        e.len = uint16_t(pick(rng, {0, s.mss, s.mss, uint32_t(rng() % (s.mss + 1u))}));
        e.fin = rng() % 30 == 0;
        e.ack_now = rng() % 10 == 0;
    } else if (k < 95) {
        e.kind = TxEvent::kDelackExpiry;
    } else {
        e.kind = TxEvent::kWindowOpen;
        e.wnd = rng() % 4 == 0 ? cfg.rcv_buf : s.adv_wnd + uint32_t(rng() % (3u * s.mss + 1));
    }
    return e;
}

TEST(TcpTxCcCosim, EvolvingSessionsMatchReference) {
    sim::ClockedModel<Vtcp_tx_cc> sim;
    auto& io = sim.io();
    std::mt19937_64 rng(5681);
    constexpr int kSessions = 64;
    struct Pending {
        uint64_t due;
        int sid;
        TcpTxEvent e;
    };
    Coverage seen;
    uint32_t now = 0;
    uint64_t bytes_acked = 0;
    const int per_config = 200000;
    for (const TcpTxConfig& cfg : configs()) {
        drive_config(io, cfg);
        std::array<TcpTxCcState, kSessions> state{};
        std::array<TcpTxCcDecision, kSessions> last{};
        std::array<bool, kSessions> busy{};
        std::deque<Pending> pending;
        int done = 0;
        for (int sent = 0; sent < per_config || !pending.empty();) {
            const int sid = int(rng() % kSessions);
            const bool send = sent < per_config && !busy[size_t(sid)] && rng() % 4 != 0;
            io.s_valid = send;
            TcpTxEvent e;
            if (send) {
                now += uint32_t(rng() % 3000);
                e = session_event(rng, state[size_t(sid)], last[size_t(sid)], cfg, now);
                drive(io, uint16_t(sid), state[size_t(sid)], e);
            }
            sim.settle();
            if (io.m_valid) {
                ASSERT_FALSE(pending.empty());
                const Pending q = pending.front();
                pending.pop_front();
                ASSERT_EQ(q.due, sim.cycle()) << "latency";
                ASSERT_EQ(int(io.m_tag), q.sid) << "results out of order";
                TcpTxCcState& st = state[size_t(q.sid)];
                TcpTxCcDecision want;
                ftoe_tcp_tx_cc(st, q.e, cfg, want);
                const TcpTxCcDecision got = read(io);
                const std::string diff = differences(got, want);
                ASSERT_TRUE(diff.empty()) << "event " << done << " of session " << q.sid
                                          << " got/want" << diff << "\n  " << describe(st, q.e);
                seen.add(st, q.e, want);
                if (q.e.kind == TxEvent::kAck) bytes_acked += q.e.acked;
                st = got.next;  // the RTL's own next state goes back in
                last[size_t(q.sid)] = got;
                busy[size_t(q.sid)] = false;
                ++done;
            }
            if (send) {
                pending.push_back({sim.cycle() + kLatency, sid, e});
                busy[size_t(sid)] = true;
                ++sent;
            }
            sim.tick();
        }
        EXPECT_EQ(done, per_config);
    }
    seen.print();
    seen.expect_all(20);
    EXPECT_GT(bytes_acked, 10000000u) << "sessions must actually move data";
}

}  // namespace
}  // namespace ftoe::kernel
