// Cosim of rtl/host_if/hl_tx.sv against driver/wire_format.cpp: for every message kind
// the RTL's bytes equal encode()'s byte for byte, and random event streams framed by the
// RTL under backpressure and payload idle parse cleanly in the host's Deframer.
#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "Vhl_tx.h"
#include "clocked_model.hpp"
#include "wire_format.hpp"

namespace ftoe::driver {
namespace {

using HlTxSim = sim::ClockedModel<Vhl_tx>;

struct Event {
    Kind kind;
    uint32_t session;
    uint16_t arg;
    Bytes payload;
};

struct TxRun {
    Bytes bytes;
    uint64_t cycles = 0;
    std::vector<uint64_t> header_latency;  // cycles from s_evt handshake to the magic byte
};

// Frames `events` through the RTL; `idle` holds back payload bytes, `backpressure`
// holds m_axis_tready low, each with that probability per cycle.
TxRun run_rtl(const std::vector<Event>& events, std::mt19937_64& rng, double idle,
              double backpressure) {
    HlTxSim sim;
    auto& io = sim.io();
    auto chance = [&](double p) { return p > 0 && std::bernoulli_distribution(p)(rng); };
    TxRun run;
    // Headers are offered back to back; the RTL takes the next one only between
    // messages, so the payload being streamed always belongs to the last header taken.
    std::size_t next_hdr = 0, pay = 0;
    const Event* streaming = nullptr;
    bool waiting_magic = false;
    uint64_t hs_cycle = 0;
    std::size_t expected_bytes = 0;
    for (const auto& e : events) expected_bytes += kHeaderBytes + e.payload.size() + kTrailerBytes;
    while (run.bytes.size() < expected_bytes) {
        io.s_evt_valid = next_hdr < events.size();
        if (io.s_evt_valid) {
            const Event& e = events[next_hdr];
            io.s_evt_kind = uint8_t(e.kind);
            io.s_evt_len = uint16_t(e.payload.size());
            io.s_evt_session = e.session;
            io.s_evt_arg = e.arg;
        }
        const bool have_pay = streaming && pay < streaming->payload.size();
        io.s_pay_tvalid = have_pay && !chance(idle);
        io.s_pay_tdata = have_pay ? streaming->payload[pay] : 0;
        io.s_pay_tlast = have_pay && pay + 1 == streaming->payload.size();
        io.m_axis_tready = !chance(backpressure);
        sim.settle();
        if (io.m_axis_tvalid && io.m_axis_tready) {
            if (waiting_magic) run.header_latency.push_back(sim.cycle() - hs_cycle);
            waiting_magic = false;
            run.bytes.push_back(io.m_axis_tdata);
        }
        if (io.s_pay_tvalid && io.s_pay_tready) ++pay;
        if (io.s_evt_valid && io.s_evt_ready) {
            EXPECT_TRUE(!streaming || pay == streaming->payload.size())
                << "next header taken before the payload was";
            streaming = &events[next_hdr++];
            pay = 0;
            hs_cycle = sim.cycle();
            waiting_magic = true;
        }
        sim.tick();
        ++run.cycles;
        if (run.cycles > 50 * expected_bytes + 1000) {
            ADD_FAILURE() << "hl_tx hung after " << run.bytes.size() << " of " << expected_bytes
                          << " bytes";
            break;
        }
    }
    return run;
}

TEST(HlTxCosim, EveryKindEncodesByteForByteAsTheDriver) {
    std::mt19937_64 rng(3);
    std::vector<Event> events;
    Bytes want;
    uint32_t seq = 0;
    for (Kind k : kAllKinds) {
        for (std::size_t len : {std::size_t(0), std::size_t(1), std::size_t(5 + uint8_t(k))}) {
            Event e{k, uint32_t(rng()), uint16_t(rng()), Bytes(len)};
            for (auto& b : e.payload) b = uint8_t(rng());
            encode(Message{k, seq++, e.session, e.arg, e.payload}, want);
            events.push_back(std::move(e));
        }
    }
    const TxRun run = run_rtl(events, rng, 0, 0);
    ASSERT_EQ(run.bytes.size(), want.size());
    for (std::size_t i = 0; i < want.size(); i++)
        ASSERT_EQ(run.bytes[i], want[i]) << "byte " << i << " differs";
}

TEST(HlTxCosim, RandomEventsUnderBackpressureParseCleanlyOnTheHost) {
    std::mt19937_64 rng(4);
    std::vector<Event> events;
    for (int i = 0; i < 600; i++) {
        const Kind k = kAllKinds[11 + rng() % 12];  // the twelve event kinds (after 11 commands)
        const std::size_t len = rng() % 50 == 0 ? kMaxPayload : rng() % 4 == 0 ? rng() % 1600 : rng() % 40;
        Event e{k, uint32_t(rng()), uint16_t(rng()), Bytes(len)};
        for (auto& b : e.payload) b = uint8_t(rng());
        events.push_back(std::move(e));
    }
    const TxRun run = run_rtl(events, rng, 0.2, 0.3);
    Deframer host(/*accept_commands=*/false);
    host.push(run.bytes);
    std::size_t n = 0;
    while (auto r = host.next()) {
        const auto* m = std::get_if<Message>(&*r);
        ASSERT_NE(m, nullptr) << "host deframer error after " << n
                              << " events: " << std::get<DeframeError>(*r).detail;
        ASSERT_LT(n, events.size());
        EXPECT_EQ(m->seq, n);
        EXPECT_EQ(m->kind, events[n].kind);
        EXPECT_EQ(m->session, events[n].session);
        EXPECT_EQ(m->arg, events[n].arg);
        EXPECT_EQ(m->payload, events[n].payload) << "event #" << n;
        n++;
    }
    EXPECT_EQ(n, events.size());
}

TEST(HlTxCosim, LatencyAndThroughputMatchHeaderContract) {
    std::mt19937_64 rng(5);
    std::vector<Event> events;
    std::size_t bytes = 0;
    for (int i = 0; i < 200; i++) {
        events.push_back(Event{Kind::kRxData, 1, 0, Bytes(std::size_t(rng() % 300), 0x77)});
        bytes += kHeaderBytes + events.back().payload.size() + kTrailerBytes;
    }
    const TxRun run = run_rtl(events, rng, 0, 0);
    for (uint64_t lat : run.header_latency) ASSERT_EQ(lat, 1u) << "magic byte latency";
    // One byte per cycle plus the one idle cycle between messages.
    EXPECT_LE(run.cycles, bytes + events.size() + 2);
}

}  // namespace
}  // namespace ftoe::driver
