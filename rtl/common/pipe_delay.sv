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
        // One variable per stage, not an unpacked array: Verilator shifts an array
        // through a delayed-assignment copy of every word each cycle, separate registers
        // need none (callgrind of ftoe-sim pair --app bulk --bytes 20000 --seed 3: 1.0%
        // fewer instructions for the whole system).
        for (genvar i = 0; i < DEPTH; i++) begin : g_stage
            logic [W-1:0] r;
            if (i == 0) begin : g_first
                always_ff @(posedge clk) r <= d;
            end else begin : g_next
                always_ff @(posedge clk) r <= g_stage[i-1].r;
            end
        end
        assign q = g_stage[DEPTH-1].r;
    end
endmodule
`default_nettype wire
