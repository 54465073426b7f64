// Cosim of rtl/tcp_rx/tcp_rx_accept.sv against tcp_rx_accept() (hls/tcp_rx.*, through
// its Vitis top): every output and the whole next state, for (1) independent random
// state/segment pairs biased to the edges of every comparison (window edges, RCV.NXT
// +-1, zero windows, sequence numbers straddling 2^32, old/new timestamps, ACKs at the
// limits of RFC 5961 §5.2), one per cycle with random gaps; and (2) sessions evolving
// segment by segment, the RTL's next state fed back as the next input, several sessions
// interleaved so one segment is in flight per session. Latency checked on every result.
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <deque>
#include <random>
#include <string>

#include "Vtcp_rx_accept.h"
#include "clocked_model.hpp"
#include "decision_diff.hpp"
#include "engine_top.hpp"

namespace ftoe::kernel {
namespace {

constexpr int kLatency = 3;  // tcp_rx_accept.sv header contract

uint32_t near(std::mt19937_64& rng, uint32_t x) {
    switch (rng() % 6) {
        case 0: return x;
        case 1: return x + 1;
        case 2: return x - 1;
        case 3: return x + uint32_t(rng() % 4000);
        case 4: return x - uint32_t(rng() % 4000);
        default: return uint32_t(rng());
    }
}

TcpRxState random_state(std::mt19937_64& rng) {
    TcpRxState s;
    // Half the sessions sit within 70k of the 2^32 wrap.
    const uint32_t base = rng() % 2 ? uint32_t(0u - uint32_t(rng() % 70000)) : uint32_t(rng());
    s.rcv_nxt = base;
    const int w = int(rng() % 5);
    s.rcv_wnd = w == 0 ? 0 : w == 1 ? uint32_t(rng() % 100) : uint32_t(rng() % 1000000);
    s.snd_una = rng() % 2 ? base + uint32_t(rng() % 100000) : uint32_t(rng());
    s.snd_nxt = s.snd_una + (rng() % 4 ? uint32_t(rng() % 200000) : 0u);
    s.snd_wscale = uint8_t(rng() % 15);
    s.snd_wnd = rng() % 3 ? uint32_t(rng() % 0x10000) << s.snd_wscale : uint32_t(rng());
    s.max_snd_wnd = s.snd_wnd + (rng() % 2 ? uint32_t(rng() % 100000) : 0u);
    s.snd_wl1 = near(rng, s.rcv_nxt);
    s.snd_wl2 = near(rng, s.snd_una);
    s.ts_enabled = rng() % 2;
    s.ts_recent = uint32_t(rng());
    return s;
}

TcpRxSegment random_segment(std::mt19937_64& rng, const TcpRxState& s) {
    TcpRxSegment g;
    const int p = int(rng() % 8);
    g.payload_len = p < 2 ? 0 : p < 4 ? uint32_t(rng() % 64) : uint32_t(rng() % 9000);
    switch (rng() % 7) {
        case 0: g.seq = s.rcv_nxt; break;
        case 1: g.seq = s.rcv_nxt + s.rcv_wnd - uint32_t(rng() % 3); break;  // window end
        case 2: g.seq = s.rcv_nxt - g.payload_len + uint32_t(rng() % 3); break;  // old data
        default: g.seq = near(rng, s.rcv_nxt);
    }
    switch (rng() % 6) {
        case 0: g.ack = s.snd_nxt + uint32_t(rng() % 2); break;
        case 1: g.ack = s.snd_una - s.max_snd_wnd - uint32_t(rng() % 2); break;  // §5.2 edge
        case 2: g.ack = s.snd_una; break;
        default: g.ack = near(rng, s.snd_una);
    }
    const uint8_t ack = rng() % 6 ? tcp_flag::kAck : 0;
    const uint8_t rare = uint8_t(rng() % 4 == 0 ? 1u << (rng() % 3) : 0u);  // FIN, SYN or RST
    g.flags = uint8_t(ack | rare | (rng() % 2 ? tcp_flag::kPsh : 0) | (rng() % 16 == 0 ? 0xe0 : 0));
    g.window = rng() % 3 ? uint16_t(s.snd_wnd >> s.snd_wscale) : uint16_t(rng());
    g.has_ts = rng() % 3 != 0;
    g.tsval = rng() % 2 ? s.ts_recent + uint32_t(int32_t(rng() % 2000) - 1000) : uint32_t(rng());
    g.tsecr = uint32_t(rng());
    return g;
}

void drive(Vtcp_rx_accept& io, uint16_t tag, const TcpRxState& s, const TcpRxSegment& g) {
    io.s_tag = tag;
    io.s_rcv_nxt = s.rcv_nxt;
    io.s_rcv_wnd = s.rcv_wnd;
    io.s_snd_una = s.snd_una;
    io.s_snd_nxt = s.snd_nxt;
    io.s_snd_wnd = s.snd_wnd;
    io.s_max_snd_wnd = s.max_snd_wnd;
    io.s_snd_wl1 = s.snd_wl1;
    io.s_snd_wl2 = s.snd_wl2;
    io.s_snd_wscale = s.snd_wscale;
    io.s_ts_enabled = s.ts_enabled;
    io.s_ts_recent = s.ts_recent;
    io.s_seq = g.seq;
    io.s_ack = g.ack;
    io.s_flags = g.flags;
    io.s_window = g.window;
    io.s_payload_len = uint16_t(g.payload_len);
    io.s_has_ts = g.has_ts;
    io.s_tsval = g.tsval;
}

// Differences between the RTL's outputs and the reference decision, "" if none.
std::string differences(const Vtcp_rx_accept& io, const TcpRxDecision& want) {
    TcpRxDecision got;
    got.next.rcv_nxt = io.m_next_rcv_nxt;
    got.next.rcv_wnd = io.m_next_rcv_wnd;
    got.next.snd_una = io.m_next_snd_una;
    got.next.snd_wnd = io.m_next_snd_wnd;
    got.next.max_snd_wnd = io.m_next_max_snd_wnd;
    got.next.snd_wl1 = io.m_next_snd_wl1;
    got.next.snd_wl2 = io.m_next_snd_wl2;
    got.next.ts_recent = io.m_next_ts_recent;
    read_decision_flags(io, got);
    return decision_differences(got, want, true);
}

std::string describe(const TcpRxState& s, const TcpRxSegment& g) {
    char b[400];
    std::snprintf(b, sizeof b,
                  "state rcv_nxt=%u rcv_wnd=%u snd_una=%u snd_nxt=%u snd_wnd=%u max=%u wl1=%u "
                  "wl2=%u ws=%u ts=%d/%u; seg seq=%u ack=%u flags=0x%02x win=%u len=%u ts=%d/%u",
                  s.rcv_nxt, s.rcv_wnd, s.snd_una, s.snd_nxt, s.snd_wnd, s.max_snd_wnd, s.snd_wl1,
                  s.snd_wl2, s.snd_wscale, s.ts_enabled, s.ts_recent, g.seq, g.ack, g.flags,
                  g.window, g.payload_len, g.has_ts, g.tsval);
    return b;
}

struct Outcomes {
    int deliver = 0, ooo = 0, oow = 0, paws = 0, challenge = 0, rst = 0, syn = 0, fin = 0,
        dup = 0, clipped = 0, wnd_update = 0;
    void add(const TcpRxDecision& d, const TcpRxSegment& g) {
        deliver += d.deliver;
        oow += d.out_of_window;
        paws += d.paws_drop;
        challenge += d.challenge_ack;
        rst += d.rst_event;
        syn += d.syn_event;
        fin += d.fin_event;
        dup += d.dup_ack;
        wnd_update += d.window_updated;
        clipped += d.deliver && d.deliver_offset + d.deliver_len < g.payload_len;
        ooo += !d.deliver && !d.out_of_window && !d.paws_drop && g.payload_len && d.ack_now &&
               !d.challenge_ack;
    }
};

TEST(TcpRxAcceptCosim, RandomPairsMatchReference) {
    sim::ClockedModel<Vtcp_rx_accept> sim;
    auto& io = sim.io();
    std::mt19937_64 rng(9293);
    struct Pending {
        uint64_t due;
        TcpRxState s;
        TcpRxSegment g;
        TcpRxDecision d;
        uint16_t tag;
    };
    std::deque<Pending> pending;
    Outcomes seen;
    const int n = 300000;
    for (int sent = 0; sent < n || !pending.empty();) {
        const bool send = sent < n && rng() % 5 != 0;
        io.s_valid = send;
        Pending p{};
        if (send) {
            p.s = random_state(rng);
            p.g = random_segment(rng, p.s);
            p.tag = uint16_t(sent);
            ftoe_tcp_rx_accept(p.s, p.g, p.d);
            drive(io, p.tag, p.s, p.g);
        }
        sim.settle();
        if (io.m_valid) {
            ASSERT_FALSE(pending.empty()) << "result with nothing pending at cycle " << sim.cycle();
            const Pending& q = pending.front();
            ASSERT_EQ(q.due, sim.cycle()) << "segment #" << q.tag << ": latency";
            ASSERT_EQ(io.m_tag, q.tag) << "results out of order";
            const std::string diff = differences(io, q.d);
            ASSERT_TRUE(diff.empty()) << "segment #" << q.tag << " got/want" << diff << "\n  "
                                      << describe(q.s, q.g);
            seen.add(q.d, q.g);
            pending.pop_front();
        } else {
            ASSERT_TRUE(pending.empty() || pending.front().due > sim.cycle())
                << "segment #" << pending.front().tag << ": no result at cycle "
                << pending.front().due;
        }
        if (send) {
            p.due = sim.cycle() + kLatency;
            pending.push_back(p);
            ++sent;
        }
        sim.tick();
    }
    std::printf("deliver %d (clipped %d), out-of-order %d, out-of-window %d, PAWS %d, "
                "challenge %d, RST %d, SYN %d, FIN %d, dup ACK %d, window update %d\n",
                seen.deliver, seen.clipped, seen.ooo, seen.oow, seen.paws, seen.challenge,
                seen.rst, seen.syn, seen.fin, seen.dup, seen.wnd_update);
    // Every branch of the decision must be exercised, not just the common ones.
    for (int count : {seen.deliver, seen.clipped, seen.ooo, seen.oow, seen.paws, seen.challenge,
                      seen.rst, seen.syn, seen.fin, seen.dup, seen.wnd_update})
        EXPECT_GT(count, n / 1000);
}

TEST(TcpRxAcceptCosim, EvolvingSessionsMatchReference) {
    sim::ClockedModel<Vtcp_rx_accept> sim;
    auto& io = sim.io();
    std::mt19937_64 rng(5961);
    constexpr int kSessions = 4;  // > latency: one segment in flight per session
    std::array<TcpRxState, kSessions> rtl_state, ref_state;
    std::array<bool, kSessions> busy{};
    for (int i = 0; i < kSessions; i++) {
        rtl_state[std::size_t(i)] = random_state(rng);
        rtl_state[std::size_t(i)].rcv_wnd = 65535;
        ref_state[std::size_t(i)] = rtl_state[std::size_t(i)];
    }
    struct Pending {
        uint64_t due;
        int sid;
        TcpRxSegment g;
    };
    std::deque<Pending> pending;
    int done = 0, delivered_bytes = 0;
    const int n = 100000;
    for (int sent = 0; sent < n || !pending.empty();) {
        const int sid = int(rng() % kSessions);
        const bool send = sent < n && !busy[std::size_t(sid)] && rng() % 4 != 0;
        io.s_valid = send;
        TcpRxSegment g;
        if (send) {
            const TcpRxState& s = rtl_state[std::size_t(sid)];
            g = random_segment(rng, s);
            if (rng() % 2) {  // mostly a plausible next segment
                g.seq = s.rcv_nxt;
                g.ack = s.snd_una + uint32_t(rng() % 3000);
                g.flags = tcp_flag::kAck | (rng() % 50 == 0 ? tcp_flag::kFin : 0);
                g.tsval = s.ts_recent + uint32_t(rng() % 100);
            }
            drive(io, uint16_t(sid), s, g);
        }
        sim.settle();
        if (io.m_valid) {
            ASSERT_FALSE(pending.empty());
            const Pending q = pending.front();
            pending.pop_front();
            ASSERT_EQ(q.due, sim.cycle()) << "latency";
            ASSERT_EQ(int(io.m_tag), q.sid);
            TcpRxState& ref = ref_state[std::size_t(q.sid)];
            TcpRxDecision d;
            ftoe_tcp_rx_accept(ref, q.g, d);
            const std::string diff = differences(io, d);
            ASSERT_TRUE(diff.empty()) << "segment " << done << " of session " << q.sid
                                      << " got/want" << diff << "\n  " << describe(ref, q.g);
            // Feed the RTL's own next state back; keep the session open.
            TcpRxState next = ref;
            next.rcv_nxt = io.m_next_rcv_nxt;
            next.rcv_wnd = io.m_next_rcv_wnd < 1000 ? 65535 : io.m_next_rcv_wnd;
            next.snd_una = io.m_next_snd_una;
            next.snd_wnd = io.m_next_snd_wnd;
            next.max_snd_wnd = io.m_next_max_snd_wnd;
            next.snd_wl1 = io.m_next_snd_wl1;
            next.snd_wl2 = io.m_next_snd_wl2;
            next.ts_recent = io.m_next_ts_recent;
            if (seq_le(next.snd_nxt, next.snd_una) || rng() % 8 == 0) next.snd_nxt = next.snd_una + 5000;
            ref = rtl_state[std::size_t(q.sid)] = next;
            busy[std::size_t(q.sid)] = false;
            delivered_bytes += d.deliver ? int(d.deliver_len) : 0;
            ++done;
        }
        if (send) {
            pending.push_back({sim.cycle() + kLatency, sid, g});
            busy[std::size_t(sid)] = true;
            ++sent;
        }
        sim.tick();
    }
    EXPECT_EQ(done, n);
    EXPECT_GT(delivered_bytes, n * 100) << "sessions must actually move data";
}

}  // namespace
}  // namespace ftoe::kernel
