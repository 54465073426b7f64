// http_server.hpp: HttpServer, a small HTTP/1.1 origin server (RFC 9110 / 9112) for the
// simulator.
//
// Resources (GET and HEAD; the query string is ignored):
//   /              a small HTML page about ftoe (also /index.html)
//   /bytes/N       N bytes of ByteStream(bytes_seed), application/octet-stream; N decimal,
//                  at most max_bytes_n (above: 413; not a number: 400)
//   anything else  404
// Another method: 405 with "Allow: GET, HEAD" (a request body, by Content-Length, is
// skipped). Malformed requests get the parser's status (400, 414, 431, 501, 505; see
// http_message.hpp) and the connection is closed after that response.
//
// Connections: persistent per RFC 9112 §9.3 (HTTP/1.1 unless "Connection: close", which
// is echoed; HTTP/1.0 only with "Connection: keep-alive", echoed). Pipelined requests are
// answered in order; at most max_pipelined answers wait at once (the rest stay in the
// parser). Every response has Content-Length; bodies are generated as they are sent
// (a 100 MB /bytes is never held). A connection to close is drained of what the client
// sent after the last answered request and then closed (FIN after the responses). With
// idle_timeout_ns, a keep-alive connection idle that long is closed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>
#include <vector>

#include "app.hpp"
#include "byte_queue.hpp"
#include "byte_stream.hpp"
#include "http_message.hpp"

namespace ftoe::sim {

struct HttpServerOptions {
    uint16_t port = 80;
    std::size_t backlog = 0;
    HttpLimits limits{};                     // header section 8 KiB, request body 1 MiB
    uint64_t max_bytes_n = 100'000'000;      // largest /bytes/N
    uint64_t bytes_seed = 1;                 // /bytes/N content
    std::size_t max_pipelined = 32;          // answers queued per connection
    uint64_t idle_timeout_ns = 0;            // 0: keep-alive connections never time out
    std::string server_name = "ftoe-sim";    // Server header
};

class HttpServer final : public App {
public:
    explicit HttpServer(HttpServerOptions o = {});
    const char* name() const override { return "http-server"; }
    void poll(host::Stack& stack, uint64_t now_ns) override;
    const AppStats& stats() const override { return stats_; }
    std::size_t open_connections() const override { return conns_.size(); }

    // The page served at "/".
    static const std::string& index_page();

private:
    struct Response {
        std::string head;          // status line, headers, and (small bodies) the body
        uint64_t stream_left = 0;  // then this many bytes of ByteStream(bytes_seed)
        ByteStream stream{1};
        bool close_after = false;
    };
    struct Conn {
        host::SocketId sock = 0;
        HttpRequestParser parser;
        std::deque<Response> queue;
        host::ByteQueue out;       // produced from queue, not yet taken by send()
        bool stop_reading = false; // the last request to answer has been parsed
        bool closing = false;      // close() called
        uint64_t last_active_ns = 0;
        explicit Conn(host::SocketId s, const HttpLimits& l, uint64_t now)
            : sock(s), parser(l), last_active_ns(now) {}
    };

    void serve(host::Stack& stack, Conn& c, uint64_t now_ns);
    void read_requests(host::Stack& stack, Conn& c);
    Response answer(const HttpRequest& req);
    Response error_response(int status, bool head);
    Response make(int status, const std::string& content_type, std::string body,
                  uint64_t stream_bytes, bool head, bool close, bool keep_alive_header);  // counts it
    bool fill_out(Conn& c);  // false: nothing more to send
    void finish(host::Stack& stack, Conn& c);

    HttpServerOptions opt_;
    Acceptor acceptor_;
    std::vector<Conn> conns_;
    AppStats stats_;
    driver::Bytes scratch_;
};

// The reason phrase of a status code this server sends ("" for others).
const char* http_reason(int status);

}  // namespace ftoe::sim
