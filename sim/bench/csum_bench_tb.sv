// csum_bench_tb: Icarus Verilog testbench of rtl/csum/csum_stream.sv for ftoe-bench.
// Plays the beats of a stimulus file back to back (tvalid held high), writes each
// frame's sum to an output file and prints the simulated cycle count. ftoe-bench runs
// the same beats through the Verilated model and compares.
//
// Stimulus: $readmemh lines of {csum_end[15:0], csum_start[15:0], 3'b0, tlast,
// tkeep[DATA_W/8-1:0], tdata[DATA_W-1:0]}.
// Plusargs: +stim=FILE +stim_beats=N (lines in FILE) +beats=M (beats to play, M <= N)
//           +out=FILE
// Output:   "cycles C frames F" on stdout, C counting the played beats and a fixed
//           drain; ftoe-bench runs it once with M=0 (same start-up and file load, same
//           drain) and subtracts that run's time and cycles.
`timescale 1ns / 1ps
`default_nettype none
module csum_bench_tb;
    // Data bus width in bits, as csum_stream's DATA_W
    parameter int DATA_W = 64;
    // Capacity of the stimulus memory in beats; ftoe-bench is built with the same value
    parameter int MAX_BEATS = 1 << 20;
    localparam int NB = DATA_W / 8;
    localparam int LINE_W = DATA_W + NB + 4 + 32;

    logic [LINE_W-1:0] stim [MAX_BEATS];

    logic              clk = 1'b0;
    logic              rst = 1'b1;
    logic [DATA_W-1:0] tdata = '0;
    logic [NB-1:0]     tkeep = '0;
    logic              tvalid = 1'b0;
    logic              tlast = 1'b0;
    wire logic         tready;
    logic [15:0]       csum_start = '0, csum_end = '0;
    wire logic         sum_valid;
    wire logic [15:0]  sum;

    csum_stream #(.DATA_W(DATA_W)) dut (
        .clk, .rst,
        .s_axis_tdata(tdata), .s_axis_tkeep(tkeep), .s_axis_tvalid(tvalid),
        .s_axis_tready(tready), .s_axis_tlast(tlast),
        .csum_start, .csum_end, .sum_valid, .sum
    );

    always #1 clk = ~clk;

    logic [2:0]        pad;  // keeps tlast on a hex digit of its own in the stimulus
    string stim_file, out_file;
    int stim_beats, beats, out_fd, frames_out;
    longint cycles;

    always @(posedge clk) begin
        if (sum_valid) begin
            $fwrite(out_fd, "%04h\n", sum);
            frames_out = frames_out + 1;
        end
    end

    initial begin
        if (!$value$plusargs("stim=%s", stim_file) || !$value$plusargs("out=%s", out_file) ||
            !$value$plusargs("stim_beats=%d", stim_beats) || !$value$plusargs("beats=%d", beats)) begin
            $fatal(1, "usage: vvp csum_bench_tb.vvp +stim=F +stim_beats=N +beats=M +out=F");
        end
        if (stim_beats > MAX_BEATS || beats > stim_beats) begin
            $fatal(1, "csum_bench_tb: %0d stimulus beats (%0d to play), MAX_BEATS=%0d",
                   stim_beats, beats, MAX_BEATS);
        end
        if (stim_beats > 0) $readmemh(stim_file, stim, 0, stim_beats - 1);
        out_fd = $fopen(out_file, "w");
        if (out_fd == 0) $fatal(1, "csum_bench_tb: cannot write %0s", out_file);
        frames_out = 0;
        // Inputs change on the falling edge only, so no input races the DUT's flops.
        repeat (4) @(negedge clk);
        rst = 1'b0;
        cycles = 0;
        for (int i = 0; i < beats; i++) begin
            @(negedge clk);
            {csum_end, csum_start, pad, tlast, tkeep, tdata} = stim[i];
            tvalid = 1'b1;
            cycles = cycles + 1;
        end
        @(negedge clk);
        tvalid = 1'b0;
        // Drain: the last sum arrives a fixed few cycles after the last beat.
        repeat (8) begin
            @(negedge clk);
            cycles = cycles + 1;
        end
        $fclose(out_fd);
        $display("cycles %0d frames %0d", cycles, frames_out);
        $finish;
    end
endmodule
`default_nettype wire
