// csum_top.cpp: see csum_top.hpp. Interface pragmas: frames arrive as AXI4-Stream,
// scalars and results over AXI4-Lite (s_axilite) with block-level handshake.
#include "csum_top.hpp"

uint16_t ftoe_csum_frame_64(hls::stream<ftoe::kernel::AxisBeat<64>>& in, uint16_t start, uint16_t end) {
#pragma HLS INTERFACE mode = axis port = in
#pragma HLS INTERFACE mode = s_axilite port = start
#pragma HLS INTERFACE mode = s_axilite port = end
#pragma HLS INTERFACE mode = s_axilite port = return
    return ftoe::kernel::csum_frame<64>(in, start, end);
}

uint16_t ftoe_csum_frame_512(hls::stream<ftoe::kernel::AxisBeat<512>>& in, uint16_t start, uint16_t end) {
#pragma HLS INTERFACE mode = axis port = in
#pragma HLS INTERFACE mode = s_axilite port = start
#pragma HLS INTERFACE mode = s_axilite port = end
#pragma HLS INTERFACE mode = s_axilite port = return
    return ftoe::kernel::csum_frame<512>(in, start, end);
}

void ftoe_ipv4_l4_csum_64(hls::stream<ftoe::kernel::AxisBeat<64>>& in, ftoe::kernel::Ipv4CsumResult& out) {
#pragma HLS INTERFACE mode = axis port = in
#pragma HLS INTERFACE mode = s_axilite port = out
#pragma HLS INTERFACE mode = s_axilite port = return
    out = ftoe::kernel::ipv4_l4_csum<64>(in);
}

void ftoe_ipv4_l4_csum_512(hls::stream<ftoe::kernel::AxisBeat<512>>& in, ftoe::kernel::Ipv4CsumResult& out) {
#pragma HLS INTERFACE mode = axis port = in
#pragma HLS INTERFACE mode = s_axilite port = out
#pragma HLS INTERFACE mode = s_axilite port = return
    out = ftoe::kernel::ipv4_l4_csum<512>(in);
}

uint16_t ftoe_csum_update32_top(uint16_t field, uint32_t old_value, uint32_t new_value) {
#pragma HLS INTERFACE mode = ap_none port = field
#pragma HLS INTERFACE mode = ap_none port = old_value
#pragma HLS INTERFACE mode = ap_none port = new_value
#pragma HLS INTERFACE mode = ap_ctrl_none port = return
#pragma HLS PIPELINE II = 1
    return ftoe::kernel::csum_update32(field, old_value, new_value);
}
