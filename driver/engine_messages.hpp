// engine_messages.hpp: payloads of the engine's commands and events (the C++ side of
// "Payloads" in rtl/ftoe_pkg.sv): building SET_CONFIG and INSTALL/REMOVE payloads,
// the INSTALLED/REMOVED result codes, and decoding COUNTERS.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

#include "rx_reason.hpp"
#include "wire_format.hpp"

namespace ftoe::driver {

// arg of INSTALLED / REMOVED
enum class TableResult : uint16_t {
    kInserted = 0,
    kStashed = 1,   // installed, in the stash
    kExists = 2,
    kFull = 3,
    kRemoved = 4,
    kMissing = 5,
    kBadSession = 254,  // session id beyond the table
    kShortPayload = 255,
};
const char* table_result_name(TableResult r);

constexpr int kCountersRx = 32;    // by RxReason
constexpr int kCountersLink = 8;   // by LinkError code
constexpr std::size_t kCountersBytes = 8 * (kCountersRx + kCountersLink + 2) + 16;

struct EngineCounters {
    std::array<uint64_t, kCountersRx> rx{};
    std::array<uint64_t, kCountersLink> link{};
    uint64_t link_events_lost = 0;      // link-error records the engine could not queue
    uint64_t unsupported_commands = 0;  // commands this engine version does not execute
    uint32_t table_occupancy = 0, table_insert_failures = 0, table_stashed = 0, table_moves = 0;

    uint64_t rx_at(RxReason r) const { return rx[uint8_t(r)]; }
    uint64_t rx_total() const;
};

// nullopt when the payload is not kCountersBytes long.
std::optional<EngineCounters> decode_counters(const Bytes& payload);

// A connection's 4-tuple as the engine's table keys it (local = the engine's side).
struct FourTuple {
    uint32_t remote_ip = 0, local_ip = 0;
    uint16_t remote_port = 0, local_port = 0;
};
Bytes table_key_payload(const FourTuple& t);

// SET_CONFIG: MAC as 48 bits, first byte on the wire in bits 47:40.
Bytes set_config_payload(uint64_t mac, uint32_t ip);

}  // namespace ftoe::driver
