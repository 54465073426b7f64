// axis_beat.hpp: one AXI4-Stream beat of a DATA_W-bit bus, as the kernels see it.
//
// Byte lane i of the bus is tdata[8i+7:8i], i.e. bits 8*(i%8) of data[i/8]: the same
// layout as the RTL and as Verilator's model of a wide port, so a beat converts
// without shuffling. Lane 0 carries the lowest frame offset.
#pragma once

#include <cstdint>

namespace ftoe::kernel {

template <int DATA_W>
struct AxisBeat {
    static_assert(DATA_W >= 64 && DATA_W <= 512 && DATA_W % 64 == 0,
                  "kernels support 64..512-bit buses in 64-bit steps");
    static constexpr int kBytes = DATA_W / 8;
    static constexpr int kWords = DATA_W / 64;

    uint64_t data[kWords];
    uint64_t keep;  // bit i = tkeep[i]
    bool last;

    uint8_t byte(int lane) const { return uint8_t(data[lane / 8] >> (8 * (lane % 8))); }
    bool kept(int lane) const { return (keep >> lane) & 1u; }
    void set_byte(int lane, uint8_t v) {
        const int sh = 8 * (lane % 8);
        data[lane / 8] = (data[lane / 8] & ~(uint64_t(0xff) << sh)) | (uint64_t(v) << sh);
    }
};

}  // namespace ftoe::kernel
