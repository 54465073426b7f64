// ftoe-bench host: the control plane's costs on one core. Today: the TIME_WAIT table at
// scale (--entries, default 10,000,000 as the issue asks): bytes per entry (the entry
// itself and with the lookup index, beside Linux's 168-byte tcp_timewait_sock), and
// the rates of insert, lookup (hits in random order and misses), FIN re-ACK with timer
// restart, and expiry. The whole connection lifecycle (open, install, data, close,
// TIME_WAIT, expiry) needs the Stack, which does not exist yet: reported as null.
#include <chrono>
#include <cstdio>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "time_wait_table.hpp"

namespace ftoe::bench {
namespace {

using host::FourTuple;

constexpr std::size_t kLinuxTimeWaitBytes = 168;  // sizeof(struct tcp_timewait_sock), x86-64

// Distinct tuples: 64 local addresses, remote addresses and ports from a counter.
FourTuple tuple_of(uint64_t i) {
    FourTuple t;
    t.local_ip = 0x0a000000u + uint32_t(i % 64);
    t.remote_ip = 0xc0000000u + uint32_t(i / 64 / 40000);
    t.local_port = 443;
    t.remote_port = uint16_t(20000 + (i / 64) % 40000);
    return t;
}

struct TwFigures {
    double insert_per_s, hit_per_s, miss_per_s, reack_per_s, expire_per_s;
    double bytes_per_entry_total;
    uint64_t entries;
};

TwFigures time_wait_figures(uint64_t n) {
    host::TimeWaitConfig cfg;
    cfg.capacity = uint32_t(n);
    cfg.two_msl_us = 60'000'000;
    cfg.hash_seed = 0x5eed;
    host::TimeWaitTable tw(cfg);
    TwFigures f{};
    f.entries = n;
    // all inserted within one simulated second, so nothing expires until we say so
    uint64_t now = 1;
    auto t0 = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < n; i++) {
        host::TimeWaitState s;
        s.snd_nxt = uint32_t(i * 7);
        s.rcv_nxt = uint32_t(i * 13);
        if (tw.insert(tuple_of(i), s, now) != host::InsertResult::kInserted)
            throw std::runtime_error("TIME_WAIT insert failed below capacity");
        if ((i & 1023) == 1023) now++;
    }
    f.insert_per_s = double(n) / seconds_since(t0);
    if (tw.size() != n) throw std::runtime_error("TIME_WAIT table lost entries");
    f.bytes_per_entry_total = double(tw.memory_bytes()) / double(n);

    std::mt19937_64 rng(1);
    std::vector<uint64_t> order(std::min<uint64_t>(n, 2'000'000));
    for (auto& o : order) o = rng() % n;
    t0 = std::chrono::steady_clock::now();
    uint64_t found = 0;
    for (uint64_t i : order) found += tw.contains(tuple_of(i));
    f.hit_per_s = double(order.size()) / seconds_since(t0);
    if (found != order.size()) throw std::runtime_error("TIME_WAIT lookup missed an entry");
    t0 = std::chrono::steady_clock::now();
    for (uint64_t k = 0; k < order.size(); k++) found += tw.contains(tuple_of(n + k));
    f.miss_per_s = double(order.size()) / seconds_since(t0);
    if (found != order.size()) throw std::runtime_error("TIME_WAIT lookup found a tuple never inserted");

    // the peer's FIN retransmitted: re-ACKed, timer restarted
    const uint64_t reacks = std::min<uint64_t>(n, 1'000'000);
    t0 = std::chrono::steady_clock::now();
    for (uint64_t k = 0; k < reacks; k++) {
        const uint64_t i = order[k % order.size()];
        host::TimeWaitSegment seg;
        seg.seq = uint32_t(i * 13) - 1;  // the FIN's sequence number: RCV.NXT - 1
        seg.ack = uint32_t(i * 7);
        seg.flags = uint8_t(host::tcp_flag::kAck | host::tcp_flag::kFin);
        const auto r = tw.on_segment(tuple_of(i), seg, now);
        if (r.action != host::TimeWaitAction::kSendAck)
            throw std::runtime_error(std::string("retransmitted FIN not re-ACKed: ") +
                                     host::time_wait_action_name(r.action));
    }
    f.reack_per_s = double(reacks) / seconds_since(t0);

    t0 = std::chrono::steady_clock::now();
    const std::size_t expired = tw.expire(now + cfg.two_msl_us + 1);
    f.expire_per_s = double(expired) / seconds_since(t0);
    if (expired != n || tw.size() != 0) throw std::runtime_error("not every entry expired");
    return f;
}

}  // namespace

int run_host(const std::vector<std::string>& args) {
    const Options opt(args, {"json", "help"}, {"entries"});
    if (opt.flag("help")) {
        std::printf("usage: ftoe-bench host [--entries N] [--json]\n"
                    "  Control-plane costs on one core: the TIME_WAIT table filled with N\n"
                    "  entries (default 10000000): bytes per entry, insert, lookup, FIN re-ACK\n"
                    "  and expiry rates. Connection lifecycles need the Stack (not built yet).\n");
        return 0;
    }
    const uint64_t n = opt.get_uint("entries", 10'000'000, 1000, host::TimeWaitTable::kMaxCapacity);
    const bool json = opt.flag("json");
    const TwFigures f = time_wait_figures(n);
    if (json) {
        Json j;
        j.null("lifecycles_per_s");
        Json why;
        why.str("lifecycles_per_s", "the host Stack (handshakes, teardown) is not built yet");
        j.obj("not_measured", why);
        j.num("tw_entries", f.entries);
        j.num("tw_bytes_per_entry", uint64_t(host::TimeWaitTable::kEntryBytes));
        j.num("tw_bytes_per_entry_with_index", f.bytes_per_entry_total);
        j.num("linux_tcp_timewait_sock_bytes", uint64_t(kLinuxTimeWaitBytes));
        j.num("tw_inserts_per_s", f.insert_per_s);
        j.num("tw_lookups_per_s", f.hit_per_s);
        j.num("tw_misses_per_s", f.miss_per_s);
        j.num("tw_fin_reacks_per_s", f.reack_per_s);
        j.num("tw_expiries_per_s", f.expire_per_s);
        std::printf("%s\n", j.dump().c_str());
        return 0;
    }
    std::printf("TIME_WAIT table, %llu entries, one core\n",
                (unsigned long long)f.entries);
    std::printf("  bytes per entry        %zu (%.1f with the lookup index); Linux: %zu\n",
                host::TimeWaitTable::kEntryBytes, f.bytes_per_entry_total, kLinuxTimeWaitBytes);
    std::printf("  insert                 %s/s\n", si(f.insert_per_s).c_str());
    std::printf("  lookup, hit (random)   %s/s\n", si(f.hit_per_s).c_str());
    std::printf("  lookup, miss           %s/s\n", si(f.miss_per_s).c_str());
    std::printf("  FIN re-ACK + restart   %s/s\n", si(f.reack_per_s).c_str());
    std::printf("  expiry                 %s/s\n", si(f.expire_per_s).c_str());
    std::printf("connection lifecycles    not yet: the host Stack is not built\n");
    return 0;
}

}  // namespace ftoe::bench
