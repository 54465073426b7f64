// timer_wheel: the per-session TCP timers (retransmit, delayed ACK, persist, ...) on a
// hashed timing wheel. Timer id = {session, kind}; KINDS timers per session.
//
// Time base: `tick` is a one-cycle pulse; each pulse advances the block's time `now` by
// one tick (a board derives it from its clock, e.g. one per microsecond; a system model
// may pulse it every cycle to skip idle time). Time is modular, DEADLINE_W bits.
//
// Commands (s_cmd_*, valid/ready): arm timer {session, kind} to fire `delay` ticks from
// now (deadline = now + delay, delay 0 taken as 1; `now` counts the ticks pulsed before
// the accepting cycle), or cancel it (s_cmd_cancel). Arming an armed timer replaces its
// deadline, earlier or later; a cancelled or re-armed timer never fires for its old
// deadline. Any delay up to 2^DEADLINE_W-1 works (RTO of 120 s = 1.2e8 ticks at 1 us).
// A kind >= KINDS is accepted, has no effect and is counted in bad_cmd_count.
//
// Expiries (m_exp_*, valid/ready, backpressure): {session, kind, deadline} of each armed
// timer once per arm, after the tick pulse that brings time to its deadline, never
// before. Slots are processed in time order, so expiries leave in non-decreasing
// deadline order; within one slot, the most recently armed timer first.
//
// Structure: per-timer node {armed, deadline, next, prev} in BRAM indexed by id
// (SESSIONS * 2^KIND_W entries); WHEEL slot heads in BRAM; doubly-linked slot lists
// (slot = deadline mod WHEEL, new timers at the head); a non-empty bitmap of the slots
// (WHEEL/64 words of 64 bits, distributed RAM). A slot's list is walked when the wheel
// reaches the slot's time T: timers with deadline == T (full-width compare) fire and are
// unlinked, the others (deadline in a later revolution) stay. Nothing scans sessions.
//
// No overflow, by construction: every timer is one node of its own, in at most one list
// (arming links it, firing/cancelling unlinks it, re-arming unlinks then links), so no
// structure can fill up, whatever the command pattern. The only finite quantity is the
// backlog `lag` = now - wheel time (DEADLINE_W bits): a tick pulsed while lag is
// 2^DEADLINE_W-1 (4e9 ticks behind at 32 bits) is dropped and sets tick_lost.
//
// Latency (cycles from the tick pulse of deadline T to m_exp_valid for that timer, with
// the wheel caught up (lag 0) in the pulse cycle and no backpressure since): exactly
// 3 + k when no command is in progress, at most 5 + k otherwise, where k is the timer's
// place (1-based) in its slot's list; k <= timers armed with deadline = T mod WHEEL.
// Throughput:
//   commands: fresh arm and cancel 1 per 2 cycles, re-arm of an armed timer 1 per
//             3 cycles, a command with a bad kind 1 per cycle. Commands are accepted
//             only while the wheel is caught up (lag 0): the timers go first;
//             s_cmd_ready is low otherwise.
//   expiries: 1 per cycle within a slot (1 cycle per timer visited, fired or not).
//   catch-up: empty slots are skipped up to 64 per cycle (to the next non-empty slot
//             or the end of its 64-slot bitmap word); a non-empty slot of n timers costs
//             n + 2 cycles. With a tick every cycle and no timer due, lag stays <= 1.
//   per tick: only the slot's own list is walked: each armed timer costs 1 cycle per
//             wheel revolution (WHEEL ticks) until it fires, i.e. on average
//             (armed timers / WHEEL) cycles per tick, independent of SESSIONS.
// Memory: nodes SESSIONS*2^KIND_W * (DEADLINE_W+1 + 2*(IW+1)) bits and heads
// WHEEL*(IW+1) bits in BRAM (IW = log2(SESSIONS)+KIND_W), bitmap WHEEL bits in LUT RAM.
// After reset the block clears its tables for max(SESSIONS*2^KIND_W, WHEEL/64) cycles
// (s_cmd_ready low); ticks in that time are counted and caught up afterwards.
// Assumes: nothing beyond the handshakes; commands may come at any time.
`include "ftoe_defs.svh"
`default_nettype none
module timer_wheel #(
    // Session slots: a power of two, 64..65536
    parameter int SESSIONS = 4096,
    // Timers per session (retransmit, delayed ACK, persist): 1..8
    parameter int KINDS = 3,
    // Width of the tick counter and deadlines (modular time): log2(WHEEL)+1..48
    parameter int DEADLINE_W = 32,
    // Wheel slots (one tick each): a power of two, 64..65536
    parameter int WHEEL = 4096
) (
    input  wire logic                        clk,
    input  wire logic                        rst,
    // time base
    input  wire logic                        tick,
    // commands: arm (s_cmd_cancel 0) or cancel (1) timer {session, kind}
    input  wire logic                        s_cmd_valid,
    output wire logic                        s_cmd_ready,
    input  wire logic                        s_cmd_cancel,
    input  wire logic [$clog2(SESSIONS)-1:0] s_cmd_session,
    input  wire logic [(KINDS > 1 ? $clog2(KINDS) : 1)-1:0]        s_cmd_kind,
    input  wire logic [DEADLINE_W-1:0]       s_cmd_delay,
    // expiries
    output wire logic                        m_exp_valid,
    input  wire logic                        m_exp_ready,
    output wire logic [$clog2(SESSIONS)-1:0] m_exp_session,
    output wire logic [(KINDS > 1 ? $clog2(KINDS) : 1)-1:0]        m_exp_kind,
    output wire logic [DEADLINE_W-1:0]       m_exp_deadline,
    // status and counters
    output wire logic [DEADLINE_W-1:0]       now_tick,       // ticks counted (mod 2^DEADLINE_W)
    output wire logic [DEADLINE_W-1:0]       lag,            // now - wheel time (0: caught up)
    output wire logic [$clog2(SESSIONS)+(KINDS > 1 ? $clog2(KINDS) : 1):0] armed_count,
    output wire logic [31:0]                 fired_count,    // expiries produced (wraps)
    output wire logic [31:0]                 bad_cmd_count,  // commands with kind >= KINDS
    output wire logic                        tick_lost,      // sticky: a tick was dropped
    output wire logic                        ready           // the reset sweep is done
);
    localparam int SID_W  = $clog2(SESSIONS);
    localparam int KIND_W = KINDS > 1 ? $clog2(KINDS) : 1;
    localparam int IW     = SID_W + KIND_W;         // node index = {session, kind}
    localparam int NT     = 1 << IW;                // nodes (2^KIND_W per session)
    localparam int DW     = DEADLINE_W;
    localparam int WB     = $clog2(WHEEL);          // slot index width
    localparam int NG     = WHEEL / 64;             // bitmap words
    localparam int GB     = WB > 6 ? WB - 6 : 1;    // bitmap word index width
    localparam int INIT_N = NT > NG ? NT : NG;      // table entries cleared after reset
    localparam int INIT_W = $clog2(INIT_N);
    localparam logic [IW:0] NIL = {1'b1, {IW{1'b0}}};  // a pointer with MSB set is null

    if (SESSIONS < 64 || SESSIONS > 65536 || (SESSIONS & (SESSIONS - 1)) != 0) begin : g_bad_sessions
        `FTOE_ELAB_FATAL $fatal(1, "timer_wheel: SESSIONS=%0d is not a power of two in 64..65536",
                                SESSIONS);
    end
    if (KINDS < 1 || KINDS > 8) begin : g_bad_kinds
        `FTOE_ELAB_FATAL $fatal(1, "timer_wheel: KINDS=%0d must be in 1..8", KINDS);
    end
    if (WHEEL < 64 || WHEEL > 65536 || (WHEEL & (WHEEL - 1)) != 0) begin : g_bad_wheel
        `FTOE_ELAB_FATAL $fatal(1, "timer_wheel: WHEEL=%0d is not a power of two in 64..65536",
                                WHEEL);
    end
    if (DEADLINE_W <= WB || DEADLINE_W > 48) begin : g_bad_deadline_w
        `FTOE_ELAB_FATAL $fatal(1, "timer_wheel: DEADLINE_W=%0d must be in log2(WHEEL)+1..48",
                                DEADLINE_W);
    end

    localparam logic [2:0] ST_INIT   = 3'd0;  // clearing armed bits and bitmap after reset
    localparam logic [2:0] ST_IDLE   = 3'd1;  // accept a command (caught up) or scan (behind)
    localparam logic [2:0] ST_UNLINK = 3'd2;  // command: node read; unlink if armed / link fresh
    localparam logic [2:0] ST_LINK   = 3'd3;  // command: link a re-armed node at its new slot
    localparam logic [2:0] ST_HEAD   = 3'd4;  // wheel: slot head read back
    localparam logic [2:0] ST_NODE   = 3'd5;  // wheel: one node of the slot per cycle

    // ---- Registers --------------------------------------------------------------------
    logic [2:0]        state_q, state_d;
    logic [INIT_W-1:0] init_q;
    logic [DW-1:0]     now_q, cur_q, cur_d;       // time, and the wheel's time (done up to)
    // command in progress
    logic              c_cancel_q;
    logic [IW-1:0]     c_id_q;
    logic [DW-1:0]     c_dl_q;
    logic              c_same_head_q;             // re-arm: the node was its new slot's head
    logic [IW:0]       c_next_q, c_head_q;
    // slot walk
    logic [DW-1:0]     t_q, t_d;                  // time of the slot being walked
    logic [IW-1:0]     ptr_q, ptr_d;              // node being examined
    logic [IW:0]       kept_q, kept_d;            // last node kept in the list (its prev)
    // expiry output
    logic              out_valid_q;
    logic [IW-1:0]     out_id_q;
    logic [DW-1:0]     out_dl_q;
    // counters
    logic [IW:0]       armed_q;
    logic [31:0]       fired_q, bad_q;
    logic              tick_lost_q;

    // ---- Memories: one write and one registered read per cycle each -------------------
    logic [DW:0]   dl_mem [NT];                   // {armed, deadline}
    logic [IW:0]   nx_mem [NT];                   // next node in the slot list
    logic [IW:0]   pv_mem [NT];                   // previous node (NIL: the list head)
    logic [IW:0]   hd_mem [WHEEL];                // slot heads (valid when the bitmap says)
    logic [63:0]   bm_mem [NG];                   // non-empty bitmap, async read

    logic              dl_we, nx_we, pv_we, hd_we, bm_we;
    logic [IW-1:0]     dl_wa, nx_wa, pv_wa;
    logic [WB-1:0]     hd_wa;
    logic [GB-1:0]     bm_wa, bm_ra;
    logic [DW:0]       dl_wd;
    logic [IW:0]       nx_wd, pv_wd, hd_wd;
    logic [63:0]       bm_wd, bm_rd;
    logic [IW-1:0]     node_ra;
    logic [WB-1:0]     hd_ra;
    logic [DW:0]       dl_rd;
    logic [IW:0]       nx_rd, pv_rd, hd_rd;

    always_ff @(posedge clk) begin
        if (dl_we) dl_mem[dl_wa] <= dl_wd;
        dl_rd <= dl_mem[node_ra];
    end
    always_ff @(posedge clk) begin
        if (nx_we) nx_mem[nx_wa] <= nx_wd;
        nx_rd <= nx_mem[node_ra];
    end
    always_ff @(posedge clk) begin
        if (pv_we) pv_mem[pv_wa] <= pv_wd;
        pv_rd <= pv_mem[node_ra];
    end
    always_ff @(posedge clk) begin
        if (hd_we) hd_mem[hd_wa] <= hd_wd;
        hd_rd <= hd_mem[hd_ra];
    end
    always_ff @(posedge clk) begin
        if (bm_we) bm_mem[bm_wa] <= bm_wd;
    end
    always_comb bm_rd = bm_mem[bm_ra];

    // Bitmap word index and bit of a slot (WHEEL >= 64, so a word is always full).
    function automatic logic [GB-1:0] grp(input logic [WB-1:0] s);
        grp = GB'(s >> 6);
    endfunction
    function automatic logic [63:0] onehot(input logic [5:0] b);
        onehot = 64'd1 << b;
    endfunction
    // Lowest set bit of w, 0 when none: found by halving (6 steps, not a 64-step loop that
    // the simulated model would run every cycle).
    function automatic logic [5:0] first_set(input logic [63:0] w);
        logic [63:0] v;
        v = w;
        first_set = 6'd0;
        for (int k = 5; k >= 0; k--) begin
            if (v != '0 && (v & ((64'd1 << (1 << k)) - 64'd1)) == '0) begin
                first_set[k] = 1'b1;
                v = v >> (1 << k);
            end
        end
    endfunction

    // ---- Control ----------------------------------------------------------------------
    wire logic [DW-1:0] lag_w    = now_q - cur_q;
    wire logic          caught   = lag_w == '0;
    wire logic          out_free = !out_valid_q || m_exp_ready;
    assign s_cmd_ready = state_q == ST_IDLE && caught;
    wire logic          accept   = s_cmd_valid && s_cmd_ready;
    wire logic [IW-1:0] cmd_id   = {s_cmd_session, s_cmd_kind};
    wire logic          cmd_bad  = 32'(s_cmd_kind) >= 32'(KINDS);
    wire logic [DW-1:0] cmd_dl   = now_q + (s_cmd_delay == '0 ? DW'(1) : s_cmd_delay);

    // The node read back (command or walk).
    wire logic          n_armed  = dl_rd[DW];
    wire logic [DW-1:0] n_dl     = dl_rd[DW-1:0];
    wire logic [WB-1:0] n_slot   = dl_rd[WB-1:0];
    wire logic [WB-1:0] c_slot   = c_dl_q[WB-1:0];
    wire logic [WB-1:0] t_slot   = t_q[WB-1:0];

    // Bitmap scan from the wheel's next slot.
    wire logic [DW-1:0] scan_t    = cur_q + DW'(1);
    wire logic [WB-1:0] scan_slot = scan_t[WB-1:0];
    wire logic [5:0]    scan_bit  = scan_slot[5:0];
    wire logic [63:0]   scan_word = bm_rd & ({64{1'b1}} << scan_bit);
    // The priority search only when the wheel is behind (its one user), so the
    // simulated model skips it while the wheel is caught up.
    logic [5:0]         scan_hit;
    always_comb begin
        scan_hit = '0;
        if (state_q == ST_IDLE && !caught) scan_hit = first_set(scan_word);
    end
    wire logic [5:0]    scan_off  = scan_hit - scan_bit;
    wire logic [6:0]    scan_span = 7'd64 - {1'b0, scan_bit};

    logic       armed_inc, armed_dec, fire, bad_cmd;
    logic [IW:0] link_head;

    always_comb begin
        state_d   = state_q;
        cur_d     = cur_q;
        t_d       = t_q;
        ptr_d     = ptr_q;
        kept_d    = kept_q;
        dl_we = 1'b0; dl_wa = c_id_q; dl_wd = {1'b1, c_dl_q};
        nx_we = 1'b0; nx_wa = c_id_q; nx_wd = NIL;
        pv_we = 1'b0; pv_wa = c_id_q; pv_wd = NIL;
        hd_we = 1'b0; hd_wa = c_slot; hd_wd = {1'b0, c_id_q};
        bm_we = 1'b0; bm_wa = grp(c_slot); bm_wd = bm_rd;
        bm_ra     = grp(c_slot);
        node_ra   = cmd_id;
        hd_ra     = cmd_dl[WB-1:0];
        armed_inc = 1'b0;
        armed_dec = 1'b0;
        fire      = 1'b0;
        bad_cmd   = 1'b0;
        link_head = NIL;
        case (state_q)
            ST_INIT: begin
                dl_we = 32'(init_q) < NT;
                dl_wa = IW'(init_q);
                dl_wd = '0;
                bm_we = 32'(init_q) < NG;
                bm_wa = GB'(init_q);
                bm_wd = '0;
                if (32'(init_q) == INIT_N - 1) state_d = ST_IDLE;
            end
            ST_IDLE: begin
                bm_ra = grp(scan_slot);
                if (accept) begin
                    // Read the node and its new slot's head; the node will be a head.
                    if (cmd_bad) begin
                        bad_cmd = 1'b1;
                    end else begin
                        pv_we   = 1'b1;
                        pv_wa   = cmd_id;
                        pv_wd   = NIL;
                        state_d = ST_UNLINK;
                    end
                end else if (!caught) begin
                    if (scan_word == '0) begin
                        // Nothing up to the end of this word: skip it (or up to now).
                        cur_d = cur_q + ((lag_w < DW'(scan_span)) ? lag_w : DW'(scan_span));
                    end else if (DW'(scan_off) >= lag_w) begin
                        cur_d = now_q;  // the next non-empty slot is still in the future
                    end else begin
                        t_d     = scan_t + DW'(scan_off);
                        hd_ra   = scan_slot + WB'(scan_off);  // same bitmap word
                        state_d = ST_HEAD;
                    end
                end
            end
            ST_UNLINK: begin
                if (n_armed) begin
                    // Unlink the node from its old slot.
                    if (pv_rd[IW]) begin
                        hd_we = 1'b1;
                        hd_wa = n_slot;
                        hd_wd = nx_rd;
                        if (nx_rd[IW]) begin
                            bm_we = 1'b1;
                            bm_ra = grp(n_slot);
                            bm_wa = grp(n_slot);
                            bm_wd = bm_rd & ~onehot(n_slot[5:0]);
                        end
                    end else begin
                        nx_we = 1'b1;
                        nx_wa = pv_rd[IW-1:0];
                        nx_wd = nx_rd;
                    end
                    if (!nx_rd[IW]) begin
                        pv_we = 1'b1;
                        pv_wa = nx_rd[IW-1:0];
                        pv_wd = pv_rd;
                    end
                end
                if (c_cancel_q) begin
                    if (n_armed) begin
                        dl_we     = 1'b1;
                        dl_wd     = {1'b0, n_dl};
                        armed_dec = 1'b1;
                    end
                    state_d = ST_IDLE;
                end else if (n_armed) begin
                    state_d = ST_LINK;
                end else begin
                    // Fresh arm: link at the head of its slot now.
                    bm_ra     = grp(c_slot);
                    link_head = (bm_rd & onehot(c_slot[5:0])) != '0 ? hd_rd : NIL;
                    dl_we = 1'b1;
                    nx_we = 1'b1;
                    nx_wd = link_head;
                    pv_we = !link_head[IW];
                    pv_wa = link_head[IW-1:0];
                    pv_wd = {1'b0, c_id_q};
                    hd_we = 1'b1;
                    bm_we = 1'b1;
                    bm_wd = bm_rd | onehot(c_slot[5:0]);
                    armed_inc = 1'b1;
                    state_d   = ST_IDLE;
                end
            end
            ST_LINK: begin
                // Re-arm: link at the head of the new slot (after the unlink).
                bm_ra     = grp(c_slot);
                link_head = c_same_head_q ? c_next_q
                          : (bm_rd & onehot(c_slot[5:0])) != '0 ? c_head_q : NIL;
                dl_we = 1'b1;
                nx_we = 1'b1;
                nx_wd = link_head;
                pv_we = !link_head[IW];
                pv_wa = link_head[IW-1:0];
                pv_wd = {1'b0, c_id_q};
                hd_we = 1'b1;
                bm_we = 1'b1;
                bm_wd = bm_rd | onehot(c_slot[5:0]);
                state_d = ST_IDLE;
            end
            ST_HEAD: begin
                if (hd_rd[IW]) begin
                    cur_d   = t_q;         // cannot happen: the bitmap said non-empty
                    state_d = ST_IDLE;
                end else begin
                    node_ra = hd_rd[IW-1:0];
                    ptr_d   = hd_rd[IW-1:0];
                    kept_d  = NIL;
                    state_d = ST_NODE;
                end
            end
            ST_NODE: begin
                node_ra = ptr_q;
                if (n_armed && n_dl == t_q && !out_free) begin
                    // Expiry output full: hold this node (re-read, unchanged).
                end else begin
                    if (n_armed && n_dl == t_q) begin
                        fire      = 1'b1;
                        armed_dec = 1'b1;
                        dl_we = 1'b1;
                        dl_wa = ptr_q;
                        dl_wd = {1'b0, n_dl};
                        if (kept_q[IW]) begin
                            hd_we = 1'b1;
                            hd_wa = t_slot;
                            hd_wd = nx_rd;
                            if (nx_rd[IW]) begin
                                bm_we = 1'b1;
                                bm_ra = grp(t_slot);
                                bm_wa = grp(t_slot);
                                bm_wd = bm_rd & ~onehot(t_slot[5:0]);
                            end
                        end else begin
                            nx_we = 1'b1;
                            nx_wa = kept_q[IW-1:0];
                            nx_wd = nx_rd;
                        end
                        if (!nx_rd[IW]) begin
                            pv_we = 1'b1;
                            pv_wa = nx_rd[IW-1:0];
                            pv_wd = kept_q;
                        end
                    end else begin
                        kept_d = {1'b0, ptr_q};
                    end
                    if (nx_rd[IW]) begin
                        cur_d   = t_q;
                        state_d = ST_IDLE;
                    end else begin
                        node_ra = nx_rd[IW-1:0];
                        ptr_d   = nx_rd[IW-1:0];
                    end
                end
            end
            default: state_d = ST_IDLE;
        endcase
    end

    always_ff @(posedge clk) begin
        t_q    <= t_d;
        ptr_q  <= ptr_d;
        kept_q <= kept_d;
        if (accept) begin
            c_cancel_q <= s_cmd_cancel;
            c_id_q     <= cmd_id;
            c_dl_q     <= cmd_dl;
        end
        if (state_q == ST_UNLINK) begin
            c_same_head_q <= pv_rd[IW] && n_slot == c_slot;
            c_next_q      <= nx_rd;
            c_head_q      <= hd_rd;
        end
        if (fire) begin
            out_id_q <= ptr_q;
            out_dl_q <= t_q;
        end
        if (rst) begin
            state_q     <= ST_INIT;
            init_q      <= '0;
            now_q       <= '0;
            cur_q       <= '0;
            out_valid_q <= 1'b0;
            armed_q     <= '0;
            fired_q     <= '0;
            bad_q       <= '0;
            tick_lost_q <= 1'b0;
        end else begin
            state_q <= state_d;
            if (state_q == ST_INIT) init_q <= init_q + INIT_W'(1);
            cur_q <= cur_d;
            if (tick) begin
                if (lag_w == {DW{1'b1}}) tick_lost_q <= 1'b1;
                else now_q <= now_q + DW'(1);
            end
            if (fire) out_valid_q <= 1'b1;
            else if (m_exp_ready) out_valid_q <= 1'b0;
            armed_q <= armed_q + (armed_inc ? (IW+1)'(1) : '0) - (armed_dec ? (IW+1)'(1) : '0);
            if (fire) fired_q <= fired_q + 32'd1;
            if (bad_cmd) bad_q <= bad_q + 32'd1;
        end
    end

    assign m_exp_valid    = out_valid_q;
    assign m_exp_session  = out_id_q[IW-1:KIND_W];
    assign m_exp_kind     = out_id_q[KIND_W-1:0];
    assign m_exp_deadline = out_dl_q;
    assign now_tick       = now_q;
    assign lag            = lag_w;
    assign armed_count    = armed_q;
    assign fired_count    = fired_q;
    assign bad_cmd_count  = bad_q;
    assign tick_lost      = tick_lost_q;
    assign ready          = state_q != ST_INIT;
endmodule
`default_nettype wire
