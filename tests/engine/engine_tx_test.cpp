// Cosim of the engine's transmit side (64 and 512 bits): app data written on the app TX
// stream leaves MAC TX as data segments of installed sessions, received by a peer that
// checks each one as its TCP stack would (reference parser: both checksums, addressing,
// in-order sequence numbers, at most the installed MSS) and ACKs what it got. Random
// idle on the app TX stream, random backpressure on MAC TX and random stalls in the TX
// buffer memory.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <random>

#include "Vftoe_echo_top_64.h"
#include "Vftoe_engine_512.h"
#include "Vftoe_engine_64.h"
#include "engine_host_ops.hpp"
#include "engine_messages.hpp"
#include "engine_sim.hpp"
#include "eth_rx_parse.hpp"
#include "frame.hpp"
#include "tcp_peer.hpp"
#include "tcp_rx.hpp"

namespace ftoe::sim {
namespace {

using driver::Kind;
using Engine = EngineSim<Vftoe_engine_64, 64>;
using Engine512 = EngineSim<Vftoe_engine_512, 512>;
using EchoTop = EngineSim<Vftoe_echo_top_64, 64>;

using test::kOurIp;
using test::kOurMac;
using test::peer_at;
using test::PeerExchange;
using test::random_bytes;
using Peer = test::TcpPeer;

// Several sessions, each with its own MSS and start point (one across the 2^32 wrap),
// app packets of random sizes (more than the 64 KiB TX buffer per session, so the ring
// wraps and the writer waits for ACKs): every byte reaches its peer once, in order, in
// segments no larger than the MSS; nothing is lost, so nothing is retransmitted.
template <class E>
void app_data_reaches_peers_in_order() {
    EngineSimOptions o;
    o.app_tx_idle_percent = 30;
    o.tx_ready_percent = 80;
    o.mem_ready_percent = 80;
    o.mem_latency = 6;
    o.seed = 17;
    E e(o);
    configure_engine(e, kOurMac, kOurIp);
    std::mt19937_64 rng(23);
    const uint16_t mss[] = {536, 1000, 1460, 1460};
    const uint32_t iss[] = {1000, 0xFFFF0000u, 77777, 0x80000000u};
    std::vector<Peer> peers(4);
    std::vector<Bytes> sent(4);
    PeerExchange<E> x(e);
    for (uint32_t i = 0; i < 4; i++) {
        peers[i] = peer_at(0x0a000100 + i, uint16_t(41000 + i), 80, mss[i]);
        x.install(100 + i * 37, peers[i], iss[i], 5000 * i);
    }
    for (int k = 0; k < 120; k++) {
        const uint32_t i = uint32_t(rng() % 4);
        const Bytes b = random_bytes(rng, 1 + rng() % 4000);
        e.send_app(100 + i * 37, b);
        sent[i].insert(sent[i].end(), b.begin(), b.end());
    }
    const bool ok = x.until([&] {
        for (uint32_t i = 0; i < 4; i++)
            if (peers[i].received.size() < sent[i].size()) return false;
        return e.inputs_drained();
    }, 20000000);
    e.run(2000);
    ASSERT_TRUE(ok) << "not all app data reached the peers";
    for (uint32_t i = 0; i < 4; i++) {
        EXPECT_EQ(peers[i].received.size(), sent[i].size()) << "session " << i;
        EXPECT_TRUE(peers[i].received == sent[i]) << "session " << i << ": bytes differ";
        EXPECT_EQ(peers[i].largest, mss[i]) << "session " << i << ": full-size segments";
        std::printf("session %u: %zu bytes in %llu segments (MSS %u)\n", i, sent[i].size(),
                    (unsigned long long)peers[i].data_segments, mss[i]);
    }
    EXPECT_EQ(x.seen(), e.tx_frames.size());
    const auto c = read_engine_counters(e);
    EXPECT_EQ(c.rx_at(driver::RxReason::kTcp), c.rx_total()) << "every peer ACK was ours";
    uint64_t data_segments = 0;
    for (const auto& p : peers) data_segments += p.data_segments;
    EXPECT_EQ(c.data_segments_sent, data_segments) << "the engine's count of its data segments";
}
TEST(EngineTx, AppDataReachesPeersInOrder) { app_data_reaches_peers_in_order<Engine>(); }
TEST(EngineTx512, AppDataReachesPeersInOrder) { app_data_reaches_peers_in_order<Engine512>(); }

// SEND_FIN after queued data: the FIN takes the sequence number after the last byte,
// nothing follows it, and the peer's ACK of it reaches the host as ACKED (FIN bit). SEND_FIN orders behind the data already queued when it
// arrives (the app's bytes still on their way through tx_buf_wr are not), so the host
// sends it once the app's bytes are in.
template <class E>
void fin_follows_the_queued_data() {
    EngineSimOptions o;
    o.seed = 5;
    E e(o);
    configure_engine(e, kOurMac, kOurIp);
    Peer p = peer_at(0x0a000201, 42000, 80, 1460);
    PeerExchange<E> x(e);
    x.install(7, p, 4242, 99);
    std::mt19937_64 rng(3);
    const Bytes b = random_bytes(rng, 5000);
    e.send_app(7, b);
    ASSERT_TRUE(e.run_until([&] { return e.inputs_drained(); }, 100000));
    e.run(10);
    e.send_command(Kind::kSendFin, 7, 0);
    ASSERT_TRUE(x.until([&] { return p.fin; }, 2000000)) << "no FIN";
    e.run(2000);
    EXPECT_TRUE(p.received == b);
    EXPECT_EQ(p.rcv_nxt, 4242u + 1 + 5000 + 1) << "the FIN is the byte after the data";
    // the peer's ACK of the FIN is reported to the host, once
    const auto m = next_engine_message(e, 100000);
    EXPECT_EQ(m.kind, Kind::kAcked);
    EXPECT_EQ(m.session, 7u);
    EXPECT_EQ(m.arg, 1) << "bit 0: our FIN is acknowledged";
    e.send_frame(p.ack_frame());  // a duplicate ACK of the FIN
    e.run(2000);
    EXPECT_TRUE(e.events.empty()) << "ACKED(FIN) comes once";
}
TEST(EngineTx, FinFollowsTheQueuedData) { fin_follows_the_queued_data<Engine>(); }
TEST(EngineTx512, FinFollowsTheQueuedData) { fin_follows_the_queued_data<Engine512>(); }

// The echo loop the benchmark measures: the peer's bytes come back, acknowledged both
// ways; through rtl/apps/echo_app.sv (ftoe_echo_top), or with the harness looping app
// RX into app TX beat by beat as echo_app does (the 512-bit engine). The peer sends
// 300 KB, more than four times the engine's 64 KiB receive window, never beyond the
// window the engine advertises: RCV.WND must reopen as the app takes the bytes.
template <class E>
void echoed_bytes_come_back() {
    EngineSimOptions o;
    o.echo = E::kAppPorts;
    o.tx_ready_percent = 90;
    o.app_ready_percent = 90;
    o.seed = 8;
    E e(o);
    configure_engine(e, kOurMac, kOurIp);
    Peer p = peer_at(0x0a000301, 43000, 7, 1460);
    PeerExchange<E> x(e);
    x.install(3, p, 1, 0xFFFFF000u);
    std::mt19937_64 rng(9);
    Bytes sent;
    const uint32_t isn_next = p.snd_nxt;
    p.their_ack = isn_next;
    p.their_wnd = 65535;
    uint64_t window_waits = 0;
    // The peer as a TCP sender: new data within the advertised window, and go-back-N
    // from the engine's ACK when it has made no progress for 20k cycles (a segment the
    // engine could not buffer is dropped unacknowledged).
    uint64_t retransmissions = 0, last_progress = 0;
    uint32_t last_ack = isn_next;
    const auto send_more = [&] {
        if (p.their_ack != last_ack) {
            last_ack = p.their_ack;
            last_progress = e.cycle();
        } else if (p.snd_nxt != p.their_ack && e.cycle() - last_progress > 20000) {
            p.snd_nxt = p.their_ack;  // timeout: go back
            last_progress = e.cycle();
            ++retransmissions;
        }
        const std::size_t off = p.snd_nxt - isn_next;  // the next byte to send
        if (off >= 300000) return;
        const std::size_t len = off < sent.size() ? std::min<std::size_t>(1460, sent.size() - off)
                                                  : 1 + rng() % 1460;
        if (p.snd_nxt + uint32_t(len) - p.their_ack > p.their_wnd) {  // the window is full
            ++window_waits;
            return;
        }
        if (off == sent.size()) {
            const Bytes fresh = random_bytes(rng, len);
            sent.insert(sent.end(), fresh.begin(), fresh.end());
        }
        const Bytes payload(sent.begin() + long(off), sent.begin() + long(off + len));
        e.send_frame(p.data_frame(payload));
    };
    ASSERT_TRUE(x.until([&] { return sent.size() >= 300000 && p.received.size() >= sent.size(); },
                        20000000, send_more))
        << "echo incomplete: " << p.received.size() << " of " << sent.size() << " sent, "
        << "the engine ACKed " << p.their_ack - isn_next << " with window " << p.their_wnd;
    EXPECT_TRUE(p.received == sent);
    EXPECT_GT(p.pure_acks, 0u) << "the engine ACKs the peer's data";
    EXPECT_EQ(p.their_ack, isn_next + uint32_t(sent.size())) << "all of it acknowledged";
    const auto c = read_engine_counters(e);
    std::printf("%zu bytes echoed, %llu cycles the peer waited for the window, %llu peer "
                "timeouts, %llu segments dropped for want of buffer\n",
                sent.size(), (unsigned long long)window_waits,
                (unsigned long long)retransmissions,
                (unsigned long long)c.rx_at(driver::RxReason::kDropNoBuffer));
}
TEST(EngineTx, EchoAppSendsBackWhatItReceives) { echoed_bytes_come_back<EchoTop>(); }
TEST(EngineTx512, EchoedBytesComeBack) { echoed_bytes_come_back<Engine512>(); }

// The engine header's TX figure: on an idle engine with the session's window open, the
// first beat of a data segment is on MAC TX K + n + L + e cycles after the app's last
// beat was taken: n = memory words under the payload at its ring offset, L = the
// memory's read latency, e = 1 when those words are one more than the app's beats
// (tx_buf_wr's extra write of the spilled bytes), K = 19 at 64 bits and 20 at 512. A
// store-and-forward path: it grows with the payload.
template <class E>
void data_segment_leaves_at_stated_latency() {
    constexpr uint32_t NB = E::kDataW / 8;
    constexpr uint64_t K = E::kDataW == 64 ? 19 : 20;
    for (int latency : {1, 4, 9}) {
        for (uint32_t payload : {1u, 2u, 64u, 1000u}) {
            for (uint32_t lane : {0u, 1u, NB - 1}) {
                EngineSimOptions o;
                o.mem_latency = latency;
                E e(o);
                configure_engine(e, kOurMac, kOurIp);
                Peer p = peer_at(0x0a000401, 44000, 80, 1460);
                const uint32_t iss = 64 * 1000 + lane - 1;  // the payload starts in `lane`
                test::install(e, 12, p, iss, 1);
                e.run(20);
                e.send_app(12, Bytes(payload, 0x5a));
                ASSERT_TRUE(e.run_until([&] { return !e.tx_frames.empty(); }, 100000));
                const uint64_t n = (lane + payload + NB - 1) / NB;
                const uint64_t app_beats = (payload + NB - 1) / NB;
                EXPECT_EQ(e.tx_first_cycles[0] - e.app_tx_last_cycles[0],
                          K + n + uint64_t(latency) + (n - app_beats))
                    << payload << "-byte payload from lane " << lane << ", memory latency "
                    << latency;
                EXPECT_EQ(e.tx_frames[0].size(), std::max<std::size_t>(60, 54 + payload));
            }
        }
    }
}
TEST(EngineTx, DataSegmentLeavesAtStatedLatency) { data_segment_leaves_at_stated_latency<Engine>(); }
TEST(EngineTx512, DataSegmentLeavesAtStatedLatency) {
    data_segment_leaves_at_stated_latency<Engine512>();
}

// Receiver flow control with a small window (8 KiB): while the app takes nothing the
// peer fills the window and stops (the engine's ACKs advertise what is left, down to
// nothing usable); when the app starts taking data the engine sends a window update by
// itself (RFC 9293 §3.8.6.2.2), the peer resumes without probing, and every byte
// arrives. Once the app keeps up, the peer sees most of the window and no updates are
// added: ACKs stay one per data segment.
template <class E>
void window_update_reopens_the_window() {
    EngineSimOptions o;
    o.seed = 19;
    E e(o);
    e.set_app_ready_percent(0);
    configure_engine(e, kOurMac, kOurIp);
    Peer p = peer_at(0x0a000701, 47000, 80, 1460);
    driver::SessionState st;
    st.rcv_nxt = 5001;
    st.rcv_wnd = 8192;
    st.snd_una = st.snd_nxt = 101;
    st.snd_wnd = st.max_snd_wnd = 65535;
    st.peer_mac = test::kPeerMac;
    st.mss = 1460;
    ASSERT_EQ(engine_table_command(e, Kind::kInstall, 40, p.tuple, st),
              driver::TableResult::kInserted);
    p.rcv_nxt = 101;
    p.snd_nxt = 5001;
    p.their_ack = 5001;
    p.their_wnd = 8192;
    PeerExchange<E> x(e);
    x.add(p);
    std::mt19937_64 rng(29);
    const Bytes data = random_bytes(rng, 40000);
    std::size_t off = 0;
    uint64_t segments = 0;
    const auto send_more = [&] {
        const std::size_t len = std::min<std::size_t>(1000, data.size() - off);
        if (len == 0 || p.snd_nxt + uint32_t(len) - p.their_ack > p.their_wnd) return;
        const Bytes payload(data.begin() + long(off), data.begin() + long(off + len));
        off += len;
        ++segments;
        e.send_frame(p.data_frame(payload));
    };
    // The window fills: everything sent is acknowledged and no 1000-byte segment fits.
    ASSERT_TRUE(x.until([&] {
        return p.their_ack == p.snd_nxt && p.their_wnd < 1000 && off > 0;
    }, 200000, send_more)) << "the window never closed";
    const uint64_t sent_when_closed = segments;
    EXPECT_EQ(sent_when_closed, 8u) << "8 KiB of window, 1000-byte segments";
    const uint64_t acks_before = p.pure_acks;
    // The app catches up: a window update must come with no segment from the peer.
    e.set_app_ready_percent(100);
    ASSERT_TRUE(x.until([&] { return p.their_wnd >= 1000; }, 20000))
        << "no window update after the app took the data";
    EXPECT_EQ(segments, sent_when_closed) << "the update came unprompted";
    EXPECT_GT(p.pure_acks, acks_before);
    EXPECT_GE(p.their_wnd, 2048u) << "at least WIN_UPDATE_BYTES";
    // The rest flows; with the app keeping up no updates are added.
    const uint64_t acks_resumed = p.pure_acks, segs_resumed = segments;
    ASSERT_TRUE(x.until([&] {
        return off == data.size() && p.their_ack == p.snd_nxt;
    }, 2000000, send_more));
    e.run(2000);
    Bytes got;
    for (const auto& pk : e.app_rx) got.insert(got.end(), pk.bytes.begin(), pk.bytes.end());
    EXPECT_TRUE(got == data) << got.size() << " of " << data.size() << " bytes";
    EXPECT_LE(p.pure_acks - acks_resumed, segments - segs_resumed + 2)
        << "window updates on top of the ACKs of a consumer that keeps up";
}
TEST(EngineTx, WindowUpdateReopensTheWindow) { window_update_reopens_the_window<Engine>(); }
TEST(EngineTx512, WindowUpdateReopensTheWindow) { window_update_reopens_the_window<Engine512>(); }

// DESIGN's TX cycle contract at 64 bits: back-to-back 64-byte frames (10-byte payloads:
// the peers' MSS) over 16 randomly chosen installed sessions leave MAC TX at one beat per
// cycle, with no idle cycle between frames, once the pipeline is full (MAC TX always
// ready, the peers ACK every segment at once).
TEST(EngineTx, SustainsOneBeatPerCycleWith64ByteFrames) {
    EngineSimOptions o;
    o.seed = 23;
    Engine e(o);
    configure_engine(e, kOurMac, kOurIp);
    constexpr int kSessions = 16;
    std::vector<Peer> peers(kSessions);
    std::vector<Bytes> sent(kSessions);
    PeerExchange<Engine> x(e);
    for (int i = 0; i < kSessions; i++) {
        peers[i] = peer_at(0x0a000800 + uint32_t(i), uint16_t(48000 + i), 80, 10);
        x.install(200 + uint32_t(i) * 3, peers[i], 1000u * uint32_t(i), 7);
    }
    std::mt19937_64 rng(31);
    for (int k = 0; k < 4000; k++) {
        const int i = int(rng() % kSessions);
        const Bytes b = random_bytes(rng, 10);
        e.send_app(200 + uint32_t(i) * 3, b);
        sent[i].insert(sent[i].end(), b.begin(), b.end());
    }
    ASSERT_TRUE(x.until([&] {
        for (int i = 0; i < kSessions; i++)
            if (peers[i].received.size() < sent[i].size()) return false;
        return true;
    }, 2000000));
    for (int i = 0; i < kSessions; i++) EXPECT_TRUE(peers[i].received == sent[i]) << "session " << i;
    ASSERT_GE(e.tx_frames.size(), 4000u);
    for (std::size_t f = 0; f < 4000; f++) ASSERT_EQ(e.tx_frames[f].size(), 64u) << "frame " << f;
    // the steady part: frames 500..3500 back to back, 8 beats each
    uint64_t idle = 0, worst = 0;
    for (std::size_t f = 501; f <= 3500; f++) {
        const uint64_t gap = e.tx_first_cycles[f] - e.tx_first_cycles[f - 1] - 8;
        idle += gap;
        worst = std::max(worst, gap);
    }
    const double bpc = 3000.0 * 8 / double(e.tx_first_cycles[3500] - e.tx_first_cycles[500]);
    std::printf("3000 frames of 64 bytes: %.4f beats/cycle, %llu idle cycles (worst gap %llu)\n",
                bpc, (unsigned long long)idle, (unsigned long long)worst);
    EXPECT_EQ(idle, 0u) << "idle cycles on MAC TX between back-to-back frames";
}

}  // namespace
}  // namespace ftoe::sim
