// eth_rx_parse: classifies every received Ethernet frame and extracts what the TCP fast
// path needs (reference: eth_rx_parse() in hls/eth_rx_parse.hpp). One descriptor per
// frame: a reason code (ftoe_pkg::RX_*: fast path, slow path with why, or drop with
// why) and, for TCP, addresses, ports, sequence/ack numbers, flags, window, payload
// position and the options (through tcp_opt_parse). The frame's bytes themselves are
// not stored here: the caller buffers them and uses the descriptor to commit or drop.
//
// Checks in precedence order (the first failing one names the frame): MAC error (tuser
// on any beat); runt; destination MAC neither ours nor broadcast; ARP (slow); not IPv4;
// IPv4 header (version, IHL >= 5, total >= IHL*4, datagram inside the frame); IPv4
// checksum; destination address ours; fragment (slow); ICMP (slow); not TCP (slow); TCP
// header (datagram >= 20 bytes, data offset >= 5 and inside the datagram); TCP checksum;
// malformed options; more than MAX_OPTIONS options (slow). Padding is ignored.
//
// Latency:    m_valid is high for one cycle exactly LATENCY = max(csum_ipv4_l4 latency,
//             MAX_OPTIONS + 2) + 1 cycles after the cycle the tlast beat is accepted:
//             7 at DATA_W=64 and at DATA_W=512 with MAX_OPTIONS=4.
// Throughput: 1 beat/cycle, s_axis_tready constant 1; one descriptor per frame, frames
//             back to back (a one-beat frame every cycle at 512 bits).
// Assumes:    tkeep contiguous from lane 0, only a tlast beat partial (as csum_stream).
//             Header fields are meaningful when m_reason is RX_TCP.
`include "ftoe_defs.svh"
`default_nettype none
module eth_rx_parse #(
    // Data bus width in bits: a power of two from 64 to 1024
    parameter int DATA_W = 64,
    // TCP options (NOPs not counted) walked in hardware; more go to the slow path
    parameter int MAX_OPTIONS = 4
) (
    input  wire logic                clk,
    input  wire logic                rst,
    // configuration: our addresses
    input  wire logic [47:0]         cfg_mac,
    input  wire logic [31:0]         cfg_ip,
    // MAC receive (whole Ethernet frames, no FCS)
    input  wire logic [DATA_W-1:0]   s_axis_tdata,
    input  wire logic [DATA_W/8-1:0] s_axis_tkeep,
    input  wire logic                s_axis_tvalid,
    output wire logic                s_axis_tready,
    input  wire logic                s_axis_tlast,
    input  wire logic                s_axis_tuser,   // MAC error on this beat
    // frame descriptor
    output logic                     m_valid,
    output logic [4:0]               m_reason,       // ftoe_pkg::RX_*
    output logic [15:0]              m_frame_len,    // bytes, saturating
    output logic                     m_vlan,
    output logic [15:0]              m_vlan_tci,
    output logic [47:0]              m_src_mac,
    output logic [31:0]              m_src_ip,
    output logic [31:0]              m_dst_ip,
    output logic [15:0]              m_src_port,
    output logic [15:0]              m_dst_port,
    output logic [31:0]              m_seq,
    output logic [31:0]              m_ack,
    output logic [7:0]               m_flags,
    output logic [15:0]              m_window,       // raw field
    output logic [15:0]              m_payload_off,  // frame offset of the payload
    output logic [15:0]              m_payload_len,
    output logic                     m_has_mss,
    output logic [15:0]              m_mss,
    output logic                     m_has_wscale,
    output logic [7:0]               m_wscale,
    output logic                     m_sack_permitted,
    output logic                     m_has_sack,
    output logic [2:0]               m_sack_blocks,
    output logic                     m_has_ts,
    output logic [31:0]              m_tsval,
    output logic [31:0]              m_tsecr
);
    localparam int NB = DATA_W / 8;
    // Bytes captured: a tagged Ethernet header (18), the largest IPv4 (60) and TCP (60)
    // headers. The TCP header starts at 34 + 4k, k = VLAN + IHL - 5 in 0..11.
    localparam int HDR = 18 + 60 + 60;
    localparam int PW = 17;                                    // byte position, saturating
    localparam int CSUM_LAT = ($clog2(DATA_W / 16) + 1) / 2 + 2;  // csum_ipv4_l4's
    localparam int OPT_LAT = MAX_OPTIONS + 2;                  // tcp_opt_parse's
    // Cycle after tlast when fields, verdicts and options are all known; m_valid is one
    // later (the header's LATENCY).
    localparam int JOIN = CSUM_LAT > OPT_LAT ? CSUM_LAT : OPT_LAT;

    if (DATA_W < 64 || DATA_W > 1024 || (DATA_W & (DATA_W - 1)) != 0) begin : g_bad_data_w
        `FTOE_ELAB_FATAL $fatal(1, "eth_rx_parse: DATA_W=%0d is not a power of two in 64..1024",
                                DATA_W);
    end
    if (MAX_OPTIONS < 1 || MAX_OPTIONS > 20) begin : g_bad_max
        `FTOE_ELAB_FATAL $fatal(1, "eth_rx_parse: MAX_OPTIONS=%0d must be in 1..20", MAX_OPTIONS);
    end

    assign s_axis_tready = 1'b1;
    wire logic beat = s_axis_tvalid;
    wire logic tail = s_axis_tvalid && s_axis_tlast;

    // ---- Header bytes: captured ones merged with the beat on the bus ------------------
    logic             in_frame_q, err_q;
    logic [PW-1:0]    pos_q;                     // frame offset of lane 0 of the next beat
    logic [8*HDR-1:0] hdr_q;
    wire logic [PW-1:0] pos = in_frame_q ? pos_q : '0;
    wire logic err = (in_frame_q && err_q) || s_axis_tuser;

    // Header byte i can only be in lane i % NB of beat i / NB: a whole beat is merged at
    // once (one bus-wide select per beat of the header, not one per byte).
    localparam int HB = (HDR + NB - 1) / NB;     // beats the header spans (HB*NB > HDR)
    // Merged only in a beat's cycle, and everything decoded from it below only in the
    // tlast cycle (0 otherwise), so the simulated model skips it all between frames.
    logic [DATA_W-1:0] kept;                     // this beat, lanes not kept zeroed
    logic [HB*DATA_W-1:0] hdr_prev, hdr_beats;
    always_comb begin
        kept = '0;
        hdr_prev = '0;
        hdr_beats = '0;
        if (beat) begin
            for (int lane = 0; lane < NB; lane++)
                kept[8*lane +: 8] = s_axis_tkeep[lane] ? s_axis_tdata[8*lane +: 8] : 8'h00;
            if (in_frame_q) hdr_prev = (HB*DATA_W)'(hdr_q);
            for (int b = 0; b < HB; b++)
                hdr_beats[DATA_W*b +: DATA_W] = pos == PW'(b * NB) ? kept
                                                                   : hdr_prev[DATA_W*b +: DATA_W];
        end
    end
    wire logic [8*HDR-1:0] hdr = hdr_beats[8*HDR-1:0];  // this frame's header bytes so far, 0 beyond
    wire logic unused_hdr = ^hdr_beats[HB*DATA_W-1:8*HDR];  // lanes past the 138 bytes
    always_ff @(posedge clk) begin
        if (beat) begin
            pos_q <= pos[PW-1] ? pos : pos + PW'(NB);
            hdr_q <= hdr;
            err_q <= err;
        end
        if (rst) in_frame_q <= 1'b0;
        else if (beat) in_frame_q <= !s_axis_tlast;
    end

    // Frame length: offset after the highest kept lane of the tlast beat.
    logic [PW-1:0] len;
    always_comb begin
        len = pos;
        if (tail) for (int lane = 0; lane < NB; lane++)
            if (s_axis_tkeep[lane]) len = pos + PW'(lane) + PW'(1);
    end

    // ---- Fields, decoded combinationally in the tlast cycle ---------------------------
    // (`FTOE_BYTE, not functions of the whole header: see ftoe_defs.svh.)
    wire logic        vlan      = `FTOE_BYTE(hdr, 12) == 8'h81 && `FTOE_BYTE(hdr, 13) == 8'h00;
    wire logic [4:0]  l3        = vlan ? 5'd18 : 5'd14;
    // the IPv4 header's first 20 bytes, behind the tag if there is one
    logic [8*20-1:0] ip;
    always_comb begin
        ip = '0;
        if (tail) ip = vlan ? hdr[8*18 +: 8*20] : hdr[8*14 +: 8*20];
    end
    wire logic [47:0] dst_mac   = {`FTOE_BYTE(hdr, 0), `FTOE_BYTE(hdr, 1), `FTOE_BYTE(hdr, 2),
                                   `FTOE_BYTE(hdr, 3), `FTOE_BYTE(hdr, 4), `FTOE_BYTE(hdr, 5)};
    wire logic [47:0] src_mac   = {`FTOE_BYTE(hdr, 6), `FTOE_BYTE(hdr, 7), `FTOE_BYTE(hdr, 8),
                                   `FTOE_BYTE(hdr, 9), `FTOE_BYTE(hdr, 10), `FTOE_BYTE(hdr, 11)};
    wire logic [15:0] vlan_tci  = {`FTOE_BYTE(hdr, 14), `FTOE_BYTE(hdr, 15)};
    wire logic [15:0] ethertype = vlan ? {`FTOE_BYTE(hdr, 16), `FTOE_BYTE(hdr, 17)}
                                       : {`FTOE_BYTE(hdr, 12), `FTOE_BYTE(hdr, 13)};
    wire logic [7:0]  ver_ihl   = `FTOE_BYTE(ip, 0);
    wire logic [5:0]  ihl_bytes = {ver_ihl[3:0], 2'b00};
    wire logic [15:0] total     = {`FTOE_BYTE(ip, 2), `FTOE_BYTE(ip, 3)};
    wire logic [15:0] frag      = {`FTOE_BYTE(ip, 6), `FTOE_BYTE(ip, 7)} & 16'h3FFF;
    wire logic [7:0]  protocol  = `FTOE_BYTE(ip, 9);
    wire logic [31:0] src_ip    = {`FTOE_BYTE(ip, 12), `FTOE_BYTE(ip, 13), `FTOE_BYTE(ip, 14),
                                   `FTOE_BYTE(ip, 15)};
    wire logic [31:0] dst_ip    = {`FTOE_BYTE(ip, 16), `FTOE_BYTE(ip, 17), `FTOE_BYTE(ip, 18),
                                   `FTOE_BYTE(ip, 19)};
    // TOS, identification, TTL and header checksum: csum_ipv4_l4 checks the header
    wire logic unused_ip = ^{`FTOE_BYTE(ip, 1), `FTOE_BYTE(ip, 4), `FTOE_BYTE(ip, 5),
                             `FTOE_BYTE(ip, 8), `FTOE_BYTE(ip, 10), `FTOE_BYTE(ip, 11)};

    // TCP header: one of 12 fixed places (a 12:1 mux, not a byte shifter).
    wire logic [3:0] l4_place = 4'(vlan) + ver_ihl[3:0] - 4'd5;
    logic [479:0] tcp;
    always_comb begin
        tcp = '0;
        if (tail) begin
            tcp = hdr[8*34 +: 480];
            for (int k = 1; k < 12; k++)
                if (l4_place == 4'(k)) tcp = hdr[8*(34 + 4*k) +: 480];
        end
    end
    wire logic unused_tcp = ^{tcp[8*12 +: 4], tcp[8*16 +: 32]};  // reserved, checksum, urgent
    wire logic [5:0]   doff_bytes = {tcp[8*12+4 +: 4], 2'b00};
    wire logic [15:0]  l4_len     = total - 16'(ihl_bytes);
    wire logic [5:0]   opt_len    = doff_bytes >= 6'd20 ? doff_bytes - 6'd20 : 6'd0;

    // Checks that need neither checksum nor options, in two groups around the IPv4
    // checksum's place in the precedence order.
    logic       pre_hit;                         // a check before the IPv4 checksum failed
    logic [4:0] pre_reason;
    logic       mid_hit;                         // one between the two checksums failed
    logic [4:0] mid_reason;
    always_comb begin
        pre_hit = tail;                                       // (decoded in the tlast cycle only)
        if (!tail)                                            pre_reason = ftoe_pkg::RX_TCP;
        else if (err)                                         pre_reason = ftoe_pkg::RX_DROP_MAC_ERROR;
        else if (len < PW'(l3))                               pre_reason = ftoe_pkg::RX_DROP_RUNT;
        else if (dst_mac != cfg_mac && dst_mac != 48'hFFFF_FFFF_FFFF)
                                                              pre_reason = ftoe_pkg::RX_DROP_NOT_OUR_MAC;
        else if (ethertype == 16'h0806)                       pre_reason = ftoe_pkg::RX_SLOW_ARP;
        else if (ethertype != 16'h0800)                       pre_reason = ftoe_pkg::RX_DROP_ETHERTYPE;
        else if (ver_ihl[7:4] != 4'd4 || ihl_bytes < 6'd20 || total < 16'(ihl_bytes) ||
                 PW'(l3) + PW'(total) > len)                  pre_reason = ftoe_pkg::RX_DROP_BAD_IP_HEADER;
        else begin
            pre_hit = 1'b0;
            pre_reason = ftoe_pkg::RX_TCP;
        end
        mid_hit = tail;
        if (!tail)                                            mid_reason = ftoe_pkg::RX_TCP;
        else if (dst_ip != cfg_ip)                            mid_reason = ftoe_pkg::RX_DROP_NOT_OUR_IP;
        else if (frag != 16'd0)                               mid_reason = ftoe_pkg::RX_SLOW_FRAGMENT;
        else if (protocol == 8'd1)                            mid_reason = ftoe_pkg::RX_SLOW_ICMP;
        else if (protocol != 8'd6)                            mid_reason = ftoe_pkg::RX_SLOW_OTHER_PROTO;
        else if (l4_len < 16'd20 || doff_bytes < 6'd20 || 16'(doff_bytes) > l4_len)
                                                              mid_reason = ftoe_pkg::RX_DROP_BAD_TCP_HEADER;
        else begin
            mid_hit = 1'b0;
            mid_reason = ftoe_pkg::RX_TCP;
        end
    end

    // ---- Checksum verdicts and option walk, in parallel ---------------------------------
    logic ck_valid, ck_is_ipv4, ck_complete, ck_ip_ok, ck_l4_ok, ck_ready;
    logic [7:0]  ck_protocol;
    logic [15:0] ck_ip_sum, ck_l4_sum;
    csum_ipv4_l4 #(.DATA_W(DATA_W)) u_csum (
        .clk, .rst,
        .s_axis_tdata, .s_axis_tkeep, .s_axis_tvalid, .s_axis_tready(ck_ready), .s_axis_tlast,
        .m_valid(ck_valid), .m_is_ipv4(ck_is_ipv4), .m_complete(ck_complete),
        .m_protocol(ck_protocol), .m_ip_ok(ck_ip_ok), .m_l4_ok(ck_l4_ok),
        .m_ip_sum(ck_ip_sum), .m_l4_sum(ck_l4_sum)
    );
    // Only the two verdicts are used; the rest is decoded above from the same bytes.
    wire logic unused_ck = ^{ck_valid, ck_is_ipv4, ck_complete, ck_ready, ck_protocol,
                             ck_ip_sum, ck_l4_sum};

    logic op_valid, op_malformed, op_too_many, op_has_mss, op_has_ws, op_sackp, op_has_sack;
    logic op_has_ts;
    logic [15:0] op_mss;
    logic [7:0]  op_ws;
    logic [2:0]  op_blocks;
    logic [31:0] op_tsval, op_tsecr;
    logic [3:0]  op_unknown;
    tcp_opt_parse #(.MAX_OPTIONS(MAX_OPTIONS)) u_opts (
        .clk, .rst,
        .s_valid(tail), .s_opts(tcp[479:160]), .s_len(opt_len),
        .m_valid(op_valid), .m_malformed(op_malformed), .m_too_many(op_too_many),
        .m_has_mss(op_has_mss), .m_mss(op_mss), .m_has_wscale(op_has_ws), .m_wscale(op_ws),
        .m_sack_permitted(op_sackp), .m_has_sack(op_has_sack), .m_sack_blocks(op_blocks),
        .m_has_ts(op_has_ts), .m_tsval(op_tsval), .m_tsecr(op_tsecr), .m_unknown(op_unknown)
    );
    wire logic unused_op = ^{op_valid, op_unknown};

    // ---- Bring fields, verdicts and options to the same cycle (JOIN after tlast) ----------
    localparam int FW = 1 + 5 + 1 + 5 + 16 + 1 + 16 + 48 + 32 + 32 + 16 + 16 + 32 + 32 + 8 + 16 + 16 + 16;
    wire logic [15:0] len16 = len[PW-1] ? 16'hFFFF : len[15:0];
    wire logic [15:0] payload_off = 16'(l3) + 16'(ihl_bytes) + 16'(doff_bytes);
    logic [FW-1:0] fields;
    always_comb begin
        fields = '0;
        if (tail)
            fields = {pre_hit, pre_reason, mid_hit, mid_reason, len16, vlan, vlan_tci,
                      src_mac, src_ip, dst_ip,
                      {`FTOE_BYTE(tcp, 0), `FTOE_BYTE(tcp, 1)},
                      {`FTOE_BYTE(tcp, 2), `FTOE_BYTE(tcp, 3)},
                      {`FTOE_BYTE(tcp, 4), `FTOE_BYTE(tcp, 5), `FTOE_BYTE(tcp, 6),
                       `FTOE_BYTE(tcp, 7)},
                      {`FTOE_BYTE(tcp, 8), `FTOE_BYTE(tcp, 9), `FTOE_BYTE(tcp, 10),
                       `FTOE_BYTE(tcp, 11)},
                      `FTOE_BYTE(tcp, 13), {`FTOE_BYTE(tcp, 14), `FTOE_BYTE(tcp, 15)},
                      payload_off, l4_len - 16'(doff_bytes)};
    end
    logic [FW-1:0] f;
    pipe_delay #(.W(FW), .DEPTH(JOIN)) u_fields_delay (.clk, .d(fields), .q(f));

    logic [1:0] ck;
    pipe_delay #(.W(2), .DEPTH(JOIN - CSUM_LAT)) u_ck_delay (
        .clk, .d({ck_ip_ok, ck_l4_ok}), .q(ck));

    localparam int OW = 2 + 1 + 16 + 1 + 8 + 1 + 1 + 3 + 1 + 32 + 32;
    logic [OW-1:0] o;
    pipe_delay #(.W(OW), .DEPTH(JOIN - OPT_LAT)) u_opt_delay (
        .clk, .q(o),
        .d({op_malformed, op_too_many, op_has_mss, op_mss, op_has_ws, op_ws, op_sackp,
            op_has_sack, op_blocks, op_has_ts, op_tsval, op_tsecr}));

    // ---- Join: the final reason, in precedence order ------------------------------------
    wire logic       f_pre_hit    = f[FW-1];
    wire logic [4:0] f_pre_reason = f[FW-2 -: 5];
    wire logic       f_mid_hit    = f[FW-7];
    wire logic [4:0] f_mid_reason = f[FW-8 -: 5];
    wire logic       o_malformed  = o[OW-1];
    wire logic       o_too_many   = o[OW-2];
    logic [4:0] reason;
    always_comb begin
        if (f_pre_hit)          reason = f_pre_reason;
        else if (!ck[1])        reason = ftoe_pkg::RX_DROP_IP_CHECKSUM;
        else if (f_mid_hit)     reason = f_mid_reason;
        else if (!ck[0])        reason = ftoe_pkg::RX_DROP_TCP_CHECKSUM;
        else if (o_malformed)   reason = ftoe_pkg::RX_DROP_BAD_TCP_OPTIONS;
        else if (o_too_many)    reason = ftoe_pkg::RX_SLOW_TCP_OPTIONS;
        else                    reason = ftoe_pkg::RX_TCP;
    end

    logic [JOIN-1:0] tail_q;                     // tail_q[i]: a tlast was accepted i+1 cycles ago
    always_ff @(posedge clk) begin
        if (rst) begin
            tail_q  <= '0;
            m_valid <= 1'b0;
        end else begin
            tail_q  <= {tail_q[JOIN-2:0], tail};
            m_valid <= tail_q[JOIN-1];
        end
    end
    always_ff @(posedge clk) begin
        m_reason <= reason;
        {m_frame_len, m_vlan, m_vlan_tci, m_src_mac, m_src_ip, m_dst_ip, m_src_port, m_dst_port,
         m_seq, m_ack, m_flags, m_window, m_payload_off, m_payload_len} <= f[FW-13:0];
        {m_has_mss, m_mss, m_has_wscale, m_wscale, m_sack_permitted, m_has_sack, m_sack_blocks,
         m_has_ts, m_tsval, m_tsecr} <= o[OW-3:0];
    end
endmodule
`default_nettype wire
