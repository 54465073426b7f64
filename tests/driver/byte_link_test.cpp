// ByteLink, the framing layer every Link backend shares, over an in-memory loopback
// byte transport: a host end and an engine end. Messages sent arrive intact and in
// order with the sequence numbers send() returned; bytes damaged in flight come out as
// DeframeErrors, never as messages; a transport failure is sticky and reported with its
// message; the link's clock is the transport's.
#include "byte_link.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <random>

#include "link_damage.hpp"

namespace ftoe::driver {
namespace {

// Two byte queues and a clock shared by the two ends of a loopback.
struct Wire {
    Bytes to_engine, to_host;
    Duration clock{0};
    std::optional<Error> fail_writes;  // when set, writes fail with it
    std::optional<Error> fail_reads;   // when set, reads fail with it (after handing out bytes)
};

class LoopbackEnd final : public ByteTransport {
public:
    LoopbackEnd(std::shared_ptr<Wire> w, bool host) : w_(std::move(w)), host_(host) {}

    Status write(const uint8_t* p, std::size_t n) override {
        if (w_->fail_writes) return *w_->fail_writes;
        Bytes& q = host_ ? w_->to_engine : w_->to_host;
        q.insert(q.end(), p, p + n);
        return Ok{};
    }
    Status read(Bytes& out, Duration wait_at_most) override {
        Bytes& q = host_ ? w_->to_host : w_->to_engine;
        if (q.empty()) w_->clock += wait_at_most;  // nothing will come: the wait runs out
        out.insert(out.end(), q.begin(), q.end());
        q.clear();
        if (w_->fail_reads) return *w_->fail_reads;
        return Ok{};
    }
    Duration now() const override { return w_->clock; }

private:
    std::shared_ptr<Wire> w_;
    bool host_;
};

struct Loopback {
    std::shared_ptr<Wire> wire = std::make_shared<Wire>();
    ByteLink host{std::make_unique<LoopbackEnd>(wire, true), LinkSide::kHost};
    ByteLink engine{std::make_unique<LoopbackEnd>(wire, false), LinkSide::kEngine};
};

std::vector<Received> poll_ok(Link& l) {
    auto r = l.poll(Duration::zero());
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r ? std::move(r).value() : std::vector<Received>{};
}

std::string describe(const Received& r) {
    if (auto* e = std::get_if<DeframeError>(&r))
        return std::string("error ") + link_error_name(e->error) + ": " + e->detail;
    const auto& m = std::get<Message>(r);
    return std::string("message ") + kind_name(m.kind) + " seq " + std::to_string(m.seq);
}

Bytes random_payload(std::mt19937_64& rng, std::size_t max) {
    Bytes p(std::uniform_int_distribution<std::size_t>(0, max)(rng));
    for (auto& b : p) b = uint8_t(rng());
    return p;
}

const Kind kCommands[] = {Kind::kPing,         Kind::kSetConfig, Kind::kInstall, Kind::kRemove,
                          Kind::kSendFin,      Kind::kAbort,     Kind::kRawTx,   Kind::kAppData,
                          Kind::kReadCounters, Kind::kRxCredit};
const Kind kEvents[] = {Kind::kPong,    Kind::kSlowPath, Kind::kInstalled, Kind::kRemoved,
                        Kind::kPeerFin, Kind::kPeerRst,  Kind::kPeerSyn,   Kind::kAcked,
                        Kind::kRxData,  Kind::kTimeout,  Kind::kCounters,  Kind::kLinkError};

TEST(ByteLink, CommandsArriveIntactAndInOrderAtTheEngine) {
    Loopback lb;
    std::mt19937_64 rng(11);
    std::vector<Message> sent;
    for (int i = 0; i < 300; i++) {
        const Kind k = kCommands[std::size_t(i) % std::size(kCommands)];
        const Bytes payload = random_payload(rng, i == 7 ? kMaxPayload : 2000);
        const uint32_t session = uint32_t(rng());
        const uint16_t arg = uint16_t(rng());
        auto seq = lb.host.send(k, session, arg, i == 7 ? Bytes(kMaxPayload, 0xA5) : payload);
        ASSERT_TRUE(seq.ok()) << seq.error().message;
        EXPECT_EQ(seq.value(), uint32_t(i)) << "sequence numbers count up from 0";
        sent.push_back(
            Message{k, seq.value(), session, arg, i == 7 ? Bytes(kMaxPayload, 0xA5) : payload});
    }
    const auto got = poll_ok(lb.engine);
    ASSERT_EQ(got.size(), sent.size());
    for (std::size_t i = 0; i < got.size(); i++) {
        ASSERT_TRUE(std::holds_alternative<Message>(got[i]))
            << "item #" << i << ": " << describe(got[i]);
        const Message& m = std::get<Message>(got[i]);
        EXPECT_EQ(m.kind, sent[i].kind) << "message #" << i;
        EXPECT_EQ(m.seq, sent[i].seq) << "message #" << i;
        EXPECT_EQ(m.session, sent[i].session) << "message #" << i;
        EXPECT_EQ(m.arg, sent[i].arg) << "message #" << i;
        EXPECT_EQ(m.payload, sent[i].payload) << "message #" << i;
    }
    EXPECT_TRUE(poll_ok(lb.engine).empty()) << "each message is handed out once";
}

TEST(ByteLink, EventsArriveAtTheHostAcrossManyPolls) {
    Loopback lb;
    std::mt19937_64 rng(12);
    std::vector<Message> sent;
    std::vector<Received> got;
    for (int i = 0; i < 200; i++) {
        const Kind k = kEvents[std::size_t(i) % std::size(kEvents)];
        const Bytes payload = random_payload(rng, 600);
        auto seq = lb.engine.send(k, uint32_t(i), uint16_t(i * 3), payload);
        ASSERT_TRUE(seq.ok()) << seq.error().message;
        sent.push_back(Message{k, seq.value(), uint32_t(i), uint16_t(i * 3), payload});
        // Deliver a random prefix of the bytes in flight: messages straddle polls.
        Bytes& q = lb.wire->to_host;
        const std::size_t cut = std::uniform_int_distribution<std::size_t>(0, q.size())(rng);
        const Bytes later(q.begin() + long(cut), q.end());
        q.resize(cut);
        for (auto& r : poll_ok(lb.host)) got.push_back(std::move(r));
        q = later;
    }
    for (auto& r : poll_ok(lb.host)) got.push_back(std::move(r));
    ASSERT_EQ(got.size(), sent.size());
    for (std::size_t i = 0; i < got.size(); i++) {
        ASSERT_TRUE(std::holds_alternative<Message>(got[i]))
            << "item #" << i << ": " << describe(got[i]);
        const Message& m = std::get<Message>(got[i]);
        EXPECT_EQ(m.kind, sent[i].kind) << "message #" << i;
        EXPECT_EQ(m.seq, uint32_t(i));
        EXPECT_EQ(m.payload, sent[i].payload) << "message #" << i;
    }
}

TEST(ByteLink, CorruptedPayloadComesOutAsLinkErrorsNotAMessage) {
    Loopback lb;
    std::vector<std::size_t> starts;
    for (int i = 0; i < 10; i++) {
        starts.push_back(lb.wire->to_host.size());
        ASSERT_TRUE(lb.engine.send(Kind::kRxData, 7, 0, Bytes(40, uint8_t(i))).ok());
    }
    lb.wire->to_host[starts[4] + kHeaderBytes + 5] ^= 0x10;  // one bit of message 4's payload
    const auto got = poll_ok(lb.host);
    std::vector<std::string> seen;
    for (const auto& r : got) seen.push_back(describe(r));
    const std::vector<std::string> want = {
        "message RX_DATA seq 0",
        "message RX_DATA seq 1",
        "message RX_DATA seq 2",
        "message RX_DATA seq 3",
        "error payload CRC mismatch: RX_DATA seq 4: payload CRC 0x",  // prefix, checked below
        "error sequence gap (messages lost): 1 message(s) lost before seq 5",
        "message RX_DATA seq 5",
        "message RX_DATA seq 6",
        "message RX_DATA seq 7",
        "message RX_DATA seq 8",
        "message RX_DATA seq 9"};
    ASSERT_EQ(seen.size(), want.size());
    for (std::size_t i = 0; i < want.size(); i++)
        EXPECT_EQ(seen[i].substr(0, want[i].size()), want[i]) << "item #" << i;
}

TEST(ByteLink, CorruptedHeaderIsReportedAndFramingRecovered) {
    Loopback lb;
    ASSERT_TRUE(lb.engine.send(Kind::kPong, kNoSession, 0, {}).ok());
    const std::size_t second = lb.wire->to_host.size();
    ASSERT_TRUE(lb.engine.send(Kind::kAcked, 3, 0, Bytes(12, 1)).ok());
    ASSERT_TRUE(lb.engine.send(Kind::kAcked, 3, 1, Bytes(12, 2)).ok());
    lb.wire->to_host[second + 9] ^= 0x01;  // session id byte of the second message
    const auto got = poll_ok(lb.host);
    int messages = 0, header_errors = 0;
    for (const auto& r : got) {
        if (auto* m = std::get_if<Message>(&r)) {
            messages++;
            EXPECT_NE(m->seq, 1u) << "the damaged message must not be delivered";
        } else if (std::get<DeframeError>(r).error == LinkError::kHeaderCrc) {
            header_errors++;
        }
    }
    EXPECT_EQ(messages, 2) << "the messages before and after the damaged one";
    EXPECT_GE(header_errors, 1);
}

// Seeded random damage (flips, losses, duplicates, junk, truncation): whatever comes
// out as a message is byte-for-byte one that was sent, under its own sequence number,
// and damage never goes unreported.
TEST(ByteLink, RandomDamageNeverDeliversADamagedMessage) {
    std::mt19937_64 rng(13);
    int runs_with_errors = 0;
    for (int run = 0; run < 200; run++) {
        Loopback lb;
        std::map<uint32_t, Message> sent;
        for (int i = 0; i < 20; i++) {
            const Kind k = kEvents[std::size_t(rng() % std::size(kEvents))];
            const Bytes payload = random_payload(rng, 300);
            auto seq = lb.engine.send(k, uint32_t(rng()), uint16_t(rng()), payload);
            ASSERT_TRUE(seq.ok());
            sent[seq.value()] = Message{k, seq.value(), 0, 0, payload};
        }
        const Bytes clean = lb.wire->to_host;
        testing::damage_stream(lb.wire->to_host, 1 + int(rng() % 3), rng);
        const bool damaged = lb.wire->to_host != clean;
        // A clean message after the damage, longer than any message above: trailing junk
        // or a truncated message is only noticed once enough bytes follow it.
        const Bytes fence_payload(1024, 0x5A);
        auto fence = lb.engine.send(Kind::kPong, kNoSession, 0, fence_payload);
        ASSERT_TRUE(fence.ok());
        sent[fence.value()] = Message{Kind::kPong, fence.value(), 0, 0, fence_payload};
        std::size_t errors = 0, messages = 0;
        for (const auto& r : poll_ok(lb.host)) {
            if (std::holds_alternative<DeframeError>(r)) {
                errors++;
                continue;
            }
            const Message& m = std::get<Message>(r);
            messages++;
            auto it = sent.find(m.seq);
            ASSERT_NE(it, sent.end())
                << "run " << run << ": delivered seq " << m.seq << " never sent";
            EXPECT_EQ(m.kind, it->second.kind) << "run " << run << " seq " << m.seq;
            EXPECT_EQ(m.payload, it->second.payload) << "run " << run << " seq " << m.seq;
        }
        if (damaged) {
            EXPECT_GT(errors, 0u) << "run " << run << ": damage went unreported";
        } else {
            EXPECT_EQ(messages, sent.size()) << "run " << run;
        }
        runs_with_errors += errors > 0;
    }
    EXPECT_GT(runs_with_errors, 100) << "the damage model should produce errors in most runs";
}

TEST(ByteLink, WrongDirectionKindIsRefusedWithoutUsingASequenceNumber) {
    Loopback lb;
    auto r = lb.host.send(Kind::kPong, 0, 0, {});
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find("PONG"), std::string::npos) << r.error().message;
    EXPECT_NE(r.error().message.find("host"), std::string::npos) << r.error().message;
    auto e = lb.engine.send(Kind::kPing, 0, 0, {});
    ASSERT_FALSE(e.ok());
    EXPECT_NE(e.error().message.find("engine"), std::string::npos) << e.error().message;
    EXPECT_TRUE(lb.wire->to_engine.empty() && lb.wire->to_host.empty()) << "nothing was sent";

    auto ok = lb.host.send(Kind::kPing, 0, 0, {});
    ASSERT_TRUE(ok.ok()) << "a refused send leaves the link usable: " << ok.error().message;
    EXPECT_EQ(ok.value(), 0u);
    EXPECT_FALSE(lb.host.failure().has_value());
}

TEST(ByteLink, OversizedPayloadIsRefused) {
    Loopback lb;
    auto r = lb.host.send(Kind::kRawTx, 1, 0, Bytes(kMaxPayload + 1));
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.error().message.find(std::to_string(kMaxPayload + 1)), std::string::npos)
        << r.error().message;
    EXPECT_TRUE(lb.wire->to_engine.empty());
    EXPECT_TRUE(lb.host.send(Kind::kRawTx, 1, 0, Bytes(kMaxPayload)).ok());
}

TEST(ByteLink, WriteFailureIsStickyWithItsMessage) {
    Loopback lb;
    lb.wire->fail_writes = Error{"device disconnected"};
    auto r = lb.host.send(Kind::kPing, 0, 0, {});
    ASSERT_FALSE(r.ok());
    EXPECT_EQ(r.error().message, "device disconnected");
    lb.wire->fail_writes.reset();  // the transport recovering does not revive the link
    auto again = lb.host.send(Kind::kPing, 0, 0, {});
    ASSERT_FALSE(again.ok());
    EXPECT_EQ(again.error().message, "device disconnected");
    auto p = lb.host.poll(Duration::zero());
    ASSERT_FALSE(p.ok());
    EXPECT_EQ(p.error().message, "device disconnected");
}

TEST(ByteLink, ReadFailureHandsOutWhatArrivedFirst) {
    Loopback lb;
    ASSERT_TRUE(lb.engine.send(Kind::kPong, kNoSession, 1, {}).ok());
    ASSERT_TRUE(lb.engine.send(Kind::kPong, kNoSession, 2, {}).ok());
    lb.wire->fail_reads = Error{"bulk IN transfer: device disconnected"};
    auto first = lb.host.poll(Duration::zero());
    ASSERT_TRUE(first.ok()) << first.error().message;
    ASSERT_EQ(first.value().size(), 2u);
    EXPECT_EQ(std::get<Message>(first.value()[1]).arg, 2);
    auto second = lb.host.poll(Duration::zero());
    ASSERT_FALSE(second.ok());
    EXPECT_EQ(second.error().message, "bulk IN transfer: device disconnected");
    ASSERT_TRUE(lb.host.failure().has_value());
    auto send = lb.host.send(Kind::kPing, 0, 0, {});
    ASSERT_FALSE(send.ok());
    EXPECT_EQ(send.error().message, "bulk IN transfer: device disconnected");
}

TEST(ByteLink, TimeComesFromTheTransport) {
    Loopback lb;
    EXPECT_EQ(lb.host.now(), Duration::zero());
    ASSERT_TRUE(poll_ok(lb.host).empty());
    auto r = lb.host.poll(std::chrono::milliseconds(5));  // nothing arrives: the wait runs out
    ASSERT_TRUE(r.ok());
    EXPECT_EQ(lb.host.now(), std::chrono::milliseconds(5));
    EXPECT_EQ(lb.engine.now(), std::chrono::milliseconds(5));
}

TEST(ByteLink, ResultReadingTheWrongSideIsAProgrammingError) {
    Result<int> v = 3;
    Result<int> e = Error{"boom"};
    EXPECT_THROW((void)v.error(), std::logic_error);
    EXPECT_THROW((void)e.value(), std::logic_error);
    EXPECT_EQ(v.value(), 3);
    EXPECT_EQ(e.error().message, "boom");
}

}  // namespace
}  // namespace ftoe::driver
