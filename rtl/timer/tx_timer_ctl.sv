// tx_timer_ctl: the transmit side's per-session timers (kind 0 retransmit, 1 persist,
// 2 delayed ACK) on a timer_wheel: tcp_tx_session's timer commands in, the expiries that
// still stand out.
//
// Why not a command FIFO: every tcp_tx_session outcome (one per cycle) may arm or stop
// all three timers of its session, while the wheel takes a command every 2-3 cycles and
// only when caught up; and expiries become events whose outcomes are more commands. A
// FIFO that paused events when full would deadlock (expiries wait for the event path,
// the event path for FIFO room, the FIFO for the wheel, the wheel for its expiries to
// leave). So no command ever waits: each timer keeps only its latest command (absolute
// deadline, or cancel) in a table, and a session with a command the wheel has not had yet
// is "dirty" and sits in a FIFO of session ids (each at most once: it cannot overflow).
// A sequencer pops a session and gives the wheel its dirty timers' latest commands:
// arm(deadline - now; 1 if already due) or cancel. Dirty bits are two single-writer
// tables compared (set_v written by outcomes, clr_v by the sequencer), so each has one
// write port and needs no read-modify-write across writers.
//
// Stale expiries: when the wheel fires a timer while a newer command for it is on its way
// (dirty, in the sequencer, or in this cycle's outcome), the newer command replaces the
// fired one: the expiry is dropped here and counted in stale_count. Every expiry passed
// on is therefore for its timer's latest command, at or after that command's deadline.
// For this to be exact the caller must not take an expiry for a session whose earlier
// event's outcome is still to come: tcp_tx_session's own same-session hold (3 cycles)
// plus this block's check of the outcome in the accepting cycle cover its 4-cycle latency.
//
// Latency:    outcome -> wheel command 3 cycles when the FIFO is empty and the wheel is
//             caught up (FIFO write, FIFO read, table read), +1 cycle per further dirty
//             timer of the session plus the wheel's own command time; expiries leave in
//             the cycle the wheel presents them (timer_wheel: 3 + k cycles after the tick
//             pulse of the deadline), stale ones are consumed in that cycle.
// Throughput: outcomes 1 per cycle, never refused; the wheel's command rate (timer_wheel:
//             fresh arm or cancel 1 per 2 cycles, re-arm 1 per 3, only while caught up)
//             plus 2 cycles per session popped; commands to one timer coalesce.
// After reset the block clears its dirty tables (SESSIONS cycles) and the wheel its own
// (4*SESSIONS): `ready` is low until both are done; outcomes in that time are ignored,
// so the caller installs no session before `ready`.
// `idle`: ready, and no timer armed in the wheel, none on its way there (a command in the
// tables, the sequencer or the wheel's own hands) and no expiry waiting at the output.
// It is 0 from the cycle after an outcome's arm until the cycle its expiry is taken,
// inclusive (the caller covers the outcome's own cycle and its path from the expiry on,
// e.g. the event the expiry becomes).
// `settled`: ready, the wheel caught up with the ticks and idle (not walking a slot), no
// command on its way to it and no expiry at the output: with no outcome coming, nothing
// here changes before the next tick pulse. A tick whose slot holds no timer leaves it 0
// for one cycle after the pulse (the wheel's catch-up step), one with n timers in its
// slot for n + 2 cycles plus the expiries' handshakes.
// Assumes:    outcomes' tick counts < 2^31; tick leaves the wheel idle cycles (a pulse at
//             most every other cycle while `pending`, else commands wait).
`include "ftoe_defs.svh"
`default_nettype none
module tx_timer_ctl #(
    // Session slots: a power of two, 64..65536
    parameter int SESSIONS = 4096,
    // Wheel slots (one tick each): a power of two, 64..65536
    parameter int WHEEL = 4096
) (
    input  wire logic                        clk,
    input  wire logic                        rst,
    // time base: one pulse per tick
    input  wire logic                        tick,
    // tcp_tx_session's outcomes: timer commands in ticks from now
    input  wire logic                        s_valid,
    input  wire logic [$clog2(SESSIONS)-1:0] s_sid,
    input  wire logic                        s_rto_arm,
    input  wire logic                        s_rto_stop,
    input  wire logic [31:0]                 s_rto_ticks,
    input  wire logic                        s_persist_arm,
    input  wire logic                        s_persist_stop,
    input  wire logic [31:0]                 s_persist_ticks,
    input  wire logic                        s_delack_arm,
    input  wire logic                        s_delack_stop,
    input  wire logic [31:0]                 s_delack_ticks,
    input  wire logic                        s_init,       // session installed: stop all three
    // expiries that stand: kind 0 retransmit, 1 persist, 2 delayed ACK
    output wire logic                        m_exp_valid,
    input  wire logic                        m_exp_ready,
    output wire logic [$clog2(SESSIONS)-1:0] m_exp_sid,
    output wire logic [1:0]                  m_exp_kind,
    // status
    output wire logic                        ready,        // tables cleared after reset
    output wire logic [31:0]                 now_tick,     // ticks since reset (mod 2^32)
    output wire logic                        pending,      // commands not yet in the wheel
    output wire logic                        idle,         // nothing armed, coming or expiring
    output wire logic                        settled,      // nothing moves until the next tick
    output logic      [31:0]                 stale_count,  // expiries dropped as stale
    output wire logic [$clog2(SESSIONS)+2:0] armed_count,  // timers armed in the wheel
    output wire logic                        tick_lost     // sticky: the wheel lost a tick
);
    localparam int SID_W = $clog2(SESSIONS);

    if (SESSIONS < 64 || SESSIONS > 65536 || (SESSIONS & (SESSIONS - 1)) != 0) begin : g_bad_sessions
        `FTOE_ELAB_FATAL $fatal(1, "tx_timer_ctl: SESSIONS=%0d is not a power of two in 64..65536",
                                SESSIONS);
    end

    // ---- The wheel ----------------------------------------------------------------------
    logic             w_cmd_valid, w_cmd_ready, w_cmd_cancel;
    logic [SID_W-1:0] w_cmd_sid;
    logic [1:0]       w_cmd_kind;
    logic [31:0]      w_cmd_delay;
    logic             w_exp_valid, w_exp_ready;
    logic [SID_W-1:0] w_exp_sid;
    logic [1:0]       w_exp_kind;
    logic [31:0]      w_exp_deadline, w_now, w_lag, w_fired, w_bad;
    logic             w_ready;
    timer_wheel #(.SESSIONS(SESSIONS), .KINDS(3), .DEADLINE_W(32), .WHEEL(WHEEL)) u_wheel (
        .clk, .rst, .tick,
        .s_cmd_valid(w_cmd_valid), .s_cmd_ready(w_cmd_ready), .s_cmd_cancel(w_cmd_cancel),
        .s_cmd_session(w_cmd_sid), .s_cmd_kind(w_cmd_kind), .s_cmd_delay(w_cmd_delay),
        .m_exp_valid(w_exp_valid), .m_exp_ready(w_exp_ready), .m_exp_session(w_exp_sid),
        .m_exp_kind(w_exp_kind), .m_exp_deadline(w_exp_deadline),
        .now_tick(w_now), .lag(w_lag), .armed_count, .fired_count(w_fired),
        .bad_cmd_count(w_bad), .tick_lost, .ready(w_ready)
    );
    // The deadline is the table's business; the wheel's status counters are not reported.
    wire logic unused_wheel = ^{w_exp_deadline, w_lag, w_fired, w_bad};
    assign now_tick = w_now;

    // ---- This cycle's commands, per kind -----------------------------------------------
    // (an install stops all three: its session id may have had an earlier incarnation)
    logic init_done_q;
    wire logic [2:0] o_cmd = {3{s_valid && init_done_q}} &
                             ({s_delack_arm | s_delack_stop, s_persist_arm | s_persist_stop,
                               s_rto_arm | s_rto_stop} | {3{s_init}});
    wire logic o_stop_rto = s_rto_stop || s_init;
    wire logic o_stop_pst = s_persist_stop || s_init;
    wire logic o_stop_dak = s_delack_stop || s_init;
    wire logic o_any = o_cmd != 3'd0;

    // ---- Tables: the latest command per timer, dirty bits, the FIFO ------------------------
    logic [32:0]      cmd_rto [SESSIONS];           // {cancel, absolute deadline}
    logic [32:0]      cmd_pst [SESSIONS];
    logic [32:0]      cmd_dak [SESSIONS];
    logic [2:0]       set_v [SESSIONS];             // dirty(kind) = set_v != clr_v
    logic [2:0]       clr_v [SESSIONS];
    logic [SID_W-1:0] fifo [SESSIONS];
    logic [SID_W:0]   wr_q, rd_q;

    localparam logic [1:0] S_IDLE = 2'd0, S_POP = 2'd1, S_ISSUE = 2'd2;
    logic [1:0]       state_q;
    logic [SID_W-1:0] pop_sid_q;                    // the FIFO's head, read in S_IDLE
    logic [SID_W-1:0] seq_sid_q;                    // the session being issued
    logic [2:0]       mask_q;                       // its dirty timers not yet issued
    logic [32:0]      rd_rto_q, rd_pst_q, rd_dak_q;

    wire logic pop_now = state_q == S_POP;

    // Outcome side (one write to set_v, a FIFO push when the session was clean).
    logic [2:0] o_set, o_clr, p_set, p_clr;
    always_comb begin
        o_set = set_v[s_sid];
        o_clr = clr_v[s_sid];
        p_set = set_v[pop_sid_q];
        p_clr = clr_v[pop_sid_q];
    end
    wire logic       o_hits_pop = pop_now && pop_sid_q == s_sid;
    wire logic [2:0] clr_after  = o_hits_pop ? o_set : o_clr;
    wire logic [2:0] set_after  = (o_cmd & ~clr_after) | (~o_cmd & o_set);
    wire logic       o_in_fifo  = o_set != o_clr && !o_hits_pop;
    wire logic       push       = o_any && !o_in_fifo;

    always_ff @(posedge clk) begin
        if (o_cmd[0]) cmd_rto[s_sid] <= {o_stop_rto, w_now + s_rto_ticks};
        if (o_cmd[1]) cmd_pst[s_sid] <= {o_stop_pst, w_now + s_persist_ticks};
        if (o_cmd[2]) cmd_dak[s_sid] <= {o_stop_dak, w_now + s_delack_ticks};
        if (pop_now) begin
            rd_rto_q <= cmd_rto[pop_sid_q];
            rd_pst_q <= cmd_pst[pop_sid_q];
            rd_dak_q <= cmd_dak[pop_sid_q];
        end
    end
    // Clearing after reset: one session per cycle, through each table's one write port.
    logic [SID_W-1:0] init_q;
    always_ff @(posedge clk) begin
        if (!init_done_q) set_v[init_q] <= 3'd0;
        else if (o_any) set_v[s_sid] <= set_after;
    end
    always_ff @(posedge clk) begin
        if (!init_done_q) clr_v[init_q] <= 3'd0;
        else if (pop_now) clr_v[pop_sid_q] <= p_set;
    end
    always_ff @(posedge clk) begin
        if (rst) begin
            init_q      <= '0;
            init_done_q <= 1'b0;
        end else if (!init_done_q) begin
            init_q <= init_q + 1'b1;
            if (init_q == SID_W'(SESSIONS - 1)) init_done_q <= 1'b1;
        end
    end
    assign ready = init_done_q && w_ready;
    always_ff @(posedge clk) begin
        if (push) fifo[wr_q[SID_W-1:0]] <= s_sid;
        pop_sid_q <= fifo[rd_q[SID_W-1:0]];
    end

    // ---- Sequencer -----------------------------------------------------------------------
    wire logic       fifo_avail = wr_q != rd_q;
    wire logic [1:0] issue_kind = mask_q[0] ? 2'd0 : mask_q[1] ? 2'd1 : 2'd2;
    logic [32:0] issue_cmd;
    always_comb begin
        case (issue_kind)
            2'd0:    issue_cmd = rd_rto_q;
            2'd1:    issue_cmd = rd_pst_q;
            default: issue_cmd = rd_dak_q;
        endcase
    end
    wire logic [31:0] to_due = issue_cmd[31:0] - w_now;
    assign w_cmd_valid  = state_q == S_ISSUE && mask_q != 3'd0;
    assign w_cmd_cancel = issue_cmd[32];
    assign w_cmd_sid    = seq_sid_q;
    assign w_cmd_kind   = issue_kind;
    assign w_cmd_delay  = to_due == 32'd0 || to_due[31] ? 32'd1 : to_due;  // already due: next tick
    wire logic w_cmd_hs = w_cmd_valid && w_cmd_ready;
    wire logic [2:0] issued = w_cmd_hs ? 3'd1 << issue_kind : 3'd0;

    always_ff @(posedge clk) begin
        if (rst) begin
            state_q <= S_IDLE;
            wr_q    <= '0;
            rd_q    <= '0;
            mask_q  <= '0;
        end else begin
            if (push) wr_q <= wr_q + 1'b1;
            case (state_q)
                S_IDLE: if (fifo_avail && init_done_q) begin
                    rd_q    <= rd_q + 1'b1;
                    state_q <= S_POP;
                end
                S_POP: begin
                    seq_sid_q <= pop_sid_q;
                    mask_q    <= p_set ^ p_clr;
                    state_q   <= S_ISSUE;
                end
                default: begin
                    mask_q <= mask_q & ~issued;
                    if ((mask_q & ~issued) == 3'd0) state_q <= S_IDLE;
                end
            endcase
        end
    end
    assign pending = fifo_avail || state_q != S_IDLE;
    // The wheel spends the cycle after a command's handshake on it (a fresh arm counts in
    // armed_count only from the cycle after that).
    logic w_cmd_busy_q;
    always_ff @(posedge clk) begin
        if (rst) w_cmd_busy_q <= 1'b0;
        else     w_cmd_busy_q <= w_cmd_hs;
    end
    assign idle = ready && !pending && !w_cmd_busy_q && armed_count == '0 && !w_exp_valid;
    // (the wheel takes commands exactly when it is caught up and idle)
    assign settled = ready && !pending && !w_cmd_busy_q && !w_exp_valid && w_cmd_ready;

    // ---- Expiries: drop those a newer command replaces -------------------------------------
    logic [2:0] e_set, e_clr;
    always_comb begin
        e_set = set_v[w_exp_sid];
        e_clr = clr_v[w_exp_sid];
    end
    wire logic [2:0] e_bit   = 3'd1 << w_exp_kind;
    wire logic e_dirty  = ((e_set ^ e_clr) & e_bit) != 3'd0;
    wire logic e_now    = s_sid == w_exp_sid && (o_cmd & e_bit) != 3'd0;
    wire logic e_in_seq = state_q == S_ISSUE && seq_sid_q == w_exp_sid && (mask_q & e_bit) != 3'd0;
    wire logic e_stale  = e_dirty || e_now || e_in_seq;
    assign m_exp_valid = w_exp_valid && !e_stale;   // (none before ready: nothing is armed)
    assign m_exp_sid   = w_exp_sid;
    assign m_exp_kind  = w_exp_kind;
    assign w_exp_ready = e_stale || m_exp_ready;
    always_ff @(posedge clk) begin
        if (rst) stale_count <= '0;
        else if (w_exp_valid && e_stale) stale_count <= stale_count + 32'd1;
    end
endmodule
`default_nettype wire
