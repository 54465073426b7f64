// Cosim of rtl/parse/tcp_opt_parse.sv against tcp_options_parse() (hls/tcp_options.hpp):
// option lists real stacks send (SYN and data segments of Linux, Windows, macOS style),
// the same with mutated bytes, lists with unknown options, over-long lists and random
// bytes; one list per cycle with random gaps; fixed latency checked on every list.
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>
#include <vector>

#include "Vtcp_opt_parse.h"
#include "clocked_model.hpp"
#include "engine_top.hpp"

namespace ftoe::kernel {
namespace {

constexpr int kLatency = kMaxOptions + 2;  // tcp_opt_parse.sv header contract

std::vector<uint8_t> realistic(std::mt19937_64& rng) {
    auto u8 = [&] { return uint8_t(rng()); };
    switch (rng() % 6) {
        case 0:  // Linux SYN: MSS, SACK-permitted, TS, NOP, WS
            return {2, 4, 0x05, 0xb4, 4, 2, 8, 10, u8(), u8(), u8(), u8(), 0, 0, 0, 0, 1, 3, 3, 7};
        case 1:  // data segment: NOP NOP TS
            return {1, 1, 8, 10, u8(), u8(), u8(), u8(), u8(), u8(), u8(), u8()};
        case 2: {  // NOP NOP TS + NOP NOP SACK with 1..3 blocks
            std::vector<uint8_t> o{1, 1, 8, 10};
            for (int i = 0; i < 8; i++) o.push_back(u8());
            const int blocks = 1 + int(rng() % 3);
            o.insert(o.end(), {1, 1, 5, uint8_t(2 + 8 * blocks)});
            for (int i = 0; i < 8 * blocks; i++) o.push_back(u8());
            return o;
        }
        case 3:  // Windows-style SYN: MSS, NOP, WS, NOP, NOP, SACK-permitted
            return {2, 4, 0x05, 0xb4, 1, 3, 3, 8, 1, 1, 4, 2};
        case 4: {  // unknown options (e.g. 34 TFO cookie, 30 MPTCP) skipped by length
            std::vector<uint8_t> o{2, 4, 0x05, 0x8c, 34, 10};
            for (int i = 0; i < 8; i++) o.push_back(u8());
            o.insert(o.end(), {30, 4, u8(), u8()});
            return o;
        }
        default: {  // many short options: exercises too_many
            std::vector<uint8_t> o;
            while (o.size() + 2 <= 40 && rng() % 12) o.insert(o.end(), {4, 2});
            return o;
        }
    }
}

std::vector<uint8_t> make_list(std::mt19937_64& rng) {
    std::vector<uint8_t> o;
    if (rng() % 5 == 0) {  // random bytes
        o.resize(rng() % 41);
        for (auto& b : o) b = uint8_t(rng() % 4 ? rng() % 12 : rng());
    } else {
        o = realistic(rng);
        if (rng() % 3 == 0 && !o.empty()) o[rng() % o.size()] = uint8_t(rng() % 12);  // mutate
    }
    while (o.size() % 4) o.push_back(0);  // pad with EOL to a multiple of 4 bytes
    if (o.size() > 40) o.resize(40);
    return o;
}

TEST(TcpOptParseCosim, MatchesReferenceOneListPerCycle) {
    sim::ClockedModel<Vtcp_opt_parse> sim;
    auto& io = sim.io();
    std::mt19937_64 rng(7323);
    struct Pending {
        uint64_t due;
        std::vector<uint8_t> list;
        TcpOptions want;
    };
    std::deque<Pending> pending;
    int checked = 0, malformed = 0, too_many = 0, with_ts = 0;
    const int lists = 200000;
    for (int n = 0; n < lists || !pending.empty();) {
        const bool send = n < lists && rng() % 4 != 0;
        io.s_valid = send;
        std::vector<uint8_t> list;
        if (send) {
            list = make_list(rng);
            for (int w = 0; w < 10; w++) io.s_opts[w] = 0;
            for (std::size_t i = 0; i < list.size(); i++)
                io.s_opts[i / 4] |= uint32_t(list[i]) << (8 * (i % 4));
            io.s_len = uint8_t(list.size());
        }
        sim.settle();
        if (io.m_valid) {
            ASSERT_FALSE(pending.empty()) << "m_valid with nothing pending";
            const Pending p = pending.front();
            pending.pop_front();
            ASSERT_EQ(p.due, sim.cycle()) << "latency";
            TcpOptions got;
            got.malformed = io.m_malformed;
            got.too_many = io.m_too_many;
            std::string hex;
            for (uint8_t b : p.list) hex += std::to_string(b) + " ";
            ASSERT_EQ(got.malformed, p.want.malformed) << "list #" << checked << ": " << hex;
            if (!p.want.malformed) {
                got.has_mss = io.m_has_mss;
                got.mss = io.m_mss;
                got.has_wscale = io.m_has_wscale;
                got.wscale = io.m_wscale;
                got.sack_permitted = io.m_sack_permitted;
                got.has_sack = io.m_has_sack;
                got.sack_blocks = io.m_sack_blocks;
                got.has_ts = io.m_has_ts;
                got.tsval = io.m_tsval;
                got.tsecr = io.m_tsecr;
                got.unknown = io.m_unknown;
                // Values of options not present are unspecified: compare what exists.
                if (!got.has_mss) got.mss = p.want.mss;
                if (!got.has_wscale) got.wscale = p.want.wscale;
                if (!got.has_sack) got.sack_blocks = p.want.sack_blocks;
                if (!got.has_ts) {
                    got.tsval = p.want.tsval;
                    got.tsecr = p.want.tsecr;
                }
                ASSERT_TRUE(got == p.want)
                    << "list #" << checked << ": " << hex << "\n  too_many " << got.too_many << "/"
                    << p.want.too_many << " mss " << got.has_mss << ":" << got.mss << "/"
                    << p.want.has_mss << ":" << p.want.mss << " ws " << int(got.wscale) << "/"
                    << int(p.want.wscale) << " ts " << got.has_ts << ":" << got.tsval << "/"
                    << p.want.has_ts << ":" << p.want.tsval << " sack " << int(got.sack_blocks)
                    << "/" << int(p.want.sack_blocks) << " unknown " << int(got.unknown) << "/"
                    << int(p.want.unknown);
            }
            malformed += p.want.malformed;
            too_many += p.want.too_many;
            with_ts += p.want.has_ts;
            ++checked;
        } else {
            ASSERT_TRUE(pending.empty() || pending.front().due > sim.cycle()) << "result missing";
        }
        if (send) {
            uint8_t opts[kTcpMaxOptionBytes] = {};
            std::copy(list.begin(), list.end(), opts);
            TcpOptions want;
            ftoe_tcp_options_parse(opts, uint8_t(list.size()), want);
            pending.push_back({sim.cycle() + kLatency, list, want});
            ++n;
        }
        sim.tick();
    }
    std::printf("%d lists: %d malformed, %d too many options, %d with timestamps\n", checked,
                malformed, too_many, with_ts);
    EXPECT_GT(malformed, lists / 50);
    EXPECT_GT(too_many, lists / 200);
    EXPECT_GT(with_ts, lists / 10);
}

TEST(TcpOptParseReference, KnownLists) {
    const uint8_t linux_syn[] = {2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7};
    const auto a = tcp_options_parse(linux_syn, sizeof linux_syn);
    EXPECT_FALSE(a.malformed);
    EXPECT_EQ(a.mss, 1460);
    EXPECT_TRUE(a.sack_permitted);
    EXPECT_EQ(a.tsval, 1u);
    EXPECT_EQ(a.wscale, 7);
    const uint8_t bad_len[] = {2, 4, 0x05, 0xb4, 8, 1, 0, 0};  // length 1
    EXPECT_TRUE(tcp_options_parse(bad_len, sizeof bad_len).malformed);
    const uint8_t past_end[] = {1, 1, 8, 10, 0, 0, 0, 0};  // TS runs past the list
    EXPECT_TRUE(tcp_options_parse(past_end, sizeof past_end).malformed);
    const uint8_t eol_then_junk[] = {1, 0, 0xff, 0xff};  // junk after EOL is ignored
    EXPECT_FALSE(tcp_options_parse(eol_then_junk, sizeof eol_then_junk).malformed);
}

}  // namespace
}  // namespace ftoe::kernel
