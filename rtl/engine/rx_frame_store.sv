// rx_frame_store: keeps every received frame in a BRAM ring until its fate is decided,
// then frees it or hands it to the host as a slow-path event (header + byte stream for
// hl_tx through the event arbiter). The MAC RX stream is never stalled: a frame that
// finds the ring (or the record queue) full is not stored, and m_dec_stored says so
// when its decision is due, so the caller counts it as RX_DROP_NO_BUFFER.
//
// Decisions arrive in frame order, one per frame, at most INFO_DEPTH frames behind the
// frames' tlast beats (the caller's fixed-latency pipeline keeps far fewer in flight);
// a small FIFO joins each frame's bookkeeping with its decision. m_dec_stored shows the
// oldest undecided frame's storage, so the caller can fold it into its decision.
//
// Latency:    a kept frame's event header is offered 3 cycles after its decision when
//             the reader is idle (queued, taken, loaded); its payload then streams at 1
//             byte/cycle (a word read ahead, no bubbles at word edges). tests/engine holds both: the first event byte 13
//             cycles after tlast, every byte after it in the next cycle.
// Throughput: 1 beat/cycle in, never stalled; frames back to back.
// Assumes:    tkeep contiguous (a frame's length comes with its decision); decisions for
//             frames that were not stored (m_dec_stored low) must not ask to keep them.
`include "ftoe_defs.svh"
`default_nettype none
module rx_frame_store #(
    // Data bus width in bits: a power of two from 64 to 1024
    parameter int DATA_W = 64,
    // Ring size in bytes: a power of two, at least two 9 KiB frames
    parameter int BUF_BYTES = 32768,
    // log2 of the frames that may wait between their tlast and their decision
    parameter int INFO_AW = 5
) (
    input  wire logic                clk,
    input  wire logic                rst,
    // MAC receive beats (as the parser sees them)
    input  wire logic [DATA_W-1:0]   s_axis_tdata,
    input  wire logic                s_axis_tvalid,
    input  wire logic                s_axis_tlast,
    output logic                     m_dec_stored,  // the frame decided next is wholly stored
    // decision per frame, in order
    input  wire logic                s_dec_valid,
    input  wire logic                s_dec_keep,    // send to the host
    input  wire logic [15:0]         s_dec_len,     // frame bytes
    input  wire logic [15:0]         s_dec_arg,     // event argument (the reason)
    // slow-path event out (kind HL_EVT_SLOW_PATH)
    output logic                     m_evt_valid,
    input  wire logic                m_evt_ready,
    output logic [15:0]              m_evt_len,
    output logic [15:0]              m_evt_arg,
    output logic [7:0]               m_pay_tdata,
    output logic                     m_pay_tvalid,
    input  wire logic                m_pay_tready,
    output logic                     m_pay_tlast
);
    localparam int NB = DATA_W / 8;
    localparam int LB = $clog2(NB);
    localparam int DEPTH = BUF_BYTES / NB;
    localparam int AW = $clog2(DEPTH);
    localparam int RQ_AW = 9;                       // record queue: 512 frames
    localparam int RQ_DEPTH = 1 << RQ_AW;
    localparam int MARGIN = (1 << INFO_AW) + 4;     // frames between tlast and their record

    if (DATA_W < 64 || DATA_W > 1024 || (DATA_W & (DATA_W - 1)) != 0) begin : g_bad_data_w
        `FTOE_ELAB_FATAL $fatal(1, "rx_frame_store: DATA_W=%0d is not a power of two in 64..1024",
                                DATA_W);
    end
    if (BUF_BYTES < 2 * ftoe_pkg::HL_MAX_PAYLOAD || (BUF_BYTES & (BUF_BYTES - 1)) != 0)
    begin : g_bad_buf
        `FTOE_ELAB_FATAL $fatal(1, "rx_frame_store: BUF_BYTES=%0d must be a power of two >= 2*9216",
                                BUF_BYTES);
    end
    if (INFO_AW < 2 || INFO_AW > 7) begin : g_bad_info
        `FTOE_ELAB_FATAL $fatal(1, "rx_frame_store: INFO_AW=%0d must be in 2..7", INFO_AW);
    end

    // ---- Write side ---------------------------------------------------------------------
    // A frame is refused at its first beat when the record queue could overflow; any
    // beat that finds the ring full loses the frame.
    logic [DATA_W-1:0] ring [DEPTH];
    logic [AW:0] free_ptr_q;                        // oldest word still held
    logic [RQ_AW:0] rq_count;                       // records queued (see below)
    logic          ring_write, tail, tail_stored;
    logic [AW-1:0] ring_addr;
    logic [AW:0]   tail_start, tail_end;
    frame_ring_wr #(.AW(AW)) u_wr (
        .clk, .rst, .s_axis_tvalid, .s_axis_tlast,
        .s_refuse(32'(rq_count) >= 32'(RQ_DEPTH - MARGIN)), .free_ptr(free_ptr_q),
        .m_write(ring_write), .m_addr(ring_addr), .m_tail(tail), .m_stored(tail_stored),
        .m_start(tail_start), .m_end(tail_end)
    );
    wire logic [AW:0] frame_words = tail_end - tail_start;
    always_ff @(posedge clk) begin
        if (ring_write) ring[ring_addr] <= s_axis_tdata;
    end

    // ---- Join the frame's words with its decision ----------------------------------------
    localparam int INFO_DEPTH = 1 << INFO_AW;
    logic [AW+1:0]  info [INFO_DEPTH];              // {stored, words}
    logic [INFO_AW:0] info_wr_q, info_rd_q;
    logic [AW+1:0]  tail_info;
    always_comb tail_info = info[info_rd_q[INFO_AW-1:0]];
    always_comb m_dec_stored = tail_info[AW+1];
    always_ff @(posedge clk) begin
        if (tail) info[info_wr_q[INFO_AW-1:0]] <= {tail_stored, frame_words};
    end
    always_ff @(posedge clk) begin
        if (rst) begin
            info_wr_q <= '0;
            info_rd_q <= '0;
        end else begin
            if (tail) info_wr_q <= info_wr_q + (INFO_AW + 1)'(1);
            if (s_dec_valid) info_rd_q <= info_rd_q + (INFO_AW + 1)'(1);
        end
    end

    // ---- Record queue: one record per stored frame, in order -----------------------------
    // {keep, words, len, arg}
    localparam int RW = 1 + (AW + 1) + 16 + 16;
    logic [RW-1:0] rq [RQ_DEPTH];
    logic [RQ_AW:0] rq_wr_q, rq_rd_q;
    always_comb rq_count = rq_wr_q - rq_rd_q;
    wire logic rq_push = s_dec_valid && tail_info[AW:0] != '0;
    always_ff @(posedge clk) begin
        if (rq_push) rq[rq_wr_q[RQ_AW-1:0]] <= {s_dec_keep, tail_info[AW:0], s_dec_len, s_dec_arg};
    end
    always_ff @(posedge clk) begin
        if (rst) rq_wr_q <= '0;
        else if (rq_push) rq_wr_q <= rq_wr_q + (RQ_AW + 1)'(1);
    end

    // ---- Reader: free dropped frames, stream kept ones ----------------------------------
    // Records are taken in order, so the frame being read always starts at free_ptr_q.
    // Two word slots (cur, next) are filled by BRAM reads (1 cycle) ahead of the bytes.
    localparam logic [1:0] R_IDLE = 2'd0, R_LOAD = 2'd1, R_OFFER = 2'd2, R_STREAM = 2'd3;
    logic [1:0]        rstate_q;
    logic [RW-1:0]     rec_q;
    logic [AW:0]       rd_q;                        // next word to read from the ring
    logic [AW:0]       words_left_q;                // words still to read for this frame
    logic [15:0]       left_q;                      // payload bytes still to send
    logic [DATA_W-1:0] cur_q, next_q, rd_data;
    logic              cur_valid_q, next_valid_q, rd_pending_q;
    logic [LB-1:0]     byte_q;                      // byte of cur_q on m_pay

    wire logic [AW:0] rec_words   = rec_q[RW-2 -: AW + 1];
    wire logic [15:0] rec_len     = rec_q[31:16];
    wire logic        rec_keep    = rec_q[RW-1];
    wire logic [15:0] clipped_len = rec_len > 16'(ftoe_pkg::HL_MAX_PAYLOAD)
                                    ? 16'(ftoe_pkg::HL_MAX_PAYLOAD) : rec_len;

    always_ff @(posedge clk) rd_data <= ring[rd_q[AW-1:0]];

    assign m_evt_valid  = rstate_q == R_OFFER;
    assign m_evt_len    = clipped_len;
    assign m_evt_arg    = rec_q[15:0];
    assign m_pay_tvalid = rstate_q == R_STREAM && cur_valid_q;
    assign m_pay_tdata  = cur_q[8*byte_q +: 8];
    assign m_pay_tlast  = left_q == 16'd1;
    wire logic pay_hs   = m_pay_tvalid && m_pay_tready;
    wire logic frame_end = pay_hs && left_q == 16'd1;
    wire logic consume  = pay_hs && byte_q == LB'(NB - 1);   // cur_q's last byte went
    wire logic reading  = rstate_q == R_OFFER || rstate_q == R_STREAM;
    wire logic [1:0] held = 2'(cur_valid_q) + 2'(next_valid_q) + 2'(rd_pending_q);
    wire logic fetch    = reading && !frame_end && words_left_q != '0 && held < 2'd2;

    always_ff @(posedge clk) begin
        logic [DATA_W-1:0] c, n;
        logic c_v, n_v;
        // word slots: shift on consume, then take the word that arrives
        c = cur_q; c_v = cur_valid_q; n = next_q; n_v = next_valid_q;
        if (consume) begin
            c = n; c_v = n_v; n_v = 1'b0;
        end
        if (rd_pending_q && reading) begin
            if (!c_v) begin c = rd_data; c_v = 1'b1; end
            else begin n = rd_data; n_v = 1'b1; end
        end
        cur_q <= c;
        next_q <= n;
        if (rst) begin
            rstate_q     <= R_IDLE;
            rq_rd_q      <= '0;
            rd_q         <= '0;
            free_ptr_q   <= '0;
            cur_valid_q  <= 1'b0;
            next_valid_q <= 1'b0;
            rd_pending_q <= 1'b0;
        end else begin
            cur_valid_q  <= c_v;
            next_valid_q <= n_v;
            rd_pending_q <= fetch;
            if (fetch) begin
                rd_q         <= rd_q + (AW + 1)'(1);
                words_left_q <= words_left_q - (AW + 1)'(1);
            end
            case (rstate_q)
                R_IDLE: if (rq_count != '0) begin
                    rec_q    <= rq[rq_rd_q[RQ_AW-1:0]];
                    rq_rd_q  <= rq_rd_q + (RQ_AW + 1)'(1);
                    rstate_q <= R_LOAD;
                end
                R_LOAD: begin
                    rd_q <= free_ptr_q;
                    if (rec_keep) begin
                        words_left_q <= rec_words;
                        rstate_q <= R_OFFER;
                    end else begin
                        free_ptr_q <= free_ptr_q + rec_words;
                        rstate_q   <= R_IDLE;
                    end
                end
                R_OFFER: if (m_evt_ready) begin
                    left_q   <= clipped_len;
                    byte_q   <= '0;
                    rstate_q <= R_STREAM;
                end
                default: begin  // R_STREAM
                    if (pay_hs) begin
                        left_q <= left_q - 16'd1;
                        byte_q <= byte_q + LB'(1);
                    end
                    if (frame_end) begin
                        // Free the frame, words not sent included (a jumbo clipped to the
                        // event maximum); drop any word read ahead.
                        free_ptr_q   <= free_ptr_q + rec_words;
                        cur_valid_q  <= 1'b0;
                        next_valid_q <= 1'b0;
                        rstate_q     <= R_IDLE;
                    end
                end
            endcase
        end
    end
endmodule
`default_nettype wire
