#include "http_message.hpp"

#include <algorithm>

namespace ftoe::sim {
namespace {

constexpr std::size_t kBodyPrefixBytes = 512;

std::string lower(std::string_view s) {
    std::string o(s);
    for (char& c : o)
        if (c >= 'A' && c <= 'Z') c = char(c - 'A' + 'a');
    return o;
}

bool ieq(std::string_view a, std::string_view b) { return lower(a) == lower(b); }

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool all_digits(std::string_view s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// Decimal without overflow: false when not digits or above `max`.
bool parse_u64(std::string_view s, uint64_t max, uint64_t& out) {
    if (!all_digits(s)) return false;
    uint64_t v = 0;
    for (char c : s) {
        const uint64_t d = uint64_t(c - '0');
        if (v > (max - d) / 10) return false;
        v = v * 10 + d;
    }
    out = v;
    return true;
}

// Splits a header section into lines (without their CR LF / LF); the blank line that
// ends it is left out.
std::vector<std::string_view> split_lines(std::string_view section) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    while (start < section.size()) {
        const std::size_t lf = section.find('\n', start);
        std::string_view line = section.substr(start, lf - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        start = lf + 1;
        if (line.empty()) break;
        lines.push_back(line);
    }
    return lines;
}

// "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3).
bool parse_version(std::string_view v, int& major, int& minor) {
    if (v.size() != 8 || v.substr(0, 5) != "HTTP/" || v[6] != '.') return false;
    if (v[5] < '0' || v[5] > '9' || v[7] < '0' || v[7] > '9') return false;
    major = v[5] - '0';
    minor = v[7] - '0';
    return true;
}

// field-line = field-name ":" OWS field-value OWS (RFC 9112 §5). Empty: valid.
std::string parse_field(std::string_view line, HttpHeaders& headers) {
    if (line.front() == ' ' || line.front() == '\t') return "obsolete line folding";
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return "header line without a colon";
    const std::string_view name = line.substr(0, colon);
    if (name.empty()) return "empty header name";
    for (char c : name)
        if (!is_tchar(c)) return "bad character in header name (whitespace before the colon?)";
    const std::string_view value = trim_ows(line.substr(colon + 1));
    for (char c : value) {
        const auto u = uint8_t(c);
        if ((u < 0x20 && c != '\t') || u == 0x7f) return "control character in header value";
    }
    headers.emplace_back(lower(name), std::string(value));
    return {};
}

// Connection tokens (RFC 9110 §7.6.1).
void connection_tokens(const HttpHeaders& h, bool& close, bool& keep_alive) {
    for (const auto& [name, value] : h) {
        if (name != "connection") continue;
        std::size_t start = 0;
        while (start <= value.size()) {
            std::size_t comma = value.find(',', start);
            if (comma == std::string::npos) comma = value.size();
            const std::string_view tok =
                trim_ows(std::string_view(value).substr(start, comma - start));
            if (ieq(tok, "close")) close = true;
            if (ieq(tok, "keep-alive")) keep_alive = true;
            start = comma + 1;
        }
    }
}

const std::string* find_header(const HttpHeaders& h, std::string_view name) {
    for (const auto& [n, v] : h)
        if (n == name) return &v;
    return nullptr;
}

// Content-Length: digits; a list or repeated header must agree (RFC 9110 §8.6).
// Returns false on a malformed or conflicting value.
bool content_length(const HttpHeaders& h, uint64_t max, bool& present, uint64_t& out,
                    bool& too_large) {
    present = too_large = false;
    for (const auto& [name, value] : h) {
        if (name != "content-length") continue;
        std::size_t start = 0;
        while (start <= value.size()) {
            std::size_t comma = value.find(',', start);
            if (comma == std::string::npos) comma = value.size();
            const std::string_view tok =
                trim_ows(std::string_view(value).substr(start, comma - start));
            uint64_t v = 0;
            if (!all_digits(tok)) return false;
            if (!parse_u64(tok, max, v)) {
                too_large = true;
                return true;
            }
            if (present && v != out) return false;
            present = true;
            out = v;
            start = comma + 1;
        }
    }
    return true;
}

}  // namespace

bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    switch (c) {
        case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
        case '-': case '.': case '^': case '_': case '`': case '|': case '~': return true;
        default: return false;
    }
}

const std::string* HttpRequest::header(std::string_view name) const {
    return find_header(headers, name);
}
const std::string* HttpResponse::header(std::string_view name) const {
    return find_header(headers, name);
}

std::size_t HeaderSectionScanner::scan(std::string_view buf) {
    for (; pos_ < buf.size(); pos_++) {
        if (buf[pos_] != '\n') continue;
        const std::size_t len = pos_ - line_start_;
        const bool blank = len == 0 || (len == 1 && buf[line_start_] == '\r');
        line_start_ = pos_ + 1;
        if (blank && first_line_ended_) return ++pos_;
        first_line_ended_ = true;
    }
    return 0;
}

// ---- requests ----

void HttpRequestParser::feed(const uint8_t* p, std::size_t n) {
    if (failed_) return;
    if (head_ > 0 && head_ * 2 >= buf_.size()) {
        buf_.erase(0, head_);
        head_ = 0;
    }
    buf_.append(reinterpret_cast<const char*>(p), n);
}

HttpRequestParser::Status HttpRequestParser::fail(int status, std::string reason) {
    failed_ = true;
    error_ = {status, std::move(reason)};
    buf_.clear();
    head_ = 0;
    return Status::kError;
}

HttpRequestParser::Status HttpRequestParser::next(HttpRequest& out) {
    if (failed_) return Status::kError;
    if (body_pending_) {
        const uint64_t skip = std::min<uint64_t>(body_left_, buffered());
        head_ += std::size_t(skip);
        body_left_ -= skip;
        if (body_left_ > 0) return Status::kNeedMore;
        out = std::move(*body_pending_);
        body_pending_.reset();
        return Status::kRequest;
    }
    // RFC 9112 §2.2: empty lines before a request line are ignored.
    if (!scanner_.first_line_ended()) {
        const std::size_t before = head_;
        while (head_ < buf_.size() && (buf_[head_] == '\r' || buf_[head_] == '\n')) {
            if (buf_[head_] == '\r' && head_ + 1 == buf_.size()) return Status::kNeedMore;
            head_++;
        }
        if (head_ != before) scanner_.reset();
    }
    const std::string_view rest = std::string_view(buf_).substr(head_);
    const std::size_t len = scanner_.scan(rest);
    if (len == 0 || len > limits_.max_header_bytes) {
        if (len == 0 && rest.size() <= limits_.max_header_bytes) return Status::kNeedMore;
        if (!scanner_.first_line_ended() ||
            rest.substr(0, std::min(rest.size(), limits_.max_header_bytes)).find('\n') ==
                std::string_view::npos)
            return fail(414, "request line longer than " +
                                 std::to_string(limits_.max_header_bytes) + " bytes");
        return fail(431, "header section longer than " +
                             std::to_string(limits_.max_header_bytes) + " bytes");
    }
    HttpRequest req;
    const Status st = parse_section(rest.substr(0, len), req);
    if (st == Status::kError) return st;
    head_ += len;
    scanner_.reset();
    if (req.content_length > 0) {
        body_pending_ = std::move(req);
        body_left_ = body_pending_->content_length;
        return next(out);
    }
    out = std::move(req);
    return Status::kRequest;
}

HttpRequestParser::Status HttpRequestParser::parse_section(std::string_view section,
                                                           HttpRequest& out) {
    // A CR is only allowed right before LF (RFC 9112 §2.2).
    for (std::size_t i = 0; i < section.size(); i++)
        if (section[i] == '\r' && (i + 1 == section.size() || section[i + 1] != '\n'))
            return fail(400, "bare CR");
    const std::vector<std::string_view> lines = split_lines(section);
    const std::string_view rl = lines.front();
    const std::size_t sp1 = rl.find(' ');
    const std::size_t sp2 = sp1 == std::string_view::npos ? sp1 : rl.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || rl.find(' ', sp2 + 1) != std::string_view::npos)
        return fail(400, "request line is not method SP target SP version");
    const std::string_view method = rl.substr(0, sp1);
    const std::string_view target = rl.substr(sp1 + 1, sp2 - sp1 - 1);
    const std::string_view version = rl.substr(sp2 + 1);
    if (method.empty() || !std::all_of(method.begin(), method.end(), is_tchar))
        return fail(400, "bad method");
    if (target.empty()) return fail(400, "empty request target");
    for (char c : target)
        if (uint8_t(c) <= 0x20 || uint8_t(c) >= 0x7f) return fail(400, "bad character in target");
    int major = 0, minor = 0;
    if (!parse_version(version, major, minor)) return fail(400, "bad HTTP version");
    if (major != 1) return fail(505, "HTTP major version " + std::to_string(major));
    out.method = std::string(method);
    out.target = std::string(target);
    out.version_minor = std::min(minor, 1);
    for (std::size_t i = 1; i < lines.size(); i++) {
        const std::string why = parse_field(lines[i], out.headers);
        if (!why.empty()) return fail(400, why + " (header line " + std::to_string(i) + ")");
    }
    const auto hosts = std::count_if(out.headers.begin(), out.headers.end(),
                                     [](const auto& h) { return h.first == "host"; });
    if (out.version_minor >= 1 && hosts != 1)
        return fail(400, hosts ? "more than one Host header" : "HTTP/1.1 request without Host");
    if (out.header("transfer-encoding"))
        return fail(501, "Transfer-Encoding in a request is not supported");
    bool present = false, too_large = false;
    if (!content_length(out.headers, limits_.max_body_bytes, present, out.content_length,
                        too_large))
        return fail(400, "bad Content-Length");
    if (too_large)
        return fail(413, "request body over " + std::to_string(limits_.max_body_bytes) + " bytes");
    bool close = false, keep_alive = false;
    connection_tokens(out.headers, close, keep_alive);
    out.close_requested = close;
    out.keep_alive = out.version_minor >= 1 ? !close : (keep_alive && !close);
    return Status::kRequest;
}

// ---- responses ----

void HttpResponseParser::feed(const uint8_t* p, std::size_t n) {
    if (!failed_) buf_.append(reinterpret_cast<const char*>(p), n);
}

std::size_t HttpResponseParser::buffered() const { return buf_.size(); }

HttpResponseParser::Status HttpResponseParser::fail(std::string reason) {
    failed_ = true;
    error_ = std::move(reason);
    buf_.clear();
    return Status::kError;
}

HttpResponseParser::Status HttpResponseParser::next(HttpResponse& out) {
    if (failed_) return Status::kError;
    if (!current_) {
        const std::size_t len = scanner_.scan(buf_);
        if (len == 0) {
            if (buf_.size() > max_header_bytes_) return fail("response header section too long");
            return Status::kNeedMore;
        }
        HttpResponse r;
        const std::vector<std::string_view> lines = split_lines(std::string_view(buf_).substr(0, len));
        const std::string_view sl = lines.front();
        int major = 0;
        // status-line = HTTP-version SP status-code SP [ reason-phrase ] (RFC 9112 §4)
        if (sl.size() < 12 || !parse_version(sl.substr(0, 8), major, r.version_minor) ||
            major != 1 || sl[8] != ' ' || !all_digits(sl.substr(9, 3)) ||
            (sl.size() > 12 && sl[12] != ' '))
            return fail("bad status line: " + std::string(sl.substr(0, 80)));
        r.status = std::stoi(std::string(sl.substr(9, 3)));
        r.reason = sl.size() > 13 ? std::string(sl.substr(13)) : std::string();
        for (std::size_t i = 1; i < lines.size(); i++) {
            const std::string why = parse_field(lines[i], r.headers);
            if (!why.empty()) return fail(why);
        }
        if (r.header("transfer-encoding")) return fail("Transfer-Encoding is not supported");
        bool present = false, too_large = false;
        if (!content_length(r.headers, ~uint64_t(0) / 2, present, r.content_length, too_large) ||
            too_large)
            return fail("bad Content-Length");
        const bool no_body = head_request_ || r.status == 204 || r.status == 304 ||
                             (r.status >= 100 && r.status < 200);
        if (!present && !no_body) return fail("response without Content-Length");
        bool close = false, keep_alive = false;
        connection_tokens(r.headers, close, keep_alive);
        r.close = r.version_minor >= 1 ? close : !keep_alive || close;
        buf_.erase(0, len);
        scanner_.reset();
        body_left_ = no_body ? 0 : r.content_length;
        body_hash_ = Sha256{};
        current_ = std::move(r);
    }
    const std::size_t take = std::size_t(std::min<uint64_t>(body_left_, buf_.size()));
    if (take) {
        const auto* p = reinterpret_cast<const uint8_t*>(buf_.data());
        body_hash_.update(p, take);
        if (current_->body_prefix.size() < kBodyPrefixBytes)
            current_->body_prefix.append(
                buf_, 0, std::min(take, kBodyPrefixBytes - current_->body_prefix.size()));
        current_->body_bytes += take;
        body_left_ -= take;
        buf_.erase(0, take);
    }
    if (body_left_ > 0) return Status::kNeedMore;
    current_->body_sha256 = Sha256::hex(body_hash_.finish());
    out = std::move(*current_);
    current_.reset();
    head_request_ = false;
    return Status::kResponse;
}

}  // namespace ftoe::sim
