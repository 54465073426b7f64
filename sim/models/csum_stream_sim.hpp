// csum_stream_sim.hpp: a cycle-stepped wrapper of the Verilated rtl/csum/csum_stream.sv
// (DATA_W = 64 or 512), shared by the cosim tests and ftoe-bench.
//
// cycle() is one clock cycle: inputs are applied, combinational outputs of that cycle
// are sampled, then the rising edge at the end of the cycle is evaluated. A beat given
// to cycle c is accepted in cycle c; with the csum_stream contract its sum is then
// reported by the cycle() call for cycle c + LATENCY.
#pragma once

#include <cstdint>

#include "Vcsum_stream_512.h"
#include "Vcsum_stream_64.h"
#include "axis_beat.hpp"
#include "clocked_model.hpp"

namespace ftoe::sim {

template <int DATA_W>
struct CsumStreamModel;
template <>
struct CsumStreamModel<64> {
    using type = Vcsum_stream_64;
};
template <>
struct CsumStreamModel<512> {
    using type = Vcsum_stream_512;
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

    CsumStreamSim() = default;

    // Holds rst for `cycles` cycles, then releases it.
    void reset(int cycles = 4) {
        sim_.io().rst = 1;
        for (int i = 0; i < cycles; i++) cycle(nullptr, 0, 0);
        sim_.io().rst = 0;
    }

    // One clock cycle presenting `beat` (nullptr: tvalid low) with the byte range for
    // its bytes.
    Outputs cycle(const Beat* beat, uint16_t start, uint16_t end) {
        Model& m = sim_.io();
        m.s_axis_tvalid = beat != nullptr;
        if (beat) {
            set_axis_beat(m, *beat);
            m.s_axis_tlast = beat->last;
        }
        m.csum_start = start;
        m.csum_end = end;
        sim_.settle();
        const Outputs out{m.s_axis_tready != 0, m.sum_valid != 0, uint16_t(m.sum)};
        sim_.tick();
        return out;
    }

    uint64_t cycles() const { return sim_.cycle(); }

private:
    ClockedModel<Model> sim_;
};

}  // namespace ftoe::sim
