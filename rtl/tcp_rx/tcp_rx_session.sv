// tcp_rx_session: the receive side of every installed session. A table of per-session
// state (the TCB fields tcp_rx_accept reads) in block RAM (bypass_ram), read when a
// segment arrives, run through tcp_rx_accept, and written back with the decision's next
// state. The host writes a session's state when it installs it (s_wr_*).
//
// Same-session ordering: a segment reads its session's state only after the previous
// segment of that session has written it back (a read in the write-back cycle takes
// the written value), so s_seg_ready drops for a segment whose session is among the
// last 3 accepted. Installs wait for a free write port and for the session to have no
// segment in flight, so a write-back never overwrites a newer install.
//
// RCV.WND reopens as the consumer takes data. Bytes are counted per session from the
// install (modulo 2^32, FINs not counted): the TCB keeps the bytes delivered so far
// (m_delivered_total: a consumer's packet ends at that count) and the consumer's count
// already credited; a second table holds the consumer's count (s_consumed_*, written
// when the app takes a segment's last beat). A segment sees RCV.WND = the TCB's RCV.WND
// + (consumed - credited), and the write-back records the consumed count it used as
// credited. So the window grows by exactly the bytes taken, shrinks by exactly the
// bytes delivered, and its right edge never moves left (RFC 9293 §3.8.6.2.1).
//
// SND.NXT for the ACK acceptability test is the transmit side's: the highest sequence
// number sent + 1 (tcp_tx's snd_max; go-back-N moves its snd_nxt back, but ACKs up to
// snd_max stay acceptable). It lives in its own table, written by the transmit side
// (s_snd_max_*) whenever it changes and by installs; a segment reads it with its TCB. A
// value a few cycles old is harmless: no ACK can cover bytes sent after it was read.
//
// Latency:    m_valid exactly 4 cycles after the s_seg handshake (BRAM read 1 +
//             tcp_rx_accept 3); the write-back happens in that cycle.
// Throughput: 1 segment/cycle over different sessions; segments of one session at most
//             1 per 4 cycles (s_seg_ready low otherwise). One install per cycle when no
//             write-back and no s_snd_max or s_consumed write is due; s_snd_max and
//             s_consumed 1 per cycle each, never refused.
// Assumes:    s_seg_sid names an installed session (the connection table's answer).
`include "ftoe_defs.svh"
`default_nettype none
module tcp_rx_session #(
    // Session slots: a power of two, 64..65536
    parameter int SESSIONS = 4096,
    // Bits of caller context carried alongside each segment
    parameter int TAG_W = 16
) (
    input  wire logic                        clk,
    input  wire logic                        rst,
    // segments of installed sessions
    input  wire logic                        s_seg_valid,
    output wire logic                        s_seg_ready,
    input  wire logic [$clog2(SESSIONS)-1:0] s_seg_sid,
    input  wire logic [TAG_W-1:0]            s_seg_tag,
    input  wire logic [31:0]                 s_seq,
    input  wire logic [31:0]                 s_ack,
    input  wire logic [7:0]                  s_flags,
    input  wire logic [15:0]                 s_window,
    input  wire logic [15:0]                 s_payload_len,
    input  wire logic                        s_has_ts,
    input  wire logic [31:0]                 s_tsval,
    // session state written by the host (install)
    input  wire logic                        s_wr_valid,
    output wire logic                        s_wr_ready,
    input  wire logic [$clog2(SESSIONS)-1:0] s_wr_sid,
    input  wire logic [31:0]                 s_wr_rcv_nxt,
    input  wire logic [31:0]                 s_wr_rcv_wnd,
    input  wire logic [31:0]                 s_wr_snd_una,
    input  wire logic [31:0]                 s_wr_snd_nxt,
    input  wire logic [31:0]                 s_wr_snd_wnd,
    input  wire logic [31:0]                 s_wr_max_snd_wnd,
    input  wire logic [31:0]                 s_wr_snd_wl1,
    input  wire logic [31:0]                 s_wr_snd_wl2,
    input  wire logic [3:0]                  s_wr_snd_wscale,
    input  wire logic                        s_wr_ts_enabled,
    input  wire logic [31:0]                 s_wr_ts_recent,
    // the consumer has taken s_consumed_count of the session's bytes (a delivered
    // packet's m_delivered_total)
    input  wire logic                        s_consumed_valid,
    input  wire logic [$clog2(SESSIONS)-1:0] s_consumed_sid,
    input  wire logic [31:0]                 s_consumed_count,
    // the transmit side's SND.MAX (highest sequence number sent + 1)
    input  wire logic                        s_snd_max_valid,
    input  wire logic [$clog2(SESSIONS)-1:0] s_snd_max_sid,
    input  wire logic [31:0]                 s_snd_max,
    // decisions (see tcp_rx_accept) with the session they concern
    output logic                             m_valid,
    output logic [$clog2(SESSIONS)-1:0]      m_sid,
    output logic [TAG_W-1:0]                 m_tag,
    output logic [31:0]                      m_rcv_nxt,       // after this segment
    output logic [31:0]                      m_rcv_wnd,
    output logic [31:0]                      m_snd_una,
    output logic [31:0]                      m_snd_wnd,
    output logic [31:0]                      m_snd_nxt,       // the SND.MAX it used
    output logic                             m_ts_enabled,
    output logic [31:0]                      m_ts_recent,     // after this segment
    output logic [31:0]                      m_delivered_total, // bytes delivered, with these
    output logic [31:0]                      m_credited,      // consumer's count m_rcv_wnd includes
    output logic                             m_deliver,
    output logic [15:0]                      m_deliver_offset,
    output logic [15:0]                      m_deliver_len,
    output logic                             m_ack_now,
    output logic                             m_ack_due,
    output logic                             m_challenge_ack,
    output logic                             m_rst_event,
    output logic                             m_syn_event,
    output logic                             m_fin_event,
    output logic                             m_paws_drop,
    output logic                             m_out_of_window,
    output logic [31:0]                      m_acked,
    output logic                             m_dup_ack,
    output logic                             m_window_updated
);
    localparam int SID_W = $clog2(SESSIONS);
    // TCB: {rcv_nxt, rcv_wnd, snd_una, snd_wnd, max_snd_wnd, wl1, wl2, ts_recent,
    //       delivered, credited, snd_wscale, ts_enabled}; SND.NXT is in snd_max_tab,
    //       the consumer's count in consumed_tab
    localparam int TW = 10 * 32 + 4 + 1;
    // what rides through the decision: {sid, SND.NXT, delivered, consumed, snd_wscale,
    // ts_enabled, caller's tag}
    localparam int ATAG_W = SID_W + 32 + 32 + 32 + 4 + 1 + TAG_W;

    if (SESSIONS < 64 || SESSIONS > 65536 || (SESSIONS & (SESSIONS - 1)) != 0) begin : g_bad_sessions
        `FTOE_ELAB_FATAL $fatal(1, "tcp_rx_session: SESSIONS=%0d is not a power of two in 64..65536",
                                SESSIONS);
    end

    // ---- Hazards: sessions of the last 3 accepted segments --------------------------------
    logic [2:0]       recent_valid_q;
    logic [SID_W-1:0] recent_sid_q [3];
    function automatic logic in_flight(input logic [2:0] v, input logic [SID_W-1:0] s0,
                                       input logic [SID_W-1:0] s1, input logic [SID_W-1:0] s2,
                                       input logic [SID_W-1:0] sid);
        in_flight = (v[0] && s0 == sid) || (v[1] && s1 == sid) || (v[2] && s2 == sid);
    endfunction
    assign s_seg_ready = !in_flight(recent_valid_q, recent_sid_q[0], recent_sid_q[1],
                                    recent_sid_q[2], s_seg_sid);
    wire logic seg_hs = s_seg_valid && s_seg_ready;

    // ---- TCB table: one write port (write-back first, then installs), one read port -----
    logic              wb_valid;                    // tcp_rx_accept's result this cycle
    logic [SID_W-1:0]  wb_sid;
    logic [TW-1:0]     wb_tcb;
    // An install waits for the write port and for its session to have nothing in flight
    // (the last 3 accepted; the 4th writes back in this very cycle and holds the port).
    logic              rd_valid_q;                  // the read stage holds a segment (u_tcb's)
    logic [SID_W-1:0]  rd_sid_q;
    assign s_wr_ready = !wb_valid && !s_snd_max_valid && !s_consumed_valid &&
                        !in_flight(recent_valid_q, recent_sid_q[0], recent_sid_q[1],
                                   recent_sid_q[2], s_wr_sid);
    wire logic wr_hs = s_wr_valid && s_wr_ready;
    wire logic [TW-1:0] wr_tcb = {s_wr_rcv_nxt, s_wr_rcv_wnd, s_wr_snd_una,
                                  s_wr_snd_wnd, s_wr_max_snd_wnd, s_wr_snd_wl1, s_wr_snd_wl2,
                                  s_wr_ts_recent, 32'd0, 32'd0, s_wr_snd_wscale,
                                  s_wr_ts_enabled};
    wire logic              write     = wb_valid || wr_hs;
    wire logic [SID_W-1:0]  write_sid = wb_valid ? wb_sid : s_wr_sid;
    wire logic [TW-1:0]     write_tcb = wb_valid ? wb_tcb : wr_tcb;

    // Each table is read for a segment only (see bypass_ram: 0 between segments), and a
    // read in the cycle of a write to the same session takes the written value.
    logic [TW-1:0] state;
    bypass_ram #(.DEPTH(SESSIONS), .W(TW)) u_tcb (
        .clk, .rst, .wr_en(write), .wr_addr(write_sid), .wr_data(write_tcb),
        .rd_en(seg_hs), .rd_addr(s_seg_sid), .rd_valid(rd_valid_q), .rd_data(state)
    );

    // SND.MAX table: the transmit side's writes, or an install's SND.NXT
    wire logic              sm_write = s_snd_max_valid || wr_hs;
    wire logic [SID_W-1:0]  sm_sid   = s_snd_max_valid ? s_snd_max_sid : s_wr_sid;
    wire logic [31:0]       sm_value = s_snd_max_valid ? s_snd_max : s_wr_snd_nxt;
    logic [31:0] st_snd_nxt;
    logic        sm_valid_unused;  // = rd_valid_q
    bypass_ram #(.DEPTH(SESSIONS), .W(32)) u_snd_max (
        .clk, .rst, .wr_en(sm_write), .wr_addr(sm_sid), .wr_data(sm_value),
        .rd_en(seg_hs), .rd_addr(s_seg_sid), .rd_valid(sm_valid_unused), .rd_data(st_snd_nxt)
    );

    // Consumer's count: its writes, or an install's 0
    wire logic              cs_write = s_consumed_valid || wr_hs;
    wire logic [SID_W-1:0]  cs_sid   = s_consumed_valid ? s_consumed_sid : s_wr_sid;
    wire logic [31:0]       cs_value = s_consumed_valid ? s_consumed_count : 32'd0;
    logic [31:0] st_consumed;
    logic        cs_valid_unused;  // = rd_valid_q
    bypass_ram #(.DEPTH(SESSIONS), .W(32)) u_consumed (
        .clk, .rst, .wr_en(cs_write), .wr_addr(cs_sid), .wr_data(cs_value),
        .rd_en(seg_hs), .rd_addr(s_seg_sid), .rd_valid(cs_valid_unused), .rd_data(st_consumed)
    );

    // ---- Read stage: the segment waits one cycle for its state -----------------------------
    logic [TAG_W-1:0] rd_tag_q;
    logic [31:0]      rd_seq_q, rd_ack_q, rd_tsval_q;
    logic [7:0]       rd_flags_q;
    logic [15:0]      rd_window_q, rd_len_q;
    logic             rd_has_ts_q;
    always_ff @(posedge clk) begin
        rd_sid_q    <= s_seg_sid;
        rd_tag_q    <= s_seg_tag;
        rd_seq_q    <= s_seq;
        rd_ack_q    <= s_ack;
        rd_flags_q  <= s_flags;
        rd_window_q <= s_window;
        rd_len_q    <= s_payload_len;
        rd_has_ts_q <= s_has_ts;
        rd_tsval_q  <= s_tsval;
        if (rst) recent_valid_q <= '0;
        else     recent_valid_q <= {recent_valid_q[1:0], seg_hs};
        recent_sid_q[0] <= s_seg_sid;
        recent_sid_q[1] <= recent_sid_q[0];
        recent_sid_q[2] <= recent_sid_q[1];
    end

    // state fields
    wire logic [31:0] st_rcv_nxt = state[TW-1 -: 32];
    wire logic [31:0] st_delivered = state[68:37];
    wire logic [31:0] st_credited = state[36:5];
    // plus the bytes taken since the last segment
    wire logic [31:0] st_rcv_wnd = state[TW-33 -: 32] + (st_consumed - st_credited);
    wire logic [31:0] st_snd_una = state[TW-65 -: 32];
    wire logic [31:0] st_snd_wnd = state[TW-97 -: 32];
    wire logic [31:0] st_max_wnd = state[TW-129 -: 32];
    wire logic [31:0] st_wl1     = state[TW-161 -: 32];
    wire logic [31:0] st_wl2     = state[TW-193 -: 32];
    wire logic [31:0] st_ts_rec  = state[TW-225 -: 32];
    wire logic [3:0]  st_wscale  = state[4:1];
    wire logic        st_ts_en   = state[0];

    // ---- Decision -------------------------------------------------------------------------
    logic              a_valid;
    logic [ATAG_W-1:0] a_tag;
    logic [31:0]       a_max_wnd, a_wl1, a_wl2, a_ts_recent;
    tcp_rx_accept #(.TAG_W(ATAG_W)) u_accept (
        .clk, .rst,
        .s_valid(rd_valid_q),
        .s_tag({rd_sid_q, st_snd_nxt, st_delivered, st_consumed, st_wscale, st_ts_en,
                rd_tag_q}),
        .s_rcv_nxt(st_rcv_nxt), .s_rcv_wnd(st_rcv_wnd), .s_snd_una(st_snd_una),
        .s_snd_nxt(st_snd_nxt), .s_snd_wnd(st_snd_wnd), .s_max_snd_wnd(st_max_wnd),
        .s_snd_wl1(st_wl1), .s_snd_wl2(st_wl2), .s_snd_wscale(st_wscale),
        .s_ts_enabled(st_ts_en), .s_ts_recent(st_ts_rec),
        .s_seq(rd_seq_q), .s_ack(rd_ack_q), .s_flags(rd_flags_q), .s_window(rd_window_q),
        .s_payload_len(rd_len_q), .s_has_ts(rd_has_ts_q), .s_tsval(rd_tsval_q),
        .m_valid(a_valid), .m_tag(a_tag),
        .m_next_rcv_nxt(m_rcv_nxt), .m_next_rcv_wnd(m_rcv_wnd), .m_next_snd_una(m_snd_una),
        .m_next_snd_wnd(m_snd_wnd), .m_next_max_snd_wnd(a_max_wnd),
        .m_next_snd_wl1(a_wl1), .m_next_snd_wl2(a_wl2), .m_next_ts_recent(a_ts_recent),
        .m_deliver, .m_deliver_offset, .m_deliver_len, .m_ack_now, .m_ack_due,
        .m_challenge_ack, .m_rst_event, .m_syn_event, .m_fin_event, .m_paws_drop,
        .m_out_of_window, .m_acked, .m_dup_ack, .m_window_updated
    );
    wire logic [31:0] a_snd_nxt   = a_tag[TAG_W + 69 +: 32];
    wire logic [31:0] a_delivered = a_tag[TAG_W + 37 +: 32];
    wire logic [31:0] a_consumed  = a_tag[TAG_W + 5 +: 32];
    wire logic [3:0]  a_wscale  = a_tag[TAG_W + 1 +: 4];
    wire logic        a_ts_en   = a_tag[TAG_W];

    always_comb begin
        wb_valid = a_valid;
        wb_sid   = a_tag[ATAG_W-1 -: SID_W];
        m_delivered_total = a_delivered + (m_deliver ? 32'(m_deliver_len) : 32'd0);
        wb_tcb   = {m_rcv_nxt, m_rcv_wnd, m_snd_una, m_snd_wnd, a_max_wnd, a_wl1,
                    a_wl2, a_ts_recent, m_delivered_total, a_consumed, a_wscale, a_ts_en};
        m_valid  = a_valid;
        m_sid    = wb_sid;
        m_snd_nxt    = a_snd_nxt;
        m_ts_enabled = a_ts_en;
        m_ts_recent  = a_ts_recent;
        m_credited   = a_consumed;
        m_tag    = a_tag[TAG_W-1:0];
    end
endmodule
`default_nettype wire
