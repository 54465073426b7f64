// ftoe_engine: the TCP offload engine's top. Today it carries the receive classifier,
// the connection table, the per-session receive decision, in-order payload to the app
// RX stream, the ACKs that decision asks for, data transmission from the app TX stream
// (TX buffer in external memory, tcp_tx_session, segments with their checksums), FIN on
// SEND_FIN, the transmit timers (retransmission timeout with backoff and TIMEOUT to the
// host, persist probes, delayed ACKs when configured) on tx_timer_ctl's wheel,
// host-terminated sessions (payload to and from the host link), the slow path and the
// host interface (docs/architecture.md says what is wired).
//
//   MAC RX + RX_INJECT frames (rx_inject_merge, 0 cycles while nothing is injected)
//          -> eth_rx_parse -> conn_table lookup -> reason per frame -> stat_counters
//          |                    installed session -> tcp_rx_session (RFC 9293 decision,
//          |                    state in BRAM) -> outcome counters, PEER_FIN/RST/SYN events
//          |                                   -> ACK queue -> tx_ack_build --\
//          |-> rx_payload_store (every frame until classified; payload until decided)
//          |                    -> in-order payload -> app RX stream (tdest = session)
//          |                                        or (host session) RX_DATA events
//          \-> rx_frame_store (every frame until decided) -> slow-path events
//   host bytes -> hl_rx -> cmd_exec (config, install/remove, counters, ping, raw TX,
//                 RX_INJECT -> raw_tx_pack -> rx_inject_merge in front of the MAC RX consumers)
//   events (link errors > command answers > session events > slow-path frames) -> hl_tx;
//   a host session's event waits for the payload decided before it (RX_DATA first)
//   raw TX frames -> raw_tx_csum (checksums filled) -> raw_tx_pack -> tx_frame_mux -> MAC TX
//   app TX | APP_DATA (host sessions; SND.UNA back as ACKED(data) events)
//          -> tx_buf_wr -> memory port; events (install, SENT, ACK, timer expiry, data
//          received, SEND_FIN, queued, kick) -> tcp_tx_session -> timer commands ->
//          tx_timer_ctl; -> owed ACKs -> tx_ack_build; -> active list -> kick ->
//          tx_buf_rd (payload + sum) -> header and receive-state read -> tx_frame_build
//
// Each received frame gets exactly one reason (ftoe_pkg::RX_*) and is counted once:
// RX_TCP for a segment of an installed session (it then runs through tcp_rx_session and
// gets one SEG_* outcome, its in-order payload goes to the app and the ACK it asks for
// goes out: immediate, duplicate and challenge ACKs at once, the delayable ones at once
// too unless delayed ACKs are configured: then when tcp_tx_session's policy owes them),
// RX_SLOW_NO_SESSION for TCP that matched none, the parser's reason otherwise, and
// RX_DROP_NO_BUFFER for a frame headed for the host that the receive buffer could not
// hold, a data segment the payload store could not hold (the app is behind), or a
// segment finding the 32-deep queue to tcp_rx_session full (only possible when one
// session gets a segment more often than every 4 cycles, at 512 bits).
//
// Latency:    a frame's reason is decided and counted 9 cycles after its tlast beat is
//             accepted (parser 7 + table lookup 2, each asserted by its own cosim); on an
//             idle link a slow-path frame's first event byte leaves 13 cycles after its
//             tlast, its bytes back to back (asserted by tests/engine); a segment of an
//             installed session is decided by tcp_rx_session 4 cycles after it leaves the
//             32-deep queue in front of it (asserted by that block's cosim); on an idle
//             engine an in-order data segment's first payload beat is offered on the app
//             RX stream 18 + w cycles after its tlast (w = 1 or 2: the ring words under
//             that beat), the rest back to back, and the ACK a segment asks for has its
//             first beat on MAC TX 19 cycles after the segment's tlast (decision 14,
//             ACK queue 1, header read 1, tx_ack_build 3), both asserted by tests/engine.
//             On an idle engine with the session's window open, a data segment's first
//             beat is on MAC TX K + n + L + e cycles after the app's last beat is taken
//             (n memory words under the payload, L the memory's read latency, e = 1 when
//             the payload's words are one more than the app's beats, K = 19 at 64 bits,
//             20 at 512): tx_buf_wr; the queued event, then the kick, each through
//             tcp_tx_session's 4 cycles; the payload read and sum (tx_buf_rd: n + L +
//             3); header read 1; tx_frame_build 3. Asserted by tests/engine.
// Throughput: MAC RX 1 beat/cycle, s_mac_rx_tready constant 1 (frames that do not fit
//             are dropped and counted, never stalled); host link 1 byte/cycle each way.
//             Data segments back to back on MAC TX at 1 beat/cycle: 64-byte frames over
//             16 sessions with no idle cycle at 64 bits (EngineTx.SustainsOneBeatPer-
//             CycleWith64ByteFrames); an unaligned payload that needs one memory word
//             more than its beats costs one idle cycle (the memory gives a word a cycle).
// Assumes:    after rst the counter banks clear themselves for 32 cycles; frames in
//             that time are classified but not counted. A session id is re-installed
//             only once no segment of its previous incarnation is on its way. SEND_FIN
//             follows all the host's APP_DATA before it (it waits until that is queued),
//             and the app stream's data queued when it is taken. The memory answers reads in
//             order and a read accepted after a write sees it.
`include "ftoe_defs.svh"
`default_nettype none
module ftoe_engine #(
    // MAC data bus width in bits: a power of two from 64 to 1024
    parameter int DATA_W = 64,
    // Session slots of the connection table: a power of two, 64..65536
    parameter int SESSIONS = 4096,
    // Slow-path receive buffer (frames until decided, slow-path frames until sent) in bytes
    parameter int RX_BUF_BYTES = 32768,
    // Fast-path receive buffer (segment payloads until tcp_rx decides and the app takes them)
    parameter int RX_PAYLOAD_BYTES = 32768,
    // Time-base ticks per millisecond of the TCP timestamp clock (RFC 7323: 1 ms..1 s)
    parameter int TS_TICKS_PER_MS = 1000,
    // Per-session TX buffer (a ring in external memory) in bytes
    parameter int TX_BUF_BYTES = 65536,
    // App TX bytes taken per room check / queued record (tx_buf_wr)
    parameter int TX_CHUNK = 2048,
    // Largest segment payload the engine sends; an installed MSS above it is clamped
    parameter int TX_MAX_SEG = 2048,
    // Word address width of the TX buffer memory
    localparam int TX_ADDR_W = $clog2(SESSIONS) + $clog2(TX_BUF_BYTES / (DATA_W / 8))
) (
    input  wire logic                clk,
    input  wire logic                rst,
    // time base: one pulse per tick (1 us by default), from the board's clock or the
    // system model, which may pulse it faster to skip idle time
    input  wire logic                tick,
    // MAC receive (whole Ethernet frames, no FCS)
    input  wire logic [DATA_W-1:0]   s_mac_rx_tdata,
    input  wire logic [DATA_W/8-1:0] s_mac_rx_tkeep,
    input  wire logic                s_mac_rx_tvalid,
    output wire logic                s_mac_rx_tready,
    input  wire logic                s_mac_rx_tlast,
    input  wire logic                s_mac_rx_tuser,
    // MAC transmit
    output wire logic [DATA_W-1:0]   m_mac_tx_tdata,
    output wire logic [DATA_W/8-1:0] m_mac_tx_tkeep,
    output wire logic                m_mac_tx_tvalid,
    input  wire logic                m_mac_tx_tready,
    output wire logic                m_mac_tx_tlast,
    output wire logic                m_mac_tx_tuser,
    // app receive: in-order payload of installed sessions, one segment's bytes per packet
    output wire logic [DATA_W-1:0]   m_app_rx_tdata,
    output wire logic [DATA_W/8-1:0] m_app_rx_tkeep,
    output wire logic                m_app_rx_tvalid,
    input  wire logic                m_app_rx_tready,
    output wire logic                m_app_rx_tlast,
    output wire logic [$clog2(SESSIONS)-1:0] m_app_rx_tdest,   // the session
    // app transmit: bytes appended to a session's stream (tdest), lane 0 first, any length
    input  wire logic [DATA_W-1:0]   s_app_tx_tdata,
    input  wire logic [DATA_W/8-1:0] s_app_tx_tkeep,
    input  wire logic                s_app_tx_tvalid,
    output wire logic                s_app_tx_tready,
    input  wire logic                s_app_tx_tlast,
    input  wire logic [$clog2(SESSIONS)-1:0] s_app_tx_tdest,
    // TX buffer memory (DDR on a board): word writes, word reads answered in order
    output wire logic                 m_mem_wr_valid,
    input  wire logic                 m_mem_wr_ready,
    output wire logic [TX_ADDR_W-1:0] m_mem_wr_addr,
    output wire logic [DATA_W-1:0]    m_mem_wr_data,
    output wire logic [DATA_W/8-1:0]  m_mem_wr_strb,
    output wire logic                 m_mem_rd_valid,
    input  wire logic                 m_mem_rd_ready,
    output wire logic [TX_ADDR_W-1:0] m_mem_rd_addr,
    input  wire logic                 s_mem_rd_valid,
    input  wire logic [DATA_W-1:0]    s_mem_rd_data,
    // host link: command bytes in, event bytes out (framed, ftoe_pkg wire format)
    input  wire logic [7:0]          s_host_tdata,
    input  wire logic                s_host_tvalid,
    output wire logic                s_host_tready,
    output wire logic [7:0]          m_host_tdata,
    output wire logic                m_host_tvalid,
    input  wire logic                m_host_tready,
    // status: the timer tables' reset sweep is done, no transmit timer is armed, none is
    // being armed, and no expiry is on its way (in the wheel's output or, as an event, in
    // tcp_tx_session until its outcome's timer commands are in).
    output wire logic                timers_idle,
    // status: nothing the timers start is moving: the timer wheel caught up with the ticks
    // and idle, no timer command or expiry on its way, tcp_tx_session idle, no event
    // waiting for it, no payload request and no owed ACK queued; no host command in hl_rx
    // or cmd_exec, no injected frame on its way (nor within 63 cycles after it left
    // rx_inject_merge), no RAW_TX frame in raw_tx_csum. One cycle after a pulse
    // whose wheel slot is empty it is 1 again. Not covered: an outcome's segment or ACK on
    // its way to the port (payload read, ACK build), which shows on a port within 16
    // cycles. So with the ports quiet and this 1 for 16 cycles since it was last 0, the
    // engine changes nothing before the next tick pulse (timers_idle 1: before the next
    // input) and a system model may skip to it (sim/models/idle_skip.hpp).
    output wire logic                timers_settled
);
    localparam int SID_W = $clog2(SESSIONS);
    localparam int LOOKUP_LAT = 2;                  // conn_table's fixed lookup latency

    // ---- Host commands ---------------------------------------------------------------------
    logic        cmd_valid, cmd_ready, pay_valid, pay_ready, pay_last;
    logic [7:0]  cmd_kind, pay_data;
    logic [15:0] cmd_len, cmd_arg;
    logic [31:0] cmd_seq, cmd_session;
    logic        err_valid, hlrx_busy;
    logic [15:0] err_code;
    logic [31:0] err_seq, err_expected, err_skipped;
    hl_rx u_hl_rx (
        .clk, .rst,
        .s_axis_tdata(s_host_tdata), .s_axis_tvalid(s_host_tvalid), .s_axis_tready(s_host_tready),
        .m_cmd_valid(cmd_valid), .m_cmd_ready(cmd_ready), .m_cmd_kind(cmd_kind),
        .m_cmd_len(cmd_len), .m_cmd_seq(cmd_seq), .m_cmd_session(cmd_session),
        .m_cmd_arg(cmd_arg),
        .m_pay_tdata(pay_data), .m_pay_tvalid(pay_valid), .m_pay_tready(pay_ready),
        .m_pay_tlast(pay_last),
        .err_valid, .err_code, .err_seq, .err_expected, .err_skipped, .busy(hlrx_busy)
    );
    wire logic unused_cmd_seq = ^cmd_seq;           // hl_rx has checked it

    logic [47:0] cfg_mac;
    logic [31:0] cfg_ip;
    logic        ct_cmd_valid, ct_cmd_ready, ct_cmd_remove, ct_res_valid;
    logic [95:0] ct_cmd_key;
    logic [SID_W-1:0] ct_cmd_sid;
    logic [2:0]  ct_res_code;
    logic        tcb_valid, tcb_ready;
    logic [8*ftoe_pkg::HL_INSTALL_BYTES-1:0] install_bytes;
    logic [31:0] ct_occupancy, ct_insert_failures, ct_stashed, ct_moves;
    logic [6:0]  cnt_idx;
    logic [31:0] cfg_rto_min, cfg_rto_max, cfg_rto_initial, cfg_delack_ticks;
    logic [7:0]  cfg_max_retries;
    logic        cfg_delack_enable;
    logic [63:0] cnt_value;
    logic        unsupported;
    logic [7:0]  raw_data;
    logic        raw_valid, raw_ready, raw_last;
    logic [1:0]  raw_fill;
    logic [7:0]  inj_data;                          // RX_INJECT's frame bytes
    logic        inj_valid, inj_ready, inj_last, ce_busy;
    logic        rawc_busy;                         // raw_tx_csum holds a RAW_TX frame
    logic        ce_evt_valid, ce_evt_ready, ce_pay_valid, ce_pay_ready, ce_pay_last;
    logic        fin_cmd_valid, fin_cmd_ready;
    logic [7:0]  hap_data;                          // APP_DATA bytes of a host session
    logic        hap_valid, hap_ready, hap_last;
    logic [$clog2(SESSIONS)-1:0] hap_sid;
    logic        rst_req_valid, rst_req_ready, rst_done;   // ABORT's RST
    logic [$clog2(SESSIONS)-1:0] rst_req_sid;
    logic [95:0] removed_snapshot;                  // REMOVED's payload, see Transmit
    logic [SID_W-1:0] fin_cmd_sid;
    logic [7:0]  ce_evt_kind, ce_pay_data;
    logic [15:0] ce_evt_len, ce_evt_arg;
    logic [31:0] ce_evt_session;
    cmd_exec #(.SESSIONS(SESSIONS)) u_cmd_exec (
        .clk, .rst,
        .s_cmd_valid(cmd_valid), .s_cmd_ready(cmd_ready), .s_cmd_kind(cmd_kind),
        .s_cmd_len(cmd_len), .s_cmd_session(cmd_session), .s_cmd_arg(cmd_arg),
        .s_pay_tdata(pay_data), .s_pay_tvalid(pay_valid), .s_pay_tready(pay_ready),
        .s_pay_tlast(pay_last),
        .cfg_mac, .cfg_ip, .cfg_rto_min, .cfg_rto_max, .cfg_rto_initial, .cfg_max_retries,
        .cfg_delack_enable, .cfg_delack_ticks,
        .m_ct_valid(ct_cmd_valid), .m_ct_ready(ct_cmd_ready), .m_ct_remove(ct_cmd_remove),
        .m_ct_key(ct_cmd_key), .m_ct_sid(ct_cmd_sid),
        .m_tcb_valid(tcb_valid), .m_tcb_ready(tcb_ready), .m_install_bytes(install_bytes),
        .s_ct_res_valid(ct_res_valid), .s_ct_res_code(ct_res_code),
        .ct_occupancy, .ct_insert_failures, .ct_stashed, .ct_moves,
        .s_snapshot(removed_snapshot),
        .cnt_idx, .cnt_value, .unsupported,
        .m_raw_tdata(raw_data), .m_raw_tvalid(raw_valid), .m_raw_tready(raw_ready),
        .m_raw_tlast(raw_last), .m_raw_fill(raw_fill),
        .m_inj_tdata(inj_data), .m_inj_tvalid(inj_valid), .m_inj_tready(inj_ready),
        .m_inj_tlast(inj_last), .busy(ce_busy),
        .m_fin_valid(fin_cmd_valid), .m_fin_ready(fin_cmd_ready), .m_fin_sid(fin_cmd_sid),
        .m_app_tdata(hap_data), .m_app_tvalid(hap_valid), .m_app_tready(hap_ready),
        .m_app_tlast(hap_last), .m_app_sid(hap_sid),
        .m_rst_valid(rst_req_valid), .m_rst_ready(rst_req_ready), .m_rst_sid(rst_req_sid),
        .s_rst_done(rst_done),
        .m_evt_valid(ce_evt_valid), .m_evt_ready(ce_evt_ready), .m_evt_kind(ce_evt_kind),
        .m_evt_len(ce_evt_len), .m_evt_session(ce_evt_session), .m_evt_arg(ce_evt_arg),
        .m_pay_tdata(ce_pay_data), .m_pay_tvalid(ce_pay_valid), .m_pay_tready(ce_pay_ready),
        .m_pay_tlast(ce_pay_last)
    );

    // ---- Receive: injected frames join the MAC stream ----------------------------------------
    // RX_INJECT's bytes packed into beats (the packer RAW_TX uses), stored whole, then let
    // in between MAC frames: every consumer below sees the merged stream (rx_*).
    logic [DATA_W-1:0]   injb_tdata, rx_tdata;
    logic [DATA_W/8-1:0] injb_tkeep, rx_tkeep;
    logic                injb_tvalid, injb_tready, injb_tlast;
    logic                rx_tvalid, rx_tlast, rx_tuser, merge_busy, rx_injected;
    raw_tx_pack #(.DATA_W(DATA_W)) u_inj_pack (
        .clk, .rst,
        .s_axis_tdata(inj_data), .s_axis_tvalid(inj_valid), .s_axis_tready(inj_ready),
        .s_axis_tlast(inj_last),
        .m_axis_tdata(injb_tdata), .m_axis_tkeep(injb_tkeep), .m_axis_tvalid(injb_tvalid),
        .m_axis_tready(injb_tready), .m_axis_tlast(injb_tlast)
    );
    rx_inject_merge #(.DATA_W(DATA_W), .MAX_INJECT(ftoe_pkg::HL_MAX_INJECT)) u_inj_merge (
        .clk, .rst,
        .s_mac_tdata(s_mac_rx_tdata), .s_mac_tkeep(s_mac_rx_tkeep),
        .s_mac_tvalid(s_mac_rx_tvalid), .s_mac_tready(s_mac_rx_tready),
        .s_mac_tlast(s_mac_rx_tlast), .s_mac_tuser(s_mac_rx_tuser),
        .s_inj_tdata(injb_tdata), .s_inj_tkeep(injb_tkeep), .s_inj_tvalid(injb_tvalid),
        .s_inj_tready(injb_tready), .s_inj_tlast(injb_tlast),
        .m_axis_tdata(rx_tdata), .m_axis_tkeep(rx_tkeep), .m_axis_tvalid(rx_tvalid),
        .m_axis_tlast(rx_tlast), .m_axis_tuser(rx_tuser),
        .busy(merge_busy), .injected(rx_injected)
    );
    logic parse_tready;                             // constant 1, as the merge assumes
    wire logic unused_parse_tready = parse_tready;
    // An injected frame is on its way through the parser, the decision and the payload
    // store for a while after it left the merge, with no port input to show it: held as
    // busy for INJ_TAIL cycles more (the decision 9 + the payload's first app beat 18 + w,
    // with room to spare), after which what it caused shows on a port or in the status.
    localparam int INJ_TAIL = 63;
    logic [5:0] inj_tail_q;
    always_ff @(posedge clk) begin
        if (rst) inj_tail_q <= '0;
        else if (merge_busy || injb_tvalid) inj_tail_q <= 6'(INJ_TAIL);
        else if (inj_tail_q != '0) inj_tail_q <= inj_tail_q - 6'd1;
    end

    // ---- Receive: parse, look up, decide ------------------------------------------------------
    logic        d_valid, d_vlan, d_has_mss, d_has_ws, d_sackp, d_has_sack, d_has_ts;
    logic [4:0]  d_reason;
    logic [15:0] d_frame_len, d_vlan_tci, d_src_port, d_dst_port, d_window, d_payload_off;
    logic [15:0] d_payload_len, d_mss;
    logic [47:0] d_src_mac;
    logic [31:0] d_src_ip, d_dst_ip, d_seq, d_ack, d_tsval, d_tsecr;
    logic [7:0]  d_flags, d_ws;
    logic [2:0]  d_sack_blocks;
    eth_rx_parse #(.DATA_W(DATA_W), .MAX_OPTIONS(4)) u_parse (
        .clk, .rst, .cfg_mac, .cfg_ip,
        .s_axis_tdata(rx_tdata), .s_axis_tkeep(rx_tkeep),
        .s_axis_tvalid(rx_tvalid), .s_axis_tready(parse_tready),
        .s_axis_tlast(rx_tlast), .s_axis_tuser(rx_tuser),
        .m_valid(d_valid), .m_reason(d_reason), .m_frame_len(d_frame_len), .m_vlan(d_vlan),
        .m_vlan_tci(d_vlan_tci), .m_src_mac(d_src_mac), .m_src_ip(d_src_ip),
        .m_dst_ip(d_dst_ip), .m_src_port(d_src_port), .m_dst_port(d_dst_port),
        .m_seq(d_seq), .m_ack(d_ack), .m_flags(d_flags), .m_window(d_window),
        .m_payload_off(d_payload_off), .m_payload_len(d_payload_len),
        .m_has_mss(d_has_mss), .m_mss(d_mss), .m_has_wscale(d_has_ws), .m_wscale(d_ws),
        .m_sack_permitted(d_sackp), .m_has_sack(d_has_sack), .m_sack_blocks(d_sack_blocks),
        .m_has_ts(d_has_ts), .m_tsval(d_tsval), .m_tsecr(d_tsecr)
    );
    // Options other than timestamps matter to the host (SYNs), not to the fast path.
    wire logic unused_desc = ^{d_vlan, d_vlan_tci, d_src_mac, d_has_mss, d_mss,
                               d_has_ws, d_ws, d_sackp, d_has_sack, d_sack_blocks, d_tsecr};

    logic lk_valid, lk_hit;
    logic [SID_W-1:0] lk_sid;
    conn_table #(.SESSIONS(SESSIONS)) u_conn_table (
        .clk, .rst,
        .s_lookup_valid(d_valid), .s_lookup_key({d_src_ip, d_dst_ip, d_src_port, d_dst_port}),
        .m_lookup_valid(lk_valid), .m_lookup_hit(lk_hit), .m_lookup_sid(lk_sid),
        .s_cmd_valid(ct_cmd_valid), .s_cmd_ready(ct_cmd_ready), .s_cmd_remove(ct_cmd_remove),
        .s_cmd_key(ct_cmd_key), .s_cmd_sid(ct_cmd_sid),
        .m_res_valid(ct_res_valid), .m_res_code(ct_res_code),
        .occupancy(ct_occupancy), .insert_failures(ct_insert_failures), .stashed(ct_stashed),
        .moves(ct_moves)
    );

    logic [4:0]  r_reason;
    logic [15:0] r_frame_len, r_payload_off;
    pipe_delay #(.W(5 + 16 + 16), .DEPTH(LOOKUP_LAT)) u_desc_delay (
        .clk, .d({d_reason, d_frame_len, d_payload_off}),
        .q({r_reason, r_frame_len, r_payload_off}));
    // the segment, for tcp_rx_session: {seq, ack, flags, window, payload_len, has_ts, tsval}
    localparam int SEGW = 32 + 32 + 8 + 16 + 16 + 1 + 32;
    logic [SEGW-1:0] r_seg;
    pipe_delay #(.W(SEGW), .DEPTH(LOOKUP_LAT)) u_seg_delay (
        .clk, .d({d_seq, d_ack, d_flags, d_window, d_payload_len, d_has_ts, d_tsval}), .q(r_seg));

    // Two buffers, so that a slow-path flood never takes the fast path's room nor the
    // reverse: slow-path frames wait in rx_frame_store, an installed session's payload in
    // rx_payload_store. A segment of an installed session needs the queue to
    // tcp_rx_session (which may refuse it, at 512 bits) and, if it carries payload, its
    // place in the payload store; without them it is dropped before tcp_rx sees it.
    logic stored;                                   // the frame being decided is in the buffer
    logic pay_room;                                 // ... in the payload store
    logic [4:0] reason;
    logic seg_q_full;                               // the queue to tcp_rx_session
    wire logic [15:0] r_payload_len = r_seg[SEGW-89 -: 16];
    always_comb begin
        reason = r_reason;
        if (reason == ftoe_pkg::RX_TCP && !lk_hit) reason = ftoe_pkg::RX_SLOW_NO_SESSION;
        if (reason == ftoe_pkg::RX_TCP ? seg_q_full || (r_payload_len != 16'd0 && !pay_room)
                                       : !stored && reason < 5'd16)
            reason = ftoe_pkg::RX_DROP_NO_BUFFER;
    end
    wire logic to_host = reason != ftoe_pkg::RX_TCP && reason < 5'd16;

    // ---- Receive buffer and slow-path events ---------------------------------------------------
    logic        sp_evt_valid, sp_evt_ready, sp_pay_valid, sp_pay_ready, sp_pay_last;
    logic [15:0] sp_evt_len, sp_evt_arg;
    logic [7:0]  sp_pay_data;
    rx_frame_store #(.DATA_W(DATA_W), .BUF_BYTES(RX_BUF_BYTES)) u_store (
        .clk, .rst,
        .s_axis_tdata(rx_tdata), .s_axis_tvalid(rx_tvalid),
        .s_axis_tlast(rx_tlast), .m_dec_stored(stored),
        .s_dec_valid(lk_valid), .s_dec_keep(to_host), .s_dec_len(r_frame_len),
        .s_dec_arg(16'(reason)),
        .m_evt_valid(sp_evt_valid), .m_evt_ready(sp_evt_ready), .m_evt_len(sp_evt_len),
        .m_evt_arg(sp_evt_arg),
        .m_pay_tdata(sp_pay_data), .m_pay_tvalid(sp_pay_valid), .m_pay_tready(sp_pay_ready),
        .m_pay_tlast(sp_pay_last)
    );

    // ---- Installed sessions: the segment decision -------------------------------------------
    // A 32-deep queue absorbs segments that wait for their session's previous one.
    localparam int SQ = 32;
    logic [SID_W+SEGW-1:0] seg_q [SQ];
    logic [5:0] seg_wr_q, seg_rd_q;
    always_comb seg_q_full = (seg_wr_q - seg_rd_q) == 6'(SQ);
    wire logic seg_push = lk_valid && reason == ftoe_pkg::RX_TCP;
    logic [SID_W+SEGW-1:0] seg_head;
    always_comb seg_head = seg_q[seg_rd_q[4:0]];
    always_ff @(posedge clk) begin
        if (seg_push) seg_q[seg_wr_q[4:0]] <= {lk_sid, r_seg};
    end
    logic seg_ready;
    wire logic seg_valid = seg_wr_q != seg_rd_q;
    always_ff @(posedge clk) begin
        if (rst) begin
            seg_wr_q <= '0;
            seg_rd_q <= '0;
        end else begin
            if (seg_push) seg_wr_q <= seg_wr_q + 6'd1;
            if (seg_valid && seg_ready) seg_rd_q <= seg_rd_q + 6'd1;
        end
    end
    wire logic [31:0] h_seq   = seg_head[SEGW-1 -: 32];
    wire logic [31:0] h_ack   = seg_head[SEGW-33 -: 32];
    wire logic [7:0]  h_flags = seg_head[SEGW-65 -: 8];
    wire logic [15:0] h_win   = seg_head[SEGW-73 -: 16];
    wire logic [15:0] h_len   = seg_head[SEGW-89 -: 16];
    wire logic        h_ts    = seg_head[32];
    wire logic [31:0] h_tsval = seg_head[31:0];

    // INSTALL payload bytes 12.. hold the session's state (ftoe_pkg "Payloads"), its
    // 32-bit fields read with `FTOE_BE32.
    wire logic [7:0] ib_wscale = install_bytes[8*44 +: 8];
    wire logic [7:0] ib_flags  = install_bytes[8*45 +: 8];
    wire logic unused_ib = ^{ib_wscale[7:4], ib_flags[7:2], install_bytes[8*12-1:0]};

    // Host-terminated sessions (INSTALL flag): the host is the app. Their payload goes to
    // the host link as RX_DATA, their app data comes from APP_DATA, and the peer's
    // acknowledgements go back as ACKED(data). One bit per session, read a cycle after
    // a decision (receive side) and after a tcp_tx outcome (transmit side).
    logic host_mem [SESSIONS];
    always_ff @(posedge clk) begin
        if (tcb_valid && tcb_ready) host_mem[ct_cmd_sid] <= ib_flags[1];
    end

    // Installed sessions (control state, reset): set by INSTALL, cleared when REMOVE or
    // ABORT has taken the session out of the table. The transmit side drops the events of a
    // session that is not installed (a timer left armed, a segment in flight, app data
    // still arriving), so a removed session sends nothing more.
    logic [SESSIONS-1:0] alive_q;
    always_ff @(posedge clk) begin
        /* verilator lint_off WIDTHCONCAT */  // one bit per session: 65536 at the largest SESSIONS
        if (rst) alive_q <= '0;
        /* verilator lint_on WIDTHCONCAT */
        else if (tcb_valid && tcb_ready) alive_q[ct_cmd_sid] <= 1'b1;
        else if (ct_res_valid && 16'(ct_res_code) == ftoe_pkg::HL_RES_REMOVED)
            alive_q[ct_cmd_sid] <= 1'b0;             // (cmd_exec holds the session until then)
    end

    logic              o_valid, o_deliver, o_ack_now, o_ack_due, o_challenge, o_rst, o_syn;
    logic              o_fin, o_paws, o_oow, o_dup, o_wnd_upd;
    logic [SID_W-1:0]  o_sid;
    logic [1:0]        o_tag;                       // {had payload, had ACK flag}
    logic [31:0]       o_rcv_nxt, o_rcv_wnd, o_snd_una, o_snd_wnd, o_acked, o_snd_nxt;
    logic [31:0]       o_ts_recent, o_delivered, o_credited;
    logic              o_ts_en;
    logic [15:0]       o_deliver_offset, o_deliver_len;
    // A segment enters tcp_rx only when the queue of ACK events to the transmit side has
    // room for it and for those already in tcp_rx (4), so no ACK event is ever lost.
    logic ake_room, rxe_room;
    logic rx_seg_ready;
    assign seg_ready = rx_seg_ready && ake_room && rxe_room;
    logic        sm_valid;                          // the transmit side's SND.MAX
    logic [SID_W-1:0] sm_sid;
    logic [31:0] sm_value;
    logic        rx_wr_ready;
    logic        cs_valid;                          // the app took a segment's bytes
    logic [SID_W-1:0] cs_sid;
    logic [31:0] cs_count;
    logic        tx_install_ready;                  // tcp_tx_session takes the install
    tcp_rx_session #(.SESSIONS(SESSIONS), .TAG_W(2)) u_tcp_rx (
        .clk, .rst,
        .s_seg_valid(seg_valid && ake_room && rxe_room), .s_seg_ready(rx_seg_ready),
        .s_seg_sid(seg_head[SID_W+SEGW-1 -: SID_W]), .s_seg_tag({h_len != 16'd0, h_flags[4]}),
        .s_seq(h_seq), .s_ack(h_ack), .s_flags(h_flags), .s_window(h_win),
        .s_payload_len(h_len), .s_has_ts(h_ts), .s_tsval(h_tsval),
        .s_wr_valid(tcb_valid && tx_install_ready), .s_wr_ready(rx_wr_ready),
        .s_wr_sid(ct_cmd_sid),
        .s_wr_rcv_nxt(`FTOE_BE32(install_bytes, 12)),
        .s_wr_rcv_wnd(`FTOE_BE32(install_bytes, 16)),
        .s_wr_snd_una(`FTOE_BE32(install_bytes, 20)),
        .s_wr_snd_nxt(`FTOE_BE32(install_bytes, 24)),
        .s_wr_snd_wnd(`FTOE_BE32(install_bytes, 28)),
        .s_wr_max_snd_wnd(`FTOE_BE32(install_bytes, 32)),
        .s_wr_snd_wl1(`FTOE_BE32(install_bytes, 36)),
        .s_wr_snd_wl2(`FTOE_BE32(install_bytes, 40)),
        .s_wr_snd_wscale(ib_wscale[3:0]), .s_wr_ts_enabled(ib_flags[0]),
        .s_wr_ts_recent(`FTOE_BE32(install_bytes, 46)),
        .s_consumed_valid(cs_valid), .s_consumed_sid(cs_sid), .s_consumed_count(cs_count),
        .s_snd_max_valid(sm_valid), .s_snd_max_sid(sm_sid), .s_snd_max(sm_value),
        .m_valid(o_valid), .m_sid(o_sid), .m_tag(o_tag),
        .m_rcv_nxt(o_rcv_nxt), .m_rcv_wnd(o_rcv_wnd), .m_snd_una(o_snd_una),
        .m_snd_wnd(o_snd_wnd), .m_snd_nxt(o_snd_nxt), .m_ts_enabled(o_ts_en),
        .m_ts_recent(o_ts_recent), .m_delivered_total(o_delivered), .m_credited(o_credited),
        .m_deliver(o_deliver), .m_deliver_offset(o_deliver_offset),
        .m_deliver_len(o_deliver_len), .m_ack_now(o_ack_now), .m_ack_due(o_ack_due),
        .m_challenge_ack(o_challenge), .m_rst_event(o_rst), .m_syn_event(o_syn),
        .m_fin_event(o_fin), .m_paws_drop(o_paws), .m_out_of_window(o_oow),
        .m_acked(o_acked), .m_dup_ack(o_dup), .m_window_updated(o_wnd_upd)
    );
    // SND.UNA (tcp_rx's copy), the TX buffer release and the peer's window go to
    // tcp_tx_session as ACK events (acked bytes, the new SND.WND).
    wire logic unused_decision = ^o_snd_una;

    // ---- Installed sessions: in-order payload to the app or the host ---------------------------
    // Each payload-bearing segment that reached tcp_rx keeps its frame in the payload store
    // until decided (o_tag[1]: it had payload); the in-order part streams to the app, or
    // for a host-terminated session into an RX_DATA event (the packet's own queue entry
    // below says which, and how long it is).
    logic [DATA_W-1:0]   ps_tdata;
    logic [DATA_W/8-1:0] ps_tkeep;
    logic                ps_tvalid, ps_tready, ps_tlast;
    logic [SID_W-1:0]    ps_tdest;
    rx_payload_store #(.DATA_W(DATA_W), .BUF_BYTES(RX_PAYLOAD_BYTES), .SID_W(SID_W))
    u_payload (
        .clk, .rst,
        .s_axis_tdata(rx_tdata), .s_axis_tvalid(rx_tvalid),
        .s_axis_tlast(rx_tlast),
        .m_cls_room(pay_room), .s_cls_valid(lk_valid),
        .s_cls_keep(reason == ftoe_pkg::RX_TCP && r_payload_len != 16'd0),
        .s_cls_off(r_payload_off),
        .s_dec_valid(o_valid && o_tag[1]), .s_dec_deliver(o_deliver), .s_dec_sid(o_sid),
        .s_dec_off(o_deliver_offset), .s_dec_len(o_deliver_len),
        .m_axis_tdata(ps_tdata), .m_axis_tkeep(ps_tkeep), .m_axis_tvalid(ps_tvalid),
        .m_axis_tready(ps_tready), .m_axis_tlast(ps_tlast), .m_axis_tdest(ps_tdest)
    );

    // For each payload packet the store will emit (in decision order): {session, its
    // count of bytes delivered up to the packet's end, the packet's length, host-
    // terminated}, queued a cycle after the decision (the host bit's read; the store's
    // first beat comes later). RCV.WND reopens as the consumer takes the data: when the
    // packet's last beat is taken, tcp_rx_session learns that count is consumed. The
    // store holds at most 2^7 packets, so 128 entries always suffice.
    localparam int PQ = 128;
    localparam int PEW = SID_W + 32 + 16 + 1;
    logic [PEW-1:0] pe_q [PQ];
    logic [7:0] pe_wr_q, pe_rd_q;
    logic           pe_push_q, pe_host_q;
    logic [PEW-2:0] pe_in_q;
    always_ff @(posedge clk) begin
        pe_host_q <= host_mem[o_sid];
        pe_in_q   <= {o_sid, o_delivered, o_deliver_len};
        if (rst) pe_push_q <= 1'b0;
        else     pe_push_q <= o_valid && o_tag[1] && o_deliver && o_deliver_len != 16'd0;
        if (pe_push_q) pe_q[pe_wr_q[6:0]] <= {pe_in_q, pe_host_q};
    end
    logic [PEW-1:0] pe_head;
    always_comb pe_head = pe_q[pe_rd_q[6:0]];
    wire logic        pe_avail  = pe_wr_q != pe_rd_q;
    wire logic        head_host = pe_avail && pe_head[0];
    wire logic [15:0] head_len  = pe_head[16:1];
    wire logic pe_pop = ps_tvalid && ps_tready && ps_tlast;
    assign cs_valid = pe_pop;
    assign cs_sid   = pe_head[PEW-1 -: SID_W];
    assign cs_count = pe_head[PEW-SID_W-1 -: 32];
    always_ff @(posedge clk) begin
        if (rst) begin
            pe_wr_q <= '0;
            pe_rd_q <= '0;
        end else begin
            if (pe_push_q) pe_wr_q <= pe_wr_q + 8'd1;
            if (pe_pop) pe_rd_q <= pe_rd_q + 8'd1;
        end
    end

    // The store's stream: an app session's packet to the app RX stream; a host session's
    // after its RX_DATA header has gone to the host link (rxd_hdr_q), into bytes.
    logic rxd_hdr_q;                                // this packet's RX_DATA header is out
    logic up_tready;
    assign m_app_rx_tdata  = ps_tdata;
    assign m_app_rx_tkeep  = ps_tkeep;
    assign m_app_rx_tlast  = ps_tlast;
    assign m_app_rx_tdest  = ps_tdest;
    assign m_app_rx_tvalid = ps_tvalid && !head_host;
    assign ps_tready = head_host ? rxd_hdr_q && up_tready : m_app_rx_tready;
    logic [7:0] rxd_tdata;
    logic       rxd_tvalid, rxd_tready, rxd_tlast;
    axis_unpack #(.DATA_W(DATA_W)) u_rx_unpack (
        .clk, .rst,
        .s_axis_tdata(ps_tdata), .s_axis_tkeep(ps_tkeep),
        .s_axis_tvalid(ps_tvalid && head_host && rxd_hdr_q), .s_axis_tready(up_tready),
        .s_axis_tlast(ps_tlast),
        .m_axis_tdata(rxd_tdata), .m_axis_tvalid(rxd_tvalid), .m_axis_tready(rxd_tready),
        .m_axis_tlast(rxd_tlast)
    );
    wire logic rxd_evt_valid = ps_tvalid && head_host && !rxd_hdr_q;

    // One outcome per segment, the first that applies (ftoe_pkg SEG_*).
    logic [3:0] outcome;
    always_comb begin
        if (o_paws)                      outcome = ftoe_pkg::SEG_PAWS;
        else if (o_oow)                  outcome = ftoe_pkg::SEG_OUT_OF_WINDOW;
        else if (o_rst)                  outcome = ftoe_pkg::SEG_RST;
        else if (o_syn)                  outcome = ftoe_pkg::SEG_SYN;
        else if (o_challenge)            outcome = ftoe_pkg::SEG_CHALLENGE;
        else if (o_fin)                  outcome = ftoe_pkg::SEG_FIN;
        else if (o_deliver)              outcome = ftoe_pkg::SEG_DATA;
        else if (!o_tag[0])              outcome = ftoe_pkg::SEG_NO_ACK;
        else if (o_tag[1])               outcome = ftoe_pkg::SEG_OUT_OF_ORDER;
        else if (o_dup)                  outcome = ftoe_pkg::SEG_DUP_ACK;
        else                             outcome = ftoe_pkg::SEG_ACK;
    end

    // Session events for the host: a small queue; overflow is counted.
    localparam int VQ = 16;
    localparam logic [2:0] SEV_FIN = 3'd0, SEV_RST = 3'd1, SEV_SYN = 3'd2, SEV_ACKED = 3'd3,
                           SEV_TIMEOUT = 3'd4;
    logic [SID_W+2:0] sev_q [VQ];           // {sid, SEV_*}
    logic [4:0] sev_wr_q, sev_rd_q;
    wire logic sev_full = (sev_wr_q - sev_rd_q) == 5'(VQ);
    // The transmit side's events (ACKED(FIN), TIMEOUT) wait in a small queue and go into
    // the session event queue in cycles tcp_rx has nothing for it.
    logic fin_acked, gave_up;
    localparam int FQ = 8;
    logic [SID_W:0] fa_q [FQ];              // {sid, 1 TIMEOUT / 0 ACKED}
    logic [3:0] fa_wr_q, fa_rd_q;
    wire logic fa_full  = (fa_wr_q - fa_rd_q) == 4'(FQ);
    wire logic fa_avail = fa_wr_q != fa_rd_q;
    logic [SID_W:0] fa_head;
    always_comb fa_head = fa_q[fa_rd_q[2:0]];
    wire logic rx_sev  = o_valid && (o_fin || o_rst || o_syn);
    wire logic fa_move = !rx_sev && fa_avail && !sev_full;
    wire logic sev_push = rx_sev || fa_move;
    logic [SID_W+2:0] sev_head;
    always_comb sev_head = sev_q[sev_rd_q[3:0]];
    // A host-terminated session's segment event leaves only after the payload of every
    // segment decided up to it (its own included) has left the payload store, so the host
    // sees the session's RX_DATA before its PEER_FIN / PEER_RST. An entry keeps the
    // payload-queue position it waits for (sev_bar_q) and a sticky bit set once the
    // queue's read side has reached it; the read side moves by one at most, so an
    // equality test never misses it. App sessions' events (whose payload waits for the
    // app, which may hold it as long as it likes) and transmit-side events wait for
    // nothing: the entry is released the cycle after its push, when the session's host
    // bit has been read (pe_host_q).
    logic [7:0] sev_bar_q [VQ];
    logic [VQ-1:0] sev_pass_q;
    wire logic [7:0] pe_rd_next = pe_rd_q + {7'd0, pe_pop};
    wire logic [7:0] sev_bar_in = pe_wr_q + {7'd0, pe_push_q} +
                                  {7'd0, o_tag[1] && o_deliver && o_deliver_len != 16'd0};
    wire logic sev_valid = sev_wr_q != sev_rd_q && sev_pass_q[sev_rd_q[3:0]];
    logic sev_ready;
    always_ff @(posedge clk) begin
        if (sev_push && !sev_full) begin
            sev_q[sev_wr_q[3:0]] <= rx_sev ? {o_sid, o_rst ? SEV_RST : o_syn ? SEV_SYN : SEV_FIN}
                                           : {fa_head[SID_W:1], fa_head[0] ? SEV_TIMEOUT : SEV_ACKED};
            sev_bar_q[sev_wr_q[3:0]] <= sev_bar_in;
        end
    end
    logic       sev_rx_pushed_q;                // last cycle pushed a segment's event ...
    logic [3:0] sev_rx_idx_q;                   // ... at this index
    always_ff @(posedge clk) begin
        sev_rx_pushed_q <= sev_push && !sev_full && rx_sev;
        sev_rx_idx_q    <= sev_wr_q[3:0];
        for (int i = 0; i < VQ; i++)
            if (sev_bar_q[i] == pe_rd_next) sev_pass_q[i] <= 1'b1;
        if (sev_rx_pushed_q && !pe_host_q) sev_pass_q[sev_rx_idx_q] <= 1'b1;
        if (sev_push && !sev_full)
            sev_pass_q[sev_wr_q[3:0]] <= !rx_sev || sev_bar_in == pe_rd_next;
    end
    always_ff @(posedge clk) begin
        if (rst) begin
            sev_wr_q <= '0;
            sev_rd_q <= '0;
        end else begin
            if (sev_push && !sev_full) sev_wr_q <= sev_wr_q + 5'd1;
            if (sev_valid && sev_ready) sev_rd_q <= sev_rd_q + 5'd1;
        end
    end
    wire logic [7:0] sev_kind = sev_head[2:0] == SEV_RST     ? ftoe_pkg::HL_EVT_PEER_RST :
                                sev_head[2:0] == SEV_SYN     ? ftoe_pkg::HL_EVT_PEER_SYN :
                                sev_head[2:0] == SEV_ACKED   ? ftoe_pkg::HL_EVT_ACKED :
                                sev_head[2:0] == SEV_TIMEOUT ? ftoe_pkg::HL_EVT_TIMEOUT
                                                             : ftoe_pkg::HL_EVT_PEER_FIN;

    // ---- ACKs ------------------------------------------------------------------------------
    // Immediate, duplicate (out of order, out of window, PAWS) and challenge ACKs go at
    // once, with the decision's fields: <SEQ=SND.NXT><ACK=RCV.NXT><WND=RCV.WND >> our
    // shift>, with TSval/TSecr when the session uses timestamps. A request finding the
    // queue full is counted (the next ACK is cumulative, so nothing is lost but an ACK).
    // The ACKs RFC 9293 lets a receiver delay (in-order data: ack_due alone) go at once
    // too unless delayed ACKs are on; then each becomes a data-received event for
    // tcp_tx_session, whose policy (every second full-size segment, else the delayed-ACK
    // timer) says when one is owed. Owed ACKs wait by session in dak_q and take their
    // fields from the session's newest receive state when they go; each one sent is
    // reported back (a zero-length segment-sent event) so the policy restarts.
    localparam int AQ = 16;
    localparam int AQW = SID_W + 32 + 32 + 32 + 1 + 32;   // {sid, seq, ack, wnd, ts on, TSecr}
    logic [AQW-1:0] ack_q [AQ];
    logic [4:0] ack_wr_q, ack_rd_q;
    wire logic ack_full  = (ack_wr_q - ack_rd_q) == 5'(AQ);
    wire logic ack_delayable = o_ack_due && !o_ack_now && !o_challenge;
    wire logic ack_req   = o_valid && (o_ack_now || o_challenge ||
                                       (ack_delayable && !cfg_delack_enable));
    wire logic ack_push  = ack_req && !ack_full;
    wire logic ack_avail = ack_wr_q != ack_rd_q;
    always_ff @(posedge clk) begin
        if (ack_push)
            ack_q[ack_wr_q[3:0]] <= {o_sid, o_snd_nxt, o_rcv_nxt, o_rcv_wnd, o_ts_en, o_ts_recent};
    end
    logic [AQW-1:0] ack_head;
    always_comb ack_head = ack_q[ack_rd_q[3:0]];

    // TCP timestamp clock: milliseconds of the time base
    logic [$clog2(TS_TICKS_PER_MS + 1)-1:0] ts_div_q;
    logic [31:0] ts_clock_q;
    always_ff @(posedge clk) begin
        if (rst) begin
            ts_div_q   <= '0;
            ts_clock_q <= '0;
        end else if (tick) begin
            if (32'(ts_div_q) == TS_TICKS_PER_MS - 1) begin
                ts_div_q   <= '0;
                ts_clock_q <= ts_clock_q + 32'd1;
            end else begin
                ts_div_q <= ts_div_q + 1'b1;
            end
        end
    end

    // Per-session header fields, written by INSTALL: {peer MAC, remote IP, local IP,
    // remote port, local port, our window shift, TSval offset}. The offset makes the
    // engine's TSvals continue the host's clock: TSval = ts clock + (host's TSval at
    // install - ts clock at install).
    localparam int HW = 48 + 32 + 32 + 16 + 16 + 4 + 32;
    logic [HW-1:0] tx_hdr [SESSIONS];
    wire logic [7:0] ib_rcv_wscale = install_bytes[8*56 +: 8];
    wire logic unused_ib_tx = ^ib_rcv_wscale[7:4];
    always_ff @(posedge clk) begin
        if (tcb_valid && tcb_ready)
            tx_hdr[ct_cmd_sid] <= {install_bytes[8*50 +: 8], install_bytes[8*51 +: 8],
                                   install_bytes[8*52 +: 8], install_bytes[8*53 +: 8],
                                   install_bytes[8*54 +: 8], install_bytes[8*55 +: 8],
                                   `FTOE_BE32(install_bytes, 0),
                                   `FTOE_BE32(install_bytes, 4), install_bytes[8*8 +: 8],
                                   install_bytes[8*9 +: 8], install_bytes[8*10 +: 8],
                                   install_bytes[8*11 +: 8], ib_rcv_wscale[3:0],
                                   `FTOE_BE32(install_bytes, 57) - ts_clock_q};
    end

    // Owed ACKs (delayed-ACK policy): {sid, SND.UNA then}, pushed by tcp_tx_session's
    // outcomes; events that can produce one enter tcp_tx only while there is room for
    // them and the 4 in flight, so none is lost. Their segment-sent reports queue in asn_q.
    localparam int DQ = 16;
    localparam int DQW = SID_W + 32 + 2;            // {sid, SND.UNA, kind}
    localparam logic [1:0] DK_OWED = 2'd0,          // the delayed-ACK policy's (reported back)
                           DK_RST = 2'd1,           // ABORT's RST
                           DK_WINDOW = 2'd2;        // a window update
    logic [DQW-1:0] dak_q [DQ];
    logic [4:0] dak_wr_q, dak_rd_q;
    wire logic [4:0] dak_count = dak_wr_q - dak_rd_q;
    wire logic dak_room  = dak_count <= 5'(DQ - 5);
    wire logic dak_avail = dak_wr_q != dak_rd_q;
    logic dak_push;                                 // an ACK owed (tcp_tx's outcome)
    logic [DQW-1:0] dak_in, dak_head;
    always_comb dak_head = dak_q[dak_rd_q[3:0]];
    // ABORT's RST joins the same queue (its fields are the session's newest state too),
    // in a cycle without an owed ACK and leaving room for the 4 events in flight; for a
    // session not installed there is nothing to reset: done at once.
    wire logic rst_alive = alive_q[rst_req_sid];
    assign rst_req_ready = !rst_alive || (!dak_push && dak_count <= 5'(DQ - 6));
    wire logic rst_push  = rst_req_valid && rst_req_ready && rst_alive;
    logic rst_sent;
    assign rst_done = (rst_req_valid && rst_req_ready && !rst_alive) || rst_sent;
    // A window update (below) waits in one slot for a cycle with neither.
    logic             wu_pend_q;
    logic [SID_W-1:0] wu_pend_sid_q;
    wire logic wu_push = wu_pend_q && !dak_push && !rst_push && dak_count <= 5'(DQ - 6);
    always_ff @(posedge clk) begin
        if (dak_push) dak_q[dak_wr_q[3:0]] <= dak_in;
        else if (rst_push) dak_q[dak_wr_q[3:0]] <= {rst_req_sid, 32'd0, DK_RST};
        else if (wu_push) dak_q[dak_wr_q[3:0]] <= {wu_pend_sid_q, 32'd0, DK_WINDOW};
    end
    localparam int NA = 4;
    localparam int NAW = SID_W + 32 + 32;           // {sid, SND.UNA, advertised window}
    logic [NAW-1:0] asn_q [NA];
    logic [2:0] asn_wr_q, asn_rd_q;
    wire logic asn_avail = asn_wr_q != asn_rd_q;
    logic [NAW-1:0] asn_head;
    always_comb asn_head = asn_q[asn_rd_q[1:0]];

    // The newest receive state per session ({RCV.NXT, RCV.WND, timestamps on, TS.Recent},
    // from tcp_rx's decisions or the install) and SND.MAX (from tcp_tx's outcomes): the
    // fields of owed ACKs and data segments, and REMOVED's snapshot (written below).
    localparam int RSW = 32 + 32 + 1 + 32;
    logic [RSW-1:0] rcv_shadow [SESSIONS];
    logic [31:0]    snd_max_shadow [SESSIONS];
    // The window the engine advertises is the newest decision's RCV.WND plus what the
    // consumer has taken since (the consumer's count, less the count that decision
    // credited), so owed ACKs and data segments sent later advertise the space the
    // consumer has freed by then. adv_re: the right edge each session last advertised.
    logic [31:0] cons_tab [SESSIONS];               // the consumer's count
    logic [31:0] cred_shadow [SESSIONS];            // the newest decision's credited count
    logic [31:0] adv_re [SESSIONS];
    function automatic logic [31:0] wnd_now(input logic [31:0] wnd, input logic [31:0] credited,
                                            input logic [31:0] consumed);
        wnd_now = wnd + (consumed - credited);
    endfunction

    // Descriptor stage: an immediate ACK (the queue head), else an owed one (its session's
    // newest state), and the session's header (BRAM reads, 1 cycle).
    logic           ad_valid_q, ad_owed_q, ad_rst_q;
    logic [SID_W-1:0] ad_sid_q;
    logic [AQW-1:0] ad_req_q;
    logic [HW-1:0]  ad_hdr_q;
    logic [RSW-1:0] ad_rcv_q;
    logic [31:0]    ad_snd_max_q, ad_una_q, ad_cred_q, ad_cons_q;
    logic [1:0]     ad_kind_q;
    logic           ad_ready;
    wire logic ad_report = ad_owed_q && ad_kind_q == DK_OWED;
    wire logic [2:0] asn_used = (asn_wr_q - asn_rd_q) + 3'(ad_valid_q && ad_report);
    wire logic take_owed = !ack_avail && dak_avail && asn_used < 3'(NA);
    wire logic [SID_W-1:0] ad_sid_in = take_owed ? dak_head[DQW-1 -: SID_W]
                                                 : ack_head[AQW-1 -: SID_W];
    wire logic ad_advance = !ad_valid_q || ad_ready;
    always_ff @(posedge clk) begin
        if (ad_advance && (ack_avail || take_owed)) begin  // (the tables read only for one)
            ad_owed_q    <= take_owed;
            ad_rst_q     <= take_owed && dak_head[1:0] == DK_RST;
            ad_kind_q    <= dak_head[1:0];
            ad_sid_q     <= ad_sid_in;
            ad_req_q     <= ack_head;
            ad_una_q     <= dak_head[33:2];
            ad_cred_q    <= cred_shadow[ad_sid_in];
            ad_cons_q    <= cons_tab[ad_sid_in];
            ad_hdr_q     <= tx_hdr[ad_sid_in];
            ad_rcv_q     <= rcv_shadow[ad_sid_in];
            ad_snd_max_q <= snd_max_shadow[ad_sid_in];
        end
    end
    always_ff @(posedge clk) begin
        if (rst) begin
            ack_wr_q   <= '0;
            ack_rd_q   <= '0;
            dak_wr_q   <= '0;
            dak_rd_q   <= '0;
            ad_valid_q <= 1'b0;
        end else begin
            if (ack_push) ack_wr_q <= ack_wr_q + 5'd1;
            if (dak_push || rst_push || wu_push) dak_wr_q <= dak_wr_q + 5'd1;
            if (ad_advance) begin
                ad_valid_q <= ack_avail || take_owed;
                if (ack_avail) ack_rd_q <= ack_rd_q + 5'd1;
                if (take_owed) dak_rd_q <= dak_rd_q + 5'd1;
            end
        end
    end
    // the descriptor's fields
    wire logic [31:0] ad_seq    = ad_owed_q ? ad_snd_max_q : ad_req_q[AQW-SID_W-1 -: 32];
    wire logic [31:0] ad_ack    = ad_owed_q ? ad_rcv_q[RSW-1 -: 32] : ad_req_q[AQW-SID_W-33 -: 32];
    wire logic [31:0] ad_wnd    = ad_owed_q ? wnd_now(ad_rcv_q[RSW-33 -: 32], ad_cred_q, ad_cons_q)
                                            : ad_req_q[64:33];
    wire logic        ad_ts_en  = ad_owed_q ? ad_rcv_q[32] : ad_req_q[32];
    wire logic [31:0] ad_tsecr  = ad_owed_q ? ad_rcv_q[31:0] : ad_req_q[31:0];
    // an owed ACK that left is reported to tcp_tx_session; an RST to cmd_exec
    wire logic asn_push = ad_valid_q && ad_ready && ad_report;
    assign rst_sent = ad_valid_q && ad_ready && ad_rst_q;
    always_ff @(posedge clk) begin
        if (asn_push) asn_q[asn_wr_q[1:0]] <= {ad_sid_q, ad_una_q, ad_wnd};
    end
    wire logic [47:0] ad_mac    = ad_hdr_q[HW-1 -: 48];
    wire logic [31:0] ad_rip    = ad_hdr_q[HW-49 -: 32];
    wire logic [31:0] ad_lip    = ad_hdr_q[HW-81 -: 32];
    wire logic [15:0] ad_rport  = ad_hdr_q[HW-113 -: 16];
    wire logic [15:0] ad_lport  = ad_hdr_q[HW-129 -: 16];
    wire logic [3:0]  ad_wshift = ad_hdr_q[35:32];
    wire logic [31:0] ad_ts_off = ad_hdr_q[31:0];
    // the advertised window: RCV.WND >> our shift, saturated to the 16-bit field (ACKs and
    // data segments alike)
    function automatic logic [15:0] window_field(input logic [31:0] wnd, input logic [3:0] shift);
        logic [31:0] scaled;
        scaled = wnd >> shift;
        window_field = scaled[31:16] != 16'd0 ? 16'hFFFF : scaled[15:0];
    endfunction
    wire logic [15:0] ad_window = window_field(ad_wnd, ad_wshift);

    logic [63:0] acks_sent_q, acks_lost_q, rsts_sent_q;
    always_ff @(posedge clk) begin
        if (rst) begin
            acks_sent_q <= '0;
            acks_lost_q <= '0;
            rsts_sent_q <= '0;
        end else begin
            if (ad_valid_q && ad_ready && !ad_rst_q) acks_sent_q <= acks_sent_q + 64'd1;
            if (rst_sent) rsts_sent_q <= rsts_sent_q + 64'd1;
            if (ack_req && ack_full) acks_lost_q <= acks_lost_q + 64'd1;
        end
    end

    // ---- Transmit: app data into the TX buffer, tcp_tx_session, data segments --------------
    // Every change to a session's transmit state is an event into tcp_tx_session (one per
    // cycle, fixed priority): install, segment sent, ACK (from tcp_rx), FIN request, app
    // data queued (from tx_buf_wr), and "kick" (re-read the send decision of a session
    // waiting in the active list). A send decision never goes straight to the payload
    // reader: the session joins the active list (a FIFO of session ids, each at most
    // once, so it cannot overflow), and when popped its decision is re-read by a kick and
    // taken if the reader is free, so the segment always comes from the newest state.
    // A session is busy from that moment until its segment's kSent event has been
    // applied; its other decisions in that time are ignored (kSent's own decision
    // re-proposes). tcp_tx_session's outcome also feeds SND.MAX to tcp_rx and SND.UNA to
    // tx_buf_wr (ring space).
    localparam int TXS_W = 549;
    localparam logic [3:0] EV_INIT = 4'd0, EV_ACK = 4'd1, EV_RTO = 4'd2, EV_PERSIST = 4'd3,
                           EV_SENT = 4'd4, EV_QUEUED = 4'd5, EV_FIN = 4'd6, EV_RX = 4'd7,
                           EV_DELACK = 4'd8, EV_KICK = 4'd10;
    localparam logic [2:0] TAG_OTHER = 3'd0, TAG_SENT = 3'd1, TAG_KICK = 3'd2,
                           TAG_ACKED = 3'd3,       // an ACK event that moved SND.UNA
                           TAG_INIT = 3'd4,        // the install
                           TAG_RTO = 3'd5,         // an RTO expiry
                           TAG_RXACK = 3'd6;       // data received / delayed-ACK expiry

    // The transmit timers (retransmit, persist, delayed ACK) on a timer wheel, commanded by
    // tcp_tx_session's outcomes; their expiries are events. Its tick count is the
    // transmit side's clock (RTT samples, deadlines).
    logic             tm_ready, tm_pending, tm_idle, tm_settled, tm_tick_lost;
    logic [31:0]      tm_now, tm_stale;
    logic             tm_exp_valid, tm_exp_ready;
    logic [SID_W-1:0] tm_exp_sid;
    logic [1:0]       tm_exp_kind;
    logic [SID_W+2:0] tm_armed;

    // ACK events from tcp_rx: every decision with the ACK flag that moved SND.UNA, was a
    // duplicate ACK or updated the window. ake_room holds tcp_rx back before this fills.
    localparam int KQ = 16;
    localparam int KQW = SID_W + 32 + 32 + 1;       // {sid, acked, SND.WND, dup}
    logic [KQW-1:0] ake_q [KQ];
    logic [4:0] ake_wr_q, ake_rd_q;
    wire logic [4:0] ake_count = ake_wr_q - ake_rd_q;
    assign ake_room = ake_count <= 5'(KQ - 6);
    wire logic ake_push = o_valid && o_tag[0] && (o_acked != 32'd0 || o_dup || o_wnd_upd);
    wire logic ake_avail = ake_wr_q != ake_rd_q;
    logic [KQW-1:0] ake_head;
    always_comb ake_head = ake_q[ake_rd_q[3:0]];
    always_ff @(posedge clk) begin
        if (ake_push) ake_q[ake_wr_q[3:0]] <= {o_sid, o_acked, o_snd_wnd, o_dup};
    end

    // Data-received events for the delayed-ACK policy (delayed ACKs on): {sid, bytes
    // delivered}. rxe_room holds tcp_rx back before this fills, as ake_room does.
    localparam int RQ = 16;
    logic [SID_W+15:0] rxe_q [RQ];
    logic [4:0] rxe_wr_q, rxe_rd_q;
    assign rxe_room = (rxe_wr_q - rxe_rd_q) <= 5'(RQ - 6);
    wire logic rxe_push  = o_valid && ack_delayable && cfg_delack_enable;
    wire logic rxe_avail = rxe_wr_q != rxe_rd_q;
    logic [SID_W+15:0] rxe_head;
    always_comb rxe_head = rxe_q[rxe_rd_q[3:0]];
    always_ff @(posedge clk) begin
        if (rxe_push) rxe_q[rxe_wr_q[3:0]] <= {o_sid, o_deliver ? o_deliver_len : 16'd0};
    end

    // kSent events from the segment path (it waits while this is full)
    localparam int NQ = 4;
    localparam int NQW = SID_W + 32 + 16 + 1 + 32;  // {sid, seq, len, fin, advertised wnd}
    logic [NQW-1:0] snt_q [NQ];
    logic [2:0] snt_wr_q, snt_rd_q;
    wire logic snt_full  = (snt_wr_q - snt_rd_q) == 3'(NQ);
    wire logic snt_avail = snt_wr_q != snt_rd_q;
    logic snt_push;
    logic [NQW-1:0] snt_in;
    logic [NQW-1:0] snt_head;
    always_comb snt_head = snt_q[snt_rd_q[1:0]];
    always_ff @(posedge clk) begin
        if (snt_push) snt_q[snt_wr_q[1:0]] <= snt_in;
    end

    // the active list: sessions with a send decision waiting for the payload reader
    logic [SID_W-1:0] act_q [SESSIONS];
    logic [SID_W:0]   act_wr_q, act_rd_q;
    wire logic act_avail = act_wr_q != act_rd_q;
    logic [SID_W-1:0] act_head;
    always_comb act_head = act_q[act_rd_q[SID_W-1:0]];
    logic act_push;
    logic [SID_W-1:0] act_push_sid;
    always_ff @(posedge clk) begin
        if (act_push) act_q[act_wr_q[SID_W-1:0]] <= act_push_sid;
    end

    // app data queued in the TX buffer
    logic             q_valid, q_ready;
    logic [SID_W-1:0] q_sid;
    logic [15:0]      q_len;
    logic             q_end, q_host;                // the chunk ends its packet; host data
    logic [7:0]       host_pkts_q;                  // host APP_DATA packets not yet queued

    // the event arbiter
    localparam logic [3:0] PICK_NONE = 4'd0, PICK_INIT = 4'd1, PICK_SENT = 4'd2,
                           PICK_ACK = 4'd3, PICK_FIN = 4'd4, PICK_QUEUED = 4'd5,
                           PICK_KICK = 4'd6, PICK_TIMER = 4'd7, PICK_ACK_SENT = 4'd8,
                           PICK_RX = 4'd9;
    wire logic [15:0] ib_mss = {install_bytes[8*61 +: 8], install_bytes[8*62 +: 8]};
    wire logic [15:0] init_mss = ib_mss > 16'(TX_MAX_SEG) ? 16'(TX_MAX_SEG) :
                                 ib_mss == 16'd0 ? 16'd536 : ib_mss;
    logic [3:0]       ev_pick;
    logic             ev_ready;
    logic [SID_W-1:0] ev_sid;
    logic [2:0]       ev_tag;
    logic [3:0]       ev_kind;
    logic [31:0]      ev_seq, ev_wnd, ev_acked;
    logic [15:0]      ev_len;
    logic             ev_fin, ev_dup;
    always_comb begin
        ev_pick = PICK_NONE;
        // (events that may owe an ACK wait for room in dak_q)
        if (tcb_valid && rx_wr_ready && tm_ready) ev_pick = PICK_INIT;
        else if (snt_avail)           ev_pick = PICK_SENT;
        else if (asn_avail)           ev_pick = PICK_ACK_SENT;
        else if (ake_avail)           ev_pick = PICK_ACK;
        else if (tm_exp_valid && dak_room) ev_pick = PICK_TIMER;
        else if (rxe_avail && dak_room) ev_pick = PICK_RX;
        else if (fin_cmd_valid && host_pkts_q == '0) ev_pick = PICK_FIN;
        else if (q_valid)             ev_pick = PICK_QUEUED;
        else if (act_avail)           ev_pick = PICK_KICK;
        ev_sid = '0; ev_tag = TAG_OTHER; ev_kind = EV_KICK; ev_seq = '0; ev_wnd = '0;
        ev_acked = '0; ev_len = '0; ev_fin = 1'b0; ev_dup = 1'b0;
        case (ev_pick)
            PICK_INIT: begin
                ev_sid = ct_cmd_sid; ev_tag = TAG_INIT; ev_kind = EV_INIT;
                ev_seq = `FTOE_BE32(install_bytes, 24);
                ev_len = init_mss; ev_wnd = `FTOE_BE32(install_bytes, 28);
            end
            PICK_SENT: begin
                ev_sid = snt_head[NQW-1 -: SID_W]; ev_tag = TAG_SENT; ev_kind = EV_SENT;
                ev_seq = snt_head[NQW-SID_W-1 -: 32]; ev_len = snt_head[48:33];
                ev_fin = snt_head[32]; ev_wnd = snt_head[31:0];
            end
            PICK_ACK: begin
                ev_sid = ake_head[KQW-1 -: SID_W]; ev_kind = EV_ACK;
                ev_tag = ake_head[64:33] != 32'd0 ? TAG_ACKED : TAG_OTHER;
                ev_acked = ake_head[64:33]; ev_wnd = ake_head[32:1]; ev_dup = ake_head[0];
            end
            PICK_ACK_SENT: begin                    // a pure ACK left: zero length at SND.UNA
                ev_sid = asn_head[NAW-1 -: SID_W]; ev_kind = EV_SENT;
                ev_seq = asn_head[63:32]; ev_wnd = asn_head[31:0];
            end
            PICK_RX: begin
                ev_sid = rxe_head[SID_W+15 -: SID_W]; ev_tag = TAG_RXACK; ev_kind = EV_RX;
                ev_len = rxe_head[15:0];
            end
            PICK_TIMER: begin
                ev_sid = tm_exp_sid;
                ev_tag = tm_exp_kind == 2'd0 ? TAG_RTO : tm_exp_kind == 2'd2 ? TAG_RXACK : TAG_OTHER;
                ev_kind = tm_exp_kind == 2'd0 ? EV_RTO : tm_exp_kind == 2'd1 ? EV_PERSIST : EV_DELACK;
            end
            PICK_FIN: begin
                ev_sid = fin_cmd_sid; ev_kind = EV_FIN;
            end
            PICK_QUEUED: begin
                ev_sid = q_sid; ev_kind = EV_QUEUED; ev_len = q_len;
            end
            PICK_KICK: begin
                ev_sid = act_head; ev_tag = TAG_KICK; ev_kind = EV_KICK;
            end
            default: ;
        endcase
    end
    wire logic ev_valid = ev_pick != PICK_NONE;
    // an event of a session that is not installed is taken and dropped
    wire logic ev_dead  = ev_pick != PICK_INIT && !alive_q[ev_sid];
    wire logic ev_take  = ev_dead || ev_ready;
    wire logic ev_hs = ev_valid && ev_take;
    assign tx_install_ready = ev_pick == PICK_INIT && ev_ready;
    assign tcb_ready = rx_wr_ready && tx_install_ready;
    assign fin_cmd_ready = ev_pick == PICK_FIN && ev_take;
    assign q_ready = ev_pick == PICK_QUEUED && ev_take;
    assign tm_exp_ready = ev_pick == PICK_TIMER && ev_take;

    logic             t_valid, t_send, t_fin, t_rtx;
    logic [SID_W-1:0] t_sid;
    logic [2:0]       t_tag;
    logic [TXS_W-1:0] t_state;
    logic [31:0]      t_seq;
    logic [15:0]      t_len;
    logic             t_ack_now, t_rto_arm, t_rto_stop, t_persist_arm, t_persist_stop;
    logic             t_delack_arm, t_delack_stop, t_give_up, txs_busy;
    logic [31:0]      t_rto_ticks, t_persist_ticks, t_delack_ticks;
    tcp_tx_session #(.SESSIONS(SESSIONS), .TAG_W(3)) u_tcp_tx (
        .clk, .rst,
        .cfg_rto_min, .cfg_rto_max, .cfg_rto_initial, .cfg_clock_g(32'd1), .cfg_max_retries,
        .cfg_delack_enable, .cfg_delack_ticks, .cfg_rcv_buf(32'd65535),
        .s_ev_valid(ev_valid && !ev_dead), .s_ev_ready(ev_ready), .s_ev_sid(ev_sid), .s_ev_tag(ev_tag),
        .s_ev_kind(ev_kind), .s_ev_now(tm_now), .s_ev_seq(ev_seq), .s_ev_len(ev_len),
        .s_ev_fin(ev_fin), .s_ev_wnd(ev_wnd), .s_ev_acked(ev_acked), .s_ev_dup_ack(ev_dup),
        .s_ev_ack_now(1'b0), .s_ev_rtt_valid(1'b0), .s_ev_rtt(32'd0),
        .m_valid(t_valid), .m_sid(t_sid), .m_tag(t_tag), .m_next_state(t_state),
        .m_send(t_send), .m_send_seq(t_seq), .m_send_len(t_len), .m_send_fin(t_fin),
        .m_send_rtx(t_rtx), .m_ack_now(t_ack_now), .m_rto_arm(t_rto_arm),
        .m_rto_stop(t_rto_stop), .m_persist_arm(t_persist_arm),
        .m_persist_stop(t_persist_stop), .m_delack_arm(t_delack_arm),
        .m_delack_stop(t_delack_stop), .m_rto_ticks(t_rto_ticks),
        .m_persist_ticks(t_persist_ticks), .m_delack_ticks(t_delack_ticks),
        .m_give_up(t_give_up), .busy(txs_busy)
    );
    tx_timer_ctl #(.SESSIONS(SESSIONS)) u_timers (
        .clk, .rst, .tick,
        .s_valid(t_valid), .s_sid(t_sid),
        .s_rto_arm(t_rto_arm), .s_rto_stop(t_rto_stop), .s_rto_ticks(t_rto_ticks),
        .s_persist_arm(t_persist_arm), .s_persist_stop(t_persist_stop),
        .s_persist_ticks(t_persist_ticks),
        .s_delack_arm(t_delack_arm), .s_delack_stop(t_delack_stop),
        .s_delack_ticks(t_delack_ticks), .s_init(t_tag == TAG_INIT),
        .m_exp_valid(tm_exp_valid), .m_exp_ready(tm_exp_ready), .m_exp_sid(tm_exp_sid),
        .m_exp_kind(tm_exp_kind),
        .ready(tm_ready), .now_tick(tm_now), .pending(tm_pending), .idle(tm_idle), .settled(tm_settled),
        .stale_count(tm_stale), .armed_count(tm_armed), .tick_lost(tm_tick_lost)
    );
    // An expiry leaves the wheel with nothing armed: until its event's outcome has put
    // the timer commands it makes (a re-armed RTO, a persist probe's next interval) into
    // tx_timer_ctl, tcp_tx_session holds it (busy).
    assign timers_idle = tm_idle && !txs_busy;
    // The wheel's other status is for a later status command.
    wire logic unused_tx_timers = ^{tm_tick_lost, tm_pending, tm_armed,
                                    t_state[TXS_W-33 -: 32], t_state[TXS_W-130:0]};
    // retries exhausted: TIMEOUT to the host (the session sends nothing more)
    assign gave_up = t_valid && t_tag == TAG_RTO && t_give_up;
    wire logic [31:0] t_snd_una = t_state[TXS_W-1 -: 32];
    wire logic [31:0] t_snd_max = t_state[TXS_W-65 -: 32];
    wire logic [31:0] t_app_end = t_state[TXS_W-97 -: 32];
    wire logic        t_fin_req = t_state[TXS_W-129];
    // an ACK owed by the delayed-ACK policy (only its events' outcomes say so)
    assign dak_push = t_valid && t_tag == TAG_RXACK && t_ack_now;
    assign dak_in   = {t_sid, t_snd_una, DK_OWED};
    // our FIN is acknowledged: an ACK moved SND.UNA past it (once: SND.UNA goes no further)
    assign fin_acked = t_valid && t_tag == TAG_ACKED && t_fin_req &&
                       t_snd_una == t_app_end + 32'd1;
    wire logic fa_push = (fin_acked || gave_up) && !fa_full;  // one outcome a cycle: never both
    always_ff @(posedge clk) begin                  // into the session events' side queue
        if (fa_push) fa_q[fa_wr_q[2:0]] <= {t_sid, gave_up};
        if (rst) begin
            fa_wr_q <= '0;
            fa_rd_q <= '0;
        end else begin
            if (fa_push) fa_wr_q <= fa_wr_q + 4'd1;
            if (fa_move) fa_rd_q <= fa_rd_q + 4'd1;
        end
    end
    assign sm_valid = t_valid;
    assign sm_sid   = t_sid;
    assign sm_value = t_snd_max;

    // ACKED(data) for host-terminated sessions: an outcome that moved SND.UNA queues its
    // session (a FIFO of session ids, each at most once: it cannot overflow) and the event
    // carries the session's newest SND.UNA when it leaves, so a burst of ACKs costs one
    // event per session waiting. The host's credit for APP_DATA comes from these.
    logic [31:0] una_shadow [SESSIONS];
    always_ff @(posedge clk) begin
        if (t_valid) una_shadow[t_sid] <= t_snd_una;
    end
    logic             pg_cand_q, pg_host_q;       // the outcome a cycle ago, and its host bit
    logic [SID_W-1:0] pg_sid_q;
    always_ff @(posedge clk) begin
        pg_host_q <= host_mem[t_sid];
        pg_sid_q  <= t_sid;
        if (rst) pg_cand_q <= 1'b0;
        else     pg_cand_q <= t_valid && t_tag == TAG_ACKED;
    end
    logic [SID_W-1:0] pg_q [SESSIONS];
    logic [SESSIONS-1:0] pg_queued_q;              // control state: reset
    logic [SID_W:0]   pg_wr_q, pg_rd_q;
    wire logic pg_avail = pg_wr_q != pg_rd_q;
    logic [SID_W-1:0] pg_head;
    always_comb pg_head = pg_q[pg_rd_q[SID_W-1:0]];
    logic pg_pop;                                   // its event's header is taken
    logic pg_stable_q;                              // the head's SND.UNA read has settled
    logic [31:0] pg_una_q;
    wire logic pg_push = pg_cand_q && pg_host_q &&
                         !(pg_queued_q[pg_sid_q] && !(pg_pop && pg_head == pg_sid_q));
    always_ff @(posedge clk) begin
        if (pg_push) pg_q[pg_wr_q[SID_W-1:0]] <= pg_sid_q;
        pg_una_q <= una_shadow[pg_head];
        if (rst) begin
            /* verilator lint_off WIDTHCONCAT */  // one bit per session (see alive_q)
            pg_queued_q <= '0;
            /* verilator lint_on WIDTHCONCAT */
            pg_wr_q     <= '0;
            pg_rd_q     <= '0;
            pg_stable_q <= 1'b0;
        end else begin
            if (pg_pop) pg_queued_q[pg_head] <= 1'b0;
            if (pg_push) pg_queued_q[pg_sid_q] <= 1'b1;  // after the pop's clear: set wins
            if (pg_push) pg_wr_q <= pg_wr_q + 1'b1;
            if (pg_pop) pg_rd_q <= pg_rd_q + 1'b1;
            pg_stable_q <= pg_avail && !pg_pop;
        end
    end
    wire logic pg_evt_valid = pg_avail && pg_stable_q;

    // busy: a segment of the session is on its way (until its kSent is applied);
    // queued: the session is in the active list.
    logic busy_q [SESSIONS];
    logic queued_q [SESSIONS];
    logic t_busy, t_queued;
    always_comb begin
        t_busy   = busy_q[t_sid];
        t_queued = queued_q[t_sid];
    end
    // the request to the payload reader
    logic             rq_valid_q;
    logic             rq_ready;
    logic [SID_W-1:0] rq_sid_q;
    logic [31:0]      rq_seq_q;
    logic [15:0]      rq_len_q;
    logic             rq_fin_q;
    wire logic take = t_valid && t_tag == TAG_KICK && t_send && (!rq_valid_q || rq_ready);
    // (after an expiry: its event, then the KICK the outcome queues, then this request)
    // (host-command work moves without port input too: a command in hl_rx or cmd_exec, an
    // injected frame on its way in, a RAW_TX frame in raw_tx_csum)
    assign timers_settled = tm_settled && !txs_busy && !ev_valid && !rq_valid_q && !dak_avail &&
                            !hlrx_busy && !ce_busy && !injb_tvalid && !merge_busy &&
                            inj_tail_q == '0 && !rawc_busy;
    always_comb begin
        act_push = 1'b0;
        act_push_sid = t_sid;
        if (t_valid && t_send) begin
            if (t_tag == TAG_KICK) act_push = !take;            // reader busy: try again
            else act_push = !t_queued && (!t_busy || t_tag == TAG_SENT);
        end
    end
    always_ff @(posedge clk) begin
        if (t_valid) begin
            if (t_tag == TAG_SENT || take) busy_q[t_sid] <= take;
            if (act_push) queued_q[t_sid] <= 1'b1;
            else if (t_tag == TAG_KICK) queued_q[t_sid] <= 1'b0;
        end
        if (tcb_valid && tcb_ready) begin
            busy_q[ct_cmd_sid]   <= 1'b0;
            queued_q[ct_cmd_sid] <= 1'b0;
        end
    end
    always_ff @(posedge clk) begin
        if (rst) begin
            rq_valid_q <= 1'b0;
            ake_wr_q <= '0;
            ake_rd_q <= '0;
            rxe_wr_q <= '0;
            rxe_rd_q <= '0;
            asn_wr_q <= '0;
            asn_rd_q <= '0;
            snt_wr_q <= '0;
            snt_rd_q <= '0;
            act_wr_q <= '0;
            act_rd_q <= '0;
        end else begin
            if (take) rq_valid_q <= 1'b1;
            else if (rq_ready) rq_valid_q <= 1'b0;
            if (ake_push) ake_wr_q <= ake_wr_q + 5'd1;
            if (ev_hs && ev_pick == PICK_ACK) ake_rd_q <= ake_rd_q + 5'd1;
            if (rxe_push) rxe_wr_q <= rxe_wr_q + 5'd1;
            if (ev_hs && ev_pick == PICK_RX) rxe_rd_q <= rxe_rd_q + 5'd1;
            if (asn_push) asn_wr_q <= asn_wr_q + 3'd1;
            if (ev_hs && ev_pick == PICK_ACK_SENT) asn_rd_q <= asn_rd_q + 3'd1;
            if (snt_push) snt_wr_q <= snt_wr_q + 3'd1;
            if (ev_hs && ev_pick == PICK_SENT) snt_rd_q <= snt_rd_q + 3'd1;
            if (act_push) act_wr_q <= act_wr_q + 1'b1;
            if (ev_hs && ev_pick == PICK_KICK) act_rd_q <= act_rd_q + 1'b1;
        end
        if (take) begin
            rq_sid_q <= t_sid;
            rq_seq_q <= t_seq;
            rq_len_q <= t_len;
            rq_fin_q <= t_fin;
        end
    end

    // App data into the TX buffer: the app TX stream's packets and the host's APP_DATA
    // (bytes packed into beats), a packet at a time. The packer holds at most one beat,
    // and the next command's first byte enters only once it has left, so the session
    // of the last byte taken is the held beat's.
    logic [DATA_W-1:0]   hpk_tdata, atx_tdata;
    logic [DATA_W/8-1:0] hpk_tkeep, atx_tkeep;
    logic                hpk_tvalid, hpk_tready, hpk_tlast, atx_tvalid, atx_tready, atx_tlast;
    logic [SID_W-1:0]    hpk_sid_q, atx_tdest;
    raw_tx_pack #(.DATA_W(DATA_W)) u_app_pack (
        .clk, .rst,
        .s_axis_tdata(hap_data), .s_axis_tvalid(hap_valid), .s_axis_tready(hap_ready),
        .s_axis_tlast(hap_last),
        .m_axis_tdata(hpk_tdata), .m_axis_tkeep(hpk_tkeep), .m_axis_tvalid(hpk_tvalid),
        .m_axis_tready(hpk_tready), .m_axis_tlast(hpk_tlast)
    );
    always_ff @(posedge clk) begin
        if (hap_valid && hap_ready) hpk_sid_q <= hap_sid;
    end
    // tdest carries the source on top (1: the host's APP_DATA) to tx_buf_wr's tuser.
    logic atx_from_host;
    tx_frame_mux #(.DATA_W(DATA_W), .DEST_W(SID_W + 1)) u_app_mux (
        .clk, .rst,
        .s0_axis_tdata(s_app_tx_tdata), .s0_axis_tkeep(s_app_tx_tkeep),
        .s0_axis_tvalid(s_app_tx_tvalid), .s0_axis_tready(s_app_tx_tready),
        .s0_axis_tlast(s_app_tx_tlast), .s0_axis_tdest({1'b0, s_app_tx_tdest}),
        .s1_axis_tdata(hpk_tdata), .s1_axis_tkeep(hpk_tkeep), .s1_axis_tvalid(hpk_tvalid),
        .s1_axis_tready(hpk_tready), .s1_axis_tlast(hpk_tlast), .s1_axis_tdest({1'b1, hpk_sid_q}),
        .m_axis_tdata(atx_tdata), .m_axis_tkeep(atx_tkeep), .m_axis_tvalid(atx_tvalid),
        .m_axis_tready(atx_tready), .m_axis_tlast(atx_tlast),
        .m_axis_tdest({atx_from_host, atx_tdest})
    );
    tx_buf_wr #(.DATA_W(DATA_W), .SID_W(SID_W), .BUF_BYTES(TX_BUF_BYTES), .CHUNK(TX_CHUNK))
    u_tx_buf_wr (
        .clk, .rst,
        .s_init_valid(tcb_valid && tcb_ready), .s_init_sid(ct_cmd_sid),
        .s_init_seq(`FTOE_BE32(install_bytes, 24)),
        .s_una_valid(t_valid), .s_una_sid(t_sid), .s_una_seq(t_snd_una),
        .s_app_tdata(atx_tdata), .s_app_tkeep(atx_tkeep),
        .s_app_tvalid(atx_tvalid), .s_app_tready(atx_tready),
        .s_app_tlast(atx_tlast), .s_app_tdest(atx_tdest), .s_app_tuser(atx_from_host),
        .m_wr_valid(m_mem_wr_valid), .m_wr_ready(m_mem_wr_ready), .m_wr_addr(m_mem_wr_addr),
        .m_wr_data(m_mem_wr_data), .m_wr_strb(m_mem_wr_strb),
        .m_queued_valid(q_valid), .m_queued_ready(q_ready), .m_queued_sid(q_sid),
        .m_queued_len(q_len), .m_queued_end(q_end), .m_queued_user(q_host)
    );
    // SEND_FIN waits until every APP_DATA packet the host sent before it is queued (its
    // last chunk's record taken as an event), else the FIN could overtake bytes still on
    // their way into the TX buffer. Host packets between cmd_exec and that event:
    always_ff @(posedge clk) begin
        if (rst) host_pkts_q <= '0;
        else     host_pkts_q <= host_pkts_q + 8'(hap_valid && hap_ready && hap_last)
                                            - 8'(q_valid && q_ready && q_end && q_host);
    end

    // Segment payloads out of the TX buffer, with their checksum
    localparam int RTAG_W = SID_W + 32 + 1;         // {sid, seq, fin}
    logic              sd_valid, sd_ready;
    logic [RTAG_W-1:0] sd_tag;
    logic [15:0]       sd_len, sd_sum;
    logic [DATA_W-1:0]   sp_tdata;
    logic [DATA_W/8-1:0] sp_tkeep;
    logic                sp_tvalid, sp_tready, sp_tlast;
    tx_buf_rd #(.DATA_W(DATA_W), .SID_W(SID_W), .BUF_BYTES(TX_BUF_BYTES),
                .MAX_SEG(TX_MAX_SEG), .TAG_W(RTAG_W)) u_tx_buf_rd (
        .clk, .rst,
        .s_req_valid(rq_valid_q), .s_req_ready(rq_ready), .s_req_sid(rq_sid_q),
        .s_req_seq(rq_seq_q), .s_req_len(rq_len_q), .s_req_tag({rq_sid_q, rq_seq_q, rq_fin_q}),
        .m_rd_valid(m_mem_rd_valid), .m_rd_ready(m_mem_rd_ready), .m_rd_addr(m_mem_rd_addr),
        .s_rd_valid(s_mem_rd_valid), .s_rd_data(s_mem_rd_data),
        .m_desc_valid(sd_valid), .m_desc_ready(sd_ready), .m_desc_tag(sd_tag),
        .m_desc_len(sd_len), .m_desc_sum(sd_sum),
        .m_pay_tdata(sp_tdata), .m_pay_tkeep(sp_tkeep), .m_pay_tvalid(sp_tvalid),
        .m_pay_tready(sp_tready), .m_pay_tlast(sp_tlast)
    );

    // Receive state for the segments' ACK and window fields: tcp_rx's newest decision
    // (or the install), per session. {RCV.NXT, RCV.WND, timestamps on, TS.Recent}
    always_ff @(posedge clk) begin
        if (o_valid) cred_shadow[o_sid] <= o_credited;
        else if (tcb_valid && tcb_ready) cred_shadow[ct_cmd_sid] <= 32'd0;
        // (tcp_rx_session takes an install only in a cycle without a consumer report)
        if (cs_valid) cons_tab[cs_sid] <= cs_count;
        else if (tcb_valid && tcb_ready) cons_tab[ct_cmd_sid] <= 32'd0;
    end
    always_ff @(posedge clk) begin
        if (o_valid)
            rcv_shadow[o_sid] <= {o_rcv_nxt, o_rcv_wnd, o_ts_en, o_ts_recent};
        else if (tcb_valid && tcb_ready)
            rcv_shadow[ct_cmd_sid] <= {`FTOE_BE32(install_bytes, 12), `FTOE_BE32(install_bytes, 16),
                                       ib_flags[0], `FTOE_BE32(install_bytes, 46)};
    end

    // REMOVED carries the session's last {SND.NXT (= SND.MAX), RCV.NXT, TS.Recent}: the
    // host's TIME_WAIT entry and abort RST need them. SND.MAX is kept per session here;
    // the rest is the receive state above. Read continuously for the table command's
    // session.
    always_ff @(posedge clk) begin
        if (t_valid) snd_max_shadow[t_sid] <= t_snd_max;
        else if (tcb_valid && tcb_ready) snd_max_shadow[ct_cmd_sid] <= `FTOE_BE32(install_bytes, 24);
    end
    logic [RSW-1:0] snap_rcv_q;
    logic [31:0]    snap_snd_q;
    always_ff @(posedge clk) begin
        snap_rcv_q <= rcv_shadow[ct_cmd_sid];
        snap_snd_q <= snd_max_shadow[ct_cmd_sid];
    end
    assign removed_snapshot = {snap_snd_q, snap_rcv_q[RSW-1 -: 32], snap_rcv_q[31:0]};
    wire logic unused_snap = ^snap_rcv_q[RSW-33:32];

    // Data descriptor stage: the reader's descriptor, its session's header and receive
    // state (BRAM reads, 1 cycle).
    logic              dd_valid_q;
    logic [RTAG_W-1:0] dd_tag_q;
    logic [15:0]       dd_len_q, dd_sum_q;
    logic [HW-1:0]     dd_hdr_q;
    logic [RSW-1:0]    dd_rcv_q;
    logic [31:0]       dd_cred_q, dd_cons_q;
    logic              dd_ready;
    wire logic dd_advance = !dd_valid_q || (dd_ready && !snt_full);
    assign sd_ready = dd_advance;
    always_ff @(posedge clk) begin
        if (dd_advance && sd_valid) begin           // (the tables read only for one)
            dd_tag_q <= sd_tag;
            dd_len_q <= sd_len;
            dd_sum_q <= sd_sum;
            dd_hdr_q <= tx_hdr[sd_tag[RTAG_W-1 -: SID_W]];
            dd_rcv_q <= rcv_shadow[sd_tag[RTAG_W-1 -: SID_W]];
            dd_cred_q <= cred_shadow[sd_tag[RTAG_W-1 -: SID_W]];
            dd_cons_q <= cons_tab[sd_tag[RTAG_W-1 -: SID_W]];
        end
        if (rst) dd_valid_q <= 1'b0;
        else if (dd_advance) dd_valid_q <= sd_valid;
    end
    wire logic [31:0] dd_seq     = dd_tag_q[32:1];
    wire logic        dd_fin     = dd_tag_q[0];
    wire logic [31:0] dd_rcv_nxt = dd_rcv_q[RSW-1 -: 32];
    wire logic [31:0] dd_rcv_wnd = wnd_now(dd_rcv_q[RSW-33 -: 32], dd_cred_q, dd_cons_q);
    wire logic        dd_ts_en   = dd_rcv_q[32];
    wire logic [31:0] dd_tsecr   = dd_rcv_q[31:0];
    wire logic [15:0] dd_window  = window_field(dd_rcv_wnd, dd_hdr_q[35:32]);
    wire logic dd_hs = dd_valid_q && dd_ready && !snt_full;
    assign snt_push = dd_hs;

    // The right edge each session last advertised, as the peer reads the window field:
    // ACKs (not ABORT's RST), data segments (an ACK in the same cycle goes first: the
    // edge is then an ACK's, and a window update may come one segment early), install.
    wire logic [31:0] ad_adv_edge = ad_ack + (32'(ad_window) << ad_wshift);
    wire logic [31:0] dd_adv_edge = dd_rcv_nxt + (32'(dd_window) << dd_hdr_q[35:32]);
    always_ff @(posedge clk) begin
        if (ad_valid_q && ad_ready && !ad_rst_q) adv_re[ad_sid_q] <= ad_adv_edge;
        else if (dd_hs) adv_re[dd_tag_q[RTAG_W-1 -: SID_W]] <= dd_adv_edge;
        else if (tcb_valid && tcb_ready)
            adv_re[ct_cmd_sid] <= `FTOE_BE32(install_bytes, 12) + `FTOE_BE32(install_bytes, 16);
    end

    // Window updates (RFC 9293 §3.8.6.2.2, receiver SWS avoidance): when the consumer
    // takes a packet, the window the session could offer now (its right edge moved by
    // the bytes taken) is compared with what the peer sees left of the last one; an ACK
    // goes when the new window is at least twice that and at least WIN_UPDATE_BYTES more,
    // so a zero window reopens without waiting for the peer's probe while a consumer
    // that keeps up (the peer sees most of its window) adds no ACKs.
    localparam logic [31:0] WIN_UPDATE_BYTES = 32'(TX_MAX_SEG);
    logic             wu_v_q;
    logic [SID_W-1:0] wu_sid_q;
    logic [63:0]      wu_rcv_q;                     // {RCV.NXT, RCV.WND} of the newest decision
    logic [31:0]      wu_cred_q, wu_cons_q, wu_re_q;
    always_ff @(posedge clk) begin
        wu_sid_q  <= cs_sid;
        wu_cons_q <= cs_count;
        wu_rcv_q  <= rcv_shadow[cs_sid][RSW-1 -: 64];
        wu_cred_q <= cred_shadow[cs_sid];
        wu_re_q   <= adv_re[cs_sid];
        if (rst) wu_v_q <= 1'b0;
        else     wu_v_q <= cs_valid;
    end
    wire logic [31:0] wu_nxt  = wu_rcv_q[63:32];
    wire logic [31:0] wu_new  = wnd_now(wu_rcv_q[31:0], wu_cred_q, wu_cons_q);
    wire logic [31:0] wu_seen_raw = wu_re_q - wu_nxt;
    wire logic [31:0] wu_seen = wu_seen_raw[31] ? 32'd0 : wu_seen_raw;  // (edge behind: none)
    wire logic wu_due = wu_v_q && wu_new >= {wu_seen[30:0], 1'b0} &&
                        wu_new - wu_seen >= WIN_UPDATE_BYTES && wu_new > wu_seen;
    always_ff @(posedge clk) begin
        if (rst) wu_pend_q <= 1'b0;
        else if (wu_due) wu_pend_q <= 1'b1;         // (a newer one takes the slot)
        else if (wu_push) wu_pend_q <= 1'b0;
        if (wu_due) wu_pend_sid_q <= wu_sid_q;
    end
    assign snt_in = {dd_tag_q[RTAG_W-1 -: SID_W], dd_seq, dd_len_q, dd_fin, dd_rcv_wnd};

    logic [63:0] data_sent_q, rtx_sent_q, rto_exp_q, persist_exp_q, delack_exp_q, timeouts_q;
    wire logic tm_taken = tm_exp_valid && tm_exp_ready && !ev_dead;  // (applied, not dropped)
    always_ff @(posedge clk) begin
        if (rst) begin
            data_sent_q   <= '0;
            rtx_sent_q    <= '0;
            rto_exp_q     <= '0;
            persist_exp_q <= '0;
            delack_exp_q  <= '0;
            timeouts_q    <= '0;
        end else begin
            if (dd_hs) data_sent_q <= data_sent_q + 64'd1;
            if (take && t_rtx) rtx_sent_q <= rtx_sent_q + 64'd1;
            if (tm_taken && tm_exp_kind == 2'd0) rto_exp_q <= rto_exp_q + 64'd1;
            if (tm_taken && tm_exp_kind == 2'd1) persist_exp_q <= persist_exp_q + 64'd1;
            if (tm_taken && tm_exp_kind == 2'd2) delack_exp_q <= delack_exp_q + 64'd1;
            if (gave_up) timeouts_q <= timeouts_q + 64'd1;
        end
    end

    logic [DATA_W-1:0]   dat_tdata;
    logic [DATA_W/8-1:0] dat_tkeep;
    logic                dat_tvalid, dat_tready, dat_tlast, dat_tuser;
    tx_frame_build #(.DATA_W(DATA_W)) u_seg_build (
        .clk, .rst,
        .s_desc_valid(dd_valid_q && !snt_full), .s_desc_ready(dd_ready),
        .s_desc_dst_mac(dd_hdr_q[HW-1 -: 48]), .s_desc_src_mac(cfg_mac),
        .s_desc_src_ip(dd_hdr_q[HW-81 -: 32]), .s_desc_dst_ip(dd_hdr_q[HW-49 -: 32]),
        .s_desc_src_port(dd_hdr_q[HW-129 -: 16]), .s_desc_dst_port(dd_hdr_q[HW-113 -: 16]),
        .s_desc_seq(dd_seq), .s_desc_ack(dd_rcv_nxt),
        .s_desc_flags({7'b0001100, dd_fin}),
        .s_desc_window(dd_window), .s_desc_ts_enable(dd_ts_en),
        .s_desc_tsval(ts_clock_q + dd_hdr_q[31:0]), .s_desc_tsecr(dd_tsecr),
        .s_desc_payload_len(dd_len_q), .s_desc_payload_sum(dd_sum_q),
        .s_pay_tdata(sp_tdata), .s_pay_tkeep(sp_tkeep), .s_pay_tvalid(sp_tvalid),
        .s_pay_tready(sp_tready), .s_pay_tlast(sp_tlast),
        .m_axis_tdata(dat_tdata), .m_axis_tkeep(dat_tkeep), .m_axis_tvalid(dat_tvalid),
        .m_axis_tready(dat_tready), .m_axis_tlast(dat_tlast), .m_axis_tuser(dat_tuser)
    );
    wire logic unused_dat = dat_tuser;

    // ---- Link-error events: a small queue of hl_rx's records --------------------------------
    localparam int EQ = 8;
    logic [111:0] err_q [EQ];                       // {code, seq, expected, skipped}
    logic [3:0]   err_wr_q, err_rd_q;
    logic [3:0]   err_byte_q;
    wire logic    err_full  = (err_wr_q - err_rd_q) == 4'(EQ);
    wire logic    err_ready_evt = err_wr_q != err_rd_q;
    logic [111:0] err_head;
    always_comb err_head = err_q[err_rd_q[2:0]];
    always_ff @(posedge clk) begin
        if (err_valid && !err_full)
            err_q[err_wr_q[2:0]] <= {err_code, err_seq, err_expected, err_skipped};
    end
    // payload: seq, expected, skipped as little-endian 32-bit words
    wire logic [95:0] err_payload = {err_head[31:0], err_head[63:32], err_head[95:64]};

    // ---- Counters ------------------------------------------------------------------------------
    logic [63:0] rx_count, link_count;
    logic        rx_cnt_ready, link_cnt_ready;
    stat_counters #(.N(ftoe_pkg::HL_CNT_RX), .W(64)) u_rx_counters (
        .clk, .rst, .s_inc_valid(lk_valid), .s_inc_idx(reason),
        .rd_idx(cnt_idx[4:0]), .rd_value(rx_count), .ready(rx_cnt_ready));
    stat_counters #(.N(ftoe_pkg::HL_CNT_LINK), .W(64)) u_link_counters (
        .clk, .rst, .s_inc_valid(err_valid), .s_inc_idx(err_code[2:0]),
        .rd_idx(cnt_idx[2:0]), .rd_value(link_count), .ready(link_cnt_ready));
    logic [63:0] seg_count;
    logic        seg_cnt_ready;
    wire logic [6:0] seg_rd = cnt_idx - 7'd42;
    stat_counters #(.N(ftoe_pkg::HL_CNT_SEG), .W(64)) u_seg_counters (
        .clk, .rst, .s_inc_valid(o_valid), .s_inc_idx(outcome),
        .rd_idx(seg_rd[3:0]), .rd_value(seg_count), .ready(seg_cnt_ready));
    // events sent on the host link, by kind (the bank is below the event arbiter)
    logic [63:0] evt_count;
    logic        evt_cnt_ready;
    wire logic [6:0] evt_rd = cnt_idx - 7'd69;
    wire logic unused_cnt = ^{rx_cnt_ready, link_cnt_ready, seg_cnt_ready, evt_cnt_ready,
                              err_code[15:3], seg_rd[6:4], evt_rd[6:4], evt_kind[7:4]};

    logic [63:0] err_lost_q, unsupported_q, sev_lost_q, rx_injected_q;
    logic [6:0]  cnt_sel_q;
    always_ff @(posedge clk) begin
        cnt_sel_q <= cnt_idx;
        if (rst) begin
            err_lost_q    <= '0;
            unsupported_q <= '0;
            sev_lost_q    <= '0;
            rx_injected_q <= '0;
        end else begin
            if ((rx_sev && sev_full) || ((fin_acked || gave_up) && fa_full))
                sev_lost_q <= sev_lost_q + 64'd1;
            if (unsupported) unsupported_q <= unsupported_q + 64'd1;
            if (rx_injected) rx_injected_q <= rx_injected_q + 64'd1;
            if (err_valid && err_full) err_lost_q <= err_lost_q + 64'd1;
        end
    end
    always_comb begin
        if (cnt_sel_q < 7'd32) cnt_value = rx_count;
        else if (cnt_sel_q < 7'd40) cnt_value = link_count;
        else if (cnt_sel_q == 7'd40) cnt_value = err_lost_q;
        else if (cnt_sel_q == 7'd41) cnt_value = unsupported_q;
        else if (cnt_sel_q < 7'd58) cnt_value = seg_count;
        else if (cnt_sel_q == 7'd58) cnt_value = sev_lost_q;
        else if (cnt_sel_q == 7'd59) cnt_value = acks_sent_q;
        else if (cnt_sel_q == 7'd60) cnt_value = acks_lost_q;
        else if (cnt_sel_q == 7'd61) cnt_value = data_sent_q;
        else if (cnt_sel_q == 7'd62) cnt_value = rtx_sent_q;
        else if (cnt_sel_q == 7'd63) cnt_value = rto_exp_q;
        else if (cnt_sel_q == 7'd64) cnt_value = persist_exp_q;
        else if (cnt_sel_q == 7'd65) cnt_value = delack_exp_q;
        else if (cnt_sel_q == 7'd66) cnt_value = timeouts_q;
        else if (cnt_sel_q == 7'd67) cnt_value = 64'(tm_stale);
        else if (cnt_sel_q == 7'd68) cnt_value = rsts_sent_q;
        else if (cnt_sel_q == 7'd85) cnt_value = rx_injected_q;
        else cnt_value = evt_count;
    end

    // ---- Event arbiter: one event at a time into hl_tx ---------------------------------------
    localparam logic [2:0] SRC_NONE = 3'd0, SRC_ERR = 3'd1, SRC_CMD = 3'd2, SRC_SESS = 3'd3,
                           SRC_SLOW = 3'd4, SRC_ACKED = 3'd5, SRC_RXDATA = 3'd6;
    logic [31:0] pay_una_q;                         // ACKED(data)'s payload, sent MSB first
    logic [1:0]  una_byte_q;
    logic [2:0]  pay_src_q;                         // whose payload is streaming
    logic        evt_valid, evt_ready, pay_valid_o, pay_ready_o, pay_last_o;
    logic [7:0]  evt_kind, pay_data_o;
    logic [15:0] evt_len, evt_arg;
    logic [31:0] evt_session;
    logic [2:0]  pick;
    always_comb begin
        pick = SRC_NONE;
        if (pay_src_q == SRC_NONE) begin
            if (err_ready_evt) pick = SRC_ERR;
            else if (ce_evt_valid) pick = SRC_CMD;
            else if (sev_valid) pick = SRC_SESS;
            else if (pg_evt_valid) pick = SRC_ACKED;
            else if (rxd_evt_valid) pick = SRC_RXDATA;
            else if (sp_evt_valid) pick = SRC_SLOW;
        end
        evt_valid = pick != SRC_NONE;
        case (pick)
            SRC_ERR: begin
                evt_kind = ftoe_pkg::HL_EVT_LINK_ERROR; evt_len = 16'd12;
                evt_session = ftoe_pkg::HL_NO_SESSION; evt_arg = err_head[111:96];
            end
            SRC_CMD: begin
                evt_kind = ce_evt_kind; evt_len = ce_evt_len;
                evt_session = ce_evt_session; evt_arg = ce_evt_arg;
            end
            SRC_SESS: begin
                evt_kind = sev_kind; evt_len = 16'd0;
                evt_session = 32'(sev_head[SID_W+2:3]);
                evt_arg = sev_head[2:0] == SEV_ACKED ? ftoe_pkg::HL_ACKED_FIN : 16'd0;
            end
            SRC_ACKED: begin
                evt_kind = ftoe_pkg::HL_EVT_ACKED; evt_len = 16'd4;
                evt_session = 32'(pg_head); evt_arg = ftoe_pkg::HL_ACKED_DATA;
            end
            SRC_RXDATA: begin
                evt_kind = ftoe_pkg::HL_EVT_RX_DATA; evt_len = head_len;
                evt_session = 32'(cs_sid); evt_arg = 16'd0;
            end
            default: begin
                evt_kind = ftoe_pkg::HL_EVT_SLOW_PATH; evt_len = sp_evt_len;
                evt_session = ftoe_pkg::HL_NO_SESSION; evt_arg = sp_evt_arg;
            end
        endcase
        case (pay_src_q)
            SRC_ERR: begin
                pay_valid_o = 1'b1;
                pay_data_o  = err_payload[8*err_byte_q +: 8];
                pay_last_o  = err_byte_q == 4'd11;
            end
            SRC_CMD: begin
                pay_valid_o = ce_pay_valid; pay_data_o = ce_pay_data; pay_last_o = ce_pay_last;
            end
            SRC_SLOW: begin
                pay_valid_o = sp_pay_valid; pay_data_o = sp_pay_data; pay_last_o = sp_pay_last;
            end
            SRC_ACKED: begin
                pay_valid_o = 1'b1;
                pay_data_o  = pay_una_q[31:24];
                pay_last_o  = una_byte_q == 2'd3;
            end
            SRC_RXDATA: begin
                pay_valid_o = rxd_tvalid; pay_data_o = rxd_tdata; pay_last_o = rxd_tlast;
            end
            default: begin
                pay_valid_o = 1'b0; pay_data_o = '0; pay_last_o = 1'b0;
            end
        endcase
    end
    wire logic evt_hs = evt_valid && evt_ready;
    // (a COUNTERS answer's header is counted before its values are read: it counts itself)
    stat_counters #(.N(ftoe_pkg::HL_CNT_EVT), .W(64)) u_evt_counters (
        .clk, .rst, .s_inc_valid(evt_hs), .s_inc_idx(evt_kind[3:0]),
        .rd_idx(evt_rd[3:0]), .rd_value(evt_count), .ready(evt_cnt_ready));
    assign ce_evt_ready = evt_ready && pick == SRC_CMD;
    assign sp_evt_ready = evt_ready && pick == SRC_SLOW;
    assign sev_ready    = evt_ready && pick == SRC_SESS;
    assign ce_pay_ready = pay_ready_o && pay_src_q == SRC_CMD;
    assign sp_pay_ready = pay_ready_o && pay_src_q == SRC_SLOW;
    assign rxd_tready   = pay_ready_o && pay_src_q == SRC_RXDATA;
    assign pg_pop       = evt_ready && pick == SRC_ACKED;
    wire logic pay_hs = pay_valid_o && pay_ready_o;

    always_ff @(posedge clk) begin
        if (evt_hs && pick == SRC_ACKED) pay_una_q <= pg_una_q;
        else if (pay_hs && pay_src_q == SRC_ACKED) pay_una_q <= pay_una_q << 8;
        if (rst) begin
            pay_src_q  <= SRC_NONE;
            rxd_hdr_q  <= 1'b0;
            err_wr_q   <= '0;
            err_rd_q   <= '0;
            err_byte_q <= '0;
        end else begin
            if (err_valid && !err_full) err_wr_q <= err_wr_q + 4'd1;
            if (evt_hs && evt_len != 16'd0) pay_src_q <= pick;
            if (evt_hs && pick == SRC_ERR) err_byte_q <= '0;
            if (evt_hs && pick == SRC_ACKED) una_byte_q <= '0;
            if (evt_hs && pick == SRC_RXDATA) rxd_hdr_q <= 1'b1;
            if (pe_pop) rxd_hdr_q <= 1'b0;
            if (pay_hs) begin
                if (pay_src_q == SRC_ERR) err_byte_q <= err_byte_q + 4'd1;
                if (pay_src_q == SRC_ACKED) una_byte_q <= una_byte_q + 2'd1;
                if (pay_last_o) begin
                    pay_src_q <= SRC_NONE;
                    if (pay_src_q == SRC_ERR) err_rd_q <= err_rd_q + 4'd1;
                end
            end
        end
    end

    hl_tx u_hl_tx (
        .clk, .rst,
        .s_evt_valid(evt_valid), .s_evt_ready(evt_ready), .s_evt_kind(evt_kind),
        .s_evt_len(evt_len), .s_evt_session(evt_session), .s_evt_arg(evt_arg),
        .s_pay_tdata(pay_data_o), .s_pay_tvalid(pay_valid_o), .s_pay_tready(pay_ready_o),
        .s_pay_tlast(pay_last_o),
        .m_axis_tdata(m_host_tdata), .m_axis_tvalid(m_host_tvalid), .m_axis_tready(m_host_tready)
    );

    // ---- Transmit: the engine's ACKs and the host's raw frames onto MAC TX -----------------
    logic [DATA_W-1:0]   ack_tdata, rawb_tdata;
    logic [DATA_W/8-1:0] ack_tkeep, rawb_tkeep;
    logic                ack_tvalid, ack_tready, ack_tlast;
    logic                rawb_tvalid, rawb_tready, rawb_tlast;
    tx_ack_build #(.DATA_W(DATA_W)) u_ack_build (
        .clk, .rst,
        .s_desc_valid(ad_valid_q), .s_desc_ready(ad_ready),
        .s_desc_dst_mac(ad_mac), .s_desc_src_mac(cfg_mac),
        .s_desc_src_ip(ad_lip), .s_desc_dst_ip(ad_rip),
        .s_desc_src_port(ad_lport), .s_desc_dst_port(ad_rport),
        .s_desc_seq(ad_seq), .s_desc_ack(ad_ack), .s_desc_flags(ad_rst_q ? 8'h14 : 8'h10),
        .s_desc_window(ad_window), .s_desc_ts_enable(ad_ts_en),
        .s_desc_tsval(ts_clock_q + ad_ts_off), .s_desc_tsecr(ad_tsecr),
        .m_axis_tdata(ack_tdata), .m_axis_tkeep(ack_tkeep), .m_axis_tvalid(ack_tvalid),
        .m_axis_tready(ack_tready), .m_axis_tlast(ack_tlast)
    );
    wire logic unused_ad = ^ad_req_q[AQW-1 -: SID_W];

    // The host's raw frames: the checksums it asked for filled (store and forward, at the
    // host link's pace), then packed into beats.
    logic [7:0] rawc_data;
    logic       rawc_valid, rawc_ready, rawc_last;
    raw_tx_csum #(.BUF_BYTES(16384)) u_raw_csum (
        .clk, .rst,
        .s_axis_tdata(raw_data), .s_axis_tvalid(raw_valid), .s_axis_tready(raw_ready),
        .s_axis_tlast(raw_last), .s_fill(raw_fill),
        .m_axis_tdata(rawc_data), .m_axis_tvalid(rawc_valid), .m_axis_tready(rawc_ready),
        .m_axis_tlast(rawc_last), .busy(rawc_busy)
    );
    raw_tx_pack #(.DATA_W(DATA_W)) u_raw_tx (
        .clk, .rst,
        .s_axis_tdata(rawc_data), .s_axis_tvalid(rawc_valid), .s_axis_tready(rawc_ready),
        .s_axis_tlast(rawc_last),
        .m_axis_tdata(rawb_tdata), .m_axis_tkeep(rawb_tkeep),
        .m_axis_tvalid(rawb_tvalid), .m_axis_tready(rawb_tready),
        .m_axis_tlast(rawb_tlast)
    );

    // the engine's segments: pure ACKs and data segments, a frame at a time
    logic [DATA_W-1:0]   seg_tdata;
    logic [DATA_W/8-1:0] seg_tkeep;
    logic                seg_tvalid, seg_tready, seg_tlast, seg_tdest, mac_tx_tdest;
    tx_frame_mux #(.DATA_W(DATA_W)) u_seg_mux (
        .clk, .rst,
        .s0_axis_tdata(ack_tdata), .s0_axis_tkeep(ack_tkeep), .s0_axis_tvalid(ack_tvalid),
        .s0_axis_tready(ack_tready), .s0_axis_tlast(ack_tlast),
        .s1_axis_tdata(dat_tdata), .s1_axis_tkeep(dat_tkeep), .s1_axis_tvalid(dat_tvalid),
        .s1_axis_tready(dat_tready), .s1_axis_tlast(dat_tlast),
        .s0_axis_tdest(1'b0), .s1_axis_tdest(1'b0),
        .m_axis_tdata(seg_tdata), .m_axis_tkeep(seg_tkeep), .m_axis_tvalid(seg_tvalid),
        .m_axis_tready(seg_tready), .m_axis_tlast(seg_tlast), .m_axis_tdest(seg_tdest)
    );
    tx_frame_mux #(.DATA_W(DATA_W)) u_tx_mux (
        .clk, .rst,
        .s0_axis_tdata(seg_tdata), .s0_axis_tkeep(seg_tkeep), .s0_axis_tvalid(seg_tvalid),
        .s0_axis_tready(seg_tready), .s0_axis_tlast(seg_tlast),
        .s1_axis_tdata(rawb_tdata), .s1_axis_tkeep(rawb_tkeep), .s1_axis_tvalid(rawb_tvalid),
        .s1_axis_tready(rawb_tready), .s1_axis_tlast(rawb_tlast),
        .m_axis_tdata(m_mac_tx_tdata), .m_axis_tkeep(m_mac_tx_tkeep),
        .m_axis_tvalid(m_mac_tx_tvalid), .m_axis_tready(m_mac_tx_tready),
        .m_axis_tlast(m_mac_tx_tlast), .s0_axis_tdest(1'b0), .s1_axis_tdest(1'b0),
        .m_axis_tdest(mac_tx_tdest)
    );
    wire logic unused_tdest = ^{seg_tdest, mac_tx_tdest};  // MAC TX has no destination
    assign m_mac_tx_tuser = 1'b0;
endmodule
`default_nettype wire
