// Ephemeral port allocator (RFC 6056 Algorithm 4): ports stay in the range, a port whose
// tuple to the destination is in TIME_WAIT or in use is never returned, TIME_WAIT is per
// destination (not per port), exhaustion is an error value with a message, the choice
// depends only on the seed, and the last free port in a range is found.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "port_allocator.hpp"
#include "time_wait_table.hpp"

namespace ftoe::host {
namespace {

constexpr uint64_t kT0 = 5'000'000;
constexpr uint32_t kLocal = 0xC0A80001;   // 192.168.0.1
constexpr uint32_t kRemote = 0x0A000002;  // 10.0.0.2
constexpr uint16_t kRemotePort = 80;

TimeWaitTable make_table(uint32_t capacity = 70000) {
    TimeWaitConfig c;
    c.capacity = capacity;
    c.hash_seed = 99;
    return TimeWaitTable(c);
}

FourTuple to_remote(uint16_t local_port, uint32_t remote = kRemote) {
    FourTuple t;
    t.remote_ip = remote;
    t.local_ip = kLocal;
    t.remote_port = kRemotePort;
    t.local_port = local_port;
    return t;
}

TimeWaitState tw_state() {
    TimeWaitState s;
    s.snd_nxt = 1;
    s.rcv_nxt = 2;
    return s;
}

TEST(PortAllocator, ReturnsPortsInsideTheRangeAndSuccessiveOnesDiffer) {
    const TimeWaitTable tw = make_table();
    PortAllocator a({40000, 40999}, 7);
    std::set<uint16_t> seen;
    for (int i = 0; i < 1000; ++i) {
        const PortResult r = a.allocate(kLocal, kRemote, kRemotePort, tw, nullptr);
        ASSERT_TRUE(r.ok()) << r.error();
        EXPECT_GE(r.port(), 40000);
        EXPECT_LE(r.port(), 40999);
        seen.insert(r.port());
    }
    // Nothing marked in use, yet one destination walks the whole range before repeating.
    EXPECT_EQ(seen.size(), 1000u);
}

TEST(PortAllocator, NeverReturnsAPortWhoseTupleIsInTimeWait) {
    TimeWaitTable tw = make_table();
    const PortRange range{50000, 50099};
    // 90 of the 100 tuples to the destination are in TIME_WAIT.
    for (uint16_t p = range.first; p < range.first + 90; ++p)
        tw.insert(to_remote(uint16_t(p * 7 % 100 + range.first)), tw_state(), kT0);
    ASSERT_EQ(tw.size(), 90u);
    PortAllocator a(range, 11);
    std::set<uint16_t> in_use;
    const TupleInUse used = [&](const FourTuple& t) { return in_use.count(t.local_port) != 0; };
    for (int i = 0; i < 10; ++i) {
        const PortResult r = a.allocate(kLocal, kRemote, kRemotePort, tw, used);
        ASSERT_TRUE(r.ok()) << "allocation " << i << ": " << r.error();
        EXPECT_FALSE(tw.contains(to_remote(r.port()))) << "port " << r.port() << " is in TIME_WAIT";
        EXPECT_TRUE(in_use.insert(r.port()).second) << "port " << r.port() << " given twice";
    }
    const PortResult last = a.allocate(kLocal, kRemote, kRemotePort, tw, used);
    EXPECT_FALSE(last.ok());
}

TEST(PortAllocator, SkipsPortsInUse) {
    const TimeWaitTable tw = make_table();
    PortAllocator a({1024, 1033}, 3);
    const TupleInUse odd_busy = [](const FourTuple& t) { return t.local_port % 2 == 1; };
    for (int i = 0; i < 50; ++i) {
        const PortResult r = a.allocate(kLocal, kRemote, kRemotePort, tw, odd_busy);
        ASSERT_TRUE(r.ok()) << r.error();
        EXPECT_EQ(r.port() % 2, 0) << "port " << r.port() << " is in use";
    }
}

TEST(PortAllocator, TimeWaitBlocksATupleNotThePort) {
    TimeWaitTable tw = make_table();
    PortAllocator a({45000, 45000}, 5);  // one port only
    tw.insert(to_remote(45000), tw_state(), kT0);
    EXPECT_FALSE(a.allocate(kLocal, kRemote, kRemotePort, tw, nullptr).ok());
    // The same port to another destination is fine.
    const PortResult other = a.allocate(kLocal, kRemote + 1, kRemotePort, tw, nullptr);
    ASSERT_TRUE(other.ok()) << other.error();
    EXPECT_EQ(other.port(), 45000);
}

TEST(PortAllocator, ExhaustionIsAnErrorValueWithAMessage) {
    TimeWaitTable tw = make_table();
    PortAllocator a({60000, 60009}, 1);
    for (uint16_t p = 60000; p <= 60003; ++p) tw.insert(to_remote(p), tw_state(), kT0);
    const TupleInUse rest_busy = [](const FourTuple& t) { return t.local_port >= 60004; };
    const PortResult r = a.allocate(kLocal, kRemote, kRemotePort, tw, rest_busy);
    ASSERT_FALSE(r.ok());
    EXPECT_FALSE(static_cast<bool>(r));
    EXPECT_EQ(r.error(),
              "no free ephemeral port from 192.168.0.1 to 10.0.0.2:80 in 60000-60009: all 10 "
              "tried, 4 in TIME_WAIT, 6 in use");
    EXPECT_THROW(r.port(), std::logic_error);
}

TEST(PortAllocator, ExpiredTimeWaitTupleBecomesAvailable) {
    TimeWaitTable tw = make_table();
    PortAllocator a({45000, 45000}, 5);
    tw.insert(to_remote(45000), tw_state(), kT0);
    EXPECT_FALSE(a.allocate(kLocal, kRemote, kRemotePort, tw, nullptr).ok());
    tw.expire(kT0 + tw.config().two_msl_us);
    const PortResult r = a.allocate(kLocal, kRemote, kRemotePort, tw, nullptr);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r.port(), 45000);
}

TEST(PortAllocator, FindsTheOnlyFreePortInAFullRange) {
    TimeWaitTable tw = make_table();
    const PortRange range{32768, 60999};
    PortAllocator a(range, 42);
    for (uint32_t p = range.first; p <= range.last; ++p)
        if (p != 51234 && p % 3 == 0) tw.insert(to_remote(uint16_t(p)), tw_state(), kT0);
    const TupleInUse busy = [](const FourTuple& t) {
        return t.local_port != 51234 && t.local_port % 3 != 0;
    };
    const PortResult r = a.allocate(kLocal, kRemote, kRemotePort, tw, busy);
    ASSERT_TRUE(r.ok()) << r.error();
    EXPECT_EQ(r.port(), 51234);
}

TEST(PortAllocator, ChoiceDependsOnlyOnTheSeed) {
    const TimeWaitTable tw = make_table();
    PortAllocator a({32768, 60999}, 1234), b({32768, 60999}, 1234), c({32768, 60999}, 4321);
    int differ = 0;
    for (uint32_t i = 0; i < 20; ++i) {
        const uint16_t pa = a.allocate(kLocal, kRemote + i, kRemotePort, tw, nullptr).port();
        const uint16_t pb = b.allocate(kLocal, kRemote + i, kRemotePort, tw, nullptr).port();
        const uint16_t pc = c.allocate(kLocal, kRemote + i, kRemotePort, tw, nullptr).port();
        EXPECT_EQ(pa, pb) << "destination " << i;
        differ += pa != pc;
    }
    EXPECT_GE(differ, 18) << "another seed should choose other ports";
}

TEST(PortAllocator, InvalidRangeIsRejected) {
    EXPECT_THROW(PortAllocator({0, 100}, 1), std::invalid_argument);
    EXPECT_THROW(PortAllocator({2000, 1999}, 1), std::invalid_argument);
    EXPECT_NO_THROW(PortAllocator({1, 65535}, 1));
}

}  // namespace
}  // namespace ftoe::host
