// hls_stream_compat.hpp: hls::stream for builds without Vitis HLS.
//
// Under Vitis HLS the real <hls_stream.h> is used. Our CMake build defines
// FTOE_HLS_SOFTWARE and gets this minimal FIFO with the same read/write/empty
// interface, so one kernel source serves both g++ scoreboards and HLS synthesis.
#pragma once

#ifndef FTOE_HLS_SOFTWARE
#include <hls_stream.h>
#else
#include <deque>
#include <stdexcept>
#include <utility>

namespace hls {

template <typename T>
class stream {
public:
    void write(const T& v) { fifo_.push_back(v); }
    T read() {
        // In hardware a read of an empty FIFO blocks forever; in software that is a
        // testbench bug, so say so instead of hanging.
        if (fifo_.empty()) throw std::logic_error("hls::stream: read from an empty stream");
        T v = std::move(fifo_.front());
        fifo_.pop_front();
        return v;
    }
    bool empty() const { return fifo_.empty(); }
    std::size_t size() const { return fifo_.size(); }

private:
    std::deque<T> fifo_;
};

}  // namespace hls
#endif
