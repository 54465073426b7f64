// Cosim of host-terminated sessions (64 and 512 bits): a session installed with the host
// flag has the host as its app. The peer's in-order payload reaches the host as RX_DATA
// events (none of it on the app RX stream), the host's APP_DATA commands leave as the
// session's segments, and ACKED(data) events report SND.UNA so that the host's credit
// (bytes handed over beyond it <= TX buffer - chunk) keeps APP_DATA from ever waiting.
// Both directions at once, 200 KB each way, with random backpressure on the host link
// and MAC TX; segments of an app session and a host session, interleaved, go each to its
// own consumer.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <random>

#include "Vftoe_engine_512.h"
#include "Vftoe_engine_64.h"
#include "engine_host_ops.hpp"
#include "engine_messages.hpp"
#include "engine_sim.hpp"
#include "frame.hpp"
#include "tcp_peer.hpp"

namespace ftoe::sim {
namespace {

using driver::Kind;
using Engine = EngineSim<Vftoe_engine_64, 64>;
using Engine512 = EngineSim<Vftoe_engine_512, 512>;
using test::kOurIp;
using test::kOurMac;
using test::kPeerMac;
using test::peer_at;
using test::PeerExchange;
using test::random_bytes;
using test::TcpPeer;

constexpr std::size_t kBytes = 200000;

// A session after a handshake with peer ISN 1000 and ours 500, nothing sent yet.
driver::SessionState fresh_session(bool host_terminated) {
    driver::SessionState st;
    st.rcv_nxt = 1001;
    st.rcv_wnd = 65535;
    st.snd_una = st.snd_nxt = 501;
    st.snd_wnd = st.max_snd_wnd = 65535;
    st.peer_mac = kPeerMac;
    st.mss = 1460;
    st.host_terminated = host_terminated;
    return st;
}

// The peer's data segment at `seq` (ACK 501) on `p`'s tuple.
Bytes peer_segment(const TcpPeer& p, uint32_t seq, Bytes payload, uint8_t extra_flags = 0) {
    TcpFrameSpec f;
    f.src_ip = p.tuple.remote_ip;
    f.dst_ip = kOurIp;
    f.src_port = p.tuple.remote_port;
    f.dst_port = p.tuple.local_port;
    f.seq = seq;
    f.ack = 501;
    f.payload = std::move(payload);
    f.flags = uint8_t(f.flags | extra_flags);
    return build_tcp_frame(f);
}

template <class E>
void host_session_moves_data_both_ways() {
    EngineSimOptions o;
    o.host_ready_percent = 70;
    o.tx_ready_percent = 80;
    o.seed = 13;
    E e(o);
    configure_engine(e, kOurMac, kOurIp);
    TcpPeer p = peer_at(0x0a000601, 46000, 8080, 1460);
    constexpr uint32_t kSid = 5, kIss = 0xFFFF8000u, kPeerIsn = 1234;
    driver::SessionState st;
    st.rcv_nxt = kPeerIsn + 1;
    st.rcv_wnd = 65535;
    st.snd_una = st.snd_nxt = kIss + 1;
    st.snd_wnd = st.max_snd_wnd = p.window;
    st.snd_wl1 = kPeerIsn;
    st.snd_wl2 = kIss + 1;
    st.peer_mac = kPeerMac;
    st.mss = p.mss;
    st.host_terminated = true;
    ASSERT_EQ(engine_table_command(e, Kind::kInstall, kSid, p.tuple, st),
              driver::TableResult::kInserted);
    p.rcv_nxt = kIss + 1;
    p.snd_nxt = kPeerIsn + 1;
    PeerExchange<E> x(e);
    x.add(p);

    std::mt19937_64 rng(21);
    const Bytes to_peer = random_bytes(rng, kBytes), to_host = random_bytes(rng, kBytes);
    // host side: APP_DATA within the credit, RX_DATA and ACKED(data) from the events
    std::size_t handed = 0;        // bytes of to_peer given to the engine
    uint32_t una = kIss + 1;       // the newest SND.UNA the engine reported
    uint64_t acked_events = 0, rx_data_events = 0, max_outstanding = 0;
    Bytes at_host;
    // peer side: a sender within the engine's window, going back to the engine's ACK when
    // it has made no progress for 20k cycles (a segment the payload store could not hold
    // is dropped unacknowledged)
    const uint32_t peer_first = p.snd_nxt;
    p.their_ack = peer_first;
    p.their_wnd = 65535;
    uint64_t peer_timeouts = 0, last_progress = 0;
    uint32_t last_ack = peer_first;
    const auto each_cycle = [&] {
        while (!e.events.empty()) {
            const auto* m = std::get_if<driver::Message>(&e.events.front());
            ASSERT_NE(m, nullptr) << "a link error on the event stream";
            EXPECT_EQ(m->session, kSid) << "event " << int(m->kind);
            if (m->kind == Kind::kRxData) {
                at_host.insert(at_host.end(), m->payload.begin(), m->payload.end());
                ++rx_data_events;
            } else if (m->kind == Kind::kAcked && (m->arg & driver::kAckedData)) {
                const auto v = driver::acked_snd_una(m->payload);
                ASSERT_TRUE(v.has_value()) << "ACKED(data) without its 4-byte SND.UNA";
                EXPECT_GE(int32_t(*v - una), 0) << "SND.UNA went back";
                una = *v;
                ++acked_events;
            } else {
                ADD_FAILURE() << "unexpected event kind " << int(m->kind);
            }
            e.events.pop_front();
        }
        const std::size_t outstanding = handed - std::size_t(una - (kIss + 1));
        max_outstanding = std::max<std::size_t>(max_outstanding, outstanding);
        if (handed < to_peer.size() && e.inputs_drained()) {
            const std::size_t room = driver::kEngineTxBufBytes - driver::kEngineTxChunk - outstanding;
            const std::size_t n = std::min({room, to_peer.size() - handed, std::size_t(1 + rng() % 2048)});
            if (n > 0 && int64_t(room) > 0) {
                e.send_command(Kind::kAppData, kSid, 0,
                               Bytes(to_peer.begin() + long(handed), to_peer.begin() + long(handed + n)));
                handed += n;
            }
        }
        if (p.their_ack != last_ack) {
            last_ack = p.their_ack;
            last_progress = e.cycle();
        } else if (p.snd_nxt != p.their_ack && e.cycle() - last_progress > 20000) {
            p.snd_nxt = p.their_ack;
            last_progress = e.cycle();
            ++peer_timeouts;
        }
        const std::size_t off = p.snd_nxt - peer_first;
        if (off >= to_host.size() || rng() % 8 != 0) return;
        const std::size_t len = std::min<std::size_t>(1 + rng() % 1460, to_host.size() - off);
        if (p.snd_nxt + uint32_t(len) - p.their_ack > p.their_wnd) return;
        const Bytes payload(to_host.begin() + long(off), to_host.begin() + long(off + len));
        e.send_frame(p.data_frame(payload));
    };
    const bool done = x.until([&] {
        return p.received.size() == to_peer.size() && at_host.size() == to_host.size() &&
               una == kIss + 1 + uint32_t(kBytes);
    }, 30000000, each_cycle);
    ASSERT_TRUE(done) << "peer got " << p.received.size() << ", host got " << at_host.size()
                      << " of " << kBytes << "; SND.UNA reported " << una - (kIss + 1);
    EXPECT_TRUE(p.received == to_peer) << "host -> peer bytes differ";
    EXPECT_TRUE(at_host == to_host) << "peer -> host bytes differ";
    EXPECT_TRUE(e.app_rx.empty()) << "a host session's payload went to the app stream";
    EXPECT_LE(max_outstanding, driver::kEngineTxBufBytes - driver::kEngineTxChunk);
    const auto c = read_engine_counters(e);
    EXPECT_EQ(c.unsupported_commands, 0u);
    EXPECT_EQ(c.events_of(Kind::kRxData), rx_data_events) << "the engine's count of its events";
    EXPECT_EQ(c.events_of(Kind::kAcked), acked_events);
    EXPECT_EQ(c.events_of(Kind::kInstalled), 1u);
    EXPECT_EQ(c.events_of(Kind::kCounters), 1u) << "this answer counts itself";
    std::printf("%zu bytes each way: %llu RX_DATA events, %llu ACKED(data) events, %llu data "
                "segments, %llu peer timeouts, %llu segments dropped for want of buffer\n",
                kBytes, (unsigned long long)rx_data_events, (unsigned long long)acked_events,
                (unsigned long long)p.data_segments, (unsigned long long)peer_timeouts,
                (unsigned long long)c.rx_at(driver::RxReason::kDropNoBuffer));
}
TEST(EngineHostData, HostSessionMovesDataBothWays) { host_session_moves_data_both_ways<Engine>(); }
TEST(EngineHostData512, HostSessionMovesDataBothWays) {
    host_session_moves_data_both_ways<Engine512>();
}

// Segments of an app-terminated and a host-terminated session, interleaved: each
// session's payload reaches its own consumer, whole and in order.
TEST(EngineHostData, AppAndHostSessionsSideBySide) {
    EngineSimOptions o;
    o.app_ready_percent = 60;
    o.host_ready_percent = 60;
    Engine e(o);
    configure_engine(e, kOurMac, kOurIp);
    struct Side {
        TcpPeer peer;
        uint32_t sid;
        Bytes sent;
    };
    Side sides[2];
    for (int i = 0; i < 2; i++) {
        Side& s = sides[i];
        s.sid = 30 + uint32_t(i);
        s.peer.tuple = {0x0a000610 + uint32_t(i), kOurIp, uint16_t(46100 + i), 8080};
        s.peer.mss = 1460;
        driver::SessionState st;
        st.rcv_nxt = 1001;
        st.rcv_wnd = 65535;
        st.snd_una = st.snd_nxt = 501;
        st.snd_wnd = st.max_snd_wnd = 65535;
        st.peer_mac = kPeerMac;
        st.mss = 1460;
        st.host_terminated = i == 1;
        ASSERT_EQ(engine_table_command(e, Kind::kInstall, s.sid, s.peer.tuple, st),
                  driver::TableResult::kInserted);
        s.peer.snd_nxt = 1001;
    }
    std::mt19937_64 rng(31);
    for (int k = 0; k < 40; k++) {
        Side& s = sides[k % 2];
        TcpFrameSpec f;
        f.src_ip = s.peer.tuple.remote_ip;
        f.dst_ip = kOurIp;
        f.src_port = s.peer.tuple.remote_port;
        f.dst_port = s.peer.tuple.local_port;
        f.seq = s.peer.snd_nxt;
        f.ack = 501;
        f.payload = random_bytes(rng, 1 + rng() % 1000);
        s.peer.snd_nxt += uint32_t(f.payload.size());
        s.sent.insert(s.sent.end(), f.payload.begin(), f.payload.end());
        e.send_frame(build_tcp_frame(f));
    }
    Bytes app, host;
    ASSERT_TRUE(e.run_until([&] {
        while (!e.events.empty()) {
            const auto* m = std::get_if<driver::Message>(&e.events.front());
            if (m && m->kind == Kind::kRxData && m->session == sides[1].sid)
                host.insert(host.end(), m->payload.begin(), m->payload.end());
            else
                ADD_FAILURE() << "unexpected event";
            e.events.pop_front();
        }
        return host.size() == sides[1].sent.size() && e.inputs_drained();
    }, 2000000)) << "host got " << host.size() << " of " << sides[1].sent.size();
    e.run(2000);
    for (const auto& pk : e.app_rx) {
        EXPECT_EQ(pk.session, sides[0].sid) << "a host session's bytes on the app stream";
        app.insert(app.end(), pk.bytes.begin(), pk.bytes.end());
    }
    EXPECT_TRUE(app == sides[0].sent) << "app session: " << app.size() << " of "
                                      << sides[0].sent.size() << " bytes";
    EXPECT_TRUE(host == sides[1].sent);
}

// APP_DATA that the engine cannot execute (an empty payload, a session id out of range)
// is drained and counted, and the link goes on: a PING behind it is answered.
TEST(EngineHostData, MalformedAppDataIsCountedNotExecuted) {
    Engine e;
    configure_engine(e, kOurMac, kOurIp);
    e.send_command(Kind::kAppData, 3, 0);
    e.send_command(Kind::kAppData, 1u << 20, 0, Bytes(100, 1));
    e.send_command(Kind::kPing, 9, 77, Bytes{1, 2, 3});
    const auto m = next_engine_message(e, 100000);
    EXPECT_EQ(m.kind, Kind::kPong);
    EXPECT_EQ(m.arg, 77);
    const auto c = read_engine_counters(e);
    EXPECT_EQ(c.unsupported_commands, 2u);
    EXPECT_TRUE(e.tx_frames.empty());
}

// A host session's PEER_FIN (or PEER_RST) reaches the host only after the payload of
// every segment decided before it, its own included, has left the payload store: after
// its last RX_DATA. A slow host link makes the payload lag the decision by many cycles.
template <class E>
void fin_follows_the_payload_before_it(uint8_t last_flag) {
    EngineSimOptions o;
    o.host_ready_percent = 20;
    o.app_ready_percent = 10;
    o.seed = 77;
    E e(o);
    configure_engine(e, kOurMac, kOurIp);
    TcpPeer p;
    p.tuple = {0x0a000620, kOurIp, 46200, 8080};
    constexpr uint32_t kSid = 9;
    const driver::SessionState st = fresh_session(true);
    ASSERT_EQ(engine_table_command(e, Kind::kInstall, kSid, p.tuple, st),
              driver::TableResult::kInserted);
    std::mt19937_64 rng(5);
    Bytes sent;
    uint32_t seq = 1001;
    for (int k = 0; k < 6; k++) {
        const Bytes payload = random_bytes(rng, 1200);
        sent.insert(sent.end(), payload.begin(), payload.end());
        // the last one carries the FIN / RST
        e.send_frame(peer_segment(p, seq, payload, k == 5 ? last_flag : 0));
        seq += uint32_t(payload.size());
    }
    const Kind want = last_flag == tcp_flags::kFin ? Kind::kPeerFin : Kind::kPeerRst;
    Bytes got;
    bool peer_event = false;
    ASSERT_TRUE(e.run_until([&] {
        for (const auto& pk : e.app_rx) got.insert(got.end(), pk.bytes.begin(), pk.bytes.end());
        e.app_rx.clear();
        while (!e.events.empty()) {
            const auto* m = std::get_if<driver::Message>(&e.events.front());
            EXPECT_NE(m, nullptr);
            if (m && m->kind == Kind::kRxData) {
                EXPECT_FALSE(peer_event) << "RX_DATA after the PEER event";
                got.insert(got.end(), m->payload.begin(), m->payload.end());
            } else if (m && m->kind == want) {
                EXPECT_EQ(got.size(), sent.size()) << "the event overtook the payload";
                peer_event = true;
            } else if (m) {
                ADD_FAILURE() << "unexpected event " << int(m->kind);
            }
            e.events.pop_front();
        }
        return peer_event;
    }, 2000000)) << "no event; " << got.size() << " of " << sent.size() << " bytes";
    EXPECT_TRUE(got == sent);
}
TEST(EngineHostData, PeerFinFollowsTheHostSessionsLastRxData) {
    fin_follows_the_payload_before_it<Engine>(tcp_flags::kFin);
}

// An app session's events do not wait for its app: one that takes nothing holds no
// PEER_FIN back (nor any other session's events behind it).
TEST(EngineHostData, AppSessionsPeerFinDoesNotWaitForItsApp) {
    EngineSimOptions o;
    o.app_ready_percent = 0;
    Engine e(o);
    configure_engine(e, kOurMac, kOurIp);
    TcpPeer p;
    p.tuple = {0x0a000621, kOurIp, 46201, 8080};
    const driver::SessionState st = fresh_session(false);
    ASSERT_EQ(engine_table_command(e, Kind::kInstall, 4, p.tuple, st),
              driver::TableResult::kInserted);
    std::mt19937_64 rng(6);
    e.send_frame(peer_segment(p, 1001, random_bytes(rng, 1000), tcp_flags::kFin));
    const auto m = next_engine_message(e, 100000);
    EXPECT_EQ(m.kind, Kind::kPeerFin);
    EXPECT_TRUE(e.app_rx.empty()) << "the app took nothing";
}
TEST(EngineHostData512, PeerFinFollowsTheHostSessionsLastRxData) {
    fin_follows_the_payload_before_it<Engine512>(tcp_flags::kFin);
}

// SEND_FIN right behind APP_DATA: the host may send FIN as soon as it has handed over
// its last bytes (a socket's close() with data still queued), while those bytes are
// still on their way into the TX buffer (2 KB chunks). The FIN must follow every byte
// of the APP_DATA before it: the peer gets them all, then the FIN at the byte after.
template <class E>
void fin_right_behind_app_data_follows_all_of_it() {
    EngineSimOptions o;
    o.seed = 17;
    E e(o);
    configure_engine(e, kOurMac, kOurIp);
    TcpPeer p = peer_at(0x0a000602, 46001, 8080, 1460);
    p.reassemble = true;
    constexpr uint32_t kSid = 6;
    driver::SessionState st = fresh_session(true);
    ASSERT_EQ(engine_table_command(e, Kind::kInstall, kSid, p.tuple, st),
              driver::TableResult::kInserted);
    p.rcv_nxt = st.snd_nxt;
    p.snd_nxt = st.rcv_nxt;
    PeerExchange<E> x(e);
    x.add(p);
    std::mt19937_64 rng(23);
    const Bytes data = random_bytes(rng, 7000);
    for (std::size_t off = 0; off < data.size(); off += 3500)
        e.send_command(Kind::kAppData, kSid, 0,
                       Bytes(data.begin() + long(off), data.begin() + long(off + 3500)));
    e.send_command(Kind::kSendFin, kSid, 0);
    ASSERT_TRUE(x.until([&] { return p.fin; }, 2'000'000)) << "no FIN";
    e.run(5000);
    EXPECT_EQ(p.received.size(), data.size()) << "bytes before the FIN";
    EXPECT_TRUE(p.received == data);
    EXPECT_EQ(p.rcv_nxt, st.snd_nxt + uint32_t(data.size()) + 1) << "the FIN is the byte after the data";
}
TEST(EngineHostData, FinRightBehindAppDataFollowsAllOfIt) {
    fin_right_behind_app_data_follows_all_of_it<Engine>();
}
TEST(EngineHostData512, FinRightBehindAppDataFollowsAllOfIt) {
    fin_right_behind_app_data_follows_all_of_it<Engine512>();
}

}  // namespace
}  // namespace ftoe::sim
