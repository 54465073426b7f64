// host_fifo.hpp: one direction of the host link as the board has it: an FT2232H in
// synchronous FIFO mode (245 FIFO, 60 MHz, 8 bits) behind USB 2.0. Pure C++: times in
// picoseconds of simulated time.
//
// The FIFO clock moves one byte per 16.67 ns (60 MB/s at most, which is what bounds a
// host-terminated session's throughput): bytes pushed get consecutive FIFO slots. USB 2.0
// moves them in bulk transfers scheduled per 125 us microframe, so a byte becomes
// available at the far end at the first microframe boundary after its slot (plus any
// extra latency): ready = the first boundary after slot + latency, never before the byte
// ahead of it. The host therefore sees event bytes in bursts, at most one per
// microframe, as from a real FT2232H. can_push() says whether the FIFO clock has a slot
// free at t, which is how the engine side is backpressured (a byte per FIFO clock, not
// per engine clock).
#pragma once

#include <algorithm>
#include <cstdint>
#include <deque>
#include <vector>

namespace ftoe::sim {

struct HostFifoConfig {
    uint64_t byte_ps = 16'667;            // 60 MHz FIFO clock, 8 bits per clock
    uint64_t microframe_ps = 125'000'000; // USB 2.0 high speed (0: no alignment)
    uint64_t latency_ps = 0;              // extra, e.g. the host's driver
};

class HostFifo {
public:
    explicit HostFifo(HostFifoConfig c = {}) : cfg_(c) {}

    bool can_push(uint64_t t_ps) const { return t_ps >= next_slot_ps_; }
    // Pushes bytes at `t_ps`; returns when the first of them can be taken.
    uint64_t push(uint64_t t_ps, const uint8_t* p, std::size_t n) {
        uint64_t first = 0;
        for (std::size_t i = 0; i < n; i++) {
            const uint64_t slot = std::max(t_ps, next_slot_ps_);
            next_slot_ps_ = slot + cfg_.byte_ps;
            uint64_t ready = slot + cfg_.latency_ps;
            // the next boundary strictly after: nothing crosses in zero time
            if (cfg_.microframe_ps) ready = (ready / cfg_.microframe_ps + 1) * cfg_.microframe_ps;
            ready = std::max(ready, last_ready_ps_);
            last_ready_ps_ = ready;
            if (i == 0) first = ready;
            bytes_.push_back({ready, p[i]});
        }
        pushed_ += n;
        return first;
    }
    // Takes up to `max` bytes that can be taken by `t_ps`.
    std::size_t take(uint64_t t_ps, std::vector<uint8_t>& out, std::size_t max = ~std::size_t(0)) {
        std::size_t n = 0;
        while (n < max && !bytes_.empty() && bytes_.front().ready_ps <= t_ps) {
            out.push_back(bytes_.front().byte);
            bytes_.pop_front();
            n++;
        }
        return n;
    }
    bool empty() const { return bytes_.empty(); }
    // When the next byte can be taken (0: nothing queued).
    uint64_t next_ready_ps() const { return bytes_.empty() ? 0 : bytes_.front().ready_ps; }
    uint64_t pushed() const { return pushed_; }

private:
    struct Slot {
        uint64_t ready_ps;
        uint8_t byte;
    };
    HostFifoConfig cfg_;
    std::deque<Slot> bytes_;
    uint64_t next_slot_ps_ = 0;
    uint64_t last_ready_ps_ = 0;
    uint64_t pushed_ = 0;
};

}  // namespace ftoe::sim
