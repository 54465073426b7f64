// csum_top.hpp: the synthesis tops of the checksum kernels, one per bus width.
// Vitis HLS needs non-template top functions; the g++ scoreboards call these same
// functions, so what is tested is what is synthesized. They live in the global
// namespace with an ftoe_ prefix because Vitis HLS's set_top wants a plain name.
#pragma once

#include "csum.hpp"

uint16_t ftoe_csum_frame_64(hls::stream<ftoe::kernel::AxisBeat<64>>& in, uint16_t start, uint16_t end);
uint16_t ftoe_csum_frame_512(hls::stream<ftoe::kernel::AxisBeat<512>>& in, uint16_t start, uint16_t end);
void ftoe_ipv4_l4_csum_64(hls::stream<ftoe::kernel::AxisBeat<64>>& in, ftoe::kernel::Ipv4CsumResult& out);
void ftoe_ipv4_l4_csum_512(hls::stream<ftoe::kernel::AxisBeat<512>>& in, ftoe::kernel::Ipv4CsumResult& out);
uint16_t ftoe_csum_update32_top(uint16_t field, uint32_t old_value, uint32_t new_value);
