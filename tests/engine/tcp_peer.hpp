// tcp_peer.hpp: the far end of an engine-terminated session in the engine's cosim tests,
// a TCP receiver as RFC 9293 describes it, written against the reference parser: every
// frame the engine sends it is checked (both checksums, addressing, the ACK flag, at
// most the installed MSS), in-order data is taken and ACKed at once. Knobs for the
// transmit-side tests: drop chosen data segments (loss), keep out-of-order data within
// the window until the hole fills (reassembly, answered with duplicate ACKs meanwhile,
// as a real receiver does), a zero window, no ACKs at all, ACKs held back for a while.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <random>
#include <utility>
#include <vector>

#include "engine_host_ops.hpp"
#include "engine_messages.hpp"
#include "eth_rx_parse.hpp"
#include "frame.hpp"
#include "tcp_rx.hpp"

namespace ftoe::sim::test {

constexpr uint64_t kOurMac = 0x020000000002ull;   // TcpFrameSpec's default destination
constexpr uint64_t kPeerMac = 0x020000000001ull;  // ... and source
constexpr uint32_t kOurIp = 0x0a000002;

struct TcpPeer {
    driver::FourTuple tuple;
    uint32_t rcv_nxt = 0;   // next byte expected from the engine
    uint32_t snd_nxt = 0;   // the peer's own sequence number (its data, if any, went first)
    uint16_t window = 65535;
    uint16_t mss = 0;
    // loss and receiver behaviour
    std::function<bool(uint32_t seq, uint16_t len)> drop;  // true: this segment is lost
    bool reassemble = false;            // keep out-of-order data; else it fails the test
    bool send_acks = true;
    uint64_t ack_delay_cycles = 0;      // exchange() holds each ACK this long
    std::deque<std::pair<uint64_t, Bytes>> held_acks;  // (cycle due, ACK), across exchange()s
    // what arrived
    Bytes received;
    bool fin = false;
    uint64_t data_segments = 0, pure_acks = 0, dropped = 0, out_of_order = 0, duplicates = 0;
    uint16_t largest = 0;
    std::vector<std::size_t> data_frames;  // MAC TX frame index of each data segment
    std::vector<uint32_t> data_seqs;       // ... its sequence number
    std::vector<uint16_t> data_lens;       // ... and payload length
    uint32_t their_ack = 0;   // the engine's newest ACK of the peer's data
    uint32_t their_wnd = 0;   // ... and the window it advertised with it (no scaling)

    // One frame from MAC TX addressed to this peer (frame #i): checked, and the ACK to
    // send back (empty when none is due).
    Bytes receive(const Bytes& f, std::size_t i) {
        kernel::RxParseConfig as_peer;
        as_peer.our_mac = kPeerMac;
        as_peer.our_ip = tuple.remote_ip;
        const auto m = kernel::eth_rx_parse(f.data(), int(f.size()), false, as_peer);
        EXPECT_EQ(m.reason, driver::RxReason::kTcp)
            << "frame " << i << " is not a valid segment for the peer: "
            << driver::rx_reason_name(m.reason);
        EXPECT_EQ(m.src_mac, kOurMac) << "frame " << i;
        EXPECT_EQ(m.src_ip, tuple.local_ip) << "frame " << i;
        EXPECT_EQ(m.src_port, tuple.local_port) << "frame " << i;
        EXPECT_EQ(m.dst_port, tuple.remote_port) << "frame " << i;
        EXPECT_TRUE(m.flags & kernel::tcp_flag::kAck) << "frame " << i;
        const bool has_fin = m.flags & kernel::tcp_flag::kFin;
        if (int32_t(m.ack - their_ack) >= 0) {
            their_ack = m.ack;
            their_wnd = m.window;
        }
        if (m.payload_len == 0 && !has_fin) {
            ++pure_acks;
            return {};
        }
        EXPECT_LE(m.payload_len, mss) << "frame " << i << ": larger than the MSS";
        data_frames.push_back(i);
        data_seqs.push_back(m.seq);
        data_lens.push_back(m.payload_len);
        ++data_segments;
        largest = std::max(largest, m.payload_len);
        if (drop && drop(m.seq, m.payload_len)) {
            ++dropped;
            return {};
        }
        const uint32_t end = m.seq + m.payload_len + (has_fin ? 1u : 0u);
        if (m.seq != rcv_nxt) {
            if (!reassemble) {
                ADD_FAILURE() << "frame " << i << ": data out of order (seq " << m.seq
                              << ", expected " << rcv_nxt << ")";
                return {};
            }
            if (int32_t(m.seq - rcv_nxt) > 0) {
                ++out_of_order;
                if (window != 0 && end - rcv_nxt <= window) {
                    Segment& s = ooo[m.seq];
                    s.bytes.assign(f.begin() + m.payload_off,
                                   f.begin() + m.payload_off + m.payload_len);
                    s.fin = has_fin;
                }
            } else if (int32_t(end - rcv_nxt) <= 0) {
                ++duplicates;
            } else {  // overlaps the next byte: take the new part
                take(f, m.payload_off + (rcv_nxt - m.seq), end - rcv_nxt, has_fin);
                pull_reassembled();
            }
            return send_acks ? ack_frame() : Bytes{};
        }
        if (int32_t(m.payload_len) > window && window != 0) {
            ADD_FAILURE() << "frame " << i << ": " << m.payload_len
                          << " bytes beyond the window " << window;
        }
        if (window == 0 && m.payload_len > 0) {  // a zero-window probe: not taken
            return send_acks ? ack_frame() : Bytes{};
        }
        EXPECT_FALSE(fin) << "frame " << i << ": data after the FIN";
        take(f, m.payload_off, m.payload_len + (has_fin ? 1u : 0u), has_fin);
        pull_reassembled();
        return send_acks ? ack_frame() : Bytes{};
    }
    Bytes ack_frame() const { return build_tcp_frame(spec()); }
    // The peer's data segment at its SND.NXT, which moves past it.
    Bytes data_frame(Bytes payload) {
        const uint32_t seq = snd_nxt;
        snd_nxt += uint32_t(payload.size());
        return data_frame_at(seq, std::move(payload));
    }
    // A data segment at `seq` that leaves SND.NXT alone (out of order, or sent again).
    Bytes data_frame_at(uint32_t seq, Bytes payload) const {
        TcpFrameSpec s = spec();
        s.seq = seq;
        s.payload = std::move(payload);
        return build_tcp_frame(s);
    }

private:
    // An ACK from the peer at its SND.NXT with its window.
    TcpFrameSpec spec() const {
        TcpFrameSpec s;
        s.src_ip = tuple.remote_ip;
        s.dst_ip = tuple.local_ip;
        s.src_port = tuple.remote_port;
        s.dst_port = tuple.local_port;
        s.seq = snd_nxt;
        s.ack = rcv_nxt;
        s.flags = kernel::tcp_flag::kAck;
        s.window = window;
        return s;
    }
    struct Segment {
        Bytes bytes;
        bool fin = false;
    };
    std::map<uint32_t, Segment> ooo;  // out-of-order data by sequence number (no wrap in a test)

    // Moves buffered segments that the next byte reaches into the received data.
    void pull_reassembled() {
        while (!ooo.empty()) {
            auto it = ooo.begin();
            const uint32_t seq = it->first;
            const uint32_t len = uint32_t(it->second.bytes.size()) + (it->second.fin ? 1u : 0u);
            if (int32_t(seq - rcv_nxt) > 0) break;           // still a hole before it
            if (int32_t(seq + len - rcv_nxt) > 0) {           // brings new bytes
                const uint32_t skip = rcv_nxt - seq;
                const Bytes& b = it->second.bytes;
                received.insert(received.end(), b.begin() + long(std::min<std::size_t>(skip, b.size())), b.end());
                rcv_nxt = seq + len;
                fin = fin || it->second.fin;
            }
            ooo.erase(it);
        }
    }

    // Takes `seq_len` sequence numbers from payload offset `off` (the FIN last).
    void take(const Bytes& f, std::size_t off, uint32_t seq_len, bool has_fin) {
        const uint32_t bytes = seq_len - (has_fin ? 1u : 0u);
        received.insert(received.end(), f.begin() + long(off), f.begin() + long(off + bytes));
        rcv_nxt += seq_len;
        fin = fin || has_fin;
    }
};

// Installs session `sid` for `peer`: the engine's first byte is `iss + 1`; the peer's
// window as the engine's SND.WND.
template <class E>
void install(E& e, uint32_t sid, TcpPeer& peer, uint32_t iss, uint32_t peer_isn) {
    driver::SessionState st;
    st.rcv_nxt = peer_isn + 1;
    st.rcv_wnd = 65535;
    st.snd_una = st.snd_nxt = iss + 1;
    st.snd_wnd = st.max_snd_wnd = peer.window;
    st.snd_wl1 = peer_isn;
    st.snd_wl2 = iss + 1;
    st.peer_mac = kPeerMac;
    st.mss = peer.mss;
    ASSERT_EQ(engine_table_command(e, driver::Kind::kInstall, sid, peer.tuple, st),
              driver::TableResult::kInserted);
    peer.rcv_nxt = iss + 1;
    peer.snd_nxt = peer_isn + 1;
}

// Steps the engine, handing each new MAC TX frame to its peer (by the frame's
// destination port) and the peer's ACKs back, each after the peer's ack delay.
template <class E>
bool exchange(E& e, std::map<uint32_t, TcpPeer*>& by_remote_port, std::size_t& seen,
              const std::function<bool()>& done, uint64_t max_cycles,
              const std::function<void()>& each_cycle = {}) {
    for (uint64_t c = 0; c < max_cycles; c++) {
        if (done()) return true;
        if (each_cycle) each_cycle();
        for (auto& [port, peer] : by_remote_port) {
            auto& held = peer->held_acks;
            while (!held.empty() && held.front().first <= e.cycle()) {
                e.send_frame(held.front().second);
                held.pop_front();
            }
        }
        e.step();
        while (seen < e.tx_frames.size()) {
            const Bytes& f = e.tx_frames[seen];
            const uint16_t dport = uint16_t(f[36] << 8 | f[37]);
            auto it = by_remote_port.find(dport);
            EXPECT_NE(it, by_remote_port.end()) << "frame " << seen << " for an unknown port";
            if (it != by_remote_port.end()) {
                Bytes ack = it->second->receive(f, seen);
                if (ack.empty()) {
                } else if (it->second->ack_delay_cycles == 0) {
                    e.send_frame(ack);  // at once, even if done() ends the exchange now
                } else {
                    it->second->held_acks.push_back({e.cycle() + it->second->ack_delay_cycles, ack});
                }
            }
            ++seen;
        }
    }
    return done();
}

// A peer at remote_ip:remote_port talking to our local_port, its MSS `mss`.
inline TcpPeer peer_at(uint32_t remote_ip, uint16_t remote_port, uint16_t local_port,
                       uint16_t mss) {
    TcpPeer p;
    p.tuple = {remote_ip, kOurIp, remote_port, local_port};
    p.mss = mss;
    return p;
}

// exchange() with its bookkeeping kept: the peers the engine talks to (by port) and how
// many of its MAC TX frames they have been handed. The peers must outlive it.
template <class E>
class PeerExchange {
public:
    explicit PeerExchange(E& e) : e_(e) {}
    // exchange() answers for `p` from now on.
    void add(TcpPeer& p) { by_port_[p.tuple.remote_port] = &p; }
    // install() of session `sid` for `p`, then add(p).
    void install(uint32_t sid, TcpPeer& p, uint32_t iss, uint32_t peer_isn) {
        test::install(e_, sid, p, iss, peer_isn);
        add(p);
    }
    // Until `done` holds (true) or `max_cycles` have passed (false).
    bool until(const std::function<bool()>& done, uint64_t max_cycles,
               const std::function<void()>& each_cycle = {}) {
        return exchange(e_, by_port_, seen_, done, max_cycles, each_cycle);
    }
    // `cycles` cycles, whatever happens in them.
    void run(uint64_t cycles, const std::function<void()>& each_cycle = {}) {
        (void)until([] { return false; }, cycles, each_cycle);
    }
    std::size_t seen() const { return seen_; }

private:
    E& e_;
    std::map<uint32_t, TcpPeer*> by_port_;
    std::size_t seen_ = 0;
};

inline Bytes random_bytes(std::mt19937_64& rng, std::size_t n) {
    Bytes b(n);
    for (auto& x : b) x = uint8_t(rng());
    return b;
}

}  // namespace ftoe::sim::test
