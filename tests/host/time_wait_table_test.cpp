// TIME_WAIT table: what each kind of segment does to an entry (RFC 9293 §3.10.7.4 with
// RFC 6191, MAY-2, RFC 1337, RFC 7323), both overflow policies, exact 2MSL expiry and its
// restart, a 1,000,000-entry fill and drain with consistent counters, and random
// operations checked against a std::map model of the same rules.
#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "time_wait_table.hpp"

namespace ftoe::host {
namespace {

constexpr uint64_t kT0 = 1'000'000'000;  // an arbitrary epoch, in us
constexpr uint64_t k2Msl = 60'000'000;   // the default 2MSL

FourTuple tuple(uint32_t n, uint32_t local_ip = 0xC0A80001) {
    FourTuple t;
    t.remote_ip = 0x0A000000u + n;
    t.local_ip = local_ip;
    t.remote_port = 443;
    t.local_port = uint16_t(32768 + n % 20000);
    return t;
}

TimeWaitConfig config(uint32_t capacity = 1024) {
    TimeWaitConfig c;
    c.capacity = capacity;
    c.hash_seed = 0x5EED;
    return c;
}

TimeWaitState state(uint32_t snd_nxt, uint32_t rcv_nxt, bool ts = false, uint32_t ts_recent = 0) {
    TimeWaitState s;
    s.snd_nxt = snd_nxt;
    s.rcv_nxt = rcv_nxt;
    s.ts_enabled = ts;
    s.ts_recent = ts_recent;
    return s;
}

TimeWaitSegment seg(uint8_t flags, uint32_t seq, uint32_t ack = 0, uint32_t payload_len = 0) {
    TimeWaitSegment s;
    s.flags = flags;
    s.seq = seq;
    s.ack = ack;
    s.payload_len = payload_len;
    return s;
}

TimeWaitSegment with_ts(TimeWaitSegment s, uint32_t tsval) {
    s.has_ts = true;
    s.tsval = tsval;
    return s;
}

constexpr uint8_t kFinAck = tcp_flag::kFin | tcp_flag::kAck;

void expect_counters_balance(const TimeWaitTable& t) {
    const TimeWaitCounters& c = t.counters();
    EXPECT_EQ(c.entries, t.size());
    EXPECT_EQ(c.entries,
              c.inserts - c.evictions - c.reuses - c.rsts_closed - c.expired - c.erased)
        << "inserts " << c.inserts << " evictions " << c.evictions << " reuses " << c.reuses
        << " rsts_closed " << c.rsts_closed << " expired " << c.expired << " erased " << c.erased;
}

TEST(TimeWait, EntryIsAtMost32Bytes) {
    EXPECT_LE(TimeWaitTable::kEntryBytes, 32u);
    // Slab plus index for 1M entries: 32 B + 4 B per index slot, index <= 2.67 slots/entry.
    TimeWaitTable t(config(1'000'000));
    EXPECT_LE(t.memory_bytes(), 1'000'000u * (32 + 11));
}

TEST(TimeWait, InsertedTupleIsFoundAndTuplesDifferingInAnyFieldAreNot) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(7);
    EXPECT_EQ(t.insert(a, state(100, 200), kT0), InsertResult::kInserted);
    EXPECT_TRUE(t.contains(a));
    FourTuple b = a;
    b.remote_ip ^= 1;
    EXPECT_FALSE(t.contains(b));
    b = a;
    b.local_ip ^= 1;
    EXPECT_FALSE(t.contains(b));
    b = a;
    b.remote_port ^= 1;
    EXPECT_FALSE(t.contains(b));
    b = a;
    b.local_port ^= 1;
    EXPECT_FALSE(t.contains(b));
    const auto e = t.find(a);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->state.snd_nxt, 100u);
    EXPECT_EQ(e->state.rcv_nxt, 200u);
    EXPECT_EQ(e->expiry_us, kT0 + k2Msl);
    EXPECT_EQ(t.on_segment(b, seg(kFinAck, 199), kT0).action, TimeWaitAction::kNone);
}

TEST(TimeWait, RetransmittedFinIsReAckedAndTimerRestarted) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001), kT0);
    // The peer's FIN occupied 9000, so its retransmission is seq 9000, length 1.
    const TimeWaitReply r = t.on_segment(a, seg(kFinAck, 9000, 5000), kT0 + 20'000'000);
    EXPECT_EQ(r.action, TimeWaitAction::kSendAck);
    EXPECT_TRUE(r.timer_restarted);
    EXPECT_EQ(r.seq, 5000u);
    EXPECT_EQ(r.ack, 9001u);
    EXPECT_FALSE(r.has_ts);
    EXPECT_EQ(t.find(a)->expiry_us, kT0 + 20'000'000 + k2Msl);
    EXPECT_EQ(t.expire(kT0 + k2Msl), 0u) << "the restart must move the expiry";
    EXPECT_TRUE(t.contains(a));
    EXPECT_EQ(t.expire(kT0 + 20'000'000 + k2Msl), 1u);
    EXPECT_EQ(t.counters().fin_reacks, 1u);
    EXPECT_EQ(t.counters().restarts, 1u);
}

TEST(TimeWait, RetransmittedFinCarryingDataIsReAcked) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001), kT0);
    // 100 data bytes 8900..8999 and the FIN at 9000.
    const TimeWaitReply r = t.on_segment(a, seg(kFinAck, 8900, 5000, 100), kT0 + 1);
    EXPECT_EQ(r.action, TimeWaitAction::kSendAck);
    EXPECT_TRUE(r.timer_restarted);
    EXPECT_EQ(t.counters().fin_reacks, 1u);
}

TEST(TimeWait, RetransmittedFinUpdatesTsRecentAndAckEchoesIt) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001, true, 700), kT0);
    const TimeWaitReply r = t.on_segment(a, with_ts(seg(kFinAck, 9000, 5000), 750), kT0 + 1);
    EXPECT_EQ(r.action, TimeWaitAction::kSendAck);
    EXPECT_TRUE(r.has_ts);
    EXPECT_EQ(r.tsecr, 750u);
    EXPECT_EQ(t.find(a)->state.ts_recent, 750u);
    // A SYN at 720 is now older than TS.Recent: not a new incarnation.
    EXPECT_EQ(t.on_segment(a, with_ts(seg(tcp_flag::kSyn, 1), 720), kT0 + 2).action,
              TimeWaitAction::kRejectSynSendAck);
}

TEST(TimeWait, PawsRejectedFinIsAckedWithoutRestart) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001, true, 700), kT0);
    const TimeWaitReply r = t.on_segment(a, with_ts(seg(kFinAck, 9000, 5000), 699), kT0 + 5);
    EXPECT_EQ(r.action, TimeWaitAction::kSendAck);
    EXPECT_FALSE(r.timer_restarted);
    EXPECT_EQ(r.tsecr, 700u);
    EXPECT_EQ(t.find(a)->expiry_us, kT0 + k2Msl);
    EXPECT_EQ(t.find(a)->state.ts_recent, 700u);
    EXPECT_EQ(t.counters().fin_reacks, 0u);
    EXPECT_EQ(t.counters().acks_sent, 1u);
}

TEST(TimeWait, SegmentWithoutNegotiatedTimestampIsDroppedSilently) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001, true, 700), kT0);
    const TimeWaitReply r = t.on_segment(a, seg(kFinAck, 9000, 5000), kT0 + 5);
    EXPECT_EQ(r.action, TimeWaitAction::kDrop);
    EXPECT_FALSE(r.timer_restarted);
    EXPECT_EQ(t.find(a)->expiry_us, kT0 + k2Msl);
}

TEST(TimeWait, UnacceptableSegmentIsAckedWithoutRestart) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001), kT0);
    // Data after the FIN, an old data segment, and an ACK below RCV.NXT.
    for (const TimeWaitSegment& s :
         {seg(tcp_flag::kAck, 9001, 5000, 10), seg(tcp_flag::kAck, 8000, 5000, 10),
          seg(tcp_flag::kAck, 8999, 5000)}) {
        const TimeWaitReply r = t.on_segment(a, s, kT0 + 5);
        EXPECT_EQ(r.action, TimeWaitAction::kSendAck) << "seq " << s.seq;
        EXPECT_FALSE(r.timer_restarted);
        EXPECT_EQ(r.seq, 5000u);
        EXPECT_EQ(r.ack, 9001u);
    }
    EXPECT_EQ(t.find(a)->expiry_us, kT0 + k2Msl);
    EXPECT_EQ(t.counters().acks_sent, 3u);
}

TEST(TimeWait, AcceptableAckRestartsTimerWithoutReply) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001), kT0);
    const TimeWaitReply r = t.on_segment(a, seg(tcp_flag::kAck, 9001, 5000), kT0 + 7);
    EXPECT_EQ(r.action, TimeWaitAction::kDrop);
    EXPECT_TRUE(r.timer_restarted);
    EXPECT_EQ(t.find(a)->expiry_us, kT0 + 7 + k2Msl);
    // Without the ACK bit the same segment does nothing.
    const TimeWaitReply n = t.on_segment(a, seg(0, 9001), kT0 + 9);
    EXPECT_EQ(n.action, TimeWaitAction::kDrop);
    EXPECT_FALSE(n.timer_restarted);
    EXPECT_EQ(t.find(a)->expiry_us, kT0 + 7 + k2Msl);
}

TEST(TimeWait, AckOfUnsentDataIsAnsweredWithAck) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001), kT0);
    const TimeWaitReply r = t.on_segment(a, seg(tcp_flag::kAck, 9001, 5001), kT0 + 7);
    EXPECT_EQ(r.action, TimeWaitAction::kSendAck);
    EXPECT_FALSE(r.timer_restarted);
}

TEST(TimeWait, Rfc6191NewerTimestampSynAccepted) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001, true, 700), kT0);
    // Sequence number below RCV.NXT: only the newer timestamp makes it acceptable.
    const TimeWaitReply r = t.on_segment(a, with_ts(seg(tcp_flag::kSyn, 100), 701), kT0 + 10);
    EXPECT_EQ(r.action, TimeWaitAction::kAcceptSyn);
    EXPECT_EQ(r.prior.snd_nxt, 5000u);
    EXPECT_EQ(r.prior.rcv_nxt, 9001u);
    EXPECT_EQ(r.prior.ts_recent, 700u);
    EXPECT_TRUE(r.prior.ts_enabled);
    EXPECT_FALSE(t.contains(a));
    EXPECT_EQ(t.counters().reuses, 1u);
    expect_counters_balance(t);
}

TEST(TimeWait, Rfc6191OlderTimestampSynAnsweredWithAck) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001, true, 700), kT0);
    // A higher sequence number does not rescue an older timestamp.
    const TimeWaitReply r =
        t.on_segment(a, with_ts(seg(tcp_flag::kSyn, 100000), 699), kT0 + 10);
    EXPECT_EQ(r.action, TimeWaitAction::kRejectSynSendAck);
    EXPECT_EQ(r.seq, 5000u);
    EXPECT_EQ(r.ack, 9001u);
    EXPECT_TRUE(r.has_ts);
    EXPECT_EQ(r.tsecr, 700u);
    EXPECT_FALSE(r.timer_restarted);
    EXPECT_TRUE(t.contains(a));
    EXPECT_EQ(t.find(a)->expiry_us, kT0 + k2Msl);
    EXPECT_EQ(t.counters().syns_rejected, 1u);
    EXPECT_EQ(t.counters().reuses, 0u);
}

TEST(TimeWait, Rfc6191EqualTimestampSynNeedsHigherSequence) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001, true, 700), kT0);
    EXPECT_EQ(t.on_segment(a, with_ts(seg(tcp_flag::kSyn, 9001), 700), kT0 + 1).action,
              TimeWaitAction::kRejectSynSendAck);
    EXPECT_EQ(t.on_segment(a, with_ts(seg(tcp_flag::kSyn, 9002), 700), kT0 + 2).action,
              TimeWaitAction::kAcceptSyn);
}

TEST(TimeWait, Rfc6191TimestampComparisonWrapsModulo2To32) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001, true, 0xFFFFFFF0u), kT0);
    EXPECT_EQ(t.on_segment(a, with_ts(seg(tcp_flag::kSyn, 1), 0x10), kT0 + 1).action,
              TimeWaitAction::kAcceptSyn);
}

TEST(TimeWait, SynWithoutTimestampAfterTimestampedConnectionFallsBackToSequence) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1), b = tuple(2);
    t.insert(a, state(5000, 9001, true, 700), kT0);
    t.insert(b, state(5000, 9001, true, 700), kT0);
    EXPECT_EQ(t.on_segment(a, seg(tcp_flag::kSyn, 9000), kT0 + 1).action,
              TimeWaitAction::kRejectSynSendAck);
    EXPECT_EQ(t.on_segment(b, seg(tcp_flag::kSyn, 9002), kT0 + 1).action,
              TimeWaitAction::kAcceptSyn);
}

TEST(TimeWait, Rfc6191TimestampedSynAcceptedWhenPreviousConnectionHadNone) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001), kT0);
    EXPECT_EQ(t.on_segment(a, with_ts(seg(tcp_flag::kSyn, 5), 1), kT0 + 1).action,
              TimeWaitAction::kAcceptSyn);
}

TEST(TimeWait, May2HigherIsnSynAccepted) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001), kT0);
    const TimeWaitReply r = t.on_segment(a, seg(tcp_flag::kSyn, 9002), kT0 + 3);
    EXPECT_EQ(r.action, TimeWaitAction::kAcceptSyn);
    EXPECT_EQ(r.prior.snd_nxt, 5000u);  // the new ISN must be chosen above this
    EXPECT_FALSE(t.contains(a));
    EXPECT_EQ(t.counters().reuses, 1u);
}

TEST(TimeWait, May2LowerOrEqualIsnSynAnsweredWithAck) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001), kT0);
    for (uint32_t isn : {9001u, 9000u, 1u, 9001u + 0x80000000u}) {
        const TimeWaitReply r = t.on_segment(a, seg(tcp_flag::kSyn, isn), kT0 + 3);
        EXPECT_EQ(r.action, TimeWaitAction::kRejectSynSendAck) << "ISN " << isn;
        EXPECT_EQ(r.seq, 5000u);
        EXPECT_EQ(r.ack, 9001u);
    }
    EXPECT_TRUE(t.contains(a));
    EXPECT_EQ(t.counters().syns_rejected, 4u);
}

TEST(TimeWait, May2ComparisonWrapsModulo2To32) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 0xFFFFFF00u), kT0);
    EXPECT_EQ(t.on_segment(a, seg(tcp_flag::kSyn, 0x100), kT0 + 1).action,
              TimeWaitAction::kAcceptSyn);
}

TEST(TimeWait, SynAckIsNotAConnectionRequestAndIsAcked) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001), kT0);
    const TimeWaitReply r =
        t.on_segment(a, seg(tcp_flag::kSyn | tcp_flag::kAck, 20000, 5000), kT0 + 1);
    EXPECT_EQ(r.action, TimeWaitAction::kSendAck);
    EXPECT_TRUE(t.contains(a));
}

TEST(TimeWait, Rfc1337OnRstIsIgnored) {
    TimeWaitTable t(config());  // rfc1337 defaults to on
    ASSERT_TRUE(t.config().rfc1337);
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001), kT0);
    for (uint32_t seq : {9001u, 12345u}) {
        const TimeWaitReply r = t.on_segment(a, seg(tcp_flag::kRst, seq), kT0 + 1);
        EXPECT_EQ(r.action, TimeWaitAction::kIgnoreRst) << "seq " << seq;
        EXPECT_FALSE(r.timer_restarted);
    }
    EXPECT_TRUE(t.contains(a));
    EXPECT_EQ(t.find(a)->expiry_us, kT0 + k2Msl);
    EXPECT_EQ(t.counters().rsts_ignored, 2u);
}

TEST(TimeWait, Rfc1337OffInWindowRstClosesEntry) {
    TimeWaitConfig c = config();
    c.rfc1337 = false;
    TimeWaitTable t(c);
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001), kT0);
    const TimeWaitReply r =
        t.on_segment(a, seg(tcp_flag::kRst | tcp_flag::kAck, 9001, 5000), kT0 + 1);
    EXPECT_EQ(r.action, TimeWaitAction::kRstCloses);
    EXPECT_EQ(r.prior.rcv_nxt, 9001u);
    EXPECT_FALSE(t.contains(a));
    EXPECT_EQ(t.counters().rsts_closed, 1u);
    EXPECT_EQ(t.counters().rsts_ignored, 0u);
    expect_counters_balance(t);
}

TEST(TimeWait, Rfc1337OffOutOfWindowRstIsDropped) {
    TimeWaitConfig c = config();
    c.rfc1337 = false;
    TimeWaitTable t(c);
    const FourTuple a = tuple(1);
    t.insert(a, state(5000, 9001), kT0);
    const TimeWaitReply r = t.on_segment(a, seg(tcp_flag::kRst, 9002), kT0 + 1);
    EXPECT_EQ(r.action, TimeWaitAction::kDrop);
    EXPECT_TRUE(t.contains(a));
}

TEST(TimeWait, OverflowEvictOldestRemovesTheEntryClosestToExpiry) {
    TimeWaitTable t(config(3));
    ASSERT_EQ(t.config().overflow, OverflowPolicy::kEvictOldest);
    const FourTuple a = tuple(1), b = tuple(2), c = tuple(3), d = tuple(4);
    t.insert(a, state(1, 101), kT0);
    t.insert(b, state(1, 101), kT0 + 1);
    t.insert(c, state(1, 101), kT0 + 2);
    // a's FIN again: a is now the newest, b the oldest.
    ASSERT_TRUE(t.on_segment(a, seg(kFinAck, 100, 1), kT0 + 3).timer_restarted);
    EXPECT_EQ(t.insert(d, state(1, 101), kT0 + 4), InsertResult::kEvictedOldest);
    EXPECT_TRUE(t.contains(a));
    EXPECT_FALSE(t.contains(b));
    EXPECT_TRUE(t.contains(c));
    EXPECT_TRUE(t.contains(d));
    EXPECT_EQ(t.size(), 3u);
    EXPECT_EQ(t.counters().overflows, 1u);
    EXPECT_EQ(t.counters().evictions, 1u);
    EXPECT_EQ(t.next_expiry_us(), kT0 + 2 + k2Msl);
    expect_counters_balance(t);
}

TEST(TimeWait, OverflowSkipTimeWaitRefusesTheNewEntry) {
    TimeWaitConfig cfg = config(2);
    cfg.overflow = OverflowPolicy::kSkipTimeWait;
    TimeWaitTable t(cfg);
    const FourTuple a = tuple(1), b = tuple(2), c = tuple(3);
    t.insert(a, state(1, 101), kT0);
    t.insert(b, state(1, 101), kT0 + 1);
    EXPECT_EQ(t.insert(c, state(1, 101), kT0 + 2), InsertResult::kSkipped);
    EXPECT_TRUE(t.contains(a));
    EXPECT_TRUE(t.contains(b));
    EXPECT_FALSE(t.contains(c));
    EXPECT_EQ(t.counters().overflows, 1u);
    EXPECT_EQ(t.counters().skipped, 1u);
    EXPECT_EQ(t.counters().evictions, 0u);
    // Room again once one expires.
    EXPECT_EQ(t.insert(c, state(1, 101), kT0 + k2Msl), InsertResult::kInserted);
    EXPECT_FALSE(t.contains(a));
    expect_counters_balance(t);
}

TEST(TimeWait, ExpiresExactlyAt2MslNotAMicrosecondBefore) {
    TimeWaitTable t(config());
    ASSERT_EQ(t.config().two_msl_us, k2Msl);
    const FourTuple a = tuple(1);
    t.insert(a, state(1, 101), kT0);
    EXPECT_EQ(t.next_expiry_us(), kT0 + k2Msl);
    EXPECT_EQ(t.expire(kT0 + k2Msl - 1), 0u);
    EXPECT_TRUE(t.contains(a));
    EXPECT_EQ(t.expire(kT0 + k2Msl), 1u);
    EXPECT_FALSE(t.contains(a));
    EXPECT_FALSE(t.next_expiry_us().has_value());
    EXPECT_EQ(t.counters().expired, 1u);
}

TEST(TimeWait, SegmentArrivingAtExpiryFindsNoEntry) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(1, 101), kT0);
    EXPECT_EQ(t.on_segment(a, seg(kFinAck, 100, 1), kT0 + k2Msl - 1).action,
              TimeWaitAction::kSendAck);
    const uint64_t restarted = kT0 + k2Msl - 1;
    EXPECT_EQ(t.on_segment(a, seg(kFinAck, 100, 1), restarted + k2Msl).action,
              TimeWaitAction::kNone);
    EXPECT_EQ(t.counters().expired, 1u);
}

TEST(TimeWait, ConfiguredTwoMslIsUsed) {
    TimeWaitConfig c = config();
    c.two_msl_us = 1234;
    TimeWaitTable t(c);
    t.insert(tuple(1), state(1, 101), kT0);
    EXPECT_EQ(t.expire(kT0 + 1233), 0u);
    EXPECT_EQ(t.expire(kT0 + 1234), 1u);
}

TEST(TimeWait, ExpiryIsExactAcrossThe32BitWrapOfMicroseconds) {
    TimeWaitConfig c = config();
    c.two_msl_us = TimeWaitTable::kMaxTwoMslUs;  // the longest 2MSL allowed, 71.6 min
    TimeWaitTable t(c);
    const uint64_t t0 = (uint64_t(7) << 32) - 3;
    t.insert(tuple(1), state(1, 101), t0);
    t.insert(tuple(2), state(1, 101), t0 + 5);
    EXPECT_EQ(t.find(tuple(1))->expiry_us, t0 + c.two_msl_us);
    EXPECT_EQ(t.expire(t0 + c.two_msl_us - 1), 0u);
    EXPECT_EQ(t.expire(t0 + c.two_msl_us), 1u);
    EXPECT_EQ(t.find(tuple(2))->expiry_us, t0 + 5 + c.two_msl_us);
    EXPECT_EQ(t.expire(t0 + 4 + c.two_msl_us), 0u);
    EXPECT_EQ(t.expire(t0 + 5 + c.two_msl_us), 1u);
}

TEST(TimeWait, LongIdleGapExpiresEverythingDue) {
    TimeWaitTable t(config());
    for (uint32_t i = 0; i < 100; ++i) t.insert(tuple(i), state(1, 101), kT0 + i);
    // Hours later (the low 32 bits of the clock have wrapped many times).
    EXPECT_EQ(t.expire(kT0 + (uint64_t(1) << 40)), 100u);
    EXPECT_EQ(t.size(), 0u);
}

TEST(TimeWait, InsertOfPresentTupleUpdatesStateAndRestarts) {
    TimeWaitTable t(config());
    const FourTuple a = tuple(1);
    t.insert(a, state(1, 101), kT0);
    EXPECT_EQ(t.insert(a, state(2, 202, true, 9), kT0 + 50), InsertResult::kUpdated);
    const auto e = t.find(a);
    EXPECT_EQ(e->state.snd_nxt, 2u);
    EXPECT_EQ(e->state.rcv_nxt, 202u);
    EXPECT_TRUE(e->state.ts_enabled);
    EXPECT_EQ(e->state.ts_recent, 9u);
    EXPECT_EQ(e->expiry_us, kT0 + 50 + k2Msl);
    EXPECT_EQ(t.size(), 1u);
    EXPECT_EQ(t.counters().updates, 1u);
}

TEST(TimeWait, EraseRemovesOnlyThatEntry) {
    TimeWaitTable t(config());
    for (uint32_t i = 0; i < 50; ++i) t.insert(tuple(i), state(i, i + 100), kT0 + i);
    EXPECT_TRUE(t.erase(tuple(25)));
    EXPECT_FALSE(t.erase(tuple(25)));
    EXPECT_FALSE(t.contains(tuple(25)));
    for (uint32_t i = 0; i < 50; ++i)
        if (i != 25) {
            EXPECT_EQ(t.find(tuple(i))->state.snd_nxt, i) << "tuple " << i;
        }
    EXPECT_EQ(t.counters().erased, 1u);
    expect_counters_balance(t);
}

TEST(TimeWait, TimeGoingBackIsAProgrammingError) {
    TimeWaitTable t(config());
    t.insert(tuple(1), state(1, 101), kT0);
    EXPECT_THROW(t.expire(kT0 - 1), std::invalid_argument);
    EXPECT_THROW(t.on_segment(tuple(1), seg(kFinAck, 100), kT0 - 1), std::invalid_argument);
}

TEST(TimeWait, ConfigOutOfRangeIsRejected) {
    TimeWaitConfig c = config(0);
    EXPECT_THROW(TimeWaitTable{c}, std::invalid_argument);
    c.capacity = TimeWaitTable::kMaxCapacity + 1;
    EXPECT_THROW(TimeWaitTable{c}, std::invalid_argument);
    c = config();
    c.two_msl_us = 0;
    EXPECT_THROW(TimeWaitTable{c}, std::invalid_argument);
    c.two_msl_us = TimeWaitTable::kMaxTwoMslUs + 1;
    EXPECT_THROW(TimeWaitTable{c}, std::invalid_argument);
}

TEST(TimeWait, LocalAddressLimitRefusesInsertAndIdsAreRecycled) {
    TimeWaitTable t(config(40000));
    const uint32_t n = TimeWaitTable::kMaxLocalAddresses;
    for (uint32_t i = 0; i < n; ++i)
        ASSERT_EQ(t.insert(tuple(i, 0x0B000000u + i), state(1, 101), kT0), InsertResult::kInserted);
    EXPECT_EQ(t.insert(tuple(0, 0x0C000000u), state(1, 101), kT0),
              InsertResult::kTooManyLocalAddresses);
    EXPECT_EQ(t.counters().local_address_refusals, 1u);
    // A known local address still goes in.
    EXPECT_EQ(t.insert(tuple(99999, 0x0B000000u), state(1, 101), kT0), InsertResult::kInserted);
    ASSERT_TRUE(t.erase(tuple(5, 0x0B000005u)));
    EXPECT_EQ(t.insert(tuple(0, 0x0C000000u), state(1, 101), kT0), InsertResult::kInserted);
    EXPECT_TRUE(t.contains(tuple(0, 0x0C000000u)));
    EXPECT_TRUE(t.contains(tuple(6, 0x0B000006u)));
    EXPECT_FALSE(t.contains(tuple(5, 0x0B000005u)));
    expect_counters_balance(t);
}

TEST(TimeWait, MillionEntryFillAndDrainKeepsCountersConsistent) {
    constexpr uint32_t kN = 1'000'000;
    TimeWaitTable t(config(kN));
    for (uint32_t i = 0; i < kN; ++i)
        ASSERT_EQ(t.insert(tuple(i, 0xC0A80000u + i % 4), state(i, ~i), kT0 + i),
                  InsertResult::kInserted)
            << "entry " << i;
    EXPECT_EQ(t.size(), kN);
    EXPECT_EQ(t.counters().entries, kN);
    for (uint32_t i = 0; i < kN; i += 9973) {
        const auto e = t.find(tuple(i, 0xC0A80000u + i % 4));
        ASSERT_TRUE(e.has_value()) << "entry " << i;
        EXPECT_EQ(e->state.snd_nxt, i);
        EXPECT_EQ(e->state.rcv_nxt, ~i);
        EXPECT_EQ(e->expiry_us, kT0 + i + k2Msl);
    }
    // One more evicts entry 0, the oldest.
    EXPECT_EQ(t.insert(tuple(kN, 0xC0A80000u), state(0, 0), kT0 + kN), InsertResult::kEvictedOldest);
    EXPECT_FALSE(t.contains(tuple(0, 0xC0A80000u)));
    // Drain in steps: entry i expires exactly at kT0 + i + 2MSL.
    uint64_t removed = 0;
    for (uint32_t upto = 0; upto < kN; upto += 125'000) {
        removed += t.expire(kT0 + upto + k2Msl);
        EXPECT_EQ(removed, upto) << "entries 1.." << upto << " are due";
        EXPECT_EQ(t.size(), kN - upto);
        expect_counters_balance(t);
    }
    // The rest: entries 875,001..999,999 and the one inserted last.
    EXPECT_EQ(t.expire(kT0 + kN + k2Msl), 125'000u);
    EXPECT_EQ(t.size(), 0u);
    const TimeWaitCounters& c = t.counters();
    EXPECT_EQ(c.inserts, kN + 1);
    EXPECT_EQ(c.evictions, 1u);
    EXPECT_EQ(c.overflows, 1u);
    EXPECT_EQ(c.expired, kN);
    expect_counters_balance(t);
    // The table is reusable after a full drain.
    EXPECT_EQ(t.insert(tuple(3), state(1, 2), kT0 + 3 * k2Msl), InsertResult::kInserted);
    EXPECT_TRUE(t.contains(tuple(3)));
}

// ---- model ---------------------------------------------------------------------------

// The same rules written as plainly as possible over a std::map, scanning for everything.
class Model {
public:
    explicit Model(const TimeWaitConfig& c) : c_(c) {}

    InsertResult insert(const FourTuple& t, const TimeWaitState& s, uint64_t now) {
        advance(now);
        auto it = m_.find(t);
        if (it != m_.end()) {
            it->second = {s, now + c_.two_msl_us, ++order_};
            return InsertResult::kUpdated;
        }
        InsertResult r = InsertResult::kInserted;
        if (m_.size() == c_.capacity) {
            if (c_.overflow == OverflowPolicy::kSkipTimeWait) return InsertResult::kSkipped;
            auto oldest = m_.begin();
            for (auto j = m_.begin(); j != m_.end(); ++j)
                if (j->second.order < oldest->second.order) oldest = j;
            m_.erase(oldest);
            r = InsertResult::kEvictedOldest;
        }
        m_[t] = {s, now + c_.two_msl_us, ++order_};
        return r;
    }

    TimeWaitReply on_segment(const FourTuple& t, const TimeWaitSegment& g, uint64_t now) {
        advance(now);
        TimeWaitReply r;
        auto it = m_.find(t);
        if (it == m_.end()) return r;
        E& e = it->second;
        const bool syn = g.flags & tcp_flag::kSyn, rst = g.flags & tcp_flag::kRst;
        const bool ack = g.flags & tcp_flag::kAck, fin = g.flags & tcp_flag::kFin;
        auto ack_reply = [&](TimeWaitAction a) {
            TimeWaitReply x;
            x.action = a;
            x.seq = e.s.snd_nxt;
            x.ack = e.s.rcv_nxt;
            x.has_ts = e.s.ts_enabled;
            x.tsecr = e.s.ts_recent;
            return x;
        };
        auto restart = [&] {
            e.expiry = now + c_.two_msl_us;
            e.order = ++order_;
        };
        const int32_t ts_diff = int32_t(g.tsval - e.s.ts_recent);
        const int32_t seq_diff = int32_t(g.seq - e.s.rcv_nxt);
        if (syn && !ack && !rst) {
            bool accept;
            if (e.s.ts_enabled && g.has_ts)
                accept = ts_diff > 0 || (ts_diff == 0 && seq_diff > 0);
            else if (e.s.ts_enabled)
                accept = seq_diff > 0;
            else
                accept = g.has_ts || seq_diff > 0;
            if (!accept) return ack_reply(TimeWaitAction::kRejectSynSendAck);
            r.action = TimeWaitAction::kAcceptSyn;
            r.prior = e.s;
            m_.erase(it);
            return r;
        }
        if (rst) {
            if (c_.rfc1337) {
                r.action = TimeWaitAction::kIgnoreRst;
            } else if (seq_diff == 0) {
                r.action = TimeWaitAction::kRstCloses;
                r.prior = e.s;
                m_.erase(it);
            } else {
                r.action = TimeWaitAction::kDrop;
            }
            return r;
        }
        if (e.s.ts_enabled && !g.has_ts) {
            r.action = TimeWaitAction::kDrop;
            return r;
        }
        if (e.s.ts_enabled && ts_diff < 0) return ack_reply(TimeWaitAction::kSendAck);
        const uint32_t len = g.payload_len + (fin ? 1 : 0) + (syn ? 1 : 0);
        if (fin && !syn && uint32_t(g.seq + len) == e.s.rcv_nxt) {
            if (e.s.ts_enabled) e.s.ts_recent = g.tsval;
            restart();
            r = ack_reply(TimeWaitAction::kSendAck);
            r.timer_restarted = true;
            return r;
        }
        if (len != 0 || seq_diff != 0) return ack_reply(TimeWaitAction::kSendAck);
        if (!ack) {
            r.action = TimeWaitAction::kDrop;
            return r;
        }
        if (int32_t(g.ack - e.s.snd_nxt) > 0) return ack_reply(TimeWaitAction::kSendAck);
        if (e.s.ts_enabled) e.s.ts_recent = g.tsval;
        restart();
        r.action = TimeWaitAction::kDrop;
        r.timer_restarted = true;
        return r;
    }

    bool erase(const FourTuple& t) { return m_.erase(t) != 0; }

    std::size_t advance(uint64_t now) {
        std::size_t n = 0;
        for (auto it = m_.begin(); it != m_.end();) {
            if (it->second.expiry <= now) {
                it = m_.erase(it);
                ++n;
            } else {
                ++it;
            }
        }
        return n;
    }

    std::optional<uint64_t> next_expiry() const {
        std::optional<uint64_t> best;
        for (const auto& [t, e] : m_)
            if (!best || e.expiry < *best) best = e.expiry;
        return best;
    }

    struct E {
        TimeWaitState s;
        uint64_t expiry;
        uint64_t order;
    };
    std::map<FourTuple, E> m_;

private:
    TimeWaitConfig c_;
    uint64_t order_ = 0;
};

std::string describe(const FourTuple& t) {
    return std::to_string(t.remote_ip) + "/" + std::to_string(t.local_ip) + "/" +
           std::to_string(t.remote_port) + "/" + std::to_string(t.local_port);
}

void run_against_model(uint64_t seed, OverflowPolicy policy, bool rfc1337) {
    std::mt19937_64 rng(seed);
    TimeWaitConfig c;
    c.capacity = 16;
    c.two_msl_us = 1000;
    c.overflow = policy;
    c.rfc1337 = rfc1337;
    c.hash_seed = rng();
    TimeWaitTable t(c);
    Model m(c);
    std::vector<FourTuple> pool;
    for (uint32_t i = 0; i < 40; ++i) pool.push_back(tuple(i % 13, 0xC0A80001u + i % 3));
    auto pick = [&](uint64_t n) { return uint32_t(rng() % n); };
    uint64_t now = (uint64_t(1) << 32) - 20'000;  // crosses the 32-bit wrap of the clock
    const uint8_t flag_sets[] = {tcp_flag::kAck, kFinAck, tcp_flag::kFin, tcp_flag::kSyn,
                                 tcp_flag::kSyn | tcp_flag::kAck, tcp_flag::kRst,
                                 tcp_flag::kRst | tcp_flag::kAck, 0};
    for (int step = 0; step < 20000; ++step) {
        const std::string where = "seed " + std::to_string(seed) + " step " + std::to_string(step);
        if (pick(4) == 0) now += pick(300);
        const FourTuple& tup = pool[pick(pool.size())];
        const uint32_t op = pick(10);
        if (op < 3) {
            TimeWaitState s = state(pick(4) == 0 ? 0xFFFFFFF0u + pick(32) : pick(1000),
                                    pick(4) == 0 ? 0xFFFFFFF0u + pick(32) : pick(1000),
                                    pick(2) == 0, pick(1000));
            ASSERT_EQ(t.insert(tup, s, now), m.insert(tup, s, now)) << where;
        } else if (op < 9) {
            const auto me = m.m_.find(tup);
            const uint32_t rcv = me != m.m_.end() ? me->second.s.rcv_nxt : pick(1000);
            const uint32_t snd = me != m.m_.end() ? me->second.s.snd_nxt : pick(1000);
            const uint32_t tsr = me != m.m_.end() ? me->second.s.ts_recent : pick(1000);
            TimeWaitSegment g;
            g.flags = flag_sets[pick(std::size(flag_sets))];
            g.payload_len = pick(3) == 0 ? pick(50) : 0;
            const uint32_t seq_kind = pick(4);
            g.seq = seq_kind == 0   ? rcv
                    : seq_kind == 1 ? rcv - 1 - g.payload_len
                    : seq_kind == 2 ? rcv + pick(5) - 2
                                    : uint32_t(rng());
            g.ack = pick(3) == 0 ? uint32_t(rng()) : snd + pick(3) - 1;
            g.has_ts = pick(4) != 0;
            g.tsval = pick(2) == 0 ? tsr + pick(5) - 2 : uint32_t(rng());
            const TimeWaitReply got = t.on_segment(tup, g, now);
            const TimeWaitReply want = m.on_segment(tup, g, now);
            ASSERT_EQ(time_wait_action_name(got.action), time_wait_action_name(want.action))
                << where << " tuple " << describe(tup) << " flags " << int(g.flags);
            ASSERT_EQ(got.timer_restarted, want.timer_restarted) << where;
            if (got.action == TimeWaitAction::kSendAck ||
                got.action == TimeWaitAction::kRejectSynSendAck) {
                ASSERT_EQ(got.seq, want.seq) << where;
                ASSERT_EQ(got.ack, want.ack) << where;
                ASSERT_EQ(got.has_ts, want.has_ts) << where;
                ASSERT_EQ(got.tsecr, want.tsecr) << where;
            }
            if (got.action == TimeWaitAction::kAcceptSyn ||
                got.action == TimeWaitAction::kRstCloses) {
                ASSERT_EQ(got.prior.snd_nxt, want.prior.snd_nxt) << where;
                ASSERT_EQ(got.prior.rcv_nxt, want.prior.rcv_nxt) << where;
                ASSERT_EQ(got.prior.ts_recent, want.prior.ts_recent) << where;
                ASSERT_EQ(got.prior.ts_enabled, want.prior.ts_enabled) << where;
            }
        } else if (pick(2) == 0) {
            ASSERT_EQ(t.erase(tup), m.erase(tup)) << where;
        } else {
            ASSERT_EQ(t.expire(now), m.advance(now)) << where;
        }
        ASSERT_EQ(t.size(), m.m_.size()) << where;
        ASSERT_EQ(t.next_expiry_us(), m.next_expiry()) << where;
        for (const FourTuple& p : pool) {
            const auto got = t.find(p);
            const auto want = m.m_.find(p);
            ASSERT_EQ(got.has_value(), want != m.m_.end()) << where << " " << describe(p);
            if (!got) continue;
            ASSERT_EQ(got->expiry_us, want->second.expiry) << where << " " << describe(p);
            ASSERT_EQ(got->state.snd_nxt, want->second.s.snd_nxt) << where;
            ASSERT_EQ(got->state.rcv_nxt, want->second.s.rcv_nxt) << where;
            ASSERT_EQ(got->state.ts_recent, want->second.s.ts_recent) << where;
            ASSERT_EQ(got->state.ts_enabled, want->second.s.ts_enabled) << where;
        }
    }
    expect_counters_balance(t);
    EXPECT_GT(t.counters().overflows, 0u) << "the run should have filled the table";
    EXPECT_GT(t.counters().reuses, 0u);
    EXPECT_GT(t.counters().fin_reacks, 0u);
    EXPECT_GT(t.counters().expired, 0u);
}

TEST(TimeWait, RandomOperationsMatchMapModelEvictOldest) {
    for (uint64_t seed : {1, 2, 3}) run_against_model(seed, OverflowPolicy::kEvictOldest, true);
}

TEST(TimeWait, RandomOperationsMatchMapModelSkipAndRfc1337Off) {
    for (uint64_t seed : {4, 5, 6}) run_against_model(seed, OverflowPolicy::kSkipTimeWait, false);
}

}  // namespace
}  // namespace ftoe::host
