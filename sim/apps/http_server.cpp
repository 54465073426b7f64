#include "http_server.hpp"

#include <algorithm>

namespace ftoe::sim {
namespace {

constexpr std::size_t kOutBytes = 64 * 1024;  // produced ahead of send()

// The path of a request target (RFC 9112 §3.2): origin-form as is, absolute-form from its
// first '/' after the authority; the query is dropped. Empty: not a form we serve.
std::string target_path(const std::string& target) {
    std::string path;
    if (!target.empty() && target[0] == '/') {
        path = target;
    } else {
        const std::size_t scheme = target.find("://");
        if (scheme == std::string::npos || scheme == 0) return {};
        const std::size_t slash = target.find('/', scheme + 3);
        path = slash == std::string::npos ? "/" : target.substr(slash);
    }
    const std::size_t q = path.find_first_of("?#");
    if (q != std::string::npos) path.resize(q);
    return path;
}

}  // namespace

const char* http_reason(int status) {
    switch (status) {
        case 200: return "OK";
        case 400: return "Bad Request";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 413: return "Content Too Large";
        case 414: return "URI Too Long";
        case 431: return "Request Header Fields Too Large";
        case 501: return "Not Implemented";
        case 505: return "HTTP Version Not Supported";
        default: return "";
    }
}

const std::string& HttpServer::index_page() {
    static const std::string page =
        "<!DOCTYPE html>\n"
        "<html><head><title>ftoe</title></head>\n"
        "<body><h1>ftoe</h1>\n"
        "<p>Served over TCP by ftoe, an FPGA TCP offload engine, from the host's socket "
        "API.</p>\n"
        "<p><a href=\"/bytes/1000000\">/bytes/N</a> sends N bytes.</p>\n"
        "</body></html>\n";
    return page;
}

HttpServer::HttpServer(HttpServerOptions o) : opt_(std::move(o)), acceptor_(opt_.port, opt_.backlog) {}

void HttpServer::poll(host::Stack& stack, uint64_t now_ns) {
    std::vector<host::SocketId> fresh;
    acceptor_.poll(stack, stats_, fresh);
    for (host::SocketId s : fresh) conns_.emplace_back(s, opt_.limits, now_ns);
    for (Conn& c : conns_) serve(stack, c, now_ns);
    conns_.erase(std::remove_if(conns_.begin(), conns_.end(),
                                [&](const Conn& c) { return reap_if_closed(stack, c.sock, stats_); }),
                 conns_.end());
}

HttpServer::Response HttpServer::make(int status, const std::string& content_type,
                                      std::string body, uint64_t stream_bytes, bool head,
                                      bool close, bool keep_alive_header) {
    Response r;
    r.close_after = close;
    r.head = "HTTP/1.1 " + std::to_string(status) + " " + http_reason(status) + "\r\n";
    r.head += "Server: " + opt_.server_name + "\r\n";
    r.head += "Content-Type: " + content_type + "\r\n";
    r.head += "Content-Length: " + std::to_string(body.size() + stream_bytes) + "\r\n";
    if (status == 405) r.head += "Allow: GET, HEAD\r\n";
    if (close)
        r.head += "Connection: close\r\n";
    else if (keep_alive_header)
        r.head += "Connection: keep-alive\r\n";
    r.head += "\r\n";
    if (!head) {
        r.head += body;
        r.stream_left = stream_bytes;
        r.stream = ByteStream(opt_.bytes_seed);
    }
    stats_.responses++;
    stats_.responses_by_status[status]++;
    return r;
}

HttpServer::Response HttpServer::error_response(int status, bool head) {
    const std::string body = std::to_string(status) + " " + http_reason(status) + "\n";
    return make(status, "text/plain; charset=utf-8", body, 0, head, true, false);
}

HttpServer::Response HttpServer::answer(const HttpRequest& req) {
    const bool head = req.method == "HEAD";
    const bool close = !req.keep_alive;
    const bool ka_header = !close && req.version_minor == 0;
    const auto reply = [&](int status, const std::string& type, std::string body,
                           uint64_t stream = 0) {
        return make(status, type, std::move(body), stream, head, close, ka_header);
    };
    const auto text = [&](int status) {
        return reply(status, "text/plain; charset=utf-8",
                     std::to_string(status) + " " + http_reason(status) + "\n");
    };
    if (req.method != "GET" && !head) return text(405);
    const std::string path = target_path(req.target);
    if (path.empty()) return error_response(400, head);
    if (path == "/" || path == "/index.html")
        return reply(200, "text/html; charset=utf-8", index_page());
    const std::string prefix = "/bytes/";
    if (path.compare(0, prefix.size(), prefix) == 0) {
        const std::string n = path.substr(prefix.size());
        if (n.empty() || !std::all_of(n.begin(), n.end(), [](char ch) { return ch >= '0' && ch <= '9'; }))
            return text(400);
        uint64_t v = 0;
        for (char ch : n) {
            v = v * 10 + uint64_t(ch - '0');
            if (v > opt_.max_bytes_n) return text(413);
        }
        return reply(200, "application/octet-stream", {}, v);
    }
    return text(404);
}

void HttpServer::read_requests(host::Stack& stack, Conn& c) {
    const auto parse = [&] {
        while (!c.stop_reading && c.queue.size() < opt_.max_pipelined) {
            HttpRequest req;
            const auto st = c.parser.next(req);
            if (st == HttpRequestParser::Status::kNeedMore) break;
            if (st == HttpRequestParser::Status::kError) {
                c.queue.push_back(error_response(c.parser.error().status, false));
                c.stop_reading = true;
                break;
            }
            stats_.requests++;
            c.queue.push_back(answer(req));
            if (c.queue.back().close_after) c.stop_reading = true;
        }
    };
    parse();
    while (!c.stop_reading && c.queue.size() < opt_.max_pipelined && stack.readable(c.sock) > 0) {
        scratch_.clear();
        if (!stack.recv(c.sock, scratch_, kOutBytes).ok()) {
            stats_.count(AppError::kRecvFailed);
            break;
        }
        stats_.bytes_in += scratch_.size();
        c.parser.feed(scratch_.data(), scratch_.size());
        parse();
    }
}

bool HttpServer::fill_out(Conn& c) {
    bool added = false;
    while (c.out.size() < kOutBytes && !c.queue.empty()) {
        Response& r = c.queue.front();
        if (!r.head.empty()) {
            c.out.append(reinterpret_cast<const uint8_t*>(r.head.data()), r.head.size());
            r.head.clear();
            added = true;
        }
        if (r.stream_left > 0) {
            const std::size_t n =
                std::size_t(std::min<uint64_t>(r.stream_left, kOutBytes - std::min(kOutBytes, c.out.size())));
            if (n == 0) break;
            scratch_.resize(n);
            r.stream.fill(scratch_.data(), n);
            c.out.append(scratch_.data(), n);
            r.stream_left -= n;
            added = true;
        }
        if (r.stream_left == 0) c.queue.pop_front();
    }
    return added;
}

void HttpServer::serve(host::Stack& stack, Conn& c, uint64_t now_ns) {
    if (c.closing || stack.state(c.sock) == host::TcpState::kClosed) return;
    bool moved = true;
    while (moved) {
        moved = false;
        const std::size_t before = c.parser.buffered();
        read_requests(stack, c);
        if (c.parser.buffered() != before || !c.queue.empty()) c.last_active_ns = now_ns;
        while (!c.out.empty() || fill_out(c)) {
            auto r = stack.send(c.sock, c.out.data(), c.out.size());
            if (!r.ok()) {
                stats_.count(AppError::kSendFailed);
                (void)stack.abort(c.sock);
                c.closing = true;
                return;
            }
            if (r.value() == 0) break;
            c.out.consume(r.value());
            stats_.bytes_out += r.value();
            c.last_active_ns = now_ns;
            moved = true;
        }
    }
    if (!c.out.empty() || !c.queue.empty()) return;
    const bool idle = opt_.idle_timeout_ns && now_ns - c.last_active_ns >= opt_.idle_timeout_ns;
    if (c.stop_reading || stack.eof(c.sock) || idle) finish(stack, c);
}

// Everything answered: close (graceful_close drops what the client sent after the last
// answered request); the FIN follows the responses.
void HttpServer::finish(host::Stack& stack, Conn& c) {
    c.closing = graceful_close(stack, c.sock, stats_);
}

}  // namespace ftoe::sim
