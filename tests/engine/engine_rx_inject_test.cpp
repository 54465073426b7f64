// Cosim of RX_INJECT (64 and 512 bits): a frame the host hands the engine with RX_INJECT
// is received exactly as the same frame from the MAC. A data segment of an installed
// session injected on one engine and sent from the MAC on another gives the same payload
// to the app, the same ACK on MAC TX and the same counters, except rx_injected; a
// malformed frame injected is dropped and counted by its reason as a MAC one is; an
// empty or over-long RX_INJECT is not executed (counted as unsupported).
#include <gtest/gtest.h>

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
using driver::RxReason;
using Engine = EngineSim<Vftoe_engine_64, 64>;
using Engine512 = EngineSim<Vftoe_engine_512, 512>;
using test::kOurIp;
using test::kOurMac;
using test::kPeerMac;
using test::random_bytes;
using test::TcpPeer;

constexpr uint32_t kSid = 7;

TcpPeer peer() {
    TcpPeer p;
    p.tuple = {0x0a000701, kOurIp, 47000, 8080};
    p.snd_nxt = 1001;
    p.rcv_nxt = 501;
    p.mss = 1460;
    return p;
}

template <class E>
void install(E& e, const TcpPeer& p) {
    driver::SessionState st;
    st.rcv_nxt = 1001;
    st.rcv_wnd = 65535;
    st.snd_una = st.snd_nxt = 501;
    st.snd_wnd = st.max_snd_wnd = 65535;
    st.peer_mac = kPeerMac;
    st.mss = 1460;
    ASSERT_EQ(engine_table_command(e, Kind::kInstall, kSid, p.tuple, st),
              driver::TableResult::kInserted);
}

// The same segments, from the MAC on one engine and by RX_INJECT on the other.
template <class E>
void injected_segment_is_received_like_a_mac_one() {
    E mac_side, inj_side;
    std::mt19937_64 rng(31);
    TcpPeer p = peer();
    std::vector<Bytes> frames;
    for (int k = 0; k < 3; k++) frames.push_back(p.data_frame(random_bytes(rng, 300 + 500 * k)));
    frames.push_back(p.data_frame(random_bytes(rng, 1400)));
    ASSERT_LE(frames.back().size(), driver::kMaxInject);
    for (E* e : {&mac_side, &inj_side}) {
        configure_engine(*e, kOurMac, kOurIp);
        install(*e, peer());
        // one at a time, each delivered and ACKed before the next
        for (std::size_t k = 0; k < frames.size(); k++) {
            if (e == &mac_side) e->send_frame(frames[k]);
            else e->send_command(Kind::kRxInject, driver::kNoSession, 0, frames[k]);
            ASSERT_TRUE(e->run_until([&] { return e->app_rx.size() == k + 1 &&
                                                  e->tx_frames.size() == k + 1; }, 100000))
                << (e == &mac_side ? "MAC" : "injected") << " segment " << k << ": "
                << e->app_rx.size() << " packets to the app, " << e->tx_frames.size()
                << " frames out";
            e->run(500);
        }
    }
    ASSERT_EQ(mac_side.app_rx.size(), inj_side.app_rx.size());
    for (std::size_t i = 0; i < mac_side.app_rx.size(); i++) {
        EXPECT_TRUE(mac_side.app_rx[i].bytes == inj_side.app_rx[i].bytes) << "packet " << i;
        EXPECT_EQ(mac_side.app_rx[i].session, inj_side.app_rx[i].session) << "packet " << i;
    }
    ASSERT_EQ(mac_side.tx_frames.size(), inj_side.tx_frames.size()) << "ACKs differ";
    for (std::size_t i = 0; i < mac_side.tx_frames.size(); i++)
        EXPECT_TRUE(mac_side.tx_frames[i] == inj_side.tx_frames[i]) << "MAC TX frame " << i;
    // The last ACK acknowledges everything.
    TcpPeer check = peer();
    for (const auto& f : mac_side.tx_frames) check.receive(f, 0);
    EXPECT_EQ(check.their_ack, p.snd_nxt);
    const auto cm = read_engine_counters(mac_side);
    const auto ci = read_engine_counters(inj_side);
    EXPECT_EQ(cm.rx_injected, 0u);
    EXPECT_EQ(ci.rx_injected, frames.size());
    EXPECT_EQ(ci.rx_at(RxReason::kTcp), frames.size());
    EXPECT_EQ(cm.rx, ci.rx);
    EXPECT_EQ(cm.seg, ci.seg);
    EXPECT_EQ(cm.acks_sent, ci.acks_sent);
    EXPECT_EQ(ci.unsupported_commands, 0u);
}
TEST(EngineRxInject, InjectedSegmentIsReceivedLikeAMacOne) {
    injected_segment_is_received_like_a_mac_one<Engine>();
}
TEST(EngineRxInject512, InjectedSegmentIsReceivedLikeAMacOne) {
    injected_segment_is_received_like_a_mac_one<Engine512>();
}

// A frame with a broken TCP checksum and one for another address: dropped, counted by
// reason; nothing reaches the app or MAC TX. Empty and 2049-byte RX_INJECTs are drained.
template <class E>
void malformed_injected_frames_are_dropped_by_reason() {
    E e;
    configure_engine(e, kOurMac, kOurIp);
    install(e, peer());
    std::mt19937_64 rng(32);
    TcpPeer p = peer();
    Bytes bad_csum = p.data_frame(random_bytes(rng, 200));
    bad_csum.back() ^= 0x5A;  // payload byte: the TCP checksum no longer holds
    TcpPeer q = peer();
    q.tuple.local_ip = kOurIp + 1;
    const Bytes not_ours = q.data_frame(random_bytes(rng, 100));
    e.send_command(Kind::kRxInject, driver::kNoSession, 0, bad_csum);
    e.send_command(Kind::kRxInject, driver::kNoSession, 0, not_ours);
    e.send_command(Kind::kRxInject, driver::kNoSession, 0);
    e.send_command(Kind::kRxInject, driver::kNoSession, 0, Bytes(driver::kMaxInject + 1, 0));
    e.send_command(Kind::kPing, 9, 77, Bytes{1, 2, 3});
    const auto m = next_engine_message(e, 200000);
    EXPECT_EQ(m.kind, Kind::kPong);
    e.run(1000);
    const auto c = read_engine_counters(e);
    EXPECT_EQ(c.rx_injected, 2u);
    EXPECT_EQ(c.rx_at(RxReason::kDropTcpChecksum), 1u);
    EXPECT_EQ(c.rx_at(RxReason::kDropNotOurIp), 1u);
    EXPECT_EQ(c.rx_total(), 2u);
    EXPECT_EQ(c.unsupported_commands, 2u);
    EXPECT_TRUE(e.app_rx.empty());
    EXPECT_TRUE(e.tx_frames.empty());
}
TEST(EngineRxInject, MalformedInjectedFramesAreDroppedByReason) {
    malformed_injected_frames_are_dropped_by_reason<Engine>();
}
TEST(EngineRxInject512, MalformedInjectedFramesAreDroppedByReason) {
    malformed_injected_frames_are_dropped_by_reason<Engine512>();
}

}  // namespace
}  // namespace ftoe::sim
