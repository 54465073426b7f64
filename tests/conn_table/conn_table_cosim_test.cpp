// Cosim of rtl/conn_table/conn_table.sv (SESSIONS = 4096 and 65536) against the reference
// algorithm hls/conn_table.*: every host command gets the same result code (the RTL
// walks the same cuckoo paths), the counters agree, and a lookup issued every cycle,
// also while cuckoo moves are under way, answers exactly as the reference table does,
// exactly 2 cycles later.
#include <gtest/gtest.h>

#include <deque>
#include <memory>
#include <random>
#include <string>
#include <type_traits>
#include <vector>

#include "Vconn_table_4096.h"
#include "Vconn_table_65536.h"
#include "conn_table.hpp"
#include "clocked_model.hpp"

namespace ftoe::kernel {
namespace {

constexpr int kLookupLatency = 2;  // conn_table.sv header contract

template <typename Model>
void set_key(Model& m, bool cmd, const FourTuple& t) {
    auto& k = cmd ? m.s_cmd_key : m.s_lookup_key;
    k[0] = uint32_t(t.remote_port) << 16 | t.local_port;
    k[1] = t.local_ip;
    k[2] = t.remote_ip;
}

enum ResCode : uint8_t { kInserted = 0, kStashed = 1, kExists = 2, kFull = 3, kRemoved = 4, kMissing = 5 };

uint8_t expected_code(ConnInsertResult r) {
    switch (r) {
        case ConnInsertResult::kInserted: return kInserted;
        case ConnInsertResult::kStashed: return kStashed;
        case ConnInsertResult::kExists: return kExists;
        case ConnInsertResult::kFull: return kFull;
    }
    return 0xff;
}

template <typename Model>
using ConnTableSim = sim::ClockedModel<Model>;

FourTuple random_tuple(std::mt19937_64& rng) {
    return {uint32_t(rng()), uint32_t(rng()), uint16_t(rng()), uint16_t(rng())};
}

struct Op {
    bool remove;
    FourTuple key;
    uint32_t sid;
};

// Runs `ops` through the RTL with a lookup every cycle; returns the reference table.
template <typename Model>
void run(int sessions, const std::vector<Op>& ops, std::mt19937_64& rng, ConnTable& ref,
         std::vector<FourTuple>& live, uint64_t& cycles, uint64_t& lookups_checked) {
    ConnTableSim<Model> sim;
    auto& io = sim.io();
    struct PendingLookup {
        uint64_t due;
        FourTuple key;
        ConnLookup want;
        bool check;
    };
    std::deque<PendingLookup> lookups;
    std::size_t next = 0;
    bool busy = false;
    FourTuple in_flight{};
    uint64_t settle_until = 0;  // lookups of the in-flight key are not checked until then
    const Op* cur = nullptr;
    while (next < ops.size() || busy || !lookups.empty()) {
        // A command whenever the engine is free; a lookup (live key or random) most cycles.
        io.s_cmd_valid = !busy && next < ops.size();
        if (io.s_cmd_valid) {
            cur = &ops[next];
            io.s_cmd_remove = cur->remove;
            io.s_cmd_sid = static_cast<std::remove_reference_t<decltype(io.s_cmd_sid)>>(cur->sid);
            set_key(io, true, cur->key);
        }
        const bool do_lookup = next < ops.size() && rng() % 8 != 0;
        FourTuple lk = (!live.empty() && rng() % 4 != 0) ? live[rng() % live.size()] : random_tuple(rng);
        if (rng() % 16 == 0 && busy) lk = in_flight;  // race the key being changed
        io.s_lookup_valid = do_lookup;
        set_key(io, false, lk);
        sim.settle();

        if (io.m_lookup_valid) {
            ASSERT_FALSE(lookups.empty()) << "m_lookup_valid with no lookup pending";
            const PendingLookup p = lookups.front();
            lookups.pop_front();
            ASSERT_EQ(p.due, sim.cycle()) << "lookup latency";
            if (p.check) {
                ASSERT_EQ(bool(io.m_lookup_hit), p.want.hit) << "cycle " << sim.cycle();
                if (p.want.hit) {
                    ASSERT_EQ(uint32_t(io.m_lookup_sid), p.want.session);
                }
            }
        } else {
            ASSERT_TRUE(lookups.empty() || lookups.front().due > sim.cycle())
                << "lookup result missing at cycle " << sim.cycle();
        }
        if (io.m_res_valid) {
            ASSERT_TRUE(busy);
            uint8_t want;
            if (cur->remove) {
                want = ref.remove(cur->key) ? kRemoved : kMissing;
                for (std::size_t i = 0; i < live.size(); i++)
                    if (live[i] == cur->key) {
                        live[i] = live.back();
                        live.pop_back();
                        break;
                    }
            } else {
                const auto r = ref.insert(cur->key, cur->sid);
                want = expected_code(r);
                if (r == ConnInsertResult::kInserted || r == ConnInsertResult::kStashed)
                    live.push_back(cur->key);
            }
            ASSERT_EQ(int(io.m_res_code), int(want))
                << "command #" << (next - 1) << (cur->remove ? " (remove)" : " (insert)");
            busy = false;
            settle_until = sim.cycle() + kLookupLatency + 1;
        }
        if (do_lookup) {
            const bool racing = (busy || sim.cycle() < settle_until) && lk == in_flight;
            lookups.push_back({sim.cycle() + kLookupLatency, lk, ref.lookup(lk), !racing});
        }
        if (io.s_cmd_valid && io.s_cmd_ready) {
            busy = true;
            in_flight = cur->key;
            ++next;
        }
        sim.tick();
        lookups_checked += do_lookup;
        if (sim.cycle() > 400ull * ops.size() + 1000) FAIL() << "conn_table engine hung";
        if (::testing::Test::HasFatalFailure()) return;
    }
    const auto& c = ref.counters();
    EXPECT_EQ(io.occupancy, uint32_t(c.occupancy));
    EXPECT_EQ(io.insert_failures, uint32_t(c.insert_failures));
    EXPECT_EQ(io.stashed, uint32_t(c.stashed));
    EXPECT_EQ(io.moves, uint32_t(c.moves));
    cycles = sim.cycle();
    (void)sessions;
}

template <typename Model>
void fill_and_churn(int sessions) {
    std::mt19937_64 rng(sessions);
    std::vector<Op> ops;
    std::vector<FourTuple> keys;
    // Fill to 90%, then churn: removes, re-inserts, duplicates, misses.
    for (int i = 0; i < sessions * 9 / 10; i++) {
        keys.push_back(random_tuple(rng));
        ops.push_back({false, keys.back(), uint32_t(i) & uint32_t(sessions - 1)});
    }
    const int churn = sessions < 10000 ? 20000 : 20000;
    for (int i = 0; i < churn; i++) {
        const std::size_t k = rng() % keys.size();
        switch (rng() % 4) {
            case 0: ops.push_back({true, keys[k], 0}); break;
            case 1: ops.push_back({false, keys[k], uint32_t(rng()) & uint32_t(sessions - 1)}); break;
            case 2: ops.push_back({true, random_tuple(rng), 0}); break;
            default:
                keys[k] = random_tuple(rng);
                ops.push_back({false, keys[k], uint32_t(rng()) & uint32_t(sessions - 1)});
        }
    }
    ConnTable ref(sessions);
    std::vector<FourTuple> live;
    uint64_t cycles = 0, lookups = 0;
    run<Model>(sessions, ops, rng, ref, live, cycles, lookups);
    const auto& c = ref.counters();
    std::printf("SESSIONS=%d: %zu commands, %llu cycles, %llu lookups checked, final occupancy "
                "%llu (%.1f%%), %llu insert failures, %llu stashed, %llu cuckoo moves\n",
                sessions, ops.size(), (unsigned long long)cycles, (unsigned long long)lookups,
                (unsigned long long)c.occupancy, 100.0 * double(c.occupancy) / sessions,
                (unsigned long long)c.insert_failures, (unsigned long long)c.stashed,
                (unsigned long long)c.moves);
}

TEST(ConnTableCosim, Sessions4096FillToNinetyPercentAndChurnMatchReference) {
    fill_and_churn<Vconn_table_4096>(4096);
}

TEST(ConnTableCosim, Sessions65536FillToNinetyPercentAndChurnMatchReference) {
    fill_and_churn<Vconn_table_65536>(65536);
}

}  // namespace
}  // namespace ftoe::kernel
