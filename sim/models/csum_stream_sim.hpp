// csum_stream_sim.hpp: a cycle-stepped wrapper of the Verilated rtl/csum/csum_stream.sv
// (DATA_W = 64 or 512), shared by the cosim tests and ftoe-bench.
//
// cycle() is one clock cycle: inputs are applied, combinational outputs of that cycle
// are sampled, then the rising edge at the end of the cycle is evaluated. A beat given
// to cycle c is accepted in cycle c; with the csum_stream contract its sum is then
// reported by the cycle() call for cycle c + LATENCY.
#pragma once

#include <cstdint>
#include <memory>

#include "Vcsum_stream_512.h"
#include "Vcsum_stream_64.h"
#include "axis_beat.hpp"
#include "verilated.h"

namespace ftoe::sim {

template <int DATA_W>
struct CsumStreamModel;
template <>
struct CsumStreamModel<64> {
    using type = Vcsum_stream_64;
    static void set_beat(type& m, const kernel::AxisBeat<64>& b) {
        m.s_axis_tdata = b.data[0];
        m.s_axis_tkeep = uint8_t(b.keep);
    }
};
template <>
struct CsumStreamModel<512> {
    using type = Vcsum_stream_512;
    static void set_beat(type& m, const kernel::AxisBeat<512>& b) {
        for (int i = 0; i < 16; i++) m.s_axis_tdata[i] = uint32_t(b.data[i / 2] >> (32 * (i % 2)));
        m.s_axis_tkeep = b.keep;
    }
};

template <int DATA_W>
class CsumStreamSim {
public:
    using Model = typename CsumStreamModel<DATA_W>::type;
    using Beat = kernel::AxisBeat<DATA_W>;

    struct Outputs {
        bool tready;
        bool sum_valid;
        uint16_t sum;
    };

    CsumStreamSim() : context_(std::make_unique<VerilatedContext>()) {
        model_ = std::make_unique<Model>(context_.get(), "csum_stream");
        model_->clk = 0;
        model_->rst = 1;
        model_->s_axis_tvalid = 0;
        model_->eval();
    }
    ~CsumStreamSim() { model_->final(); }
    CsumStreamSim(const CsumStreamSim&) = delete;
    CsumStreamSim& operator=(const CsumStreamSim&) = delete;

    // Holds rst for `cycles` cycles, then releases it.
    void reset(int cycles = 4) {
        model_->rst = 1;
        for (int i = 0; i < cycles; i++) cycle(nullptr, 0, 0);
        model_->rst = 0;
    }

    // One clock cycle presenting `beat` (nullptr: tvalid low). start/end are the byte
    // range for the bytes of this beat (hold it for the frame).
    Outputs cycle(const Beat* beat, uint16_t start, uint16_t end) {
        Model& m = *model_;
        m.s_axis_tvalid = beat != nullptr;
        if (beat) {
            CsumStreamModel<DATA_W>::set_beat(m, *beat);
            m.s_axis_tlast = beat->last;
        }
        m.csum_start = start;
        m.csum_end = end;
        m.clk = 0;
        m.eval();
        const Outputs out{m.s_axis_tready != 0, m.sum_valid != 0, uint16_t(m.sum)};
        m.clk = 1;
        m.eval();
        ++cycles_;
        return out;
    }

    uint64_t cycles() const { return cycles_; }

private:
    std::unique_ptr<VerilatedContext> context_;
    std::unique_ptr<Model> model_;
    uint64_t cycles_ = 0;
};

}  // namespace ftoe::sim
