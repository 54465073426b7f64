// Two host Stacks on two Verilated engines back to back (stack_pair_fixture.hpp), all in
// one simulated time. A client connects to a server through ARP and the slow path, both
// sessions are installed host-terminated, data moves both ways at once through APP_DATA /
// RX_DATA (10 MB each way, 1 MB in the other orders) with SHA-256 equal at both ends, and
// the connection closes in each order: client first, server first, simultaneous, abort.
// The side that enters TIME_WAIT has its engine session removed the moment it does (the
// table empty again, by the engine's own counters) while the TIME_WAIT entry lives on in
// its host.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>

#include "byte_stream.hpp"
#include "sha256.hpp"
#include "stack.hpp"
#include "stack_pair_fixture.hpp"

namespace ftoe::sim {
namespace {

using host::SocketId;
using host::TcpState;
constexpr uint16_t kPort = 5001;

// Bytes to move each way: `normal`, or FTOE_PAIR_BYTES when set. The engine model runs
// at about 450,000 cycles/s here (with both host Stacks) and the host link moves a byte
// per cycle, so 10 MB each way is some 10.5 million cycles of two engines (about 60 s of
// CPU measured): one close order moves 10 MB, the others 1 MB.
std::size_t transfer_bytes(std::size_t normal) {
    const char* v = std::getenv("FTOE_PAIR_BYTES");
    return v ? std::size_t(std::strtoull(v, nullptr, 10)) : normal;
}

// One end of the transfer: sends `total` bytes of its source, receives until EOF.
struct Endpoint {
    SocketId sock = 0;
    bool have = false;
    ByteStream src;
    std::size_t total = 0, sent = 0;
    Sha256 sent_hash, rcvd_hash;
    driver::Bytes pending;  // produced, not yet taken by send()
    explicit Endpoint(uint64_t seed) : src(seed) {}

    void pump(host::Stack& st) {
        if (!have) return;
        while (sent < total || !pending.empty()) {
            if (pending.empty()) {
                pending.resize(std::min<std::size_t>(65536, total - sent));
                src.fill(pending.data(), pending.size());
                sent_hash.update(pending.data(), pending.size());
                sent += pending.size();
            }
            auto r = st.send(sock, pending.data(), pending.size());
            if (!r.ok() || r.value() == 0) break;
            pending.erase(pending.begin(), pending.begin() + long(r.value()));
        }
        driver::Bytes in;
        while (true) {
            in.clear();
            auto r = st.recv(sock, in, 1 << 20);
            if (!r.ok() || r.value() == 0) break;
            rcvd_hash.update(in.data(), in.size());
        }
    }
    bool all_sent() const { return sent == total && pending.empty(); }
};

class StackPair : public test::StackPairFixture {
protected:
    // The engine's connection-table occupancy, read with READ_COUNTERS.
    uint32_t occupancy(test::PairBoard& b) {
        const uint64_t before = b.stack->counters().engine_counter_reads;
        EXPECT_TRUE(b.stack->request_engine_counters().ok());
        EXPECT_TRUE(run([&] { return b.stack->counters().engine_counter_reads > before; },
                        std::chrono::milliseconds(1)));
        return b.stack->engine_counters() ? b.stack->engine_counters()->table_occupancy : ~0u;
    }

    enum class Order { kClientFirst, kServerFirst, kSimultaneous, kAbort };
    void transfer_and_close(Order order, std::size_t bytes);

};

void StackPair::transfer_and_close(Order order, std::size_t bytes) {
    host::Stack& S = *server_->stack;
    host::Stack& C = *client_->stack;
    const SocketId l = S.listen(kPort).value();
    Endpoint se(101), ce(202);
    se.total = ce.total = transfer_bytes(bytes);
    const auto c = C.connect(kServerIp, kPort);
    ASSERT_TRUE(c.ok()) << c.error().message;
    ce.sock = c.value();
    ASSERT_TRUE(run(
        [&] {
            if (!se.have)
                if (auto a = S.accept(l)) se.sock = *a, se.have = true;
            if (!ce.have && C.state(ce.sock) == TcpState::kEstablished) ce.have = true;
            return se.have && ce.have;
        },
        std::chrono::milliseconds(20)))
        << "no connection: client " << host::tcp_state_name(C.state(ce.sock)) << " ("
        << host::socket_error_name(C.error(ce.sock)) << ")";
    const host::FourTuple ct = *C.tuple(ce.sock), st = *S.tuple(se.sock);
    EXPECT_EQ(S.free_sessions() + 1, 4096u);
    EXPECT_EQ(occupancy(*server_), 1u);
    EXPECT_EQ(occupancy(*client_), 1u);

    const auto t0 = now();
    const auto w0 = std::chrono::steady_clock::now();
    const auto moved = [&] {
        se.pump(S);
        ce.pump(C);
        return se.all_sent() && ce.all_sent() && se.rcvd_hash.bytes() == se.total &&
               ce.rcvd_hash.bytes() == ce.total && S.unacked(se.sock) == 0 &&
               C.unacked(ce.sock) == 0;
    };
    ASSERT_TRUE(run(moved, std::chrono::seconds(2)))
        << "server sent " << se.sent << " got " << se.rcvd_hash.bytes() << ", client sent "
        << ce.sent << " got " << ce.rcvd_hash.bytes() << " of " << se.total;
    const double sim_s = double((now() - t0).count()) * 1e-9;
    const double wall_s =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    std::printf("[ pair ] %zu bytes each way in %.3f ms simulated (%.2f Gb/s each way), "
                "%.1f s wall\n",
                se.total, sim_s * 1e3, double(se.total) * 8 / sim_s * 1e-9, wall_s);
    const std::string s_sent = Sha256::hex(se.sent_hash.finish());
    const std::string c_sent = Sha256::hex(ce.sent_hash.finish());
    EXPECT_EQ(Sha256::hex(ce.rcvd_hash.finish()), s_sent) << "server -> client";
    EXPECT_EQ(Sha256::hex(se.rcvd_hash.finish()), c_sent) << "client -> server";

    // Close in the order asked; each side closes once it has seen the other's FIN (EOF).
    bool s_closed = false, c_closed = false;
    switch (order) {
        case Order::kClientFirst: ASSERT_TRUE(C.close(ce.sock).ok()); c_closed = true; break;
        case Order::kServerFirst: ASSERT_TRUE(S.close(se.sock).ok()); s_closed = true; break;
        case Order::kSimultaneous:
            ASSERT_TRUE(C.close(ce.sock).ok());
            ASSERT_TRUE(S.close(se.sock).ok());
            s_closed = c_closed = true;
            break;
        case Order::kAbort: ASSERT_TRUE(C.abort(ce.sock).ok()); c_closed = true; break;
    }
    // The first closer's slot is free and its TIME_WAIT entry in place at the moment it
    // enters TIME_WAIT (checked on the first poll that finds it there).
    bool c_tw_checked = false, s_tw_checked = false;
    const auto check_tw = [&](test::PairBoard& b, SocketId sock, const host::FourTuple& t,
                              bool& done) {
        if (done || b.stack->state(sock) != TcpState::kClosed || !b.stack->time_wait().contains(t))
            return;
        done = true;
        EXPECT_EQ(b.stack->free_sessions(), 4096u);
        EXPECT_EQ(occupancy(b), 0u) << "TIME_WAIT holds no engine session";
    };
    ASSERT_TRUE(run(
        [&] {
            return S.state(se.sock) == TcpState::kClosed && C.state(ce.sock) == TcpState::kClosed;
        },
        std::chrono::milliseconds(50),
        [&] {
            se.pump(S);
            ce.pump(C);
            if (!s_closed && S.eof(se.sock)) s_closed = S.close(se.sock).ok();
            if (!c_closed && C.eof(ce.sock)) c_closed = C.close(ce.sock).ok();
            check_tw(*client_, ce.sock, ct, c_tw_checked);
            check_tw(*server_, se.sock, st, s_tw_checked);
        }))
        << "server " << host::tcp_state_name(S.state(se.sock)) << ", client "
        << host::tcp_state_name(C.state(ce.sock));

    const bool client_tw = order == Order::kClientFirst || order == Order::kSimultaneous;
    const bool server_tw = order == Order::kServerFirst || order == Order::kSimultaneous;
    EXPECT_EQ(C.time_wait().contains(ct), client_tw);
    EXPECT_EQ(S.time_wait().contains(st), server_tw);
    EXPECT_EQ(c_tw_checked, client_tw);
    EXPECT_EQ(s_tw_checked, server_tw);
    if (order == Order::kAbort) {
        EXPECT_EQ(C.error(ce.sock), host::SocketError::kAborted);
        EXPECT_EQ(S.error(se.sock), host::SocketError::kReset);
    } else {
        EXPECT_EQ(C.error(ce.sock), host::SocketError::kNone);
        EXPECT_EQ(S.error(se.sock), host::SocketError::kNone);
    }
    for (test::PairBoard* b : {server_.get(), client_.get()}) {
        EXPECT_EQ(b->stack->free_sessions(), 4096u);
        EXPECT_EQ(occupancy(*b), 0u);
        const auto& ec = *b->stack->engine_counters();
        std::printf("[ pair ] %s: %llu data segments, %llu retransmissions, %llu ACKs\n",
                    b == server_.get() ? "server" : "client",
                    (unsigned long long)ec.data_segments_sent,
                    (unsigned long long)ec.retransmissions, (unsigned long long)ec.acks_sent);
        EXPECT_EQ(b->stack->counters().stray_rx_data, 0u);
        EXPECT_EQ(b->stack->counters().deframe_errors, 0u);
        EXPECT_EQ(b->stack->counters().unexpected_events, 0u);
    }
}

TEST_F(StackPair, TenMegabytesEachWayThenClientClosesFirst) {
    transfer_and_close(Order::kClientFirst, 10'000'000);
}
TEST_F(StackPair, OneMegabyteEachWayThenServerClosesFirst) {
    transfer_and_close(Order::kServerFirst, 1'000'000);
}
TEST_F(StackPair, OneMegabyteEachWayThenBothCloseAtOnce) {
    transfer_and_close(Order::kSimultaneous, 1'000'000);
}
TEST_F(StackPair, OneMegabyteEachWayThenTheClientAborts) {
    transfer_and_close(Order::kAbort, 1'000'000);
}

}  // namespace
}  // namespace ftoe::sim
