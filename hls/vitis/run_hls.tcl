# run_hls.tcl: C-synthesize ftoe's HLS kernels with Vitis HLS (2022.1 or later).
#
#   cd hls/vitis && vitis_hls -f run_hls.tcl            # all tops, default part
#   FTOE_HLS_PART=xc7a200tsbg484-1 FTOE_HLS_CLOCK_NS=6.4 vitis_hls -f run_hls.tcl
#
# Each top gets its own project under hls/vitis/build/<top>/ with the C-synthesis report
# in solution1/syn/report/. CI cannot run this (Vitis HLS is not a Debian package); CI
# runs the same sources under g++ as the RTL scoreboard. See docs/hls.md.

set here [file dirname [file normalize [info script]]]
set src  [file normalize "$here/.."]

set part "xc7a200tsbg484-1"
if {[info exists ::env(FTOE_HLS_PART)]} { set part $::env(FTOE_HLS_PART) }
# 6.4 ns = 156.25 MHz, the 10G engine clock.
set clock_ns 6.4
if {[info exists ::env(FTOE_HLS_CLOCK_NS)]} { set clock_ns $::env(FTOE_HLS_CLOCK_NS) }

set tops {ftoe_csum_frame_64 ftoe_csum_frame_512 ftoe_ipv4_l4_csum_64 ftoe_ipv4_l4_csum_512
          ftoe_csum_update32_top ftoe_tcp_options_parse ftoe_tcp_rx_accept ftoe_tcp_tx_cc}
if {[info exists ::env(FTOE_HLS_TOPS)]} { set tops $::env(FTOE_HLS_TOPS) }

foreach top $tops {
    open_project -reset "$here/build/$top"
    set_top $top
    add_files "$src/csum_top.cpp" -cflags "-std=c++14 -I$src"
    add_files "$src/engine_top.cpp" -cflags "-std=c++14 -I$src"
    add_files "$src/tcp_rx.cpp" -cflags "-std=c++14 -I$src"
    add_files "$src/tcp_tx.cpp" -cflags "-std=c++14 -I$src"
    open_solution -reset solution1 -flow_target vivado
    set_part $part
    create_clock -period $clock_ns -name default
    csynth_design
    close_project
}
exit
