// eth_wire.hpp: one direction of a full-duplex Ethernet link in the system model, with
// seeded faults. Pure C++ (no SystemC): times are picoseconds of simulated time.
//
// Timing: a frame handed over at time t (the MAC has the whole frame: store-and-forward)
// starts when the wire is free, occupies it for preamble+SFD (8) + frame padded to 60 +
// FCS (4) + inter-frame gap (12) bytes at the line rate, and arrives `propagation` after
// its last bit (FCS) left: arrival = start + (8 + max(len,60) + 4) * byte_time + prop.
// Frames handed over faster than line rate queue behind each other (no drops: the
// sender's MAC would backpressure).
//
// Faults, drawn per frame from one seeded generator in hand-over order (so a seed fixes
// the whole run): loss (never arrives), duplication (a second copy right behind it),
// reordering (held back by reorder_delay, so later frames overtake it) and corruption
// (one bit flipped in a checksum-covered TCP field: sequence/ack numbers, window or
// payload, never in a header length, so the receiver's TCP checksum is what catches it).
// Only IPv4/TCP frames are corrupted; counters say what happened to how many frames.
#pragma once

#include <cstdint>
#include <map>
#include <random>
#include <utility>
#include <vector>

namespace ftoe::sim {

struct LinkFaults {
    double loss = 0;       // probability per frame
    double reorder = 0;
    double duplicate = 0;
    double corrupt = 0;
    uint64_t reorder_delay_ps = 2'000'000;  // 2 us: some 30 minimum frames overtake it
};

struct EthWireConfig {
    uint64_t byte_ps = 800;               // 10 Gb/s
    uint64_t propagation_ps = 100'000;    // 100 ns: some 20 m of fibre
    LinkFaults faults;
    uint64_t seed = 1;
};

struct EthWireCounters {
    uint64_t frames = 0;       // handed over
    uint64_t bytes = 0;        // frame bytes handed over (no preamble/FCS/IFG)
    uint64_t delivered = 0;    // taken by the receiver (duplicates included)
    uint64_t lost = 0;
    uint64_t duplicated = 0;
    uint64_t reordered = 0;
    uint64_t corrupted = 0;
};

class EthWire {
public:
    using Bytes = std::vector<uint8_t>;
    explicit EthWire(EthWireConfig c);

    // The sender's MAC hands over a whole frame at time `t_ps`. Returns its arrival time
    // (the first copy's; 0 when it is lost).
    uint64_t send(uint64_t t_ps, Bytes frame);
    // The next frame that has arrived by `t_ps`, in arrival order; false when none.
    bool receive(uint64_t t_ps, Bytes& out);
    // Arrival time of the next frame in flight, 0 when none.
    uint64_t next_arrival_ps() const { return in_flight_.empty() ? 0 : in_flight_.begin()->first.first; }
    bool idle() const { return in_flight_.empty(); }

    const EthWireCounters& counters() const { return counters_; }
    // Time on the wire of a frame of `len` bytes, inter-frame gap included.
    uint64_t slot_ps(std::size_t len) const;

private:
    bool draw(double p);
    void corrupt(Bytes& f);

    EthWireConfig cfg_;
    std::mt19937_64 rng_;
    uint64_t free_at_ps_ = 0;  // the wire is busy until then
    uint64_t order_ = 0;       // tie-break: frames arriving at the same time keep order
    std::map<std::pair<uint64_t, uint64_t>, Bytes> in_flight_;  // (arrival, order) -> frame
    EthWireCounters counters_;
};

}  // namespace ftoe::sim
