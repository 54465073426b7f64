// http_client.hpp: HttpClient makes `requests` GET requests one after another, the paths
// taken in turn from `paths`, either each on a new connection ("Connection: close") or
// all on one persistent connection (keep_alive; the last request asks for close). Each
// response must be complete, carry `expect_status` and a body of its Content-Length; a
// /bytes/N answer must be N bytes long and, with verify_bytes, ByteStream(bytes_seed)'s
// first N bytes (by SHA-256). Anything else counts kBadResponse. The client closes its
// side after the server's FIN (or, when the server keeps the connection, after the last
// response). A connection that fails before its response counts that request as
// unanswered and the next one goes on a new connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "app.hpp"
#include "http_message.hpp"

namespace ftoe::sim {

struct HttpClientOptions {
    uint32_t remote_ip = 0;
    uint16_t remote_port = 80;
    std::vector<std::string> paths{"/"};
    std::size_t requests = 1;
    bool keep_alive = false;
    std::string host = "ftoe";   // Host header
    int expect_status = 200;
    bool verify_bytes = true;    // check /bytes/N bodies against ByteStream(bytes_seed)
    uint64_t bytes_seed = 1;
    // Wait this long after ESTABLISHED before the first send() (0: at once; data that
    // reaches the server's Stack before its INSTALL completes is held and injected into
    // the engine after INSTALLED, stack.hpp).
    uint64_t start_delay_ns = 0;
};

class HttpClient final : public App {
public:
    // Throws std::invalid_argument when `paths` is empty (programming error).
    explicit HttpClient(HttpClientOptions o);
    const char* name() const override { return "http-client"; }
    void poll(host::Stack& stack, uint64_t now_ns) override;
    const AppStats& stats() const override { return stats_; }
    bool done() const override { return finished_ == opt_.requests && !sock_; }
    std::size_t open_connections() const override { return sock_ ? 1 : 0; }
    uint64_t answered() const { return answered_; }  // complete, expected responses
    // Round trip of each request: request handed to send() to response complete.
    const std::vector<uint64_t>& request_latency_ns() const { return stats_.latency_ns; }

private:
    void open(host::Stack& stack);
    void exchange(host::Stack& stack, uint64_t now_ns);
    void check(const HttpResponse& r, const std::string& path);
    const std::string& expected_sha(uint64_t n);

    HttpClientOptions opt_;
    host::SocketId sock_ = 0;
    HandshakeWatch handshake_;
    bool closing_ = false;
    bool in_flight_ = false;        // a request sent, its response not complete
    bool last_on_conn_ = false;     // the request in flight is this connection's last
    bool conn_done_ = false;        // no more requests on this connection
    bool server_closes_ = false;    // the last response said the server closes
    std::string out_;               // request bytes not yet taken by send()
    std::string path_;              // of the request in flight
    uint64_t sent_at_ns_ = 0;
    std::size_t issued_ = 0, finished_ = 0;  // requests started / answered or given up
    uint64_t answered_ = 0;
    HttpResponseParser parser_;
    std::map<uint64_t, std::string> sha_cache_;
    driver::Bytes scratch_;
    AppStats stats_;
};

}  // namespace ftoe::sim
