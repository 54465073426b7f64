// engine_host_ops.hpp: what a host does to an EngineSim, one call each: configure the
// engine, wait for its next event, read its counters, install or remove a session. The
// tests and ftoe-bench share them. A failure (no answer, a link error, a wrong answer)
// throws std::runtime_error saying what happened; a GoogleTest test that lets it escape
// fails with that message.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <variant>

#include "engine_messages.hpp"
#include "engine_sim.hpp"

namespace ftoe::sim {

// Counter banks clear themselves for 32 cycles after reset (stat_counters).
constexpr uint64_t kEngineCounterClearCycles = 40;

// The next event from the engine's host link, within `max_cycles`.
template <class E>
driver::Message next_engine_message(E& e, uint64_t max_cycles = 10000000) {
    if (!e.run_until([&] { return !e.events.empty(); }, max_cycles))
        throw std::runtime_error("the engine sent no event within " + std::to_string(max_cycles) +
                                 " cycles");
    auto ev = std::move(e.events.front());
    e.events.pop_front();
    if (const auto* err = std::get_if<driver::DeframeError>(&ev))
        throw std::runtime_error("link error on the engine's event stream: " + err->detail);
    return std::get<driver::Message>(ev);
}

// SET_CONFIG with our addresses (and the transmit timers, when given), after the
// counter banks have cleared.
template <class E>
void configure_engine(E& e, uint64_t mac, uint32_t ip,
                      const std::optional<driver::EngineTimers>& timers = std::nullopt) {
    e.run(kEngineCounterClearCycles);
    e.send_command(driver::Kind::kSetConfig, driver::kNoSession, 0,
                   timers ? driver::set_config_payload(mac, ip, *timers)
                          : driver::set_config_payload(mac, ip));
    if (!e.run_until([&] { return e.inputs_drained(); }, 100000))
        throw std::runtime_error("SET_CONFIG was not taken within 100k cycles");
    e.run(4);
}

template <class E>
driver::EngineCounters read_engine_counters(E& e) {
    e.send_command(driver::Kind::kReadCounters, driver::kNoSession, 0);
    const auto m = next_engine_message(e);
    const auto c = driver::decode_counters(m.payload);
    if (m.kind != driver::Kind::kCounters || !c)
        throw std::runtime_error("READ_COUNTERS not answered by a well-formed COUNTERS");
    return *c;
}

// INSTALL (with `state`) or REMOVE of session `sid`; the table's answer.
template <class E>
driver::TableResult engine_table_command(E& e, driver::Kind kind, uint32_t sid,
                                         const driver::FourTuple& t,
                                         const driver::SessionState& state = {}) {
    const bool install = kind == driver::Kind::kInstall;
    e.send_command(kind, sid, 0,
                   install ? driver::install_payload(t, state) : driver::table_key_payload(t));
    const auto m = next_engine_message(e);
    if (m.kind != (install ? driver::Kind::kInstalled : driver::Kind::kRemoved) || m.session != sid)
        throw std::runtime_error(std::string(install ? "INSTALL" : "REMOVE") +
                                 " of session " + std::to_string(sid) +
                                 " not answered by its result event");
    return driver::TableResult(m.arg);
}

}  // namespace ftoe::sim
