// TapDevice against the real Linux stack, inside a network namespace of the test's own
// (unshare(CLONE_NEWNET)): the host's network is never touched and the namespace goes
// away with the test process. A UDP datagram from a Linux socket to 10.0.0.2 must show
// up on the TAP as an ARP request; an ARP reply written to the TAP must release the
// datagram itself. Needs root (CAP_NET_ADMIN); skips otherwise.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>

#include "tap_device.hpp"

namespace ftoe::sim {
namespace {

constexpr uint32_t kLinuxIp = 0x0a000001;  // 10.0.0.1, the TAP's address
constexpr uint32_t kPeerIp = 0x0a000002;   // 10.0.0.2, the simulated side
constexpr MacAddr kPeerMac{0x02, 0, 0, 0, 0, 2};

// Enters a fresh network namespace; "" or why not (then the test skips).
std::string enter_own_network_namespace() {
    if (::access("/dev/net/tun", F_OK) != 0) {
        return "/dev/net/tun missing: load the tun module (modprobe tun)";
    }
    if (::unshare(CLONE_NEWNET) != 0) {
        return std::string("needs root (CAP_NET_ADMIN) to enter its own network namespace: "
                           "unshare(CLONE_NEWNET): ") + std::strerror(errno);
    }
    return "";
}

#define ENTER_NETNS_OR_SKIP()                                   \
    do {                                                        \
        const std::string why = enter_own_network_namespace();  \
        if (!why.empty()) GTEST_SKIP() << why;                  \
    } while (0)

uint16_t be16(const Bytes& f, std::size_t at) { return uint16_t(f[at] << 8 | f[at + 1]); }
uint32_t be32(const Bytes& f, std::size_t at) {
    return uint32_t(f[at]) << 24 | uint32_t(f[at + 1]) << 16 | uint32_t(f[at + 2]) << 8 | f[at + 3];
}
MacAddr mac_at(const Bytes& f, std::size_t at) {
    MacAddr m{};
    for (std::size_t i = 0; i < 6; i++) m[i] = f[at + i];
    return m;
}
void put_be16(Bytes& f, uint16_t v) {
    f.push_back(uint8_t(v >> 8));
    f.push_back(uint8_t(v));
}
void put_be32(Bytes& f, uint32_t v) {
    for (int s = 24; s >= 0; s -= 8) f.push_back(uint8_t(v >> s));
}
void put_mac(Bytes& f, const MacAddr& m) { f.insert(f.end(), m.begin(), m.end()); }

bool is_arp_request_for_peer(const Bytes& f, const MacAddr& linux_mac) {
    return f.size() >= 42 && be16(f, 12) == 0x0806 && mac_at(f, 0) == MacAddr{0xff, 0xff, 0xff, 0xff, 0xff, 0xff} &&
           mac_at(f, 6) == linux_mac && be16(f, 20) == 1 && mac_at(f, 22) == linux_mac &&
           be32(f, 28) == kLinuxIp && be32(f, 38) == kPeerIp;
}

// Reads frames from the TAP for up to 3 s until one satisfies `want`; the frames that
// did not (IPv6 router solicitations, MLD reports, ...) are counted in `others`.
bool wait_for_frame(TapDevice& tap, const std::function<bool(const Bytes&)>& want,
                    Bytes& found, int& others) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(3);
    while (std::chrono::steady_clock::now() < deadline) {
        pollfd p{tap.fd(), POLLIN, 0};
        if (::poll(&p, 1, 100) < 0 && errno != EINTR) return false;
        for (;;) {
            auto r = tap.read(found);
            if (!r.ok()) {
                ADD_FAILURE() << r.error().message;
                return false;
            }
            if (!r.value()) break;
            if (want(found)) return true;
            others++;
        }
    }
    return false;
}

TEST(TapDevice, DatagramToPeerShowsArpRequestThenArrivesOnceTheReplyIsWritten) {
    ENTER_NETNS_OR_SKIP();
    auto opened = TapDevice::open("ftoe0");
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    TapDevice tap = std::move(opened).value();
    ASSERT_GE(tap.fd(), 0);
    EXPECT_EQ(tap.name(), "ftoe0");
    auto s = tap.set_ipv4(kLinuxIp, 24);
    ASSERT_TRUE(s.ok()) << s.error().message;
    s = tap.set_up();
    ASSERT_TRUE(s.ok()) << s.error().message;
    auto mac = tap.mac();
    ASSERT_TRUE(mac.ok()) << mac.error().message;
    const MacAddr linux_mac = mac.value();
    EXPECT_NE(linux_mac, MacAddr{}) << "the TAP has a MAC address";

    const int sock = ::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    ASSERT_GE(sock, 0) << std::strerror(errno);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(9);
    to.sin_addr.s_addr = htonl(kPeerIp);
    const char payload[] = "ftoe tap test";
    ASSERT_EQ(::sendto(sock, payload, sizeof payload, 0, reinterpret_cast<sockaddr*>(&to),
                       sizeof to),
              ssize_t(sizeof payload))
        << "sendto 10.0.0.2:9: " << std::strerror(errno);

    Bytes frame;
    int others = 0;
    ASSERT_TRUE(wait_for_frame(
        tap, [&](const Bytes& f) { return is_arp_request_for_peer(f, linux_mac); }, frame,
        others))
        << "expected an ARP request who-has 10.0.0.2 tell 10.0.0.1 within 3 s; "
        << others << " other frame(s) came";

    // ARP reply: 10.0.0.2 is at 02:00:00:00:00:02, padded to the 60-byte minimum.
    Bytes reply;
    put_mac(reply, linux_mac);
    put_mac(reply, kPeerMac);
    put_be16(reply, 0x0806);
    put_be16(reply, 1);       // hardware: Ethernet
    put_be16(reply, 0x0800);  // protocol: IPv4
    reply.push_back(6);
    reply.push_back(4);
    put_be16(reply, 2);  // reply
    put_mac(reply, kPeerMac);
    put_be32(reply, kPeerIp);
    put_mac(reply, linux_mac);
    put_be32(reply, kLinuxIp);
    reply.resize(60, 0);
    s = tap.write(reply);
    ASSERT_TRUE(s.ok()) << s.error().message;

    auto is_datagram = [&](const Bytes& f) {
        return f.size() >= 42 && be16(f, 12) == 0x0800 && mac_at(f, 0) == kPeerMac &&
               mac_at(f, 6) == linux_mac && f[23] == 17 && be32(f, 26) == kLinuxIp &&
               be32(f, 30) == kPeerIp;
    };
    ASSERT_TRUE(wait_for_frame(tap, is_datagram, frame, others))
        << "expected the UDP datagram to 02:00:00:00:00:02 / 10.0.0.2 after the ARP reply";
    const std::size_t udp = 14 + std::size_t(frame[14] & 0x0f) * 4;
    ASSERT_GE(frame.size(), udp + 8 + sizeof payload);
    EXPECT_EQ(be16(frame, udp + 2), 9) << "UDP destination port";
    EXPECT_EQ(be16(frame, udp + 4), 8 + sizeof payload) << "UDP length";
    EXPECT_EQ(std::memcmp(frame.data() + udp + 8, payload, sizeof payload), 0) << "payload";
    ::close(sock);
}

TEST(TapDevice, ReadWithNothingWaitingReturnsFalse) {
    ENTER_NETNS_OR_SKIP();
    auto tap = TapDevice::open("ftoe0");
    ASSERT_TRUE(tap.ok()) << tap.error().message;
    Bytes frame(3, 0xee);
    auto r = tap.value().read(frame);  // link down: the kernel sends nothing
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_FALSE(r.value());
    EXPECT_TRUE(frame.empty());
}

TEST(TapDevice, NameOpenTwiceIsAnErrorSayingPickAnotherName) {
    ENTER_NETNS_OR_SKIP();
    auto first = TapDevice::open("ftoe0");
    ASSERT_TRUE(first.ok()) << first.error().message;
    auto second = TapDevice::open("ftoe0");
    ASSERT_FALSE(second.ok());
    EXPECT_NE(second.error().message.find("creating TAP ftoe0"), std::string::npos)
        << second.error().message;
    EXPECT_NE(second.error().message.find("pick another name"), std::string::npos)
        << second.error().message;
}

TEST(TapDevice, WithoutCapNetAdminTheErrorSaysRunAsRoot) {
    ENTER_NETNS_OR_SKIP();
    // A child that gives up root (and with it CAP_NET_ADMIN) tries to create the TAP.
    int fds[2];
    ASSERT_EQ(::pipe(fds), 0);
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0) << std::strerror(errno);
    if (pid == 0) {
        ::close(fds[0]);
        std::string msg = "setuid failed";
        if (::setgid(65534) == 0 && ::setuid(65534) == 0) {
            auto tap = TapDevice::open("ftoe0");
            msg = tap.ok() ? "opened" : tap.error().message;
        }
        (void)!::write(fds[1], msg.data(), msg.size());
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string msg;
    char buf[512];
    for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) msg.append(buf, std::size_t(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    // Which step refuses depends on /dev/net/tun's mode (open, or TUNSETIFF).
    EXPECT_EQ(msg.rfind("creating TAP ftoe0 needs CAP_NET_ADMIN: run as root (", 0), 0u) << msg;
}

TEST(TapDevice, NameOfSixteenCharactersIsAnError) {
    auto tap = TapDevice::open("ftoe_sixteen_chr");
    ASSERT_FALSE(tap.ok());
    EXPECT_EQ(tap.error().message,
              "TAP interface name 'ftoe_sixteen_chr' must have 1 to 15 characters");
}

}  // namespace
}  // namespace ftoe::sim
