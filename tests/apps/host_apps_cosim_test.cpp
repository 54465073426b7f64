// The host apps of sim/apps on two host Stacks over two Verilated engines back to back
// (tests/engine/stack_pair_fixture.hpp): echo client against echo server
// (64 KB, SHA-256 equal both ways, a latency sample per message), bulk transfers both
// ways (256 KB, the receiver's SHA-256 equal to the sender's), the HTTP client against
// the HTTP server (5 requests of / and /bytes/100000, on new connections and on one
// keep-alive connection: every request answered, every connection closed), and the HTTP
// server's pipelining, 404 and Connection: close seen from a raw socket.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bulk.hpp"
#include "discard_server.hpp"
#include "echo_client.hpp"
#include "echo_server.hpp"
#include "http_client.hpp"
#include "http_message.hpp"
#include "http_server.hpp"
#include "stack.hpp"
#include "stack_pair_fixture.hpp"

namespace ftoe::sim {
namespace {

class HostApps : public test::StackPairFixture {
protected:
    void SetUp() override {
        test::StackPairFixture::SetUp();
        serve(*server_, {});
        serve(*client_, {});
    }

    // From now on, after each poll of `b`'s Stack, its events are drained (the apps do
    // not use them) and `apps` are polled.
    void serve(test::PairBoard& b, std::vector<App*> apps) {
        b.after_poll = [this, apps](host::Stack& st) {
            (void)st.take_events();
            for (App* a : apps) a->poll(st, now_ns());
        };
    }

    // StackPairFixture::run, reporting the simulated and wall time it took.
    bool run(const std::function<bool()>& done, std::chrono::nanoseconds budget,
             const std::function<void()>& each = {}) {
        const auto w0 = std::chrono::steady_clock::now();
        const uint64_t t0 = now_ns();
        if (!test::StackPairFixture::run(done, budget, each)) return false;
        std::printf("[ apps ] %.3f ms simulated, %.1f s wall\n", double(now_ns() - t0) * 1e-6,
                    std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count());
        return true;
    }

    // A 256 KB transfer between a BulkClient and a BulkServer, the client sending or
    // receiving it.
    void bulk_256k(uint16_t port, BulkRole client_role, uint64_t seed);
    void http_requests(bool keep_alive);

    // Both Stacks hold no engine session any more and saw nothing unexpected.
    void expect_stacks_clean() {
        for (test::PairBoard* b : {server_.get(), client_.get()}) {
            EXPECT_EQ(b->stack->free_sessions(), 4096u);
            EXPECT_EQ(b->stack->counters().stray_rx_data, 0u);
            EXPECT_EQ(b->stack->counters().unexpected_events, 0u);
            EXPECT_EQ(b->stack->counters().deframe_errors, 0u);
            EXPECT_EQ(b->stack->counters().unread_data_resets, 0u);
            EXPECT_EQ(b->stack->counters().rsts_sent, 0u);
            EXPECT_EQ(b->stack->counters().dropped_while_installing, 0u)
                << "data that reached the Stack before INSTALLED (the peer retransmits it in 1 s)";
        }
    }
};

TEST_F(HostApps, EchoClientGetsBack64KBytesWithEqualSha256AndLatencyPerMessage) {
    EchoServer server(EchoServerOptions{7, 0, 256 * 1024});
    EchoClientOptions co;
    co.remote_ip = kServerIp;
    co.remote_port = 7;
    co.bytes = 64 * 1024;
    co.message_bytes = 1024;
    co.window = 1;
    EchoClient client(co);
    serve(*server_, {&server});
    serve(*client_, {&client});
    ASSERT_TRUE(run([&] { return client.done() && server.open_connections() == 0; },
                    std::chrono::milliseconds(20)))
        << "client: " << client.stats().describe() << "\nserver: " << server.stats().describe();
    const AppStats& c = client.stats();
    const AppStats& s = server.stats();
    EXPECT_EQ(c.error_count(), 0u) << c.describe();
    EXPECT_EQ(s.error_count(), 0u) << s.describe();
    EXPECT_FALSE(client.first_mismatch().has_value()) << "first wrong byte at " << *client.first_mismatch();
    EXPECT_EQ(c.bytes_out, 64u * 1024);
    EXPECT_EQ(c.bytes_in, 64u * 1024);
    EXPECT_EQ(s.bytes_in, 64u * 1024);
    EXPECT_EQ(s.bytes_out, 64u * 1024);
    EXPECT_EQ(c.sha256_sent, c.sha256_received);
    EXPECT_EQ(c.sha256_sent.size(), 64u);
    EXPECT_EQ(c.connections_opened, 1u);
    EXPECT_EQ(c.connections_closed, 1u);
    EXPECT_EQ(s.connections_accepted, 1u);
    EXPECT_EQ(s.connections_closed, 1u);
    const LatencySummary l = c.latency();
    EXPECT_EQ(l.count, 64u);
    EXPECT_GT(l.p50_ns, 0u);
    EXPECT_LE(l.p50_ns, l.p90_ns);
    EXPECT_LE(l.p90_ns, l.p99_ns);
    EXPECT_LE(l.p99_ns, l.max_ns);
    // 1 KB crosses four host links at a byte per cycle (6.6 us each): at least 26 us.
    EXPECT_GE(l.p50_ns, 26'000u);
    std::printf("[ apps ] echo rtt 1 KB: p50 %.1f us, p90 %.1f us, p99 %.1f us, max %.1f us\n",
                double(l.p50_ns) * 1e-3, double(l.p90_ns) * 1e-3, double(l.p99_ns) * 1e-3,
                double(l.max_ns) * 1e-3);
    expect_stacks_clean();
}

TEST_F(HostApps, BulkClientSends256KBytesTheServerReceivesTheSameSha256) {
    bulk_256k(5001, BulkRole::kSend, 42);
}

TEST_F(HostApps, BulkServerSends256KBytesOnAcceptTheClientReceivesTheSameSha256) {
    bulk_256k(5002, BulkRole::kReceive, 43);
}

void HostApps::bulk_256k(uint16_t port, BulkRole client_role, uint64_t seed) {
    constexpr uint64_t kBytes = 256 * 1024;
    const BulkRole server_role = client_role == BulkRole::kSend ? BulkRole::kReceive : BulkRole::kSend;
    BulkServerOptions so;
    so.port = port;
    so.transfer = {server_role, kBytes, seed, true};
    BulkServer server(so);
    BulkClientOptions co;
    co.remote_ip = kServerIp;
    co.remote_port = port;
    co.transfer = {client_role, kBytes, seed, true};
    BulkClient client(co);
    serve(*server_, {&server});
    serve(*client_, {&client});
    ASSERT_TRUE(run([&] { return client.done() && server.open_connections() == 0 &&
                                 server.stats().connections_closed == 1; },
                    std::chrono::milliseconds(20)))
        << "client: " << client.stats().describe() << "\nserver: " << server.stats().describe();
    EXPECT_EQ(client.stats().error_count(), 0u) << client.stats().describe();
    EXPECT_EQ(server.stats().error_count(), 0u) << server.stats().describe();
    const AppStats& sender = client_role == BulkRole::kSend ? client.stats() : server.stats();
    const AppStats& receiver = client_role == BulkRole::kSend ? server.stats() : client.stats();
    EXPECT_EQ(sender.bytes_out, kBytes);
    EXPECT_EQ(receiver.bytes_in, kBytes);
    EXPECT_EQ(receiver.sha256_received, sender.sha256_sent);
    expect_stacks_clean();
}

void HostApps::http_requests(bool keep_alive) {
    HttpServer server(HttpServerOptions{});
    HttpClientOptions co;
    co.remote_ip = kServerIp;
    co.remote_port = 80;
    co.paths = {"/", "/bytes/100000"};
    co.requests = 5;
    co.keep_alive = keep_alive;
    HttpClient client(co);
    serve(*server_, {&server});
    serve(*client_, {&client});
    ASSERT_TRUE(run([&] { return client.done() && server.open_connections() == 0; },
                    std::chrono::milliseconds(20)))
        << "client: " << client.stats().describe() << "\nserver: " << server.stats().describe();
    const AppStats& c = client.stats();
    const AppStats& s = server.stats();
    EXPECT_EQ(c.error_count(), 0u) << c.describe();
    EXPECT_EQ(s.error_count(), 0u) << s.describe();
    EXPECT_EQ(client.answered(), 5u) << c.describe();
    EXPECT_EQ(c.requests, 5u);
    EXPECT_EQ(c.responses_by_status.at(200), 5u);
    EXPECT_EQ(s.requests, 5u);
    EXPECT_EQ(s.responses_by_status.at(200), 5u);
    const std::size_t conns = keep_alive ? 1 : 5;
    EXPECT_EQ(c.connections_opened, conns);
    EXPECT_EQ(c.connections_closed, conns);
    EXPECT_EQ(s.connections_accepted, conns);
    EXPECT_EQ(s.connections_closed, conns);
    EXPECT_EQ(c.bytes_in, s.bytes_out);
    EXPECT_GT(c.bytes_in, 200'000u);
    serve(*server_, {});
    serve(*client_, {});
}

TEST_F(HostApps, HttpClientFiveRequestsEachOnANewConnectionAllAnsweredAndClosed) {
    http_requests(false);
    expect_stacks_clean();
}

TEST_F(HostApps, HttpClientFiveRequestsOnOneKeepAliveConnectionAllAnsweredAndClosed) {
    http_requests(true);
    expect_stacks_clean();
}

// A raw client socket pipelines three requests in one send (the last with
// Connection: close) and half-closes: the server answers 200, 404, 200 in order, echoes
// the close, and closes.
TEST_F(HostApps, HttpServerAnswersPipelinedRequestsInOrderAndHonoursClose) {
    HttpServerOptions so;
    so.bytes_seed = 5;
    HttpServer server(so);
    serve(*server_, {&server});
    host::Stack& C = *client_->stack;
    const host::SocketId s = C.connect(kServerIp, 80).value();
    ASSERT_TRUE(run([&] { return C.state(s) == host::TcpState::kEstablished; },
                    std::chrono::milliseconds(20)));
    // at once: requests that reach the server's Stack while its INSTALL is in flight are
    // held and injected into its engine after INSTALLED
    const std::string reqs =
        "GET / HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /nothing-here HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /bytes/3000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    ASSERT_EQ(C.send(s, reinterpret_cast<const uint8_t*>(reqs.data()), reqs.size()).value(),
              reqs.size());
    HttpResponseParser parser;
    std::vector<HttpResponse> got;
    bool closed = false;
    ASSERT_TRUE(run([&] { return closed && C.state(s) == host::TcpState::kClosed &&
                                 server.open_connections() == 0; },
                    std::chrono::milliseconds(50), [&] {
                        driver::Bytes in;
                        while (C.readable(s) && C.recv(s, in, 1 << 20).ok()) {}
                        parser.feed(in.data(), in.size());
                        HttpResponse r;
                        while (parser.next(r) == HttpResponseParser::Status::kResponse)
                            got.push_back(r);
                        if (!closed && C.eof(s)) closed = C.close(s).ok();
                    }))
        << "responses " << got.size() << ", server: " << server.stats().describe();
    ASSERT_EQ(got.size(), 3u) << parser.error() << " buffered " << parser.buffered() << " server: " << server.stats().describe() << " client stack rx " << C.counters().rx_data_bytes;
    EXPECT_EQ(got[0].status, 200);
    EXPECT_NE(got[0].body_prefix.find("ftoe"), std::string::npos) << got[0].body_prefix;
    EXPECT_EQ(got[1].status, 404);
    EXPECT_FALSE(got[1].close);
    EXPECT_EQ(got[2].status, 200);
    EXPECT_EQ(got[2].body_bytes, 3000u);
    EXPECT_TRUE(got[2].close) << "Connection: close is echoed";
    EXPECT_EQ(server.stats().requests, 3u);
    EXPECT_EQ(server.stats().responses_by_status.at(404), 1u);
    EXPECT_EQ(server.stats().connections_closed, 1u);
    EXPECT_EQ(C.error(s), host::SocketError::kNone);
    expect_stacks_clean();
}

}  // namespace
}  // namespace ftoe::sim
