// The HTTP/1.1 message parsers of sim/apps (http_message.hpp): requests fed whole, a
// byte at a time and cut at every offset give the same results; pipelined requests come
// out in order with their bodies skipped; malformed request lines and headers get the
// status RFC 9112 calls for; the header-section limit gives 431 (414 for a request line
// alone); errors are final; responses are parsed and their bodies counted and hashed.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "http_message.hpp"
#include "sha256.hpp"

namespace ftoe::sim {
namespace {

using Status = HttpRequestParser::Status;

// Every request `input` yields, fed in pieces of `piece` bytes (0: whole); the status
// the parser ends in goes to `last`.
std::vector<HttpRequest> parse_all(const std::string& input, std::size_t piece, Status& last,
                                   HttpRequestParser& p) {
    std::vector<HttpRequest> out;
    last = Status::kNeedMore;
    const std::size_t step = piece ? piece : input.size();
    for (std::size_t off = 0; off < input.size() && last != Status::kError; off += step) {
        p.feed(input.substr(off, step));
        HttpRequest r;
        while ((last = p.next(r)) == Status::kRequest) out.push_back(r);
    }
    return out;
}
std::vector<HttpRequest> parse_all(const std::string& input, std::size_t piece, Status& last) {
    HttpRequestParser p;
    return parse_all(input, piece, last, p);
}

int error_status(const std::string& input) {
    HttpRequestParser p;
    Status last;
    const auto reqs = parse_all(input, 0, last, p);
    EXPECT_TRUE(reqs.empty()) << "a request came out of: " << input;
    return last == Status::kError ? p.error().status : 0;
}

TEST(HttpRequestParser, SimpleGetIsKeepAliveInHttp11) {
    Status last;
    const auto r = parse_all("GET /bytes/10?x=1 HTTP/1.1\r\nHost: ftoe\r\nX-A:  b c \r\n\r\n", 0, last);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(last, Status::kNeedMore);
    EXPECT_EQ(r[0].method, "GET");
    EXPECT_EQ(r[0].target, "/bytes/10?x=1");
    EXPECT_EQ(r[0].version_minor, 1);
    EXPECT_TRUE(r[0].keep_alive);
    ASSERT_NE(r[0].header("x-a"), nullptr);
    EXPECT_EQ(*r[0].header("x-a"), "b c") << "OWS around the value is not part of it";
    EXPECT_EQ(r[0].header("host") ? *r[0].header("host") : "", "ftoe");
}

TEST(HttpRequestParser, ConnectionSemanticsPerVersion) {
    Status last;
    auto r = parse_all("GET / HTTP/1.1\r\nHost: a\r\nConnection: foo, Close\r\n\r\n", 0, last);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_FALSE(r[0].keep_alive);
    EXPECT_TRUE(r[0].close_requested);
    r = parse_all("GET / HTTP/1.0\r\n\r\n", 0, last);
    ASSERT_EQ(r.size(), 1u) << "HTTP/1.0 needs no Host";
    EXPECT_FALSE(r[0].keep_alive) << "HTTP/1.0 closes by default";
    r = parse_all("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", 0, last);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_TRUE(r[0].keep_alive);
    r = parse_all("GET / HTTP/1.2\r\nHost: a\r\n\r\n", 0, last);
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].version_minor, 1) << "1.x above 1 is answered as 1.1";
}

TEST(HttpRequestParser, PipelinedRequestsComeOutInOrderWhateverTheCuts) {
    const std::string in =
        "\r\nGET /a HTTP/1.1\r\nHost: h\r\n\r\n"
        "POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhello\r\n\r\nxy"
        "HEAD /c HTTP/1.1\nHost: h\n\n"  // bare LF line ends
        "GET /d HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n";
    for (std::size_t piece : {std::size_t(0), std::size_t(1), std::size_t(2), std::size_t(3),
                              std::size_t(7), std::size_t(64)}) {
        Status last;
        const auto r = parse_all(in, piece, last);
        ASSERT_EQ(r.size(), 4u) << "pieces of " << piece;
        EXPECT_EQ(last, Status::kNeedMore) << "pieces of " << piece;
        EXPECT_EQ(r[0].target, "/a");
        EXPECT_EQ(r[1].method, "POST");
        EXPECT_EQ(r[1].content_length, 11u) << "the body (with its CRLFs) is skipped whole";
        EXPECT_EQ(r[2].method, "HEAD");
        EXPECT_EQ(r[2].target, "/c");
        EXPECT_EQ(r[3].target, "/d");
        EXPECT_FALSE(r[3].keep_alive);
    }
    // Every single cut point of the stream into two reads.
    for (std::size_t cut = 0; cut <= in.size(); cut++) {
        HttpRequestParser p;
        std::vector<HttpRequest> got;
        HttpRequest r;
        p.feed(in.substr(0, cut));
        while (p.next(r) == Status::kRequest) got.push_back(r);
        p.feed(in.substr(cut));
        while (p.next(r) == Status::kRequest) got.push_back(r);
        ASSERT_EQ(got.size(), 4u) << "cut at byte " << cut;
        EXPECT_EQ(got[3].target, "/d") << "cut at byte " << cut;
    }
}

TEST(HttpRequestParser, HeaderSplitAcrossReadsWaitsForTheBlankLine) {
    HttpRequestParser p;
    HttpRequest r;
    p.feed("GET / HTTP/1.1\r\nHo");
    EXPECT_EQ(p.next(r), Status::kNeedMore);
    p.feed("st: x\r\n\r");
    EXPECT_EQ(p.next(r), Status::kNeedMore);
    p.feed("\n");
    ASSERT_EQ(p.next(r), Status::kRequest);
    EXPECT_EQ(*r.header("host"), "x");
    EXPECT_EQ(p.buffered(), 0u);
}

TEST(HttpRequestParser, MalformedRequestsGetTheirStatus) {
    const struct {
        const char* what;
        std::string input;
        int status;
    } cases[] = {
        {"no version", "GET /\r\nHost: a\r\n\r\n", 400},
        {"two spaces", "GET  / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"trailing space", "GET / HTTP/1.1 \r\nHost: a\r\n\r\n", 400},
        {"bad method char", "G@T / HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"bad version", "GET / HTTX/1.1\r\nHost: a\r\n\r\n", 400},
        {"version 1.10", "GET / HTTP/1.10\r\nHost: a\r\n\r\n", 400},
        {"major 2", "GET / HTTP/2.0\r\nHost: a\r\n\r\n", 505},
        {"control in target", "GET /\x01 HTTP/1.1\r\nHost: a\r\n\r\n", 400},
        {"space before colon", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", 400},
        {"no colon", "GET / HTTP/1.1\r\nHost: a\r\nJunk\r\n\r\n", 400},
        {"empty name", "GET / HTTP/1.1\r\nHost: a\r\n: v\r\n\r\n", 400},
        {"obs-fold", "GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n", 400},
        {"bare CR", "GET / HTTP/1.1\r\nHost: a\rb\r\n\r\n", 400},
        {"control in value", "GET / HTTP/1.1\r\nHost: a\x7f\r\n\r\n", 400},
        {"no Host in 1.1", "GET / HTTP/1.1\r\nX: y\r\n\r\n", 400},
        {"two Hosts", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400},
        {"Content-Length not digits", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1x\r\n\r\n", 400},
        {"Content-Length negative", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n", 400},
        {"Content-Lengths disagree",
         "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
        {"body too large", "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 99999999999\r\n\r\n", 413},
        {"chunked", "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n", 501},
    };
    for (const auto& c : cases)
        EXPECT_EQ(error_status(c.input), c.status) << c.what;
}

TEST(HttpRequestParser, AgreeingContentLengthsAreOneLength) {
    Status last;
    const auto r = parse_all(
        "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2, 2\r\nContent-Length: 2\r\n\r\nabGET / HTTP/1.1\r\nHost: a\r\n\r\n",
        0, last);
    ASSERT_EQ(r.size(), 2u);
    EXPECT_EQ(r[0].content_length, 2u);
    EXPECT_EQ(r[1].method, "GET");
}

TEST(HttpRequestParser, HeaderSectionLimit) {
    const std::string start = "GET / HTTP/1.1\r\nHost: a\r\nX: ";
    const std::string end = "\r\n\r\n";
    // exactly 8192 bytes: accepted
    std::string at = start + std::string(8192 - start.size() - end.size(), 'v') + end;
    ASSERT_EQ(at.size(), 8192u);
    Status last;
    EXPECT_EQ(parse_all(at, 1000, last).size(), 1u);
    // one more: 431, even though the blank line has not come yet
    std::string over = start + std::string(8193 - start.size(), 'v');
    EXPECT_EQ(error_status(over), 431);
    EXPECT_EQ(error_status(start + std::string(9000, 'v') + end), 431);
    // a request line that never ends within the limit: 414
    EXPECT_EQ(error_status("GET /" + std::string(9000, 'a')), 414);
    // smaller limits apply too
    HttpRequestParser small(HttpLimits{64, 1024});
    const auto got = parse_all(start + std::string(64, 'v') + end, 0, last, small);
    EXPECT_TRUE(got.empty());
    EXPECT_EQ(small.error().status, 431);
}

TEST(HttpRequestParser, ErrorsAreFinal) {
    HttpRequestParser p;
    HttpRequest r;
    p.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\nBAD\r\n\r\nGET / HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_EQ(p.next(r), Status::kRequest) << "the request before the bad one is whole";
    EXPECT_EQ(p.next(r), Status::kError);
    EXPECT_EQ(p.error().status, 400);
    p.feed("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
    EXPECT_EQ(p.next(r), Status::kError);
}

TEST(HttpResponseParser, BodiesAreCountedAndHashedAcrossReads) {
    const std::string body(3000, 'z');
    const std::string in = "HTTP/1.1 200 OK\r\nContent-Length: 3000\r\n\r\n" + body +
                           "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    for (std::size_t piece : {std::size_t(1), std::size_t(100), in.size()}) {
        HttpResponseParser p;
        std::vector<HttpResponse> got;
        for (std::size_t off = 0; off < in.size(); off += piece) {
            const std::string s = in.substr(off, piece);
            p.feed(reinterpret_cast<const uint8_t*>(s.data()), s.size());
            HttpResponse r;
            HttpResponseParser::Status st;
            while ((st = p.next(r)) == HttpResponseParser::Status::kResponse) got.push_back(r);
            ASSERT_NE(st, HttpResponseParser::Status::kError) << p.error();
        }
        ASSERT_EQ(got.size(), 2u) << "pieces of " << piece;
        EXPECT_EQ(got[0].status, 200);
        EXPECT_EQ(got[0].body_bytes, 3000u);
        EXPECT_EQ(got[0].body_sha256,
                  Sha256::hex(Sha256::of(reinterpret_cast<const uint8_t*>(body.data()), body.size())));
        EXPECT_FALSE(got[0].close);
        EXPECT_EQ(got[1].status, 404);
        EXPECT_EQ(got[1].reason, "Not Found");
        EXPECT_TRUE(got[1].close);
    }
}

TEST(HttpResponseParser, HeadAnswerHasNoBodyAndGarbageIsAnError) {
    HttpResponseParser p;
    p.expect_head(true);
    const std::string head = "HTTP/1.1 200 OK\r\nContent-Length: 50\r\n\r\n";
    p.feed(reinterpret_cast<const uint8_t*>(head.data()), head.size());
    HttpResponse r;
    ASSERT_EQ(p.next(r), HttpResponseParser::Status::kResponse);
    EXPECT_EQ(r.content_length, 50u);
    EXPECT_EQ(r.body_bytes, 0u);
    HttpResponseParser q;
    const std::string bad = "HTTP/1.1 2x0 OK\r\n\r\n";
    q.feed(reinterpret_cast<const uint8_t*>(bad.data()), bad.size());
    EXPECT_EQ(q.next(r), HttpResponseParser::Status::kError);
    HttpResponseParser nolen;
    const std::string nl = "HTTP/1.1 200 OK\r\n\r\nabc";
    nolen.feed(reinterpret_cast<const uint8_t*>(nl.data()), nl.size());
    EXPECT_EQ(nolen.next(r), HttpResponseParser::Status::kError);
}

}  // namespace
}  // namespace ftoe::sim
