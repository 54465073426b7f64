// ARP cache (arp.hpp) on a fake clock: requests for our addresses are answered and their
// senders learned; ARP aimed at others, probes, broadcast senders and conflicts are not
// learned; resolution sends a request at once and retries every interval, fails after
// the configured count (reporting queued frames), holds "failed", then starts over;
// queued frames are bounded per destination and come back addressed, in order, when
// the reply arrives; entries expire after their lifetime; a full table evicts the entry
// closest to expiry and never a pending one.
#include <gtest/gtest.h>

#include "arp.hpp"

namespace ftoe::host {
namespace {

constexpr MacAddress kOurMac{0x02, 0, 0, 0, 0, 0x01};
constexpr MacAddress kPeerMac{0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
constexpr uint32_t kOurIp = 0xC0A8010A;    // 192.168.1.10
constexpr uint32_t kOurIp2 = 0xC0A8010B;   // 192.168.1.11
constexpr uint32_t kPeerIp = 0xC0A80101;   // 192.168.1.1
constexpr uint64_t kSec = 1'000'000'000;
constexpr uint64_t kT0 = 100 * kSec;

ArpConfig config() {
    ArpConfig c;
    c.our_mac = kOurMac;
    c.our_ips = {kOurIp, kOurIp2};
    c.entry_lifetime_ns = 30 * kSec;
    c.requests = 3;
    c.retry_interval_ns = kSec;
    c.failed_hold_ns = 5 * kSec;
    c.queue_limit = 4;
    c.max_entries = 8;
    return c;
}

ArpMessage message(uint16_t op, const MacAddress& smac, uint32_t sip, uint32_t tip) {
    ArpMessage m;
    m.op = op;
    m.sender_mac = smac;
    m.sender_ip = sip;
    m.target_ip = tip;
    return m;
}

// An Ethernet frame with an unset destination and a marker byte.
Bytes frame(uint8_t marker) {
    Bytes f(60, 0);
    f[59] = marker;
    return f;
}

// Checks that `f` is an ARP request from us for `ip`.
void expect_request_for(const Bytes& f, uint32_t ip) {
    const auto p = parse_frame(f);
    ASSERT_TRUE(p.ok());
    ASSERT_EQ(p.value.kind, FrameKind::kArp);
    EXPECT_EQ(p.value.eth.dst, kBroadcastMac);
    EXPECT_EQ(p.value.arp.op, arp_op::kRequest);
    EXPECT_EQ(p.value.arp.sender_mac, kOurMac);
    EXPECT_EQ(p.value.arp.sender_ip, kOurIp);
    EXPECT_EQ(p.value.arp.target_ip, ip);
}

TEST(Arp, RequestForEachOfOurAddressesIsAnsweredAndItsSenderLearned) {
    for (uint32_t ours : {kOurIp, kOurIp2}) {
        ArpCache c(config());
        const ArpInput in = c.on_arp(message(arp_op::kRequest, kPeerMac, kPeerIp, ours), kT0);
        ASSERT_TRUE(in.reply.has_value());
        const auto p = parse_frame(*in.reply);
        ASSERT_TRUE(p.ok());
        EXPECT_EQ(p.value.eth.dst, kPeerMac);
        EXPECT_EQ(p.value.arp.op, arp_op::kReply);
        EXPECT_EQ(p.value.arp.sender_mac, kOurMac);
        EXPECT_EQ(p.value.arp.sender_ip, ours);
        EXPECT_EQ(p.value.arp.target_ip, kPeerIp);
        EXPECT_TRUE(in.learned);
        EXPECT_EQ(c.lookup(kPeerIp), kPeerMac);
        const ArpResolution r = c.resolve(kPeerIp, kT0 + 1);
        EXPECT_EQ(r.status, ArpStatus::kResolved);
        EXPECT_EQ(r.mac, kPeerMac);
        EXPECT_FALSE(r.request.has_value());
    }
}

TEST(Arp, ArpAimedAtOthersProbesBroadcastSendersAndConflictsAreNotLearned) {
    ArpCache c(config());
    // A request for someone else, and a gratuitous ARP (sender = target, not ours).
    EXPECT_FALSE(c.on_arp(message(arp_op::kRequest, kPeerMac, kPeerIp, 0xC0A80199), kT0).reply);
    EXPECT_FALSE(c.on_arp(message(arp_op::kReply, kPeerMac, kPeerIp, kPeerIp), kT0).learned);
    // An RFC 5227 probe for our address: answered, sender 0.0.0.0 not learned.
    const ArpInput probe = c.on_arp(message(arp_op::kRequest, kPeerMac, 0, kOurIp), kT0);
    EXPECT_TRUE(probe.reply.has_value());
    EXPECT_FALSE(probe.learned);
    // A multicast/broadcast sender MAC is not learned.
    EXPECT_FALSE(c.on_arp(message(arp_op::kReply, kBroadcastMac, kPeerIp, kOurIp), kT0).learned);
    // Someone claiming our address: counted, not answered, not learned.
    const ArpInput conflict = c.on_arp(message(arp_op::kRequest, kPeerMac, kOurIp2, kOurIp), kT0);
    EXPECT_FALSE(conflict.reply.has_value());
    EXPECT_EQ(c.counters().conflicts, 1u);
    EXPECT_EQ(c.size(), 0u);
    EXPECT_FALSE(c.lookup(kPeerIp).has_value());
}

TEST(Arp, UnknownDestinationSendsARequestAtOnceAndRetriesEveryInterval) {
    ArpCache c(config());
    ArpResolution r = c.resolve(kPeerIp, kT0);
    EXPECT_EQ(r.status, ArpStatus::kPending);
    ASSERT_TRUE(r.request.has_value());
    expect_request_for(*r.request, kPeerIp);
    // Not due again before the interval, whether asked through resolve() or poll().
    EXPECT_FALSE(c.resolve(kPeerIp, kT0 + kSec - 1).request.has_value());
    EXPECT_TRUE(c.poll(kT0 + kSec - 1).requests.empty());
    EXPECT_EQ(c.next_deadline(), kT0 + kSec);
    // Retry 1 through poll(), retry 2 through resolve().
    ArpPoll p = c.poll(kT0 + kSec);
    ASSERT_EQ(p.requests.size(), 1u);
    expect_request_for(p.requests[0], kPeerIp);
    r = c.resolve(kPeerIp, kT0 + 2 * kSec);
    EXPECT_EQ(r.status, ArpStatus::kPending);
    ASSERT_TRUE(r.request.has_value());
    EXPECT_EQ(c.counters().requests_sent, 3u);
}

TEST(Arp, FailsOneIntervalAfterTheLastRequestReportsQueuedFramesAndHoldsFailed) {
    ArpCache c(config());
    ASSERT_TRUE(c.send_or_queue(kPeerIp, frame(1), kT0).queued);
    ASSERT_TRUE(c.send_or_queue(kPeerIp, frame(2), kT0 + 10).queued);
    EXPECT_EQ(c.poll(kT0 + kSec).requests.size(), 1u);
    EXPECT_EQ(c.poll(kT0 + 2 * kSec).requests.size(), 1u);
    ArpPoll p = c.poll(kT0 + 3 * kSec - 1);
    EXPECT_TRUE(p.failures.empty());
    p = c.poll(kT0 + 3 * kSec);
    EXPECT_TRUE(p.requests.empty());  // 3 requests: no fourth
    ASSERT_EQ(p.failures.size(), 1u);
    EXPECT_EQ(p.failures[0].ip, kPeerIp);
    ASSERT_EQ(p.failures[0].dropped.size(), 2u);
    EXPECT_EQ(p.failures[0].dropped[0][59], 1);
    EXPECT_EQ(p.failures[0].dropped[1][59], 2);
    EXPECT_EQ(c.counters().resolutions_failed, 1u);
    // "failed" is answered for the hold time, with no request...
    ArpResolution r = c.resolve(kPeerIp, kT0 + 8 * kSec - 1);
    EXPECT_EQ(r.status, ArpStatus::kFailed);
    EXPECT_FALSE(r.request.has_value());
    EXPECT_EQ(c.send_or_queue(kPeerIp, frame(3), kT0 + 8 * kSec - 1).status, ArpStatus::kFailed);
    // ...then resolution starts over.
    r = c.resolve(kPeerIp, kT0 + 8 * kSec);
    EXPECT_EQ(r.status, ArpStatus::kPending);
    EXPECT_TRUE(r.request.has_value());
}

TEST(Arp, FailureFoundByResolveReturnsTheQueuedFramesThere) {
    ArpCache c(config());
    ASSERT_TRUE(c.send_or_queue(kPeerIp, frame(7), kT0).queued);
    c.poll(kT0 + kSec);
    c.poll(kT0 + 2 * kSec);
    const ArpResolution r = c.resolve(kPeerIp, kT0 + 3 * kSec);
    EXPECT_EQ(r.status, ArpStatus::kFailed);
    ASSERT_EQ(r.dropped.size(), 1u);
    EXPECT_EQ(r.dropped[0][59], 7);
    EXPECT_TRUE(c.poll(kT0 + 3 * kSec).failures.empty());  // reported once
}

TEST(Arp, QueuedFramesAreBoundedAndComeBackAddressedInOrderWhenTheReplyArrives) {
    ArpCache c(config());
    for (uint8_t i = 0; i < 6; ++i) {
        const ArpResolution r = c.send_or_queue(kPeerIp, frame(i), kT0 + i);
        EXPECT_EQ(r.status, ArpStatus::kPending);
        EXPECT_EQ(r.queued, i < 4) << "frame " << int(i);
        EXPECT_EQ(r.request.has_value(), i == 0);
    }
    EXPECT_EQ(c.counters().queue_drops, 2u);
    const ArpInput in = c.on_arp(message(arp_op::kReply, kPeerMac, kPeerIp, kOurIp), kT0 + 500);
    EXPECT_FALSE(in.reply.has_value());  // replies are not answered
    ASSERT_EQ(in.ready.size(), 4u);
    for (uint8_t i = 0; i < 4; ++i) {
        EXPECT_EQ(in.ready[i][59], i);
        EXPECT_TRUE(std::equal(kPeerMac.begin(), kPeerMac.end(), in.ready[i].begin()));
    }
    // No more requests or failures for it; a new frame goes out addressed at once.
    EXPECT_TRUE(c.poll(kT0 + 10 * kSec).requests.empty());
    const ArpResolution r = c.send_or_queue(kPeerIp, frame(9), kT0 + 10 * kSec);
    EXPECT_EQ(r.status, ArpStatus::kResolved);
    ASSERT_TRUE(r.frame.has_value());
    EXPECT_TRUE(std::equal(kPeerMac.begin(), kPeerMac.end(), r.frame->begin()));
    EXPECT_EQ((*r.frame)[59], 9);
}

TEST(Arp, QueuesArePerDestination) {
    ArpCache c(config());
    for (uint8_t i = 0; i < 4; ++i) ASSERT_TRUE(c.send_or_queue(kPeerIp, frame(i), kT0).queued);
    EXPECT_TRUE(c.send_or_queue(kPeerIp + 1, frame(100), kT0).queued);
    const ArpInput in = c.on_arp(message(arp_op::kReply, kPeerMac, kPeerIp + 1, kOurIp), kT0 + 1);
    ASSERT_EQ(in.ready.size(), 1u);
    EXPECT_EQ(in.ready[0][59], 100);
}

TEST(Arp, EntriesExpireAfterTheirLifetimeFromTheLastConfirmation) {
    ArpCache c(config());
    c.on_arp(message(arp_op::kReply, kPeerMac, kPeerIp, kOurIp), kT0);
    // Refreshed by a request aimed at us at +20 s: lives until +50 s.
    c.on_arp(message(arp_op::kRequest, kPeerMac, kPeerIp, kOurIp), kT0 + 20 * kSec);
    EXPECT_EQ(c.next_deadline(), kT0 + 50 * kSec);
    c.poll(kT0 + 50 * kSec - 1);
    EXPECT_EQ(c.lookup(kPeerIp), kPeerMac);
    c.poll(kT0 + 50 * kSec);
    EXPECT_FALSE(c.lookup(kPeerIp).has_value());
    EXPECT_EQ(c.counters().expired, 1u);
    // Without poll(), resolve() finds the expiry itself and resolves again.
    c.on_arp(message(arp_op::kReply, kPeerMac, kPeerIp, kOurIp), kT0 + 60 * kSec);
    const ArpResolution r = c.resolve(kPeerIp, kT0 + 90 * kSec);
    EXPECT_EQ(r.status, ArpStatus::kPending);
    EXPECT_TRUE(r.request.has_value());
}

TEST(Arp, AReplyChangesTheMacOfAKnownEntry) {
    ArpCache c(config());
    c.on_arp(message(arp_op::kReply, kPeerMac, kPeerIp, kOurIp), kT0);
    const MacAddress moved{0x52, 0x54, 0, 0, 0, 9};
    c.on_arp(message(arp_op::kReply, moved, kPeerIp, kOurIp), kT0 + 1);
    EXPECT_EQ(c.lookup(kPeerIp), moved);
}

TEST(Arp, AFullTableEvictsTheEntryClosestToExpiryAndNeverAPendingOne) {
    ArpConfig cfg = config();
    cfg.max_entries = 3;
    ArpCache c(cfg);
    c.on_arp(message(arp_op::kReply, kPeerMac, 1, kOurIp), kT0 + 2);
    c.on_arp(message(arp_op::kReply, kPeerMac, 2, kOurIp), kT0 + 1);  // expires first
    EXPECT_EQ(c.resolve(3, kT0 + 3).status, ArpStatus::kPending);
    EXPECT_EQ(c.resolve(4, kT0 + 4).status, ArpStatus::kPending);  // evicts 2
    EXPECT_FALSE(c.lookup(2).has_value());
    EXPECT_TRUE(c.lookup(1).has_value());
    EXPECT_EQ(c.resolve(5, kT0 + 5).status, ArpStatus::kPending);  // evicts 1
    EXPECT_EQ(c.counters().evicted, 2u);
    // Three pending entries: a new destination fails at once, nothing is evicted.
    const ArpResolution r = c.resolve(6, kT0 + 6);
    EXPECT_EQ(r.status, ArpStatus::kFailed);
    EXPECT_FALSE(r.request.has_value());
    EXPECT_EQ(c.counters().table_full, 1u);
    EXPECT_EQ(c.size(), 3u);
}

TEST(Arp, ConfigOutsideItsRangesIsRejected) {
    ArpConfig a = config();
    a.our_ips.clear();
    EXPECT_THROW(ArpCache{a}, std::invalid_argument);
    a = config();
    a.requests = 0;
    EXPECT_THROW(ArpCache{a}, std::invalid_argument);
    a = config();
    a.retry_interval_ns = 0;
    EXPECT_THROW(ArpCache{a}, std::invalid_argument);
    a = config();
    a.max_entries = 0;
    EXPECT_THROW(ArpCache{a}, std::invalid_argument);
}

}  // namespace
}  // namespace ftoe::host
