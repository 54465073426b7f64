// tap_device.cpp: see tap_device.hpp. Interface configuration goes through the classic
// SIOCSIF* ioctls on a throwaway AF_INET socket (enough for one address per interface).
#include "tap_device.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if.h>
#include <linux/if_tun.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

namespace ftoe::sim {

namespace {

constexpr const char* kTunPath = "/dev/net/tun";
// Larger than any frame a TAP without IFF_VNET_HDR (so without GSO) hands out.
constexpr std::size_t kMaxFrame = 65536;

std::string errno_text(int err) { return std::strerror(err); }

// An AF_INET datagram socket for the SIOC* ioctls, closed on scope exit.
class IoctlSocket {
public:
    IoctlSocket() : fd_(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) {}
    ~IoctlSocket() {
        if (fd_ >= 0) ::close(fd_);
    }
    IoctlSocket(const IoctlSocket&) = delete;
    IoctlSocket& operator=(const IoctlSocket&) = delete;
    int fd() const { return fd_; }

private:
    int fd_;
};

ifreq make_ifreq(const std::string& name) {
    ifreq ifr{};
    std::memcpy(ifr.ifr_name, name.data(), name.size());  // size checked in open()
    return ifr;
}

// An ioctl on `name` through a fresh AF_INET socket; the error names the step and what
// to do about the usual causes.
driver::Status if_ioctl(const std::string& name, unsigned long request, ifreq& ifr,
                        const char* what) {
    IoctlSocket s;
    if (s.fd() < 0) {
        return driver::Error{std::string(what) + " on " + name +
                             ": cannot open an AF_INET socket: " + errno_text(errno)};
    }
    if (::ioctl(s.fd(), request, &ifr) == 0) return driver::Ok{};
    const int err = errno;
    std::string hint;
    if (err == EPERM || err == EACCES) hint = " (needs CAP_NET_ADMIN: run as root)";
    if (err == ENODEV) hint = " (the interface is gone: was the TapDevice closed?)";
    return driver::Error{std::string(what) + " on " + name + ": " + errno_text(err) + hint};
}

}  // namespace

driver::Result<TapDevice> TapDevice::open(const std::string& name) {
    if (name.empty() || name.size() >= IFNAMSIZ) {
        return driver::Error{"TAP interface name '" + name + "' must have 1 to " +
                             std::to_string(IFNAMSIZ - 1) + " characters"};
    }
    const int fd = ::open(kTunPath, O_RDWR | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) {
        const int err = errno;
        if (err == ENOENT || err == ENODEV || err == ENXIO) {
            return driver::Error{std::string(kTunPath) + " missing (" + errno_text(err) +
                                 "): load the tun module (modprobe tun)"};
        }
        if (err == EACCES || err == EPERM) {
            return driver::Error{"creating TAP " + name + " needs CAP_NET_ADMIN: run as root (" +
                                 kTunPath + ": " + errno_text(err) + ")"};
        }
        return driver::Error{std::string("opening ") + kTunPath + ": " + errno_text(err)};
    }
    ifreq ifr = make_ifreq(name);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (::ioctl(fd, TUNSETIFF, &ifr) != 0) {
        const int err = errno;
        ::close(fd);
        std::string msg = "creating TAP " + name + ": " + errno_text(err);
        if (err == EPERM || err == EACCES) {
            msg = "creating TAP " + name + " needs CAP_NET_ADMIN: run as root (" +
                  errno_text(err) + ")";
        } else if (err == EBUSY) {
            msg += ": it is open already (by this or another process); pick another name";
        } else if (err == EINVAL) {
            msg += ": an interface of that name exists and is not a TAP; pick another name";
        }
        return driver::Error{msg};
    }
    return TapDevice(fd, name);
}

TapDevice::TapDevice(TapDevice&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), name_(std::move(other.name_)) {}

TapDevice& TapDevice::operator=(TapDevice&& other) noexcept {
    if (this != &other) {
        if (fd_ >= 0) ::close(fd_);
        fd_ = std::exchange(other.fd_, -1);
        name_ = std::move(other.name_);
    }
    return *this;
}

TapDevice::~TapDevice() {
    if (fd_ >= 0) ::close(fd_);
}

driver::Status TapDevice::set_ipv4(uint32_t addr, int prefix_len) {
    if (prefix_len < 0 || prefix_len > 32) {
        return driver::Error{"IPv4 prefix length " + std::to_string(prefix_len) + " for " +
                             name_ + " is not in 0..32"};
    }
    const uint32_t mask = prefix_len == 0 ? 0 : ~uint32_t(0) << (32 - prefix_len);
    auto sockaddr_of = [](uint32_t host_order) {
        sockaddr_in sin{};
        sin.sin_family = AF_INET;
        sin.sin_addr.s_addr = htonl(host_order);
        return sin;
    };
    ifreq ifr = make_ifreq(name_);
    sockaddr_in sin = sockaddr_of(addr);
    std::memcpy(&ifr.ifr_addr, &sin, sizeof sin);
    if (driver::Status s = if_ioctl(name_, SIOCSIFADDR, ifr, "setting the IPv4 address"); !s) {
        return s;
    }
    ifr = make_ifreq(name_);
    sin = sockaddr_of(mask);
    std::memcpy(&ifr.ifr_netmask, &sin, sizeof sin);
    return if_ioctl(name_, SIOCSIFNETMASK, ifr, "setting the IPv4 netmask");
}

driver::Status TapDevice::set_up(bool up) { return set_flags(up); }

driver::Status TapDevice::set_flags(bool up) {
    ifreq ifr = make_ifreq(name_);
    if (driver::Status s = if_ioctl(name_, SIOCGIFFLAGS, ifr, "reading the flags"); !s) {
        return s;
    }
    if (up) {
        ifr.ifr_flags = short(ifr.ifr_flags | IFF_UP);
    } else {
        ifr.ifr_flags = short(ifr.ifr_flags & ~IFF_UP);
    }
    return if_ioctl(name_, SIOCSIFFLAGS, ifr, up ? "setting the link up" : "setting the link down");
}

driver::Result<MacAddr> TapDevice::mac() const {
    ifreq ifr = make_ifreq(name_);
    if (driver::Status s = if_ioctl(name_, SIOCGIFHWADDR, ifr, "reading the MAC address"); !s) {
        return s.error();
    }
    MacAddr m{};
    std::memcpy(m.data(), ifr.ifr_hwaddr.sa_data, m.size());
    return m;
}

driver::Result<bool> TapDevice::read(Bytes& frame) {
    frame.resize(kMaxFrame);
    for (;;) {
        const ssize_t n = ::read(fd_, frame.data(), frame.size());
        if (n >= 0) {
            frame.resize(std::size_t(n));
            return true;
        }
        if (errno == EINTR) continue;
        const int err = errno;
        frame.clear();
        if (err == EAGAIN || err == EWOULDBLOCK) return false;
        return driver::Error{"reading a frame from TAP " + name_ + ": " + errno_text(err)};
    }
}

driver::Status TapDevice::write(const uint8_t* frame, std::size_t n) {
    for (;;) {
        const ssize_t w = ::write(fd_, frame, n);
        if (w >= 0 && std::size_t(w) == n) return driver::Ok{};
        if (w >= 0) {
            return driver::Error{"writing a " + std::to_string(n) + "-byte frame to TAP " +
                                 name_ + ": only " + std::to_string(w) + " bytes taken"};
        }
        if (errno == EINTR) continue;
        const int err = errno;
        std::string hint;
        if (err == EIO) hint = " (is the link up? set_up())";
        if (err == EINVAL) hint = " (shorter than an Ethernet header, or over the MTU?)";
        return driver::Error{"writing a " + std::to_string(n) + "-byte frame to TAP " + name_ +
                             ": " + errno_text(err) + hint};
    }
}

}  // namespace ftoe::sim
