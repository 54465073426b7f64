// csum_stream: RFC 1071 ones'-complement sum of a byte range of each frame on an
// AXI4-Stream. The range [csum_start, csum_end) is given in bytes from the first byte
// of the frame, so one unit serves the IPv4 header, the TCP segment or a whole frame.
// The range applies to the beat presented with it: a parent holds it for the frame,
// or refines it as header fields arrive (csum_ipv4_l4 does), as long as each beat sees
// the right range for its own bytes.
//
// Latency:    sum_valid is high for one cycle exactly LATENCY = TREE_STAGES + 1 cycles
//             after the cycle in which the tlast beat is accepted, where
//             TREE_STAGES = ceil(log2(DATA_W/16) / LEVELS_PER_STAGE):
//             DATA_W=64 -> 2 cycles, DATA_W=512 -> 4 cycles (LEVELS_PER_STAGE=2).
// Throughput: 1 beat/cycle; s_axis_tready is constant 1 (never stalls), frames may
//             follow each other back to back with no idle cycle.
// Assumes:    every beat but the tlast beat has all tkeep bits set; on the tlast beat
//             any tkeep pattern is allowed and a lane with tkeep=0 contributes nothing.
//             The result is the folded sum, not its complement: a received header or
//             segment is valid when its sum (pseudo-header included) is 16'hFFFF, and
//             the checksum field to transmit is ~sum computed with the field zeroed.
//             An odd csum_start is handled (words pair up from csum_start, RFC 1071).
`include "ftoe_defs.svh"
`default_nettype none
module csum_stream #(
    // Data bus width in bits: a power of two from 32 to 1024 (64 = 10G, 512 = 100G)
    parameter int DATA_W = 64,
    // Adder-tree levels between pipeline registers: fewer = shorter paths, more latency
    parameter int LEVELS_PER_STAGE = 2,
    // Width of the byte offsets csum_start/csum_end (16 covers any IPv4 datagram)
    parameter int OFF_W = 16
) (
    input  wire logic              clk,
    input  wire logic              rst,
    // frame in
    input  wire logic [DATA_W-1:0]   s_axis_tdata,
    input  wire logic [DATA_W/8-1:0] s_axis_tkeep,
    input  wire logic                s_axis_tvalid,
    output wire logic                s_axis_tready,
    input  wire logic                s_axis_tlast,
    // byte range to sum, for the bytes of the beat presented with it
    input  wire logic [OFF_W-1:0]    csum_start,
    input  wire logic [OFF_W-1:0]    csum_end,
    // per-frame result
    output logic                     sum_valid,
    output logic [15:0]              sum
);
    localparam int NB = DATA_W / 8;                 // bytes per beat
    localparam int NW = DATA_W / 16;                // 16-bit words per beat
    localparam int LEVELS = $clog2(NW);             // adder-tree depth
    localparam int TREE_STAGES = (LEVELS + LEVELS_PER_STAGE - 1) / LEVELS_PER_STAGE;
    localparam int SW = 16 + LEVELS;                // beat-sum width: no overflow
    localparam int AW = SW + 2;                     // accumulator width, see acc_next
    localparam int LW = $clog2(NB) + 1;             // lane index 0..NB
    localparam int PW = OFF_W + 1;                  // frame byte position, saturating

    // Elaboration-time parameter checks: bad combinations never produce hardware.
    if (DATA_W < 32 || DATA_W > 1024 || (DATA_W & (DATA_W - 1)) != 0) begin : g_bad_data_w
        `FTOE_ELAB_FATAL $fatal(1, "csum_stream: DATA_W=%0d is not a power of two in 32..1024",
                                DATA_W);
    end
    if (LEVELS_PER_STAGE < 1) begin : g_bad_levels
        `FTOE_ELAB_FATAL $fatal(1, "csum_stream: LEVELS_PER_STAGE=%0d must be >= 1",
                                LEVELS_PER_STAGE);
    end
    if (OFF_W < LW || OFF_W > 30) begin : g_bad_off_w
        `FTOE_ELAB_FATAL $fatal(1, "csum_stream: OFF_W=%0d must be in %0d..30", OFF_W, LW);
    end

    assign s_axis_tready = 1'b1;
    wire logic beat = s_axis_tvalid;  // tready is constant 1

    // ---- Byte range of this beat -------------------------------------------------
    logic             in_frame_q;     // a frame has started and not yet ended
    logic [PW-1:0]    pos_q;          // frame byte offset of lane 0 of the next beat

    wire logic [PW-1:0]    pos      = in_frame_q ? pos_q : '0;
    wire logic [OFF_W-1:0] start_b  = csum_start;
    wire logic [OFF_W-1:0] end_b    = csum_end;

    // Clip an offset to this beat: 0 if at or before lane 0, NB if past the last lane.
    function automatic logic [LW-1:0] clip_to_beat(input logic [OFF_W-1:0] off,
                                                   input logic [PW-1:0] base);
        logic [PW:0] rel;
        rel = {2'b00, off} - {1'b0, base};
        if (rel[PW]) clip_to_beat = {LW{1'b0}};              // off < base
        else if (rel >= (PW + 1)'(NB)) clip_to_beat = LW'(NB);
        else clip_to_beat = rel[LW-1:0];
    endfunction

    wire logic [LW-1:0] lane_lo = clip_to_beat(start_b, pos);
    wire logic [LW-1:0] lane_hi = clip_to_beat(end_b, pos);

    // Words of the beat with out-of-range and tkeep=0 bytes zeroed. Byte 2k of a beat is
    // at an even frame offset (NB is even), so it is the high byte of word k. Only in a
    // beat's cycle, and the tree's stages load only with their beat (clock enables), so
    // the simulated model skips them between beats.
    logic [NW*SW-1:0] words;
    always_comb begin
        words = '0;
        if (beat) for (int k = 0; k < NW; k++) begin
            for (int b = 0; b < 2; b++) begin
                if (s_axis_tkeep[2*k+b] && LW'(2*k+b) >= lane_lo && LW'(2*k+b) < lane_hi)
                    words[k*SW + 8*(1-b) +: 8] = s_axis_tdata[8*(2*k+b) +: 8];
            end
        end
    end

    always_ff @(posedge clk) begin
        if (rst) begin
            in_frame_q <= 1'b0;
        end else if (beat) begin
            in_frame_q <= !s_axis_tlast;
        end
    end

    always_ff @(posedge clk) begin
        if (beat) begin
            // Saturate: once past 2^OFF_W every later byte is past csum_end anyway.
            pos_q   <= pos[PW-1] ? pos : pos + PW'(NB);
        end
    end

    // ---- Pipelined adder tree: NW words -> one SW-bit beat sum ---------------------
    // Adds tree levels [first, first+count) in place; word k of level l+1 is the sum of
    // words 2k and 2k+1 of level l.
    function automatic logic [NW*SW-1:0] add_levels(input logic [NW*SW-1:0] v,
                                                    input int first, input int count);
        for (int l = 0; l < LEVELS; l++) begin
            if (l >= first && l < first + count) begin
                for (int k = 0; k < NW / 2; k++) begin
                    if (k < (NW >> (l + 1)))
                        v[k*SW +: SW] = v[2*k*SW +: SW] + v[(2*k+1)*SW +: SW];
                end
            end
        end
        add_levels = v;
    endfunction

    logic [NW*SW-1:0]       tree_q [TREE_STAGES];
    logic [TREE_STAGES-1:0] valid_q;
    logic [TREE_STAGES-1:0] last_q;
    logic [TREE_STAGES-1:0] odd_q;   // range starts at an odd offset

    always_ff @(posedge clk) begin
        if (beat) begin
            tree_q[0] <= add_levels(words, 0, LEVELS_PER_STAGE);
            last_q[0] <= s_axis_tlast;
            odd_q[0]  <= start_b[0];
        end
        for (int s = 1; s < TREE_STAGES; s++) begin
            if (valid_q[s-1]) begin
                tree_q[s] <= add_levels(tree_q[s-1], s * LEVELS_PER_STAGE, LEVELS_PER_STAGE);
                last_q[s] <= last_q[s-1];
                odd_q[s]  <= odd_q[s-1];
            end
        end
    end

    always_ff @(posedge clk) begin
        if (rst) begin
            valid_q <= '0;
        end else begin
            valid_q[0] <= beat;
            for (int s = 1; s < TREE_STAGES; s++) valid_q[s] <= valid_q[s-1];
        end
    end

    // ---- Accumulate across beats, fold and emit on the last beat --------------------
    // Read through always_comb: Icarus 11 does not propagate a continuous assignment
    // from a word of an unpacked array.
    /* verilator lint_off UNUSEDSIGNAL */  // words 1.. are spent tree slots; synthesis drops them
    logic [NW*SW-1:0] tree_out;
    /* verilator lint_on UNUSEDSIGNAL */
    always_comb tree_out = tree_q[TREE_STAGES-1];
    wire logic [SW-1:0] beat_sum  = tree_out[SW-1:0];
    wire logic          tree_v    = valid_q[TREE_STAGES-1];
    wire logic          tree_last = last_q[TREE_STAGES-1];
    wire logic          tree_odd  = odd_q[TREE_STAGES-1];

    logic [AW-1:0] acc_q;        // partially folded running sum of the frame
    logic          acc_first_q;  // next tree beat starts a frame

    // Folding acc_q's carries back in each beat keeps it bounded for any frame length:
    // 2^16 + 2^(AW-16) + 2^SW < 2^AW.
    wire logic [AW-1:0] acc_prev = acc_first_q ? '0
                                 : AW'(acc_q[15:0]) + AW'(acc_q[AW-1:16]);
    wire logic [AW-1:0] acc_next = acc_prev + AW'(beat_sum);
    // End-around carry: two folds suffice because acc_next[AW-1:16] < 2^(AW-16) is small.
    wire logic [16:0]   fold1    = 17'(acc_next[15:0]) + 17'(acc_next[AW-1:16]);
    wire logic [15:0]   folded   = fold1[15:0] + 16'(fold1[16]);

    always_ff @(posedge clk) begin
        if (tree_v) acc_q <= acc_next;
        if (tree_v && tree_last)
            sum <= tree_odd ? {folded[7:0], folded[15:8]} : folded;  // RFC 1071 swap
    end

    always_ff @(posedge clk) begin
        if (rst) begin
            acc_first_q <= 1'b1;
            sum_valid   <= 1'b0;
        end else begin
            if (tree_v) acc_first_q <= tree_last;
            sum_valid <= tree_v && tree_last;
        end
    end
endmodule
`default_nettype wire
