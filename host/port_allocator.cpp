// port_allocator.cpp: RFC 6056 Algorithm 4, see port_allocator.hpp.
#include "port_allocator.hpp"

#include <stdexcept>
#include <utility>

namespace ftoe::host {

PortResult PortResult::success(uint16_t port) {
    PortResult r;
    r.ok_ = true;
    r.port_ = port;
    return r;
}

PortResult PortResult::failure(std::string message) {
    PortResult r;
    r.error_ = std::move(message);
    return r;
}

uint16_t PortResult::port() const {
    if (!ok_) throw std::logic_error("PortResult::port() of a failure: " + error_);
    return port_;
}

std::string format_ipv4(uint32_t ip) {
    return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 0xFF) + "." +
           std::to_string((ip >> 8) & 0xFF) + "." + std::to_string(ip & 0xFF);
}

PortAllocator::PortAllocator(PortRange range, uint64_t seed)
    : range_(range),
      key_f_(mix64(seed ^ 0x243F6A8885A308D3ull)),
      key_g_(mix64(seed ^ 0x13198A2E03707344ull)) {
    if (range.first == 0 || range.first > range.last)
        throw std::invalid_argument("PortAllocator: range " + std::to_string(range.first) + "-" +
                                    std::to_string(range.last) + " is empty or includes port 0");
    // Counters start at unpredictable values too, so the first port to a destination
    // does not reveal F() alone.
    for (std::size_t i = 0; i < kTableLength; ++i)
        table_[i] = uint32_t(mix64(seed + 0x9E3779B97F4A7C15ull * (i + 1)));
}

PortResult PortAllocator::allocate(uint32_t local_ip, uint32_t remote_ip, uint16_t remote_port,
                                   const TimeWaitTable& time_wait, const TupleInUse& in_use) {
    FourTuple t;
    t.remote_ip = remote_ip;
    t.local_ip = local_ip;
    t.remote_port = remote_port;
    t.local_port = 0;  // F() and G() see the destination only
    const uint32_t num = uint32_t(range_.last) - range_.first + 1;
    const uint32_t offset = uint32_t(hash_four_tuple(t, key_f_) % num);
    uint32_t& next = table_[hash_four_tuple(t, key_g_) % kTableLength];
    uint32_t in_time_wait = 0, busy = 0;
    for (uint32_t tried = 0; tried < num; ++tried) {
        t.local_port = uint16_t(range_.first + (uint64_t(offset) + next) % num);
        ++next;
        if (time_wait.contains(t)) {
            ++in_time_wait;
            continue;
        }
        if (in_use && in_use(t)) {
            ++busy;
            continue;
        }
        return PortResult::success(t.local_port);
    }
    return PortResult::failure("no free ephemeral port from " + format_ipv4(local_ip) + " to " +
                               format_ipv4(remote_ip) + ":" + std::to_string(remote_port) +
                               " in " + std::to_string(range_.first) + "-" +
                               std::to_string(range_.last) + ": all " + std::to_string(num) +
                               " tried, " + std::to_string(in_time_wait) + " in TIME_WAIT, " +
                               std::to_string(busy) + " in use");
}

}  // namespace ftoe::host
