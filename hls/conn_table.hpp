// conn_table.hpp: the connection table's algorithm, bit-exact reference for
// rtl/conn_table/ (and the lookup kernel in HLS form).
//
// A 2-way bucketed cuckoo hash over the full 4-tuple: way w keeps SESSIONS/8 buckets of
// 4 slots, a key may live in bucket h_w(key) of either way, plus a small stash searched
// in parallel. A lookup reads one bucket per way: one lookup per cycle, fixed latency.
// Inserts and removes come only from the host. An insert that finds both buckets full
// searches a cuckoo path (a random walk of at most kMaxPath victims, choices from a
// 16-bit LFSR, no slot twice on one path) and then moves entries from the END of the path backwards, each move
// writing the new copy before freeing the old one, so a concurrent lookup never misses
// a key that is in the table. A path that runs out goes to the stash; a full stash is
// an insert failure, counted. With kConnMaxPath = 32 random keys fill 90% of SESSIONS
// with no failure and reach ~93% before failures pass 0.1% (tests/conn_table/).
#pragma once

#include <array>
#include <cstdint>
#include <vector>

namespace ftoe::kernel {

struct FourTuple {
    uint32_t local_ip = 0, remote_ip = 0;
    uint16_t local_port = 0, remote_port = 0;
    bool operator==(const FourTuple& o) const {
        return local_ip == o.local_ip && remote_ip == o.remote_ip && local_port == o.local_port &&
               remote_port == o.remote_port;
    }
};

constexpr int kConnWays = 2;
constexpr int kConnSlots = 4;
constexpr int kConnStash = 8;
constexpr int kConnMaxPath = 32;
// Per-way hashes: CRC of the key bytes with a different reflected polynomial per way
// (CRC-32C, CRC-32). Two seeds of ONE polynomial would not do: CRC is linear, so
// h1 would be h0 XOR a constant and every key sharing a way-0 bucket would share its
// way-1 bucket too, which defeats cuckoo hashing.
constexpr uint32_t kConnHashPoly[kConnWays] = {0x82F63B78u, 0xEDB88320u};

// The 12 key bytes in wire order: remote IP, local IP, remote port, local port.
inline std::array<uint8_t, 12> conn_key_bytes(const FourTuple& t) {
    return {uint8_t(t.remote_ip >> 24), uint8_t(t.remote_ip >> 16), uint8_t(t.remote_ip >> 8),
            uint8_t(t.remote_ip),       uint8_t(t.local_ip >> 24),  uint8_t(t.local_ip >> 16),
            uint8_t(t.local_ip >> 8),   uint8_t(t.local_ip),        uint8_t(t.remote_port >> 8),
            uint8_t(t.remote_port),     uint8_t(t.local_port >> 8), uint8_t(t.local_port)};
}

// Bucket index of `t` in way `way` for a table of 2^bucket_bits buckets per way.
inline uint32_t conn_hash(const FourTuple& t, int way, int bucket_bits) {
    uint32_t c = 0xFFFFFFFFu;
    for (uint8_t b : conn_key_bytes(t)) {
        c ^= b;
        for (int i = 0; i < 8; i++) c = (c & 1) ? (c >> 1) ^ kConnHashPoly[way] : c >> 1;
    }
    return c & ((1u << bucket_bits) - 1);
}

// 16-bit Fibonacci LFSR x^16 + x^14 + x^13 + x^11 + 1; the RTL steps the same one.
inline uint16_t conn_lfsr_next(uint16_t s) {
    const uint16_t bit = uint16_t(((s >> 0) ^ (s >> 2) ^ (s >> 3) ^ (s >> 5)) & 1u);
    return uint16_t((s >> 1) | (bit << 15));
}

struct ConnEntry {
    bool valid = false;
    FourTuple key;
    uint32_t session = 0;
};

struct ConnLookup {
    bool hit;
    uint32_t session;
};

enum class ConnInsertResult : uint8_t { kInserted, kStashed, kExists, kFull };

struct ConnCounters {
    uint64_t occupancy = 0, inserts = 0, insert_failures = 0, stashed = 0, moves = 0;
    uint64_t removes = 0, remove_misses = 0;
};

// The table as the host's commands shape it. Lookup is the kernel the RTL computes per
// frame; insert/remove are the RTL insert engine's algorithm, step for step.
class ConnTable {
public:
    explicit ConnTable(int sessions);

    ConnLookup lookup(const FourTuple& t) const;
    ConnInsertResult insert(const FourTuple& t, uint32_t session);
    bool remove(const FourTuple& t);

    const ConnCounters& counters() const { return counters_; }
    int bucket_bits() const { return bucket_bits_; }
    int capacity() const { return buckets_ * kConnWays * kConnSlots + kConnStash; }

private:
    ConnEntry& slot(int way, uint32_t bucket, int s) {
        return table_[std::size_t(way)][bucket * kConnSlots + uint32_t(s)];
    }
    const ConnEntry& slot(int way, uint32_t bucket, int s) const {
        return table_[std::size_t(way)][bucket * kConnSlots + uint32_t(s)];
    }
    int free_slot(int way, uint32_t bucket) const;

    int bucket_bits_;
    uint32_t buckets_;
    std::array<std::vector<ConnEntry>, kConnWays> table_;
    std::array<ConnEntry, kConnStash> stash_{};
    uint16_t lfsr_ = 0xACE1;
    ConnCounters counters_;
};

}  // namespace ftoe::kernel
