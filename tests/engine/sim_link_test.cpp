// SimLink: the driver's Link (driver::ByteLink) over the Verilated engine's host-link
// byte streams. The host side runs the same framing code as over USB; time is the
// engine's simulated time. Proves: commands and events cross it intact (PING/PONG with
// payload, READ_COUNTERS), a slow-path frame arrives through poll(), a waiting poll
// advances simulated time by exactly what it waited and no more when nothing comes, and
// bytes damaged on the way to the engine come back as the engine's LINK_ERROR event while
// the intact command after them is still answered.
#include <gtest/gtest.h>

#include <chrono>
#include <variant>
#include <vector>

#include "Vftoe_engine_64.h"
#include "engine_messages.hpp"
#include "sim_link.hpp"

namespace ftoe::sim {
namespace {

using driver::Kind;
using driver::Message;
using Engine = EngineSim<Vftoe_engine_64, 64>;
constexpr uint64_t kClockHz = 156'250'000;  // 6.4 ns per cycle
constexpr uint64_t kOurMac = 0x020000000002ull;
constexpr uint32_t kOurIp = 0x0a000002;

EngineSimOptions raw_host_bytes() {
    EngineSimOptions o;
    o.deframe_events = false;
    o.seed = 7;
    return o;
}

// Polls until one message arrives (or `budget` of link time passes); fails on errors.
Message poll_message(driver::Link& link, std::chrono::microseconds budget = std::chrono::microseconds(500)) {
    const auto until = link.now() + budget;
    while (link.now() < until) {
        auto r = link.poll(std::chrono::microseconds(10));
        EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
        if (!r.ok()) return {};
        for (auto& item : r.value()) {
            if (auto* m = std::get_if<Message>(&item)) return *m;
            ADD_FAILURE() << "deframe error: " << std::get<driver::DeframeError>(item).detail;
        }
    }
    ADD_FAILURE() << "no message within " << budget.count() << " us of link time";
    return {};
}

TEST(SimLink, PingCountersAndSlowPathCrossTheLink) {
    Engine e(raw_host_bytes());
    auto link = make_sim_link(e, kClockHz);
    e.run(40);
    ASSERT_TRUE(link->send(Kind::kSetConfig, driver::kNoSession, 0,
                           driver::set_config_payload(kOurMac, kOurIp)).ok());
    const driver::Bytes hello = {'h', 'e', 'l', 'l', 'o'};
    const auto seq = link->send(Kind::kPing, 77, 0x1234, hello);
    ASSERT_TRUE(seq.ok());
    const Message pong = poll_message(*link);
    EXPECT_EQ(pong.kind, Kind::kPong);
    EXPECT_EQ(pong.session, 77u);
    EXPECT_EQ(pong.arg, 0x1234);
    EXPECT_EQ(pong.payload, hello);

    ASSERT_TRUE(link->send(Kind::kReadCounters, driver::kNoSession, 0, {}).ok());
    const Message counters = poll_message(*link);
    ASSERT_EQ(counters.kind, Kind::kCounters);
    EXPECT_TRUE(driver::decode_counters(counters.payload).has_value());

    driver::Bytes arp(60, 0);
    for (int i = 0; i < 6; i++) arp[std::size_t(i)] = 0xff;
    arp[12] = 0x08, arp[13] = 0x06;
    e.send_frame(arp);
    const Message slow = poll_message(*link);
    EXPECT_EQ(slow.kind, Kind::kSlowPath);
    EXPECT_EQ(slow.payload, arp);
}

TEST(SimLink, WaitingPollAdvancesSimulatedTimeOnly) {
    Engine e(raw_host_bytes());
    auto link = make_sim_link(e, kClockHz);
    const auto t0 = link->now();
    auto r = link->poll(std::chrono::microseconds(3));
    ASSERT_TRUE(r.ok());
    EXPECT_TRUE(r.value().empty());
    const auto waited = link->now() - t0;
    EXPECT_GE(waited, std::chrono::microseconds(3));
    EXPECT_LT(waited, std::chrono::nanoseconds(3000 + 7)) << "stepped past the wait";
    EXPECT_EQ(link->now().count(), int64_t(e.cycle()) * 32 / 5) << "6.4 ns per cycle";
}

TEST(SimLink, DamagedBytesToTheEngineComeBackAsLinkError) {
    Engine e(raw_host_bytes());
    auto link = make_sim_link(e, kClockHz);
    e.run(40);
    // A damaged message straight onto the transport, then an intact PING through the link.
    driver::Framer other;
    driver::Bytes bad = other.frame(Kind::kPing, 1, 0, {1, 2, 3});
    bad[17] ^= 0x40;  // a payload byte: the payload CRC fails
    ASSERT_TRUE(link->transport().write(bad.data(), bad.size()).ok());
    ASSERT_TRUE(link->send(Kind::kPing, 2, 0, {9}).ok());
    std::vector<Message> got;
    while (got.size() < 2) {
        got.push_back(poll_message(*link));
        if (::testing::Test::HasFailure()) return;
    }
    EXPECT_EQ(got[0].kind, Kind::kLinkError);
    EXPECT_EQ(got[0].arg, uint16_t(driver::LinkError::kPayloadCrc));
    EXPECT_EQ(got[1].kind, Kind::kPong);
    EXPECT_EQ(got[1].session, 2u);
}

}  // namespace
}  // namespace ftoe::sim
