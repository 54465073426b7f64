// bypass_ram: DEPTH entries of W bits with one write port and one read port (a simple
// dual-port block RAM) whose read sees a write to the same entry in the same cycle. The
// per-session state tables of tcp_rx_session and tcp_tx_session are built on it: they read
// a session's state in the cycle in which its previous event may write it back.
//
// rd_data, the cycle after rd_en: the entry as it stands at the end of rd_en's cycle, so
// a write to it in that cycle is what the read returns (the memory itself returns the old
// value; the written data is forwarded around it). rd_valid marks that cycle; in any
// other, rd_data is 0, so the simulated model skips the copy. A consumer should take
// rd_valid as its stage's valid rather than keep its own copy of it: Verilator then finds
// the RAM's output and the stage's logic under one condition and evaluates both only in
// that cycle (a copy of the flag cost the engine's model 2.5% more instructions).
//
// Latency:    1 cycle from rd_en to rd_valid and rd_data.
// Throughput: a read and a write every cycle.
// Assumes:    nothing; rst clears only rd_valid (a RAM has no reset).
`include "ftoe_defs.svh"
`default_nettype none
module bypass_ram #(
    // Entries, 2..65536
    parameter int DEPTH = 4096,
    // Bits per entry
    parameter int W = 32
) (
    input  wire logic                     clk,
    input  wire logic                     rst,
    input  wire logic                     wr_en,
    input  wire logic [$clog2(DEPTH)-1:0] wr_addr,
    input  wire logic [W-1:0]             wr_data,
    input  wire logic                     rd_en,
    input  wire logic [$clog2(DEPTH)-1:0] rd_addr,
    output logic                          rd_valid,   // rd_en was 1 in the last cycle
    output logic      [W-1:0]             rd_data
);
    if (DEPTH < 2 || DEPTH > 65536 || W < 1) begin : g_bad_params
        `FTOE_ELAB_FATAL $fatal(1, "bypass_ram: DEPTH=%0d must be in 2..65536 and W=%0d >= 1",
                                DEPTH, W);
    end

    logic [W-1:0] mem [DEPTH];
    logic [W-1:0] mem_q;          // the memory's answer (read enable: a BRAM's EN)
    logic [W-1:0] wr_data_q;      // the last write, for a read of the same entry
    logic         same_q;
    always_ff @(posedge clk) begin
        if (wr_en) mem[wr_addr] <= wr_data;
        if (rd_en) mem_q <= mem[rd_addr];
        if (wr_en) wr_data_q <= wr_data;
        same_q <= wr_en && wr_addr == rd_addr;
        rd_valid <= !rst && rd_en;
    end
    always_comb begin
        rd_data = '0;
        if (rd_valid) rd_data = same_q ? wr_data_q : mem_q;
    end
endmodule
`default_nettype wire
