// pipe_delay: a W-bit value delayed by exactly DEPTH clock cycles (DEPTH = 0: a wire).
// Datapath only: no reset, so synthesis may pack it into shift-register LUTs (SRL).
//
// Latency:    DEPTH cycles.
// Throughput: a new value every cycle.
// Assumes:    nothing; the caller delays its valid flag through its own reset register.
`include "ftoe_defs.svh"
`default_nettype none
module pipe_delay #(
    // Bits delayed
    parameter int W = 1,
    // Cycles of delay, 0..64
    parameter int DEPTH = 1
) (
    input  wire logic         clk,
    input  wire logic [W-1:0] d,
    output wire logic [W-1:0] q
);
    if (W < 1 || DEPTH < 0 || DEPTH > 64) begin : g_bad_params
        `FTOE_ELAB_FATAL $fatal(1, "pipe_delay: W=%0d must be >= 1 and DEPTH=%0d in 0..64", W, DEPTH);
    end

    if (DEPTH == 0) begin : g_wire
        assign q = d;
        wire logic unused_clk = clk;
    end else begin : g_regs
        logic [W-1:0] stage_q [DEPTH];
        always_ff @(posedge clk) begin
            stage_q[0] <= d;
            for (int i = 1; i < DEPTH; i++) stage_q[i] <= stage_q[i-1];
        end
        logic [W-1:0] last;
        always_comb last = stage_q[DEPTH-1];  // (Icarus: no assign from an array word)
        assign q = last;
    end
endmodule
`default_nettype wire
