// http_message.hpp: incremental HTTP/1.1 message parsers (RFC 9112) for the simulator's
// HTTP server and client. Bytes are fed as they arrive, cut anywhere; next() hands out
// one complete message at a time, so pipelined requests come out in order.
//
// HttpRequestParser
//   - request-line = method SP request-target SP HTTP-version (§3); empty lines before it
//     are ignored (§2.2); a bare LF ends a line as CRLF does (§2.2); a CR anywhere else,
//     a control character, or whitespace before a header's colon is a 400 (§5.1); a line
//     starting with whitespace (obs-fold, §5.2) is a 400.
//   - HTTP/1.0 and HTTP/1.1 (1.x above 1 is taken as 1.1); another major version: 505.
//   - The header section (request line included) is at most HttpLimits::max_header_bytes:
//     beyond that, 414 when the request line itself has not ended, else 431.
//   - HTTP/1.1 needs exactly one Host (§3.2): else 400. Content-Length must be digits,
//     one value (repeats must agree), at most max_body_bytes (else 413); the body is
//     skipped, not kept. Transfer-Encoding is not supported: 501.
//   - keep_alive per §9.3: HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with
//     "Connection: keep-alive".
//   - An error is final (the parser stays failed): the server answers it and closes.
//
// HttpResponseParser: status-line, headers, then a Content-Length body, hashed and
// counted (not kept, beyond a short prefix). A response without Content-Length (or with
// Transfer-Encoding) is an error: the server it talks to always sends one.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sha256.hpp"

namespace ftoe::sim {

struct HttpLimits {
    std::size_t max_header_bytes = 8192;  // request line + headers + the blank line
    uint64_t max_body_bytes = 1u << 20;   // request bodies (skipped)
};

using HttpHeaders = std::vector<std::pair<std::string, std::string>>;  // names lower-case

struct HttpRequest {
    std::string method, target;
    int version_minor = 1;  // HTTP/1.<minor>
    HttpHeaders headers;
    uint64_t content_length = 0;
    bool keep_alive = true;
    bool close_requested = false;  // the request carried "Connection: close"
    // The first value of header `name` (lower-case), or nullptr.
    const std::string* header(std::string_view name) const;
};

struct HttpParseError {
    int status = 0;        // the response status the error calls for (400, 431, ...)
    std::string reason;    // what was wrong, for logs and tests
};

// Finds the end of a header section in a growing buffer without rescanning it.
class HeaderSectionScanner {
public:
    // Scans buf[from_ ..). Returns the length of the section (through its blank line)
    // once found, else 0.
    std::size_t scan(std::string_view buf);
    bool first_line_ended() const { return first_line_ended_; }
    void reset() { *this = HeaderSectionScanner{}; }

private:
    std::size_t pos_ = 0, line_start_ = 0;
    bool first_line_ended_ = false;
};

class HttpRequestParser {
public:
    enum class Status { kNeedMore, kRequest, kError };

    explicit HttpRequestParser(HttpLimits limits = {}) : limits_(limits) {}

    void feed(const uint8_t* p, std::size_t n);
    void feed(std::string_view s) { feed(reinterpret_cast<const uint8_t*>(s.data()), s.size()); }
    // The next complete request (its body skipped), kNeedMore, or kError (error() says
    // which; every later call returns kError too).
    Status next(HttpRequest& out);
    const HttpParseError& error() const { return error_; }
    // Bytes held that belong to requests not handed out yet.
    std::size_t buffered() const { return buf_.size() - head_; }

private:
    Status fail(int status, std::string reason);
    Status parse_section(std::string_view section, HttpRequest& out);

    HttpLimits limits_;
    std::string buf_;
    std::size_t head_ = 0;  // bytes of buf_ already consumed
    HeaderSectionScanner scanner_;
    std::optional<HttpRequest> body_pending_;  // parsed; its body still being skipped
    uint64_t body_left_ = 0;
    bool failed_ = false;
    HttpParseError error_;
};

struct HttpResponse {
    int status = 0;
    int version_minor = 1;
    std::string reason;
    HttpHeaders headers;
    uint64_t content_length = 0;
    bool close = false;             // the server will close after it ("Connection: close",
                                    // or HTTP/1.0 without keep-alive)
    uint64_t body_bytes = 0;
    std::string body_sha256;        // hex
    std::string body_prefix;        // the first bytes of the body (up to 512)
    const std::string* header(std::string_view name) const;
};

class HttpResponseParser {
public:
    enum class Status { kNeedMore, kResponse, kError };

    explicit HttpResponseParser(std::size_t max_header_bytes = 65536)
        : max_header_bytes_(max_header_bytes) {}

    // The next response answers a HEAD request: headers only.
    void expect_head(bool head) { head_request_ = head; }
    void feed(const uint8_t* p, std::size_t n);
    Status next(HttpResponse& out);
    const std::string& error() const { return error_; }
    std::size_t buffered() const;  // bytes held towards the next response

private:
    Status fail(std::string reason);

    std::size_t max_header_bytes_;
    bool head_request_ = false;
    std::string buf_;
    HeaderSectionScanner scanner_;
    std::optional<HttpResponse> current_;  // headers parsed, body being read
    uint64_t body_left_ = 0;
    Sha256 body_hash_;
    bool failed_ = false;
    std::string error_;
};

// Token characters of RFC 9110 §5.6.2.
bool is_tchar(char c);

}  // namespace ftoe::sim
