// tcp_rx_accept: what one arriving segment does to an installed session's receive-side
// state (reference: tcp_rx_accept() in hls/tcp_rx.*; the order of checks is RFC 9293
// §3.10.7.4): PAWS (RFC 7323 §5.3), the four-case acceptability test, RST and SYN per
// RFC 5961 (§3.2, §4.2), ACK acceptability (RFC 5961 §5.2), SND.UNA advance, duplicate
// ACKs (RFC 5681 §2), the SND.WL1/SND.WL2 window update with window scaling,
// TS.Recent, in-order payload clipped to the window, out-of-order data answered with an
// immediate ACK, and FIN once everything before it is in. Sequence arithmetic is
// modulo 2^32 throughout. The state table and same-session forwarding are the caller's.
//
// Latency:    m_valid exactly 3 cycles after s_valid (three register stages: compares,
//             decisions, window clipping).
// Throughput: 1 segment per cycle, no stall.
// Assumes:    s_* state is the session's state before this segment (the caller
//             forwards m_next_* when consecutive segments hit the same session);
//             s_snd_wscale <= 14 (RFC 7323 §2.3).
// Outputs:    meaningful with m_valid only; between segments they hold the last one's.
`default_nettype none
module tcp_rx_accept #(
    // Bits of caller context carried alongside each segment (e.g. session id)
    parameter int TAG_W = 16
) (
    input  wire logic             clk,
    input  wire logic             rst,
    // segment and the session's state
    input  wire logic             s_valid,
    input  wire logic [TAG_W-1:0] s_tag,
    input  wire logic [31:0]      s_rcv_nxt,
    input  wire logic [31:0]      s_rcv_wnd,      // bytes accepted beyond RCV.NXT
    input  wire logic [31:0]      s_snd_una,
    input  wire logic [31:0]      s_snd_nxt,
    input  wire logic [31:0]      s_snd_wnd,      // peer's window in bytes (scaled)
    input  wire logic [31:0]      s_max_snd_wnd,
    input  wire logic [31:0]      s_snd_wl1,
    input  wire logic [31:0]      s_snd_wl2,
    input  wire logic [3:0]       s_snd_wscale,
    input  wire logic             s_ts_enabled,
    input  wire logic [31:0]      s_ts_recent,
    input  wire logic [31:0]      s_seq,
    input  wire logic [31:0]      s_ack,
    input  wire logic [7:0]       s_flags,        // CWR ECE URG ACK PSH RST SYN FIN
    input  wire logic [15:0]      s_window,       // raw field
    input  wire logic [15:0]      s_payload_len,
    input  wire logic             s_has_ts,
    input  wire logic [31:0]      s_tsval,
    // decision and the session's next state
    output logic                  m_valid,
    output logic [TAG_W-1:0]      m_tag,
    output logic [31:0]           m_next_rcv_nxt,
    output logic [31:0]           m_next_rcv_wnd,
    output logic [31:0]           m_next_snd_una,
    output logic [31:0]           m_next_snd_wnd,
    output logic [31:0]           m_next_max_snd_wnd,
    output logic [31:0]           m_next_snd_wl1,
    output logic [31:0]           m_next_snd_wl2,
    output logic [31:0]           m_next_ts_recent,
    output logic                  m_deliver,      // payload [offset, +len) is in order
    output logic [15:0]           m_deliver_offset,
    output logic [15:0]           m_deliver_len,
    output logic                  m_ack_now,      // send an ACK at once
    output logic                  m_ack_due,      // an ACK is owed (delayed-ACK policy)
    output logic                  m_challenge_ack,
    output logic                  m_rst_event,
    output logic                  m_syn_event,
    output logic                  m_fin_event,
    output logic                  m_paws_drop,
    output logic                  m_out_of_window,
    output logic [31:0]           m_acked,        // bytes SND.UNA advanced by
    output logic                  m_dup_ack,
    output logic                  m_window_updated
);
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

    // ---- Stage 1: every comparison and sum that needs only the inputs ------------------
    wire logic fin = s_flags[0], syn = s_flags[1], rst_flag = s_flags[2], ack = s_flags[4];
    wire logic unused_flags = ^{s_flags[7:5], s_flags[3]};  // PSH, URG, ECE, CWR: not ours
    wire logic [31:0] seg_len  = 32'(s_payload_len) + 32'(syn) + 32'(fin);  // counts SYN, FIN
    wire logic [31:0] wnd_end  = s_rcv_nxt + s_rcv_wnd;
    wire logic [31:0] seg_last = s_seq + seg_len - 32'd1;
    wire logic [31:0] new_wnd  = 32'(s_window) << s_snd_wscale;
    wire logic [31:0] ack_floor = s_snd_una - s_max_snd_wnd;   // oldest acceptable ACK

    typedef struct packed {
        logic [TAG_W-1:0] tag;
        // the state, carried to become the next state
        logic [31:0] rcv_nxt, rcv_wnd, snd_una, snd_wnd, max_snd_wnd, snd_wl1, snd_wl2;
        logic [31:0] ts_recent, seq, ack_no, tsval, wnd_end, fin_pos, new_wnd, acked, offset;
        logic [15:0] payload_len;
        logic fin, syn, rst_flag, ack;
        // verdicts
        logic paws, acceptable, seq_is_rcv_nxt, ack_ok, una_lt_ack, una_le_ack, ack_is_una;
        logic wnd_same, una_is_nxt, wl_newer, wnd_over_max, ts_update, ooo, offset_zero;
    } s1_t;
    s1_t a_d, a_q;
    logic [1:0] valid_q;                        // valid_q[i]: an event in stage i + 2
    always_comb begin
        logic start_in;
        // Computed only in a segment's cycle, held otherwise (a clock enable): the
        // simulated model then skips it between segments.
        a_d = a_q;
        start_in = '0;
        if (s_valid) begin
            a_d.tag         = s_tag;
            a_d.rcv_nxt     = s_rcv_nxt;
            a_d.rcv_wnd     = s_rcv_wnd;
            a_d.snd_una     = s_snd_una;
            a_d.snd_wnd     = s_snd_wnd;
            a_d.max_snd_wnd = s_max_snd_wnd;
            a_d.snd_wl1     = s_snd_wl1;
            a_d.snd_wl2     = s_snd_wl2;
            a_d.ts_recent   = s_ts_recent;
            a_d.seq         = s_seq;
            a_d.ack_no      = s_ack;
            a_d.tsval       = s_tsval;
            a_d.wnd_end     = wnd_end;
            a_d.fin_pos     = s_seq + 32'(s_payload_len);
            a_d.new_wnd     = new_wnd;
            a_d.acked       = s_ack - s_snd_una;
            a_d.offset      = s_rcv_nxt - s_seq;
            a_d.payload_len = s_payload_len;
            a_d.fin         = fin;
            a_d.syn         = syn;
            a_d.rst_flag    = rst_flag;
            a_d.ack         = ack;
            a_d.paws        = s_ts_enabled && s_has_ts && !rst_flag && seq_lt(s_tsval, s_ts_recent);
            // RFC 9293 §3.10.7.4, the four cases
            start_in = seq_le(s_rcv_nxt, s_seq) && seq_lt(s_seq, wnd_end);
            if (seg_len == 32'd0)
                a_d.acceptable = s_rcv_wnd == 32'd0 ? s_seq == s_rcv_nxt : start_in;
            else
                a_d.acceptable = s_rcv_wnd != 32'd0 &&
                                 (start_in || (seq_le(s_rcv_nxt, seg_last) && seq_lt(seg_last, wnd_end)));
            a_d.seq_is_rcv_nxt = s_seq == s_rcv_nxt;
            a_d.ack_ok       = seq_le(ack_floor, s_ack) && seq_le(s_ack, s_snd_nxt);
            a_d.una_lt_ack   = seq_lt(s_snd_una, s_ack);
            a_d.una_le_ack   = seq_le(s_snd_una, s_ack);
            a_d.ack_is_una   = s_ack == s_snd_una;
            a_d.wnd_same     = new_wnd == s_snd_wnd;
            a_d.una_is_nxt   = s_snd_una == s_snd_nxt;
            a_d.wl_newer     = seq_lt(s_snd_wl1, s_seq) || (s_snd_wl1 == s_seq && seq_le(s_snd_wl2, s_ack));
            a_d.wnd_over_max = new_wnd > s_max_snd_wnd;
            a_d.ts_update    = s_ts_enabled && s_has_ts && seq_le(s_seq, s_rcv_nxt) &&
                               seq_le(s_ts_recent, s_tsval);
            a_d.ooo          = seq_lt(s_rcv_nxt, s_seq);
            a_d.offset_zero  = s_rcv_nxt == s_seq;
        end
    end

    // ---- Stage 2: the decision chain, in RFC order ----------------------------------
    typedef struct packed {
        logic [TAG_W-1:0] tag;
        logic [31:0] rcv_nxt, rcv_wnd, snd_una, snd_wnd, max_snd_wnd, snd_wl1, snd_wl2, ts_recent;
        logic [31:0] wnd_end, fin_pos, fresh, offset, acked;
        logic payload;       // in-order payload to clip and deliver
        logic fin_check;     // a FIN to test against the new RCV.NXT
        logic fin_if_empty;  // without payload: the FIN is in order
        logic ack_now, challenge, rst_event, syn_event, paws, oow, dup_ack, wnd_updated;
    } s2_t;
    s2_t b_d, b_q;
    always_comb begin
        logic go;  // past every early return: the ACK and the payload are processed
        // Computed only in a segment's cycle, held otherwise (a clock enable): the
        // simulated model then skips it between segments.
        b_d = b_q;
        go = '0;
        if (valid_q[0]) begin
            b_d.tag         = a_q.tag;
            b_d.rcv_nxt     = a_q.rcv_nxt;
            b_d.rcv_wnd     = a_q.rcv_wnd;
            b_d.snd_una     = a_q.snd_una;
            b_d.snd_wnd     = a_q.snd_wnd;
            b_d.max_snd_wnd = a_q.max_snd_wnd;
            b_d.snd_wl1     = a_q.snd_wl1;
            b_d.snd_wl2     = a_q.snd_wl2;
            b_d.ts_recent   = a_q.ts_recent;
            b_d.wnd_end     = a_q.wnd_end;
            b_d.fin_pos     = a_q.fin_pos;
            b_d.fresh       = 32'(a_q.payload_len) - a_q.offset;
            b_d.offset      = a_q.offset;
            b_d.acked       = '0;
            b_d.payload     = 1'b0;
            b_d.fin_check   = 1'b0;
            b_d.fin_if_empty = a_q.offset_zero;
            b_d.ack_now     = 1'b0;
            b_d.challenge   = 1'b0;
            b_d.rst_event   = 1'b0;
            b_d.syn_event   = 1'b0;
            b_d.paws        = 1'b0;
            b_d.oow         = 1'b0;
            b_d.dup_ack     = 1'b0;
            b_d.wnd_updated = 1'b0;
            go = 1'b0;
            if (a_q.paws) begin
                b_d.paws = 1'b1;
                b_d.ack_now = 1'b1;
            end else if (!a_q.acceptable) begin
                b_d.oow = 1'b1;
                b_d.ack_now = !a_q.rst_flag;  // an unacceptable RST is dropped silently
            end else if (a_q.rst_flag) begin
                b_d.rst_event = a_q.seq_is_rcv_nxt;   // RFC 5961 §3.2: only the exact one
                b_d.challenge = !a_q.seq_is_rcv_nxt;
            end else if (a_q.syn) begin
                b_d.challenge = 1'b1;                 // RFC 5961 §4.2
                b_d.syn_event = 1'b1;
            end else if (!a_q.ack) begin
                // no ACK bit: dropped
            end else if (!a_q.ack_ok) begin
                b_d.challenge = 1'b1;                 // RFC 5961 §5.2
            end else begin
                go = 1'b1;
            end
            if (go) begin
                if (a_q.una_lt_ack) begin
                    b_d.acked = a_q.acked;
                    b_d.snd_una = a_q.ack_no;
                end else begin
                    b_d.dup_ack = a_q.ack_is_una && a_q.payload_len == 16'd0 && !a_q.fin &&
                                  a_q.wnd_same && !a_q.una_is_nxt;  // RFC 5681 §2
                end
                if (a_q.una_le_ack && a_q.wl_newer) begin
                    b_d.wnd_updated = !a_q.wnd_same;
                    b_d.snd_wnd = a_q.new_wnd;
                    b_d.snd_wl1 = a_q.seq;
                    b_d.snd_wl2 = a_q.ack_no;
                    if (a_q.wnd_over_max) b_d.max_snd_wnd = a_q.new_wnd;
                end
                if (a_q.ts_update) b_d.ts_recent = a_q.tsval;
                if (a_q.payload_len != 16'd0) begin
                    if (a_q.ooo) b_d.ack_now = 1'b1;  // out of order: immediate duplicate ACK
                    else begin
                        b_d.payload = 1'b1;
                        b_d.fin_check = a_q.fin;
                    end
                end else begin
                    b_d.fin_check = a_q.fin;
                end
            end
        end
    end

    // ---- Stage 3: clip the payload to the window, FIN, outputs ------------------------
    // With take = min(fresh, RCV.WND): RCV.NXT + take is SEG.SEQ + SEG.LEN (the FIN's
    // place) when nothing is clipped, WND end otherwise; a clipped segment's FIN is not
    // in order. RCV.WND - fresh borrows exactly when the segment is clipped.
    logic [32:0] room;
    always_comb room = {1'b0, b_q.rcv_wnd} - {1'b0, b_q.fresh};
    wire logic clipped = room[32];
    wire logic [31:0] take = clipped ? b_q.rcv_wnd : b_q.fresh;
    wire logic fin_in_order = b_q.fin_check && (b_q.payload ? !clipped : b_q.fin_if_empty);
    logic [31:0] rcv_nxt_after;
    always_comb begin
        rcv_nxt_after = b_q.rcv_nxt;
        if (b_q.payload) rcv_nxt_after = clipped ? b_q.wnd_end : b_q.fin_pos;
    end

    always_ff @(posedge clk) begin
        a_q <= a_d;
        b_q <= b_d;
        if (valid_q[1]) begin  // the outputs hold between segments
            m_tag              <= b_q.tag;
            m_next_rcv_nxt     <= fin_in_order ? rcv_nxt_after + 32'd1 : rcv_nxt_after;
            m_next_rcv_wnd     <= b_q.payload ? (clipped ? 32'd0 : room[31:0]) : b_q.rcv_wnd;
            m_next_snd_una     <= b_q.snd_una;
            m_next_snd_wnd     <= b_q.snd_wnd;
            m_next_max_snd_wnd <= b_q.max_snd_wnd;
            m_next_snd_wl1     <= b_q.snd_wl1;
            m_next_snd_wl2     <= b_q.snd_wl2;
            m_next_ts_recent   <= b_q.ts_recent;
            m_deliver          <= b_q.payload && take != 32'd0;
            m_deliver_offset   <= b_q.offset[15:0];
            m_deliver_len      <= take[15:0];
            m_ack_now          <= b_q.ack_now || fin_in_order ||
                                  (b_q.payload && (b_q.offset != 32'd0 || clipped));
            m_ack_due          <= b_q.payload && take != 32'd0;
            m_challenge_ack    <= b_q.challenge;
            m_rst_event        <= b_q.rst_event;
            m_syn_event        <= b_q.syn_event;
            m_fin_event        <= fin_in_order;
            m_paws_drop        <= b_q.paws;
            m_out_of_window    <= b_q.oow;
            m_acked            <= b_q.acked;
            m_dup_ack          <= b_q.dup_ack;
            m_window_updated   <= b_q.wnd_updated;
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
