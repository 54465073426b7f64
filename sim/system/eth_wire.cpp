#include "eth_wire.hpp"

#include <algorithm>

namespace ftoe::sim {
namespace {
constexpr std::size_t kPreamble = 8, kFcs = 4, kIfg = 12, kMinFrame = 60;
}

EthWire::EthWire(EthWireConfig c) : cfg_(c), rng_(c.seed) {}

uint64_t EthWire::slot_ps(std::size_t len) const {
    return uint64_t(kPreamble + std::max(len, kMinFrame) + kFcs + kIfg) * cfg_.byte_ps;
}

bool EthWire::draw(double p) {
    // Every frame draws the same number of values whatever the probabilities, so that a
    // change of one fault rate does not reshuffle the others.
    const double u = std::uniform_real_distribution<double>(0.0, 1.0)(rng_);
    return u < p;
}

void EthWire::corrupt(Bytes& f) {
    // Ethernet (14) + IPv4 without options (20) + TCP: seq/ack at 38..45, window 48..49,
    // payload from 54 (with no options; with options this lands in them, still covered).
    std::vector<std::size_t> at;
    for (std::size_t i = 38; i < 46; i++) at.push_back(i);
    at.push_back(48);
    at.push_back(49);
    const std::size_t pick = std::size_t(rng_() % (at.size() + (f.size() > 54 ? f.size() - 54 : 0)));
    const std::size_t i = pick < at.size() ? at[pick] : 54 + (pick - at.size());
    f[i] ^= uint8_t(1u << (rng_() % 8));
}

uint64_t EthWire::send(uint64_t t_ps, Bytes frame) {
    counters_.frames++;
    counters_.bytes += frame.size();
    const bool lose = draw(cfg_.faults.loss);
    const bool dup = draw(cfg_.faults.duplicate);
    const bool hold = draw(cfg_.faults.reorder);
    const bool flip = draw(cfg_.faults.corrupt);
    const uint64_t start = std::max(t_ps, free_at_ps_);
    free_at_ps_ = start + slot_ps(frame.size());
    const uint64_t on_wire =
        uint64_t(kPreamble + std::max(frame.size(), kMinFrame) + kFcs) * cfg_.byte_ps;
    uint64_t arrival = start + on_wire + cfg_.propagation_ps;
    if (lose) {
        counters_.lost++;
        return 0;
    }
    const bool tcp = frame.size() >= 54 && frame[12] == 0x08 && frame[13] == 0x00 &&
                     (frame[14] >> 4) == 4 && frame[23] == 6;
    Bytes copy = dup ? frame : Bytes{};  // the duplicate is of the frame as sent
    if (flip && tcp) {
        corrupt(frame);
        counters_.corrupted++;
    }
    if (hold) {
        arrival += cfg_.faults.reorder_delay_ps;
        counters_.reordered++;
    }
    if (dup) {
        counters_.duplicated++;
        const uint64_t second = std::max(arrival, free_at_ps_ + on_wire + cfg_.propagation_ps);
        free_at_ps_ += slot_ps(frame.size());
        in_flight_.emplace(std::make_pair(arrival, order_++), std::move(frame));
        in_flight_.emplace(std::make_pair(second, order_++), std::move(copy));
        return arrival;
    }
    in_flight_.emplace(std::make_pair(arrival, order_++), std::move(frame));
    return arrival;
}

bool EthWire::receive(uint64_t t_ps, Bytes& out) {
    if (in_flight_.empty() || in_flight_.begin()->first.first > t_ps) return false;
    out = std::move(in_flight_.begin()->second);
    in_flight_.erase(in_flight_.begin());
    counters_.delivered++;
    return true;
}

}  // namespace ftoe::sim
