// ftoe_defs.svh: macros shared by every RTL file. Included, never compiled alone.
`ifndef FTOE_DEFS_SVH
`define FTOE_DEFS_SVH

// Parameter checks stop elaboration: write
//     if (bad) begin : g_bad_x `FTOE_ELAB_FATAL $fatal(1, "module: why"); end
// Yosys and Verilator run $fatal at elaboration; Icarus 11 cannot, so there it fires at
// time 0, before any clock edge.
`ifdef __ICARUS__
`define FTOE_ELAB_FATAL initial
`else
`define FTOE_ELAB_FATAL
`endif

`endif
