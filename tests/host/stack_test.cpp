// Stack (stack.hpp) against a FakeLink with a fake clock. Every frame the Stack sends is
// parsed back with packet.hpp (parse_frame verifies the IPv4/TCP/ICMP checksums, so a
// parsed frame is a correctly checksummed one) and checked field by field; INSTALL
// payloads are compared byte for byte with install_payload() of the state the handshake
// negotiated; retransmission times are checked on the fake clock to the nanosecond.
#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "engine_messages.hpp"
#include "fake_link.hpp"
#include "stack.hpp"

namespace ftoe::host {
namespace {

using driver::Kind;
using std::chrono::milliseconds;
using std::chrono::nanoseconds;
using std::chrono::seconds;

constexpr MacAddress kOurMac{0x02, 0, 0, 0, 0, 0x01};
constexpr MacAddress kPeerMac{0x52, 0x54, 0x00, 0x12, 0x34, 0x56};
constexpr uint32_t kOurIp = 0x0A000001;   // 10.0.0.1
constexpr uint32_t kPeerIp = 0x0A000002;  // 10.0.0.2
constexpr uint64_t kPeerMac64 = 0x525400123456ull;
constexpr uint32_t kSessions = 4;

driver::Bytes snapshot(uint32_t snd_nxt, uint32_t rcv_nxt, uint32_t ts_recent) {
    driver::Bytes b;
    for (uint32_t v : {snd_nxt, rcv_nxt, ts_recent})
        for (int s = 24; s >= 0; s -= 8) b.push_back(uint8_t(v >> s));
    return b;
}

driver::FourTuple engine_tuple(const FourTuple& t) {
    return {t.remote_ip, t.local_ip, t.remote_port, t.local_port};
}

// The session a handshake installs with no TCP options (the test adds what it saw):
// the peer's next byte rcv_nxt, our ISS, the peer's window `snd_wnd` (scaled) last
// updated by its segment at `snd_wl1`; the host's 1 MB receive window and MSS `mss`,
// host-terminated (Termination::kHost, the default).
driver::SessionState installed(uint32_t rcv_nxt, uint32_t snd_wl1, uint32_t iss,
                               uint32_t snd_wnd, uint16_t mss) {
    driver::SessionState st;
    st.rcv_nxt = rcv_nxt;
    st.rcv_wnd = 1u << 20;
    st.snd_una = st.snd_nxt = iss + 1;
    st.snd_wnd = st.max_snd_wnd = snd_wnd;
    st.snd_wl1 = snd_wl1;
    st.snd_wl2 = iss + 1;
    st.peer_mac = kPeerMac64;
    st.mss = mss;
    st.host_terminated = true;
    return st;
}

class StackTest : public ::testing::Test {
protected:
    void SetUp() override {
        cfg.mac = kOurMac;
        cfg.ip = kOurIp;
        cfg.sessions = kSessions;
        cfg.seed = 42;
        cfg.syn_rto_ns = 1'000'000'000;
        cfg.syn_retries = 3;
        cfg.synack_retries = 2;
        cfg.two_msl_ns = 60'000'000'000;
        cfg.arp.retry_interval_ns = 1'000'000'000;
        cfg.arp.requests = 3;
    }
    void make() {
        link.set_now(seconds(100));
        stack = std::make_unique<Stack>(link, cfg);
        ASSERT_TRUE(stack->start().ok());
        link.take_sent();
    }
    void step() { ASSERT_TRUE(stack->poll().ok()); }

    // The peer's frame into the Stack as a SLOW_PATH event.
    void inject(const Bytes& frame) { link.inject(Kind::kSlowPath, driver::kNoSession, 0, frame); }
    TcpSegmentSpec from_peer(uint16_t sport, uint16_t dport, uint8_t flags, uint32_t seq,
                             uint32_t ack) const {
        TcpSegmentSpec s;
        s.src_mac = kPeerMac;
        s.dst_mac = kOurMac;
        s.ip.src = kPeerIp;
        s.ip.dst = kOurIp;
        s.src_port = sport;
        s.dst_port = dport;
        s.flags = flags;
        s.seq = seq;
        s.ack = ack;
        s.window = 29200;
        return s;
    }
    void send_peer(const TcpSegmentSpec& s) {
        inject(build_tcp_frame(s));
        step();
    }
    // The peer asks for our MAC: the Stack learns the peer's.
    void prime_arp() {
        ArpMessage m;
        m.op = arp_op::kRequest;
        m.sender_mac = kPeerMac;
        m.sender_ip = kPeerIp;
        m.target_ip = kOurIp;
        inject(build_arp_frame(kBroadcastMac, m));
        step();
        link.take_sent();
    }
    // The peer at port 4000 completes a handshake with the listener on 80 (SYN at 100,
    // then the final ACK): our ISS and the session of the INSTALL now in flight.
    struct Handshake {
        uint32_t iss = 0;
        uint32_t session = 0;
    };
    Handshake handshake_to_install() {
        send_peer(from_peer(4000, 80, tcp_bits::kSyn, 100, 0));
        Handshake h;
        h.iss = sent().frames.at(0).tcp.seq;
        send_peer(from_peer(4000, 80, tcp_bits::kAck, 101, h.iss + 1));
        const Sent s = sent();
        EXPECT_EQ(s.cmds.size(), 1u) << "the INSTALL";
        h.session = s.cmds.at(0).session;
        return h;
    }
    // connect() to kPeerIp:80 once the peer's MAC is known: the socket (in SYN-SENT), its
    // local port and its ISS, from the SYN taken off the link.
    struct SynSent {
        SocketId sock = 0;
        uint16_t lport = 0;
        uint32_t iss = 0;
    };
    SynSent syn_sent() {
        SynSent c;
        c.sock = stack->connect(kPeerIp, 80).value();
        c.lport = stack->tuple(c.sock)->local_port;
        c.iss = sent().frames.at(0).tcp.seq;
        return c;
    }
    // The frames the Stack handed the engine with RX_INJECT since the last look.
    std::vector<Bytes> injected() {
        std::vector<Bytes> out;
        for (const auto& m : link.take_sent())
            if (m.kind == Kind::kRxInject) out.push_back(m.payload);
        return out;
    }
    // The peer answers the Stack's ARP request.
    void answer_arp() {
        ArpMessage reply;
        reply.op = arp_op::kReply;
        reply.sender_mac = kPeerMac;
        reply.sender_ip = kPeerIp;
        reply.target_mac = kOurMac;
        reply.target_ip = kOurIp;
        inject(build_arp_frame(kOurMac, reply));
        step();
    }

    // Commands sent since the last call, with RAW_TX frames parsed (checksums verified).
    struct Sent {
        std::vector<driver::Message> cmds;  // non-RAW_TX
        std::vector<ParsedFrame> frames;
        std::vector<Bytes> raw;
    };
    Sent sent() {
        Sent out;
        for (auto& m : link.take_sent()) {
            if (m.kind != Kind::kRawTx) {
                out.cmds.push_back(m);
                continue;
            }
            EXPECT_EQ(m.session, driver::kNoSession);
            auto p = parse_frame(m.payload);
            EXPECT_TRUE(p.ok()) << "RAW_TX frame #" << out.frames.size()
                                << " does not parse: " << parse_error_name(p.error);
            out.frames.push_back(p.value);
            out.raw.push_back(m.payload);
        }
        return out;
    }
    // One TCP frame to the peer with these header fields.
    static void expect_tcp(const ParsedFrame& f, uint16_t sport, uint16_t dport, uint8_t flags,
                           uint32_t seq, uint32_t ack) {
        ASSERT_EQ(f.kind, FrameKind::kTcp);
        EXPECT_EQ(f.eth.src, kOurMac);
        EXPECT_EQ(f.eth.dst, kPeerMac);
        EXPECT_EQ(f.ip.src, kOurIp);
        EXPECT_EQ(f.ip.dst, kPeerIp);
        EXPECT_EQ(f.ip.ttl, kDefaultTtl);
        EXPECT_TRUE(f.ip.df);
        EXPECT_EQ(f.tcp.src_port, sport);
        EXPECT_EQ(f.tcp.dst_port, dport);
        EXPECT_EQ(f.tcp.flags, flags) << "flags 0x" << std::hex << int(f.tcp.flags);
        EXPECT_EQ(f.tcp.seq, seq);
        EXPECT_EQ(f.tcp.ack, ack);
        EXPECT_EQ(f.payload_bytes, 0u);
    }

    // An active open to kPeerIp:80 up to ESTABLISHED (peer offers MSS 1400, WS 5, TS).
    struct Open {
        SocketId sock = 0;
        FourTuple tuple;
        uint32_t iss = 0, irs = 0, session = 0;
    };
    Open open_active(uint32_t peer_isn = 7000) {
        Open o;
        auto r = stack->connect(kPeerIp, 80);
        EXPECT_TRUE(r.ok());
        o.sock = r.value();
        o.tuple = *stack->tuple(o.sock);
        Sent s = sent();
        EXPECT_EQ(s.frames.size(), 1u);
        o.iss = s.frames.at(0).tcp.seq;
        o.irs = peer_isn;
        TcpSegmentSpec sa = from_peer(80, o.tuple.local_port, tcp_bits::kSyn | tcp_bits::kAck,
                                      peer_isn, o.iss + 1);
        sa.options.has_mss = true;
        sa.options.mss = 1400;
        sa.options.has_wscale = true;
        sa.options.wscale = 5;
        sa.options.has_ts = true;
        sa.options.tsval = 1000;
        sa.options.tsecr = s.frames.at(0).tcp.options.tsval;
        send_peer(sa);
        Sent s2 = sent();
        EXPECT_EQ(s2.cmds.size(), 1u);
        o.session = s2.cmds.at(0).session;
        link.inject(Kind::kInstalled, o.session, uint16_t(driver::TableResult::kInserted));
        step();
        EXPECT_EQ(stack->state(o.sock), TcpState::kEstablished);
        stack->take_events();
        return o;
    }

    testing::FakeLink link;
    StackConfig cfg;
    std::unique_ptr<Stack> stack;
};

// ---- start, ARP, ICMP ----

TEST_F(StackTest, StartSendsSetConfigWithOurMacAndAddress) {
    link.set_now(seconds(1));
    Stack s(link, cfg);
    ASSERT_TRUE(s.start().ok());
    auto cmds = link.take_sent();
    ASSERT_EQ(cmds.size(), 1u);
    EXPECT_EQ(cmds[0].kind, Kind::kSetConfig);
    EXPECT_EQ(cmds[0].payload, driver::set_config_payload(0x020000000001ull, kOurIp));
}

TEST_F(StackTest, StartSendsTheEngineTimersWhenConfigured) {
    driver::EngineTimers t;
    t.rto_min = 5000;
    t.delayed_ack = true;
    cfg.engine_timers = t;
    Stack s(link, cfg);
    ASSERT_TRUE(s.start().ok());
    auto cmds = link.take_sent();
    ASSERT_EQ(cmds.size(), 1u);
    EXPECT_EQ(cmds[0].kind, Kind::kSetConfig);
    EXPECT_EQ(cmds[0].payload, driver::set_config_payload(0x020000000001ull, kOurIp, t));
    EXPECT_EQ(cmds[0].payload.size(), driver::kConfigTimersBytes);
}

TEST_F(StackTest, ArpRequestForOurAddressIsAnsweredAndOthersAreNot) {
    make();
    ArpMessage m;
    m.op = arp_op::kRequest;
    m.sender_mac = kPeerMac;
    m.sender_ip = kPeerIp;
    m.target_ip = kOurIp + 7;  // someone else
    inject(build_arp_frame(kBroadcastMac, m));
    step();
    EXPECT_TRUE(sent().frames.empty());
    m.target_ip = kOurIp;
    inject(build_arp_frame(kBroadcastMac, m));
    step();
    Sent s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    const ParsedFrame& f = s.frames[0];
    ASSERT_EQ(f.kind, FrameKind::kArp);
    EXPECT_EQ(f.eth.dst, kPeerMac);
    EXPECT_EQ(f.arp.op, arp_op::kReply);
    EXPECT_EQ(f.arp.sender_mac, kOurMac);
    EXPECT_EQ(f.arp.sender_ip, kOurIp);
    EXPECT_EQ(f.arp.target_mac, kPeerMac);
    EXPECT_EQ(f.arp.target_ip, kPeerIp);
    EXPECT_EQ(stack->arp().lookup(kPeerIp), std::optional<MacAddress>(kPeerMac));
}

TEST_F(StackTest, IcmpEchoRequestGetsAnEchoReply) {
    make();
    IcmpEchoSpec e;
    e.src_mac = kPeerMac;
    e.dst_mac = kOurMac;
    e.ip.src = kPeerIp;
    e.ip.dst = kOurIp;
    e.id = 0x1234;
    e.seq = 7;
    e.data = {1, 2, 3, 4, 5};
    inject(build_icmp_echo_frame(e));
    step();
    Sent s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    const ParsedFrame& f = s.frames[0];
    ASSERT_EQ(f.kind, FrameKind::kIcmp);
    EXPECT_EQ(f.icmp.type, icmp_type::kEchoReply);
    EXPECT_EQ(f.icmp.echo_id(), 0x1234);
    EXPECT_EQ(f.icmp.echo_seq(), 7);
    EXPECT_EQ(f.ip.src, kOurIp);
    EXPECT_EQ(f.ip.dst, kPeerIp);
    EXPECT_EQ(f.eth.dst, kPeerMac);
    ASSERT_EQ(f.payload_bytes, 5u);
    EXPECT_EQ(s.raw[0][f.payload_offset + 4], 5);
    EXPECT_EQ(stack->counters().icmp_echo_replies, 1u);
}

// ---- active open ----

TEST_F(StackTest, ConnectResolvesThePeerWithArpBeforeSendingTheSyn) {
    make();
    auto r = stack->connect(kPeerIp, 80);
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(stack->state(r.value()), TcpState::kSynSent);
    Sent s = sent();
    ASSERT_EQ(s.frames.size(), 1u) << "only the ARP request, the SYN waits";
    ASSERT_EQ(s.frames[0].kind, FrameKind::kArp);
    EXPECT_EQ(s.frames[0].eth.dst, kBroadcastMac);
    EXPECT_EQ(s.frames[0].arp.op, arp_op::kRequest);
    EXPECT_EQ(s.frames[0].arp.target_ip, kPeerIp);
    EXPECT_EQ(s.frames[0].arp.sender_ip, kOurIp);

    answer_arp();
    s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    const FourTuple t = *stack->tuple(r.value());
    EXPECT_GE(t.local_port, cfg.ports.first);
    EXPECT_LE(t.local_port, cfg.ports.last);
    const ParsedFrame& syn = s.frames[0];
    expect_tcp(syn, t.local_port, 80, tcp_bits::kSyn, syn.tcp.seq, 0);
    EXPECT_EQ(syn.tcp.window, 65535);
    EXPECT_TRUE(syn.tcp.options.has_mss);
    EXPECT_EQ(syn.tcp.options.mss, 1460);
    EXPECT_TRUE(syn.tcp.options.has_wscale);
    EXPECT_EQ(syn.tcp.options.wscale, 7);
    EXPECT_TRUE(syn.tcp.options.has_ts);
    EXPECT_EQ(syn.tcp.options.tsval, stack->ts_now());
    EXPECT_EQ(syn.tcp.options.tsecr, 0u);
    EXPECT_FALSE(syn.tcp.options.sack_permitted);
}

TEST_F(StackTest, ArpFailureFailsTheConnectWithHostUnreachable) {
    make();
    SocketId s = stack->connect(kPeerIp, 80).value();
    for (int i = 0; i < 3; i++) {
        link.advance(seconds(1));
        step();
    }
    EXPECT_EQ(stack->state(s), TcpState::kClosed);
    EXPECT_EQ(stack->error(s), SocketError::kHostUnreachable);
    auto ev = stack->take_events();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].kind, SocketEventKind::kClosed);
}

TEST_F(StackTest, SynAckIsAckedAndTheNegotiatedSessionInstalled) {
    make();
    prime_arp();
    SocketId sock = stack->connect(kPeerIp, 80).value();
    const FourTuple t = *stack->tuple(sock);
    Sent s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    const uint32_t iss = s.frames[0].tcp.seq;
    const uint32_t our_tsval = s.frames[0].tcp.options.tsval;
    link.advance(milliseconds(3));
    TcpSegmentSpec sa = from_peer(80, t.local_port, tcp_bits::kSyn | tcp_bits::kAck, 5555, iss + 1);
    sa.window = 29200;
    sa.options.has_mss = true;
    sa.options.mss = 1400;
    sa.options.has_wscale = true;
    sa.options.wscale = 5;
    sa.options.has_ts = true;
    sa.options.tsval = 1000;
    sa.options.tsecr = our_tsval;
    send_peer(sa);
    s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    expect_tcp(s.frames[0], t.local_port, 80, tcp_bits::kAck, iss + 1, 5556);
    EXPECT_EQ(s.frames[0].tcp.window, (1u << 20) >> 7);
    EXPECT_TRUE(s.frames[0].tcp.options.has_ts);
    EXPECT_EQ(s.frames[0].tcp.options.tsecr, 1000u);
    EXPECT_EQ(s.frames[0].tcp.options.tsval, our_tsval + 3);
    ASSERT_EQ(s.cmds.size(), 1u);
    EXPECT_EQ(s.cmds[0].kind, Kind::kInstall);
    EXPECT_LT(s.cmds[0].session, kSessions);
    // a SYN-ACK's window is never scaled
    driver::SessionState st = installed(5556, 5555, iss, 29200, 1400);
    st.snd_wscale = 5;
    st.timestamps = true;
    st.ts_recent = 1000;
    st.rcv_wscale = 7;
    st.tsval_now = our_tsval + 3;
    EXPECT_EQ(s.cmds[0].payload, driver::install_payload(engine_tuple(t), st));
    EXPECT_EQ(stack->state(sock), TcpState::kSynSent) << "ESTABLISHED only once installed";
    EXPECT_TRUE(stack->take_events().empty());

    link.inject(Kind::kInstalled, s.cmds[0].session, uint16_t(driver::TableResult::kInserted));
    step();
    EXPECT_EQ(stack->state(sock), TcpState::kEstablished);
    EXPECT_EQ(stack->session_of(sock), s.cmds[0].session);
    auto ev = stack->take_events();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].socket, sock);
    EXPECT_EQ(ev[0].kind, SocketEventKind::kConnected);
    EXPECT_EQ(stack->free_sessions(), kSessions - 1);
}

TEST_F(StackTest, SynIsRetransmittedWithExponentialBackoffThenTimesOut) {
    make();
    prime_arp();
    const auto t0 = link.now();
    SocketId sock = stack->connect(kPeerIp, 80).value();
    const uint32_t iss = sent().frames.at(0).tcp.seq;
    // retransmission k at t0 + (2^k - 1) s; failure after the third, at t0 + 15 s
    const int64_t due_s[] = {1, 3, 7};
    for (int64_t due : due_s) {
        link.set_now(t0 + seconds(due) - nanoseconds(1));
        step();
        EXPECT_TRUE(sent().frames.empty()) << "nothing before " << due << " s";
        link.set_now(t0 + seconds(due));
        step();
        Sent s = sent();
        ASSERT_EQ(s.frames.size(), 1u) << "retransmission at " << due << " s";
        EXPECT_EQ(s.frames[0].tcp.flags, tcp_bits::kSyn);
        EXPECT_EQ(s.frames[0].tcp.seq, iss);
    }
    link.set_now(t0 + seconds(15) - nanoseconds(1));
    step();
    EXPECT_EQ(stack->state(sock), TcpState::kSynSent);
    link.set_now(t0 + seconds(15));
    step();
    EXPECT_TRUE(sent().frames.empty());
    EXPECT_EQ(stack->state(sock), TcpState::kClosed);
    EXPECT_EQ(stack->error(sock), SocketError::kTimedOut);
    EXPECT_EQ(stack->counters().syn_retransmits, 3u);
    auto ev = stack->take_events();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].kind, SocketEventKind::kClosed);
    EXPECT_TRUE(stack->release(sock).ok());
}

TEST_F(StackTest, RstWithAcceptableAckRefusesTheConnect) {
    make();
    prime_arp();
    const auto [sock, lport, iss] = syn_sent();
    // an ACK that does not ack our SYN: <SEQ=SEG.ACK><CTL=RST>, stay in SYN-SENT
    send_peer(from_peer(80, lport, tcp_bits::kAck, 1, iss + 77));
    Sent s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    expect_tcp(s.frames[0], lport, 80, tcp_bits::kRst, iss + 77, 0);
    // a RST with an unacceptable ACK is ignored
    send_peer(from_peer(80, lport, tcp_bits::kRst | tcp_bits::kAck, 0, iss + 5));
    EXPECT_EQ(stack->state(sock), TcpState::kSynSent);
    EXPECT_TRUE(sent().frames.empty());
    send_peer(from_peer(80, lport, tcp_bits::kRst | tcp_bits::kAck, 0, iss + 1));
    EXPECT_TRUE(sent().frames.empty()) << "no RST in reply to a RST";
    EXPECT_EQ(stack->state(sock), TcpState::kClosed);
    EXPECT_EQ(stack->error(sock), SocketError::kRefused);
}

TEST_F(StackTest, SimultaneousOpenGoesThroughSynReceived) {
    make();
    prime_arp();
    const auto [sock, lport, iss] = syn_sent();
    TcpSegmentSpec syn = from_peer(80, lport, tcp_bits::kSyn, 9000, 0);
    syn.options.has_mss = true;
    syn.options.mss = 1200;
    send_peer(syn);
    EXPECT_EQ(stack->state(sock), TcpState::kSynReceived);
    Sent s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    expect_tcp(s.frames[0], lport, 80, tcp_bits::kSyn | tcp_bits::kAck, iss, 9001);
    EXPECT_TRUE(s.frames[0].tcp.options.has_mss);
    EXPECT_FALSE(s.frames[0].tcp.options.has_wscale) << "the peer's SYN offered no WS";
    EXPECT_FALSE(s.frames[0].tcp.options.has_ts);
    // the peer's SYN-ACK completes it
    send_peer(from_peer(80, lport, tcp_bits::kSyn | tcp_bits::kAck, 9000, iss + 1));
    s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    expect_tcp(s.frames[0], lport, 80, tcp_bits::kAck, iss + 1, 9001);
    ASSERT_EQ(s.cmds.size(), 1u);
    ASSERT_EQ(s.cmds[0].kind, Kind::kInstall);
    driver::SessionState st = installed(9001, 9000, iss, 29200, 1200);
    st.tsval_now = stack->ts_now();
    EXPECT_EQ(s.cmds[0].payload, driver::install_payload(engine_tuple(*stack->tuple(sock)), st));
    link.inject(Kind::kInstalled, s.cmds[0].session, uint16_t(driver::TableResult::kStashed));
    step();
    EXPECT_EQ(stack->state(sock), TcpState::kEstablished);
}

// RFC 9293 §3.10.4: CLOSE in SYN-RECEIVED is queued until ESTABLISHED, then the FIN goes
// (figure 5: SYN-RCVD --CLOSE/snd FIN--> FIN-WAIT-1).
TEST_F(StackTest, CloseInSynReceivedSendsTheFinOnceEstablished) {
    make();
    prime_arp();
    const auto [sock, lport, iss] = syn_sent();
    send_peer(from_peer(80, lport, tcp_bits::kSyn, 9000, 0));
    ASSERT_EQ(stack->state(sock), TcpState::kSynReceived);
    link.take_sent();
    ASSERT_TRUE(stack->close(sock).ok());
    EXPECT_EQ(stack->state(sock), TcpState::kSynReceived);
    EXPECT_TRUE(sent().frames.empty()) << "no RST: the close waits for the handshake";
    send_peer(from_peer(80, lport, tcp_bits::kSyn | tcp_bits::kAck, 9000, iss + 1));
    Sent s = sent();
    ASSERT_EQ(s.cmds.size(), 1u);
    ASSERT_EQ(s.cmds[0].kind, Kind::kInstall);
    link.inject(Kind::kInstalled, s.cmds[0].session, 0);
    step();
    s = sent();
    ASSERT_EQ(s.cmds.size(), 1u);
    EXPECT_EQ(s.cmds[0].kind, Kind::kSendFin);
    EXPECT_EQ(stack->state(sock), TcpState::kFinWait1);
    EXPECT_TRUE(stack->take_events().empty()) << "no kConnected for a socket already closed";
}

// ---- passive open ----

TEST_F(StackTest, SynToListenerGetsNegotiatedSynAckAndFinalAckInstalls) {
    cfg.sack_permitted = true;
    make();
    prime_arp();
    SocketId l = stack->listen(80).value();
    EXPECT_EQ(stack->state(l), TcpState::kListen);
    TcpSegmentSpec syn = from_peer(4000, 80, tcp_bits::kSyn, 100, 0);
    syn.options.has_mss = true;
    syn.options.mss = 1400;
    syn.options.has_wscale = true;
    syn.options.wscale = 3;
    syn.options.sack_permitted = true;
    syn.options.has_ts = true;
    syn.options.tsval = 5000;
    send_peer(syn);
    Sent s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    const ParsedFrame& sa = s.frames[0];
    const uint32_t iss = sa.tcp.seq;
    expect_tcp(sa, 80, 4000, tcp_bits::kSyn | tcp_bits::kAck, iss, 101);
    EXPECT_EQ(sa.tcp.window, 65535);
    EXPECT_EQ(sa.tcp.options.mss, 1460);
    EXPECT_TRUE(sa.tcp.options.has_wscale);
    EXPECT_EQ(sa.tcp.options.wscale, 7);
    EXPECT_TRUE(sa.tcp.options.sack_permitted);
    EXPECT_TRUE(sa.tcp.options.has_ts);
    EXPECT_EQ(sa.tcp.options.tsecr, 5000u);
    EXPECT_EQ(sa.tcp.options.tsval, stack->ts_now());
    EXPECT_FALSE(stack->accept(l).has_value());

    link.advance(milliseconds(2));
    TcpSegmentSpec ack = from_peer(4000, 80, tcp_bits::kAck, 101, iss + 1);
    ack.window = 1000;
    ack.options.has_ts = true;
    ack.options.tsval = 5001;
    ack.options.tsecr = sa.tcp.options.tsval;
    send_peer(ack);
    s = sent();
    EXPECT_TRUE(s.frames.empty());
    ASSERT_EQ(s.cmds.size(), 1u);
    ASSERT_EQ(s.cmds[0].kind, Kind::kInstall);
    driver::SessionState st = installed(101, 101, iss, 1000u << 3, 1400);
    st.snd_wscale = 3;
    st.timestamps = true;
    st.ts_recent = 5001;
    st.rcv_wscale = 7;
    st.tsval_now = stack->ts_now();
    const FourTuple t{kPeerIp, kOurIp, 4000, 80};
    EXPECT_EQ(s.cmds[0].payload, driver::install_payload(engine_tuple(t), st));
    EXPECT_FALSE(stack->accept(l).has_value()) << "not before INSTALLED";

    link.inject(Kind::kInstalled, s.cmds[0].session, uint16_t(driver::TableResult::kInserted));
    step();
    auto ev = stack->take_events();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].socket, l);
    EXPECT_EQ(ev[0].kind, SocketEventKind::kAcceptable);
    auto c = stack->accept(l);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(stack->state(*c), TcpState::kEstablished);
    EXPECT_EQ(*stack->tuple(*c), t);
    EXPECT_FALSE(stack->accept(l).has_value());
}

// While INSTALL is in flight the engine's table misses the connection: the peer's
// segments with data (the final ACK's own payload, and what follows) are held and, on
// INSTALLED ok, handed to the engine with RX_INJECT, whole and in arrival order; a pure
// ACK meanwhile is not held, nor is anything for another tuple.
TEST_F(StackTest, DataWhileInstallingIsHeldAndInjectedInOrderAfterInstalled) {
    make();
    prime_arp();
    SocketId l = stack->listen(80).value();
    send_peer(from_peer(4000, 80, tcp_bits::kSyn, 100, 0));
    const uint32_t iss = sent().frames.at(0).tcp.seq;
    TcpSegmentSpec a = from_peer(4000, 80, tcp_bits::kAck | tcp_bits::kPsh, 101, iss + 1);
    a.payload = Bytes(100, 0x41);  // the final ACK carries data itself
    const Bytes first = build_tcp_frame(a);
    inject(first);
    step();
    Sent s = sent();
    ASSERT_EQ(s.cmds.size(), 1u);
    ASSERT_EQ(s.cmds[0].kind, Kind::kInstall);
    const uint32_t session = s.cmds[0].session;
    const Bytes& ip = s.cmds[0].payload;  // RCV.NXT follows the 12 key bytes
    EXPECT_EQ(uint32_t(ip[12]) << 24 | uint32_t(ip[13]) << 16 | uint32_t(ip[14]) << 8 | ip[15], 101u)
        << "RCV.NXT before the held payload";
    TcpSegmentSpec b = from_peer(4000, 80, tcp_bits::kAck | tcp_bits::kPsh, 201, iss + 1);
    b.payload = Bytes(50, 0x42);
    const Bytes second = build_tcp_frame(b);
    inject(second);
    step();
    send_peer(from_peer(4000, 80, tcp_bits::kAck, 251, iss + 1));      // a pure ACK: not held
    send_peer(from_peer(4001, 80, tcp_bits::kAck | tcp_bits::kPsh, 7, 9));  // another tuple
    s = sent();
    for (const auto& m : s.cmds) EXPECT_NE(m.kind, Kind::kRxInject) << "injected before INSTALLED";
    EXPECT_EQ(stack->counters().held_while_installing, 2u);
    EXPECT_EQ(stack->counters().dropped_while_installing, 1u);
    link.inject(Kind::kInstalled, session, uint16_t(driver::TableResult::kInserted));
    step();
    std::vector<Bytes> injected;
    for (const auto& m : link.take_sent())
        if (m.kind == Kind::kRxInject) {
            EXPECT_EQ(m.session, driver::kNoSession);
            injected.push_back(m.payload);
        }
    ASSERT_EQ(injected.size(), 2u);
    EXPECT_EQ(injected[0], first);
    EXPECT_EQ(injected[1], second);
    EXPECT_EQ(stack->counters().rx_injected, 2u);
    EXPECT_TRUE(stack->accept(l).has_value());
}

// Active open: the peer's data right behind its SYN-ACK is held the same way.
TEST_F(StackTest, DataBehindTheSynAckIsHeldUntilInstalled) {
    make();
    prime_arp();
    auto r = stack->connect(kPeerIp, 80);
    ASSERT_TRUE(r.ok());
    const FourTuple t = *stack->tuple(r.value());
    const uint32_t iss = sent().frames.at(0).tcp.seq;
    send_peer(from_peer(80, t.local_port, tcp_bits::kSyn | tcp_bits::kAck, 7000, iss + 1));
    Sent s = sent();
    ASSERT_EQ(s.cmds.size(), 1u);
    const uint32_t session = s.cmds[0].session;
    TcpSegmentSpec d = from_peer(80, t.local_port, tcp_bits::kAck | tcp_bits::kPsh, 7001, iss + 1);
    d.payload = Bytes(10, 0x43);
    const Bytes data = build_tcp_frame(d);
    inject(data);
    step();
    EXPECT_EQ(stack->counters().held_while_installing, 1u);
    link.inject(Kind::kInstalled, session, uint16_t(driver::TableResult::kInserted));
    step();
    const std::vector<Bytes> injected = this->injected();
    ASSERT_EQ(injected.size(), 1u);
    EXPECT_EQ(injected[0], data);
    EXPECT_EQ(stack->state(r.value()), TcpState::kEstablished);
}

// A RST while INSTALL is in flight is held too: after INSTALLED the engine decides it (and
// reports PEER_RST) as if it had come from the MAC, instead of keeping a dead session.
TEST_F(StackTest, RstWhileInstallingIsHeldAndInjectedAfterInstalled) {
    make();
    prime_arp();
    (void)stack->listen(80).value();
    const uint32_t session = handshake_to_install().session;
    const Bytes rst = build_tcp_frame(from_peer(4000, 80, tcp_bits::kRst, 101, 0));
    inject(rst);
    step();
    EXPECT_EQ(stack->counters().held_while_installing, 1u);
    EXPECT_EQ(stack->counters().dropped_while_installing, 0u);
    link.inject(Kind::kInstalled, session, uint16_t(driver::TableResult::kInserted));
    step();
    const std::vector<Bytes> injected = this->injected();
    ASSERT_EQ(injected.size(), 1u);
    EXPECT_EQ(injected[0], rst);
}

// The engine sends INSTALLED before the slow-path frames it queued earlier, so segments
// that missed its table before the entry existed can reach the Stack after INSTALLED:
// those that carry something are injected too (at most kMaxHeldWhileInstalling per
// connection); a pure ACK, and a segment the engine sent up for another reason (it would
// come straight back), are not.
TEST_F(StackTest, SegmentsThatMissedTheTableButCameUpAfterInstalledAreInjected) {
    make();
    prime_arp();
    (void)stack->listen(80).value();
    const Handshake h = handshake_to_install();
    link.inject(Kind::kInstalled, h.session, uint16_t(driver::TableResult::kInserted));
    step();
    link.take_sent();
    const auto missed = [&](const Bytes& frame, driver::RxReason why) {
        link.inject(Kind::kSlowPath, driver::kNoSession, uint16_t(why), frame);
        step();
    };
    TcpSegmentSpec d = from_peer(4000, 80, tcp_bits::kAck | tcp_bits::kPsh, 101, h.iss + 1);
    d.payload = Bytes(100, 0x44);
    const Bytes data = build_tcp_frame(d);
    missed(data, driver::RxReason::kSlowNoSession);
    std::vector<Bytes> got = injected();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0], data);
    EXPECT_EQ(stack->counters().injected_after_installed, 1u);
    missed(build_tcp_frame(from_peer(4000, 80, tcp_bits::kAck, 201, h.iss + 1)),
           driver::RxReason::kSlowNoSession);
    missed(data, driver::RxReason::kSlowTcpOptions);
    EXPECT_TRUE(injected().empty()) << "a pure ACK, and a frame the table did not miss";
    EXPECT_EQ(stack->counters().dropped_while_installing, 2u);
    for (std::size_t i = 1; i < kMaxHeldWhileInstalling + 2; i++) missed(data, driver::RxReason::kSlowNoSession);
    EXPECT_EQ(injected().size(), kMaxHeldWhileInstalling - 1) << "a frame that keeps missing stops";
    EXPECT_EQ(stack->counters().injected_after_installed, kMaxHeldWhileInstalling);
    EXPECT_EQ(stack->counters().dropped_while_installing, 4u);
}

// At most kMaxHeldWhileInstalling per connection; the rest are dropped and counted. A
// failed INSTALL drops what was held.
TEST_F(StackTest, HoldOverflowIsCountedAndAFailedInstallDropsTheHeld) {
    make();
    prime_arp();
    (void)stack->listen(80).value();
    const Handshake h = handshake_to_install();
    const uint32_t iss = h.iss, session = h.session;
    for (std::size_t i = 0; i < kMaxHeldWhileInstalling + 3; i++) {
        TcpSegmentSpec d = from_peer(4000, 80, tcp_bits::kAck | tcp_bits::kPsh,
                                     uint32_t(101 + 10 * i), iss + 1);
        d.payload = Bytes(10, uint8_t(i));
        send_peer(d);
    }
    EXPECT_EQ(stack->counters().held_while_installing, kMaxHeldWhileInstalling);
    EXPECT_EQ(stack->counters().install_hold_overflow, 3u);
    link.inject(Kind::kInstalled, session, uint16_t(driver::TableResult::kFull));
    step();
    for (const auto& m : link.take_sent()) EXPECT_NE(m.kind, Kind::kRxInject);
    EXPECT_EQ(stack->counters().rx_injected, 0u);
    EXPECT_EQ(stack->counters().dropped_while_installing, kMaxHeldWhileInstalling);
}

TEST_F(StackTest, SynWithoutOptionsNegotiatesNoneAndMss536) {
    make();
    prime_arp();
    stack->listen(80).value();
    send_peer(from_peer(4000, 80, tcp_bits::kSyn, 100, 0));
    Sent s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    const TcpOptions& o = s.frames[0].tcp.options;
    EXPECT_TRUE(o.has_mss);
    EXPECT_FALSE(o.has_wscale);
    EXPECT_FALSE(o.has_ts);
    EXPECT_FALSE(o.sack_permitted);
    const uint32_t iss = s.frames[0].tcp.seq;
    TcpSegmentSpec ack = from_peer(4000, 80, tcp_bits::kAck, 101, iss + 1);
    ack.window = 2000;
    send_peer(ack);
    s = sent();
    ASSERT_EQ(s.cmds.size(), 1u);
    driver::SessionState st = installed(101, 101, iss, 2000, 536);
    st.tsval_now = stack->ts_now();
    EXPECT_EQ(s.cmds[0].payload,
              driver::install_payload(engine_tuple({kPeerIp, kOurIp, 4000, 80}), st));
}

TEST_F(StackTest, SynAckWaitsForArpWhenThePeerIsUnknown) {
    make();
    stack->listen(80).value();
    send_peer(from_peer(4000, 80, tcp_bits::kSyn, 100, 0));
    Sent s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    EXPECT_EQ(s.frames[0].kind, FrameKind::kArp);
    answer_arp();
    s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    expect_tcp(s.frames[0], 80, 4000, tcp_bits::kSyn | tcp_bits::kAck, s.frames[0].tcp.seq, 101);
}

TEST_F(StackTest, SynAckIsRetransmittedWithBackoffThenTheHalfOpenEntryDropped) {
    make();
    prime_arp();
    stack->listen(80).value();
    const auto t0 = link.now();
    send_peer(from_peer(4000, 80, tcp_bits::kSyn, 100, 0));
    const uint32_t iss = sent().frames.at(0).tcp.seq;
    // retransmissions at 1 s and 3 s (synack_retries 2), dropped at 7 s
    for (int64_t due : {int64_t(1), int64_t(3)}) {
        link.set_now(t0 + seconds(due) - nanoseconds(1));
        step();
        EXPECT_TRUE(sent().frames.empty());
        link.set_now(t0 + seconds(due));
        step();
        Sent s = sent();
        ASSERT_EQ(s.frames.size(), 1u);
        expect_tcp(s.frames[0], 80, 4000, tcp_bits::kSyn | tcp_bits::kAck, iss, 101);
    }
    // a retransmitted SYN is answered with the same SYN-ACK
    send_peer(from_peer(4000, 80, tcp_bits::kSyn, 100, 0));
    Sent s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    expect_tcp(s.frames[0], 80, 4000, tcp_bits::kSyn | tcp_bits::kAck, iss, 101);
    link.set_now(t0 + seconds(7));
    step();
    EXPECT_TRUE(sent().frames.empty());
    EXPECT_EQ(stack->counters().half_open_expired, 1u);
    // the late final ACK now finds only the listener: not a cookie, so <SEQ=SEG.ACK><RST>
    send_peer(from_peer(4000, 80, tcp_bits::kAck, 101, iss + 1));
    s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    expect_tcp(s.frames[0], 80, 4000, tcp_bits::kRst, iss + 1, 0);
    EXPECT_TRUE(s.cmds.empty());
}

TEST_F(StackTest, InstallFailureResetsThePeerAndFreesTheSession) {
    make();
    prime_arp();
    SocketId l = stack->listen(80).value();
    send_peer(from_peer(4000, 80, tcp_bits::kSyn, 100, 0));
    const uint32_t iss = sent().frames.at(0).tcp.seq;
    send_peer(from_peer(4000, 80, tcp_bits::kAck, 101, iss + 1));
    Sent s = sent();
    ASSERT_EQ(s.cmds.size(), 1u);
    EXPECT_EQ(stack->free_sessions(), kSessions - 1);
    link.inject(Kind::kInstalled, s.cmds[0].session, uint16_t(driver::TableResult::kFull));
    step();
    s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    expect_tcp(s.frames[0], 80, 4000, tcp_bits::kRst | tcp_bits::kAck, iss + 1, 101);
    EXPECT_FALSE(stack->accept(l).has_value());
    EXPECT_EQ(stack->free_sessions(), kSessions);
    EXPECT_EQ(stack->counters().install_failures, 1u);
    // the tuple is free again: a new SYN starts a new handshake
    send_peer(from_peer(4000, 80, tcp_bits::kSyn, 500, 0));
    s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    EXPECT_EQ(s.frames[0].tcp.ack, 501u);
}

TEST_F(StackTest, FullSynBacklogAnswersWithStatelessSynCookies) {
    cfg.syn_backlog = 1;
    make();
    prime_arp();
    SocketId l = stack->listen(80).value();
    send_peer(from_peer(4000, 80, tcp_bits::kSyn, 100, 0));  // takes the backlog
    const uint32_t iss1 = sent().frames.at(0).tcp.seq;
    TcpSegmentSpec syn = from_peer(4001, 80, tcp_bits::kSyn, 777, 0);
    syn.options.has_mss = true;
    syn.options.mss = 1450;  // a cookie rounds it down to 1440
    syn.options.has_wscale = true;
    syn.options.wscale = 4;
    syn.options.has_ts = true;
    syn.options.tsval = 9999;
    send_peer(syn);
    Sent s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    const ParsedFrame sa = s.frames[0];
    expect_tcp(sa, 80, 4001, tcp_bits::kSyn | tcp_bits::kAck, sa.tcp.seq, 778);
    EXPECT_EQ(sa.tcp.options.mss, 1460);
    EXPECT_TRUE(sa.tcp.options.has_wscale);
    EXPECT_EQ(sa.tcp.options.tsecr, 9999u);
    EXPECT_EQ(syn_cookie_ts_options(sa.tcp.options.tsval).wscale, 4);
    EXPECT_EQ(stack->counters().cookies_sent, 1u);
    // no state: only the first connection's SYN-ACK is retransmitted
    link.advance(seconds(1));
    step();
    s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    EXPECT_EQ(s.frames[0].tcp.dst_port, 4000);
    EXPECT_EQ(s.frames[0].tcp.seq, iss1);
    // a forged final ACK is reset, the right one installs what the cookie carried
    TcpSegmentSpec ack = from_peer(4001, 80, tcp_bits::kAck, 778, sa.tcp.seq + 2);
    ack.window = 500;
    ack.options.has_ts = true;
    ack.options.tsval = 10000;
    ack.options.tsecr = sa.tcp.options.tsval;
    send_peer(ack);
    s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    expect_tcp(s.frames[0], 80, 4001, tcp_bits::kRst, sa.tcp.seq + 2, 0);
    EXPECT_TRUE(s.cmds.empty());
    ack.ack = sa.tcp.seq + 1;
    send_peer(ack);
    s = sent();
    EXPECT_TRUE(s.frames.empty());
    ASSERT_EQ(s.cmds.size(), 1u);
    driver::SessionState st = installed(778, 778, sa.tcp.seq, 500u << 4, 1440);
    st.snd_wscale = 4;
    st.timestamps = true;
    st.ts_recent = 10000;
    st.rcv_wscale = 7;
    st.tsval_now = stack->ts_now();
    EXPECT_EQ(s.cmds[0].payload,
              driver::install_payload(engine_tuple({kPeerIp, kOurIp, 4001, 80}), st));
    link.inject(Kind::kInstalled, s.cmds[0].session, 0);
    step();
    auto c = stack->accept(l);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(stack->tuple(*c)->remote_port, 4001);
    EXPECT_EQ(stack->counters().cookies_accepted, 1u);
    EXPECT_EQ(stack->counters().cookies_rejected, 1u);
}

// ---- closed ports (RFC 9293 §3.10.7.1) ----

TEST_F(StackTest, SegmentsToAClosedPortGetRfc9293Resets) {
    make();
    // SYN: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>, SEG.LEN counting the SYN
    send_peer(from_peer(4000, 81, tcp_bits::kSyn, 1000, 0));
    Sent s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    expect_tcp(s.frames[0], 81, 4000, tcp_bits::kRst | tcp_bits::kAck, 0, 1001);
    // data + FIN without ACK: SEG.LEN = 10 + 1
    TcpSegmentSpec d = from_peer(4000, 81, tcp_bits::kFin, 2000, 0);
    d.payload = Bytes(10, 0xAB);
    send_peer(d);
    s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    expect_tcp(s.frames[0], 81, 4000, tcp_bits::kRst | tcp_bits::kAck, 0, 2011);
    // ACK: <SEQ=SEG.ACK><CTL=RST>
    send_peer(from_peer(4000, 81, tcp_bits::kAck | tcp_bits::kPsh, 3000, 0xDEADBEEF));
    s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    expect_tcp(s.frames[0], 81, 4000, tcp_bits::kRst, 0xDEADBEEF, 0);
    // RST: nothing
    send_peer(from_peer(4000, 81, tcp_bits::kRst, 3000, 0));
    send_peer(from_peer(4000, 81, tcp_bits::kRst | tcp_bits::kAck, 3000, 5));
    EXPECT_TRUE(sent().frames.empty());
    EXPECT_EQ(stack->counters().rsts_sent, 3u);
}

TEST_F(StackTest, FramesWithBadChecksumsOrForOthersAreIgnored) {
    make();
    Bytes f = build_tcp_frame(from_peer(4000, 81, tcp_bits::kSyn, 1000, 0));
    f[50] ^= 0xFF;  // inside the TCP header: checksum fails
    inject(f);
    TcpSegmentSpec other = from_peer(4000, 81, tcp_bits::kSyn, 1000, 0);
    other.ip.dst = kOurIp + 1;
    inject(build_tcp_frame(other));
    step();
    EXPECT_TRUE(sent().frames.empty());
    EXPECT_EQ(stack->counters().frames_bad, 1u);
    EXPECT_EQ(stack->counters().frames_not_ours, 1u);
}

// ---- teardown ----

TEST_F(StackTest, ActiveCloseGoesThroughFinWaitToTimeWaitAndRemovesTheSession) {
    make();
    prime_arp();
    Open o = open_active();
    ASSERT_TRUE(stack->close(o.sock).ok());
    Sent s = sent();
    ASSERT_EQ(s.cmds.size(), 1u);
    EXPECT_EQ(s.cmds[0].kind, Kind::kSendFin);
    EXPECT_EQ(s.cmds[0].session, o.session);
    EXPECT_EQ(stack->state(o.sock), TcpState::kFinWait1);
    link.inject(Kind::kAcked, o.session, 0);  // data acked, not the FIN
    step();
    EXPECT_EQ(stack->state(o.sock), TcpState::kFinWait1);
    link.inject(Kind::kAcked, o.session, 1);
    step();
    EXPECT_EQ(stack->state(o.sock), TcpState::kFinWait2);
    link.inject(Kind::kPeerFin, o.session);
    step();
    EXPECT_EQ(stack->state(o.sock), TcpState::kTimeWait);
    s = sent();
    ASSERT_EQ(s.cmds.size(), 1u);
    EXPECT_EQ(s.cmds[0].kind, Kind::kRemove);
    EXPECT_EQ(s.cmds[0].session, o.session);
    EXPECT_EQ(s.cmds[0].payload, driver::table_key_payload(engine_tuple(o.tuple)));
    EXPECT_FALSE(stack->time_wait().contains(o.tuple)) << "entered once REMOVED";

    const uint32_t snd_nxt = o.iss + 1 + 500 + 1, rcv_nxt = o.irs + 1 + 300 + 1;
    link.inject(Kind::kRemoved, o.session, uint16_t(driver::TableResult::kRemoved),
                snapshot(snd_nxt, rcv_nxt, 1234));
    step();
    ASSERT_TRUE(stack->time_wait().contains(o.tuple));
    auto e = stack->time_wait().find(o.tuple);
    EXPECT_EQ(e->state.snd_nxt, snd_nxt);
    EXPECT_EQ(e->state.rcv_nxt, rcv_nxt);
    EXPECT_TRUE(e->state.ts_enabled);
    EXPECT_EQ(e->state.ts_recent, 1234u);
    EXPECT_EQ(e->expiry_us, uint64_t(link.now().count()) / 1000 + 60'000'000);
    EXPECT_EQ(stack->free_sessions(), kSessions);
    EXPECT_EQ(stack->state(o.sock), TcpState::kClosed);
    EXPECT_EQ(stack->error(o.sock), SocketError::kNone);
    auto ev = stack->take_events();
    ASSERT_EQ(ev.size(), 2u);
    EXPECT_EQ(ev[0].kind, SocketEventKind::kPeerClosed);
    EXPECT_EQ(ev[1].kind, SocketEventKind::kClosed);

    // the peer's retransmitted FIN reaches the slow path: the TIME_WAIT table re-ACKs it
    TcpSegmentSpec fin = from_peer(80, o.tuple.local_port, tcp_bits::kFin | tcp_bits::kAck,
                                   rcv_nxt - 1, snd_nxt);
    fin.options.has_ts = true;
    fin.options.tsval = 1300;
    send_peer(fin);
    s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    expect_tcp(s.frames[0], o.tuple.local_port, 80, tcp_bits::kAck, snd_nxt, rcv_nxt);
    EXPECT_TRUE(s.frames[0].tcp.options.has_ts);
    EXPECT_EQ(s.frames[0].tcp.options.tsecr, 1300u);
    // and the entry expires at 2MSL
    link.advance(seconds(61));
    step();
    EXPECT_FALSE(stack->time_wait().contains(o.tuple));
}

TEST_F(StackTest, SimultaneousCloseGoesThroughClosing) {
    make();
    prime_arp();
    Open o = open_active();
    ASSERT_TRUE(stack->close(o.sock).ok());
    link.inject(Kind::kPeerFin, o.session);
    step();
    EXPECT_EQ(stack->state(o.sock), TcpState::kClosing);
    EXPECT_EQ(sent().cmds.size(), 1u);  // SEND_FIN only
    link.inject(Kind::kAcked, o.session, 1);
    step();
    EXPECT_EQ(stack->state(o.sock), TcpState::kTimeWait);
    Sent s = sent();
    ASSERT_EQ(s.cmds.size(), 1u);
    EXPECT_EQ(s.cmds[0].kind, Kind::kRemove);
    // no snapshot from the engine: the handshake values +1 per FIN
    link.inject(Kind::kRemoved, o.session, uint16_t(driver::TableResult::kRemoved));
    step();
    auto e = stack->time_wait().find(o.tuple);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->state.snd_nxt, o.iss + 2);
    EXPECT_EQ(e->state.rcv_nxt, o.irs + 2);
    EXPECT_EQ(stack->counters().removed_without_snapshot, 1u);
}

TEST_F(StackTest, PassiveCloseGoesThroughCloseWaitAndLastAckWithoutTimeWait) {
    make();
    prime_arp();
    Open o = open_active();
    link.inject(Kind::kPeerFin, o.session);
    step();
    EXPECT_EQ(stack->state(o.sock), TcpState::kCloseWait);
    auto ev = stack->take_events();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].kind, SocketEventKind::kPeerClosed);
    ASSERT_TRUE(stack->close(o.sock).ok());
    EXPECT_EQ(stack->state(o.sock), TcpState::kLastAck);
    Sent s = sent();
    ASSERT_EQ(s.cmds.size(), 1u);
    EXPECT_EQ(s.cmds[0].kind, Kind::kSendFin);
    link.inject(Kind::kAcked, o.session, 0);
    step();
    EXPECT_TRUE(sent().cmds.empty());
    link.inject(Kind::kAcked, o.session, 1);
    step();
    s = sent();
    ASSERT_EQ(s.cmds.size(), 1u);
    EXPECT_EQ(s.cmds[0].kind, Kind::kRemove);
    link.inject(Kind::kRemoved, o.session, uint16_t(driver::TableResult::kRemoved),
                snapshot(1, 2, 3));
    step();
    EXPECT_EQ(stack->state(o.sock), TcpState::kClosed);
    EXPECT_FALSE(stack->time_wait().contains(o.tuple));
    EXPECT_EQ(stack->free_sessions(), kSessions);
    EXPECT_FALSE(stack->close(o.sock).ok());
}

TEST_F(StackTest, PeerRstRemovesTheSessionWithConnectionReset) {
    make();
    prime_arp();
    Open o = open_active();
    link.inject(Kind::kPeerRst, o.session);
    step();
    Sent s = sent();
    ASSERT_EQ(s.cmds.size(), 1u);
    EXPECT_EQ(s.cmds[0].kind, Kind::kRemove);
    EXPECT_TRUE(s.frames.empty());
    link.inject(Kind::kRemoved, o.session, uint16_t(driver::TableResult::kRemoved));
    step();
    EXPECT_EQ(stack->state(o.sock), TcpState::kClosed);
    EXPECT_EQ(stack->error(o.sock), SocketError::kReset);
    EXPECT_FALSE(stack->time_wait().contains(o.tuple));
    EXPECT_EQ(stack->free_sessions(), kSessions);
}

TEST_F(StackTest, AbortSendsTheEnginesAbortWhichResetsThePeerFromItsOwnState) {
    make();
    prime_arp();
    Open o = open_active();
    ASSERT_TRUE(stack->abort(o.sock).ok());
    Sent s = sent();
    ASSERT_EQ(s.cmds.size(), 1u);
    EXPECT_EQ(s.cmds[0].kind, Kind::kAbort) << "the engine knows SND.NXT: it sends the RST";
    EXPECT_EQ(s.cmds[0].session, o.session);
    EXPECT_EQ(s.cmds[0].payload, driver::table_key_payload(engine_tuple(o.tuple)));
    EXPECT_TRUE(s.frames.empty()) << "no host-built RST";
    EXPECT_EQ(stack->state(o.sock), TcpState::kEstablished) << "CLOSED once REMOVED comes";
    link.inject(Kind::kRemoved, o.session, uint16_t(driver::TableResult::kRemoved),
                snapshot(o.iss + 1001, o.irs + 201, 0));
    step();
    s = sent();
    EXPECT_TRUE(s.frames.empty());
    EXPECT_TRUE(s.cmds.empty());
    EXPECT_EQ(stack->state(o.sock), TcpState::kClosed);
    EXPECT_EQ(stack->error(o.sock), SocketError::kAborted);
    EXPECT_FALSE(stack->time_wait().contains(o.tuple));
    EXPECT_EQ(stack->free_sessions(), kSessions);
}

TEST_F(StackTest, ClosingAListenerResetsConnectionsNotYetAccepted) {
    make();
    prime_arp();
    SocketId l = stack->listen(80).value();
    const Handshake h = handshake_to_install();
    const uint32_t iss = h.iss, session = h.session;
    link.inject(Kind::kInstalled, session, 0);
    step();
    send_peer(from_peer(4001, 80, tcp_bits::kSyn, 300, 0));  // half-open
    link.take_sent();
    stack->take_events();
    ASSERT_TRUE(stack->close(l).ok());
    EXPECT_EQ(stack->state(l), TcpState::kClosed);
    Sent s = sent();
    ASSERT_EQ(s.cmds.size(), 1u);
    EXPECT_EQ(s.cmds[0].kind, Kind::kAbort) << "the engine resets the installed child";
    link.inject(Kind::kRemoved, session, 4, snapshot(iss + 1, 101, 0));
    step();
    s = sent();
    EXPECT_TRUE(s.frames.empty());
    EXPECT_EQ(stack->free_sessions(), kSessions);
    // the port is closed now
    send_peer(from_peer(4002, 80, tcp_bits::kSyn, 500, 0));
    s = sent();
    ASSERT_EQ(s.frames.size(), 1u);
    EXPECT_EQ(s.frames[0].tcp.flags, tcp_bits::kRst | tcp_bits::kAck);
    link.advance(seconds(10));
    step();
    EXPECT_TRUE(sent().frames.empty()) << "the half-open child went with the listener";
    auto ev = stack->take_events();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].socket, l);
    EXPECT_EQ(ev[0].kind, SocketEventKind::kClosed);
}

TEST_F(StackTest, EngineTimeoutClosesAndStrayEventsAreCounted) {
    make();
    prime_arp();
    Open o = open_active();
    link.inject(Kind::kPeerSyn, o.session);  // the engine answered it; nothing to do
    link.inject(Kind::kPeerFin, o.session + 1);  // no such session
    link.inject(Kind::kInstalled, o.session, 0);  // not installing
    link.inject_error(driver::LinkError::kPayloadCrc);
    step();
    EXPECT_EQ(stack->counters().deframe_errors, 1u);
    EXPECT_TRUE(sent().cmds.empty());
    EXPECT_EQ(stack->state(o.sock), TcpState::kEstablished);
    EXPECT_EQ(stack->counters().unexpected_events, 2u);
    link.inject(Kind::kTimeout, o.session);
    step();
    Sent s = sent();
    ASSERT_EQ(s.cmds.size(), 1u);
    EXPECT_EQ(s.cmds[0].kind, Kind::kRemove);
    link.inject(Kind::kRemoved, o.session, 4);
    step();
    EXPECT_EQ(stack->state(o.sock), TcpState::kClosed);
    EXPECT_EQ(stack->error(o.sock), SocketError::kTimedOut);
}

TEST_F(StackTest, CloseOrAbortInSynSentStopsTheHandshakeSilently) {
    make();
    prime_arp();
    SocketId a = stack->connect(kPeerIp, 80).value();
    SocketId b = stack->connect(kPeerIp, 80).value();
    link.take_sent();
    ASSERT_TRUE(stack->close(a).ok());
    ASSERT_TRUE(stack->abort(b).ok());
    EXPECT_EQ(stack->error(a), SocketError::kNone);
    EXPECT_EQ(stack->error(b), SocketError::kAborted);
    link.advance(seconds(20));
    step();
    EXPECT_TRUE(sent().frames.empty()) << "no RST from SYN-SENT, no retransmissions";
    EXPECT_EQ(stack->state(a), TcpState::kClosed);
    EXPECT_FALSE(stack->abort(a).ok());
    EXPECT_TRUE(stack->release(a).ok());
    EXPECT_FALSE(stack->release(a).ok());
}

TEST_F(StackTest, ApiMisuseIsAnErrorValue) {
    make();
    ASSERT_TRUE(stack->listen(80).ok());
    EXPECT_FALSE(stack->listen(80).ok());
    EXPECT_FALSE(stack->listen(0).ok());
    EXPECT_FALSE(stack->connect(kPeerIp, 0).ok());
    EXPECT_FALSE(stack->close(999).ok());
    EXPECT_FALSE(stack->abort(999).ok());
    EXPECT_EQ(stack->state(999), TcpState::kClosed);
    StackConfig bad = cfg;
    bad.wscale = 15;
    EXPECT_THROW(Stack(link, bad), std::invalid_argument);
}

TEST_F(StackTest, ConnectionsInTheAcceptQueueFollowEngineEventsSilently) {
    make();
    prime_arp();
    SocketId l = stack->listen(80).value();
    uint32_t session[2] = {};
    for (int i = 0; i < 2; i++) {
        const uint16_t port = uint16_t(4000 + i);
        send_peer(from_peer(port, 80, tcp_bits::kSyn, 100, 0));
        const uint32_t iss = sent().frames.at(0).tcp.seq;
        send_peer(from_peer(port, 80, tcp_bits::kAck, 101, iss + 1));
        session[i] = sent().cmds.at(0).session;
        link.inject(Kind::kInstalled, session[i], 0);
        step();
    }
    EXPECT_EQ(stack->take_events().size(), 2u);  // two kAcceptable on the listener
    link.inject(Kind::kPeerRst, session[0]);
    link.inject(Kind::kPeerFin, session[1]);
    step();
    link.inject(Kind::kRemoved, session[0], 4);
    step();
    EXPECT_TRUE(stack->take_events().empty()) << "no events for sockets not yet accepted";
    auto c = stack->accept(l);
    ASSERT_TRUE(c.has_value()) << "the reset one left the queue; the other remains";
    EXPECT_EQ(stack->tuple(*c)->remote_port, 4001);
    EXPECT_EQ(stack->state(*c), TcpState::kCloseWait);
    EXPECT_FALSE(stack->accept(l).has_value());
    EXPECT_EQ(stack->free_sessions(), kSessions - 1);
}

TEST_F(StackTest, SynCookieWithoutTimestampsCarriesOnlyTheMss) {
    cfg.syn_backlog = 0;  // every SYN gets a cookie
    make();
    SocketId l = stack->listen(80).value();
    TcpSegmentSpec syn = from_peer(4000, 80, tcp_bits::kSyn, 42, 0);
    syn.options.has_wscale = true;  // offered, but cannot be carried without timestamps
    syn.options.wscale = 6;
    send_peer(syn);
    Sent s = sent();
    ASSERT_EQ(s.frames.size(), 1u) << "answered to the SYN's MAC, no ARP";
    const ParsedFrame sa = s.frames[0];
    expect_tcp(sa, 80, 4000, tcp_bits::kSyn | tcp_bits::kAck, sa.tcp.seq, 43);
    EXPECT_TRUE(sa.tcp.options.has_mss);
    EXPECT_FALSE(sa.tcp.options.has_wscale);
    EXPECT_FALSE(sa.tcp.options.has_ts);
    send_peer(from_peer(4000, 80, tcp_bits::kAck, 43, sa.tcp.seq + 1));
    s = sent();
    ASSERT_EQ(s.cmds.size(), 1u);
    // no MSS option in the SYN
    driver::SessionState st = installed(43, 43, sa.tcp.seq, 29200, 536);
    st.tsval_now = stack->ts_now();
    EXPECT_EQ(s.cmds[0].payload,
              driver::install_payload(engine_tuple({kPeerIp, kOurIp, 4000, 80}), st));
    link.inject(Kind::kInstalled, s.cmds[0].session, 0);
    step();
    EXPECT_TRUE(stack->accept(l).has_value());
}

TEST_F(StackTest, AFailedLinkIsReportedByPoll) {
    make();
    link.fail("unplugged");
    auto r = stack->poll();
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "unplugged");
}

// ---- host-terminated sockets: payload over the host link ----

driver::Bytes be32(uint32_t v) {
    return {uint8_t(v >> 24), uint8_t(v >> 16), uint8_t(v >> 8), uint8_t(v)};
}

Bytes pattern(std::size_t n, uint32_t seed) {
    Bytes b(n);
    for (std::size_t i = 0; i < n; i++) b[i] = uint8_t((i * 131 + seed) >> 3);
    return b;
}

// APP_DATA commands in `cmds` appended to `out`; returns how many other commands came.
std::size_t collect_app_data(const std::vector<driver::Message>& cmds, uint32_t session,
                             Bytes& out, std::size_t max_chunk) {
    std::size_t other = 0;
    for (const auto& m : cmds) {
        if (m.kind != Kind::kAppData) {
            other++;
            continue;
        }
        EXPECT_EQ(m.session, session);
        EXPECT_GE(m.payload.size(), 1u);
        EXPECT_LE(m.payload.size(), max_chunk);
        out.insert(out.end(), m.payload.begin(), m.payload.end());
    }
    return other;
}

constexpr std::size_t kCredit = driver::kEngineTxBufBytes - driver::kEngineTxChunk;

TEST_F(StackTest, HostSocketHandsDataToTheEngineWithinItsCreditAsAckedDataAllows) {
    make();
    prime_arp();
    Open o = open_active();
    const Bytes data = pattern(300000, 1);
    auto r = stack->send(o.sock, data.data(), data.size());
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r.value(), data.size());
    Bytes handed;
    EXPECT_EQ(collect_app_data(link.take_sent(), o.session, handed, cfg.app_data_chunk), 0u);
    EXPECT_EQ(handed.size(), kCredit) << "the first send fills the engine's credit, no more";
    EXPECT_EQ(stack->unacked(o.sock), data.size());
    uint32_t una = o.iss + 1;
    for (int round = 0; handed.size() < data.size(); round++) {
        ASSERT_LT(round, 100);
        una += 20000;  // the peer acknowledged 20,000 more bytes
        link.inject(Kind::kAcked, o.session, driver::kAckedData, be32(una));
        step();
        collect_app_data(link.take_sent(), o.session, handed, cfg.app_data_chunk);
        const uint32_t outstanding = o.iss + 1 + uint32_t(handed.size()) - una;
        EXPECT_LE(outstanding, kCredit) << "round " << round;
        if (handed.size() < data.size()) {
            EXPECT_EQ(outstanding, kCredit) << "round " << round;
        }
    }
    EXPECT_EQ(handed, data);
    EXPECT_EQ(stack->counters().app_data_bytes, data.size());
    // an old SND.UNA (reordered event) hands nothing more
    link.inject(Kind::kAcked, o.session, driver::kAckedData, be32(o.iss + 1));
    step();
    EXPECT_TRUE(link.take_sent().empty());
}

TEST_F(StackTest, FullSendBufferTakesLessThenSignalsWritable) {
    cfg.send_buffer = 100000;
    make();
    prime_arp();
    Open o = open_active();
    const Bytes data = pattern(400000, 2);
    auto r = stack->send(o.sock, data.data(), data.size());
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(r.value(), cfg.send_buffer + kCredit) << "buffer plus what the engine took";
    EXPECT_EQ(stack->writable(o.sock), 0u);
    EXPECT_TRUE(stack->take_events().empty());
    auto again = stack->send(o.sock, data.data(), 10);
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(again.value(), 0u) << "full: would block";
    link.take_sent();
    link.inject(Kind::kAcked, o.session, driver::kAckedData, be32(o.iss + 1 + 10000));
    step();
    const auto ev = stack->take_events();
    ASSERT_EQ(ev.size(), 1u);
    EXPECT_EQ(ev[0].kind, SocketEventKind::kWritable);
    EXPECT_EQ(stack->writable(o.sock), 10000u);
}

TEST_F(StackTest, RxDataFillsTheReceiveBufferAndEofFollowsThePeersFin) {
    make();
    prime_arp();
    Open o = open_active();
    const Bytes a = pattern(1000, 3), b = pattern(500, 4);
    link.inject(Kind::kRxData, o.session, 0, a);
    link.inject(Kind::kRxData, o.session, 0, b);
    step();
    auto ev = stack->take_events();
    ASSERT_EQ(ev.size(), 1u) << "readable once, when the buffer stops being empty";
    EXPECT_EQ(ev[0].kind, SocketEventKind::kReadable);
    EXPECT_EQ(stack->readable(o.sock), 1500u);
    Bytes got;
    ASSERT_EQ(stack->recv(o.sock, got, 1200).value(), 1200u);
    ASSERT_EQ(stack->recv(o.sock, got, 1200).value(), 300u);
    ASSERT_EQ(stack->recv(o.sock, got, 1200).value(), 0u);
    Bytes want = a;
    want.insert(want.end(), b.begin(), b.end());
    EXPECT_EQ(got, want);
    EXPECT_FALSE(stack->eof(o.sock));
    link.inject(Kind::kRxData, o.session, 0, a);
    link.inject(Kind::kPeerFin, o.session);
    step();
    EXPECT_EQ(stack->state(o.sock), TcpState::kCloseWait);
    EXPECT_FALSE(stack->eof(o.sock)) << "data before the FIN is still unread";
    got.clear();
    ASSERT_EQ(stack->recv(o.sock, got, 5000).value(), a.size());
    EXPECT_TRUE(stack->eof(o.sock));
    EXPECT_EQ(stack->counters().rx_data_bytes, 2500u);
    // the passive close: our data, then our FIN
    const Bytes reply = pattern(3000, 5);
    ASSERT_EQ(stack->send(o.sock, reply.data(), reply.size()).value(), reply.size());
    ASSERT_TRUE(stack->close(o.sock).ok());
    const auto cmds = link.take_sent();
    ASSERT_EQ(cmds.size(), 2u);
    EXPECT_EQ(cmds[0].kind, Kind::kAppData);
    EXPECT_EQ(cmds[1].kind, Kind::kSendFin);
    EXPECT_EQ(stack->state(o.sock), TcpState::kLastAck);
}

TEST_F(StackTest, CloseWithQueuedDataSendsTheFinOnlyAfterTheLastAppData) {
    make();
    prime_arp();
    Open o = open_active();
    const Bytes data = pattern(100000, 6);
    ASSERT_EQ(stack->send(o.sock, data.data(), data.size()).value(), data.size());
    ASSERT_TRUE(stack->close(o.sock).ok());
    EXPECT_EQ(stack->state(o.sock), TcpState::kFinWait1);
    Bytes handed;
    EXPECT_EQ(collect_app_data(link.take_sent(), o.session, handed, cfg.app_data_chunk), 0u)
        << "no SEND_FIN while data waits for credit";
    EXPECT_FALSE(stack->send(o.sock, data.data(), 1).ok()) << "send after close";
    link.inject(Kind::kAcked, o.session, driver::kAckedData, be32(o.iss + 1 + 60000));
    step();
    const auto cmds = link.take_sent();
    ASSERT_GE(cmds.size(), 2u);
    EXPECT_EQ(cmds.back().kind, Kind::kSendFin);
    EXPECT_EQ(collect_app_data(cmds, o.session, handed, cfg.app_data_chunk), 1u);
    EXPECT_EQ(handed, data);
    link.inject(Kind::kAcked, o.session, driver::kAckedData | driver::kAckedFin,
                be32(o.iss + 1 + 100001));
    step();
    EXPECT_EQ(stack->state(o.sock), TcpState::kFinWait2);
    EXPECT_EQ(stack->unacked(o.sock), 0u);
}

TEST_F(StackTest, ShutdownWriteHalfClosesKeepsReceivingAndWaitsForThePeersFin) {
    make();
    prime_arp();
    Open o = open_active();
    ASSERT_TRUE(stack->shutdown(o.sock, ShutdownHow::kWrite).ok());
    auto cmds = link.take_sent();
    ASSERT_EQ(cmds.size(), 1u);
    EXPECT_EQ(cmds[0].kind, Kind::kSendFin);
    EXPECT_EQ(stack->state(o.sock), TcpState::kFinWait1);
    link.inject(Kind::kAcked, o.session, driver::kAckedFin);
    step();
    EXPECT_EQ(stack->state(o.sock), TcpState::kFinWait2);
    link.advance(seconds(600));
    step();
    EXPECT_EQ(stack->state(o.sock), TcpState::kFinWait2) << "no FIN_WAIT_2 timeout when not closed";
    EXPECT_TRUE(link.take_sent().empty());
    const Bytes late = pattern(700, 7);
    link.inject(Kind::kRxData, o.session, 0, late);
    link.inject(Kind::kPeerFin, o.session);
    step();
    Bytes got;
    ASSERT_EQ(stack->recv(o.sock, got, 1000).value(), late.size()) << "half-closed: still reading";
    EXPECT_EQ(got, late);
    EXPECT_EQ(stack->state(o.sock), TcpState::kTimeWait);
    cmds = link.take_sent();
    ASSERT_EQ(cmds.size(), 1u);
    EXPECT_EQ(cmds[0].kind, Kind::kRemove);
}

TEST_F(StackTest, FinWait2TimeoutRemovesAClosedSocketWithoutTimeWait) {
    cfg.fin_wait2_timeout_ns = 30'000'000'000;
    make();
    prime_arp();
    Open o = open_active();
    ASSERT_TRUE(stack->close(o.sock).ok());
    link.take_sent();
    link.inject(Kind::kAcked, o.session, driver::kAckedFin);
    step();
    EXPECT_EQ(stack->state(o.sock), TcpState::kFinWait2);
    link.advance(seconds(29));
    step();
    EXPECT_TRUE(link.take_sent().empty());
    link.advance(seconds(2));
    step();
    auto cmds = link.take_sent();
    ASSERT_EQ(cmds.size(), 1u);
    EXPECT_EQ(cmds[0].kind, Kind::kRemove) << "as Linux: no RST for the orphan";
    EXPECT_EQ(stack->counters().fin_wait2_timeouts, 1u);
    link.inject(Kind::kRemoved, o.session, uint16_t(driver::TableResult::kRemoved),
                snapshot(o.iss + 2, o.irs + 1, 0));
    step();
    EXPECT_EQ(stack->state(o.sock), TcpState::kClosed);
    EXPECT_FALSE(stack->time_wait().contains(o.tuple));
    EXPECT_EQ(stack->free_sessions(), kSessions);
}

TEST_F(StackTest, CloseWithUnreadDataOrLingerZeroAborts) {
    make();
    prime_arp();
    Open o = open_active();
    link.inject(Kind::kRxData, o.session, 0, pattern(10, 8));
    step();
    ASSERT_TRUE(stack->close(o.sock).ok());
    auto cmds = link.take_sent();
    ASSERT_EQ(cmds.size(), 1u);
    EXPECT_EQ(cmds[0].kind, Kind::kAbort) << "unread data: RST, as Linux";
    EXPECT_EQ(stack->counters().unread_data_resets, 1u);
    EXPECT_EQ(stack->error(o.sock), SocketError::kAborted);

    Open p = open_active(9000);
    ASSERT_TRUE(stack->set_linger_zero(p.sock, true).ok());
    ASSERT_TRUE(stack->close(p.sock).ok());
    cmds = link.take_sent();
    ASSERT_EQ(cmds.size(), 1u);
    EXPECT_EQ(cmds[0].kind, Kind::kAbort) << "linger-0";
}

TEST_F(StackTest, FpgaAppSocketInstallsWithoutTheHostFlagAndRefusesSendAndRecv) {
    make();
    prime_arp();
    SocketId l = stack->listen(7, 0, Termination::kFpgaApp).value();
    send_peer(from_peer(4000, 7, tcp_bits::kSyn, 100, 0));
    const uint32_t iss = sent().frames.at(0).tcp.seq;
    send_peer(from_peer(4000, 7, tcp_bits::kAck, 101, iss + 1));
    const auto cmds = link.take_sent();
    ASSERT_EQ(cmds.size(), 1u);
    ASSERT_EQ(cmds[0].kind, Kind::kInstall);
    constexpr std::size_t kFlagsAt = 12 + 8 * 4 + 1;  // key, eight 32-bit fields, wscale
    EXPECT_EQ(cmds[0].payload.at(kFlagsAt) & driver::kInstallHost, 0);
    link.inject(Kind::kInstalled, cmds[0].session, 0);
    step();
    const SocketId s = stack->accept(l).value();
    EXPECT_FALSE(stack->send(s, cmds[0].payload.data(), 1).ok());
    Bytes out;
    EXPECT_FALSE(stack->recv(s, out, 1).ok());
    link.inject(Kind::kRxData, cmds[0].session, 0, pattern(5, 9));
    step();
    EXPECT_EQ(stack->counters().stray_rx_data, 1u);
}

TEST_F(StackTest, LinkFailureClosesEverySocketWithLinkDown) {
    make();
    prime_arp();
    Open o = open_active();
    SocketId l = stack->listen(81).value();
    SocketId pending = stack->connect(kPeerIp, 82).value();
    stack->take_events();
    link.fail("FT2232H 0403:6010 unplugged");
    auto r = stack->poll();
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("unplugged"), std::string::npos);
    for (SocketId s : {o.sock, l, pending}) {
        EXPECT_EQ(stack->state(s), TcpState::kClosed) << s;
        EXPECT_EQ(stack->error(s), SocketError::kLinkDown) << s;
    }
    EXPECT_EQ(stack->take_events().size(), 3u) << "a kClosed for each";
    EXPECT_FALSE(stack->send(o.sock, nullptr, 0).ok());
    EXPECT_FALSE(stack->listen(81).ok() && stack->poll().ok());
}

TEST_F(StackTest, SessionIdsAreReusedOldestFreedFirst) {
    make();
    prime_arp();
    Open a = open_active(1000);
    Open b = open_active(2000);
    EXPECT_EQ(a.session, 0u);
    EXPECT_EQ(b.session, 1u);
    ASSERT_TRUE(stack->abort(a.sock).ok());
    link.inject(Kind::kRemoved, a.session, uint16_t(driver::TableResult::kRemoved),
                snapshot(a.iss + 1, a.irs + 1, 0));
    step();
    link.take_sent();
    Open c = open_active(3000);
    EXPECT_EQ(c.session, 2u) << "session 0 waits behind the ids never used";
}

// ---- RFC 9293 §3.3.2 figure 5, the synchronized states, as a table ----
// Every path from ESTABLISHED to CLOSED the diagram draws (and the RST / TIMEOUT exits
// from each state), driven by the API and the engine's events: after each step the
// socket is in the state the row names. REMOVED completes a removal; "2MSL" lets the
// TIME_WAIT entry expire.
enum class Step : uint8_t { kClose, kShutWr, kPeerFin, kAckedFin, kRemoved, kPeerRst, kTimeout, k2Msl };
struct Transition {
    Step step;
    TcpState after;
};
struct DiagramPath {
    const char* name;
    std::vector<Transition> steps;
    bool time_wait;  // the tuple went into the TIME_WAIT table
};

TEST_F(StackTest, EverySynchronizedTransitionOfTheStateDiagram) {
    using S = TcpState;
    const std::vector<DiagramPath> paths = {
        {"active close", {{Step::kClose, S::kFinWait1}, {Step::kAckedFin, S::kFinWait2},
                          {Step::kPeerFin, S::kTimeWait}, {Step::kRemoved, S::kClosed},
                          {Step::k2Msl, S::kClosed}}, true},
        {"simultaneous close", {{Step::kClose, S::kFinWait1}, {Step::kPeerFin, S::kClosing},
                                {Step::kAckedFin, S::kTimeWait}, {Step::kRemoved, S::kClosed}}, true},
        {"passive close", {{Step::kPeerFin, S::kCloseWait}, {Step::kClose, S::kLastAck},
                           {Step::kAckedFin, S::kLastAck}, {Step::kRemoved, S::kClosed}}, false},
        {"half-close first", {{Step::kShutWr, S::kFinWait1}, {Step::kAckedFin, S::kFinWait2},
                              {Step::kClose, S::kFinWait2}, {Step::kPeerFin, S::kTimeWait},
                              {Step::kRemoved, S::kClosed}}, true},
        {"half-close second", {{Step::kPeerFin, S::kCloseWait}, {Step::kShutWr, S::kLastAck},
                               {Step::kAckedFin, S::kLastAck}, {Step::kRemoved, S::kClosed}}, false},
        {"RST in ESTABLISHED", {{Step::kPeerRst, S::kEstablished}, {Step::kRemoved, S::kClosed}}, false},
        {"RST in FIN-WAIT-1", {{Step::kClose, S::kFinWait1}, {Step::kPeerRst, S::kFinWait1},
                               {Step::kRemoved, S::kClosed}}, false},
        {"RST in FIN-WAIT-2", {{Step::kClose, S::kFinWait1}, {Step::kAckedFin, S::kFinWait2},
                               {Step::kPeerRst, S::kFinWait2}, {Step::kRemoved, S::kClosed}}, false},
        {"RST in CLOSING", {{Step::kClose, S::kFinWait1}, {Step::kPeerFin, S::kClosing},
                            {Step::kPeerRst, S::kClosing}, {Step::kRemoved, S::kClosed}}, false},
        {"RST in CLOSE-WAIT", {{Step::kPeerFin, S::kCloseWait}, {Step::kPeerRst, S::kCloseWait},
                               {Step::kRemoved, S::kClosed}}, false},
        {"RST in LAST-ACK", {{Step::kPeerFin, S::kCloseWait}, {Step::kClose, S::kLastAck},
                             {Step::kPeerRst, S::kLastAck}, {Step::kRemoved, S::kClosed}}, false},
        {"TIMEOUT in ESTABLISHED", {{Step::kTimeout, S::kEstablished}, {Step::kRemoved, S::kClosed}}, false},
        {"TIMEOUT in FIN-WAIT-1", {{Step::kClose, S::kFinWait1}, {Step::kTimeout, S::kFinWait1},
                                   {Step::kRemoved, S::kClosed}}, false},
        {"TIMEOUT in LAST-ACK", {{Step::kPeerFin, S::kCloseWait}, {Step::kClose, S::kLastAck},
                                 {Step::kTimeout, S::kLastAck}, {Step::kRemoved, S::kClosed}}, false},
    };
    make();
    prime_arp();
    uint32_t isn = 10000;
    for (const DiagramPath& path : paths) {
        SCOPED_TRACE(path.name);
        prime_arp();  // the peer's ARP entry may have aged out over a 2MSL step
        Open o = open_active(isn += 100000);
        bool rst = false, timeout = false;
        for (const Transition& t : path.steps) {
            switch (t.step) {
                case Step::kClose: ASSERT_TRUE(stack->close(o.sock).ok()); break;
                case Step::kShutWr: ASSERT_TRUE(stack->shutdown(o.sock, ShutdownHow::kWrite).ok()); break;
                case Step::kPeerFin: link.inject(Kind::kPeerFin, o.session); break;
                case Step::kAckedFin: link.inject(Kind::kAcked, o.session, driver::kAckedFin); break;
                case Step::kPeerRst: link.inject(Kind::kPeerRst, o.session); rst = true; break;
                case Step::kTimeout: link.inject(Kind::kTimeout, o.session); timeout = true; break;
                case Step::kRemoved:
                    link.inject(Kind::kRemoved, o.session, uint16_t(driver::TableResult::kRemoved),
                                snapshot(o.iss + 2, o.irs + 2, 0));
                    break;
                case Step::k2Msl:
                    EXPECT_TRUE(stack->time_wait().contains(o.tuple));
                    link.advance(nanoseconds(cfg.two_msl_ns + 1000));
                    break;
            }
            step();
            EXPECT_EQ(stack->state(o.sock), t.after)
                << "step " << int(t.step) << ": " << tcp_state_name(stack->state(o.sock));
        }
        const bool expired = path.steps.back().step == Step::k2Msl;
        EXPECT_EQ(stack->time_wait().contains(o.tuple), path.time_wait && !expired);
        EXPECT_EQ(stack->error(o.sock), rst       ? SocketError::kReset
                                        : timeout ? SocketError::kTimedOut
                                                  : SocketError::kNone);
        EXPECT_EQ(stack->free_sessions(), kSessions) << "the engine session is freed";
        EXPECT_EQ(stack->counters().unexpected_events, 0u);
        ASSERT_TRUE(stack->release(o.sock).ok());
        link.take_sent();
    }
}

}  // namespace
}  // namespace ftoe::host
