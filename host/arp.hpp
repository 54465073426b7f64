// arp.hpp: the host's ARP cache (RFC 826, IPv4 over Ethernet) for the slow path.
//
//   - on_arp(): a request for one of our addresses is answered (the reply frame is
//     returned for RAW_TX); the sender of a request or reply aimed at one of our
//     addresses (target IP ours) is learned or refreshed. Nothing is learned from ARP
//     aimed at others (no RFC 826 "merge" of overheard traffic), from a sender IP of
//     0.0.0.0 (an RFC 5227 probe: answered, not learned), from a sender IP that is ours
//     (an address conflict: counted) or from a broadcast/multicast sender MAC.
//   - resolve(ip, now): the MAC when known, else "pending" with a broadcast request to
//     send when one is due (the first at once, then every retry_interval_ns), else
//     "failed" once `requests` requests went unanswered (failure comes one interval after
//     the last request). A failed destination answers "failed" for failed_hold_ns, then
//     a new resolve() starts over.
//   - send_or_queue(ip, frame, now): as resolve(), and the frame (an Ethernet frame whose
//     destination MAC bytes 0..5 are to be filled) is returned addressed when the MAC is
//     known, or queued (at most queue_limit frames per destination; beyond that the new
//     frame is dropped and counted) until the reply arrives: on_arp() then returns the
//     queued frames addressed, in order. When resolution fails, poll() reports the
//     destination with its queued frames as failed.
//   - poll(now): the timer work: requests due for pending destinations, destinations
//     whose resolution failed (with their dropped frames), removal of expired entries.
//     The Stack calls it from its event loop; next_deadline() says when it next has work.
//   - A learned entry lives entry_lifetime_ns from its last confirmation (a reply or
//     request aimed at us from it), then is removed; the next send to it resolves again.
//   - At most max_entries destinations are held; a new one evicts the resolved or failed
//     entry closest to its expiry, and when every entry is pending the new destination
//     fails at once (counted).
//
// Time is the caller's, a uint64 in ns (the Stack passes Link::now()), never decreasing;
// no clock is read here, there are no threads. Requests are sent from our first address.
// Cost: O(log n) per call plus O(n) for an eviction when full.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

#include "packet.hpp"

namespace ftoe::host {

struct ArpConfig {
    MacAddress our_mac{};
    std::vector<uint32_t> our_ips;               // at least one
    uint64_t entry_lifetime_ns = 60'000'000'000;  // learned entries
    uint32_t requests = 3;                        // requests before failure, >= 1
    uint64_t retry_interval_ns = 1'000'000'000;   // between requests, > 0
    uint64_t failed_hold_ns = 1'000'000'000;      // "failed" answered this long
    std::size_t queue_limit = 16;                 // frames waiting per destination
    std::size_t max_entries = 4096;               // destinations held, >= 1
};

enum class ArpStatus : uint8_t { kResolved, kPending, kFailed };
const char* arp_status_name(ArpStatus s);

struct ArpResolution {
    ArpStatus status = ArpStatus::kPending;
    MacAddress mac{};                 // kResolved
    std::optional<Bytes> request;     // kPending: a request to transmit now
    // send_or_queue(): the frame addressed, ready to send (kResolved), or whether it was
    // queued (kPending; false: the queue was full and the frame dropped).
    std::optional<Bytes> frame;
    bool queued = false;
    // kFailed: frames that waited for this destination, dropped because this call found
    // its resolution failed (otherwise poll() reports them).
    std::vector<Bytes> dropped;
};

// What on_arp() asks the caller to transmit.
struct ArpInput {
    std::optional<Bytes> reply;  // our answer to a request for our address
    std::vector<Bytes> ready;    // frames that waited for the sender's MAC, addressed
    bool learned = false;        // the sender was learned or refreshed
};

struct ArpFailure {
    uint32_t ip = 0;
    std::vector<Bytes> dropped;  // the frames that waited for it
};

struct ArpPoll {
    std::vector<Bytes> requests;         // ARP requests to transmit now
    std::vector<ArpFailure> failures;    // destinations whose resolution just failed
};

struct ArpCounters {
    uint64_t replies_sent = 0, requests_sent = 0;
    uint64_t learned = 0;           // entries created or refreshed from ARP aimed at us
    uint64_t ignored = 0;           // ARP not aimed at us, or not learnable
    uint64_t conflicts = 0;         // ARP from someone claiming one of our addresses
    uint64_t resolutions_failed = 0;
    uint64_t frames_queued = 0, frames_sent_after_resolve = 0;
    uint64_t queue_drops = 0;       // frames dropped: queue full
    uint64_t failed_frames = 0;     // frames dropped: resolution failed
    uint64_t expired = 0, evicted = 0;
    uint64_t table_full = 0;        // new destinations failed at once: all entries pending
};

class ArpCache {
public:
    // Throws std::invalid_argument on a config outside the ranges above.
    explicit ArpCache(ArpConfig config);

    ArpInput on_arp(const ArpMessage& m, uint64_t now_ns);
    ArpResolution resolve(uint32_t ip, uint64_t now_ns);
    ArpResolution send_or_queue(uint32_t ip, Bytes frame, uint64_t now_ns);
    ArpPoll poll(uint64_t now_ns);
    // When poll() next has work (the earliest request, failure, or expiry), if any.
    std::optional<uint64_t> next_deadline() const;

    // The entry's MAC if resolved (no side effects).
    std::optional<MacAddress> lookup(uint32_t ip) const;
    bool is_our_ip(uint32_t ip) const;
    std::size_t size() const { return entries_.size(); }
    const ArpCounters& counters() const { return counters_; }
    const ArpConfig& config() const { return config_; }

private:
    enum class State : uint8_t { kPending, kResolved, kFailed };
    struct Entry {
        State state = State::kPending;
        MacAddress mac{};
        uint64_t deadline = 0;   // pending: next request or failure; else expiry
        uint32_t requests_sent = 0;
        std::deque<Bytes> queue;
    };

    Entry* find(uint32_t ip);
    void set_deadline(uint32_t ip, Entry& e, uint64_t deadline);
    void erase(uint32_t ip);
    bool make_room();
    // Runs the entry's timer if due; the request and failure go to `out`. Returns false
    // if the entry was removed.
    bool run_timer(uint32_t ip, Entry& e, uint64_t now_ns, ArpPoll& out);
    // Creates a pending entry and its first request; nullptr when the table is full of
    // pending entries.
    Entry* start(uint32_t ip, uint64_t now_ns, ArpResolution& r);
    Bytes make_request(uint32_t ip);
    void fill_mac(Bytes& frame, const MacAddress& mac) const;

    ArpConfig config_;
    std::unordered_map<uint32_t, Entry> entries_;
    std::set<std::pair<uint64_t, uint32_t>> timers_;  // (deadline, ip) of every entry
    ArpCounters counters_;
};

}  // namespace ftoe::host
