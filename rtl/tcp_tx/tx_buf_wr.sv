// tx_buf_wr: the app's TX stream into each session's TX buffer, a ring of BUF_BYTES in
// external memory at byte address sid*BUF_BYTES; the byte with TCP sequence number seq
// lands at ring offset seq mod BUF_BYTES (memory word = byte address / (DATA_W/8), byte
// lane i of a word = byte address word*DATA_W/8 + i). Per session the block keeps the
// next sequence number to write (wr_seq) and SND.UNA (una) in two BRAM tables; install
// sets both, s_una moves una forward and so frees ring space.
// A packet on s_app (tdest = session, any length >= 1) is taken in chunks of at most
// CHUNK bytes (a packet's end also ends a chunk). Before a chunk starts the block waits,
// s_app_tready low, until the session's ring has room for CHUNK bytes
// (BUF_BYTES - (wr_seq - una) >= CHUNK, modulo 2^32). Bytes are realigned to their
// sequence offset with exact strobes (unaligned starts, ring wrap), never touching a
// byte outside the app's. After a chunk's last memory write is accepted the block
// offers one m_queued record {sid, chunk length, whether the chunk ends its packet, the
// packet's tuser} (the caller tells sources apart by tuser and knows by the packet-end
// record when all of a packet is queued).
// Head-of-line blocking: while the session at the head of s_app has no room, packets of
// other sessions behind it wait too.
//
// Latency:    on an idle block, s_app_tready rises 2 cycles after the first beat of a
//             packet is offered (table read, room check), and that beat's memory write is
//             offered 1 cycle after it is accepted (3 cycles after first offered).
//             m_queued_valid rises 1 cycle after a chunk's last write is accepted.
// Throughput: 1 beat/cycle through a chunk while m_wr_ready is high; 2 cycles with
//             s_app_tready low before each chunk (a chunk's extra write of its last
//             partial word, when the start is unaligned, fits in those 2 cycles when
//             memory is ready). Two queued records may wait in the block; a third chunk
//             does not start until m_queued takes one. s_app_tready follows m_wr_ready
//             combinationally within a chunk.
//             s_init and s_una never stall: each table has a write port (s_una, or the
//             chunk's new wr_seq) and a read/write port shared by s_init and the room
//             check's read, so a room check in an s_init cycle is retried; a room check
//             that reads una in the cycle s_una writes it sees the old value (less room)
//             and retries the next cycle.
// Assumes:    s_init for a session only while none of its bytes are in the block, and
//             not with an s_una for the same session in the same cycle; s_una only moves
//             forward and never beyond the session's written bytes; tkeep contiguous
//             from lane 0, only a tlast beat partial; tdest and tuser constant within a
//             packet.
`include "ftoe_defs.svh"
`default_nettype none

module tx_buf_wr #(
    // Data bus width in bits: a power of two, 64..1024
    parameter int DATA_W = 64,
    // Session id width: 6..16
    parameter int SID_W = 12,
    // Per-session ring bytes: a power of two, 4096..1048576, >= 2*CHUNK
    parameter int BUF_BYTES = 65536,
    // Bytes per room check / queued record: a power of two, DATA_W/8..32768
    parameter int CHUNK = 2048,
    // Word address width of the memory (derived)
    localparam int ADDR_W = SID_W + $clog2(BUF_BYTES / (DATA_W / 8))
) (
    input  wire logic                clk,
    input  wire logic                rst,
    // session install: the first app byte will have sequence number s_init_seq
    input  wire logic                s_init_valid,
    input  wire logic [SID_W-1:0]    s_init_sid,
    input  wire logic [31:0]         s_init_seq,
    // SND.UNA moved forward: ring space before it is free
    input  wire logic                s_una_valid,
    input  wire logic [SID_W-1:0]    s_una_sid,
    input  wire logic [31:0]         s_una_seq,
    // app TX stream: bytes appended to session tdest's stream
    input  wire logic [DATA_W-1:0]   s_app_tdata,
    input  wire logic [DATA_W/8-1:0] s_app_tkeep,
    input  wire logic                s_app_tvalid,
    output logic                     s_app_tready,
    input  wire logic                s_app_tlast,
    input  wire logic [SID_W-1:0]    s_app_tdest,
    input  wire logic                s_app_tuser,
    // memory write port (word address, byte strobes)
    output logic                     m_wr_valid,
    input  wire logic                m_wr_ready,
    output logic [ADDR_W-1:0]        m_wr_addr,
    output logic [DATA_W-1:0]        m_wr_data,
    output logic [DATA_W/8-1:0]      m_wr_strb,
    // one record per chunk written
    output logic                     m_queued_valid,
    input  wire logic                m_queued_ready,
    output logic [SID_W-1:0]         m_queued_sid,
    output logic [15:0]              m_queued_len,
    output logic                     m_queued_end,    // the chunk ends its packet
    output logic                     m_queued_user    // the packet's tuser
);
    localparam int B = DATA_W / 8;
    localparam int BW = $clog2(B);
    localparam int RW = $clog2(BUF_BYTES) - BW;     // ring word index bits
    localparam int SESS = 1 << SID_W;
    localparam int CBEATS = CHUNK / B;
    localparam int CBW = (CBEATS > 1) ? $clog2(CBEATS) : 1;
    localparam int LW = $clog2(CHUNK) + 1;          // chunk length bits
    localparam int KW = $clog2(B + 1);              // bytes in one beat

    generate
        if (DATA_W < 64 || DATA_W > 1024 || (DATA_W & (DATA_W - 1)) != 0) begin : g_bad_w
            `FTOE_ELAB_FATAL $fatal(1, "%m: DATA_W=%0d is not a power of two in 64..1024", DATA_W);
        end
        if (SID_W < 6 || SID_W > 16) begin : g_bad_sid
            `FTOE_ELAB_FATAL $fatal(1, "%m: SID_W=%0d must be in 6..16", SID_W);
        end
        if (CHUNK < B || CHUNK > 32768 || (CHUNK & (CHUNK - 1)) != 0) begin : g_bad_chunk
            `FTOE_ELAB_FATAL $fatal(1, "%m: CHUNK=%0d must be a power of two in DATA_W/8..32768", CHUNK);
        end
        if (BUF_BYTES < 4096 || BUF_BYTES > 1048576 || (BUF_BYTES & (BUF_BYTES - 1)) != 0
            || BUF_BYTES < 2 * CHUNK) begin : g_bad_buf
            `FTOE_ELAB_FATAL $fatal(1, "%m: BUF_BYTES=%0d must be a power of two in 4096..1048576 and >= 2*CHUNK", BUF_BYTES);
        end
    endgenerate

    typedef enum logic [1:0] { S_IDLE, S_LOOK, S_STREAM } state_t;
    state_t state_q;

    // ---- per-session tables: port A write-only, port B s_init write or room-check read
    logic [31:0] wr_tbl  [SESS];
    logic [31:0] una_tbl [SESS];
    logic [31:0] wr_rd_q, una_rd_q;
    logic        rd_ok_q;                       // the read was not displaced by s_init
    logic [SID_W-1:0] look_sid;
    logic [SID_W-1:0] port_b_sid;
    logic        wb_valid;                      // chunk end: write the new wr_seq
    logic [31:0] wb_seq;
    logic [SID_W-1:0] sid_q;
    logic             user_q;                       // the packet's tuser

    always_comb begin
        look_sid = (state_q == S_IDLE) ? s_app_tdest : sid_q;
        port_b_sid = s_init_valid ? s_init_sid : look_sid;
    end

    always_ff @(posedge clk) begin
        if (wb_valid) wr_tbl[sid_q] <= wb_seq;
        if (s_init_valid) wr_tbl[port_b_sid] <= s_init_seq;
        wr_rd_q <= wr_tbl[port_b_sid];
    end
    always_ff @(posedge clk) begin
        if (s_una_valid) una_tbl[s_una_sid] <= s_una_seq;
        if (s_init_valid) una_tbl[port_b_sid] <= s_init_seq;
        una_rd_q <= una_tbl[port_b_sid];
    end
    always_ff @(posedge clk) rd_ok_q <= !s_init_valid;

    // ---- chunk state
    logic [31:0]   wr_seq_q;                    // sequence number of the chunk's first byte
    logic [BW-1:0] align_q;                     // its lane in the first word
    logic [RW-1:0] wi_q;                        // ring word of the next write
    logic [CBW-1:0] beat_q;                     // beats taken in this chunk
    logic [LW-1:0] cnt_q;                       // bytes taken in this chunk
    logic [DATA_W-1:0] carry_d_q;               // bytes of the last beat past its word
    logic [B-1:0]  carry_k_q;
    logic          flush_q;                     // carry still to write (chunk's last write)
    logic [LW-1:0] flush_len_q;
    logic [ADDR_W-1:0] flush_addr_q;
    logic [SID_W-1:0]  flush_sid_q;
    logic              flush_end_q, flush_user_q;

    // ---- write output register
    logic              wo_valid_q, wo_last_q;
    logic [ADDR_W-1:0] wo_addr_q;
    logic [DATA_W-1:0] wo_data_q;
    logic [B-1:0]      wo_strb_q;
    logic [SID_W-1:0]  wo_sid_q;
    logic              wo_end_q, wo_user_q;         // the record's packet end and tuser
    logic [LW-1:0]     wo_len_q;
    wire logic wo_free = !wo_valid_q || m_wr_ready;
    assign s_app_tready = (state_q == S_STREAM) && wo_free;
    assign m_wr_valid = wo_valid_q;
    assign m_wr_addr  = wo_addr_q;
    assign m_wr_data  = wo_data_q;
    assign m_wr_strb  = wo_strb_q;

    // ---- queued records: 2-entry FIFO
    logic [SID_W-1:0] qs0_q, qs1_q;
    logic             qe0_q, qe1_q, qu0_q, qu1_q;
    logic [LW-1:0]    ql0_q, ql1_q;
    logic [1:0]       qn_q;
    wire logic q_push = wo_valid_q && m_wr_ready && wo_last_q;
    wire logic q_pop = qn_q != 2'd0 && m_queued_ready;
    assign m_queued_valid = qn_q != 2'd0;
    assign m_queued_sid = qs0_q;
    assign m_queued_len = 16'(ql0_q);
    assign m_queued_end = qe0_q;
    assign m_queued_user = qu0_q;
    // records not yet taken: in the FIFO, in the write register, or waiting as a flush
    wire logic [1:0] recs = qn_q + {1'b0, wo_valid_q && wo_last_q} + {1'b0, flush_q};

    // ---- room check (on the table read of the previous cycle)
    wire logic [31:0] inflight = wr_rd_q - una_rd_q;
    wire logic room = rd_ok_q && inflight <= 32'(BUF_BYTES - CHUNK);

    // ---- beat realignment
    logic          take;
    logic [KW-1:0] nbytes;                      // bytes in this beat
    logic [2*DATA_W-1:0] wide_d;
    logic [2*B-1:0]      wide_k;
    logic          chunk_end;
    logic [LW-1:0] chunk_len;
    always_comb begin
        take = (state_q == S_STREAM) && wo_free && s_app_tvalid;
        // the beat's count and shifts only under a beat (the simulated model skips them
        // in every other cycle)
        nbytes = '0;
        wide_d = '0;
        wide_k = '0;
        if (s_app_tvalid) begin
            for (int i = 0; i < B; i++) nbytes = nbytes + KW'(s_app_tkeep[i]);
            wide_d = {{DATA_W{1'b0}}, s_app_tdata} << {align_q, 3'b000};
            wide_k = {{B{1'b0}}, s_app_tkeep} << align_q;
        end
        chunk_end = s_app_tlast || (beat_q == CBW'(CBEATS - 1));
        chunk_len = cnt_q + LW'(nbytes);
        wb_valid = take && chunk_end;
        wb_seq = wr_seq_q + 32'(chunk_len);
    end

    always_ff @(posedge clk) begin
        case (state_q)
            S_IDLE: begin
                sid_q  <= s_app_tdest;
                user_q <= s_app_tuser;
            end
            S_LOOK: if (room && !flush_q) begin
                wr_seq_q <= wr_rd_q;
                align_q  <= wr_rd_q[BW-1:0];
                wi_q     <= wr_rd_q[BW +: RW];
                beat_q   <= '0;
                cnt_q    <= '0;
                carry_d_q <= '0;
                carry_k_q <= '0;
            end
            default: begin
                if (take) begin
                    beat_q <= beat_q + CBW'(1);
                    cnt_q  <= chunk_len;
                    wi_q   <= wi_q + RW'(1);
                    carry_d_q <= wide_d[2*DATA_W-1:DATA_W];
                    carry_k_q <= wide_k[2*B-1:B];
                    flush_len_q <= chunk_len;
                    flush_addr_q <= {sid_q, wi_q + RW'(1)};
                    flush_sid_q <= sid_q;
                    flush_end_q <= s_app_tlast;
                    flush_user_q <= user_q;
                end
            end
        endcase
        // memory write register
        if (take) begin
            wo_addr_q <= {sid_q, wi_q};
            wo_data_q <= wide_d[DATA_W-1:0] | carry_d_q;
            wo_strb_q <= wide_k[B-1:0] | carry_k_q;
            wo_sid_q  <= sid_q;
            wo_len_q  <= chunk_len;
            wo_end_q  <= s_app_tlast;
            wo_user_q <= user_q;
            wo_last_q <= chunk_end && wide_k[2*B-1:B] == '0;
        end else if (flush_q && wo_free) begin
            wo_addr_q <= flush_addr_q;
            wo_data_q <= carry_d_q;
            wo_strb_q <= carry_k_q;
            wo_sid_q  <= flush_sid_q;
            wo_len_q  <= flush_len_q;
            wo_end_q  <= flush_end_q;
            wo_user_q <= flush_user_q;
            wo_last_q <= 1'b1;
        end
        // queued FIFO payload
        if (q_pop) begin
            qs0_q <= qs1_q;
            ql0_q <= ql1_q;
            qe0_q <= qe1_q;
            qu0_q <= qu1_q;
        end
        if (q_push) begin
            if (qn_q == 2'd0 || (qn_q == 2'd1 && q_pop)) begin
                qs0_q <= wo_sid_q;
                ql0_q <= wo_len_q;
                qe0_q <= wo_end_q;
                qu0_q <= wo_user_q;
            end else begin
                qs1_q <= wo_sid_q;
                ql1_q <= wo_len_q;
                qe1_q <= wo_end_q;
                qu1_q <= wo_user_q;
            end
        end
        if (rst) begin
            state_q    <= S_IDLE;
            wo_valid_q <= 1'b0;
            flush_q    <= 1'b0;
            qn_q       <= 2'd0;
        end else begin
            case (state_q)
                S_IDLE: if (s_app_tvalid && recs <= 2'd1) state_q <= S_LOOK;
                S_LOOK: if (room && !flush_q) state_q <= S_STREAM;
                default: if (take && chunk_end) state_q <= S_IDLE;
            endcase
            if (take) wo_valid_q <= 1'b1;
            else if (flush_q && wo_free) wo_valid_q <= 1'b1;
            else if (m_wr_ready) wo_valid_q <= 1'b0;
            if (take && chunk_end) flush_q <= wide_k[2*B-1:B] != '0;
            else if (wo_free) flush_q <= 1'b0;
            qn_q <= qn_q + {1'b0, q_push} - {1'b0, q_pop};
        end
    end

    wire logic unused_rd = ^{wr_rd_q[31:BW + RW]};
endmodule

`default_nettype wire
