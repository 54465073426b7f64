// tcp_tx_cc: what one event does to a session's transmit-side control state, and what
// to do next (reference: tcp_tx_cc() in hls/tcp_tx.*, whose header states the rules):
// the RFC 6298 RTO estimator (8*SRTT and 4*RTTVAR kept, shifts only, Karn, exponential
// backoff, give-up after cfg_max_retries), NewReno (RFC 5681 + RFC 6582: slow start,
// congestion avoidance by byte counting, fast retransmit on the third duplicate ACK,
// inflation, partial and full ACKs, RTO loss window and go-back-N), RFC 3042 limited
// transmit (outside recovery, new data up to cwnd + 1*MSS after the first duplicate ACK
// and cwnd + 2*MSS after the second; cwnd unchanged), the send decision (next segment
// within min(SND.WND, cwnd + that allowance), MSS-sized unless it ends the queued data,
// FIN after all data, zero-window probes), the persist timer, and the receive-side ACK
// policy (delayed ACK, every second full-size segment, window updates). No divider:
// congestion avoidance counts bytes. Sequence arithmetic is modulo 2^32. The state
// table is the caller's: state in, next state out.
//
// Events (s_kind): 0 install (s_seq = ISS+1, s_len = MSS, s_wnd = peer window), 1 ACK
// (s_acked, s_dup_ack, s_wnd = new SND.WND, s_rtt_valid/s_rtt = timestamp-echo sample),
// 2 RTO expiry, 3 persist expiry, 4 segment sent (s_seq, s_len, s_fin, s_wnd =
// advertised window), 5 data queued (s_len bytes), 6 FIN requested, 7 data received
// (s_len delivered, s_fin, s_ack_now), 8 delayed-ACK expiry, 9 receive window opened
// (s_wnd = free window). s_now is the timer tick of the event.
//
// Latency:    m_valid exactly 3 cycles after s_valid (three register stages: sums and
//             compares of the input state; the event's state update, RTO estimator and
//             the new cwnd plus its limited-transmit allowance; timers and the send
//             decision on the new state).
// Throughput: 1 event per cycle, no stall.
// Assumes:    s_* state is the session's state before this event (at most one event
//             per session in flight: the caller forwards m_next_* to a following event
//             of the same session); cfg_* stable while events are in flight;
//             cfg_rto_min <= cfg_rto_max. Kinds 10..15 change nothing (the decisions
//             are those of the unchanged state). A session's state is 549 bits.
// Outputs:    meaningful with m_valid only; between events they hold the last one's.
`default_nettype none
`include "ftoe_defs.svh"
module tcp_tx_cc #(
    // Bits of caller context carried alongside each event (e.g. session id)
    parameter int TAG_W = 16
) (
    input  wire logic             clk,
    input  wire logic             rst,
    // engine-wide configuration (timer ticks)
    input  wire logic [31:0]      cfg_rto_min,
    input  wire logic [31:0]      cfg_rto_max,
    input  wire logic [31:0]      cfg_rto_initial,
    input  wire logic [31:0]      cfg_clock_g,
    input  wire logic [7:0]       cfg_max_retries,
    input  wire logic             cfg_delack_enable,
    input  wire logic [31:0]      cfg_delack_ticks,
    input  wire logic [31:0]      cfg_rcv_buf,
    // event
    input  wire logic             s_valid,
    input  wire logic [TAG_W-1:0] s_tag,
    input  wire logic [3:0]       s_kind,
    input  wire logic [31:0]      s_now,
    input  wire logic [31:0]      s_seq,
    input  wire logic [15:0]      s_len,
    input  wire logic             s_fin,
    input  wire logic [31:0]      s_wnd,
    input  wire logic [31:0]      s_acked,
    input  wire logic             s_dup_ack,
    input  wire logic             s_ack_now,
    input  wire logic             s_rtt_valid,
    input  wire logic [31:0]      s_rtt,
    // the session's state before the event
    input  wire logic [31:0]      s_snd_una,
    input  wire logic [31:0]      s_snd_nxt,
    input  wire logic [31:0]      s_snd_max,
    input  wire logic [31:0]      s_app_end,
    input  wire logic             s_fin_req,
    input  wire logic [31:0]      s_snd_wnd,
    input  wire logic [15:0]      s_mss,
    input  wire logic [31:0]      s_cwnd,
    input  wire logic [31:0]      s_ssthresh,
    input  wire logic [31:0]      s_ca_acc,
    input  wire logic [1:0]       s_dupacks,
    input  wire logic             s_in_recovery,
    input  wire logic [31:0]      s_recover,
    input  wire logic             s_rtx_pending,
    input  wire logic             s_srtt_valid,
    input  wire logic [31:0]      s_srtt8,
    input  wire logic [31:0]      s_rttvar4,
    input  wire logic [31:0]      s_rto,
    input  wire logic [7:0]       s_backoff,
    input  wire logic             s_timing,
    input  wire logic [31:0]      s_rtt_seq,
    input  wire logic [31:0]      s_rtt_start,
    input  wire logic             s_rto_on,
    input  wire logic             s_persist_on,
    input  wire logic [31:0]      s_persist_int,
    input  wire logic             s_probe_pending,
    input  wire logic             s_delack_on,
    input  wire logic             s_rcv_full,
    input  wire logic             s_ack_owed,
    input  wire logic [31:0]      s_adv_wnd,
    // the session's next state
    output logic                  m_valid,
    output logic [TAG_W-1:0]      m_tag,
    output logic [31:0]           m_next_snd_una,
    output logic [31:0]           m_next_snd_nxt,
    output logic [31:0]           m_next_snd_max,
    output logic [31:0]           m_next_app_end,
    output logic                  m_next_fin_req,
    output logic [31:0]           m_next_snd_wnd,
    output logic [15:0]           m_next_mss,
    output logic [31:0]           m_next_cwnd,
    output logic [31:0]           m_next_ssthresh,
    output logic [31:0]           m_next_ca_acc,
    output logic [1:0]            m_next_dupacks,
    output logic                  m_next_in_recovery,
    output logic [31:0]           m_next_recover,
    output logic                  m_next_rtx_pending,
    output logic                  m_next_srtt_valid,
    output logic [31:0]           m_next_srtt8,
    output logic [31:0]           m_next_rttvar4,
    output logic [31:0]           m_next_rto,
    output logic [7:0]            m_next_backoff,
    output logic                  m_next_timing,
    output logic [31:0]           m_next_rtt_seq,
    output logic [31:0]           m_next_rtt_start,
    output logic                  m_next_rto_on,
    output logic                  m_next_persist_on,
    output logic [31:0]           m_next_persist_int,
    output logic                  m_next_probe_pending,
    output logic                  m_next_delack_on,
    output logic                  m_next_rcv_full,
    output logic                  m_next_ack_owed,
    output logic [31:0]           m_next_adv_wnd,
    // decisions
    output logic                  m_send,         // send this segment (then report it)
    output logic [31:0]           m_send_seq,
    output logic [15:0]           m_send_len,
    output logic                  m_send_fin,
    output logic                  m_send_rtx,     // below SND.MAX: a retransmission
    output logic                  m_ack_now,      // an ACK is owed now
    output logic                  m_rto_arm,      // (re)start the RTO timer, m_rto_ticks
    output logic                  m_rto_stop,
    output logic                  m_persist_arm,  // (re)start the persist timer, m_persist_ticks
    output logic                  m_persist_stop,
    output logic                  m_delack_arm,   // start the delayed-ACK timer, m_delack_ticks
    output logic                  m_delack_stop,
    output logic [31:0]           m_rto_ticks,
    output logic [31:0]           m_persist_ticks,
    output logic [31:0]           m_delack_ticks,
    output logic                  m_give_up       // retries exhausted: tell the host
);
    if (TAG_W < 1 || TAG_W > 64) begin : g_bad_tag
        `FTOE_ELAB_FATAL $fatal(1, "tcp_tx_cc: TAG_W=%0d must be in 1..64", TAG_W);
    end

    localparam logic [3:0] EV_INIT = 4'd0, EV_ACK = 4'd1, EV_RTO = 4'd2, EV_PERSIST = 4'd3,
                           EV_SENT = 4'd4, EV_QUEUED = 4'd5, EV_FIN = 4'd6, EV_RX = 4'd7,
                           EV_DELACK = 4'd8, EV_WINDOW = 4'd9;
    localparam logic [31:0] RTT_MAX = 32'h0FFF_FFFF;  // samples saturate at 2^28 - 1

    // a < b and a <= b in sequence space (RFC 9293 §3.4): the sign of a - b.
    /* verilator lint_off UNUSEDSIGNAL */  // seq_lt reads only the difference's sign bit
    function automatic logic seq_lt(input logic [31:0] a, input logic [31:0] b);
        logic [31:0] d;
        d = a - b;
        seq_lt = d[31];
    endfunction
    function automatic logic seq_le(input logic [31:0] a, input logic [31:0] b);
        logic [31:0] d;
        d = a - b;
        seq_le = d[31] || d == 32'd0;
    endfunction
    /* verilator lint_on UNUSEDSIGNAL */
    function automatic logic [31:0] min32(input logic [31:0] a, input logic [31:0] b);
        min32 = a < b ? a : b;
    endfunction
    function automatic logic [31:0] max32(input logic [31:0] a, input logic [31:0] b);
        max32 = a > b ? a : b;
    endfunction
    function automatic logic [31:0] sat_add(input logic [31:0] a, input logic [31:0] b);
        logic [32:0] s;
        s = {1'b0, a} + {1'b0, b};
        sat_add = s[32] ? 32'hFFFF_FFFF : s[31:0];
    endfunction
    // min(2x, cap)
    function automatic logic [31:0] double_capped(input logic [31:0] x, input logic [31:0] cap);
        logic [32:0] x2;
        x2 = {x, 1'b0};
        double_capped = x2 > {1'b0, cap} ? cap : x2[31:0];
    endfunction

    typedef struct packed {
        logic [31:0] snd_una, snd_nxt, snd_max, app_end;
        logic        fin_req;
        logic [31:0] snd_wnd;
        logic [15:0] mss;
        logic [31:0] cwnd, ssthresh, ca_acc;
        logic [1:0]  dupacks;
        logic        in_recovery;
        logic [31:0] recover;
        logic        rtx_pending, srtt_valid;
        logic [31:0] srtt8, rttvar4, rto;
        logic [7:0]  backoff;
        logic        timing;
        logic [31:0] rtt_seq, rtt_start;
        logic        rto_on, persist_on;
        logic [31:0] persist_int;
        logic        probe_pending, delack_on, rcv_full, ack_owed;
        logic [31:0] adv_wnd;
    } st_t;

    // ---- Stage 1: every sum and comparison that needs only the inputs ----------------
    typedef struct packed {
        logic [TAG_W-1:0] tag;
        st_t         st;
        logic [3:0]  kind;
        logic [31:0] now, seq, wnd, acked;
        logic [15:0] len;
        logic        fin, dup_ack, ack_now, rtt_valid;
        logic [31:0] una_new, loss_ss, iw, ss_cwnd, ca_cwnd, ca_acc_new, deflated;
        logic [31:0] cwnd_plus_mss, dbl_rto, dbl_persist, sent_end, adv_after_rx, app_end_plus;
        logic [31:0] r, err, rttvar4_part, srtt8_part;
        logic        nxt_lt_una_new, timed_done, recover_le_una_new, recover_le_una;
        logic        una_new_is_max, outstanding, cwnd_lt_ss, nxt_lt_end, max_lt_end;
        logic        seq_lt_max, seq_is_una, seq_le_nxt, rx_full, win_due;
    } s1_t;
    s1_t a_d, a_q;
    logic [1:0] valid_q;                        // valid_q[i]: an event in stage i + 2
    always_comb begin
        logic [31:0] flight, r_raw, srtt, c0, c1, grow, mss32;
        logic [32:0] acc, acc_after;
        logic        acc_ge;
        // Computed only in an event's cycle, held otherwise (a clock enable): the
        // simulated model then skips it between events.
        a_d = a_q;
        {flight, r_raw, srtt, c0, c1, grow, mss32, acc, acc_after, acc_ge} = '0;
        if (s_valid) begin
            mss32 = 32'(s_mss);
            a_d.tag = s_tag;
            a_d.st.snd_una       = s_snd_una;
            a_d.st.snd_nxt       = s_snd_nxt;
            a_d.st.snd_max       = s_snd_max;
            a_d.st.app_end       = s_app_end;
            a_d.st.fin_req       = s_fin_req;
            a_d.st.snd_wnd       = s_snd_wnd;
            a_d.st.mss           = s_mss;
            a_d.st.cwnd          = s_cwnd;
            a_d.st.ssthresh      = s_ssthresh;
            a_d.st.ca_acc        = s_ca_acc;
            a_d.st.dupacks       = s_dupacks;
            a_d.st.in_recovery   = s_in_recovery;
            a_d.st.recover       = s_recover;
            a_d.st.rtx_pending   = s_rtx_pending;
            a_d.st.srtt_valid    = s_srtt_valid;
            a_d.st.srtt8         = s_srtt8;
            a_d.st.rttvar4       = s_rttvar4;
            a_d.st.rto           = s_rto;
            a_d.st.backoff       = s_backoff;
            a_d.st.timing        = s_timing;
            a_d.st.rtt_seq       = s_rtt_seq;
            a_d.st.rtt_start     = s_rtt_start;
            a_d.st.rto_on        = s_rto_on;
            a_d.st.persist_on    = s_persist_on;
            a_d.st.persist_int   = s_persist_int;
            a_d.st.probe_pending = s_probe_pending;
            a_d.st.delack_on     = s_delack_on;
            a_d.st.rcv_full      = s_rcv_full;
            a_d.st.ack_owed      = s_ack_owed;
            a_d.st.adv_wnd       = s_adv_wnd;
            a_d.kind      = s_kind;
            a_d.now       = s_now;
            a_d.seq       = s_seq;
            a_d.wnd       = s_wnd;
            a_d.acked     = s_acked;
            a_d.len       = s_len;
            a_d.fin       = s_fin;
            a_d.dup_ack   = s_dup_ack;
            a_d.ack_now   = s_ack_now;
            a_d.rtt_valid = s_rtt_valid;
            // ACK arithmetic
            a_d.una_new = s_snd_una + s_acked;
            a_d.nxt_lt_una_new = seq_lt(s_snd_nxt, a_d.una_new);
            a_d.timed_done = s_timing && seq_le(s_rtt_seq, a_d.una_new);
            a_d.recover_le_una_new = seq_le(s_recover, a_d.una_new);
            a_d.recover_le_una = seq_le(s_recover, s_snd_una);
            a_d.una_new_is_max = a_d.una_new == s_snd_max;
            a_d.outstanding = s_snd_max != s_snd_una;
            flight = s_snd_max - s_snd_una;
            a_d.loss_ss = max32(flight >> 1, {mss32[30:0], 1'b0});  // RFC 5681 eq. (4)
            a_d.cwnd_lt_ss = s_cwnd < s_ssthresh;
            a_d.ss_cwnd = sat_add(s_cwnd, min32(s_acked, mss32));
            a_d.cwnd_plus_mss = sat_add(s_cwnd, mss32);
            acc = {1'b0, s_ca_acc} + {1'b0, s_acked};
            acc_ge = acc >= {1'b0, s_cwnd};
            acc_after = acc_ge ? acc - {1'b0, s_cwnd} : acc;
            a_d.ca_acc_new = acc_after[32] ? 32'hFFFF_FFFF : acc_after[31:0];
            a_d.ca_cwnd = acc_ge ? a_d.cwnd_plus_mss : s_cwnd;
            c0 = s_cwnd > s_acked ? s_cwnd - s_acked : 32'd0;
            c1 = s_acked >= mss32 ? c0 + mss32 : c0;
            a_d.deflated = max32(c1, mss32);
            // RFC 5681 §3.1: 4, 3 or 2 segments
            if (s_len > 16'd2190) a_d.iw = {15'd0, s_len, 1'b0};
            else if (s_len > 16'd1095) a_d.iw = {15'd0, s_len, 1'b0} + {16'd0, s_len};
            else a_d.iw = {14'd0, s_len, 2'b00};
            // timers
            a_d.dbl_rto = double_capped(s_rto, cfg_rto_max);
            a_d.dbl_persist = double_capped(s_persist_int, cfg_rto_max);
            // segment sent
            a_d.sent_end = s_seq + 32'(s_len) + 32'(s_fin);
            a_d.nxt_lt_end = seq_lt(s_snd_nxt, a_d.sent_end);
            a_d.max_lt_end = seq_lt(s_snd_max, a_d.sent_end);
            a_d.seq_lt_max = seq_lt(s_seq, s_snd_max);
            a_d.seq_is_una = s_seq == s_snd_una;
            a_d.seq_le_nxt = seq_le(s_seq, s_snd_nxt);
            // receive side
            a_d.adv_after_rx = s_adv_wnd - min32(32'(s_len), s_adv_wnd);
            a_d.rx_full = s_len >= s_mss;
            grow = s_wnd - s_adv_wnd;
            a_d.win_due = s_wnd > s_adv_wnd &&
                          (grow >= {mss32[30:0], 1'b0} || grow >= {1'b0, cfg_rcv_buf[31:1]});
            a_d.app_end_plus = s_app_end + 32'(s_len);
            // RTT sample and the estimator's halves that need no sum of the sample
            r_raw = s_rtt_valid ? s_rtt : s_now - s_rtt_start;
            a_d.r = min32(r_raw, RTT_MAX);
            srtt = {3'd0, s_srtt8[31:3]};
            a_d.err = srtt > a_d.r ? srtt - a_d.r : a_d.r - srtt;
            a_d.rttvar4_part = s_rttvar4 - {2'd0, s_rttvar4[31:2]};
            a_d.srtt8_part = s_srtt8 - {3'd0, s_srtt8[31:3]};
        end
    end

    // ---- Stage 2: the event's state update --------------------------------------------
    typedef struct packed {
        logic [TAG_W-1:0] tag;
        st_t  st;
        logic restart_rto, rearm_persist, give_up, delack_arm, delack_stop;
        logic [31:0] cwnd_lt;  // the new cwnd plus the limited-transmit allowance, saturated
    } s2_t;
    s2_t b_d, b_q;
    always_comb begin
        logic [31:0] srtt8_n, rttvar4_n, rto_raw;
        logic [31:0] rto_cl, lt_extra;
        logic        sample, lt_on;
        // Computed only in an event's cycle, held otherwise (a clock enable): the
        // simulated model then skips it between events.
        b_d = b_q;
        {srtt8_n, rttvar4_n, rto_raw, rto_cl, lt_extra, sample, lt_on} = '0;
        if (valid_q[0]) begin
            // RFC 6298 §2.2 / §2.3 on this sample
            if (!a_q.st.srtt_valid) begin
                srtt8_n = {a_q.r[28:0], 3'd0};
                rttvar4_n = {a_q.r[30:0], 1'b0};
            end else begin
                srtt8_n = a_q.srtt8_part + a_q.r;
                rttvar4_n = a_q.rttvar4_part + a_q.err;
            end
            rto_raw = {3'd0, srtt8_n[31:3]} + max32(cfg_clock_g, rttvar4_n);
            rto_cl = rto_raw < cfg_rto_min ? cfg_rto_min : rto_raw > cfg_rto_max ? cfg_rto_max : rto_raw;
            sample = a_q.rtt_valid || a_q.timed_done;

            b_d.tag = a_q.tag;
            b_d.st = a_q.st;
            b_d.restart_rto = 1'b0;
            b_d.rearm_persist = 1'b0;
            b_d.give_up = 1'b0;
            b_d.delack_arm = 1'b0;
            b_d.delack_stop = 1'b0;
            case (a_q.kind)
                EV_INIT: begin
                    b_d.st = '0;
                    b_d.st.snd_una = a_q.seq;
                    b_d.st.snd_nxt = a_q.seq;
                    b_d.st.snd_max = a_q.seq;
                    b_d.st.app_end = a_q.seq;
                    b_d.st.recover = a_q.seq;
                    b_d.st.snd_wnd = a_q.wnd;
                    b_d.st.mss = a_q.len;
                    b_d.st.cwnd = a_q.iw;
                    b_d.st.ssthresh = 32'hFFFF_FFFF;
                    b_d.st.rto = cfg_rto_initial;
                    b_d.st.adv_wnd = cfg_rcv_buf;
                end
                EV_ACK: begin
                    b_d.st.snd_wnd = a_q.wnd;
                    if (a_q.acked != 32'd0) begin
                        b_d.st.snd_una = a_q.una_new;
                        if (a_q.nxt_lt_una_new) b_d.st.snd_nxt = a_q.una_new;
                        b_d.st.dupacks = 2'd0;
                        b_d.st.backoff = 8'd0;
                        b_d.restart_rto = 1'b1;
                        if (a_q.timed_done) b_d.st.timing = 1'b0;
                        if (sample) begin
                            b_d.st.srtt_valid = 1'b1;
                            b_d.st.srtt8 = srtt8_n;
                            b_d.st.rttvar4 = rttvar4_n;
                            b_d.st.rto = rto_cl;
                        end
                        if (a_q.st.in_recovery) begin
                            if (a_q.recover_le_una_new) begin  // full ACK
                                b_d.st.cwnd = a_q.st.ssthresh;
                                b_d.st.in_recovery = 1'b0;
                                b_d.st.ca_acc = 32'd0;
                            end else begin                     // partial ACK
                                b_d.st.cwnd = a_q.deflated;
                                b_d.st.rtx_pending = 1'b1;
                            end
                        end else if (a_q.cwnd_lt_ss) begin     // slow start
                            b_d.st.cwnd = a_q.ss_cwnd;
                            b_d.st.ca_acc = 32'd0;
                        end else begin                         // congestion avoidance
                            b_d.st.cwnd = a_q.ca_cwnd;
                            b_d.st.ca_acc = a_q.ca_acc_new;
                        end
                        if (a_q.una_new_is_max) b_d.st.rtx_pending = 1'b0;
                    end else if (a_q.dup_ack && a_q.outstanding) begin
                        if (a_q.st.in_recovery) begin
                            b_d.st.cwnd = a_q.cwnd_plus_mss;   // inflate
                        end else begin
                            if (a_q.st.dupacks != 2'd3) b_d.st.dupacks = a_q.st.dupacks + 2'd1;
                            if (a_q.st.dupacks == 2'd2 && a_q.recover_le_una) begin  // third
                                b_d.st.ssthresh = a_q.loss_ss;
                                b_d.st.cwnd = a_q.loss_ss + {16'd0, a_q.st.mss} + {15'd0, a_q.st.mss, 1'b0};
                                b_d.st.in_recovery = 1'b1;
                                b_d.st.recover = a_q.st.snd_max;
                                b_d.st.rtx_pending = 1'b1;
                                b_d.st.ca_acc = 32'd0;
                            end
                        end
                    end
                end
                EV_RTO: if (a_q.st.rto_on) begin
                    b_d.st.backoff = a_q.st.backoff == 8'd255 ? 8'd255 : a_q.st.backoff + 8'd1;
                    if (b_d.st.backoff > cfg_max_retries) begin
                        b_d.give_up = 1'b1;
                    end else begin
                        if (a_q.st.backoff == 8'd0) b_d.st.ssthresh = a_q.loss_ss;
                        b_d.st.cwnd = {16'd0, a_q.st.mss};
                        b_d.st.ca_acc = 32'd0;
                        b_d.st.in_recovery = 1'b0;
                        b_d.st.dupacks = 2'd0;
                        b_d.st.recover = a_q.st.snd_max;
                        b_d.st.snd_nxt = a_q.st.snd_una;    // go-back-N
                        b_d.st.rtx_pending = 1'b0;
                        b_d.st.timing = 1'b0;               // Karn
                        b_d.st.rto = a_q.dbl_rto;
                        b_d.restart_rto = 1'b1;
                    end
                end
                EV_PERSIST: if (a_q.st.persist_on) begin
                    b_d.st.probe_pending = 1'b1;
                    b_d.st.persist_int = a_q.dbl_persist;
                    b_d.rearm_persist = 1'b1;
                end
                EV_SENT: begin
                    // only over a segment starting at or before SND.NXT (one taken before an
                    // RTO's go-back-N must not skip the bytes in between)
                    if (a_q.nxt_lt_end && a_q.seq_le_nxt) b_d.st.snd_nxt = a_q.sent_end;
                    if (a_q.max_lt_end) b_d.st.snd_max = a_q.sent_end;
                    if (a_q.len != 16'd0 || a_q.fin) begin
                        if (a_q.seq_lt_max) begin           // retransmission: Karn
                            b_d.st.timing = 1'b0;
                            if (a_q.seq_is_una) b_d.st.rtx_pending = 1'b0;
                        end else if (!a_q.st.timing) begin
                            b_d.st.timing = 1'b1;
                            b_d.st.rtt_seq = a_q.sent_end;
                            b_d.st.rtt_start = a_q.now;
                        end
                        b_d.st.probe_pending = 1'b0;
                    end
                    b_d.st.ack_owed = 1'b0;
                    b_d.st.rcv_full = 1'b0;
                    if (a_q.st.delack_on) begin
                        b_d.delack_stop = 1'b1;
                        b_d.st.delack_on = 1'b0;
                    end
                    b_d.st.adv_wnd = a_q.wnd;
                end
                EV_QUEUED: if (!a_q.st.fin_req) b_d.st.app_end = a_q.app_end_plus;
                EV_FIN: b_d.st.fin_req = 1'b1;
                EV_RX: begin
                    b_d.st.adv_wnd = a_q.adv_after_rx;
                    if (a_q.ack_now || a_q.fin) begin
                        b_d.st.ack_owed = 1'b1;
                    end else if (a_q.len != 16'd0) begin
                        if (!cfg_delack_enable || (a_q.rx_full && a_q.st.rcv_full)) begin
                            b_d.st.ack_owed = 1'b1;
                        end else begin
                            if (a_q.rx_full) b_d.st.rcv_full = 1'b1;
                            if (!a_q.st.delack_on) begin
                                b_d.delack_arm = 1'b1;
                                b_d.st.delack_on = 1'b1;
                            end
                        end
                    end
                end
                EV_DELACK: if (a_q.st.delack_on) begin
                    b_d.st.delack_on = 1'b0;
                    b_d.st.ack_owed = 1'b1;
                end
                EV_WINDOW: if (a_q.win_due) b_d.st.ack_owed = 1'b1;
                default: ;
            endcase
            // RFC 3042 limited transmit on the new state: 1*MSS past cwnd after the first
            // duplicate ACK, 2*MSS after the second (and after a third that did not start
            // recovery: dupacks stays 3, so never more than 2*MSS), outside fast recovery and
            // only for new data (not while go-back-N resends below SND.MAX).
            lt_on = !b_d.st.in_recovery && b_d.st.dupacks != 2'd0 && b_d.st.snd_nxt == b_d.st.snd_max;
            if (!lt_on) lt_extra = 32'd0;
            else if (b_d.st.dupacks == 2'd1) lt_extra = {16'd0, b_d.st.mss};
            else lt_extra = {15'd0, b_d.st.mss, 1'b0};
            b_d.cwnd_lt = sat_add(b_d.st.cwnd, lt_extra);
        end
    end

    // ---- Stage 3: timers and the send decision on the new state ------------------------
    st_t n;
    logic gave_up, outstanding, unsent, persist_mode, want_rto, fin_sent;
    logic rto_arm, rto_stop, persist_arm, persist_stop;
    logic send, send_fin, send_rtx;
    logic [31:0] send_seq;
    logic [15:0] send_len;
    always_comb begin
        logic [31:0] inflight, lim, usable, data_left, avail, len, pseq, mss32;
        // Computed only in an event's cycle (the outputs hold between events): the
        // simulated model then skips it between events.
        n = b_q.st;
        {gave_up, outstanding, unsent, persist_mode, want_rto, fin_sent} = '0;
        {rto_arm, rto_stop, persist_arm, persist_stop, send, send_fin, send_rtx} = '0;
        send_seq = '0;
        send_len = '0;
        {inflight, lim, usable, data_left, avail, len, pseq, mss32} = '0;
        if (valid_q[1]) begin
            n = b_q.st;
            mss32 = {16'd0, n.mss};
            gave_up = n.backoff > cfg_max_retries;
            outstanding = n.snd_max != n.snd_una;
            unsent = seq_lt(n.snd_nxt, n.app_end) || (n.fin_req && n.snd_nxt == n.app_end);
            persist_mode = n.snd_wnd == 32'd0 && (outstanding || unsent) && !gave_up;
            want_rto = outstanding && !persist_mode && !gave_up;
            rto_arm = 1'b0;
            rto_stop = 1'b0;
            persist_arm = 1'b0;
            persist_stop = 1'b0;
            if (want_rto) begin
                if (!n.rto_on || b_q.restart_rto) begin
                    rto_arm = 1'b1;
                    n.rto_on = 1'b1;
                end
            end else if (n.rto_on) begin
                rto_stop = 1'b1;
                n.rto_on = 1'b0;
            end
            if (persist_mode) begin
                if (!n.persist_on) begin
                    persist_arm = 1'b1;
                    n.persist_on = 1'b1;
                    n.persist_int = n.rto;
                end else if (b_q.rearm_persist) begin
                    persist_arm = 1'b1;
                end
            end else begin
                if (n.persist_on) begin
                    persist_stop = 1'b1;
                    n.persist_on = 1'b0;
                end
                n.probe_pending = 1'b0;
            end

            // What to send next.
            fin_sent = n.fin_req && n.snd_max == n.app_end + 32'd1;
            inflight = n.snd_nxt - n.snd_una;
            lim = min32(n.snd_wnd, b_q.cwnd_lt);  // the peer's window bounds everything
            usable = lim > inflight ? lim - inflight : 32'd0;
            data_left = seq_lt(n.snd_nxt, n.app_end) ? n.app_end - n.snd_nxt : 32'd0;
            avail = (fin_sent ? n.app_end : n.snd_max) - n.snd_una;
            pseq = outstanding ? n.snd_una : n.snd_nxt;
            send = 1'b0;
            send_seq = 32'd0;
            len = 32'd0;
            send_fin = 1'b0;
            send_rtx = 1'b0;
            if (gave_up) begin
                // nothing: the host decides
            end else if (n.rtx_pending && outstanding) begin
                len = min32(mss32, avail);
                send = 1'b1;
                send_seq = n.snd_una;
                send_fin = fin_sent && len == avail;
                send_rtx = 1'b1;
            end else if (n.probe_pending) begin  // only left set in persist mode
                send_seq = pseq;
                send_rtx = outstanding;
                if (pseq == n.app_end) begin
                    send = n.fin_req;
                    send_fin = n.fin_req;
                end else begin
                    send = 1'b1;
                    len = 32'd1;
                end
            end else begin
                send_seq = n.snd_nxt;
                send_rtx = seq_lt(n.snd_nxt, n.snd_max);
                if (data_left != 32'd0) begin
                    len = min32(min32(mss32, data_left), usable);
                    send = len != 32'd0 && (len == mss32 || len == data_left || inflight == 32'd0);
                    send_fin = n.fin_req && len == data_left;
                end else if (n.fin_req && n.snd_nxt == n.app_end && usable != 32'd0) begin
                    send = 1'b1;
                    send_fin = 1'b1;
                end
            end
            send_len = len[15:0];
            if (!send) begin
                send_seq = 32'd0;
                send_len = 16'd0;
                send_fin = 1'b0;
                send_rtx = 1'b0;
            end
        end
    end

    always_ff @(posedge clk) begin
        a_q <= a_d;
        b_q <= b_d;
        if (valid_q[1]) begin
            m_tag                <= b_q.tag;
            m_next_snd_una       <= n.snd_una;
            m_next_snd_nxt       <= n.snd_nxt;
            m_next_snd_max       <= n.snd_max;
            m_next_app_end       <= n.app_end;
            m_next_fin_req       <= n.fin_req;
            m_next_snd_wnd       <= n.snd_wnd;
            m_next_mss           <= n.mss;
            m_next_cwnd          <= n.cwnd;
            m_next_ssthresh      <= n.ssthresh;
            m_next_ca_acc        <= n.ca_acc;
            m_next_dupacks       <= n.dupacks;
            m_next_in_recovery   <= n.in_recovery;
            m_next_recover       <= n.recover;
            m_next_rtx_pending   <= n.rtx_pending;
            m_next_srtt_valid    <= n.srtt_valid;
            m_next_srtt8         <= n.srtt8;
            m_next_rttvar4       <= n.rttvar4;
            m_next_rto           <= n.rto;
            m_next_backoff       <= n.backoff;
            m_next_timing        <= n.timing;
            m_next_rtt_seq       <= n.rtt_seq;
            m_next_rtt_start     <= n.rtt_start;
            m_next_rto_on        <= n.rto_on;
            m_next_persist_on    <= n.persist_on;
            m_next_persist_int   <= n.persist_int;
            m_next_probe_pending <= n.probe_pending;
            m_next_delack_on     <= n.delack_on;
            m_next_rcv_full      <= n.rcv_full;
            m_next_ack_owed      <= n.ack_owed;
            m_next_adv_wnd       <= n.adv_wnd;
            m_send               <= send;
            m_send_seq           <= send_seq;
            m_send_len           <= send_len;
            m_send_fin           <= send_fin;
            m_send_rtx           <= send_rtx;
            m_ack_now            <= n.ack_owed;
            m_rto_arm            <= rto_arm;
            m_rto_stop           <= rto_stop;
            m_persist_arm        <= persist_arm;
            m_persist_stop       <= persist_stop;
            m_delack_arm         <= b_q.delack_arm;
            m_delack_stop        <= b_q.delack_stop;
            m_rto_ticks          <= n.rto;
            m_persist_ticks      <= n.persist_int;
            m_delack_ticks       <= cfg_delack_ticks;
            m_give_up            <= b_q.give_up;
        end
    end

    always_ff @(posedge clk) begin
        if (rst) begin
            valid_q <= '0;
            m_valid <= 1'b0;
        end else begin
            valid_q <= {valid_q[0], s_valid};
            m_valid <= valid_q[1];
        end
    end
endmodule
`default_nettype wire
