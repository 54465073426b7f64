// clocked_model.hpp: one Verilated model with its own context, stepped a clock cycle
// at a time, as every cosim test drives it.
//
// Per cycle: set inputs, settle() (clock low, combinational outputs of this cycle are
// valid), read outputs, tick() (rising edge). cycle() counts rising edges since
// construction, so an input given in cycle c is accepted at the end of cycle c.
// tick() settles first only when the caller did not: an input changed after settle()
// still counts, as Verilator evaluates input-driven logic before the clock edge.
// skip_settle() lowers the clock without an eval(): the next edge still sees this
// cycle's inputs (Verilator evaluates input-driven logic first in every eval()), but the
// outputs keep the values of the last eval(), so a caller may read only outputs that no
// input drives combinationally, or skip only when no input changed (one evaluation of
// the input-driven logic less per such cycle).
#pragma once

#include <cstdint>
#include <memory>
#include <type_traits>
#include <utility>

#include "axis_beat.hpp"
#include "verilated.h"

namespace ftoe::sim {

// Whether a model has a reset port: datapath-only blocks (pipe_delay) have none.
template <typename Model, typename = void>
struct HasRst : std::false_type {};
template <typename Model>
struct HasRst<Model, std::void_t<decltype(std::declval<Model&>().rst)>> : std::true_type {};

template <typename Model>
class ClockedModel {
public:
    // Holds rst for `reset_cycles` cycles (the model must have a clk port; a model
    // without an rst port is not reset and starts at cycle 0).
    explicit ClockedModel(int reset_cycles = 4)
        : context_(std::make_unique<VerilatedContext>()),
          model_(std::make_unique<Model>(context_.get())) {
        if constexpr (HasRst<Model>::value) {
            model_->rst = 1;
            for (int i = 0; i < reset_cycles; i++) tick();
            model_->rst = 0;
        }
    }
    ~ClockedModel() { model_->final(); }
    ClockedModel(const ClockedModel&) = delete;
    ClockedModel& operator=(const ClockedModel&) = delete;

    Model& io() { return *model_; }
    void settle() {
        model_->clk = 0;
        model_->eval();
        settled_ = true;
    }
    // The same next edge as settle(), without an eval() (see the top of the file).
    // Verilator detects the rising edge against the clock level its last eval() saw,
    // which a settle() eval() would have set low: `clock_low_seen` sets it in the model's
    // internals (their names depend on the Verilator version and need the model's
    // __024root.h, so the owner supplies it).
    void skip_settle(void (*clock_low_seen)(Model&)) {
        model_->clk = 0;
        clock_low_seen(*model_);
        settled_ = true;
    }
    void tick() {
        if (!settled_) settle();
        model_->clk = 1;
        model_->eval();
        settled_ = false;
        ++cycle_;
    }
    uint64_t cycle() const { return cycle_; }

private:
    std::unique_ptr<VerilatedContext> context_;
    std::unique_ptr<Model> model_;
    uint64_t cycle_ = 0;
    bool settled_ = false;  // clock low and evaluated since the last edge
};

// Drives a beat onto a model's s_axis_tdata/s_axis_tkeep, whichever C++ type Verilator
// gave them (a scalar up to 64 bits, VlWide beyond).
template <typename Model, int DATA_W>
void set_axis_beat(Model& m, const kernel::AxisBeat<DATA_W>& b) {
    if constexpr (DATA_W <= 64) {
        m.s_axis_tdata = static_cast<std::remove_reference_t<decltype(m.s_axis_tdata)>>(b.data[0]);
    } else {
        for (int i = 0; i < DATA_W / 32; i++)
            m.s_axis_tdata[i] = uint32_t(b.data[i / 2] >> (32 * (i % 2)));
    }
    m.s_axis_tkeep = static_cast<std::remove_reference_t<decltype(m.s_axis_tkeep)>>(b.keep);
}

}  // namespace ftoe::sim
