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

// Byte i of a vector whose byte 0 is bits 7:0. A macro rather than a function of the whole
// vector: Verilator copies (and first clears) a function's vector argument on every call,
// which for a header of 100+ bytes decoded every cycle is most of a model's time.
`define FTOE_BYTE(v, i) v[8*(i) +: 8]
// The big-endian 32-bit field at bytes i..i+3 of such a vector.
`define FTOE_BE32(v, i) {v[8*(i) +: 8], v[8*(i)+8 +: 8], v[8*(i)+16 +: 8], v[8*(i)+24 +: 8]}

`endif
