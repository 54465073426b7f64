// hl_rx: host-link receiver. Turns the command byte stream from the host into verified
// commands (wire format: rtl/ftoe_pkg.sv). A command is released only after its header
// CRC-16, payload CRC-32C, kind and sequence number have passed, so a corrupted, stale
// or duplicated command is never executed; each problem is reported on err_*.
//
// Framing recovery matches driver/wire_format.cpp's Deframer: every position holding
// HL_MAGIC is a header candidate; a candidate whose header CRC fails or whose length is
// over HL_MAX_PAYLOAD costs one byte and the hunt goes on from the next byte, so a real
// header right behind garbage is still found.
//
// Latency:    m_cmd_valid rises 1 cycle after the cycle in which the last trailer byte of
//             a good command is accepted (when no earlier command is pending). The first
//             payload byte is on m_pay 3 cycles after the m_cmd handshake; err_valid
//             pulses in the cycle after the byte that decides the error.
// Throughput: 1 byte/cycle in and 1 payload byte/cycle out. s_axis_tready drops only
//             when 2^CMD_FIFO_AW verified commands wait behind a payload that is still
//             streaming out, or the ring is full. (The board's FT2232H delivers at most
//             60 MB/s, well under one byte per engine cycle.)
// Assumes:    RING_AW bytes of ring >= HL_MAX_PAYLOAD so that any command fits.
`include "ftoe_defs.svh"
`default_nettype none
module hl_rx #(
    // log2 of the payload ring in bytes (14 = 16 KiB, one BRAM36 pair's worth)
    parameter int RING_AW = 14,
    // log2 of the number of verified commands that may wait for the consumer
    parameter int CMD_FIFO_AW = 5
) (
    input  wire logic        clk,
    input  wire logic        rst,
    // host link, command bytes in
    input  wire logic [7:0]  s_axis_tdata,
    input  wire logic        s_axis_tvalid,
    output wire logic        s_axis_tready,
    // verified command header
    output wire logic        m_cmd_valid,
    input  wire logic        m_cmd_ready,
    output wire logic [7:0]  m_cmd_kind,
    output wire logic [15:0] m_cmd_len,
    output wire logic [31:0] m_cmd_seq,
    output wire logic [31:0] m_cmd_session,
    output wire logic [15:0] m_cmd_arg,
    // its payload, m_cmd_len bytes after the header handshake (none when 0)
    output wire logic [7:0]  m_pay_tdata,
    output wire logic        m_pay_tvalid,
    input  wire logic        m_pay_tready,
    output wire logic        m_pay_tlast,
    // link errors: one record per pulse, HL_LINKERR_* code
    output logic             err_valid,
    output logic [15:0]      err_code,
    output logic [31:0]      err_seq,       // the message's seq (payload/kind/seq errors)
    output logic [31:0]      err_expected,  // the seq this receiver expected
    output logic [31:0]      err_skipped,   // bytes skipped before this record
    // status: a verified command waits or its payload is still streaming out
    output wire logic        busy
);
    localparam int RING_BYTES = 1 << RING_AW;
    localparam int CMD_DEPTH = 1 << CMD_FIFO_AW;

    if (RING_BYTES < ftoe_pkg::HL_MAX_PAYLOAD) begin : g_bad_ring
        `FTOE_ELAB_FATAL $fatal(1, "hl_rx: RING_AW=%0d holds less than HL_MAX_PAYLOAD", RING_AW);
    end
    if (CMD_FIFO_AW < 1 || CMD_FIFO_AW > 8) begin : g_bad_fifo
        `FTOE_ELAB_FATAL $fatal(1, "hl_rx: CMD_FIFO_AW=%0d must be in 1..8", CMD_FIFO_AW);
    end

    // ---- Ring and command FIFO occupancy -----------------------------------------------
    logic [RING_AW:0]     wr_q, commit_q, rd_q;   // one extra bit tells full from empty
    logic [CMD_FIFO_AW:0] cmd_wr_q, cmd_rd_q;
    wire logic ring_full = (wr_q - rd_q) == (RING_AW + 1)'(RING_BYTES);
    wire logic cmd_full  = (cmd_wr_q - cmd_rd_q) == (CMD_FIFO_AW + 1)'(CMD_DEPTH);

    assign s_axis_tready = !ring_full && !cmd_full;
    wire logic in_byte = s_axis_tvalid && s_axis_tready;
    wire logic [7:0] b = s_axis_tdata;

    // ---- Receive state -------------------------------------------------------------------
    localparam logic [1:0] HUNT = 2'd0, PAYLOAD = 2'd1, TRAILER = 2'd2;
    logic [1:0]   state_q;
    logic [119:0] win_q;      // the last 15 bytes while hunting; byte 14 is the newest
    logic [3:0]   fill_q;     // valid bytes in win_q, saturating at 15
    logic [31:0]  skipped_q;  // bytes skipped since the last record
    logic [31:0]  expected_q; // next sequence number
    logic [7:0]   kind_q;
    logic [15:0]  len_q, left_q, arg_q;
    logic [31:0]  seq_q, session_q, pcrc_q;
    logic [23:0]  trailer_q;  // trailer bytes 0..2, byte 3 is the one arriving
    logic [1:0]   trl_n_q;

    // Header candidate: 15 held bytes plus the one arriving now (bytes by `FTOE_BYTE).
    wire logic [127:0] cand = {b, win_q};
    wire logic [15:0] cand_len   = {`FTOE_BYTE(cand, 3), `FTOE_BYTE(cand, 2)};
    wire logic        cand_full  = fill_q == 4'd15;
    wire logic        cand_magic = `FTOE_BYTE(cand, 0) == ftoe_pkg::HL_MAGIC;
    // The candidate's header CRC covers bytes 0..13, all held ones: a function of win_q alone. Only a
    // candidate that starts with the magic uses it, so only such a one computes it (the
    // simulated model skips the 14-byte CRC otherwise).
    logic [15:0] cand_crc;
    always_comb begin
        cand_crc = ftoe_pkg::HL_CRC16_INIT;
        if (cand_magic)
            for (int i = 0; i < 14; i++)
                cand_crc = ftoe_pkg::crc16_ccitt_byte(cand_crc, `FTOE_BYTE(win_q, i));
    end
    wire logic        cand_crc_ok = cand_crc == {`FTOE_BYTE(cand, 15), `FTOE_BYTE(cand, 14)};
    wire logic        cand_len_ok = 32'(cand_len) <= ftoe_pkg::HL_MAX_PAYLOAD;
    wire logic        hdr_accept = state_q == HUNT && in_byte && cand_full && cand_magic &&
                                   cand_crc_ok && cand_len_ok;

    // End of a message: the last trailer byte arrives now.
    wire logic [31:0] trl_full  = {b, trailer_q};
    wire logic        msg_end   = state_q == TRAILER && in_byte && trl_n_q == 2'd3;
    wire logic        pcrc_ok   = trl_full == ~pcrc_q;
    wire logic        kind_ok   = kind_q >= ftoe_pkg::HL_CMD_PING &&
                                  kind_q <= ftoe_pkg::HL_CMD_RX_INJECT;
    wire logic [31:0] ahead     = seq_q - expected_q;  // signed distance
    wire logic        seq_dup   = ahead[31];
    wire logic        commit    = msg_end && pcrc_ok && kind_ok && !seq_dup;

    always_ff @(posedge clk) begin
        if (rst) begin
            state_q    <= HUNT;
            fill_q     <= '0;
            skipped_q  <= '0;
            expected_q <= '0;
            wr_q       <= '0;
            commit_q   <= '0;
            err_valid  <= 1'b0;
        end else begin
            err_valid <= 1'b0;
            if (in_byte) begin
                case (state_q)
                    HUNT: begin
                        win_q  <= cand[127:8];
                        fill_q <= cand_full ? fill_q : fill_q + 4'd1;
                        if (hdr_accept) begin
                            kind_q    <= `FTOE_BYTE(cand, 1);
                            len_q     <= cand_len;
                            left_q    <= cand_len;
                            seq_q     <= cand[63:32];
                            session_q <= cand[95:64];
                            arg_q     <= cand[111:96];
                            pcrc_q    <= ftoe_pkg::HL_CRC32C_INIT;
                            trl_n_q   <= '0;
                            fill_q    <= '0;
                            state_q   <= cand_len == 16'd0 ? TRAILER : PAYLOAD;
                            if (skipped_q != 0) begin
                                err_valid <= 1'b1;
                                err_code  <= ftoe_pkg::HL_LINKERR_RESYNC;
                                err_seq   <= cand[63:32];
                            end
                            err_skipped <= skipped_q;
                            err_expected <= expected_q;
                            skipped_q <= '0;
                        end else if (cand_full && cand_magic) begin
                            // A failed candidate: report it, drop its magic byte.
                            err_valid    <= 1'b1;
                            err_code     <= cand_crc_ok ? ftoe_pkg::HL_LINKERR_TOO_LONG
                                                        : ftoe_pkg::HL_LINKERR_HDR_CRC;
                            err_seq      <= '0;
                            err_expected <= expected_q;
                            err_skipped  <= skipped_q;
                            skipped_q    <= '0;
                        end else if (cand_full) begin
                            skipped_q <= skipped_q + 32'd1;
                        end
                    end
                    PAYLOAD: begin
                        wr_q   <= wr_q + 1'b1;
                        pcrc_q <= ftoe_pkg::crc32c_byte(pcrc_q, b);
                        left_q <= left_q - 16'd1;
                        if (left_q == 16'd1) state_q <= TRAILER;
                    end
                    default: begin  // TRAILER
                        trailer_q <= trl_full[31:8];
                        trl_n_q   <= trl_n_q + 2'd1;
                        if (msg_end) begin
                            state_q      <= HUNT;
                            err_seq      <= seq_q;
                            err_expected <= expected_q;
                            err_skipped  <= '0;
                            if (!pcrc_ok || !kind_ok || seq_dup) begin
                                wr_q      <= commit_q;  // rewind: the payload never existed
                                err_valid <= 1'b1;
                                err_code  <= !pcrc_ok ? ftoe_pkg::HL_LINKERR_PAY_CRC
                                           : !kind_ok ? ftoe_pkg::HL_LINKERR_BAD_KIND
                                                      : ftoe_pkg::HL_LINKERR_SEQ_DUP;
                            end else begin
                                commit_q   <= wr_q;
                                expected_q <= seq_q + 32'd1;
                                if (ahead != 0) begin
                                    err_valid <= 1'b1;
                                    err_code  <= ftoe_pkg::HL_LINKERR_SEQ_GAP;
                                end
                            end
                        end
                    end
                endcase
            end
        end
    end

    // ---- Payload ring (BRAM) -------------------------------------------------------------
    logic [7:0] ring [RING_BYTES];
    always_ff @(posedge clk) begin
        if (in_byte && state_q == PAYLOAD) ring[wr_q[RING_AW-1:0]] <= b;
    end

    // ---- Verified command FIFO -------------------------------------------------------------
    localparam int CMD_W = 8 + 16 + 32 + 32 + 16;
    logic [CMD_W-1:0] cmd_mem [CMD_DEPTH];
    always_ff @(posedge clk) begin
        if (commit) cmd_mem[cmd_wr_q[CMD_FIFO_AW-1:0]] <= {kind_q, len_q, seq_q, session_q, arg_q};
    end
    logic [CMD_W-1:0] cmd_head;
    always_comb cmd_head = cmd_mem[cmd_rd_q[CMD_FIFO_AW-1:0]];
    assign {m_cmd_kind, m_cmd_len, m_cmd_seq, m_cmd_session, m_cmd_arg} = cmd_head;

    // ---- Payload read-out: 1-cycle BRAM read into a 2-entry output FIFO -------------------
    logic [15:0] to_read_q;     // payload bytes of the current command not yet read
    logic        rd_inflight_q, rd_last_q;
    logic [7:0]  rd_data_q;
    logic [7:0]  out_data_q [2];
    logic        out_last_q [2];
    logic [1:0]  out_n_q;       // entries in the output FIFO
    logic        out_head_q;    // index of its head

    wire logic payload_busy = to_read_q != 0 || rd_inflight_q || out_n_q != 0;
    assign m_cmd_valid = cmd_wr_q != cmd_rd_q && !payload_busy;
    assign busy = cmd_wr_q != cmd_rd_q || payload_busy;
    wire logic cmd_hs  = m_cmd_valid && m_cmd_ready;
    assign m_pay_tvalid = out_n_q != 0;
    assign m_pay_tdata  = out_data_q[out_head_q];
    assign m_pay_tlast  = out_last_q[out_head_q];
    wire logic pay_hs  = m_pay_tvalid && m_pay_tready;
    // Issue a read only when the output FIFO is sure to have room for it.
    wire logic rd_issue = to_read_q != 0 &&
                          (2'(out_n_q) - 2'(pay_hs) + 2'(rd_inflight_q)) < 2'd2;

    // Where a byte arriving from the BRAM goes: behind what stays after this cycle's pop.
    wire logic out_tail = out_head_q ^ pay_hs ^ (out_n_q - 2'(pay_hs) == 2'd1);

    always_ff @(posedge clk) begin
        rd_data_q <= ring[rd_q[RING_AW-1:0]];
        rd_last_q <= to_read_q == 16'd1;
    end

    always_ff @(posedge clk) begin
        if (rst) begin
            cmd_wr_q      <= '0;
            cmd_rd_q      <= '0;
            rd_q          <= '0;
            to_read_q     <= '0;
            rd_inflight_q <= 1'b0;
            out_n_q       <= '0;
            out_head_q    <= 1'b0;
        end else begin
            if (commit) cmd_wr_q <= cmd_wr_q + 1'b1;
            if (cmd_hs) begin
                cmd_rd_q  <= cmd_rd_q + 1'b1;
                to_read_q <= m_cmd_len;
            end
            if (rd_issue) begin
                rd_q      <= rd_q + 1'b1;
                to_read_q <= to_read_q - 16'd1;
            end
            rd_inflight_q <= rd_issue;
            if (rd_inflight_q) begin
                out_data_q[out_tail] <= rd_data_q;
                out_last_q[out_tail] <= rd_last_q;
            end
            if (pay_hs) out_head_q <= ~out_head_q;
            out_n_q <= out_n_q + 2'(rd_inflight_q) - 2'(pay_hs);
        end
    end
endmodule
`default_nettype wire
