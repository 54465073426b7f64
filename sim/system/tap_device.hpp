// tap_device.hpp: TapDevice, a Linux TAP interface that a simulation bridges to, so real
// Linux sockets can talk to a simulated engine. The Linux side of the wire is the
// interface (give it an address, e.g. 10.0.0.1/24); frames the kernel sends on it are
// read() here, frames written here arrive in the kernel as if from a NIC.
//
// Opening needs CAP_NET_ADMIN. Tests open one only inside a network namespace they
// created themselves (DESIGN.md §6). The interface exists while the TapDevice is open.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "link.hpp"

namespace ftoe::sim {

using Bytes = std::vector<uint8_t>;
using MacAddr = std::array<uint8_t, 6>;

class TapDevice {
public:
    // Creates (or attaches to) TAP interface `name` (at most 15 characters), without
    // packet-information headers, its fd non-blocking. The interface starts down.
    // Errors say what to do: load the tun module, run as root, pick another name.
    static driver::Result<TapDevice> open(const std::string& name);

    TapDevice(TapDevice&& other) noexcept;
    TapDevice& operator=(TapDevice&& other) noexcept;
    TapDevice(const TapDevice&) = delete;
    TapDevice& operator=(const TapDevice&) = delete;
    ~TapDevice();  // closes the fd; the kernel then deletes the interface

    // Gives the interface the IPv4 address `addr` (host order, 0x0a000001 = 10.0.0.1)
    // with a /`prefix_len` netmask (0..32); Linux adds the connected route once it is up.
    driver::Status set_ipv4(uint32_t addr, int prefix_len);
    // Sets the link administratively up (IFF_UP) or down.
    driver::Status set_up(bool up = true);
    // The interface's own MAC address: the Linux side's source address on the wire.
    driver::Result<MacAddr> mac() const;

    // One frame the kernel sent (Ethernet header first, no FCS) into `frame`: true, or
    // false when none is waiting (the fd would block; poll() fd() for POLLIN).
    driver::Result<bool> read(Bytes& frame);
    // Hands one frame (Ethernet header first, no FCS) to the kernel.
    driver::Status write(const uint8_t* frame, std::size_t n);
    driver::Status write(const Bytes& frame) { return write(frame.data(), frame.size()); }

    int fd() const { return fd_; }
    const std::string& name() const { return name_; }

private:
    TapDevice(int fd, std::string name) : fd_(fd), name_(std::move(name)) {}
    driver::Status set_flags(bool up);

    int fd_ = -1;
    std::string name_;
};

}  // namespace ftoe::sim
