// conn_table: 4-tuple -> session id hash table in BRAM (algorithm and its reference:
// hls/conn_table.*). Two ways of SESSIONS/8 buckets of 4 slots, bucket h_w(key) in way
// w (CRC-32C for way 0, CRC-32 for way 1, over the 12 key bytes), plus an 8-entry stash.
//
// Lookups use port A of both ways: one per cycle, never stalled. Inserts and removes
// come only from host commands and run on port B: an insert with both home buckets
// full searches a cuckoo path read-only (random walk, LFSR choices, at most MAX_PATH
// victims, no slot twice) and then moves entries backwards, each copied before its old
// slot is overwritten, so a concurrent lookup never misses an installed key.
//
// Latency:    m_lookup_* is valid exactly 2 cycles after s_lookup_valid (hash and BRAM
//             read, then compare). A command's 1-cycle m_res_* pulse comes L cycles after
//             its handshake (s_cmd_valid && s_cmd_ready); s_cmd_ready is low from the cycle
//             after the handshake until the pulse and high again in the pulse's cycle, which
//             may hand over the next command. L = 3 for a remove (hit or miss), an insert of
//             a present key or into a home bucket; 5 + 5*m for a cuckoo insert whose path
//             moves m entries (m steps of 3 cycles, m + 1 writes of 2; m = its increment of
//             `moves`); for a walk that gives up (stash or RES_FULL) 4 + 3*MAX_PATH, or
//             5 + 3*s if every slot of a bucket is already on the path after s steps
//             (8 <= s < MAX_PATH). All asserted by the cosim: exactly, except that s is not
//             visible at the ports, so random commands check the form and directed ones s=8.
// Throughput: 1 lookup/cycle, concurrently with commands; 1 command per L cycles.
// Assumes:    the two BRAM ports share clk; a lookup reading a bucket in the cycle port
//             B writes it may see the old or the new contents, both of which hold every
//             installed key (copy-before-free).
`include "ftoe_defs.svh"
`default_nettype none
module conn_table #(
    // Table capacity in slots: a power of two, 64..65536 (ids are 0..SESSIONS-1)
    parameter int SESSIONS = 4096,
    // Longest cuckoo path an insert may search before using the stash
    parameter int MAX_PATH = 32
) (
    input  wire logic                        clk,
    input  wire logic                        rst,
    // lookups, one per cycle: {remote_ip, local_ip, remote_port, local_port}
    input  wire logic                        s_lookup_valid,
    input  wire logic [95:0]                 s_lookup_key,
    output logic                             m_lookup_valid,
    output logic                             m_lookup_hit,
    output logic [$clog2(SESSIONS)-1:0]      m_lookup_sid,
    // host commands
    input  wire logic                        s_cmd_valid,
    output wire logic                        s_cmd_ready,
    input  wire logic                        s_cmd_remove,  // 0 insert, 1 remove
    input  wire logic [95:0]                 s_cmd_key,
    input  wire logic [$clog2(SESSIONS)-1:0] s_cmd_sid,
    // command results: RES_* code
    output logic                             m_res_valid,
    output logic [2:0]                       m_res_code,
    // counters
    output logic [31:0]                      occupancy,
    output logic [31:0]                      insert_failures,
    output logic [31:0]                      stashed,
    output logic [31:0]                      moves
);
    localparam int SID_W = $clog2(SESSIONS);
    localparam int SLOTS = 4;
    localparam int STASH = 8;
    localparam int BB = $clog2(SESSIONS / 8);      // bucket index bits
    localparam int NBKT = 1 << BB;
    localparam int EW = 1 + 96 + SID_W;             // entry: {valid, key, sid}
    localparam int BW = SLOTS * EW;                 // bucket
    localparam int PW = $clog2(MAX_PATH + 1);

    localparam logic [2:0] RES_INSERTED = 3'd0, RES_STASHED = 3'd1, RES_EXISTS = 3'd2,
                           RES_FULL = 3'd3, RES_REMOVED = 3'd4, RES_MISSING = 3'd5;

    if (SESSIONS < 64 || SESSIONS > 65536 || (SESSIONS & (SESSIONS - 1)) != 0) begin : g_bad_sessions
        `FTOE_ELAB_FATAL $fatal(1, "conn_table: SESSIONS=%0d is not a power of two in 64..65536",
                                SESSIONS);
    end
    if (MAX_PATH < 1 || MAX_PATH > 64) begin : g_bad_path
        `FTOE_ELAB_FATAL $fatal(1, "conn_table: MAX_PATH=%0d must be in 1..64", MAX_PATH);
    end

    // Reflected CRC of the 12 key bytes (byte 0 = key[95:88]), init all ones, no final
    // xor; the low BB bits pick the bucket. Same as conn_hash() in hls/conn_table.hpp.
    function automatic logic [BB-1:0] bucket_of(input logic [95:0] key, input logic way);
        logic [31:0] c;
        c = 32'hFFFF_FFFF;
        for (int i = 0; i < 12; i++) begin
            c = c ^ {24'h0, key[95-8*i -: 8]};
            for (int j = 0; j < 8; j++)
                c = c[0] ? (c >> 1) ^ (way ? 32'hEDB8_8320 : 32'h82F6_3B78) : (c >> 1);
        end
        bucket_of = c[BB-1:0];
    endfunction

    // Slot access by a 2-bit index as a 4-way case: a multiplied part-select index would
    // synthesize as a barrel shifter across the whole bucket.
    function automatic logic [EW-1:0] slot_of(input logic [BW-1:0] bkt, input logic [1:0] s);
        case (s)
            2'd0: slot_of = bkt[0*EW +: EW];
            2'd1: slot_of = bkt[1*EW +: EW];
            2'd2: slot_of = bkt[2*EW +: EW];
            default: slot_of = bkt[3*EW +: EW];
        endcase
    endfunction
    function automatic logic slot_valid(input logic [EW-1:0] e);
        slot_valid = e[EW-1];
    endfunction
    /* verilator lint_off UNUSEDSIGNAL */  // field accessors: each reads one field of e
    function automatic logic [95:0] slot_key(input logic [EW-1:0] e);
        slot_key = e[SID_W +: 96];
    endfunction
    function automatic logic [SID_W-1:0] slot_sid(input logic [EW-1:0] e);
        slot_sid = e[SID_W-1:0];
    endfunction
    /* verilator lint_on UNUSEDSIGNAL */

    // ---- Bucket memories: port A lookups, port B the command engine -------------------
    logic [BW-1:0] mem0 [NBKT];
    logic [BW-1:0] mem1 [NBKT];
    logic [BW-1:0] a0_q, a1_q, b0_q, b1_q;          // read data, 1 cycle after the address
    logic [BB-1:0] b_addr0, b_addr1;                // port B addresses (from the engine)
    logic          b_we0, b_we1;
    logic [BW-1:0] b_wdata;

    // Port A reads for a lookup only (a read enable: the simulated model then hashes only
    // then); between lookups a0_q/a1_q hold, and m_lookup_hit/sid mean nothing.
    always_ff @(posedge clk) if (s_lookup_valid) a0_q <= mem0[bucket_of(s_lookup_key, 1'b0)];
    always_ff @(posedge clk) if (s_lookup_valid) a1_q <= mem1[bucket_of(s_lookup_key, 1'b1)];
    always_ff @(posedge clk) begin
        if (b_we0) mem0[b_addr0] <= b_wdata;
        b0_q <= mem0[b_addr0];
    end
    always_ff @(posedge clk) begin
        if (b_we1) mem1[b_addr1] <= b_wdata;
        b1_q <= mem1[b_addr1];
    end

    // ---- Stash (registers, searched in parallel) --------------------------------------
    logic [EW-1:0] stash_q [STASH];

    // ---- Lookup pipeline -----------------------------------------------------------------
    logic        lk_valid_q;
    logic [95:0] lk_key_q;
    always_ff @(posedge clk) begin
        lk_key_q <= s_lookup_key;
        if (rst) lk_valid_q <= 1'b0;
        else lk_valid_q <= s_lookup_valid;
    end
    logic             lk_hit;
    logic [SID_W-1:0] lk_sid;
    // Compared only in a lookup's cycle (the simulated model then skips the 16 key
    // compares in every other cycle; hit and session are 0 between lookups).
    always_comb begin
        lk_hit = 1'b0;
        lk_sid = '0;
        if (lk_valid_q) for (int s = 0; s < SLOTS; s++) begin
            if (slot_valid(slot_of(a0_q, 2'(s))) && slot_key(slot_of(a0_q, 2'(s))) == lk_key_q) begin
                lk_hit = 1'b1;
                lk_sid = slot_sid(slot_of(a0_q, 2'(s)));
            end
            if (slot_valid(slot_of(a1_q, 2'(s))) && slot_key(slot_of(a1_q, 2'(s))) == lk_key_q) begin
                lk_hit = 1'b1;
                lk_sid = slot_sid(slot_of(a1_q, 2'(s)));
            end
        end
        if (lk_valid_q) for (int i = 0; i < STASH; i++) begin
            if (slot_valid(stash_q[i]) && slot_key(stash_q[i]) == lk_key_q) begin
                lk_hit = 1'b1;
                lk_sid = slot_sid(stash_q[i]);
            end
        end
    end
    always_ff @(posedge clk) begin
        m_lookup_hit <= lk_hit;
        m_lookup_sid <= lk_sid;
        if (rst) m_lookup_valid <= 1'b0;
        else m_lookup_valid <= lk_valid_q;
    end

    // ---- Command engine --------------------------------------------------------------------
    localparam logic [3:0] IDLE = 4'd0, HOME_RD = 4'd1, HOME_CHK = 4'd2, WALK = 4'd3,
                           WALK_RD = 4'd4, WALK_CHK = 4'd5, MOVE_RD = 4'd6, MOVE_WR = 4'd7,
                           STASH_PUT = 4'd8;
    logic [3:0]       state_q;
    logic             remove_q;
    logic [95:0]      key_q;
    logic [BB-1:0]    home0_q, home1_q;  // key_q's buckets, hashed when it is taken
    logic [SID_W-1:0] sid_q;
    logic [15:0]      lfsr_q;
    // walk state
    logic             way_q;          // way of the bucket being walked
    logic [BB-1:0]    bkt_q;
    logic [BW-1:0]    cur_q;          // its contents
    logic [PW-1:0]    depth_q;
    logic             path_way [MAX_PATH];
    logic [BB-1:0]    path_bkt [MAX_PATH];
    logic [1:0]       path_slot [MAX_PATH];
    logic [EW-1:0]    path_ent [MAX_PATH];
    // move state: copy `mv_ent` into slot dst_slot_q of (dst_way_q, dst_bkt_q)
    logic             dst_way_q;
    logic [BB-1:0]    dst_bkt_q;
    logic [1:0]       dst_slot_q;
    logic [PW-1:0]    mv_i_q;         // path index being moved; 0 after the last victim
    logic             mv_new_q;       // the new key is what moves now

    assign s_cmd_ready = state_q == IDLE;
    wire logic cmd_hs = s_cmd_valid && s_cmd_ready;

    // Home buckets as read on port B (valid in HOME_CHK).
    logic          exists, free0_ok, free1_ok;
    logic [1:0]    free0, free1;
    logic          match0_ok, match1_ok;
    logic [1:0]    match0, match1;
    logic          stash_match_ok, stash_free_ok;
    logic [2:0]    stash_match, stash_free;
    always_comb begin
        free0_ok = 1'b0; free1_ok = 1'b0; free0 = '0; free1 = '0;
        match0_ok = 1'b0; match1_ok = 1'b0; match0 = '0; match1 = '0;
        // Searched only in the states that use them (the simulated model then skips the
        // compares in every other cycle): the buckets in HOME_CHK, the stash there and in
        // STASH_PUT. The lowest index wins, as in the reference.
        if (state_q == HOME_CHK) for (int s = SLOTS - 1; s >= 0; s--) begin
            if (!slot_valid(slot_of(b0_q, 2'(s)))) begin free0_ok = 1'b1; free0 = 2'(s); end
            if (!slot_valid(slot_of(b1_q, 2'(s)))) begin free1_ok = 1'b1; free1 = 2'(s); end
            if (slot_valid(slot_of(b0_q, 2'(s))) && slot_key(slot_of(b0_q, 2'(s))) == key_q) begin
                match0_ok = 1'b1; match0 = 2'(s);
            end
            if (slot_valid(slot_of(b1_q, 2'(s))) && slot_key(slot_of(b1_q, 2'(s))) == key_q) begin
                match1_ok = 1'b1; match1 = 2'(s);
            end
        end
        stash_match_ok = 1'b0; stash_free_ok = 1'b0; stash_match = '0; stash_free = '0;
        if (state_q == HOME_CHK || state_q == STASH_PUT)
            for (int i = STASH - 1; i >= 0; i--) begin
                if (slot_valid(stash_q[i]) && slot_key(stash_q[i]) == key_q) begin
                    stash_match_ok = 1'b1; stash_match = 3'(i);
                end
                if (!slot_valid(stash_q[i])) begin stash_free_ok = 1'b1; stash_free = 3'(i); end
            end
        exists = match0_ok || match1_ok || stash_match_ok;
    end

    // Walk step: victim slot = LFSR choice, or the next one not already on the path.
    // Searched only in WALK, its one user (the simulated model then skips the path
    // compares in every other cycle).
    wire logic [15:0] lfsr_next = {lfsr_q[0] ^ lfsr_q[2] ^ lfsr_q[3] ^ lfsr_q[5], lfsr_q[15:1]};
    logic       victim_ok;
    logic [1:0] victim;
    always_comb begin
        logic [1:0] cand;
        logic       on_path;
        victim_ok = 1'b0;
        victim = '0;
        cand = '0;
        on_path = 1'b0;
        if (state_q == WALK) for (int k = SLOTS - 1; k >= 0; k--) begin  // smallest k wins
            cand = 2'(lfsr_next[2:1] + 2'(k));
            on_path = 1'b0;
            for (int i = 0; i < MAX_PATH; i++)
                if (PW'(i) < depth_q && path_way[i] == way_q && path_bkt[i] == bkt_q &&
                    path_slot[i] == cand)
                    on_path = 1'b1;
            if (!on_path) begin victim_ok = 1'b1; victim = cand; end
        end
    end
    wire logic [EW-1:0] victim_ent = slot_of(cur_q, victim);
    // The bucket read for a walk check: the other way's.
    wire logic [BW-1:0] alt_q = way_q ? b0_q : b1_q;
    logic       alt_free_ok;
    logic [1:0] alt_free;
    always_comb begin
        alt_free_ok = 1'b0;
        alt_free = '0;
        for (int s = SLOTS - 1; s >= 0; s--)
            if (!slot_valid(slot_of(alt_q, 2'(s)))) begin alt_free_ok = 1'b1; alt_free = 2'(s); end
    end

    // Replaces slot `s` of `bkt` with `e`.
    function automatic logic [BW-1:0] with_slot(input logic [BW-1:0] bkt, input logic [1:0] s,
                                                input logic [EW-1:0] e);
        with_slot = bkt;
        case (s)
            2'd0: with_slot[0*EW +: EW] = e;
            2'd1: with_slot[1*EW +: EW] = e;
            2'd2: with_slot[2*EW +: EW] = e;
            default: with_slot[3*EW +: EW] = e;
        endcase
    endfunction

    wire logic [EW-1:0] new_ent = {1'b1, key_q, sid_q};
    wire logic [EW-1:0] mv_ent = mv_new_q ? new_ent : path_ent[mv_i_q[$clog2(MAX_PATH)-1:0]];
    wire logic [BW-1:0] dst_q = dst_way_q ? b1_q : b0_q;

    always_comb begin
        b_addr0 = home0_q;
        b_addr1 = home1_q;
        b_we0 = 1'b0;
        b_we1 = 1'b0;
        b_wdata = '0;
        case (state_q)
            HOME_CHK: if (remove_q && (match0_ok || match1_ok)) begin
                b_we0 = match0_ok;
                b_we1 = !match0_ok;
                b_wdata = match0_ok ? with_slot(b0_q, match0, '0) : with_slot(b1_q, match1, '0);
            end else if (!remove_q && !exists && (free0_ok || free1_ok)) begin
                b_we0 = free0_ok;
                b_we1 = !free0_ok;
                b_wdata = free0_ok ? with_slot(b0_q, free0, new_ent) : with_slot(b1_q, free1, new_ent);
            end
            WALK_RD: begin  // read the victim's bucket in the other way
                b_addr0 = bkt_q;
                b_addr1 = bkt_q;
            end
            MOVE_RD: begin
                b_addr0 = dst_bkt_q;
                b_addr1 = dst_bkt_q;
            end
            MOVE_WR: begin
                b_addr0 = dst_bkt_q;
                b_addr1 = dst_bkt_q;
                b_we0 = !dst_way_q;
                b_we1 = dst_way_q;
                b_wdata = with_slot(dst_q, dst_slot_q, mv_ent);
            end
            default: ;
        endcase
    end

    always_ff @(posedge clk) begin
        if (rst) begin
            state_q         <= IDLE;
            lfsr_q          <= 16'hACE1;
            m_res_valid     <= 1'b0;
            occupancy       <= '0;
            insert_failures <= '0;
            stashed         <= '0;
            moves           <= '0;
            for (int i = 0; i < STASH; i++) stash_q[i] <= '0;
        end else begin
            m_res_valid <= 1'b0;
            case (state_q)
                IDLE: if (cmd_hs) begin
                    remove_q <= s_cmd_remove;
                    key_q    <= s_cmd_key;
                    home0_q  <= bucket_of(s_cmd_key, 1'b0);
                    home1_q  <= bucket_of(s_cmd_key, 1'b1);
                    sid_q    <= s_cmd_sid;
                    state_q  <= HOME_RD;
                end
                HOME_RD: state_q <= HOME_CHK;  // port B reads the home buckets
                HOME_CHK: begin
                    if (remove_q) begin
                        // A bucket slot is cleared by this cycle's port-B write.
                        if (!match0_ok && !match1_ok && stash_match_ok) stash_q[stash_match] <= '0;
                        if (exists) occupancy <= occupancy - 32'd1;
                        m_res_valid <= 1'b1;
                        m_res_code  <= exists ? RES_REMOVED : RES_MISSING;
                        state_q     <= IDLE;
                    end else if (exists) begin
                        m_res_valid <= 1'b1;
                        m_res_code  <= RES_EXISTS;
                        state_q     <= IDLE;
                    end else if (free0_ok || free1_ok) begin
                        occupancy   <= occupancy + 32'd1;
                        m_res_valid <= 1'b1;
                        m_res_code  <= RES_INSERTED;
                        state_q     <= IDLE;
                    end else begin
                        way_q   <= lfsr_q[0];
                        bkt_q   <= lfsr_q[0] ? home1_q : home0_q;
                        cur_q   <= lfsr_q[0] ? b1_q : b0_q;
                        depth_q <= '0;
                        state_q <= WALK;
                    end
                end
                WALK: begin
                    lfsr_q <= lfsr_next;
                    if (!victim_ok) begin
                        state_q <= STASH_PUT;
                    end else begin
                        path_way[depth_q[$clog2(MAX_PATH)-1:0]]  <= way_q;
                        path_bkt[depth_q[$clog2(MAX_PATH)-1:0]]  <= bkt_q;
                        path_slot[depth_q[$clog2(MAX_PATH)-1:0]] <= victim;
                        path_ent[depth_q[$clog2(MAX_PATH)-1:0]]  <= victim_ent;
                        bkt_q   <= bucket_of(slot_key(victim_ent), !way_q);
                        state_q <= WALK_RD;
                    end
                end
                WALK_RD: state_q <= WALK_CHK;
                WALK_CHK: begin
                    if (alt_free_ok) begin
                        // Path found: first move the last victim into the free slot.
                        dst_way_q  <= !way_q;
                        dst_bkt_q  <= bkt_q;
                        dst_slot_q <= alt_free;
                        mv_i_q     <= depth_q;
                        mv_new_q   <= 1'b0;
                        state_q    <= MOVE_RD;
                    end else if (depth_q == PW'(MAX_PATH - 1)) begin
                        state_q <= STASH_PUT;
                    end else begin
                        way_q   <= !way_q;
                        cur_q   <= alt_q;
                        depth_q <= depth_q + 1'b1;
                        state_q <= WALK;
                    end
                end
                MOVE_RD: state_q <= MOVE_WR;   // dst bucket read; its contents arrive in b*_q
                MOVE_WR: begin
                    moves <= moves + 32'(!mv_new_q);
                    if (mv_new_q) begin
                        occupancy   <= occupancy + 32'd1;
                        m_res_valid <= 1'b1;
                        m_res_code  <= RES_INSERTED;
                        state_q     <= IDLE;
                    end else begin
                        // The slot just vacated (by copy) is the next destination.
                        dst_way_q  <= path_way[mv_i_q[$clog2(MAX_PATH)-1:0]];
                        dst_bkt_q  <= path_bkt[mv_i_q[$clog2(MAX_PATH)-1:0]];
                        dst_slot_q <= path_slot[mv_i_q[$clog2(MAX_PATH)-1:0]];
                        if (mv_i_q == '0) mv_new_q <= 1'b1;
                        else mv_i_q <= mv_i_q - 1'b1;
                        state_q <= MOVE_RD;
                    end
                end
                STASH_PUT: begin
                    m_res_valid <= 1'b1;
                    if (stash_free_ok) begin
                        stash_q[stash_free] <= new_ent;
                        occupancy <= occupancy + 32'd1;
                        stashed   <= stashed + 32'd1;
                        m_res_code <= RES_STASHED;
                    end else begin
                        insert_failures <= insert_failures + 32'd1;
                        m_res_code <= RES_FULL;
                    end
                    state_q <= IDLE;
                end
                default: state_q <= IDLE;
            endcase
        end
    end
endmodule
`default_nettype wire
