// time_wait_table.hpp: the host control plane's TIME_WAIT table. When a connection the
// host closed actively reaches TIME-WAIT, the host removes it from the engine (freeing
// the hardware session at once) and keeps only what TIME-WAIT needs here: the 4-tuple,
// SND.NXT, RCV.NXT, TS.Recent and the expiry, in a 32-byte entry (Linux's
// tcp_timewait_sock is 168 bytes). Segments for the tuple then miss in hardware, reach the
// host, and on_segment() says what RFC 9293 §3.10.7.4 has TIME-WAIT do with them:
//   - a retransmitted FIN is ACKed again and the 2MSL timer restarted;
//   - a new SYN is accepted when RFC 6191 (newer timestamp) or RFC 9293 MAY-2 (higher
//     sequence number) says it belongs to a new incarnation, otherwise answered with an
//     ACK;
//   - a RST is ignored when the RFC 1337 switch is on (default), else it closes the entry;
//   - other segments are ACKed (unacceptable ones) or dropped.
//
// Time and randomness come from the caller: every call that can move time takes `now_us`
// (microseconds, any epoch, never decreasing), and the hash seed is a config value drawn
// from the caller's seeded source. Nothing here reads a clock or global state.
//
// Cost: insert, lookup, on_segment and erase are O(1) expected; expire() is O(1) per
// expired entry. Not thread-safe: one owner (the Stack's event loop) calls it. Every call taking now_us first removes the entries whose time has come,
// so the table never answers for an expired tuple (contains()/find() answer as of the
// last now_us seen).
//
// Layout (all memory is allocated at construction; capacity is fixed):
//   - a slab of 32-byte entries indexed by 24-bit numbers (capacity <= 2^24 - 1, so
//     10,000,000 entries fit);
//   - an open-addressing index (linear probing, backward-shift deletion) of 32-bit words
//     = 24-bit entry number | 8 hash-tag bits, sized to a power of two >= 4/3 capacity, so
//     the load stays <= 3/4 and a probe compares a full tuple only on a tag match;
//   - one doubly linked list through the entries (24-bit prev/next) ordered by expiry.
//     Every entry's expiry is (time of its last insert or restart) + 2MSL with one 2MSL
//     for the whole table, and time never goes back, so appending at the tail on insert
//     and moving to the tail on restart keep the list sorted by expiry exactly: the head
//     is always the next entry to expire and the oldest one to evict. That is a timer
//     wheel with one slot per distinct expiry, and no tick granularity to round to.
//   - the expiry is kept as its low 32 bits: every live entry expires within
//     (last now, last now + 2MSL], so with 2MSL < 2^32 us (71 min) the full value is
//     recovered exactly from the last now.
//   - local addresses are interned: an entry stores a 15-bit id of its local IP (a host
//     has a handful), reference-counted and recycled; at most kMaxLocalAddresses distinct
//     local addresses can be in TIME_WAIT at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "four_tuple.hpp"

namespace ftoe::host {

namespace tcp_flag {
constexpr uint8_t kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08, kAck = 0x10;
}

// a < b, a > b in sequence (and timestamp) space, modulo 2^32 (RFC 9293 §3.4). Values
// exactly 2^31 apart are ambiguous (RFC 1982): seq_gt says "not greater" for them, so a
// SYN or timestamp that far away never earns acceptance.
constexpr bool seq_lt(uint32_t a, uint32_t b) { return int32_t(a - b) < 0; }
constexpr bool seq_gt(uint32_t a, uint32_t b) { return int32_t(a - b) > 0; }

// What to do when an insert finds the table full.
enum class OverflowPolicy : uint8_t {
    kEvictOldest,    // remove the entry closest to expiry to make room (default)
    kSkipTimeWait,   // keep the table; the caller closes the new connection at once
};

struct TimeWaitConfig {
    uint32_t capacity = 262144;        // entries; 1 .. TimeWaitTable::kMaxCapacity
    uint64_t two_msl_us = 60'000'000;  // 2MSL: 60 s as Linux; 1 .. kMaxTwoMslUs
    bool rfc1337 = true;               // ignore RST in TIME-WAIT (RFC 1337 TWA fix)
    OverflowPolicy overflow = OverflowPolicy::kEvictOldest;
    uint64_t hash_seed = 0;            // from the caller's seeded random source
};

// What TIME-WAIT remembers of the connection.
struct TimeWaitState {
    uint32_t snd_nxt = 0;     // our next sequence number (after our FIN)
    uint32_t rcv_nxt = 0;     // next expected from the peer (after its FIN)
    bool ts_enabled = false;  // timestamps were negotiated (RFC 7323)
    uint32_t ts_recent = 0;   // TS.Recent: the peer's last timestamp
};

struct TimeWaitEntry {
    TimeWaitState state;
    uint64_t expiry_us = 0;   // the entry is removed when now_us reaches this
};

enum class InsertResult : uint8_t {
    kInserted,
    kEvictedOldest,       // table full: the oldest entry was removed to make room
    kSkipped,             // table full, kSkipTimeWait: not inserted
    kUpdated,             // the tuple was already here: state replaced, timer restarted
    kTooManyLocalAddresses,  // kMaxLocalAddresses distinct local IPs in use: not inserted
};
const char* insert_result_name(InsertResult r);

// The part of an arriving segment TIME-WAIT looks at.
struct TimeWaitSegment {
    uint32_t seq = 0, ack = 0;
    uint8_t flags = tcp_flag::kAck;  // tcp_flag bits
    uint32_t payload_len = 0;        // data bytes (SYN and FIN not counted)
    bool has_ts = false;             // carries a Timestamps option
    uint32_t tsval = 0;
};

enum class TimeWaitAction : uint8_t {
    kNone,              // the tuple is not in TIME_WAIT: not for this table
    kSendAck,           // send <SEQ=seq><ACK=ack><CTL=ACK> and drop the segment
    kAcceptSyn,         // new incarnation: entry removed, handle the SYN as for LISTEN
    kRejectSynSendAck,  // SYN of no new incarnation: send the ACK, keep TIME-WAIT
    kIgnoreRst,         // RST ignored (RFC 1337)
    kRstCloses,         // RST accepted (RFC 1337 off): entry removed
    kDrop,              // drop silently (timer_restarted says whether it restarted)
};
const char* time_wait_action_name(TimeWaitAction a);

struct TimeWaitReply {
    TimeWaitAction action = TimeWaitAction::kNone;
    bool timer_restarted = false;
    // The ACK for kSendAck / kRejectSynSendAck: SEQ = SND.NXT, ACK = RCV.NXT, and when
    // has_ts a Timestamps option echoing tsecr (= TS.Recent).
    uint32_t seq = 0, ack = 0;
    bool has_ts = false;
    uint32_t tsecr = 0;
    // kAcceptSyn, kRstCloses: the removed entry. On kAcceptSyn the caller picks an ISN
    // after prior.snd_nxt (MAY-2 (1)), and if the SYN turns out to be an old duplicate
    // it may insert() the prior state again (MAY-2 (2)).
    TimeWaitState prior;
};

struct TimeWaitCounters {
    uint64_t entries = 0;        // in the table now
    uint64_t inserts = 0;        // entries added (kInserted, kEvictedOldest)
    uint64_t updates = 0;        // kUpdated
    uint64_t overflows = 0;      // inserts that found the table full (either policy)
    uint64_t evictions = 0;      // entries removed by kEvictOldest
    uint64_t skipped = 0;        // inserts refused by kSkipTimeWait
    uint64_t local_address_refusals = 0;  // kTooManyLocalAddresses
    uint64_t reuses = 0;         // SYNs accepted (RFC 6191 / MAY-2): entry removed
    uint64_t syns_rejected = 0;  // kRejectSynSendAck
    uint64_t rsts_ignored = 0;   // RFC 1337
    uint64_t rsts_closed = 0;    // kRstCloses
    uint64_t fin_reacks = 0;     // retransmitted FINs ACKed again (timer restarted)
    uint64_t acks_sent = 0;      // other kSendAck replies (unacceptable, PAWS)
    uint64_t restarts = 0;       // timer restarts (FIN re-ACKs and acceptable ACKs)
    uint64_t dropped = 0;        // kDrop replies
    uint64_t expired = 0;        // entries removed at 2MSL
    uint64_t erased = 0;         // entries removed by erase()
};

class TimeWaitTable {
public:
    static constexpr uint32_t kMaxCapacity = (1u << 24) - 1;
    static constexpr uint64_t kMaxTwoMslUs = 0xFFFFFFFFull;
    static constexpr uint32_t kMaxLocalAddresses = (1u << 15) - 1;
    static constexpr std::size_t kEntryBytes = 32;  // sizeof one entry

    // Throws std::invalid_argument on a capacity or 2MSL out of range.
    explicit TimeWaitTable(const TimeWaitConfig& config);

    // The connection of `tuple` enters TIME-WAIT at now_us (expiry now_us + 2MSL).
    InsertResult insert(const FourTuple& tuple, const TimeWaitState& state, uint64_t now_us);
    // What TIME-WAIT does with a segment that arrived for `tuple` at now_us.
    TimeWaitReply on_segment(const FourTuple& tuple, const TimeWaitSegment& seg,
                             uint64_t now_us);
    // Removes the tuple's entry (true if there was one).
    bool erase(const FourTuple& tuple);
    bool contains(const FourTuple& tuple) const;
    std::optional<TimeWaitEntry> find(const FourTuple& tuple) const;
    // Removes every entry whose expiry <= now_us; returns how many.
    std::size_t expire(uint64_t now_us);
    // When the next entry expires (call expire() then), if any.
    std::optional<uint64_t> next_expiry_us() const;

    std::size_t size() const { return size_; }
    std::size_t capacity() const { return config_.capacity; }
    const TimeWaitConfig& config() const { return config_; }
    const TimeWaitCounters& counters() const { return counters_; }
    // Bytes held by the table (slab, index, local-address intern table).
    std::size_t memory_bytes() const;

private:
    // 32 bytes; the links word packs [23:0] prev, [47:24] next, [62:48] local-address
    // id, [63] ts_enabled.
    struct Entry {
        uint32_t remote_ip;
        uint16_t remote_port;
        uint16_t local_port;
        uint32_t snd_nxt;
        uint32_t rcv_nxt;
        uint32_t ts_recent;
        uint32_t expiry;  // low 32 bits of the expiry in us
        uint64_t links;
    };
    static_assert(sizeof(Entry) == kEntryBytes, "a TIME_WAIT entry must stay 32 bytes");

    static constexpr uint32_t kNil = 0xFFFFFF;         // no entry (24 bits)
    static constexpr uint32_t kEmptySlot = 0xFFFFFFFF;  // index slot holding nothing

    // Entry fields.
    static uint32_t prev_of(const Entry& e) { return uint32_t(e.links & kNil); }
    static uint32_t next_of(const Entry& e) { return uint32_t((e.links >> 24) & kNil); }
    static uint16_t local_id_of(const Entry& e) { return uint16_t((e.links >> 48) & 0x7FFF); }
    static bool ts_of(const Entry& e) { return (e.links >> 63) != 0; }
    static void set_prev(Entry& e, uint32_t i) { e.links = (e.links & ~uint64_t(kNil)) | i; }
    static void set_next(Entry& e, uint32_t i) {
        e.links = (e.links & ~(uint64_t(kNil) << 24)) | (uint64_t(i) << 24);
    }
    TimeWaitState state_of(const Entry& e) const;
    FourTuple tuple_of(const Entry& e) const;
    uint64_t expiry_of(const Entry& e) const;

    // Time: drop every entry due at now_us (throws if time went back).
    void advance(uint64_t now_us);
    // Index.
    uint32_t find_index(const FourTuple& tuple) const;  // entry number or kNil
    uint32_t home_slot(uint64_t hash) const { return uint32_t(hash) & index_mask_; }
    static uint32_t tag_of(uint64_t hash) { return uint32_t(hash >> 56) << 24; }
    void index_add(uint32_t entry, uint64_t hash);
    void index_remove(uint32_t entry);
    // Expiry list.
    void list_append(uint32_t entry);
    void list_unlink(uint32_t entry);
    void restart(uint32_t entry);
    // Entries.
    void remove_entry(uint32_t entry);  // from index, list and slab
    // Local-address intern table.
    std::optional<uint16_t> local_id(uint32_t local_ip) const;
    std::optional<uint16_t> local_acquire(uint32_t local_ip);
    void local_release(uint16_t id);

    TimeWaitReply on_syn(uint32_t entry, const TimeWaitSegment& seg);
    TimeWaitReply ack_reply(const Entry& e, TimeWaitAction action) const;

    TimeWaitConfig config_;
    TimeWaitCounters counters_;
    std::unique_ptr<Entry[]> slab_;
    uint32_t slab_used_ = 0;      // entries [0, slab_used_) have been handed out once
    uint32_t free_head_ = kNil;   // recycled entries, linked through next
    std::unique_ptr<uint32_t[]> index_;
    uint32_t index_mask_ = 0;
    uint32_t head_ = kNil, tail_ = kNil;  // expiry list: head expires first
    std::size_t size_ = 0;
    uint64_t now_us_ = 0;         // latest time seen
    // local_ips_[id], refs_[id]; free_ids_ are recycled ids.
    std::vector<uint32_t> local_ips_, local_refs_;
    std::vector<uint16_t> free_ids_;
    std::unordered_map<uint32_t, uint16_t> local_map_;  // searched when ids > kScanIds
    static constexpr std::size_t kScanIds = 8;  // up to this many: scan local_ips_
};

}  // namespace ftoe::host
