// Cosim of rtl/tcp_rx/tcp_rx_session.sv (4096 sessions) against tcp_rx_accept() applied
// session by session: installs through s_wr, then segments over a few sessions, often
// the same one back to back so that every read-after-write distance (1..4 cycles) and
// the write-back bypass are exercised, with installs of busy sessions mixed in and the
// transmit side's SND.MAX writes (s_snd_max) and the consumer's progress (s_consumed,
// which reopens RCV.WND by the bytes taken) landing in any cycle, including the cycle a
// segment of that session is read. Holds the header's contract: results exactly 4
// cycles after acceptance, s_seg_ready low exactly when the session is among the last 3
// accepted, installs never lost and waiting while a SND.MAX write is offered.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <deque>
#include <map>
#include <random>
#include <string>

#include "Vtcp_rx_session.h"
#include "clocked_model.hpp"
#include "decision_diff.hpp"
#include "engine_top.hpp"

namespace ftoe::kernel {
namespace {

constexpr int kLatency = 4;  // tcp_rx_session.sv header contract

TcpRxState random_tcb(std::mt19937_64& rng) {
    TcpRxState s;
    s.rcv_nxt = rng() % 2 ? uint32_t(0u - uint32_t(rng() % 100000)) : uint32_t(rng());
    s.rcv_wnd = 65535u << (rng() % 3);
    s.snd_una = uint32_t(rng());
    s.snd_nxt = s.snd_una + uint32_t(rng() % 100000);
    s.snd_wscale = uint8_t(rng() % 15);
    s.snd_wnd = uint32_t(rng() % 0x10000) << s.snd_wscale;
    s.max_snd_wnd = s.snd_wnd;
    s.snd_wl1 = s.rcv_nxt - 1;
    s.snd_wl2 = s.snd_una;
    s.ts_enabled = rng() % 2;
    s.ts_recent = uint32_t(rng());
    return s;
}

// A plausible next segment most of the time, anything now and then.
TcpRxSegment next_segment(std::mt19937_64& rng, const TcpRxState& s) {
    TcpRxSegment g;
    g.payload_len = rng() % 3 ? uint32_t(rng() % 1461) : 0;
    g.seq = rng() % 5 ? s.rcv_nxt : s.rcv_nxt + uint32_t(int32_t(rng() % 6000) - 3000);
    g.ack = s.snd_una + uint32_t(rng() % 4000);
    g.flags = uint8_t(tcp_flag::kAck | (rng() % 40 == 0 ? tcp_flag::kFin : 0) |
                      (rng() % 60 == 0 ? tcp_flag::kRst : 0) | (rng() % 60 == 0 ? tcp_flag::kSyn : 0));
    if (rng() % 30 == 0) g.flags = uint8_t(rng());
    g.window = uint16_t(rng());
    g.has_ts = rng() % 4 != 0;
    g.tsval = s.ts_recent + uint32_t(int32_t(rng() % 200) - 20);
    return g;
}

void drive_install(Vtcp_rx_session& io, uint16_t sid, const TcpRxState& s) {
    io.s_wr_sid = sid;
    io.s_wr_rcv_nxt = s.rcv_nxt;
    io.s_wr_rcv_wnd = s.rcv_wnd;
    io.s_wr_snd_una = s.snd_una;
    io.s_wr_snd_nxt = s.snd_nxt;
    io.s_wr_snd_wnd = s.snd_wnd;
    io.s_wr_max_snd_wnd = s.max_snd_wnd;
    io.s_wr_snd_wl1 = s.snd_wl1;
    io.s_wr_snd_wl2 = s.snd_wl2;
    io.s_wr_snd_wscale = s.snd_wscale;
    io.s_wr_ts_enabled = s.ts_enabled;
    io.s_wr_ts_recent = s.ts_recent;
}

void drive_segment(Vtcp_rx_session& io, uint16_t sid, uint16_t tag, const TcpRxSegment& g) {
    io.s_seg_sid = sid;
    io.s_seg_tag = tag;
    io.s_seq = g.seq;
    io.s_ack = g.ack;
    io.s_flags = g.flags;
    io.s_window = g.window;
    io.s_payload_len = uint16_t(g.payload_len);
    io.s_has_ts = g.has_ts;
    io.s_tsval = g.tsval;
}

// The state fields the session exposes; the rest shows in later decisions.
std::string differences(const Vtcp_rx_session& io, const TcpRxDecision& want) {
    TcpRxDecision got;
    got.next.rcv_nxt = io.m_rcv_nxt;
    got.next.rcv_wnd = io.m_rcv_wnd;
    got.next.snd_una = io.m_snd_una;
    got.next.snd_wnd = io.m_snd_wnd;
    read_decision_flags(io, got);
    std::string d = decision_differences(got, want, false);
    // what the engine's ACKs take from the session: SND.NXT, TS.Recent, timestamps on
    auto cmp = [&](const char* name, uint64_t g, uint64_t w) {
        if (g != w) d += std::string(" ") + name + " " + std::to_string(g) + "/" + std::to_string(w);
    };
    cmp("snd_nxt", io.m_snd_nxt, want.next.snd_nxt);
    cmp("ts_recent", io.m_ts_recent, want.next.ts_recent);
    cmp("ts_enabled", io.m_ts_enabled, want.next.ts_enabled);
    return d;
}

TEST(TcpRxSessionCosim, SessionsEvolveLikeTheReferenceWithBackToBackSegments) {
    sim::ClockedModel<Vtcp_rx_session> sim;
    auto& io = sim.io();
    std::mt19937_64 rng(793);
    constexpr int kActive = 6;  // few sessions: the same one comes back within 1..4 cycles
    std::array<uint16_t, kActive> sids{};
    std::map<uint16_t, TcpRxState> model;
    for (int i = 0; i < kActive; i++) sids[std::size_t(i)] = uint16_t(rng() % 4096);

    struct Pending {
        uint64_t due;
        uint16_t sid, tag;
        TcpRxDecision want;
        uint32_t delivered;  // the session's bytes delivered, with this segment's
    };
    std::deque<Pending> pending;
    std::deque<uint16_t> accepted_sids;  // last 3 accepted, newest first (with gaps as -1)
    std::array<int, 3> recent{-1, -1, -1};
    std::map<int, int> distance_seen;    // cycles between same-session acceptances
    std::map<uint16_t, uint64_t> last_accept;
    int installs = 0, installs_waited = 0, segments = 0, stalls = 0, snd_max_writes = 0;
    int snd_max_same_cycle = 0;  // a SND.MAX write to the session read in that cycle
    int consumed_writes = 0, reopened_bytes = 0;
    std::map<uint16_t, uint32_t> consumed;   // the consumer's count of bytes taken
    std::map<uint16_t, uint32_t> delivered;  // bytes delivered since the install
    bool seg_pending = false, wr_pending = false;
    uint16_t seg_sid = 0, wr_sid = 0;
    TcpRxSegment seg;
    TcpRxState wr_state;

    // Install every active session first.
    const int total = 150000;
    for (int i = 0; i < kActive; i++) model[sids[std::size_t(i)]] = random_tcb(rng);
    std::deque<uint16_t> to_install(sids.begin(), sids.end());
    while (segments < total || !pending.empty() || seg_pending || wr_pending) {
        // New requests (held until accepted, as AXI requires).
        if (!wr_pending && (!to_install.empty() || (segments > 0 && rng() % 200 == 0))) {
            if (!to_install.empty()) {
                wr_sid = to_install.front();
                to_install.pop_front();
                wr_state = model[wr_sid];
            } else {
                wr_sid = sids[rng() % kActive];  // re-install a busy session
                wr_state = random_tcb(rng);
            }
            wr_pending = true;
        }
        if (!seg_pending && to_install.empty() && !wr_pending && segments < total && rng() % 8 != 0) {
            seg_sid = rng() % 2 && !last_accept.empty() ? seg_sid : sids[rng() % kActive];
            seg = next_segment(rng, model[seg_sid]);
            seg_pending = true;
        }
        // The transmit side sends more (SND.MAX grows) now and then.
        const bool sm_write = segments > 0 && rng() % 6 == 0;
        const uint16_t sm_sid = rng() % 2 ? seg_sid : sids[rng() % kActive];
        const uint32_t sm_value = model[sm_sid].snd_nxt + uint32_t(rng() % 3000);
        // The consumer takes some of what was delivered now and then.
        const uint16_t cs_sid = sids[rng() % kActive];
        bool cs_write = segments > 0 && rng() % 5 == 0 && consumed.count(cs_sid);
        uint32_t cs_value = 0;
        if (cs_write) {
            cs_value = consumed[cs_sid] + uint32_t(rng() % (delivered[cs_sid] - consumed[cs_sid] + 1));
        }
        io.s_consumed_valid = cs_write;
        io.s_consumed_sid = cs_sid;
        io.s_consumed_count = cs_value;
        io.s_snd_max_valid = sm_write;
        io.s_snd_max_sid = sm_sid;
        io.s_snd_max = sm_value;
        io.s_wr_valid = wr_pending;
        if (wr_pending) drive_install(io, wr_sid, wr_state);
        io.s_seg_valid = seg_pending;
        if (seg_pending) drive_segment(io, seg_sid, uint16_t(segments), seg);
        sim.settle();

        // Contract: ready is low exactly for a session among the last 3 accepted.
        if (seg_pending) {
            const bool busy = recent[0] == seg_sid || recent[1] == seg_sid || recent[2] == seg_sid;
            ASSERT_EQ(bool(io.s_seg_ready), !busy) << "cycle " << sim.cycle();
            stalls += busy;
        }
        if (io.m_valid) {
            ASSERT_FALSE(pending.empty()) << "result with nothing pending";
            const Pending p = pending.front();
            pending.pop_front();
            ASSERT_EQ(p.due, sim.cycle()) << "latency";
            ASSERT_EQ(io.m_sid, p.sid);
            ASSERT_EQ(io.m_tag, p.tag);
            const std::string diff = differences(io, p.want);
            ASSERT_TRUE(diff.empty()) << "segment " << p.tag << " of session " << p.sid
                                      << " got/want" << diff;
            ASSERT_EQ(io.m_delivered_total, p.delivered) << "segment " << p.tag;
        } else {
            ASSERT_TRUE(pending.empty() || pending.front().due > sim.cycle()) << "result missing";
        }
        // Acceptances, in the order the RTL applies them: SND.MAX, install, segment.
        const bool wr_hs = wr_pending && io.s_wr_ready;
        if (cs_write) {
            ASSERT_FALSE(wr_hs) << "an install may not share the cycle of a consumer write";
            model[cs_sid].rcv_wnd += cs_value - consumed[cs_sid];
            reopened_bytes += int(cs_value - consumed[cs_sid]);
            consumed[cs_sid] = cs_value;
            ++consumed_writes;
        }
        if (sm_write) {
            ASSERT_FALSE(wr_hs) << "an install may not share the cycle of a SND.MAX write";
            model[sm_sid].snd_nxt = sm_value;
            ++snd_max_writes;
            if (seg_pending && io.s_seg_ready && seg_sid == sm_sid) ++snd_max_same_cycle;
        }
        const bool seg_hs = seg_pending && io.s_seg_ready;
        if (wr_hs) {
            model[wr_sid] = wr_state;
            consumed[wr_sid] = 0;
            delivered[wr_sid] = 0;
            wr_pending = false;
            ++installs;
        } else if (wr_pending) {
            ++installs_waited;
        }
        if (seg_hs) {
            TcpRxDecision d;
            ftoe_tcp_rx_accept(model[seg_sid], seg, d);
            TcpRxState next = d.next;
            next.snd_nxt = model[seg_sid].snd_nxt;
            model[seg_sid] = next;
            if (d.deliver) delivered[seg_sid] += d.deliver_len;
            pending.push_back({sim.cycle() + kLatency, seg_sid, uint16_t(segments), d,
                               delivered[seg_sid]});
            if (last_accept.count(seg_sid)) distance_seen[int(std::min<uint64_t>(sim.cycle() - last_accept[seg_sid], 9))]++;
            last_accept[seg_sid] = sim.cycle();
            seg_pending = false;
            ++segments;
        }
        recent = {seg_hs ? int(seg_sid) : -1, recent[0], recent[1]};
        sim.tick();
    }
    std::printf("%d segments, %d stalls, %d installs (%d cycles waited), %d SND.MAX writes "
                "(%d in the cycle their session was read); same-session gaps:",
                segments, stalls, installs, installs_waited, snd_max_writes, snd_max_same_cycle);
    for (const auto& [gap, n] : distance_seen) std::printf(" %d:%d", gap, n);
    std::printf("\n");
    EXPECT_GT(distance_seen[4], 1000) << "back-to-back at the minimum distance (bypass)";
    EXPECT_GT(distance_seen[5], 100);
    EXPECT_GT(installs, 500);
    EXPECT_GT(installs_waited, 0) << "installs of busy sessions must have waited";
    EXPECT_GT(snd_max_same_cycle, 1000) << "the SND.MAX bypass must be exercised";
    std::printf("%d consumer writes reopened %d bytes\n", consumed_writes, reopened_bytes);
    EXPECT_GT(reopened_bytes, 1000000) << "windows must reopen";
}

}  // namespace
}  // namespace ftoe::kernel
