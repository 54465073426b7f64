// tx_frame_build: one whole Ethernet/IPv4/TCP frame (no FCS) on the MAC transmit stream
// from a segment descriptor plus payload_len payload bytes, both checksums filled
// cut-through (the TCP checksum uses the descriptor's payload_sum, the RFC 1071 sum of
// the payload from an even offset). Reference: hls/tx_frame.hpp (ftoe::kernel).
// IPv4: IHL 5, ID 0 with DF (RFC 6864), TTL 64, protocol 6. TCP: urgent pointer 0;
// NOP NOP Timestamps (data offset 8) when ts_enable, else no options (data offset 5).
// Frames under 60 bytes are zero-padded to 60 (outside the IPv4 length and checksums).
// Payload beats (lane 0 first, exact tkeep, tlast on the last) follow the 54/66-byte
// header, realigned into a byte buffer; m_axis tkeep is exact on the last beat.
//
// Latency:    the first beat is offered 3 cycles after the s_desc handshake cycle
//             (capture, checksum fold, buffer load).
// Throughput: 1 beat/cycle through a frame while the payload keeps up, and back to back
//             across frames: the next descriptor is taken in the cycle a frame's first
//             beat is offered and its header computed while that frame streams, so its
//             first beat follows the previous last beat with no idle cycle when that
//             frame has at least 3 beats (every frame at 64 bits; asserted by its cosim).
// Assumes:    payload_len > 0 iff payload beats follow, and their count matches.
`include "ftoe_defs.svh"
`default_nettype none

module tx_frame_build #(
    parameter int DATA_W = 64
) (
    input  wire logic                clk,
    input  wire logic                rst,

    input  wire logic                s_desc_valid,
    output logic                     s_desc_ready,
    input  wire logic [47:0]         s_desc_dst_mac,
    input  wire logic [47:0]         s_desc_src_mac,
    input  wire logic [31:0]         s_desc_src_ip,
    input  wire logic [31:0]         s_desc_dst_ip,
    input  wire logic [15:0]         s_desc_src_port,
    input  wire logic [15:0]         s_desc_dst_port,
    input  wire logic [31:0]         s_desc_seq,
    input  wire logic [31:0]         s_desc_ack,
    input  wire logic [7:0]          s_desc_flags,
    input  wire logic [15:0]         s_desc_window,
    input  wire logic                s_desc_ts_enable,
    input  wire logic [31:0]         s_desc_tsval,
    input  wire logic [31:0]         s_desc_tsecr,
    input  wire logic [15:0]         s_desc_payload_len,
    input  wire logic [15:0]         s_desc_payload_sum,

    input  wire logic [DATA_W-1:0]   s_pay_tdata,
    input  wire logic [DATA_W/8-1:0] s_pay_tkeep,
    input  wire logic                s_pay_tvalid,
    output logic                     s_pay_tready,
    input  wire logic                s_pay_tlast,

    output logic [DATA_W-1:0]        m_axis_tdata,
    output logic [DATA_W/8-1:0]      m_axis_tkeep,
    output logic                     m_axis_tvalid,
    input  wire logic                m_axis_tready,
    output logic                     m_axis_tlast,
    output logic                     m_axis_tuser
);
    localparam int B = DATA_W / 8;
    localparam int HB = 66;                 // longest header in bytes
    localparam int CAPB = HB + 2 * B;       // buffer bytes
    localparam int CW = $clog2(CAPB + 1);

    generate
        if (DATA_W < 64 || DATA_W > 1024 || (DATA_W & (DATA_W - 1)) != 0) begin : g_bad_w
            `FTOE_ELAB_FATAL $fatal(1, "%m: DATA_W must be a power of two in 64..1024");
        end
    endgenerate

    // ---- stage 1: captured descriptor
    logic        d_valid;                   // captured, sums not yet folded
    logic [47:0] d_dmac, d_smac;
    logic [31:0] d_sip, d_dip, d_seq, d_ack, d_tsval, d_tsecr;
    logic [15:0] d_sport, d_dport, d_win, d_plen, d_psum;
    logic [7:0]  d_flags;
    logic        d_ts;

    // ---- stage 2: folded checksums, header ready
    logic        h_valid;
    logic [15:0] h_ipck, h_tcpck;

    // ---- streaming state
    logic            busy;                  // a frame is in the buffer / being fed
    logic            pay_open;              // payload beats still to take
    logic [CAPB*8-1:0] buf_q;
    logic [CW-1:0]   cnt_q;
    logic [CW-1:0]   pad_q;                 // zero bytes added after the last payload beat

    assign s_desc_ready = !d_valid && !h_valid;

    always_ff @(posedge clk) begin
        if (s_desc_valid && s_desc_ready) begin
            d_dmac <= s_desc_dst_mac;    d_smac <= s_desc_src_mac;
            d_sip <= s_desc_src_ip;      d_dip <= s_desc_dst_ip;
            d_sport <= s_desc_src_port;  d_dport <= s_desc_dst_port;
            d_seq <= s_desc_seq;         d_ack <= s_desc_ack;
            d_flags <= s_desc_flags;     d_win <= s_desc_window;
            d_ts <= s_desc_ts_enable;    d_tsval <= s_desc_tsval;
            d_tsecr <= s_desc_tsecr;     d_plen <= s_desc_payload_len;
            d_psum <= s_desc_payload_sum;
        end
    end

    // Sums of the captured fields (wide, folded once here and once on use).
    logic [15:0] tcp_hlen, ip_total, tcp_len;
    logic [23:0] ip_acc, tcp_acc;
    always_comb begin
        tcp_hlen = d_ts ? 16'd32 : 16'd20;
        tcp_len  = tcp_hlen + d_plen;
        ip_total = 16'd20 + tcp_len;
        // the sums only in the cycle they are folded (the simulated model skips them
        // in every other cycle)
        ip_acc = '0;
        tcp_acc = '0;
        if (d_valid) begin
            ip_acc = 24'h4500 + 24'h4000 + 24'h4006 + {8'd0, ip_total}
                   + {8'd0, d_sip[31:16]} + {8'd0, d_sip[15:0]}
                   + {8'd0, d_dip[31:16]} + {8'd0, d_dip[15:0]};
            tcp_acc = {8'd0, d_sip[31:16]} + {8'd0, d_sip[15:0]}
                    + {8'd0, d_dip[31:16]} + {8'd0, d_dip[15:0]} + 24'd6 + {8'd0, tcp_len}
                    + {8'd0, d_sport} + {8'd0, d_dport}
                    + {8'd0, d_seq[31:16]} + {8'd0, d_seq[15:0]}
                    + {8'd0, d_ack[31:16]} + {8'd0, d_ack[15:0]}
                    + {8'd0, tcp_hlen[5:2], 4'd0, d_flags} + {8'd0, d_win}
                    + {8'd0, d_psum}
                    + (d_ts ? (24'h0101 + 24'h080a
                               + {8'd0, d_tsval[31:16]} + {8'd0, d_tsval[15:0]}
                               + {8'd0, d_tsecr[31:16]} + {8'd0, d_tsecr[15:0]}) : 24'd0);
        end
    end

    function automatic logic [15:0] fold24(input logic [23:0] a);
        logic [16:0] s1;
        s1 = {9'd0, a[23:16]} + {1'b0, a[15:0]};
        fold24 = s1[15:0] + {15'd0, s1[16]};
    endfunction

    always_ff @(posedge clk) begin
        if (d_valid) begin
            h_ipck  <= ~fold24(ip_acc);
            h_tcpck <= ~fold24(tcp_acc);
        end
    end

    // Header bytes, first byte on the wire in lane 0; only while a header waits to be
    // loaded (the simulated model skips them in every other cycle).
    logic [HB*8-1:0] hdr_be, hdr_le;
    always_comb begin
        hdr_be = '0;
        hdr_le = '0;
        if (h_valid) begin
            hdr_be = {d_dmac, d_smac, 16'h0800,
                      8'h45, 8'h00, ip_total, 16'h0000, 16'h4000, 8'd64, 8'd6, h_ipck,
                      d_sip, d_dip,
                      d_sport, d_dport, d_seq, d_ack, tcp_hlen[5:2], 4'd0, d_flags, d_win,
                      h_tcpck, 16'h0000,
                      8'h01, 8'h01, 8'h08, 8'h0a, d_tsval, d_tsecr};
            if (!d_ts) hdr_be[12*8-1:0] = '0;
            for (int i = 0; i < HB; i++) hdr_le[i*8 +: 8] = hdr_be[(HB-1-i)*8 +: 8];
        end
    end

    // ---- buffer: emit the low B bytes, append a payload beat at the fill level
    logic            emit, last_beat, take_pay, load_hdr;
    logic [CW-1:0]   cnt_after, keep_cnt;
    logic [CAPB*8-1:0] pay_ext, buf_shift;
    logic [DATA_W-1:0] pay_masked;

    always_comb begin
        m_axis_tdata  = buf_q[DATA_W-1:0];
        last_beat     = busy && !pay_open && cnt_q <= CW'(B);
        m_axis_tvalid = busy && (cnt_q >= CW'(B) || last_beat) && cnt_q != '0;
        m_axis_tlast  = last_beat;
        m_axis_tuser  = 1'b0;
        for (int i = 0; i < B; i++) m_axis_tkeep[i] = CW'(i) < cnt_q;
    end
    // (a separate block: the outputs above do not depend on m_axis_tready, which keeps
    // chains of stream blocks free of false combinational loops)
    always_comb begin
        emit      = m_axis_tvalid && m_axis_tready;
        cnt_after = emit ? (last_beat ? '0 : cnt_q - CW'(B)) : cnt_q;
        // the wide shifts only in a cycle that uses them (the simulated model skips
        // them in every other cycle)
        buf_shift = buf_q;
        if (emit) buf_shift = buf_q >> DATA_W;
        keep_cnt  = '0;
        pay_masked = '0;
        pay_ext = '0;
        s_pay_tready = busy && pay_open && (cnt_after <= CW'(CAPB - B));
        if (s_pay_tvalid) begin
            for (int i = 0; i < B; i++) begin
                pay_masked[i*8 +: 8] = s_pay_tkeep[i] ? s_pay_tdata[i*8 +: 8] : 8'd0;
                keep_cnt = keep_cnt + CW'(s_pay_tkeep[i]);
            end
            pay_ext = {{(CAPB*8-DATA_W){1'b0}}, pay_masked} << {cnt_after, 3'b000};
        end
        load_hdr     = h_valid && (!busy || (emit && last_beat));
    end
    assign take_pay = s_pay_tready && s_pay_tvalid;

    always_ff @(posedge clk) begin
        if (load_hdr) begin
            buf_q <= {{(CAPB*8-HB*8){1'b0}}, hdr_le};
            cnt_q <= d_ts ? CW'(66) : (d_plen == 16'd0 ? CW'(60) : CW'(54));
            // no options and 1..5 payload bytes: pad the frame to 60 after the payload
            pad_q <= (!d_ts && d_plen < 16'd6) ? CW'(16'd6 - d_plen) : '0;
        end else if (busy) begin
            buf_q <= buf_shift | (take_pay ? pay_ext : '0);
            cnt_q <= cnt_after + (take_pay ? keep_cnt + (s_pay_tlast ? pad_q : '0) : '0);
        end
    end

    // Without options the header is 54 bytes; bytes 54..65 of hdr_be are cleared, so a
    // pure ACK's pad to 60 is zeros, and with payload the fill level starts at 54.

    always_ff @(posedge clk) begin
        if (rst) begin
            d_valid <= 1'b0;
            h_valid <= 1'b0;
            busy <= 1'b0;
            pay_open <= 1'b0;
        end else begin
            if (s_desc_valid && s_desc_ready) d_valid <= 1'b1;
            else if (d_valid) d_valid <= 1'b0;
            if (d_valid) h_valid <= 1'b1;
            else if (load_hdr) h_valid <= 1'b0;
            if (load_hdr) begin
                busy <= 1'b1;
                pay_open <= d_plen != 16'd0;
            end else begin
                if (take_pay && s_pay_tlast) pay_open <= 1'b0;
                if (emit && last_beat) busy <= 1'b0;
            end
        end
    end
endmodule

`default_nettype wire
