// Cosim of rtl/host_if/hl_rx.sv against the C++ Deframer (driver/wire_format.cpp): the
// same byte streams, clean and damaged, must give the same verified commands (kind,
// header fields, payload bytes) and the same link-error records in the same order.
// This is the proof that the RTL and C++ halves of the wire format agree. Random idle
// on the input and random backpressure on both outputs; cycle contract checked too.
#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "Vhl_rx.h"
#include "link_damage.hpp"
#include "clocked_model.hpp"
#include "wire_format.hpp"

namespace ftoe::driver {
namespace {

struct Command {
    uint8_t kind;
    uint32_t seq, session;
    uint16_t arg;
    Bytes payload;
    bool operator==(const Command& o) const {
        return kind == o.kind && seq == o.seq && session == o.session && arg == o.arg &&
               payload == o.payload;
    }
};

std::string describe(const Command& c) {
    return std::string(kind_name(Kind(c.kind))) + " seq " + std::to_string(c.seq) + " session " +
           std::to_string(c.session) + " arg " + std::to_string(c.arg) + " len " +
           std::to_string(c.payload.size());
}

// Error tokens both sides can be reduced to: "skip N" for bytes skipped while hunting,
// then the reason.
std::string token(LinkError e) {
    switch (e) {
        case LinkError::kHeaderCrc: return "hdr_crc";
        case LinkError::kPayloadCrc: return "pay_crc";
        case LinkError::kSeqGap: return "gap";
        case LinkError::kSeqDup: return "dup";
        case LinkError::kBadKind: return "bad_kind";
        case LinkError::kTooLong: return "too_long";
        case LinkError::kResync: return "skip";
    }
    return "?";
}

struct Expected {
    std::vector<Command> commands;
    std::vector<std::string> errors;
};

Expected reference(const Bytes& stream) {
    Deframer d(/*accept_commands=*/true);
    d.push(stream);
    Expected e;
    while (auto r = d.next()) {
        if (const auto* m = std::get_if<Message>(&*r)) {
            e.commands.push_back({uint8_t(m->kind), m->seq, m->session, m->arg, m->payload});
        } else {
            const auto& err = std::get<DeframeError>(*r);
            std::string t = token(err.error);
            if (err.error == LinkError::kResync)  // "skipped N bytes ..."
                t += " " + err.detail.substr(8, err.detail.find(' ', 8) - 8);
            e.errors.push_back(t);
        }
    }
    return e;
}

using HlRxSim = sim::ClockedModel<Vhl_rx>;

struct RunStats {
    uint64_t cycles = 0, bytes = 0, tready_low_cycles = 0;
};

// Plays `stream` into the RTL and collects what comes out.
RunStats run_rtl(const Bytes& stream, std::mt19937_64& rng, double idle, double backpressure,
                 Expected& got) {
    HlRxSim sim;
    auto& io = sim.io();
    auto chance = [&](double p) { return p > 0 && std::bernoulli_distribution(p)(rng); };
    RunStats st;
    std::size_t pos = 0;
    Command cur{};
    std::size_t pay_left = 0;
    bool in_payload = false;
    uint64_t quiet = 0;
    while (quiet < 64) {  // run until input is done and nothing moved for a while
        io.s_axis_tvalid = pos < stream.size() && !chance(idle);
        io.s_axis_tdata = pos < stream.size() ? stream[pos] : 0;
        io.m_cmd_ready = !chance(backpressure);
        io.m_pay_tready = !chance(backpressure);
        sim.settle();
        bool moved = false;
        if (io.s_axis_tvalid && io.s_axis_tready) {
            ++pos;
            ++st.bytes;
            moved = true;
        }
        if (io.s_axis_tvalid && !io.s_axis_tready) ++st.tready_low_cycles;
        if (io.m_cmd_valid && io.m_cmd_ready) {
            EXPECT_FALSE(in_payload) << "header handshake while a payload is still streaming";
            cur = Command{io.m_cmd_kind, io.m_cmd_seq, io.m_cmd_session, io.m_cmd_arg, {}};
            pay_left = io.m_cmd_len;
            in_payload = pay_left != 0;
            if (!in_payload) got.commands.push_back(cur);
            moved = true;
        }
        if (io.m_pay_tvalid && io.m_pay_tready) {
            EXPECT_TRUE(in_payload) << "payload byte with no command";
            cur.payload.push_back(io.m_pay_tdata);
            EXPECT_EQ(bool(io.m_pay_tlast), pay_left == 1)
                << "tlast wrong at payload byte " << cur.payload.size() << " of " << describe(cur);
            if (--pay_left == 0) {
                got.commands.push_back(cur);
                in_payload = false;
            }
            moved = true;
        }
        if (io.err_valid) {
            if (io.err_skipped) got.errors.push_back("skip " + std::to_string(io.err_skipped));
            if (io.err_code != 7) got.errors.push_back(token(LinkError(io.err_code)));
            moved = true;
        }
        sim.tick();
        ++st.cycles;
        quiet = (moved || pos < stream.size()) ? 0 : quiet + 1;
        if (st.cycles > 100 * stream.size() + 100000) {
            ADD_FAILURE() << "hl_rx hung: " << pos << " of " << stream.size() << " bytes taken";
            break;
        }
    }
    return st;
}

void expect_same(const Expected& want, const Expected& got, const std::string& where) {
    ASSERT_EQ(got.commands.size(), want.commands.size()) << where << ": commands delivered";
    for (std::size_t i = 0; i < want.commands.size(); i++)
        ASSERT_TRUE(got.commands[i] == want.commands[i])
            << where << ": command #" << i << " expected " << describe(want.commands[i])
            << ", RTL gave " << describe(got.commands[i]);
    ASSERT_EQ(got.errors, want.errors) << where << ": link-error records differ";
}

Bytes random_commands(Framer& framer, int n, std::mt19937_64& rng, std::size_t max_len) {
    Bytes stream;
    for (int i = 0; i < n; i++) {
        const Kind k = kAllKinds[rng() % 10];  // the ten command kinds
        Bytes payload(rng() % 4 == 0 ? rng() % (max_len + 1) : rng() % 48);
        for (auto& b : payload) b = uint8_t(rng());
        framer.frame_into(stream, k, uint32_t(rng()), uint16_t(rng()), payload.data(), payload.size());
    }
    return stream;
}

TEST(HlRxCosim, CleanStreamOfSmallCommandsNeverStalls) {
    // Each command streams out (len + 4 cycles) faster than it streams in (len + 20).
    std::mt19937_64 rng(1);
    Framer framer;
    const Bytes stream = random_commands(framer, 2000, rng, /*max_len=*/47);
    Expected got;
    const RunStats st = run_rtl(stream, rng, /*idle=*/0, /*backpressure=*/0, got);
    expect_same(reference(stream), got, "clean stream");
    EXPECT_EQ(got.commands.size(), 2000u);
    EXPECT_EQ(st.tready_low_cycles, 0u) << "hl_rx stalled a clean stream with a ready consumer";
}

TEST(HlRxCosim, CleanMixedStreamSustainsNearOneBytePerCycle) {
    // Long payloads hold short commands behind them; the 32-entry command FIFO and the
    // ring keep the input moving at close to full rate.
    std::mt19937_64 rng(11);
    Framer framer;
    const Bytes stream = random_commands(framer, 1000, rng, /*max_len=*/2000);
    Expected got;
    const RunStats st = run_rtl(stream, rng, 0, 0, got);
    expect_same(reference(stream), got, "clean mixed stream");
    const double rate = double(st.bytes) / double(st.bytes + st.tready_low_cycles);
    std::printf("mixed stream: %llu bytes, %llu stall cycles, %.3f bytes/cycle\n",
                (unsigned long long)st.bytes, (unsigned long long)st.tready_low_cycles, rate);
    EXPECT_GE(rate, 0.95);
}

TEST(HlRxCosim, MaximumPayloadPassesAndLongerIsRejected) {
    std::mt19937_64 rng(2);
    Framer framer;
    Bytes stream = framer.frame(Kind::kRawTx, kNoSession, 1, Bytes(kMaxPayload, 0x5a));
    Message too_long{Kind::kRawTx, framer.next_seq(), kNoSession, 0, Bytes(kMaxPayload + 1, 1)};
    encode(too_long, stream);
    const Bytes ping = framer.frame(Kind::kPing, kNoSession, 0, {});
    stream.insert(stream.end(), ping.begin(), ping.end());
    Expected got;
    run_rtl(stream, rng, 0.1, 0.3, got);
    const Expected want = reference(stream);
    expect_same(want, got, "max payload");
    EXPECT_EQ(want.commands.front().payload.size(), kMaxPayload);
    EXPECT_NE(std::find(want.errors.begin(), want.errors.end(), "too_long"), want.errors.end());
}

// Damaged streams: the RTL must agree with the C++ deframer record for record.
// 2,000 streams in CI; FTOE_HL_RX_STREAMS raises it for soak runs.
TEST(HlRxCosim, DamagedStreamsMatchDeframerUnderIdleAndBackpressure) {
    const char* env = std::getenv("FTOE_HL_RX_STREAMS");
    const int streams = env ? std::atoi(env) : 2000;
    std::mt19937_64 rng(0xd00d);
    uint64_t commands = 0, errors = 0;
    for (int it = 0; it < streams; it++) {
        Framer framer;
        Bytes stream = random_commands(framer, int(1 + rng() % 6), rng, 600);
        testing::damage_stream(stream, int(rng() % 4), rng);
        // Tail: zeros complete any message a damaged length left open, then one good
        // command flushes pending reports on both sides.
        stream.resize(stream.size() + kHeaderBytes + kMaxPayload + kTrailerBytes, 0);
        Message last{Kind::kPing, framer.next_seq() + 100, kNoSession, 0, {}};
        encode(last, stream);
        const Expected want = reference(stream);
        Expected got;
        run_rtl(stream, rng, it % 2 ? 0.2 : 0.0, it % 3 ? 0.3 : 0.0, got);
        expect_same(want, got, "stream #" + std::to_string(it));
        if (HasFatalFailure()) return;
        commands += want.commands.size();
        errors += want.errors.size();
    }
    std::printf("%d damaged streams: %llu commands and %llu error records, RTL == C++\n", streams,
                (unsigned long long)commands, (unsigned long long)errors);
}

// The latency figures in hl_rx.sv's header comment.
TEST(HlRxCosim, LatencyMatchesHeaderContract) {
    HlRxSim sim;
    auto& io = sim.io();
    Framer framer;
    const Bytes stream = framer.frame(Kind::kAppData, 9, 0, Bytes{1, 2, 3});
    io.m_cmd_ready = 0;
    io.m_pay_tready = 1;
    uint64_t last_byte_cycle = 0;
    for (std::size_t i = 0; i < stream.size(); i++) {
        io.s_axis_tvalid = 1;
        io.s_axis_tdata = stream[i];
        sim.settle();
        ASSERT_TRUE(io.s_axis_tready);
        ASSERT_FALSE(io.m_cmd_valid) << "command visible before its trailer was checked";
        last_byte_cycle = sim.cycle();
        sim.tick();
    }
    io.s_axis_tvalid = 0;
    sim.settle();
    ASSERT_TRUE(io.m_cmd_valid);
    EXPECT_EQ(sim.cycle() - last_byte_cycle, 1u) << "m_cmd_valid latency";
    io.m_cmd_ready = 1;
    const uint64_t hs_cycle = sim.cycle();
    sim.tick();
    io.m_cmd_ready = 0;
    for (int i = 0; i < 8; i++) {
        sim.settle();
        if (io.m_pay_tvalid) break;
        sim.tick();
    }
    ASSERT_TRUE(io.m_pay_tvalid);
    EXPECT_EQ(sim.cycle() - hs_cycle, 3u) << "first payload byte latency after the handshake";
    for (int want : {1, 2, 3}) {  // then one byte per cycle
        sim.settle();
        ASSERT_TRUE(io.m_pay_tvalid);
        EXPECT_EQ(io.m_pay_tdata, want);
        sim.tick();
    }
}

}  // namespace
}  // namespace ftoe::driver
