// port_allocator.hpp: ephemeral (local) port choice for active opens, RFC 6056 §3.3.4
// "Double-Hash Port Selection" (Algorithm 4). For a destination (local IP, remote IP,
// remote port) the search starts at a keyed-hash offset F() into the range and walks it
// from a per-destination-class counter table[G()], so successive connections to one
// destination get successive ports, while the sequence seen by one destination says
// nothing about the ports used towards others. A port is suitable when its 4-tuple to
// that destination is neither in TIME_WAIT nor in use (the caller's predicate); the same
// port may well serve other destinations at the same time.
//
// The keys and the counter table come from the seed the caller draws from its seeded
// random source; there is no global state. Cost: one TIME_WAIT lookup and one in-use
// query per port tried; an exhausted range costs one pass over it and is reported as an
// error value with a message, never an exception.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>

#include "four_tuple.hpp"
#include "time_wait_table.hpp"

namespace ftoe::host {

struct PortRange {
    uint16_t first = 32768;  // Linux's default ip_local_port_range
    uint16_t last = 60999;   // inclusive
};

// A port, or why there is none.
class PortResult {
public:
    static PortResult success(uint16_t port);
    static PortResult failure(std::string message);
    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    uint16_t port() const;                              // throws std::logic_error if !ok()
    const std::string& error() const { return error_; }  // empty if ok()

private:
    bool ok_ = false;
    uint16_t port_ = 0;
    std::string error_;
};

// Whether a 4-tuple is taken by a live connection (or a listener bound to it); an empty
// function means none is.
using TupleInUse = std::function<bool(const FourTuple&)>;

class PortAllocator {
public:
    static constexpr std::size_t kTableLength = 256;  // RFC 6056 TABLE_LENGTH

    // Throws std::invalid_argument if the range is empty or includes port 0.
    PortAllocator(PortRange range, uint64_t seed);

    // A local port for local_ip -> remote_ip:remote_port. TIME_WAIT state is as of the
    // table's last call with a time (call time_wait.expire(now) first to free tuples
    // whose 2MSL has passed).
    PortResult allocate(uint32_t local_ip, uint32_t remote_ip, uint16_t remote_port,
                        const TimeWaitTable& time_wait, const TupleInUse& in_use);

    const PortRange& range() const { return range_; }

private:
    PortRange range_;
    uint64_t key_f_, key_g_;  // secret keys of F() and G()
    std::array<uint32_t, kTableLength> table_{};
};

std::string format_ipv4(uint32_t ip);  // dotted quad

}  // namespace ftoe::host
