// tx_ack_build: the engine's header-only segments (ACKs: pure, duplicate, challenge) as
// whole Ethernet/IPv4/TCP frames on the MAC transmit stream, both checksums filled.
// IPv4: IHL 5, ID 0 with DF (RFC 6864: atomic datagram), TTL 64. TCP: no payload, the
// options NOP NOP Timestamps (RFC 7323 Appendix A layout) when ts_enable, else none.
// A 54-byte frame (no options) is padded with zeros to the 60-byte Ethernet minimum;
// the padding is outside the IPv4 length and the checksums.
//
// Latency:    the first beat is offered 3 cycles after the s_desc handshake (sums,
//             fold, load).
// Throughput: one frame at a time: 60 or 66 bytes at 1 beat/cycle (8 or 9 beats at
//             64 bits, 1 or 2 at 512), then s_desc_ready again in the cycle after the
//             last beat is taken, so a descriptor every 3 + beats cycles back to back.
// Assumes:    nothing about the fields (any values are framed faithfully).
`include "ftoe_defs.svh"
`default_nettype none
module tx_ack_build #(
    // Data bus width in bits: a power of two from 64 to 1024
    parameter int DATA_W = 64
) (
    input  wire logic                clk,
    input  wire logic                rst,
    // segment descriptor
    input  wire logic                s_desc_valid,
    output wire logic                s_desc_ready,
    input  wire logic [47:0]         s_desc_dst_mac,   // first byte on the wire in 47:40
    input  wire logic [47:0]         s_desc_src_mac,
    input  wire logic [31:0]         s_desc_src_ip,
    input  wire logic [31:0]         s_desc_dst_ip,
    input  wire logic [15:0]         s_desc_src_port,
    input  wire logic [15:0]         s_desc_dst_port,
    input  wire logic [31:0]         s_desc_seq,
    input  wire logic [31:0]         s_desc_ack,
    input  wire logic [7:0]          s_desc_flags,     // CWR ECE URG ACK PSH RST SYN FIN
    input  wire logic [15:0]         s_desc_window,    // the raw field
    input  wire logic                s_desc_ts_enable,
    input  wire logic [31:0]         s_desc_tsval,
    input  wire logic [31:0]         s_desc_tsecr,
    // frame out
    output logic [DATA_W-1:0]        m_axis_tdata,
    output logic [DATA_W/8-1:0]      m_axis_tkeep,
    output logic                     m_axis_tvalid,
    input  wire logic                m_axis_tready,
    output logic                     m_axis_tlast
);
    localparam int NB = DATA_W / 8;
    localparam int HB = 66;                          // the longest frame, in bytes
    localparam int SW = (HB * 8 + DATA_W - 1) / DATA_W * DATA_W;  // shift register width
    if (DATA_W < 64 || DATA_W > 1024 || (DATA_W & (DATA_W - 1)) != 0) begin : g_bad_data_w
        `FTOE_ELAB_FATAL $fatal(1, "tx_ack_build: DATA_W=%0d is not a power of two in 64..1024",
                                DATA_W);
    end

    localparam logic [1:0] IDLE = 2'd0, SUM = 2'd1, LOAD = 2'd2, SEND = 2'd3;
    logic [1:0] state_q;
    assign s_desc_ready = state_q == IDLE;
    wire logic desc_hs = s_desc_valid && s_desc_ready;

    // ---- The descriptor, held for the frame ------------------------------------------------
    logic [47:0] dst_mac_q, src_mac_q;
    logic [31:0] src_ip_q, dst_ip_q, seq_q, ack_q, tsval_q, tsecr_q;
    logic [15:0] sport_q, dport_q, window_q;
    logic [7:0]  flags_q;
    logic        ts_q;
    always_ff @(posedge clk) begin
        if (desc_hs) begin
            dst_mac_q <= s_desc_dst_mac;
            src_mac_q <= s_desc_src_mac;
            src_ip_q  <= s_desc_src_ip;
            dst_ip_q  <= s_desc_dst_ip;
            sport_q   <= s_desc_src_port;
            dport_q   <= s_desc_dst_port;
            seq_q     <= s_desc_seq;
            ack_q     <= s_desc_ack;
            flags_q   <= s_desc_flags;
            window_q  <= s_desc_window;
            ts_q      <= s_desc_ts_enable;
            tsval_q   <= s_desc_tsval;
            tsecr_q   <= s_desc_tsecr;
        end
    end
    wire logic [15:0] tcp_len = ts_q ? 16'd32 : 16'd20;
    wire logic [15:0] ip_len  = 16'd20 + tcp_len;
    wire logic [3:0]  doff    = ts_q ? 4'd8 : 4'd5;

    // ---- Checksums: the 16-bit words summed (SUM), folded and complemented (LOAD) ----------
    logic [31:0] ip_sum_q, tcp_sum_q;
    always_ff @(posedge clk) begin
        if (state_q == SUM) begin
            ip_sum_q <= 32'h4500 + 32'(ip_len) + 32'h4000 + 32'h4006 +
                        32'(src_ip_q[31:16]) + 32'(src_ip_q[15:0]) +
                        32'(dst_ip_q[31:16]) + 32'(dst_ip_q[15:0]);
            tcp_sum_q <= 32'(src_ip_q[31:16]) + 32'(src_ip_q[15:0]) +
                         32'(dst_ip_q[31:16]) + 32'(dst_ip_q[15:0]) + 32'h0006 +
                         32'(tcp_len) + 32'(sport_q) + 32'(dport_q) +
                         32'(seq_q[31:16]) + 32'(seq_q[15:0]) +
                         32'(ack_q[31:16]) + 32'(ack_q[15:0]) + 32'({doff, 4'b0, flags_q}) +
                         32'(window_q) +
                         (ts_q ? 32'h0101 + 32'h080A + 32'(tsval_q[31:16]) + 32'(tsval_q[15:0]) +
                                 32'(tsecr_q[31:16]) + 32'(tsecr_q[15:0])
                               : 32'd0);
        end
    end
    // ones'-complement fold of a 32-bit sum, complemented: the field to send
    function automatic logic [15:0] csum_field(input logic [31:0] s);
        logic [31:0] f;
        f = {16'd0, s[31:16]} + {16'd0, s[15:0]};
        f = {16'd0, f[31:16]} + {16'd0, f[15:0]};
        csum_field = ~f[15:0];
    endfunction

    // ---- The frame's bytes (byte i in bits 8i+7:8i, as lanes go) ---------------------------
    logic [8*HB-1:0] frame;
    always_comb begin
        logic [15:0] ipc, tcpc;
        // only in LOAD, its one user (the simulated model skips it in every other cycle)
        {ipc, tcpc} = '0;
        frame = '0;
        if (state_q == LOAD) begin
            ipc = csum_field(ip_sum_q);
            tcpc = csum_field(tcp_sum_q);
            for (int i = 0; i < 6; i++) begin
                frame[8*i +: 8]       = dst_mac_q[8*(5-i) +: 8];
                frame[8*(6+i) +: 8]   = src_mac_q[8*(5-i) +: 8];
            end
            frame[8*12 +: 8]  = 8'h08;                   // EtherType 0x0800 (IPv4)
            frame[8*14 +: 8]  = 8'h45;
            frame[8*16 +: 8]  = ip_len[15:8];
            frame[8*17 +: 8]  = ip_len[7:0];
            frame[8*20 +: 8]  = 8'h40;                   // DF
            frame[8*22 +: 8]  = 8'd64;                   // TTL
            frame[8*23 +: 8]  = 8'd6;                    // TCP
            frame[8*24 +: 8]  = ipc[15:8];
            frame[8*25 +: 8]  = ipc[7:0];
            for (int i = 0; i < 4; i++) begin
                frame[8*(26+i) +: 8] = src_ip_q[8*(3-i) +: 8];
                frame[8*(30+i) +: 8] = dst_ip_q[8*(3-i) +: 8];
                frame[8*(38+i) +: 8] = seq_q[8*(3-i) +: 8];
                frame[8*(42+i) +: 8] = ack_q[8*(3-i) +: 8];
            end
            frame[8*34 +: 8] = sport_q[15:8];
            frame[8*35 +: 8] = sport_q[7:0];
            frame[8*36 +: 8] = dport_q[15:8];
            frame[8*37 +: 8] = dport_q[7:0];
            frame[8*46 +: 8] = {doff, 4'b0};
            frame[8*47 +: 8] = flags_q;
            frame[8*48 +: 8] = window_q[15:8];
            frame[8*49 +: 8] = window_q[7:0];
            frame[8*50 +: 8] = tcpc[15:8];
            frame[8*51 +: 8] = tcpc[7:0];
            if (ts_q) begin
                frame[8*54 +: 8] = 8'd1;                 // NOP
                frame[8*55 +: 8] = 8'd1;                 // NOP
                frame[8*56 +: 8] = 8'd8;                 // Timestamps
                frame[8*57 +: 8] = 8'd10;
                for (int i = 0; i < 4; i++) begin
                    frame[8*(58+i) +: 8] = tsval_q[8*(3-i) +: 8];
                    frame[8*(62+i) +: 8] = tsecr_q[8*(3-i) +: 8];
                end
            end
        end
    end

    // ---- Beats: a shift register, one beat off the bottom per cycle ------------------------
    logic [SW-1:0] shift_q;
    logic [7:0]    left_q;                           // frame bytes not yet sent
    wire logic [7:0] nb8 = 8'(NB);
    always_comb begin
        m_axis_tdata  = shift_q[DATA_W-1:0];
        m_axis_tvalid = state_q == SEND;
        m_axis_tlast  = left_q <= nb8;
        m_axis_tkeep  = left_q >= nb8 ? {NB{1'b1}} : {NB{1'b1}} >> (NB - 32'(left_q));
    end
    always_ff @(posedge clk) begin
        if (rst) begin
            state_q <= IDLE;
        end else begin
            case (state_q)
                IDLE: if (desc_hs) state_q <= SUM;
                SUM:  state_q <= LOAD;
                LOAD: begin
                    shift_q <= SW'(frame);
                    left_q  <= ts_q ? 8'd66 : 8'd60;
                    state_q <= SEND;
                end
                default: if (m_axis_tready) begin
                    shift_q <= shift_q >> DATA_W;
                    left_q  <= left_q - nb8;
                    if (left_q <= nb8) state_q <= IDLE;
                end
            endcase
        end
    end
endmodule
`default_nettype wire
