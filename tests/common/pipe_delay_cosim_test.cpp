// Cosim of rtl/common/pipe_delay.sv: q shows, DEPTH rising edges later, the d of the
// cycle before them, for a new d every cycle (its contract), at 40 bits through one
// stage and at 70 bits (three words in the Verilated model) through four. Random values
// every cycle: a delay one cycle short or long shows a different cycle's value.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <deque>
#include <random>
#include <type_traits>

#include "Vpipe_delay_1.h"
#include "Vpipe_delay_4.h"
#include "clocked_model.hpp"

namespace {

// A value of up to 96 bits as three 32-bit words, the layout of Verilator's VlWide.
using Words = std::array<uint32_t, 3>;

// Verilator gives a port of up to 64 bits a scalar, a wider one a VlWide of words.
template <typename Port>
void set_port(Port& port, const Words& w) {
    if constexpr (std::is_integral_v<Port>) {
        port = Port(uint64_t(w[1]) << 32 | w[0]);
    } else {
        for (std::size_t i = 0; i < w.size(); i++) port[i] = w[i];
    }
}
template <typename Port>
Words get_port(const Port& port) {
    if constexpr (std::is_integral_v<Port>) {
        return {uint32_t(port), uint32_t(uint64_t(port) >> 32), 0};
    } else {
        return {port[0], port[1], port[2]};
    }
}

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
    ftoe::sim::ClockedModel<Model> pipe;  // no rst port: no reset
    std::mt19937 rng(W * 100 + DEPTH);
    std::deque<Words> sent;
    for (int c = 0; c < cycles; c++) {
        const Words d = truncate({uint32_t(rng()), uint32_t(rng()), uint32_t(rng())}, W);
        sent.push_back(d);
        set_port(pipe.io().d, d);
        pipe.tick();
        const Words q = get_port(pipe.io().q);
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
