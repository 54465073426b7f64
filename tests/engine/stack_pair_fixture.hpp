// stack_pair_fixture.hpp: two host Stacks on two Verilated engines (64 bits) joined back
// to back by an in-process wire (every frame one engine sends is the other's next
// received frame), each Stack on its own SimLink, all in one simulated time at the
// engine's 156.25 MHz. The server board is 10.0.0.1, the client 10.0.0.2; both Stacks
// are started by SetUp(). Shared by the Stack pair tests and the host apps' tests.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>

#include "Vftoe_engine_64.h"
#include "engine_sim.hpp"
#include "sim_link.hpp"
#include "stack.hpp"

namespace ftoe::sim::test {

struct PairBoard {
    EngineSim<Vftoe_engine_64, 64> engine;
    std::unique_ptr<driver::ByteLink> link;
    std::unique_ptr<host::Stack> stack;
    std::function<void(host::Stack&)> after_poll;  // runs after each of this Stack's polls
    explicit PairBoard(EngineSimOptions o) : engine(o) {}
};

class StackPairFixture : public ::testing::Test {
protected:
    static constexpr uint64_t kClockHz = 156'250'000;
    static constexpr uint32_t kServerIp = 0x0a000001;

    static EngineSimOptions engine_options(uint64_t seed) {
        EngineSimOptions o;
        o.deframe_events = false;
        o.record_cycles = false;
        o.seed = seed;
        return o;
    }
    static host::StackConfig stack_config(uint8_t last, uint64_t seed) {
        host::StackConfig c;
        c.mac = {0x02, 0, 0, 0, 0, last};
        c.ip = 0x0a000000u | last;
        c.sessions = 4096;
        // The engine's receive payload store holds 32 KB for all sessions: a window
        // within it keeps a fast sender from overrunning it.
        c.rcv_wnd = 16384;
        c.seed = seed;
        return c;
    }

    void SetUp() override {
        server_ = std::make_unique<PairBoard>(engine_options(1));
        client_ = std::make_unique<PairBoard>(engine_options(2));
        for (PairBoard* b : {server_.get(), client_.get()})
            b->link = make_sim_link(b->engine, kClockHz, [this] { step_world(); });
        server_->stack = std::make_unique<host::Stack>(*server_->link, stack_config(1, 11));
        client_->stack = std::make_unique<host::Stack>(*client_->link, stack_config(2, 22));
        ASSERT_TRUE(server_->stack->start().ok());
        ASSERT_TRUE(client_->stack->start().ok());
    }

    // One cycle of both engines; frames cross the wire whole, in order.
    void step_world() {
        server_->engine.step();
        client_->engine.step();
        forward(*server_, *client_);
        forward(*client_, *server_);
    }
    static void forward(PairBoard& from, PairBoard& to) {
        if (from.engine.tx_frames.empty()) return;
        for (const auto& f : from.engine.tx_frames) to.engine.send_frame(f);
        from.engine.tx_frames.clear();
    }
    std::chrono::nanoseconds now() const { return server_->link->now(); }
    uint64_t now_ns() const { return uint64_t(now().count()); }

    // Polls both Stacks (stepping the world), each board's after_poll behind its Stack's
    // poll, then `each`, until `done` (true) or `budget` of simulated time (false).
    bool run(const std::function<bool()>& done, std::chrono::nanoseconds budget,
             const std::function<void()>& each = {}) {
        const auto until = now() + budget;
        while (!done()) {
            if (now() >= until) return false;
            for (PairBoard* b : {server_.get(), client_.get()}) {
                const auto st = b->stack->poll(std::chrono::microseconds(1));
                EXPECT_TRUE(st.ok()) << (st.ok() ? "" : st.error().message);
                if (!st.ok()) return false;
                if (b->after_poll) b->after_poll(*b->stack);
            }
            if (each) each();
        }
        return true;
    }

    std::unique_ptr<PairBoard> server_, client_;
};

}  // namespace ftoe::sim::test
