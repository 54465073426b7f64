// engine_top.hpp: Vitis HLS tops of the TCP reference kernels (see csum_top.hpp for
// why they are plain global functions). The tests call these, so what is tested is what
// Vitis would synthesize.
#pragma once

#include <cstdint>

#include "tcp_options.hpp"
#include "tcp_rx.hpp"

// One option list (byte i of the TCP options in opts[i], `len` of them) -> parsed.
void ftoe_tcp_options_parse(const uint8_t opts[ftoe::kernel::kTcpMaxOptionBytes], uint8_t len,
                            ftoe::kernel::TcpOptions& out);

// One segment against one session's receive-side state -> decision and next state.
void ftoe_tcp_rx_accept(const ftoe::kernel::TcpRxState& state,
                        const ftoe::kernel::TcpRxSegment& seg,
                        ftoe::kernel::TcpRxDecision& out);
