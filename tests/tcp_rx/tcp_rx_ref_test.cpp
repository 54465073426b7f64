// The RX acceptance / ACK-processing reference (hls/tcp_rx.*) against the RFC text:
// one test per rule, each also run with the session placed just below 2^32 so that
// every comparison crosses the sequence-space wrap.
#include <gtest/gtest.h>

#include <random>

#include "engine_top.hpp"

namespace ftoe::kernel {
namespace {

using namespace tcp_flag;

// Every test goes through the Vitis top, so the synthesized function is the tested one.
TcpRxDecision accept(const TcpRxState& s, const TcpRxSegment& g) {
    TcpRxDecision d;
    ftoe_tcp_rx_accept(s, g, d);
    return d;
}

// A session with 10,000 bytes of receive window and 3,000 bytes in flight, whose
// sequence numbers start at `base` (0x100 or just below 2^32).
TcpRxState session(uint32_t base) {
    TcpRxState s;
    s.rcv_nxt = base + 1000;
    s.rcv_wnd = 10000;
    s.snd_una = base + 50000;
    s.snd_nxt = base + 53000;
    s.snd_wnd = 20000;
    s.max_snd_wnd = 20000;
    s.snd_wl1 = base + 900;
    s.snd_wl2 = base + 50000;
    return s;
}

TcpRxSegment seg(const TcpRxState& s, int32_t seq_off, uint32_t len, uint8_t flags = kAck,
                 int32_t ack_off = 0) {
    TcpRxSegment g;
    g.seq = s.rcv_nxt + uint32_t(seq_off);
    g.ack = s.snd_una + uint32_t(ack_off);
    g.flags = flags;
    g.window = uint16_t(s.snd_wnd);
    g.payload_len = len;
    return g;
}

class TcpRx : public ::testing::TestWithParam<uint32_t> {
protected:
    TcpRxState s = session(GetParam());
};

INSTANTIATE_TEST_SUITE_P(Base, TcpRx, ::testing::Values(0x100u, 0xFFFFF000u),
                         [](const auto& p) { return p.param == 0x100u ? "Low" : "Wrapping"; });

TEST_P(TcpRx, InOrderDataIsDeliveredAndAdvancesRcvNxt) {
    const auto d = accept(s, seg(s, 0, 1460));
    EXPECT_TRUE(d.deliver);
    EXPECT_EQ(d.deliver_offset, 0u);
    EXPECT_EQ(d.deliver_len, 1460u);
    EXPECT_EQ(d.next.rcv_nxt, s.rcv_nxt + 1460);
    EXPECT_EQ(d.next.rcv_wnd, s.rcv_wnd - 1460);
    EXPECT_TRUE(d.ack_due);
    EXPECT_FALSE(d.ack_now);
}

TEST_P(TcpRx, OverlappingRetransmissionDeliversOnlyTheNewBytes) {
    const auto d = accept(s, seg(s, -500, 1000));
    EXPECT_TRUE(d.deliver);
    EXPECT_EQ(d.deliver_offset, 500u);
    EXPECT_EQ(d.deliver_len, 500u);
    EXPECT_TRUE(d.ack_now) << "duplicate bytes are acknowledged at once";
}

TEST_P(TcpRx, FullDuplicateIsUnacceptableAndAnsweredWithAck) {
    const auto d = accept(s, seg(s, -1000, 1000));
    EXPECT_TRUE(d.out_of_window);
    EXPECT_TRUE(d.ack_now);
    EXPECT_FALSE(d.deliver);
    EXPECT_EQ(d.next.rcv_nxt, s.rcv_nxt);
}

TEST_P(TcpRx, OutOfOrderSegmentIsDroppedWithImmediateDuplicateAck) {
    const auto d = accept(s, seg(s, 1460, 1460));
    EXPECT_FALSE(d.deliver);
    EXPECT_TRUE(d.ack_now);
    EXPECT_EQ(d.next.rcv_nxt, s.rcv_nxt);
}

TEST_P(TcpRx, DataBeyondTheWindowIsClipped) {
    const auto d = accept(s, seg(s, 0, 12000));
    EXPECT_EQ(d.deliver_len, 10000u);
    EXPECT_EQ(d.next.rcv_wnd, 0u);
    EXPECT_TRUE(d.ack_now);
}

// The four cases of RFC 9293 §3.10.7.4.
TEST_P(TcpRx, AcceptabilityFourCases) {
    TcpRxState zero = s;
    zero.rcv_wnd = 0;
    EXPECT_FALSE(accept(zero, seg(zero, 0, 0)).out_of_window) << "len 0, wnd 0, seq = RCV.NXT";
    EXPECT_TRUE(accept(zero, seg(zero, 1, 0)).out_of_window) << "len 0, wnd 0, seq != RCV.NXT";
    const auto probe = accept(zero, seg(zero, 0, 1));
    EXPECT_TRUE(probe.out_of_window) << "len > 0, wnd 0: zero-window probe";
    EXPECT_TRUE(probe.ack_now) << "a zero-window probe is answered";
    EXPECT_FALSE(accept(s, seg(s, 9999, 0)).out_of_window) << "len 0, last byte of window";
    EXPECT_TRUE(accept(s, seg(s, 10000, 0)).out_of_window) << "len 0, just past window";
    EXPECT_FALSE(accept(s, seg(s, -10, 20)).out_of_window) << "len > 0, tail in window";
    EXPECT_TRUE(accept(s, seg(s, 10000, 5)).out_of_window) << "len > 0, past window";
}

// RFC 5961 §3.2.
TEST_P(TcpRx, RstExactlyAtRcvNxtResets) {
    const auto d = accept(s, seg(s, 0, 0, kRst));
    EXPECT_TRUE(d.rst_event);
    EXPECT_FALSE(d.challenge_ack);
}

TEST_P(TcpRx, RstInWindowButNotExactGetsChallengeAck) {
    const auto d = accept(s, seg(s, 1, 0, kRst));
    EXPECT_FALSE(d.rst_event);
    EXPECT_TRUE(d.challenge_ack);
}

TEST_P(TcpRx, RstOutsideWindowIsSilentlyDropped) {
    const auto d = accept(s, seg(s, 20000, 0, kRst));
    EXPECT_FALSE(d.rst_event);
    EXPECT_FALSE(d.challenge_ack);
    EXPECT_FALSE(d.ack_now);
}

// RFC 5961 §4.2.
TEST_P(TcpRx, SynOnSynchronizedSessionGetsChallengeAckAndEvent) {
    const auto d = accept(s, seg(s, 5, 0, kSyn));
    EXPECT_TRUE(d.challenge_ack);
    EXPECT_TRUE(d.syn_event);
    EXPECT_FALSE(d.rst_event);
}

// RFC 5961 §5.2 and RFC 9293 ACK processing.
TEST_P(TcpRx, AckAdvancesSndUna) {
    const auto d = accept(s, seg(s, 0, 0, kAck, 1460));
    EXPECT_EQ(d.acked, 1460u);
    EXPECT_EQ(d.next.snd_una, s.snd_una + 1460);
}

TEST_P(TcpRx, AckForDataNeverSentGetsChallengeAck) {
    const auto d = accept(s, seg(s, 0, 0, kAck, 3001));
    EXPECT_TRUE(d.challenge_ack);
    EXPECT_EQ(d.next.snd_una, s.snd_una);
}

TEST_P(TcpRx, AckOlderThanMaxWindowGetsChallengeAck) {
    EXPECT_TRUE(accept(s, seg(s, 0, 0, kAck, -20001)).challenge_ack);
    EXPECT_FALSE(accept(s, seg(s, 0, 0, kAck, -20000)).challenge_ack);
}

TEST_P(TcpRx, DuplicateAckIsRecognised) {
    EXPECT_TRUE(accept(s, seg(s, 0, 0)).dup_ack);
    EXPECT_FALSE(accept(s, seg(s, 0, 10)).dup_ack) << "carries data";
    auto w = seg(s, 0, 0);
    w.window = uint16_t(s.snd_wnd + 1);
    EXPECT_FALSE(accept(s, w).dup_ack) << "window update";
    TcpRxState idle = s;
    idle.snd_nxt = idle.snd_una;
    EXPECT_FALSE(accept(idle, seg(idle, 0, 0)).dup_ack) << "nothing outstanding";
}

TEST_P(TcpRx, WindowUpdateFollowsWl1Wl2RuleWithScaling) {
    TcpRxState sc = s;
    sc.snd_wscale = 7;
    auto g = seg(sc, 0, 0, kAck, 100);
    g.window = 1000;
    const auto d = accept(sc, g);
    EXPECT_EQ(d.next.snd_wnd, 1000u << 7);
    EXPECT_EQ(d.next.snd_wl1, g.seq);
    EXPECT_EQ(d.next.snd_wl2, g.ack);
    EXPECT_EQ(d.next.max_snd_wnd, 1000u << 7);
    // An older segment (SEG.SEQ < SND.WL1) must not shrink the window back.
    TcpRxState after = d.next;
    auto old = seg(after, 0, 0, kAck, 100);
    old.seq = after.snd_wl1 - 1;
    old.window = 1;
    after.rcv_nxt = old.seq;  // keep it acceptable
    EXPECT_EQ(accept(after, old).next.snd_wnd, 1000u << 7);
}

// RFC 7323 §5.3.
TEST_P(TcpRx, PawsDropsOldTimestampButNotRst) {
    TcpRxState ts = s;
    ts.ts_enabled = true;
    ts.ts_recent = 5000;
    auto g = seg(ts, 0, 100);
    g.has_ts = true;
    g.tsval = 4999;
    const auto d = accept(ts, g);
    EXPECT_TRUE(d.paws_drop);
    EXPECT_TRUE(d.ack_now);
    EXPECT_FALSE(d.deliver);
    g.tsval = 5000;
    const auto ok = accept(ts, g);
    EXPECT_TRUE(ok.deliver);
    EXPECT_EQ(ok.next.ts_recent, 5000u);
    auto r = seg(ts, 0, 0, kRst);
    r.has_ts = true;
    r.tsval = 1;
    EXPECT_TRUE(accept(ts, r).rst_event) << "RSTs are exempt from PAWS";
}

TEST_P(TcpRx, TimestampWrapsLikeSequenceNumbers) {
    TcpRxState ts = s;
    ts.ts_enabled = true;
    ts.ts_recent = 0xFFFFFF00u;
    auto g = seg(ts, 0, 10);
    g.has_ts = true;
    g.tsval = 0x10;  // newer, across the wrap
    const auto d = accept(ts, g);
    EXPECT_FALSE(d.paws_drop);
    EXPECT_EQ(d.next.ts_recent, 0x10u);
}

TEST_P(TcpRx, FinAfterInOrderDataClosesAndAdvancesRcvNxt) {
    const auto d = accept(s, seg(s, 0, 100, kAck | kFin));
    EXPECT_TRUE(d.fin_event);
    EXPECT_EQ(d.next.rcv_nxt, s.rcv_nxt + 101);
    EXPECT_TRUE(d.ack_now);
}

TEST_P(TcpRx, FinBeyondAGapIsNotAccepted) {
    const auto d = accept(s, seg(s, 100, 0, kAck | kFin));
    EXPECT_FALSE(d.fin_event);
    EXPECT_EQ(d.next.rcv_nxt, s.rcv_nxt);
}

// Invariants over random segments: never deliver outside the window, RCV.NXT only
// moves forward by what was delivered (plus a FIN), SND.UNA never passes SND.NXT.
TEST_P(TcpRx, RandomSegmentsKeepInvariants) {
    std::mt19937_64 rng(GetParam());
    TcpRxState st = s;
    for (int i = 0; i < 200000; i++) {
        TcpRxSegment g;
        g.seq = st.rcv_nxt + uint32_t(int32_t(rng() % 40000) - 20000);
        g.ack = st.snd_una + uint32_t(int32_t(rng() % 60000) - 30000);
        g.flags = uint8_t(rng() % 32) | (rng() % 4 ? kAck : 0);
        g.window = uint16_t(rng());
        g.payload_len = uint32_t(rng() % 3000);
        const auto d = accept(st, g);
        if (d.deliver) {
            ASSERT_LE(d.deliver_len, st.rcv_wnd);
            ASSERT_LT(d.deliver_offset, g.payload_len);
            ASSERT_LE(d.deliver_offset + d.deliver_len, g.payload_len);
        }
        const uint32_t moved = d.next.rcv_nxt - st.rcv_nxt;
        ASSERT_EQ(moved, d.deliver_len + (d.fin_event ? 1u : 0u));
        ASSERT_TRUE(seq_le(d.next.snd_una, d.next.snd_nxt));
        ASSERT_EQ(d.next.snd_una - st.snd_una, d.acked);
        st = d.next;
        // Keep the session open: refill the window, keep data in flight.
        if (st.rcv_wnd < 1000) st.rcv_wnd = 10000;
        if (st.snd_una == st.snd_nxt) st.snd_nxt += 3000;
    }
}

}  // namespace
}  // namespace ftoe::kernel
