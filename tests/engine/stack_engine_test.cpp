// The host Stack on the Verilated engine (through SimLink, in simulated time), with a
// scripted peer on the engine's Ethernet side: ARP, the three-way handshake through the
// slow path and RAW_TX, INSTALL, data both ways in hardware (the engine's echo loop),
// and a close in either order, down to the session being removed from the engine (and,
// when we closed first, its TIME_WAIT entry living on in the host).
// The first end-to-end run of the control plane and the engine together.
#include <gtest/gtest.h>

#include <cstdio>
#include <functional>

#include "Vftoe_engine_64.h"
#include "engine_sim.hpp"
#include "packet.hpp"
#include "sim_link.hpp"
#include "stack.hpp"

namespace ftoe::sim {
namespace {

using Engine = EngineSim<Vftoe_engine_64, 64>;
constexpr uint64_t kClockHz = 156'250'000;
constexpr host::MacAddress kOurMac{0x02, 0, 0, 0, 0, 0x02};
constexpr host::MacAddress kPeerMac{0x02, 0, 0, 0, 0, 0x11};
constexpr uint32_t kOurIp = 0x0a000002, kPeerIp = 0x0a000011;
constexpr uint16_t kPeerPort = 40123, kPort = 80;

// The peer: answers ARP, parses everything the engine sends (checksums included).
struct Peer {
    uint32_t snd_nxt = 5000;  // after the SYN
    uint32_t rcv_nxt = 0;
    uint32_t tsval = 100, ts_recent = 0;
    std::vector<host::ParsedFrame> tcp;  // TCP frames received, in order
    host::Bytes data;  // payload received in order
    bool fin = false;

    host::Bytes segment(uint8_t flags, const host::Bytes& payload = {}, bool syn = false) {
        host::TcpSegmentSpec s;
        s.src_mac = kPeerMac;
        s.dst_mac = kOurMac;
        s.ip.src = kPeerIp;
        s.ip.dst = kOurIp;
        s.src_port = kPeerPort;
        s.dst_port = kPort;
        s.seq = syn ? snd_nxt - 1 : snd_nxt;
        s.ack = rcv_nxt;
        s.flags = flags;
        s.window = 65535;
        s.options.has_ts = true;
        s.options.tsval = ++tsval;
        s.options.tsecr = ts_recent;
        if (syn) {
            s.options.has_mss = true;
            s.options.mss = 1460;
            s.options.has_wscale = true;
            s.options.wscale = 0;
        }
        s.payload = payload;
        if (!syn) snd_nxt += uint32_t(payload.size()) + ((flags & host::tcp_bits::kFin) ? 1u : 0u);
        return host::build_tcp_frame(s);
    }
};

enum class CloseOrder { kPeerFirst, kWeFirst };

void handshake_echo_close(CloseOrder order) {
    EngineSimOptions o;
    o.deframe_events = false;  // the Stack's link deframes
    o.echo = true;
    o.seed = 12;
    Engine e(o);
    auto link = make_sim_link(e, kClockHz);
    e.run(40);
    host::StackConfig cfg;
    cfg.mac = kOurMac;
    cfg.ip = kOurIp;
    cfg.window_scaling = false;
    cfg.rcv_wnd = 65535;
    cfg.sessions = 4096;
    host::Stack stack(*link, cfg);
    ASSERT_TRUE(stack.start().ok());
    const auto listener = stack.listen(kPort, 0, host::Termination::kFpgaApp);
    ASSERT_TRUE(listener.ok());

    Peer peer;
    std::size_t seen = 0;
    // Steps the Stack (and with it the engine) and the peer until `done` or a budget of
    // simulated time runs out.
    const auto run = [&](const std::function<bool()>& done, int polls = 20000) {
        for (int i = 0; i < polls && !done(); i++) {
            const auto st = stack.poll(std::chrono::microseconds(2));
            EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
            for (; seen < e.tx_frames.size(); seen++) {
                const Bytes& f = e.tx_frames[seen];
                const auto p = host::parse_frame(f);
                EXPECT_TRUE(p.ok()) << "frame " << seen << ": " << host::parse_error_name(p.error);
                if (!p.ok()) continue;
                if (p.value.kind == host::FrameKind::kArp &&
                    p.value.arp.op == host::arp_op::kRequest && p.value.arp.target_ip == kPeerIp) {
                    host::ArpMessage req = p.value.arp;
                    e.send_frame(host::build_arp_reply(kPeerMac, req));
                    continue;
                }
                if (p.value.kind != host::FrameKind::kTcp) continue;
                const auto& t = p.value.tcp;
                peer.tcp.push_back(p.value);
                if (t.options.has_ts) peer.ts_recent = t.options.tsval;
                if (t.flags & host::tcp_bits::kSyn) {
                    peer.rcv_nxt = t.seq + 1;
                    continue;
                }
                if (p.value.payload_bytes > 0 && t.seq == peer.rcv_nxt) {
                    peer.data.insert(peer.data.end(), f.begin() + long(p.value.payload_offset),
                                     f.begin() + long(p.value.payload_offset + p.value.payload_bytes));
                    peer.rcv_nxt += uint32_t(p.value.payload_bytes);
                }
                if ((t.flags & host::tcp_bits::kFin) && t.seq + p.value.payload_bytes + 1 > peer.rcv_nxt) {
                    peer.rcv_nxt = t.seq + uint32_t(p.value.payload_bytes) + 1;
                    peer.fin = true;
                }
                if (p.value.payload_bytes > 0 || (t.flags & host::tcp_bits::kFin))
                    e.send_frame(peer.segment(host::tcp_bits::kAck));  // ACK what came
            }
        }
        return done();
    };

    run([] { return false; }, 50);  // SET_CONFIG crosses the host link first

    // SYN -> (ARP) -> SYN-ACK
    e.send_frame(peer.segment(host::tcp_bits::kSyn, {}, true));
    ASSERT_TRUE(run([&] { return peer.rcv_nxt != 0; }))
        << "no SYN-ACK: the Stack took " << stack.counters().frames_in << " frames ("
        << stack.counters().syns_received << " SYNs, " << stack.counters().frames_bad
        << " bad, " << stack.counters().frames_not_ours << " not ours), sent "
        << stack.counters().frames_sent << "; " << e.tx_frames.size()
        << " frames left the engine, " << stack.counters().deframe_errors << " deframe errors, "
        << stack.counters().unexpected_events << " unexpected events";
    const auto& synack = peer.tcp.back().tcp;
    EXPECT_EQ(synack.flags, host::tcp_bits::kSyn | host::tcp_bits::kAck);
    EXPECT_EQ(synack.ack, peer.snd_nxt);
    EXPECT_TRUE(synack.options.has_mss && synack.options.has_ts);
    // ACK -> INSTALL -> accept
    e.send_frame(peer.segment(host::tcp_bits::kAck));
    std::optional<host::SocketId> conn;
    ASSERT_TRUE(run([&] {
        if (!conn) conn = stack.accept(listener.value());
        return conn.has_value();
    })) << "no connection to accept";
    EXPECT_EQ(stack.state(*conn), host::TcpState::kEstablished);
    ASSERT_TRUE(stack.session_of(*conn).has_value());

    // Data in hardware: the engine's echo loop sends the peer's bytes back.
    host::Bytes sent;
    for (int k = 0; k < 10; k++) {
        host::Bytes b(700 + 37 * k);
        for (std::size_t i = 0; i < b.size(); i++) b[i] = uint8_t(i * 7 + k);
        sent.insert(sent.end(), b.begin(), b.end());
        e.send_frame(peer.segment(host::tcp_bits::kAck | host::tcp_bits::kPsh, b));
    }
    ASSERT_TRUE(run([&] { return peer.data.size() >= sent.size(); }))
        << "echo: " << peer.data.size() << " of " << sent.size() << " bytes";
    EXPECT_TRUE(peer.data == sent);

    if (order == CloseOrder::kPeerFirst) {
        // PEER_FIN -> CLOSE_WAIT; close() -> the engine's FIN -> the peer's ACK ->
        // ACKED(FIN) -> LAST_ACK done -> REMOVE -> CLOSED, no TIME_WAIT.
        e.send_frame(peer.segment(host::tcp_bits::kAck | host::tcp_bits::kFin));
        ASSERT_TRUE(run([&] { return stack.state(*conn) == host::TcpState::kCloseWait; }))
            << "state " << host::tcp_state_name(stack.state(*conn));
        ASSERT_TRUE(stack.close(*conn).ok());
        ASSERT_TRUE(run([&] { return stack.state(*conn) == host::TcpState::kClosed; }))
            << "state " << host::tcp_state_name(stack.state(*conn));
        EXPECT_EQ(stack.time_wait().counters().entries, 0u);
    } else {
        // close() -> the engine's FIN -> the peer's ACK -> ACKED(FIN): FIN_WAIT_2; the
        // peer's FIN -> TIME_WAIT: REMOVE frees the hardware slot at once, the 32-byte
        // entry lives on in the host and answers a retransmitted FIN itself.
        ASSERT_TRUE(stack.close(*conn).ok());
        ASSERT_TRUE(run([&] { return stack.state(*conn) == host::TcpState::kFinWait2; }))
            << "state " << host::tcp_state_name(stack.state(*conn));
        e.send_frame(peer.segment(host::tcp_bits::kAck | host::tcp_bits::kFin));
        ASSERT_TRUE(run([&] { return stack.free_sessions() == cfg.sessions; }))
            << "state " << host::tcp_state_name(stack.state(*conn));
        EXPECT_EQ(stack.time_wait().counters().entries, 1u) << "the TIME_WAIT entry";
        // the peer did not hear our ACK of its FIN: the host re-ACKs from the table
        const std::size_t before = peer.tcp.size();
        peer.snd_nxt -= 1;
        e.send_frame(peer.segment(host::tcp_bits::kAck | host::tcp_bits::kFin));
        ASSERT_TRUE(run([&] { return peer.tcp.size() > before; })) << "no re-ACK";
        EXPECT_EQ(peer.tcp.back().tcp.flags, host::tcp_bits::kAck);
        EXPECT_EQ(peer.tcp.back().tcp.ack, peer.snd_nxt) << "ACK of the FIN";
    }
    EXPECT_TRUE(peer.fin) << "the engine sent our FIN";
    EXPECT_EQ(stack.error(*conn), host::SocketError::kNone);
    EXPECT_EQ(stack.free_sessions(), cfg.sessions) << "the session id is free again";
    EXPECT_EQ(stack.counters().installs, 1u);
    EXPECT_EQ(stack.counters().removed_without_snapshot, 0u) << "REMOVED carries the state";
    std::printf("%zu frames from the engine, %llu of them RAW_TX from the Stack\n", seen,
                (unsigned long long)stack.counters().frames_sent);
}

TEST(StackOnEngine, HandshakeEchoThenPeerClosesFirst) {
    handshake_echo_close(CloseOrder::kPeerFirst);
}
TEST(StackOnEngine, HandshakeEchoThenWeCloseFirstAndTimeWaitLivesInTheHost) {
    handshake_echo_close(CloseOrder::kWeFirst);
}

}  // namespace
}  // namespace ftoe::sim
