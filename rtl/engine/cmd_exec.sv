// cmd_exec: executes the host's verified commands (from hl_rx) one at a time and
// produces their answers as events (payload formats: ftoe_pkg, "Payloads").
//   PING          -> PONG echoing session, arg and payload (streamed through)
//   SET_CONFIG    -> our MAC and IPv4 address, and the transmit timers when the payload
//                    carries them (no answer)
//   INSTALL       -> session state written (m_tcb), then connection-table insert ->
//                    INSTALLED, arg = HL_RES_*
//   REMOVE        -> connection-table remove -> REMOVED,   arg = HL_RES_*; when removed,
//                    the session's last state as payload (s_snapshot, 12 bytes)
//   ABORT         -> the session's RST first (m_rst, done when s_rst_done pulses), then
//                    as REMOVE
//   READ_COUNTERS -> COUNTERS (HL_COUNTERS_BYTES, read through cnt_idx/cnt_value)
//   RAW_TX        -> the payload, a whole frame, out on m_raw with arg's fill flags (no
//                    answer)
//   RX_INJECT     -> the payload, a whole frame of 1..HL_MAX_INJECT bytes, out on m_inj
//                    (no answer); empty or longer: drained and counted as unsupported
//   SEND_FIN      -> m_fin (the session's FIN after its queued data; no answer)
//   APP_DATA      -> the payload out on m_app for session m_app_sid (no answer)
//   anything else -> payload drained, counted on `unsupported` (kinds a later engine
//                    version executes: RX_CREDIT; a SEND_FIN with a payload, an
//                    empty APP_DATA, or a session id out of range)
//
// Latency:    a command is accepted in the cycle after the previous one finished;
//             answers follow as soon as the event path takes them (INSTALL/REMOVE add the
//             table's own command time). Not a fast path: the host link is ~60 MB/s.
// Throughput: payload bytes 1/cycle in (RAW_TX at the MAC's pace, APP_DATA at the TX
//             buffer's, PING at the event path's); COUNTERS bytes with two idle cycles
//             between counters (the read).
// Assumes:    hl_rx delivers exactly s_cmd_len payload bytes, the last with tlast.
`include "ftoe_defs.svh"
`default_nettype none
module cmd_exec #(
    // Session slots of the connection table (ids 0..SESSIONS-1)
    parameter int SESSIONS = 4096
) (
    input  wire logic        clk,
    input  wire logic        rst,
    // verified commands
    input  wire logic        s_cmd_valid,
    output wire logic        s_cmd_ready,
    input  wire logic [7:0]  s_cmd_kind,
    input  wire logic [15:0] s_cmd_len,
    input  wire logic [31:0] s_cmd_session,
    input  wire logic [15:0] s_cmd_arg,
    input  wire logic [7:0]  s_pay_tdata,
    input  wire logic        s_pay_tvalid,
    output wire logic        s_pay_tready,
    input  wire logic        s_pay_tlast,
    // configuration
    output logic [47:0]      cfg_mac,
    output logic [31:0]      cfg_ip,
    output logic [31:0]      cfg_rto_min,        // transmit timers, in ticks
    output logic [31:0]      cfg_rto_max,
    output logic [31:0]      cfg_rto_initial,
    output logic [7:0]       cfg_max_retries,
    output logic             cfg_delack_enable,
    output logic [31:0]      cfg_delack_ticks,
    // connection-table commands
    output wire logic        m_ct_valid,
    input  wire logic        m_ct_ready,
    output wire logic        m_ct_remove,
    output wire logic [95:0] m_ct_key,
    output wire logic [$clog2(SESSIONS)-1:0] m_ct_sid,
    // session state of an INSTALL: its payload bytes, byte i in bits 8i+7:8i
    output wire logic        m_tcb_valid,
    input  wire logic        m_tcb_ready,
    output wire logic [8*ftoe_pkg::HL_INSTALL_BYTES-1:0] m_install_bytes,
    input  wire logic        s_ct_res_valid,
    input  wire logic [2:0]  s_ct_res_code,
    input  wire logic [31:0] ct_occupancy,
    input  wire logic [31:0] ct_insert_failures,
    input  wire logic [31:0] ct_stashed,
    input  wire logic [31:0] ct_moves,
    // {SND.NXT, RCV.NXT, TS.Recent} of session m_ct_sid (read continuously by the caller)
    input  wire logic [95:0] s_snapshot,
    // 64-bit counters, read by index (value in the next cycle)
    output wire logic [6:0]  cnt_idx,
    input  wire logic [63:0] cnt_value,
    output logic             unsupported,
    // raw frame bytes to transmit
    output wire logic [7:0]  m_raw_tdata,
    output wire logic        m_raw_tvalid,
    input  wire logic        m_raw_tready,
    output wire logic        m_raw_tlast,
    output logic [1:0]       m_raw_fill,         // RAW_TX's arg: checksums to fill
    // RX_INJECT's frame bytes, to be received as from the MAC
    output wire logic [7:0]  m_inj_tdata,
    output wire logic        m_inj_tvalid,
    input  wire logic        m_inj_tready,
    output wire logic        m_inj_tlast,
    // a command is being executed (for the engine's timers_settled)
    output wire logic        busy,
    // app data of a host-terminated session (APP_DATA's payload)
    output wire logic [7:0]  m_app_tdata,
    output wire logic        m_app_tvalid,
    input  wire logic        m_app_tready,
    output wire logic        m_app_tlast,
    output wire logic [$clog2(SESSIONS)-1:0] m_app_sid,
    // ABORT's RST: the engine sends it and pulses s_rst_done
    output wire logic        m_rst_valid,
    input  wire logic        m_rst_ready,
    output wire logic [$clog2(SESSIONS)-1:0] m_rst_sid,
    input  wire logic        s_rst_done,
    // FIN requests
    output wire logic        m_fin_valid,
    input  wire logic        m_fin_ready,
    output wire logic [$clog2(SESSIONS)-1:0] m_fin_sid,
    // answers
    output wire logic        m_evt_valid,
    input  wire logic        m_evt_ready,
    output logic [7:0]       m_evt_kind,
    output logic [15:0]      m_evt_len,
    output logic [31:0]      m_evt_session,
    output logic [15:0]      m_evt_arg,
    output wire logic [7:0]  m_pay_tdata,
    output wire logic        m_pay_tvalid,
    input  wire logic        m_pay_tready,
    output wire logic        m_pay_tlast
);
    localparam int SID_W = $clog2(SESSIONS);
    localparam int N64 = ftoe_pkg::HL_CNT_WORDS;                         // 64-bit words
    localparam int NWORDS = N64 + 4;                                     // + four 32-bit
    localparam int IB = ftoe_pkg::HL_INSTALL_BYTES;
    if (8 * N64 + 16 != ftoe_pkg::HL_COUNTERS_BYTES) begin : g_bad_layout
        `FTOE_ELAB_FATAL $fatal(1, "cmd_exec: COUNTERS layout disagrees with HL_COUNTERS_BYTES");
    end
    // word_q is 7 bits and got_q saturates at 127: the layouts must stay within them
    if (N64 + 4 > 127 || IB > 126 || ftoe_pkg::HL_CONFIG_TIMERS_BYTES > IB) begin : g_bad_widths
        `FTOE_ELAB_FATAL $fatal(1, "cmd_exec: %0d counter words (max 123), %0d INSTALL bytes (max 126) or SET_CONFIG longer than INSTALL",
                                N64, IB);
    end

    localparam logic [3:0] IDLE = 4'd0, GATHER = 4'd1, TABLE = 4'd2, TABLE_WAIT = 4'd3,
                           ANSWER = 4'd4, ECHO = 4'd5, RAW = 4'd6, DRAIN = 4'd7,
                           CNT_READ = 4'd8, CNT_LATCH = 4'd9, CNT_SEND = 4'd10, TCB = 4'd11,
                           FIN = 4'd12, SNAP = 4'd13, APP = 4'd14, RST = 4'd15;
    logic [3:0]   state_q;
    logic [7:0]   kind_q;
    logic [15:0]  len_q;
    logic [31:0]  session_q;
    logic [8*IB-1:0] gather_q;   // the first IB payload bytes, byte i in bits 8i+7:8i
    logic [6:0]   got_q;         // payload bytes gathered, saturating at 127
    logic [6:0]   word_q;        // COUNTERS: word being sent (64-bit ones first)
    logic [2:0]   byte_q;
    logic [63:0]  value_q;
    logic [95:0]  snap_q;        // REMOVED's payload, sent first byte = bits 95:88

    wire logic is_ping   = s_cmd_kind == ftoe_pkg::HL_CMD_PING;
    wire logic is_config = s_cmd_kind == ftoe_pkg::HL_CMD_SET_CONFIG;
    wire logic is_table  = s_cmd_kind == ftoe_pkg::HL_CMD_INSTALL ||
                           s_cmd_kind == ftoe_pkg::HL_CMD_REMOVE ||
                           s_cmd_kind == ftoe_pkg::HL_CMD_ABORT;
    wire logic is_count  = s_cmd_kind == ftoe_pkg::HL_CMD_READ_COUNTERS;
    wire logic is_raw    = s_cmd_kind == ftoe_pkg::HL_CMD_RAW_TX;
    wire logic is_fin    = s_cmd_kind == ftoe_pkg::HL_CMD_SEND_FIN;
    wire logic is_app    = s_cmd_kind == ftoe_pkg::HL_CMD_APP_DATA;
    wire logic is_inj    = s_cmd_kind == ftoe_pkg::HL_CMD_RX_INJECT;
    wire logic has_pay   = s_cmd_len != 16'd0;
    wire logic inj_len_ok = has_pay && s_cmd_len <= 16'(ftoe_pkg::HL_MAX_INJECT);
    // RAW carries RAW_TX's frame to m_raw and RX_INJECT's to m_inj
    wire logic inj_q = kind_q == ftoe_pkg::HL_CMD_RX_INJECT;

    assign s_cmd_ready = state_q == IDLE;
    wire logic cmd_hs  = s_cmd_valid && s_cmd_ready;

    // Payload routing: gathered, echoed into the PONG, sent raw, or drained.
    assign s_pay_tready = state_q == GATHER || state_q == DRAIN ||
                          (state_q == ECHO && m_pay_tready) ||
                          (state_q == RAW && (inj_q ? m_inj_tready : m_raw_tready)) ||
                          (state_q == APP && m_app_tready);
    wire logic pay_hs   = s_pay_tvalid && s_pay_tready;
    assign m_raw_tdata  = s_pay_tdata;
    assign m_raw_tvalid = state_q == RAW && !inj_q && s_pay_tvalid;
    assign m_raw_tlast  = s_pay_tlast;
    assign m_inj_tdata  = s_pay_tdata;
    assign m_inj_tvalid = state_q == RAW && inj_q && s_pay_tvalid;
    assign m_inj_tlast  = s_pay_tlast;
    assign busy = state_q != IDLE;
    assign m_app_tdata  = s_pay_tdata;
    assign m_app_tvalid = state_q == APP && s_pay_tvalid;
    assign m_app_tlast  = s_pay_tlast;

    // Connection table and session state
    // Gathered bytes by `FTOE_BYTE / `FTOE_BE32, not functions of the whole gather (see
    // ftoe_defs.svh).
    wire logic is_install_q = kind_q == ftoe_pkg::HL_CMD_INSTALL;
    wire logic sid_ok = session_q < 32'(SESSIONS);
    wire logic long_enough = got_q >= (is_install_q ? 7'(IB) : 7'(ftoe_pkg::HL_KEY_BYTES));
    // Only a well-formed INSTALL/REMOVE reaches the table (TABLE also finishes SET_CONFIG
    // and answers short or out-of-range commands).
    wire logic ct_ok  = kind_q != ftoe_pkg::HL_CMD_SET_CONFIG && long_enough && sid_ok;
    assign m_ct_valid  = state_q == TABLE && ct_ok;
    assign m_ct_remove = kind_q == ftoe_pkg::HL_CMD_REMOVE || kind_q == ftoe_pkg::HL_CMD_ABORT;
    wire logic is_abort_q = kind_q == ftoe_pkg::HL_CMD_ABORT;
    // RST: the request is offered until taken, then the block waits for s_rst_done
    logic rst_asked_q;
    assign m_rst_valid = state_q == RST && !rst_asked_q;
    assign m_rst_sid   = session_q[SID_W-1:0];
    assign m_ct_key    = {`FTOE_BE32(gather_q, 0), `FTOE_BE32(gather_q, 4), `FTOE_BE32(gather_q, 8)};
    assign m_ct_sid    = session_q[SID_W-1:0];
    assign m_tcb_valid = state_q == TCB;
    assign m_install_bytes = gather_q;
    assign m_fin_valid = state_q == FIN;
    assign m_fin_sid   = session_q[SID_W-1:0];
    assign m_app_sid   = session_q[SID_W-1:0];

    // Events: the header in ANSWER, then the payload (ECHO or CNT_*).
    assign m_evt_valid = state_q == ANSWER;
    wire logic evt_hs  = m_evt_valid && m_evt_ready;
    wire logic last_cnt_byte = word_q == 7'(NWORDS - 1) &&
                               byte_q == (word_q >= 7'(N64) ? 3'd3 : 3'd7);
    assign m_pay_tvalid = state_q == ECHO ? s_pay_tvalid : state_q == CNT_SEND || state_q == SNAP;
    assign m_pay_tdata  = state_q == ECHO ? s_pay_tdata :
                          state_q == SNAP ? snap_q[95:88] : value_q[8*byte_q +: 8];
    assign m_pay_tlast  = state_q == ECHO ? s_pay_tlast :
                          state_q == SNAP ? word_q == 7'd11 : last_cnt_byte;
    wire logic out_hs   = m_pay_tvalid && m_pay_tready;
    assign cnt_idx = word_q;

    always_ff @(posedge clk) begin
        unsupported <= 1'b0;
        if (rst) begin
            state_q       <= IDLE;
            cfg_mac       <= '0;
            cfg_ip        <= '0;
            cfg_rto_min       <= 32'd200000;
            cfg_rto_max       <= 32'd120000000;
            cfg_rto_initial   <= 32'd1000000;
            cfg_max_retries   <= 8'd15;
            cfg_delack_enable <= 1'b0;
            cfg_delack_ticks  <= 32'd40000;
        end else begin
            case (state_q)
                IDLE: if (cmd_hs) begin
                    kind_q    <= s_cmd_kind;
                    len_q     <= s_cmd_len;
                    session_q <= s_cmd_session;
                    got_q     <= '0;
                    gather_q  <= '0;
                    // Answers' headers, known now (COUNTERS and table results come later)
                    m_evt_kind    <= is_ping ? ftoe_pkg::HL_EVT_PONG :
                                     is_count ? ftoe_pkg::HL_EVT_COUNTERS :
                                     s_cmd_kind == ftoe_pkg::HL_CMD_INSTALL ? ftoe_pkg::HL_EVT_INSTALLED
                                                                          : ftoe_pkg::HL_EVT_REMOVED;
                    m_evt_len     <= is_ping ? s_cmd_len :
                                     is_count ? 16'(ftoe_pkg::HL_COUNTERS_BYTES) : 16'd0;
                    m_evt_session <= s_cmd_session;
                    m_evt_arg     <= is_ping ? s_cmd_arg : 16'd0;
                    m_raw_fill    <= s_cmd_arg[1:0];
                    if (is_ping) state_q <= ANSWER;
                    else if (is_config || is_table) state_q <= has_pay ? GATHER : TABLE;
                    else if (is_count) state_q <= has_pay ? DRAIN : ANSWER;
                    else if (is_raw) state_q <= has_pay ? RAW : IDLE;
                    else if (is_inj && inj_len_ok) state_q <= RAW;
                    else if (is_fin && !has_pay && s_cmd_session < 32'(SESSIONS)) state_q <= FIN;
                    else if (is_app && has_pay && s_cmd_session < 32'(SESSIONS)) state_q <= APP;
                    else begin
                        unsupported <= 1'b1;
                        state_q <= has_pay ? DRAIN : IDLE;
                    end
                end
                GATHER: if (pay_hs) begin
                    if (got_q < 7'(IB)) gather_q[8*got_q +: 8] <= s_pay_tdata;
                    if (got_q != 7'd127) got_q <= got_q + 7'd1;
                    // an INSTALL's session state goes first, then its key to the table
                    if (s_pay_tlast) state_q <= is_install_q && got_q + 7'd1 >= 7'(IB) &&
                                                sid_ok ? TCB :
                                                is_abort_q && got_q + 7'd1 >= 7'(ftoe_pkg::HL_KEY_BYTES) &&
                                                sid_ok ? RST : TABLE;
                    rst_asked_q <= 1'b0;
                end
                TCB: if (m_tcb_ready) state_q <= TABLE;
                RST: begin
                    if (m_rst_valid && m_rst_ready) rst_asked_q <= 1'b1;
                    if (s_rst_done) state_q <= TABLE;
                end
                FIN: if (m_fin_ready) state_q <= IDLE;
                SNAP: if (out_hs) begin
                    snap_q <= {snap_q[87:0], 8'd0};
                    word_q <= word_q + 7'd1;
                    if (word_q == 7'd11) state_q <= IDLE;
                end
                TABLE: begin
                    if (kind_q == ftoe_pkg::HL_CMD_SET_CONFIG) begin
                        if (got_q >= 7'(ftoe_pkg::HL_CONFIG_BYTES)) begin
                            cfg_mac <= {`FTOE_BE32(gather_q, 0), `FTOE_BYTE(gather_q, 4),
                                        `FTOE_BYTE(gather_q, 5)};
                            cfg_ip  <= `FTOE_BE32(gather_q, 6);
                        end
                        if (got_q >= 7'(ftoe_pkg::HL_CONFIG_TIMERS_BYTES)) begin
                            cfg_rto_min       <= `FTOE_BE32(gather_q, 10);
                            cfg_rto_max       <= `FTOE_BE32(gather_q, 14);
                            cfg_rto_initial   <= `FTOE_BE32(gather_q, 18);
                            cfg_max_retries   <= `FTOE_BYTE(gather_q, 22);
                            cfg_delack_enable <= gather_q[8*23];
                            cfg_delack_ticks  <= `FTOE_BE32(gather_q, 24);
                        end
                        state_q <= IDLE;
                    end else if (!long_enough) begin
                        m_evt_arg <= ftoe_pkg::HL_RES_SHORT;
                        state_q <= ANSWER;
                    end else if (!sid_ok) begin
                        m_evt_arg <= ftoe_pkg::HL_RES_BAD_SID;
                        state_q <= ANSWER;
                    end else if (m_ct_ready) begin
                        state_q <= TABLE_WAIT;
                    end
                end
                TABLE_WAIT: if (s_ct_res_valid) begin
                    m_evt_arg <= 16'(s_ct_res_code);
                    if (16'(s_ct_res_code) == ftoe_pkg::HL_RES_REMOVED) begin
                        m_evt_len <= 16'd12;
                        snap_q    <= s_snapshot;
                    end
                    state_q <= ANSWER;
                end
                ANSWER: if (evt_hs) begin
                    if (kind_q == ftoe_pkg::HL_CMD_PING)
                        state_q <= len_q != 16'd0 ? ECHO : IDLE;
                    else if (kind_q == ftoe_pkg::HL_CMD_READ_COUNTERS) begin
                        word_q <= '0;
                        state_q <= CNT_READ;
                    end else if (m_evt_len != 16'd0) begin   // REMOVED's snapshot
                        word_q <= '0;
                        state_q <= SNAP;
                    end else state_q <= IDLE;
                end
                ECHO: if (pay_hs && s_pay_tlast) state_q <= IDLE;
                RAW:  if (pay_hs && s_pay_tlast) state_q <= IDLE;
                APP:  if (pay_hs && s_pay_tlast) state_q <= IDLE;
                DRAIN: if (pay_hs && s_pay_tlast)
                    state_q <= kind_q == ftoe_pkg::HL_CMD_READ_COUNTERS ? ANSWER : IDLE;
                CNT_READ: state_q <= CNT_LATCH;  // cnt_idx = word_q; the value comes next cycle
                CNT_LATCH: begin
                    case (word_q - 7'(N64))
                        7'd0: value_q <= 64'(ct_occupancy);
                        7'd1: value_q <= 64'(ct_insert_failures);
                        7'd2: value_q <= 64'(ct_stashed);
                        7'd3: value_q <= 64'(ct_moves);
                        default: value_q <= cnt_value;
                    endcase
                    byte_q <= '0;
                    state_q <= CNT_SEND;
                end
                CNT_SEND: if (out_hs) begin
                    byte_q <= byte_q + 3'd1;
                    if (last_cnt_byte) state_q <= IDLE;
                    else if (byte_q == (word_q >= 7'(N64) ? 3'd3 : 3'd7)) begin
                        word_q <= word_q + 7'd1;
                        state_q <= CNT_READ;
                    end
                end
                default: state_q <= IDLE;
            endcase
        end
    end
endmodule
`default_nettype wire
