// Cosim of the engine's transmit timers (64 and 512 bits): retransmission timeout with
// exponential backoff and TIMEOUT to the host when the retries run out (RFC 6298 §5),
// the RTO following the round trip the engine measured (§2), the persist timer probing
// a zero window with backoff until it opens (RFC 9293 §3.8.6.1), and fast retransmit
// with NewReno recovery repairing a loss long before any timeout (RFC 5681, RFC 6582),
// also in a flight too small for three duplicate ACKs but for RFC 3042 limited transmit,
// the delayed-ACK policy (every second full-size segment, else the timer), and REMOVE /
// ABORT stopping a session's transmit side (ABORT's RST first).
// The timers run on the engine's tick time base (one tick every 16 cycles here); the
// expected instants are in ticks, with one tick plus the engine's own path latency
// allowed, since a deadline is reached only on a tick.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <random>

#include "Vftoe_engine_512.h"
#include "Vftoe_engine_64.h"
#include "engine_host_ops.hpp"
#include "engine_messages.hpp"
#include "engine_sim.hpp"
#include "frame.hpp"
#include "idle_skip_audit.hpp"
#include "eth_rx_parse.hpp"
#include "tcp_peer.hpp"
#include "tcp_rx.hpp"

namespace ftoe::sim {
namespace {

using driver::Kind;
using Engine = EngineSim<Vftoe_engine_64, 64>;
using Engine512 = EngineSim<Vftoe_engine_512, 512>;
using test::kOurIp;
using test::kOurMac;
using test::peer_at;
using test::PeerExchange;
using test::random_bytes;
using test::TcpPeer;

constexpr int kCyclesPerTick = 16;
constexpr int64_t kSlack = kCyclesPerTick + 60;  // one tick + the engine's path, in cycles

EngineSimOptions options(uint64_t seed) {
    EngineSimOptions o;
    o.cycles_per_tick = kCyclesPerTick;
    o.tx_ready_percent = 90;
    o.seed = seed;
    return o;
}

// Retransmission timeouts of at least `rto_min` ticks, `rto_initial` before the first
// round-trip sample.
driver::EngineTimers rto_timers(uint32_t rto_min, uint32_t rto_initial) {
    driver::EngineTimers t;
    t.rto_min = rto_min;
    t.rto_initial = rto_initial;
    return t;
}

// Takes the first host event of `kind` out of the engine's event queue.
template <class E>
std::optional<driver::Message> take_event(E& e, Kind kind) {
    for (auto it = e.events.begin(); it != e.events.end(); ++it) {
        const auto* m = std::get_if<driver::Message>(&*it);
        if (m && m->kind == kind) {
            driver::Message out = *m;
            e.events.erase(it);
            return out;
        }
    }
    return std::nullopt;
}

// Interval between two MAC TX frames' first beats: `ticks`, give or take a tick and the
// engine's path (kSlack), plus up to `extra` cycles when only the second frame's path
// includes a payload read (a retransmission after a fresh send: the RTO runs from the
// moment a segment is sent, the retransmission reads its payload after the RTO).
template <class E>
void expect_interval(const E& e, std::size_t from, std::size_t to, int64_t ticks,
                     const char* what, int64_t extra = 0) {
    const int64_t got = int64_t(e.tx_first_cycles[to] - e.tx_first_cycles[from]);
    const int64_t want = ticks * kCyclesPerTick;
    EXPECT_TRUE(got >= want - kSlack && got <= want + kSlack + extra)
        << what << ": frames " << from << " -> " << to << " are " << got << " cycles apart, "
        << "expected " << ticks << " ticks (" << want << " cycles, -" << kSlack << "/+"
        << kSlack + extra << ")";
}

// The cycles a retransmission's payload read adds (tx_buf_rd: a word per cycle plus the
// memory latency and a few cycles, see the engine's TX latency).
template <class E>
int64_t payload_read_cycles(uint32_t bytes) {
    return int64_t(bytes / (E::kDataW / 8)) + 4 + 30;
}

// The peer hears nothing (every data segment lost): the segment is retransmitted after
// the initial RTO, then after 2x and 4x it (backoff), and the 4th expiry, one more than
// the 3 retries allowed, reports TIMEOUT to the host; the session then stays silent.
template <class E>
void rto_backs_off_then_times_out() {
    E e(options(3));
    driver::EngineTimers t = rto_timers(50, 200);
    t.max_retries = 3;
    configure_engine(e, kOurMac, kOurIp, t);
    PeerExchange<E> x(e);
    TcpPeer p = peer_at(0x0a000501, 45000, 80, 1460);
    p.drop = [](uint32_t, uint16_t) { return true; };
    x.install(21, p, 7000, 1);
    std::mt19937_64 rng(1);
    e.send_app(21, random_bytes(rng, 1000));
    std::optional<driver::Message> timeout;
    uint64_t timeout_cycle = 0;
    ASSERT_TRUE(x.until([&] {
        if (!timeout && (timeout = take_event(e, Kind::kTimeout))) timeout_cycle = e.cycle();
        return timeout.has_value();
    }, 200000)) << "no TIMEOUT; " << p.data_segments << " transmissions seen";
    EXPECT_EQ(timeout->session, 21u);
    ASSERT_EQ(p.data_segments, 4u) << "the segment and 3 retransmissions";
    for (std::size_t i = 0; i < 4; i++) {
        EXPECT_EQ(p.data_seqs[i], 7001u) << "transmission " << i;
        EXPECT_EQ(p.data_lens[i], 1000u) << "transmission " << i;
    }
    expect_interval(e, p.data_frames[0], p.data_frames[1], 200, "first RTO",
                    payload_read_cycles<E>(1000));
    expect_interval(e, p.data_frames[1], p.data_frames[2], 400, "backed off once");
    expect_interval(e, p.data_frames[2], p.data_frames[3], 800, "backed off twice");
    const int64_t to_timeout = int64_t(timeout_cycle - e.tx_first_cycles[p.data_frames[3]]);
    EXPECT_LE(std::llabs(to_timeout - 1600 * kCyclesPerTick), kSlack + 200)  // + the event's way
        << "TIMEOUT at the 4th expiry: " << to_timeout << " cycles after the last retransmission";
    // Nothing more: the host decides (abort or remove).
    x.run(4000 * kCyclesPerTick);
    EXPECT_EQ(p.data_segments, 4u) << "the session went on sending after TIMEOUT";
    const auto c = read_engine_counters(e);
    EXPECT_EQ(c.rto_expiries, 4u);
    EXPECT_EQ(c.retransmissions, 3u);
    EXPECT_EQ(c.timeouts, 1u);
    EXPECT_EQ(c.events_of(Kind::kTimeout), 1u);
    EXPECT_EQ(c.data_segments_sent, 4u);
}
TEST(EngineTimers, RtoBacksOffThenTimesOut) { rto_backs_off_then_times_out<Engine>(); }
TEST(EngineTimers512, RtoBacksOffThenTimesOut) { rto_backs_off_then_times_out<Engine512>(); }

// timers_idle is what lets a system model stop clocking a quiet engine (sim/system/
// board.cpp), so it must not rise while anything the timers started is still on its
// way: a retransmission timer fires while the ports are long quiet, and from the expiry
// to the re-armed timer (the expiry in the wheel's output, its event in tcp_tx_session,
// the new command on its way into the wheel) timers_idle stays 0 in every cycle, from
// the first transmission to the last retransmission. Then the data is acknowledged, and
// with nothing outstanding timers_idle rises.
template <class E>
void timers_idle_stays_low_through_each_rto_expiry() {
    E e(options(11));
    driver::EngineTimers t = rto_timers(50, 200);
    configure_engine(e, kOurMac, kOurIp, t);
    PeerExchange<E> x(e);
    TcpPeer p = peer_at(0x0a000506, 45005, 80, 1460);
    int lost = 0;
    p.drop = [&](uint32_t, uint16_t) { return ++lost <= 3; };  // the first 3 transmissions
    x.install(26, p, 9000, 1);
    std::mt19937_64 rng(6);
    const Bytes data = random_bytes(rng, 1000);
    e.send_app(26, data);
    uint64_t idle_cycles = 0, first_idle = 0;
    const auto count_idle = [&] {
        if (p.data_segments == 0 || !e.io().timers_idle) return;
        if (idle_cycles++ == 0) first_idle = e.cycle();
    };
    ASSERT_TRUE(x.until([&] { return p.received.size() == data.size(); }, 200000, count_idle))
        << p.data_segments << " transmissions seen";
    EXPECT_EQ(p.data_segments, 4u) << "the segment and 3 retransmissions";
    EXPECT_EQ(idle_cycles, 0u) << "timers_idle was 1 in " << idle_cycles
                               << " cycles with data outstanding, first at cycle " << first_idle
                               << " (the first transmission at cycle "
                               << e.tx_first_cycles[p.data_frames[0]] << ")";
    EXPECT_EQ(read_engine_counters(e).rto_expiries, 3u);
    // The final ACK stops the timer: idle again.
    (void)x.until([&] { return bool(e.io().timers_idle); }, 2000);
    EXPECT_TRUE(e.io().timers_idle) << "nothing outstanding, yet timers_idle stays 0";
}
TEST(EngineTimers, TimersIdleStaysLowThroughEachRtoExpiry) {
    timers_idle_stays_low_through_each_rto_expiry<Engine>();
}
TEST(EngineTimers512, TimersIdleStaysLowThroughEachRtoExpiry) {
    timers_idle_stays_low_through_each_rto_expiry<Engine512>();
}

// The system model's idle skipping (sim/models/idle_skip.hpp) leaves out only cycles in
// which the engine does nothing: an engine clocked every cycle at the board's 156 cycles
// per tick goes through retransmission timeouts with backoff, zero-window probes and a
// delayed ACK, then waits with nothing armed; every cycle a board would have skipped (to
// the next tick, or asleep) moves nothing on a port and keeps the status that allowed it.
template <class E>
void idle_skip_skips_only_cycles_that_do_nothing() {
    EngineSimOptions o = options(13);
    o.cycles_per_tick = 156;
    o.tx_ready_percent = 100;
    E e(o);
    driver::EngineTimers t = rto_timers(50, 200);
    t.delayed_ack = true;
    t.delack_ticks = 100;
    configure_engine(e, kOurMac, kOurIp, t);
    PeerExchange<E> x(e);
    std::mt19937_64 rng(13);

    ASSERT_TRUE(e.run_until([&] { return bool(e.io().timers_idle); }, 100'000))
        << "the timer tables' reset sweep never ended";
    test::IdleSkipAudit<E> audit(e);
    audit.start();  // sees the sweep's end
    const auto each = [&] { audit.before_step(); };
    // Retransmission timeouts: the first 3 transmissions are lost.
    TcpPeer a = peer_at(0x0a000507, 45006, 80, 1460);
    int lost = 0;
    a.drop = [&](uint32_t, uint16_t) { return ++lost <= 3; };
    x.install(30, a, 1000, 1);
    const Bytes data = random_bytes(rng, 1000);
    e.send_app(30, data);
    // Zero-window probes: the window opens after the second probe.
    TcpPeer b = peer_at(0x0a000508, 45007, 80, 1000);
    b.window = 0;
    b.reassemble = true;
    x.install(31, b, 2000, 1);
    const Bytes probed = random_bytes(rng, 2000);
    e.send_app(31, probed);
    // The delayed ACK's peer (installed now: the audit must see every cycle from here).
    TcpPeer c = peer_at(0x0a000509, 45008, 80, 1000);
    x.install(32, c, 3000, 7000);
    audit.start();  // after the installs
    ASSERT_TRUE(x.until([&] { return b.data_segments >= 2; }, 2'000'000, each));
    b.window = 65535;
    e.send_frame(b.ack_frame());
    ASSERT_TRUE(x.until([&] {
        return a.received.size() == data.size() && b.received.size() == probed.size();
    }, 2'000'000, each)) << a.received.size() << " and " << b.received.size() << " bytes";
    EXPECT_TRUE(a.received == data);
    EXPECT_TRUE(b.received == probed);

    // A delayed ACK: a lone full-size segment from the third peer.
    e.send_frame(c.data_frame(random_bytes(rng, 1000)));
    ASSERT_TRUE(x.until([&] { return c.their_ack == c.snd_nxt; }, 200'000, each));
    // Host-command work moves without port input once the host bytes are in: a segment
    // by RX_INJECT (delivered, its delayed ACK by the timer) and a 1400-byte RAW_TX
    // (through hl_rx, cmd_exec and raw_tx_csum at a byte per cycle).
    e.send_command(Kind::kRxInject, driver::kNoSession, 0, c.data_frame(random_bytes(rng, 1000)));
    TcpPeer d;  // the RAW_TX frame's receiver; it does not answer
    d.tuple = {0x0a00050a, kOurIp, 45009, 80};
    d.mss = 1460;
    d.rcv_nxt = 77;
    d.send_acks = false;
    x.add(d);
    TcpFrameSpec raw;
    raw.src_mac = {0x02, 0, 0, 0, 0, 2};
    raw.dst_mac = {0x02, 0, 0, 0, 0, 1};
    raw.src_ip = kOurIp;
    raw.dst_ip = d.tuple.remote_ip;
    raw.src_port = d.tuple.local_port;
    raw.dst_port = d.tuple.remote_port;
    raw.seq = 77;
    raw.ack = 1;
    raw.payload = random_bytes(rng, 1400);
    e.send_command(Kind::kRawTx, driver::kNoSession, 0, build_tcp_frame(raw));
    ASSERT_TRUE(x.until([&] {
        return c.their_ack == c.snd_nxt && d.received.size() == 1400;
    }, 400'000, each)) << "injected segment or RAW_TX frame missing";
    // Nothing armed: asleep.
    x.run(50'000, each);

    const auto counters = read_engine_counters(e);
    EXPECT_EQ(counters.rto_expiries, 3u);
    EXPECT_GE(counters.persist_expiries, 2u);
    EXPECT_EQ(counters.delack_expiries, 2u);
    EXPECT_EQ(counters.rx_injected, 1u);
    EXPECT_EQ(audit.violations(), 0u) << "first: " << audit.first_violation();
    EXPECT_GT(audit.skips_to_tick(), 1000u);
    EXPECT_GT(audit.sleeps(), 0u);
    EXPECT_GT(audit.skipped_cycles(), e.cycle() * 9 / 10)
        << "of " << e.cycle() << " cycles (almost all are waits for a timer)";
    std::printf("idle skipping: %llu of %llu cycles skipped (%llu skips to a tick, %llu sleeps)\n",
                (unsigned long long)audit.skipped_cycles(), (unsigned long long)e.cycle(),
                (unsigned long long)audit.skips_to_tick(), (unsigned long long)audit.sleeps());
}
TEST(EngineTimers, IdleSkipSkipsOnlyCyclesThatDoNothing) {
    idle_skip_skips_only_cycles_that_do_nothing<Engine>();
}
TEST(EngineTimers512, IdleSkipSkipsOnlyCyclesThatDoNothing) {
    idle_skip_skips_only_cycles_that_do_nothing<Engine512>();
}

// RFC 6298 §2.2: the first RTT sample R gives SRTT = R, RTTVAR = R/2, RTO = R + 4 RTTVAR
// = 3R (above the configured minimum). The peer ACKs the first segment R = 100 ticks
// after it left; a second segment, lost once, is retransmitted 3R after it left.
template <class E>
void rto_follows_the_measured_round_trip() {
    E e(options(5));
    driver::EngineTimers t = rto_timers(10, 5000);
    configure_engine(e, kOurMac, kOurIp, t);
    PeerExchange<E> x(e);
    TcpPeer p = peer_at(0x0a000502, 45001, 80, 1460);
    p.ack_delay_cycles = 100 * kCyclesPerTick;
    bool lost = false;
    p.drop = [&](uint32_t seq, uint16_t) {
        if (seq != 1001u + 1000u || lost) return false;
        lost = true;
        return true;
    };
    x.install(22, p, 1000, 1);
    std::mt19937_64 rng(2);
    const Bytes first = random_bytes(rng, 1000), second = random_bytes(rng, 1000);
    e.send_app(22, first);
    ASSERT_TRUE(x.until([&] { return p.their_ack != 0 && p.received.size() == 1000; }, 100000));
    // let the delayed ACK reach the engine, then the second segment
    x.run(150 * kCyclesPerTick);
    e.send_app(22, second);
    ASSERT_TRUE(x.until([&] { return p.received.size() == 2000; }, 200000))
        << "the lost segment was not retransmitted";
    ASSERT_EQ(p.data_segments, 3u);
    EXPECT_EQ(p.data_seqs[2], 2001u) << "the retransmission";
    // The RTT the engine measures is the ACK's hold (100 ticks) plus the segment's
    // serialization to the peer and the ACK's way in: at most a frame's beats + 40 cycles.
    const int64_t rtt_extra = int64_t(1054 / (E::kDataW / 8)) + 1 + 40;
    expect_interval(e, p.data_frames[1], p.data_frames[2], 300, "RTO = 3 x the measured RTT",
                    3 * rtt_extra + payload_read_cycles<E>(1000));
    Bytes all = first;
    all.insert(all.end(), second.begin(), second.end());
    EXPECT_TRUE(p.received == all);
    const auto c = read_engine_counters(e);
    EXPECT_EQ(c.rto_expiries, 1u);
    EXPECT_EQ(c.retransmissions, 1u);
}
TEST(EngineTimers, RtoFollowsTheMeasuredRoundTrip) { rto_follows_the_measured_round_trip<Engine>(); }

// A zero window: the data waits, and the persist timer sends a one-byte probe after the
// RTO, then after twice and four times that; once the peer opens its window all the
// data flows, in order, none lost (the peer did not take the probe byte: the engine
// counts it as sent, and recovers it by the ordinary retransmission machinery).
template <class E>
void zero_window_is_probed_until_it_opens() {
    E e(options(7));
    driver::EngineTimers t = rto_timers(50, 100);
    configure_engine(e, kOurMac, kOurIp, t);
    PeerExchange<E> x(e);
    TcpPeer p = peer_at(0x0a000503, 45002, 80, 1000);
    p.window = 0;
    p.reassemble = true;
    x.install(23, p, 50, 1);
    std::mt19937_64 rng(3);
    const Bytes data = random_bytes(rng, 3000);
    e.send_app(23, data);
    ASSERT_TRUE(x.until([&] { return p.data_segments == 3; }, 200000))
        << "probes: " << p.data_segments;
    for (std::size_t i = 0; i < 3; i++) {
        EXPECT_EQ(p.data_lens[i], 1u) << "probe " << i << " carries one byte";
        EXPECT_EQ(p.data_seqs[i], 51u) << "probe " << i << " is the first unacknowledged byte";
    }
    expect_interval(e, p.data_frames[0], p.data_frames[1], 200, "probe backoff");
    expect_interval(e, p.data_frames[1], p.data_frames[2], 400, "probe backoff");
    EXPECT_TRUE(p.received.empty());
    // the window opens
    p.window = 65535;
    e.send_frame(p.ack_frame());
    ASSERT_TRUE(x.until([&] { return p.received.size() == data.size(); }, 400000))
        << p.received.size() << " of " << data.size() << " bytes after the window opened";
    EXPECT_TRUE(p.received == data);
    const auto c = read_engine_counters(e);
    EXPECT_EQ(c.persist_expiries, 3u);
    std::printf("zero window: 3 probes, then %llu data segments (%llu retransmitted, %llu RTO "
                "expiries)\n",
                (unsigned long long)(p.data_segments - 3), (unsigned long long)c.retransmissions,
                (unsigned long long)c.rto_expiries);
}
TEST(EngineTimers, ZeroWindowIsProbedUntilItOpens) { zero_window_is_probed_until_it_opens<Engine>(); }

// One segment of a bulk transfer is lost; the peer keeps the segments behind the hole
// and answers each with a duplicate ACK. The third one triggers a fast retransmit, the
// hole fills, and the transfer completes with no retransmission timeout at all (the RTO
// is 10^6 ticks).
template <class E>
void fast_retransmit_repairs_a_loss() {
    E e(options(9));
    driver::EngineTimers t = rto_timers(1000000, 1000000);
    configure_engine(e, kOurMac, kOurIp, t);
    PeerExchange<E> x(e);
    TcpPeer p = peer_at(0x0a000504, 45003, 80, 1460);
    p.reassemble = true;
    int segments = 0;
    bool lost = false;
    p.drop = [&](uint32_t, uint16_t) {  // the third segment, its first time
        if (++segments != 3) return false;
        lost = true;
        return true;
    };
    x.install(24, p, 0xFFFFF000u, 1);  // across 2^32
    std::mt19937_64 rng(4);
    const Bytes data = random_bytes(rng, 40 * 1460);
    e.send_app(24, data);
    const bool done = x.until([&] { return p.received.size() == data.size(); }, 2000000);
    if (!done) {
        for (std::size_t i = 0; i < p.data_seqs.size(); i++)
            std::printf("segment %zu: seq %u len %u at cycle %llu\n", i, p.data_seqs[i] - 0xFFFFF001u, p.data_lens[i], (unsigned long long)e.tx_first_cycles[p.data_frames[i]]);
        const auto c = read_engine_counters(e);
        std::printf("dupacks %llu acks %llu rtx %llu pure acks %llu ooo %llu dup %llu\n", (unsigned long long)c.seg_at(driver::SegOutcome::kDupAck), (unsigned long long)c.seg_at(driver::SegOutcome::kAck), (unsigned long long)c.retransmissions, (unsigned long long)p.pure_acks, (unsigned long long)p.out_of_order, (unsigned long long)p.duplicates);
    }
    ASSERT_TRUE(done) << p.received.size() << " of " << data.size() << " bytes";
    EXPECT_TRUE(p.received == data);
    EXPECT_TRUE(lost);
    const auto c = read_engine_counters(e);
    EXPECT_EQ(c.rto_expiries, 0u) << "repaired without a timeout";
    EXPECT_GE(c.retransmissions, 1u);
    EXPECT_GE(c.seg_at(driver::SegOutcome::kDupAck), 3u) << "the engine saw the duplicate ACKs";
    std::printf("fast retransmit: %llu segments, %llu retransmitted, %llu duplicate ACKs, "
                "%llu out of order at the peer\n",
                (unsigned long long)p.data_segments, (unsigned long long)c.retransmissions,
                (unsigned long long)c.seg_at(driver::SegOutcome::kDupAck),
                (unsigned long long)p.out_of_order);
}
TEST(EngineTimers, FastRetransmitRepairsALoss) { fast_retransmit_repairs_a_loss<Engine>(); }
TEST(EngineTimers512, FastRetransmitRepairsALoss) { fast_retransmit_repairs_a_loss<Engine512>(); }

// The first segment of the initial window (3 segments of 1460, RFC 5681 §3.1) is lost:
// the other two bring only two duplicate ACKs. RFC 3042 limited transmit sends one new
// segment on each, their duplicates make the third, and fast retransmit repairs the loss
// without the 1 s timeout (which the cycle budget here would not even reach).
template <class E>
void limited_transmit_repairs_a_loss_in_a_small_flight() {
    E e(options(10));
    driver::EngineTimers t = rto_timers(1000000, 1000000);
    configure_engine(e, kOurMac, kOurIp, t);
    PeerExchange<E> x(e);
    TcpPeer p = peer_at(0x0a000505, 45004, 80, 1460);
    p.reassemble = true;
    int segments = 0;
    p.drop = [&](uint32_t, uint16_t) { return ++segments == 1; };  // the first, first time
    x.install(25, p, 0x7FFFF000u, 1);
    std::mt19937_64 rng(5);
    const Bytes data = random_bytes(rng, 10 * 1460);
    e.send_app(25, data);
    const bool done = x.until([&] { return p.received.size() == data.size(); }, 2000000);
    const auto c = read_engine_counters(e);
    ASSERT_TRUE(done) << p.received.size() << " of " << data.size() << " bytes; "
                      << c.seg_at(driver::SegOutcome::kDupAck) << " duplicate ACKs, "
                      << c.retransmissions << " retransmitted, " << c.rto_expiries << " RTO";
    EXPECT_TRUE(p.received == data);
    EXPECT_EQ(c.rto_expiries, 0u) << "repaired without a timeout";
    EXPECT_GE(c.retransmissions, 1u);
    EXPECT_GE(c.seg_at(driver::SegOutcome::kDupAck), 3u) << "the third duplicate arrived";
    // Before the fast retransmit, new data went past the initial window (4380), by at
    // most 2*MSS; how the segments are cut depends on when the host's bytes arrived.
    uint32_t sent_before = 0;
    for (std::size_t i = 1; i < p.data_seqs.size() && p.data_seqs[i] != p.data_seqs[0]; i++)
        sent_before = std::max(sent_before, p.data_seqs[i] + p.data_lens[i] - p.data_seqs[0]);
    EXPECT_GT(sent_before, 4380u) << "limited transmit sent past cwnd";
    EXPECT_LE(sent_before, 4380u + 2 * 1460u) << "by at most 2*MSS";
}
TEST(EngineTimers, LimitedTransmitRepairsALossInASmallFlight) {
    limited_transmit_repairs_a_loss_in_a_small_flight<Engine>();
}
TEST(EngineTimers512, LimitedTransmitRepairsALossInASmallFlight) {
    limited_transmit_repairs_a_loss_in_a_small_flight<Engine512>();
}

// Delayed ACKs on (RFC 9293 §3.8.6.3, RFC 5681 §4.2): a lone full-size segment is ACKed
// by the delayed-ACK timer, a second full-size segment is ACKed at once (both covered
// by the one ACK), a small segment waits for the timer too, and an out-of-order segment
// gets its duplicate ACK at once. Each delayed ACK carries the newest RCV.NXT.
template <class E>
void delayed_acks_follow_the_policy() {
    E e(options(11));
    driver::EngineTimers t;
    t.delayed_ack = true;
    t.delack_ticks = 100;
    configure_engine(e, kOurMac, kOurIp, t);
    PeerExchange<E> x(e);
    TcpPeer p = peer_at(0x0a000505, 45004, 80, 1000);  // the session's full-size segment
    x.install(25, p, 300, 9000);
    std::mt19937_64 rng(5);
    // Sends `len` bytes at the peer's next sequence number (or `seq`); returns the cycle
    // its last beat entered the engine.
    const auto send = [&](std::size_t len, std::optional<uint32_t> seq = std::nullopt) {
        Bytes payload = random_bytes(rng, len);
        const Bytes f = seq ? p.data_frame_at(*seq, std::move(payload))
                            : p.data_frame(std::move(payload));
        const std::size_t n = e.rx_tlast_cycles.size();
        e.send_frame(f);
        EXPECT_TRUE(e.run_until([&] { return e.rx_tlast_cycles.size() > n; }, 10000));
        return e.rx_tlast_cycles.back();
    };
    // Runs until the engine's next ACK (or `cycles`); the cycles from `from` to its
    // first beat, -1 if none came.
    const auto next_ack = [&](uint64_t from, uint64_t cycles) -> int64_t {
        const uint64_t acks = p.pure_acks;
        const std::size_t frames = x.seen();
        if (!x.until([&] { return p.pure_acks > acks; }, cycles)) return -1;
        for (std::size_t i = frames; i < x.seen(); i++)
            if (e.tx_frames[i].size() <= 66) return int64_t(e.tx_first_cycles[i] - from);
        return -1;
    };
    const int64_t timer = 100 * kCyclesPerTick;

    uint64_t at = send(1000);
    int64_t got = next_ack(at, 3 * uint64_t(timer));
    EXPECT_TRUE(got >= timer - kSlack && got <= timer + kSlack)
        << "a lone full-size segment is ACKed by the timer: after " << got << " cycles";
    EXPECT_EQ(p.their_ack, p.snd_nxt);

    send(1000);
    at = send(1000);
    got = next_ack(at, 3 * uint64_t(timer));
    EXPECT_TRUE(got >= 0 && got < 60) << "the second full-size segment is ACKed at once: " << got;
    EXPECT_EQ(p.their_ack, p.snd_nxt) << "one ACK for both";
    EXPECT_EQ(next_ack(at, 2 * uint64_t(timer)), -1) << "and no timer ACK after it";

    at = send(100);
    got = next_ack(at, 3 * uint64_t(timer));
    EXPECT_TRUE(got >= timer - kSlack && got <= timer + kSlack)
        << "a small segment waits for the timer: " << got;
    EXPECT_EQ(p.their_ack, p.snd_nxt);

    at = send(200, p.snd_nxt + 5000);
    got = next_ack(at, 3 * uint64_t(timer));
    EXPECT_TRUE(got >= 0 && got < 60) << "out of order: a duplicate ACK at once: " << got;
    EXPECT_EQ(p.their_ack, p.snd_nxt);

    const auto c = read_engine_counters(e);
    EXPECT_EQ(c.delack_expiries, 2u);
    EXPECT_EQ(c.acks_sent, 4u);
    EXPECT_EQ(c.acks_lost, 0u);
}
TEST(EngineTimers, DelayedAcksFollowThePolicy) { delayed_acks_follow_the_policy<Engine>(); }
TEST(EngineTimers512, DelayedAcksFollowThePolicy) { delayed_acks_follow_the_policy<Engine512>(); }

// REMOVE and ABORT stop a session's transmit side: its data is outstanding and its RTO
// armed, yet nothing more leaves after the command; ABORT first sends the session's RST
// (<SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>) and REMOVED carries the same SND.NXT. An
// ABORT of a session not installed sends no RST and answers MISSING.
template <class E>
void removed_session_sends_nothing_more(bool abort) {
    E e(options(abort ? 13 : 15));
    driver::EngineTimers t = rto_timers(50, 200);
    configure_engine(e, kOurMac, kOurIp, t);
    PeerExchange<E> x(e);
    TcpPeer p = peer_at(0x0a000506, 45005, 80, 1460);
    p.drop = [](uint32_t, uint16_t) { return true; };
    x.install(26, p, 9000, 77);
    std::mt19937_64 rng(6);
    e.send_app(26, random_bytes(rng, 1000));
    ASSERT_TRUE(x.until([&] { return p.data_segments == 1; }, 100000));
    const std::size_t frames_before = e.tx_frames.size();
    e.send_command(abort ? Kind::kAbort : Kind::kRemove, 26, 0,
                   driver::table_key_payload(p.tuple));
    const auto m = next_engine_message(e, 100000);
    ASSERT_EQ(m.kind, Kind::kRemoved);
    EXPECT_EQ(driver::TableResult(m.arg), driver::TableResult::kRemoved);
    ASSERT_EQ(m.payload.size(), 12u);
    const uint32_t snd_nxt = uint32_t(m.payload[0]) << 24 | uint32_t(m.payload[1]) << 16 |
                             uint32_t(m.payload[2]) << 8 | m.payload[3];
    EXPECT_EQ(snd_nxt, 9001u + 1000u);
    // 10 RTOs' worth of time: nothing but (for ABORT) the one RST
    x.run(2000 * kCyclesPerTick);
    EXPECT_EQ(p.data_segments, 1u) << "the removed session retransmitted";
    ASSERT_EQ(e.tx_frames.size(), frames_before + (abort ? 1 : 0));
    if (abort) {
        kernel::RxParseConfig as_peer;
        as_peer.our_mac = test::kPeerMac;
        as_peer.our_ip = p.tuple.remote_ip;
        const Bytes& f = e.tx_frames.back();
        const auto r = kernel::eth_rx_parse(f.data(), int(f.size()), false, as_peer);
        EXPECT_EQ(r.reason, driver::RxReason::kTcp) << "the RST is a valid segment";
        EXPECT_EQ(r.flags, kernel::tcp_flag::kRst | kernel::tcp_flag::kAck);
        EXPECT_EQ(r.seq, 9001u + 1000u) << "SND.NXT";
        EXPECT_EQ(r.ack, 78u) << "RCV.NXT";
        EXPECT_EQ(r.payload_len, 0u);
    }
    const auto c = read_engine_counters(e);
    EXPECT_EQ(c.rsts_sent, abort ? 1u : 0u);
    EXPECT_EQ(c.rto_expiries, 0u) << "the armed RTO fired into a removed session";
    EXPECT_EQ(c.retransmissions, 0u);
    // ABORT again: no session any more
    e.send_command(Kind::kAbort, 26, 0, driver::table_key_payload(p.tuple));
    const auto again = next_engine_message(e, 100000);
    EXPECT_EQ(again.kind, Kind::kRemoved);
    EXPECT_EQ(driver::TableResult(again.arg), driver::TableResult::kMissing);
    e.run(1000);
    EXPECT_EQ(e.tx_frames.size(), frames_before + (abort ? 1 : 0)) << "an RST for no session";
}
TEST(EngineTimers, RemovedSessionSendsNothingMore) { removed_session_sends_nothing_more<Engine>(false); }
TEST(EngineTimers, AbortSendsRstThenRemoves) { removed_session_sends_nothing_more<Engine>(true); }
TEST(EngineTimers512, AbortSendsRstThenRemoves) { removed_session_sends_nothing_more<Engine512>(true); }

}  // namespace
}  // namespace ftoe::sim
