// tcp_tx_session: the transmit-side control state of every installed session: a table of
// tcp_tx_cc's state (549 bits per session) in block RAM (bypass_ram), read when an event
// arrives, run through tcp_tx_cc, and written back with its next state. An install is an
// event too (kind 0: ISS+1, MSS, peer window), so there is no separate write port.
//
// Same-session ordering: an event reads its session's state only after the previous
// event of that session has written it back (a read in the write-back cycle takes the
// written value), so s_ev_ready drops for an event whose session is among the last 3
// accepted.
//
// Latency:    m_valid exactly 4 cycles after the s_ev handshake (BRAM read 1 +
//             tcp_tx_cc 3); the write-back happens in that cycle. `busy` is 1 from the
//             cycle after a handshake to its m_valid cycle.
// Throughput: 1 event/cycle over different sessions; events of one session at most
//             1 per 4 cycles (s_ev_ready low otherwise).
// Assumes:    a session's first event is its install (kind 0); cfg_* stable while events
//             are in flight.
// State layout (m_next_state, most significant first): snd_una, snd_nxt, snd_max,
// app_end, fin_req, snd_wnd, mss, cwnd, ssthresh, ca_acc, dupacks, in_recovery, recover,
// rtx_pending, srtt_valid, srtt8, rttvar4, rto, backoff, timing, rtt_seq, rtt_start,
// rto_on, persist_on, persist_int, probe_pending, delack_on, rcv_full, ack_owed, adv_wnd
// (widths as tcp_tx_cc's ports).
`include "ftoe_defs.svh"
`default_nettype none
module tcp_tx_session #(
    // Session slots: a power of two, 64..65536
    parameter int SESSIONS = 4096,
    // Bits of caller context carried alongside each event
    parameter int TAG_W = 8
) (
    input  wire logic                        clk,
    input  wire logic                        rst,
    // engine-wide configuration (timer ticks), as tcp_tx_cc
    input  wire logic [31:0]                 cfg_rto_min,
    input  wire logic [31:0]                 cfg_rto_max,
    input  wire logic [31:0]                 cfg_rto_initial,
    input  wire logic [31:0]                 cfg_clock_g,
    input  wire logic [7:0]                  cfg_max_retries,
    input  wire logic                        cfg_delack_enable,
    input  wire logic [31:0]                 cfg_delack_ticks,
    input  wire logic [31:0]                 cfg_rcv_buf,
    // events (see tcp_tx_cc for the kinds and fields)
    input  wire logic                        s_ev_valid,
    output wire logic                        s_ev_ready,
    input  wire logic [$clog2(SESSIONS)-1:0] s_ev_sid,
    input  wire logic [TAG_W-1:0]            s_ev_tag,
    input  wire logic [3:0]                  s_ev_kind,
    input  wire logic [31:0]                 s_ev_now,
    input  wire logic [31:0]                 s_ev_seq,
    input  wire logic [15:0]                 s_ev_len,
    input  wire logic                        s_ev_fin,
    input  wire logic [31:0]                 s_ev_wnd,
    input  wire logic [31:0]                 s_ev_acked,
    input  wire logic                        s_ev_dup_ack,
    input  wire logic                        s_ev_ack_now,
    input  wire logic                        s_ev_rtt_valid,
    input  wire logic [31:0]                 s_ev_rtt,
    // the event's outcome with the session it concerns
    output logic                             m_valid,
    output logic [$clog2(SESSIONS)-1:0]      m_sid,
    output logic [TAG_W-1:0]                 m_tag,
    output logic [548:0]                     m_next_state,
    output logic                             m_send,
    output logic [31:0]                      m_send_seq,
    output logic [15:0]                      m_send_len,
    output logic                             m_send_fin,
    output logic                             m_send_rtx,
    output logic                             m_ack_now,
    output logic                             m_rto_arm,
    output logic                             m_rto_stop,
    output logic                             m_persist_arm,
    output logic                             m_persist_stop,
    output logic                             m_delack_arm,
    output logic                             m_delack_stop,
    output logic [31:0]                      m_rto_ticks,
    output logic [31:0]                      m_persist_ticks,
    output logic [31:0]                      m_delack_ticks,
    output logic                             m_give_up,
    // status: an accepted event's outcome is still to come (or is m_valid this cycle)
    output wire logic                        busy
);
    localparam int SID_W = $clog2(SESSIONS);
    localparam int TW = 549;

    if (SESSIONS < 64 || SESSIONS > 65536 || (SESSIONS & (SESSIONS - 1)) != 0) begin : g_bad_sessions
        `FTOE_ELAB_FATAL $fatal(1, "tcp_tx_session: SESSIONS=%0d is not a power of two in 64..65536",
                                SESSIONS);
    end

    // ---- Hazards: sessions of the last 3 accepted events -----------------------------------
    logic [2:0]       recent_valid_q;
    logic [SID_W-1:0] recent_sid_q [3];
    assign s_ev_ready = !((recent_valid_q[0] && recent_sid_q[0] == s_ev_sid) ||
                          (recent_valid_q[1] && recent_sid_q[1] == s_ev_sid) ||
                          (recent_valid_q[2] && recent_sid_q[2] == s_ev_sid));
    wire logic ev_hs = s_ev_valid && s_ev_ready;
    logic c_valid;
    assign busy = recent_valid_q != '0 || c_valid;

    // ---- State table: the write-back port and one read port --------------------------------
    logic             wb_valid;
    logic [SID_W-1:0] wb_sid;
    logic [TW-1:0]    wb_state;
    // Read for an event only (see bypass_ram: 0 between events, so the simulated model
    // skips those 549-bit copies); a read in the cycle of the session's write-back takes
    // the written state.
    logic [TW-1:0]    state;
    logic             rd_valid_q;   // the read stage holds an event (state is its state)
    bypass_ram #(.DEPTH(SESSIONS), .W(TW)) u_tcb (
        .clk, .rst, .wr_en(wb_valid), .wr_addr(wb_sid), .wr_data(wb_state),
        .rd_en(ev_hs), .rd_addr(s_ev_sid), .rd_valid(rd_valid_q), .rd_data(state)
    );

    // ---- Read stage: the event waits one cycle for its state -------------------------------
    logic [SID_W-1:0] rd_sid_q;
    logic [TAG_W-1:0] rd_tag_q;
    logic [3:0]       rd_kind_q;
    logic [31:0]      rd_now_q, rd_seq_q, rd_wnd_q, rd_acked_q, rd_rtt_q;
    logic [15:0]      rd_len_q;
    logic             rd_fin_q, rd_dup_q, rd_ack_now_q, rd_rtt_valid_q;
    always_ff @(posedge clk) begin
        rd_sid_q       <= s_ev_sid;
        rd_tag_q       <= s_ev_tag;
        rd_kind_q      <= s_ev_kind;
        rd_now_q       <= s_ev_now;
        rd_seq_q       <= s_ev_seq;
        rd_len_q       <= s_ev_len;
        rd_fin_q       <= s_ev_fin;
        rd_wnd_q       <= s_ev_wnd;
        rd_acked_q     <= s_ev_acked;
        rd_dup_q       <= s_ev_dup_ack;
        rd_ack_now_q   <= s_ev_ack_now;
        rd_rtt_valid_q <= s_ev_rtt_valid;
        rd_rtt_q       <= s_ev_rtt;
        recent_sid_q[0] <= s_ev_sid;
        recent_sid_q[1] <= recent_sid_q[0];
        recent_sid_q[2] <= recent_sid_q[1];
        if (rst) recent_valid_q <= '0;
        else     recent_valid_q <= {recent_valid_q[1:0], ev_hs};
    end

    // state fields
    wire logic [31:0] st_snd_una = state[548:517];
    wire logic [31:0] st_snd_nxt = state[516:485];
    wire logic [31:0] st_snd_max = state[484:453];
    wire logic [31:0] st_app_end = state[452:421];
    wire logic        st_fin_req = state[420];
    wire logic [31:0] st_snd_wnd = state[419:388];
    wire logic [15:0] st_mss = state[387:372];
    wire logic [31:0] st_cwnd = state[371:340];
    wire logic [31:0] st_ssthresh = state[339:308];
    wire logic [31:0] st_ca_acc = state[307:276];
    wire logic [1:0] st_dupacks = state[275:274];
    wire logic        st_in_recovery = state[273];
    wire logic [31:0] st_recover = state[272:241];
    wire logic        st_rtx_pending = state[240];
    wire logic        st_srtt_valid = state[239];
    wire logic [31:0] st_srtt8 = state[238:207];
    wire logic [31:0] st_rttvar4 = state[206:175];
    wire logic [31:0] st_rto = state[174:143];
    wire logic [7:0] st_backoff = state[142:135];
    wire logic        st_timing = state[134];
    wire logic [31:0] st_rtt_seq = state[133:102];
    wire logic [31:0] st_rtt_start = state[101:70];
    wire logic        st_rto_on = state[69];
    wire logic        st_persist_on = state[68];
    wire logic [31:0] st_persist_int = state[67:36];
    wire logic        st_probe_pending = state[35];
    wire logic        st_delack_on = state[34];
    wire logic        st_rcv_full = state[33];
    wire logic        st_ack_owed = state[32];
    wire logic [31:0] st_adv_wnd = state[31:0];

    // ---- Decision ---------------------------------------------------------------------------
    logic [31:0] n_snd_una;
    logic [31:0] n_snd_nxt;
    logic [31:0] n_snd_max;
    logic [31:0] n_app_end;
    logic        n_fin_req;
    logic [31:0] n_snd_wnd;
    logic [15:0] n_mss;
    logic [31:0] n_cwnd;
    logic [31:0] n_ssthresh;
    logic [31:0] n_ca_acc;
    logic [1:0] n_dupacks;
    logic        n_in_recovery;
    logic [31:0] n_recover;
    logic        n_rtx_pending;
    logic        n_srtt_valid;
    logic [31:0] n_srtt8;
    logic [31:0] n_rttvar4;
    logic [31:0] n_rto;
    logic [7:0] n_backoff;
    logic        n_timing;
    logic [31:0] n_rtt_seq;
    logic [31:0] n_rtt_start;
    logic        n_rto_on;
    logic        n_persist_on;
    logic [31:0] n_persist_int;
    logic        n_probe_pending;
    logic        n_delack_on;
    logic        n_rcv_full;
    logic        n_ack_owed;
    logic [31:0] n_adv_wnd;
    logic [SID_W+TAG_W-1:0] c_tag;
    tcp_tx_cc #(.TAG_W(SID_W + TAG_W)) u_cc (
        .clk, .rst,
        .cfg_rto_min, .cfg_rto_max, .cfg_rto_initial, .cfg_clock_g, .cfg_max_retries,
        .cfg_delack_enable, .cfg_delack_ticks, .cfg_rcv_buf,
        .s_valid(rd_valid_q), .s_tag({rd_sid_q, rd_tag_q}), .s_kind(rd_kind_q),
        .s_now(rd_now_q), .s_seq(rd_seq_q), .s_len(rd_len_q), .s_fin(rd_fin_q),
        .s_wnd(rd_wnd_q), .s_acked(rd_acked_q), .s_dup_ack(rd_dup_q),
        .s_ack_now(rd_ack_now_q), .s_rtt_valid(rd_rtt_valid_q), .s_rtt(rd_rtt_q),
        .s_snd_una(st_snd_una),
        .s_snd_nxt(st_snd_nxt),
        .s_snd_max(st_snd_max),
        .s_app_end(st_app_end),
        .s_fin_req(st_fin_req),
        .s_snd_wnd(st_snd_wnd),
        .s_mss(st_mss),
        .s_cwnd(st_cwnd),
        .s_ssthresh(st_ssthresh),
        .s_ca_acc(st_ca_acc),
        .s_dupacks(st_dupacks),
        .s_in_recovery(st_in_recovery),
        .s_recover(st_recover),
        .s_rtx_pending(st_rtx_pending),
        .s_srtt_valid(st_srtt_valid),
        .s_srtt8(st_srtt8),
        .s_rttvar4(st_rttvar4),
        .s_rto(st_rto),
        .s_backoff(st_backoff),
        .s_timing(st_timing),
        .s_rtt_seq(st_rtt_seq),
        .s_rtt_start(st_rtt_start),
        .s_rto_on(st_rto_on),
        .s_persist_on(st_persist_on),
        .s_persist_int(st_persist_int),
        .s_probe_pending(st_probe_pending),
        .s_delack_on(st_delack_on),
        .s_rcv_full(st_rcv_full),
        .s_ack_owed(st_ack_owed),
        .s_adv_wnd(st_adv_wnd),
        .m_valid(c_valid), .m_tag(c_tag),
        .m_next_snd_una(n_snd_una),
        .m_next_snd_nxt(n_snd_nxt),
        .m_next_snd_max(n_snd_max),
        .m_next_app_end(n_app_end),
        .m_next_fin_req(n_fin_req),
        .m_next_snd_wnd(n_snd_wnd),
        .m_next_mss(n_mss),
        .m_next_cwnd(n_cwnd),
        .m_next_ssthresh(n_ssthresh),
        .m_next_ca_acc(n_ca_acc),
        .m_next_dupacks(n_dupacks),
        .m_next_in_recovery(n_in_recovery),
        .m_next_recover(n_recover),
        .m_next_rtx_pending(n_rtx_pending),
        .m_next_srtt_valid(n_srtt_valid),
        .m_next_srtt8(n_srtt8),
        .m_next_rttvar4(n_rttvar4),
        .m_next_rto(n_rto),
        .m_next_backoff(n_backoff),
        .m_next_timing(n_timing),
        .m_next_rtt_seq(n_rtt_seq),
        .m_next_rtt_start(n_rtt_start),
        .m_next_rto_on(n_rto_on),
        .m_next_persist_on(n_persist_on),
        .m_next_persist_int(n_persist_int),
        .m_next_probe_pending(n_probe_pending),
        .m_next_delack_on(n_delack_on),
        .m_next_rcv_full(n_rcv_full),
        .m_next_ack_owed(n_ack_owed),
        .m_next_adv_wnd(n_adv_wnd)
,
        .m_send, .m_send_seq, .m_send_len, .m_send_fin, .m_send_rtx, .m_ack_now,
        .m_rto_arm, .m_rto_stop, .m_persist_arm, .m_persist_stop, .m_delack_arm,
        .m_delack_stop, .m_rto_ticks, .m_persist_ticks, .m_delack_ticks, .m_give_up
    );

    always_comb begin
        wb_valid     = c_valid;
        wb_sid       = c_tag[SID_W+TAG_W-1 -: SID_W];
        wb_state     = {n_snd_una, n_snd_nxt, n_snd_max, n_app_end, n_fin_req, n_snd_wnd, n_mss, n_cwnd, n_ssthresh, n_ca_acc, n_dupacks, n_in_recovery, n_recover, n_rtx_pending, n_srtt_valid, n_srtt8, n_rttvar4, n_rto, n_backoff, n_timing, n_rtt_seq, n_rtt_start, n_rto_on, n_persist_on, n_persist_int, n_probe_pending, n_delack_on, n_rcv_full, n_ack_owed, n_adv_wnd};
        m_valid      = c_valid;
        m_sid        = wb_sid;
        m_tag        = c_tag[TAG_W-1:0];
        m_next_state = wb_state;
    end
endmodule
`default_nettype wire
