// rx_payload_store: the fast path's receive buffer. Every received frame is written
// into a BRAM ring as it arrives (its fate is not known yet); when the frame is
// classified, a payload-bearing segment of an installed session keeps its place as a
// record and everything else is given back. When tcp_rx has decided the segment, the
// in-order part of its payload, [payload start + s_dec_off, +s_dec_len), streams out on
// the app receive stream, realigned to lane 0 and tagged with the session (tdest).
// The ring and its records are this path's own, apart from the slow path's
// rx_frame_store: app backpressure never holds up slow-path frames, nor the reverse.
//
// Classification (s_cls_*) comes once per frame in frame order; decisions (s_dec_*)
// once per kept frame in the same order, any time later. Frames that find the ring or
// the record queue full are not stored, and m_cls_room says so when the frame is
// classified, so the caller drops the segment (RX_DROP_NO_BUFFER) before tcp_rx sees it:
// the peer retransmits what was never acknowledged.
//
// Latency:    the first payload beat is offered 4 + w cycles after its decision when the
//             reader is idle, w being the ring words that beat spans (1 or 2): record
//             taken, w word reads, beat registered. The rest follow at 1 beat/cycle, the
//             last carrying tlast and exact tkeep. tests/engine/rx_payload_store_cosim_test
//             holds these figures.
// Throughput: 1 beat/cycle in, never stalled; 1 beat/cycle out within a segment, and
//             3 + w cycles from one delivered segment's last beat to the next one's first
//             (the reader starts a record only when the previous one is done: prefetching
//             the next record is the way to line rate for small segments at 512 bits);
//             an undelivered record costs 1 cycle.
// Assumes:    tkeep contiguous, frames start at lane 0; at most 2^INFO_AW frames
//             between a frame's tlast and its classification; a kept frame's payload
//             (offset + length) lies within the frame.
`include "ftoe_defs.svh"
`default_nettype none
module rx_payload_store #(
    // Data bus width in bits: a power of two from 64 to 1024
    parameter int DATA_W = 64,
    // Ring size in bytes: a power of two, at least two 9 KiB frames
    parameter int BUF_BYTES = 32768,
    // Session id width carried on tdest
    parameter int SID_W = 12,
    // log2 of the frames that may wait between their tlast and their classification
    parameter int INFO_AW = 5,
    // log2 of the kept frames that may wait for their decision or for the app
    parameter int RQ_AW = 7
) (
    input  wire logic                clk,
    input  wire logic                rst,
    // MAC receive beats (as the parser sees them)
    input  wire logic [DATA_W-1:0]   s_axis_tdata,
    input  wire logic                s_axis_tvalid,
    input  wire logic                s_axis_tlast,
    // classification per frame, in order
    output logic                     m_cls_room,    // the frame classified next is stored
    input  wire logic                s_cls_valid,
    input  wire logic                s_cls_keep,    // its payload awaits a tcp_rx decision
    input  wire logic [15:0]         s_cls_off,     // payload's first byte in the frame
    // tcp_rx decision per kept frame, in order
    input  wire logic                s_dec_valid,
    input  wire logic                s_dec_deliver,
    input  wire logic [SID_W-1:0]    s_dec_sid,
    input  wire logic [15:0]         s_dec_off,     // first in-order byte within the payload
    input  wire logic [15:0]         s_dec_len,
    // app receive stream
    output logic [DATA_W-1:0]        m_axis_tdata,
    output logic [DATA_W/8-1:0]      m_axis_tkeep,
    output logic                     m_axis_tvalid,
    input  wire logic                m_axis_tready,
    output logic                     m_axis_tlast,
    output logic [SID_W-1:0]         m_axis_tdest
);
    localparam int NB = DATA_W / 8;
    localparam int LB = $clog2(NB);
    localparam int DEPTH = BUF_BYTES / NB;
    localparam int AW = $clog2(DEPTH);
    localparam int BW = AW + LB;                    // byte address in the ring
    localparam int RQ_DEPTH = 1 << RQ_AW;
    localparam int MARGIN = (1 << INFO_AW) + 4;     // frames between tlast and their record

    if (DATA_W < 64 || DATA_W > 1024 || (DATA_W & (DATA_W - 1)) != 0) begin : g_bad_data_w
        `FTOE_ELAB_FATAL $fatal(1, "rx_payload_store: DATA_W=%0d is not a power of two in 64..1024",
                                DATA_W);
    end
    if (BUF_BYTES < 2 * ftoe_pkg::HL_MAX_PAYLOAD || (BUF_BYTES & (BUF_BYTES - 1)) != 0)
    begin : g_bad_buf
        `FTOE_ELAB_FATAL $fatal(1, "rx_payload_store: BUF_BYTES=%0d must be a power of two >= 2*9216",
                                BUF_BYTES);
    end
    if (INFO_AW < 2 || INFO_AW > 7 || RQ_AW <= INFO_AW + 1 || RQ_AW > 10) begin : g_bad_aw
        `FTOE_ELAB_FATAL $fatal(1, "rx_payload_store: need 2 <= INFO_AW (%0d) < RQ_AW-1, RQ_AW (%0d) <= 10",
                                INFO_AW, RQ_AW);
    end

    // ---- Write side: every frame, unless the ring or the record queue is full ----------------
    logic [DATA_W-1:0] ring [DEPTH];
    logic [AW:0] free_ptr;
    logic [RQ_AW:0] rq_wr_q, rq_rd_q, dec_wr_q;
    wire logic [RQ_AW:0] rq_count = rq_wr_q - rq_rd_q;
    logic          ring_write, tail, tail_stored;
    logic [AW-1:0] ring_addr;
    logic [AW:0]   frame_start, frame_end;
    frame_ring_wr #(.AW(AW)) u_wr (
        .clk, .rst, .s_axis_tvalid, .s_axis_tlast,
        .s_refuse(32'(rq_count) >= 32'(RQ_DEPTH - MARGIN)), .free_ptr,
        .m_write(ring_write), .m_addr(ring_addr), .m_tail(tail), .m_stored(tail_stored),
        .m_start(frame_start), .m_end(frame_end)
    );
    always_ff @(posedge clk) begin
        if (ring_write) ring[ring_addr] <= s_axis_tdata;
    end

    // ---- Frame info, joined with its classification ------------------------------------------
    localparam int INFO_DEPTH = 1 << INFO_AW;
    logic [2*AW+2:0] info [INFO_DEPTH];             // {stored, start, end}
    logic [INFO_AW:0] info_wr_q, info_rd_q;
    logic [2*AW+2:0] head_info;
    always_comb head_info = info[info_rd_q[INFO_AW-1:0]];
    always_comb m_cls_room = head_info[2*AW+2];
    wire logic [AW:0] head_start = head_info[2*AW+1 -: AW + 1];
    wire logic [AW:0] head_end   = head_info[AW:0];
    always_ff @(posedge clk) begin
        if (tail) info[info_wr_q[INFO_AW-1:0]] <= {tail_stored, frame_start, frame_end};
    end

    // Records of kept frames {start, payload offset}, their decisions written in place.
    logic [AW:0]  rec_start [RQ_DEPTH];
    logic [15:0]  rec_off [RQ_DEPTH];
    logic [SID_W+32:0] rec_dec [RQ_DEPTH];          // {deliver, sid, off, len}
    logic [AW:0]  cls_end_q;                        // end of the last classified frame
    wire logic rq_push = s_cls_valid && s_cls_keep;
    always_ff @(posedge clk) begin
        if (rq_push) begin
            rec_start[rq_wr_q[RQ_AW-1:0]] <= head_start;
            rec_off[rq_wr_q[RQ_AW-1:0]]   <= s_cls_off;
        end
        if (s_dec_valid)
            rec_dec[dec_wr_q[RQ_AW-1:0]] <= {s_dec_deliver, s_dec_sid, s_dec_off, s_dec_len};
    end
    always_ff @(posedge clk) begin
        if (rst) begin
            info_wr_q <= '0;
            info_rd_q <= '0;
            rq_wr_q   <= '0;
            dec_wr_q  <= '0;
            cls_end_q <= '0;
        end else begin
            if (tail) info_wr_q <= info_wr_q + (INFO_AW + 1)'(1);
            if (s_cls_valid) begin
                info_rd_q <= info_rd_q + (INFO_AW + 1)'(1);
                cls_end_q <= head_end;
            end
            if (rq_push) rq_wr_q <= rq_wr_q + (RQ_AW + 1)'(1);
            if (s_dec_valid) dec_wr_q <= dec_wr_q + (RQ_AW + 1)'(1);
        end
    end

    // The oldest word still needed: the oldest record's frame, else everything classified
    // is free. Frames not yet classified lie beyond cls_end_q, so they are held either way.
    logic [AW:0]  oldest_start;
    logic [15:0]  oldest_off;
    logic [SID_W+32:0] oldest_dec;
    always_comb begin
        oldest_start = rec_start[rq_rd_q[RQ_AW-1:0]];
        oldest_off   = rec_off[rq_rd_q[RQ_AW-1:0]];
        oldest_dec   = rec_dec[rq_rd_q[RQ_AW-1:0]];
        free_ptr     = rq_count != '0 ? oldest_start : cls_end_q;
    end

    // ---- Reader: one decided record at a time ------------------------------------------------
    // The payload starts at byte `shift` of its first word; each beat joins the rest of one
    // word with the start of the next. Words are read ahead into a 4-deep FIFO.
    wire logic        dec_deliver = oldest_dec[SID_W+32];
    wire logic [15:0] dec_len     = oldest_dec[15:0];
    wire logic [15:0] dec_off     = oldest_dec[31:16];
    wire logic decided = dec_wr_q != rq_rd_q;
    logic        busy_q;
    logic [AW-1:0] fetch_word_q;
    logic [16:0] fetch_left_q;                      // words still to read
    logic [16:0] words_left_q;                      // words still to pop
    logic [15:0] bytes_left_q;
    logic [LB-1:0] shift_q;
    logic [SID_W-1:0] sid_q;

    // where a decided record's payload begins, and how many words it spans
    wire logic [BW-1:0] pay_addr = {oldest_start[AW-1:0], {LB{1'b0}}} + BW'(oldest_off)
                                   + BW'(dec_off);
    wire logic [16:0] span_words = (17'(pay_addr[LB-1:0]) + 17'(dec_len) + 17'(NB - 1)) >> LB;

    // word FIFO
    logic [DATA_W-1:0] wf [4];
    logic [1:0] wf_rd_q, wf_wr_q;
    logic [2:0] wf_count_q;
    logic       pending_q;
    logic [DATA_W-1:0] rd_data;
    wire logic fetch = busy_q && fetch_left_q != '0 && (32'(wf_count_q) + 32'(pending_q)) < 4;
    always_ff @(posedge clk) begin
        if (fetch) rd_data <= ring[fetch_word_q];
    end
    logic [DATA_W-1:0] w0, w1;
    always_comb begin
        w0 = wf[wf_rd_q];
        w1 = wf[wf_rd_q + 2'd1];
    end

    // the next beat
    wire logic last_beat = bytes_left_q <= 16'(NB);
    wire logic [LB:0] beat_bytes = last_beat ? (LB + 1)'(bytes_left_q) : (LB + 1)'(NB);
    wire logic [2:0] pops = last_beat ? 3'(words_left_q) : 3'd1;
    wire logic [2:0] needs = (32'(shift_q) + 32'(beat_bytes) > NB) ? 3'd2 : 3'd1;
    wire logic out_free = !m_axis_tvalid || m_axis_tready;
    wire logic emit = busy_q && out_free && wf_count_q >= needs && wf_count_q >= pops;
    logic [2*DATA_W-1:0] joined;
    always_comb joined = {w1, w0} >> {shift_q, 3'b000};
    // offsets wider than the ring's byte address only wrap; the top word is shifted out
    wire logic unused_bits = ^{oldest_off, dec_off, joined[2*DATA_W-1:DATA_W]};

    always_ff @(posedge clk) begin
        if (pending_q) wf[wf_wr_q] <= rd_data;
        if (emit) begin
            m_axis_tdata <= joined[DATA_W-1:0];
            m_axis_tkeep <= {NB{1'b1}} >> (NB - 32'(beat_bytes));
            m_axis_tlast <= last_beat;
            m_axis_tdest <= sid_q;
        end
    end
    always_ff @(posedge clk) begin
        if (rst) begin
            busy_q        <= 1'b0;
            rq_rd_q       <= '0;
            wf_rd_q       <= '0;
            wf_wr_q       <= '0;
            wf_count_q    <= '0;
            pending_q     <= 1'b0;
            m_axis_tvalid <= 1'b0;
        end else begin
            pending_q <= fetch;
            if (pending_q) wf_wr_q <= wf_wr_q + 2'd1;
            if (emit) wf_rd_q <= wf_rd_q + pops[1:0];
            wf_count_q <= wf_count_q + 3'(pending_q) - (emit ? pops : 3'd0);
            if (fetch) begin
                fetch_word_q <= fetch_word_q + AW'(1);
                fetch_left_q <= fetch_left_q - 17'd1;
            end
            if (m_axis_tvalid && m_axis_tready) m_axis_tvalid <= 1'b0;
            if (emit) begin
                m_axis_tvalid <= 1'b1;
                bytes_left_q  <= bytes_left_q - 16'(beat_bytes);
                words_left_q  <= words_left_q - 17'(pops);
                if (last_beat) begin
                    busy_q  <= 1'b0;
                    rq_rd_q <= rq_rd_q + (RQ_AW + 1)'(1);  // the frame's words are free
                end
            end
            if (!busy_q && decided) begin
                if (dec_deliver && dec_len != 16'd0) begin
                    busy_q       <= 1'b1;
                    fetch_word_q <= pay_addr[BW-1:LB];
                    fetch_left_q <= span_words;
                    words_left_q <= span_words;
                    bytes_left_q <= dec_len;
                    shift_q      <= pay_addr[LB-1:0];
                    sid_q        <= oldest_dec[SID_W+31 -: SID_W];
                end else begin
                    rq_rd_q <= rq_rd_q + (RQ_AW + 1)'(1);
                end
            end
        end
    end
endmodule
`default_nettype wire
