// stat_counters: a bank of N event counters of W bits (drop reasons, event kinds), one
// increment per cycle, read by index. The counters live in distributed RAM (read-modify-
// write in one cycle: asynchronous read, add, synchronous write), not N*W flip-flops.
// They wrap modulo 2^W; at 64 bits that is never in practice.
//
// Latency:    an increment accepted in cycle c is visible to a read issued in cycle c+1;
//             rd_value holds counter rd_idx (as of the end of cycle c) in cycle c+1.
// Throughput: 1 increment and 1 read per cycle, concurrently.
// Assumes:    after rst, the bank clears itself in N cycles; `ready` is low meanwhile
//             and increments in those cycles are not counted.
`include "ftoe_defs.svh"
`default_nettype none
module stat_counters #(
    // Number of counters, 2..1024
    parameter int N = 32,
    // Bits per counter, 8..64
    parameter int W = 64
) (
    input  wire logic                 clk,
    input  wire logic                 rst,
    // count one event
    input  wire logic                 s_inc_valid,
    input  wire logic [$clog2(N)-1:0] s_inc_idx,
    // read one counter
    input  wire logic [$clog2(N)-1:0] rd_idx,
    output logic      [W-1:0]         rd_value,
    // the bank is cleared and counting
    output logic                      ready
);
    localparam int IW = $clog2(N);
    if (N < 2 || N > 1024 || W < 8 || W > 64) begin : g_bad_params
        `FTOE_ELAB_FATAL $fatal(1, "stat_counters: N=%0d must be in 2..1024 and W=%0d in 8..64", N, W);
    end

    logic [W-1:0]  count_q [N];
    logic [IW-1:0] clear_idx_q;

    always_ff @(posedge clk) begin
        if (!ready) count_q[clear_idx_q] <= '0;
        else if (s_inc_valid) count_q[s_inc_idx] <= count_q[s_inc_idx] + W'(1);
        rd_value <= count_q[rd_idx];
    end

    always_ff @(posedge clk) begin
        if (rst) begin
            ready       <= 1'b0;
            clear_idx_q <= '0;
        end else if (!ready) begin
            clear_idx_q <= clear_idx_q + IW'(1);
            if (clear_idx_q == IW'(N - 1)) ready <= 1'b1;
        end
    end
endmodule
`default_nettype wire
