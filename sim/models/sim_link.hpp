// sim_link.hpp: SimLink, the driver's Link to a Verilated engine in the same process.
// The engine's host-link byte streams are a driver::ByteTransport, and a driver::ByteLink
// on top does the framing, so a host runs exactly the framing code it runs over USB.
//
// Time is simulated: now() is the engine's cycle count times its clock period, and a
// read that waits steps the simulation (not the wall clock) until event bytes arrive or
// the wait is over. What "a step" is belongs to the caller: one engine alone, or a whole
// world of engines and wires advanced together, so that two hosts polling their own
// links still see one consistent simulated time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <utility>

#include "byte_link.hpp"
#include "engine_sim.hpp"

namespace ftoe::sim {

// The host-link byte streams of one EngineSim (built with deframe_events = false).
template <class Engine>
class EngineTransport final : public driver::ByteTransport {
public:
    // `step` advances the simulation by one engine cycle (by default: this engine alone).
    EngineTransport(Engine& engine, uint64_t clock_hz, std::function<void()> step = {})
        : engine_(engine), clock_hz_(clock_hz),
          step_(step ? std::move(step) : std::function<void()>([this] { engine_.step(); })) {}

    driver::Status write(const uint8_t* p, std::size_t n) override {
        engine_.send_host_bytes(driver::Bytes(p, p + n));
        return driver::Ok{};
    }

    driver::Status read(driver::Bytes& out, driver::Duration wait_at_most) override {
        const driver::Duration until = now() + wait_at_most;
        while (engine_.host_out.empty() && now() < until) step_();
        out.insert(out.end(), engine_.host_out.begin(), engine_.host_out.end());
        engine_.host_out.clear();
        return driver::Ok{};
    }

    // cycles / clock, in whole nanoseconds (exact at 156.25 MHz: 6.4 ns per cycle)
    driver::Duration now() const override {
        const uint64_t c = engine_.cycle();
        return driver::Duration(int64_t((c / clock_hz_) * 1'000'000'000u +
                                        (c % clock_hz_) * 1'000'000'000u / clock_hz_));
    }

private:
    Engine& engine_;
    uint64_t clock_hz_;
    std::function<void()> step_;
};

// A Link to `engine` (which must outlive it) clocked at `clock_hz`.
template <class Engine>
std::unique_ptr<driver::ByteLink> make_sim_link(Engine& engine, uint64_t clock_hz,
                                                std::function<void()> step = {}) {
    return std::make_unique<driver::ByteLink>(
        std::make_unique<EngineTransport<Engine>>(engine, clock_hz, std::move(step)));
}

}  // namespace ftoe::sim
