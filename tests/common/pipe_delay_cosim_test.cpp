// Cosim of rtl/common/pipe_delay.sv: q shows, DEPTH rising edges later, the d of the
// cycle before them, for a new d every cycle (its contract), at 40 bits through one
// stage and at 70 bits (three words in the Verilated model) through four. Random values
// every cycle: a delay one cycle short or long shows a different cycle's value.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>

#include "Vpipe_delay_1.h"
#include "Vpipe_delay_4.h"
#include "verilated.h"

namespace {

// A value of up to 96 bits as three 32-bit words, the layout of Verilator's VlWide.
using Words = std::array<uint32_t, 3>;

template <typename Model, int W>
class PipeDelay {
public:
    PipeDelay() : context_(std::make_unique<VerilatedContext>()),
                  model_(std::make_unique<Model>(context_.get())) {}
    ~PipeDelay() { model_->final(); }

    // One cycle with `d` on the input; returns q after the rising edge.
    Words cycle(const Words& d) {
        set(d);
        model_->clk = 0;
        model_->eval();
        model_->clk = 1;
        model_->eval();
        return get();
    }

private:
    void set(const Words& d) {
        if constexpr (W <= 64) {
            model_->d = (uint64_t(d[1]) << 32 | d[0]) & mask64();
        } else {
            for (int i = 0; i < 3; i++) model_->d[i] = d[i];
            model_->d[2] &= (uint32_t(1) << (W - 64)) - 1;
        }
    }
    Words get() const {
        if constexpr (W <= 64) {
            const uint64_t q = model_->q;
            return {uint32_t(q), uint32_t(q >> 32), 0};
        } else {
            return {model_->q[0], model_->q[1], model_->q[2]};
        }
    }
    static constexpr uint64_t mask64() { return W == 64 ? ~uint64_t(0) : (uint64_t(1) << W) - 1; }

    std::unique_ptr<VerilatedContext> context_;
    std::unique_ptr<Model> model_;
};

// The input as the model holds it: W bits of the three words.
Words truncate(Words w, int width) {
    for (int i = 0; i < 3; i++) {
        const int bits = width - 32 * i;
        if (bits <= 0) w[i] = 0;
        else if (bits < 32) w[i] &= (uint32_t(1) << bits) - 1;
    }
    return w;
}

template <typename Model, int W, int DEPTH>
void expect_delay_of_exactly(int cycles) {
    PipeDelay<Model, W> pipe;
    std::mt19937 rng(W * 100 + DEPTH);
    std::deque<Words> sent;
    for (int c = 0; c < cycles; c++) {
        const Words d = truncate({uint32_t(rng()), uint32_t(rng()), uint32_t(rng())}, W);
        sent.push_back(d);
        const Words q = pipe.cycle(d);
        // After the edge that ends cycle c, q holds the d of cycle c - (DEPTH - 1).
        if (int(sent.size()) == DEPTH) {
            ASSERT_EQ(q, sent.front()) << "cycle " << c;
            sent.pop_front();
        }
    }
}

TEST(PipeDelay, FortyBitsOneCycle) {
    expect_delay_of_exactly<Vpipe_delay_1, 40, 1>(10000);
}

TEST(PipeDelay, SeventyBitsFourCycles) {
    expect_delay_of_exactly<Vpipe_delay_4, 70, 4>(10000);
}

}  // namespace
