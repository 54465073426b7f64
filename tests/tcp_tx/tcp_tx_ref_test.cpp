// The TX control reference (hls/tcp_tx.*) against worked examples from the RFCs: the
// RFC 6298 estimator and backoff, NewReno (RFC 5681, RFC 6582), the send decision
// (windows, FIN ordering, zero-window probes) and the delayed-ACK / window-update policy.
// Every test also runs with the session's sequence numbers straddling 2^32.
#include <gtest/gtest.h>

#include <vector>

#include "tcp_rx.hpp"
#include "tcp_tx.hpp"

namespace ftoe::kernel {
namespace {

class TcpTx : public ::testing::TestWithParam<uint32_t> {
protected:
    TcpTxConfig cfg;
    TcpTxCcState s;
    TcpTxCcDecision d;  // the last decision
    uint32_t now = 5000;

    uint32_t iss1() const { return GetParam(); }
    // Every event goes through the Vitis top, so the synthesized function is the tested one.
    const TcpTxCcDecision& apply(TcpTxEvent e) {
        e.now = now;
        ftoe_tcp_tx_cc(s, e, cfg, d);
        s = d.next;
        return d;
    }
    static TcpTxEvent ev(TxEvent k) {
        TcpTxEvent e;
        e.kind = k;
        return e;
    }
    void install(uint16_t mss = 1000, uint32_t wnd = 1000000) {
        TcpTxEvent e = ev(TxEvent::kInit);
        e.seq = iss1();
        e.len = mss;
        e.wnd = wnd;
        apply(e);
    }
    void queue(uint32_t bytes) {
        while (bytes > 0) {
            TcpTxEvent e = ev(TxEvent::kDataQueued);
            e.len = uint16_t(bytes > 60000 ? 60000 : bytes);
            bytes -= e.len;
            apply(e);
        }
    }
    const TcpTxCcDecision& sent(const TcpTxSegmentDecision& g) {
        TcpTxEvent e = ev(TxEvent::kSent);
        e.seq = g.seq;
        e.len = g.len;
        e.fin = g.fin;
        e.wnd = s.adv_wnd;  // advertises what is left of the window
        return apply(e);
    }
    // Sends whatever the decisions allow, one segment at a time.
    std::vector<TcpTxSegmentDecision> send_all() {
        std::vector<TcpTxSegmentDecision> out;
        while (d.seg.send && out.size() < 10000) {
            out.push_back(d.seg);
            sent(d.seg);
        }
        return out;
    }
    const TcpTxCcDecision& ack(uint32_t acked, bool dup = false) {
        TcpTxEvent e = ev(TxEvent::kAck);
        e.acked = acked;
        e.dup_ack = dup;
        e.wnd = s.snd_wnd;
        return apply(e);
    }
    const TcpTxCcDecision& ack_rtt(uint32_t acked, uint32_t rtt) {
        TcpTxEvent e = ev(TxEvent::kAck);
        e.acked = acked;
        e.wnd = s.snd_wnd;
        e.rtt_valid = true;
        e.rtt = rtt;
        return apply(e);
    }
    const TcpTxCcDecision& window(uint32_t wnd) {
        TcpTxEvent e = ev(TxEvent::kAck);
        e.wnd = wnd;
        return apply(e);
    }
    const TcpTxCcDecision& rto_expiry() { return apply(ev(TxEvent::kRtoExpiry)); }
    const TcpTxCcDecision& received(uint16_t len, bool fin = false, bool ack_now = false) {
        TcpTxEvent e = ev(TxEvent::kDataReceived);
        e.len = len;
        e.fin = fin;
        e.ack_now = ack_now;
        return apply(e);
    }
    // A session with `segs` full segments of 1000 bytes in flight.
    void in_flight(int segs) {
        install(1000);
        s.cwnd = 100000;  // let the flight out at once
        queue(uint32_t(segs) * 1000 + 50000);
        for (int i = 0; i < segs; i++) {
            ASSERT_TRUE(d.seg.send);
            sent(d.seg);
        }
    }
};

INSTANTIATE_TEST_SUITE_P(Base, TcpTx, ::testing::Values(0x100u, 0xFFFFE000u),
                         [](const auto& p) { return p.param == 0x100u ? "Low" : "Wrapping"; });

// ---- RFC 6298 ------------------------------------------------------------------------

TEST_P(TcpTx, FirstRttSampleSetsSrttToRAndRttvarToHalfR) {
    install();
    EXPECT_EQ(s.rto, cfg.rto_initial) << "1 s before any sample (RFC 6298 §2.1)";
    tcp_tx_rtt_sample(s, 100000, cfg);  // 100 ms
    EXPECT_EQ(s.srtt8 >> 3, 100000u);
    EXPECT_EQ(s.rttvar4, 4u * 50000u);
    EXPECT_EQ(s.rto, 100000u + 4u * 50000u) << "RTO = SRTT + 4*RTTVAR = 3R";
}

TEST_P(TcpTx, LaterSamplesUpdateBySevenEighthsAndThreeQuarters) {
    install();
    tcp_tx_rtt_sample(s, 100000, cfg);
    tcp_tx_rtt_sample(s, 200000, cfg);
    // RTTVAR = 3/4 * 50000 + 1/4 * |100000 - 200000| = 62500 (with the old SRTT)
    EXPECT_EQ(s.rttvar4, 4u * 62500u);
    // SRTT = 7/8 * 100000 + 1/8 * 200000 = 112500
    EXPECT_EQ(s.srtt8, 8u * 112500u);
    EXPECT_EQ(s.rto, 112500u + 250000u);
    tcp_tx_rtt_sample(s, 112500, cfg);  // a sample equal to SRTT only shrinks RTTVAR
    EXPECT_EQ(s.srtt8, 8u * 112500u);
    EXPECT_EQ(s.rttvar4, 250000u - 62500u);
}

TEST_P(TcpTx, RtoIsClampedToConfiguredMinimumAndMaximum) {
    install();
    tcp_tx_rtt_sample(s, 1000, cfg);  // 1 ms: 3 ms computed
    EXPECT_EQ(s.rto, cfg.rto_min);
    cfg.rto_min = 1000;
    TcpTxCcState t;
    tcp_tx_rtt_sample(t, 1000, cfg);
    EXPECT_EQ(t.rto, 3000u) << "a lower configured minimum lets it through";
    TcpTxCcState u;
    tcp_tx_rtt_sample(u, 100000000, cfg);  // 100 s: 300 s computed
    EXPECT_EQ(u.rto, cfg.rto_max);
    TcpTxCcState v;
    tcp_tx_rtt_sample(v, 0xFFFFFFFF, cfg);
    EXPECT_EQ(v.srtt8 >> 3, kTxRttMax) << "samples saturate, sums never wrap";
}

TEST_P(TcpTx, TimedSegmentGivesSampleAndRetransmissionDoesNot) {
    install();
    queue(5000);
    sent(d.seg);  // timed: [0, 1000) at t=5000
    EXPECT_TRUE(s.timing);
    now += 30000;
    sent(d.seg);  // not timed: one at a time
    now += 70000;
    ack(1000);
    EXPECT_TRUE(s.srtt_valid);
    EXPECT_EQ(s.srtt8 >> 3, 100000u) << "R = now - send time of the timed segment";
    EXPECT_FALSE(s.timing);

    // Karn: time a segment, retransmit it (RTO), the ACK gives no sample.
    sent(d.seg);
    EXPECT_TRUE(s.timing);
    const uint32_t srtt8 = s.srtt8;
    now += 2000000;
    rto_expiry();
    const uint32_t backed_off = s.rto;
    EXPECT_FALSE(s.timing);
    ASSERT_TRUE(d.seg.send && d.seg.rtx);
    sent(d.seg);
    EXPECT_FALSE(s.timing) << "a retransmission is never timed";
    now += 10;
    ack(1000);
    EXPECT_EQ(s.srtt8, srtt8) << "ambiguous ACK: no sample";
    EXPECT_EQ(s.rto, backed_off) << "the backed-off RTO stays until a valid sample";
    EXPECT_EQ(s.backoff, 0) << "progress resets the retry count";
    // A timestamp echo is unambiguous even for a retransmission.
    ack_rtt(1000, 100000);
    EXPECT_NE(s.rto, backed_off);
    EXPECT_EQ(s.rttvar4, 4u * 37500u) << "3/4 * 50000 + 1/4 * |100000 - 100000|";
    EXPECT_EQ(s.rto, 250000u) << "100000 + 4 * 37500";
}

TEST_P(TcpTx, RtoDoublesOnEachExpiryUpToTheCap) {
    install();
    queue(1000);
    sent(d.seg);
    EXPECT_TRUE(d.rto_arm);
    EXPECT_EQ(d.rto_ticks, 1000000u);
    const uint32_t want[] = {2000000, 4000000, 8000000, 16000000, 32000000, 64000000,
                             120000000, 120000000};
    for (uint32_t w : want) {
        rto_expiry();
        EXPECT_TRUE(d.rto_arm) << "restarted with the backed-off value (RFC 6298 §5.5)";
        EXPECT_EQ(d.rto_ticks, w);
        ASSERT_TRUE(d.seg.send);
        EXPECT_TRUE(d.seg.rtx);
        sent(d.seg);
    }
    EXPECT_EQ(s.backoff, 8);
}

TEST_P(TcpTx, GivesUpAfterConfiguredRetries) {
    cfg.max_retries = 3;
    install();
    queue(1000);
    sent(d.seg);
    for (int i = 1; i <= 3; i++) {
        rto_expiry();
        EXPECT_FALSE(d.give_up) << "retry " << i;
        ASSERT_TRUE(d.seg.send);
        sent(d.seg);
    }
    rto_expiry();
    EXPECT_TRUE(d.give_up) << "the fourth expiry reports to the host";
    EXPECT_TRUE(d.rto_stop);
    EXPECT_FALSE(d.seg.send);
    EXPECT_FALSE(s.rto_on);
}

// ---- NewReno --------------------------------------------------------------------------

TEST_P(TcpTx, InitialWindowFollowsRfc5681) {
    // At most 4 segments up to 1095 bytes, 3 up to 2190, 2 above (RFC 5681 §3.1).
    EXPECT_EQ(tcp_tx_initial_window(536), 2144u);
    EXPECT_EQ(tcp_tx_initial_window(1095), 4380u);
    EXPECT_EQ(tcp_tx_initial_window(1096), 3288u) << "not 4380: that would be 4 segments";
    EXPECT_EQ(tcp_tx_initial_window(1460), 4380u);
    EXPECT_EQ(tcp_tx_initial_window(2190), 6570u);
    EXPECT_EQ(tcp_tx_initial_window(2191), 4382u);
    EXPECT_EQ(tcp_tx_initial_window(8960), 17920u);
    install(1460);
    EXPECT_EQ(s.cwnd, 4380u);
    EXPECT_EQ(s.ssthresh, 0xFFFFFFFFu);
}

TEST_P(TcpTx, SlowStartDoublesCwndEveryRoundTrip) {
    install(1000);
    EXPECT_EQ(s.cwnd, 4000u);
    queue(1000000);
    for (uint32_t round = 0; round < 4; round++) {
        const auto segs = send_all();
        EXPECT_EQ(segs.size(), size_t(4u << round)) << "round " << round;
        for (size_t i = 0; i < segs.size(); i++) ack(1000);
        EXPECT_EQ(s.cwnd, 8000u << round);
    }
}

TEST_P(TcpTx, CongestionAvoidanceAddsOneMssPerCwndOfAckedBytes) {
    in_flight(40);
    s.cwnd = 10000;
    s.ssthresh = 10000;
    for (int i = 0; i < 9; i++) {
        ack(1000);
        EXPECT_EQ(s.cwnd, 10000u) << "ack " << i;
    }
    ack(1000);
    EXPECT_EQ(s.cwnd, 11000u);
    EXPECT_EQ(s.ca_acc, 0u);
    for (int i = 0; i < 10; i++) ack(1000);
    EXPECT_EQ(s.cwnd, 11000u) << "now 11 ACKs of 1000 are needed";
    ack(1000);
    EXPECT_EQ(s.cwnd, 12000u);
    ack(2000);  // a stretch ACK counts its bytes
    EXPECT_EQ(s.ca_acc, 2000u);
}

TEST_P(TcpTx, FastRetransmitOnTheThirdDuplicateAckNotTheSecond) {
    in_flight(10);
    const uint32_t una = s.snd_una;
    ack(0, true);
    ack(0, true);
    EXPECT_FALSE(s.in_recovery) << "two duplicates are not a loss";
    EXPECT_FALSE(d.seg.rtx);
    ack(0, true);
    EXPECT_TRUE(s.in_recovery);
    EXPECT_EQ(s.ssthresh, 5000u) << "FlightSize/2";
    EXPECT_EQ(s.cwnd, 5000u + 3000u) << "ssthresh + 3*MSS";
    EXPECT_EQ(s.recover, una + 10000);
    ASSERT_TRUE(d.seg.send);
    EXPECT_TRUE(d.seg.rtx);
    EXPECT_EQ(d.seg.seq, una);
    EXPECT_EQ(d.seg.len, 1000u);
    sent(d.seg);
    EXPECT_FALSE(d.seg.rtx) << "retransmitted once";
}

TEST_P(TcpTx, RecoveryInflatesOnDupsRetransmitsHolesOnPartialAckAndExitsOnFullAck) {
    in_flight(10);
    const uint32_t una = s.snd_una;
    for (int i = 0; i < 3; i++) ack(0, true);
    sent(d.seg);
    ack(0, true);
    EXPECT_EQ(s.cwnd, 9000u) << "inflated by one MSS";
    ack(0, true);
    EXPECT_EQ(s.cwnd, 10000u);
    ack(2000);  // partial: below recover
    EXPECT_TRUE(s.in_recovery);
    EXPECT_EQ(s.cwnd, 10000u - 2000u + 1000u) << "deflated by acked, plus one MSS";
    ASSERT_TRUE(d.seg.send);
    EXPECT_TRUE(d.seg.rtx);
    EXPECT_EQ(d.seg.seq, una + 2000) << "the next hole";
    sent(d.seg);
    ack(8000);  // full: reaches recover
    EXPECT_FALSE(s.in_recovery);
    EXPECT_EQ(s.cwnd, 5000u) << "deflated to ssthresh";
    EXPECT_EQ(s.snd_una, una + 10000);
}

TEST_P(TcpTx, TimeoutSetsLossWindowAndGoesBackToSndUna) {
    in_flight(8);
    const uint32_t una = s.snd_una;
    rto_expiry();
    EXPECT_EQ(s.ssthresh, 4000u) << "max(FlightSize/2, 2*MSS)";
    EXPECT_EQ(s.cwnd, 1000u) << "loss window: one MSS";
    EXPECT_EQ(s.snd_nxt, una);
    EXPECT_EQ(s.snd_max, una + 8000) << "what was sent stays sent";
    ASSERT_TRUE(d.seg.send);
    EXPECT_EQ(d.seg.seq, una);
    EXPECT_TRUE(d.seg.rtx);
    sent(d.seg);
    EXPECT_FALSE(d.seg.send) << "one segment per loss window";
    rto_expiry();
    EXPECT_EQ(s.ssthresh, 4000u) << "held on a repeated timeout";
    // Duplicate ACKs of the old flight do not start a fast retransmit (RFC 6582 §3.2 2).
    sent(d.seg);
    for (int i = 0; i < 3; i++) ack(0, true);
    EXPECT_FALSE(s.in_recovery);
    // An ACK of data sent before the timeout moves SND.NXT along with SND.UNA.
    ack(3000);
    EXPECT_EQ(s.snd_una, una + 3000);
    EXPECT_EQ(s.snd_nxt, una + 3000);
    EXPECT_EQ(s.cwnd, 2000u) << "slow start again";
}

// A segment taken for sending before an RTO and reported (kSent) after its go-back-N
// counts as sent (SND.MAX) but must not carry SND.NXT past the bytes before it.
TEST_P(TcpTx, SentReportAfterGoBackNDoesNotSkipBytes) {
    in_flight(3);
    const uint32_t una = s.snd_una;
    ASSERT_TRUE(d.seg.send);
    const TcpTxSegmentDecision late = d.seg;  // the 4th segment, on its way
    EXPECT_EQ(late.seq, una + 3000);
    rto_expiry();
    EXPECT_EQ(s.snd_nxt, una);
    sent(late);
    EXPECT_EQ(s.snd_nxt, una) << "go-back-N still starts at SND.UNA";
    EXPECT_EQ(s.snd_max, una + 4000) << "the late segment did leave";
    ASSERT_TRUE(d.seg.send);
    EXPECT_EQ(d.seg.seq, una);
    sent(d.seg);
    EXPECT_EQ(s.snd_nxt, una + 1000) << "a segment from SND.NXT advances it";
}

TEST_P(TcpTx, TwoDuplicatesAfterFlightSmallerThanTwoMssUseTwoMssFloor) {
    in_flight(2);
    for (int i = 0; i < 3; i++) ack(0, true);
    EXPECT_EQ(s.ssthresh, 2000u);
    EXPECT_EQ(s.cwnd, 5000u);
}

// ---- RFC 3042 limited transmit ----------------------------------------------------------

// cwnd (4000, the initial window of MSS 1000) full of four segments, the peer's window
// wide open: only limited transmit lets anything new out before the third duplicate.
TEST_P(TcpTx, LimitedTransmitSendsOneNewSegmentOnEachOfTheFirstTwoDuplicates) {
    install(1000);
    queue(20000);
    ASSERT_EQ(send_all().size(), 4u) << "cwnd full";
    const uint32_t una = s.snd_una;
    ack(0, true);
    EXPECT_EQ(s.cwnd, 4000u) << "cwnd is not changed (RFC 3042 §2)";
    ASSERT_TRUE(d.seg.send) << "first duplicate: one segment of new data";
    EXPECT_EQ(d.seg.seq, una + 4000);
    EXPECT_EQ(d.seg.len, 1000u);
    EXPECT_FALSE(d.seg.rtx);
    EXPECT_EQ(send_all().size(), 1u) << "only one for the first duplicate";
    ack(0, true);
    EXPECT_EQ(s.cwnd, 4000u);
    const auto second = send_all();
    ASSERT_EQ(second.size(), 1u) << "second duplicate: one more";
    EXPECT_EQ(second[0].seq, una + 5000);
    EXPECT_EQ(second[0].len, 1000u);
    EXPECT_EQ(s.snd_max - s.snd_una, 4000u + 2000u) << "outstanding = cwnd + 2*MSS";
    ack(0, true);
    EXPECT_TRUE(s.in_recovery) << "the third still starts fast retransmit";
    ASSERT_TRUE(d.seg.send);
    EXPECT_TRUE(d.seg.rtx);
    EXPECT_EQ(d.seg.seq, una);
}

// A third duplicate that does not start recovery (SND.UNA not past `recover`, as after
// an RTO) leaves dupacks at 3 outside recovery: the allowance stays 2*MSS, never more.
TEST_P(TcpTx, LimitedTransmitNeverExceedsCwndPlusTwoMss) {
    install(1000);
    queue(20000);
    ASSERT_EQ(send_all().size(), 4u);
    s.recover = s.snd_max;  // what an RTO before this flight would have left
    for (int i = 0; i < 6; i++) {
        ack(0, true);
        send_all();
        EXPECT_FALSE(s.in_recovery) << "duplicate " << i + 1;
        EXPECT_EQ(s.cwnd, 4000u) << "duplicate " << i + 1;
        EXPECT_EQ(s.snd_max - s.snd_una, 4000u + 1000u * uint32_t(i < 2 ? i + 1 : 2))
            << "duplicate " << i + 1;
    }
    EXPECT_EQ(s.dupacks, 3);
    queue(5000);
    EXPECT_FALSE(d.seg.send) << "more data queued changes nothing";
    ack(1000);  // progress: no more duplicates, back to cwnd (now 5000, slow start)
    EXPECT_EQ(s.dupacks, 0);
    EXPECT_FALSE(d.seg.send) << "the 5000 still out fill cwnd (5000 after slow start)";
}

// The choice for dupacks = 3 outside recovery: the 2*MSS allowance stays (RFC 3042
// speaks of the first two duplicates; outstanding never passes cwnd + 2*MSS either way),
// so data queued only now may still use what the first two duplicates allowed.
TEST_P(TcpTx, LimitedTransmitKeepsTwoMssAfterAThirdDuplicateOutsideRecovery) {
    install(1000);
    queue(4000);
    ASSERT_EQ(send_all().size(), 4u) << "all queued data out, cwnd full";
    s.recover = s.snd_max;  // the third duplicate will not start recovery
    for (int i = 0; i < 3; i++) {
        ack(0, true);
        EXPECT_FALSE(d.seg.send) << "nothing queued";
    }
    ASSERT_FALSE(s.in_recovery);
    ASSERT_EQ(s.dupacks, 3);
    queue(5000);
    EXPECT_EQ(send_all().size(), 2u) << "cwnd + 2*MSS";
    EXPECT_EQ(s.snd_max - s.snd_una, 6000u);
    EXPECT_EQ(s.cwnd, 4000u);
}

// Fast recovery has its own inflation: one MSS per duplicate, nothing extra on top.
TEST_P(TcpTx, LimitedTransmitDoesNotApplyInRecovery) {
    install(1000);
    queue(50000);
    ASSERT_EQ(send_all().size(), 4u);
    for (int i = 0; i < 2; i++) {
        ack(0, true);
        ASSERT_EQ(send_all().size(), 1u) << "limited transmit, duplicate " << i + 1;
    }
    ack(0, true);
    ASSERT_TRUE(s.in_recovery);
    EXPECT_EQ(s.cwnd, s.ssthresh + 3000u);
    const auto third = send_all();
    ASSERT_EQ(third.size(), 1u) << "the retransmission only: cwnd = ssthresh + 3*MSS is full";
    EXPECT_TRUE(third[0].rtx);
    const uint32_t out = s.snd_max - s.snd_una;
    EXPECT_EQ(out, 6000u);
    ack(0, true);
    EXPECT_EQ(send_all().size(), 1u) << "inflated by one MSS: one segment, not three";
    EXPECT_EQ(s.snd_max - s.snd_una, out + 1000u);
}

// After an RTO, go-back-N resends below SND.MAX: duplicates then add nothing (only new
// data may go beyond cwnd).
TEST_P(TcpTx, LimitedTransmitDoesNotApplyDuringGoBackN) {
    install(1000);
    queue(20000);
    ASSERT_EQ(send_all().size(), 4u);
    rto_expiry();
    ASSERT_EQ(send_all().size(), 1u) << "loss window: one MSS";
    ASSERT_LT(int32_t(s.snd_nxt - s.snd_max), 0) << "go-back-N under way";
    ack(0, true);
    EXPECT_FALSE(d.seg.send) << "SND.NXT < SND.MAX: no limited transmit";
    ack(0, true);
    EXPECT_FALSE(d.seg.send);
    EXPECT_EQ(s.cwnd, 1000u);
}

// The peer's window still bounds everything.
TEST_P(TcpTx, LimitedTransmitStaysWithinThePeerWindow) {
    install(1000, 5000);
    queue(20000);
    ASSERT_EQ(send_all().size(), 4u) << "cwnd 4000 limits, not the window 5000";
    ack(0, true);
    EXPECT_EQ(send_all().size(), 1u) << "cwnd + MSS = 5000 fits the window";
    ack(0, true);
    EXPECT_FALSE(d.seg.send) << "cwnd + 2*MSS = 6000 does not: the window (5000) is full";
    EXPECT_EQ(s.snd_max - s.snd_una, 5000u);
}

// cwnd near 2^32 (e.g. after a long slow start with ssthresh unset): cwnd + allowance
// saturates instead of wrapping to a small limit.
TEST_P(TcpTx, LimitedTransmitAllowanceSaturates) {
    install(1000, 10000);
    s.cwnd = 0xFFFFFF00u;
    queue(30000);
    ASSERT_EQ(send_all().size(), 10u) << "the window (10000) limits";
    ack(0, true);
    EXPECT_FALSE(d.seg.send) << "the window is full";
    window(20000);  // a window update between duplicates keeps the count
    EXPECT_EQ(s.dupacks, 1);
    EXPECT_EQ(send_all().size(), 10u) << "limited by the window, not by a wrapped cwnd + MSS";
}

// tcp_rx_accept's decision is what feeds the ACK event: its duplicate-ACK test (RFC 5681
// §2) and its SND.UNA advance drive fast retransmit and recovery here.
TEST_P(TcpTx, TcpRxDecisionsDriveFastRetransmitAndRecovery) {
    in_flight(10);
    TcpRxState rx;
    rx.rcv_nxt = 777;
    rx.rcv_wnd = 65535;
    rx.snd_una = s.snd_una;
    rx.snd_nxt = s.snd_max;  // tcp_rx's SND.NXT is this kernel's SND.MAX
    rx.snd_wnd = s.snd_wnd = 60000;
    rx.max_snd_wnd = 60000;
    rx.snd_wl1 = 777;
    rx.snd_wl2 = s.snd_una;
    auto peer_ack = [&](uint32_t ack_no) {
        TcpRxSegment g;
        g.seq = 777;
        g.ack = ack_no;
        g.window = 60000;
        const TcpRxDecision r = tcp_rx_accept(rx, g);
        rx = r.next;
        TcpTxEvent e = ev(TxEvent::kAck);
        e.acked = r.acked;
        e.dup_ack = r.dup_ack;
        e.wnd = r.next.snd_wnd;
        apply(e);
        return r;
    };
    const uint32_t una = s.snd_una;
    EXPECT_EQ(peer_ack(una + 1000).acked, 1000u);
    EXPECT_TRUE(peer_ack(una + 1000).dup_ack);
    peer_ack(una + 1000);
    EXPECT_FALSE(s.in_recovery);
    peer_ack(una + 1000);
    EXPECT_TRUE(s.in_recovery) << "third duplicate from tcp_rx";
    ASSERT_TRUE(d.seg.send);
    EXPECT_EQ(d.seg.seq, una + 1000);
    sent(d.seg);
    peer_ack(una + 4000);
    EXPECT_TRUE(s.in_recovery) << "partial ACK";
    EXPECT_EQ(d.seg.seq, una + 4000);
    sent(d.seg);
    peer_ack(una + 10000);
    EXPECT_FALSE(s.in_recovery) << "full ACK";
    EXPECT_EQ(s.snd_una, rx.snd_una);
}

// ---- send decision ---------------------------------------------------------------------

TEST_P(TcpTx, SegmentsAreFullMssWithinPeerWindowAndCwnd) {
    install(1000, 2500);  // peer window 2500 < cwnd 4000
    queue(10000);
    auto segs = send_all();
    ASSERT_EQ(segs.size(), 2u) << "the 500 left would be a runt: wait for the ACK";
    EXPECT_EQ(segs[0].seq, iss1());
    EXPECT_EQ(segs[1].seq, iss1() + 1000);
    EXPECT_EQ(segs[1].len, 1000u);
    window(100000);  // a window update: now cwnd (4000) limits
    segs = send_all();
    EXPECT_EQ(segs.size(), 2u);
    ack(4000);
    EXPECT_EQ(s.cwnd, 5000u) << "a stretch ACK grows slow start by one MSS (RFC 5681 eq. 2)";
    EXPECT_EQ(send_all().size(), 5u);
}

TEST_P(TcpTx, TinyPeerWindowStillSendsWhenNothingIsInFlight) {
    install(1000, 300);
    queue(5000);
    ASSERT_TRUE(d.seg.send);
    EXPECT_EQ(d.seg.len, 300u);
    sent(d.seg);
    EXPECT_FALSE(d.seg.send);
}

TEST_P(TcpTx, LastSegmentOfQueuedDataMayBeShortAndCarriesTheFin) {
    install();
    queue(2500);
    TcpTxEvent fin = ev(TxEvent::kFinRequest);
    apply(fin);
    const auto segs = send_all();
    ASSERT_EQ(segs.size(), 3u);
    EXPECT_EQ(segs[2].len, 500u);
    EXPECT_FALSE(segs[0].fin);
    EXPECT_FALSE(segs[1].fin);
    EXPECT_TRUE(segs[2].fin);
    EXPECT_EQ(s.snd_nxt, iss1() + 2501) << "the FIN takes one sequence number";
    EXPECT_FALSE(d.seg.send) << "the FIN goes once";
    queue(100);
    EXPECT_EQ(s.app_end, iss1() + 2500) << "nothing is queued after a FIN";
    ack(2501);
    EXPECT_FALSE(d.rto_arm);
    EXPECT_TRUE(d.rto_stop) << "all acked, FIN included";
}

TEST_P(TcpTx, FinWaitsForQueuedDataThenGoesAlone) {
    install(1000, 1000);
    queue(1000);
    sent(d.seg);
    apply(ev(TxEvent::kFinRequest));
    EXPECT_FALSE(d.seg.send) << "peer window full: the FIN waits";
    ack(1000);
    ASSERT_TRUE(d.seg.send);
    EXPECT_TRUE(d.seg.fin);
    EXPECT_EQ(d.seg.len, 0u);
    EXPECT_EQ(d.seg.seq, iss1() + 1000);
    sent(d.seg);
    rto_expiry();
    ASSERT_TRUE(d.seg.send) << "go-back-N resends the FIN";
    EXPECT_TRUE(d.seg.fin);
    EXPECT_TRUE(d.seg.rtx);
}

TEST_P(TcpTx, ZeroWindowArmsPersistAndProbesOneByteWithBackoff) {
    install(1000, 0);
    queue(3000);
    EXPECT_FALSE(d.seg.send);
    EXPECT_TRUE(d.persist_arm);
    EXPECT_EQ(d.persist_ticks, cfg.rto_initial);
    EXPECT_FALSE(d.rto_arm);
    apply(ev(TxEvent::kPersistExpiry));
    EXPECT_TRUE(d.persist_arm);
    EXPECT_EQ(d.persist_ticks, 2 * cfg.rto_initial) << "backed off like the RTO";
    ASSERT_TRUE(d.seg.send);
    EXPECT_EQ(d.seg.seq, iss1());
    EXPECT_EQ(d.seg.len, 1u) << "a one-byte window probe";
    EXPECT_FALSE(d.seg.rtx);
    sent(d.seg);
    EXPECT_FALSE(d.seg.send);
    EXPECT_FALSE(d.rto_arm) << "the persist timer keeps the session";
    apply(ev(TxEvent::kPersistExpiry));
    ASSERT_TRUE(d.seg.send);
    EXPECT_EQ(d.seg.seq, iss1()) << "the unacknowledged probe byte again";
    EXPECT_TRUE(d.seg.rtx);
    EXPECT_EQ(d.persist_ticks, 4 * cfg.rto_initial);
    sent(d.seg);
    window(10000);  // the window opens
    EXPECT_TRUE(d.persist_stop);
    EXPECT_TRUE(d.rto_arm) << "the probe byte is outstanding";
    const auto segs = send_all();
    ASSERT_EQ(segs.size(), 3u);
    EXPECT_EQ(segs[0].seq, iss1() + 1);
    EXPECT_EQ(segs[2].len, 999u);
}

TEST_P(TcpTx, StalePersistAndRtoExpiriesAreIgnored) {
    install();
    queue(1000);
    const TcpTxCcState before = s;
    apply(ev(TxEvent::kPersistExpiry));
    apply(ev(TxEvent::kRtoExpiry));
    EXPECT_EQ(s.backoff, before.backoff);
    EXPECT_FALSE(s.probe_pending);
    EXPECT_EQ(s.cwnd, before.cwnd);
}

// ---- delayed ACK and window update -------------------------------------------------------

TEST_P(TcpTx, DelayedAckAcksEverySecondFullSegment) {
    install(1000);
    received(1000);
    EXPECT_FALSE(d.ack_now);
    EXPECT_TRUE(d.delack_arm);
    EXPECT_EQ(d.delack_ticks, cfg.delack_ticks);
    received(1000);
    EXPECT_TRUE(d.ack_now) << "the second full-size segment";
    EXPECT_FALSE(d.delack_arm);
    TcpTxSegmentDecision pure;
    pure.seq = s.snd_nxt;
    sent(pure);  // a pure ACK
    EXPECT_FALSE(d.ack_now);
    EXPECT_TRUE(d.delack_stop);
    received(1000);
    EXPECT_FALSE(d.ack_now) << "counting restarts after an ACK";
    received(200);
    EXPECT_FALSE(d.ack_now) << "a small segment does not count";
    apply(ev(TxEvent::kDelackExpiry));
    EXPECT_TRUE(d.ack_now) << "the timer sends it";
}

TEST_P(TcpTx, OutOfOrderFinAndDisabledDelayAckAtOnce) {
    install(1000);
    received(1000, false, true);
    EXPECT_TRUE(d.ack_now) << "tcp_rx asked (out of order)";
    sent(TcpTxSegmentDecision{});
    received(0, true);
    EXPECT_TRUE(d.ack_now) << "FIN";
    sent(TcpTxSegmentDecision{});
    cfg.delack_enable = false;
    received(10);
    EXPECT_TRUE(d.ack_now);
    EXPECT_FALSE(d.delack_arm);
}

TEST_P(TcpTx, WindowUpdateWhenFreedSpaceReachesTwoMssOrHalfTheBuffer) {
    install(1000);
    EXPECT_EQ(s.adv_wnd, cfg.rcv_buf);
    received(60000);
    EXPECT_EQ(s.adv_wnd, 5535u);
    sent(TcpTxSegmentDecision{});  // the ACK advertises the 5535 left
    TcpTxEvent w = ev(TxEvent::kWindowOpen);
    w.wnd = 5535 + 1999;
    apply(w);
    EXPECT_FALSE(d.ack_now) << "1999 < 2*MSS";
    w.wnd = 5535 + 2000;
    apply(w);
    EXPECT_TRUE(d.ack_now);
    // Half the buffer is the other threshold (MSS large).
    install(60000);
    w.wnd = cfg.rcv_buf;
    s.adv_wnd = cfg.rcv_buf - 32767;
    apply(w);
    EXPECT_TRUE(d.ack_now) << "grew by rcv_buf/2";
    s.ack_owed = false;
    s.adv_wnd = cfg.rcv_buf - 32766;
    apply(w);
    EXPECT_FALSE(d.ack_now);
}

}  // namespace
}  // namespace ftoe::kernel
