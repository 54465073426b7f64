// engine_top.cpp: see engine_top.hpp. Both tops are pipelined functions with ap_none
// ports (no handshake): one call per cycle, like the RTL blocks they model.
#include "engine_top.hpp"

void ftoe_tcp_options_parse(const uint8_t opts[ftoe::kernel::kTcpMaxOptionBytes], uint8_t len,
                            ftoe::kernel::TcpOptions& out) {
#pragma HLS INTERFACE mode = ap_none port = opts
#pragma HLS INTERFACE mode = ap_none port = len
#pragma HLS INTERFACE mode = ap_none port = out
#pragma HLS INTERFACE mode = ap_ctrl_none port = return
#pragma HLS ARRAY_PARTITION variable = opts complete
#pragma HLS PIPELINE II = 1
    out = ftoe::kernel::tcp_options_parse(opts, len > 40 ? 40 : len);
}

void ftoe_tcp_rx_accept(const ftoe::kernel::TcpRxState& state,
                        const ftoe::kernel::TcpRxSegment& seg,
                        ftoe::kernel::TcpRxDecision& out) {
#pragma HLS INTERFACE mode = ap_none port = state
#pragma HLS INTERFACE mode = ap_none port = seg
#pragma HLS INTERFACE mode = ap_none port = out
#pragma HLS INTERFACE mode = ap_ctrl_none port = return
#pragma HLS PIPELINE II = 1
    out = ftoe::kernel::tcp_rx_accept(state, seg);
}
