// csum_ipv4_l4: checksum verdicts of each received Ethernet frame in one pass: the
// IPv4 header checksum and the TCP/UDP checksum with its pseudo-header (reference:
// ipv4_l4_csum() in hls/csum.hpp). The IPv4 header starts at byte 14, or 18 behind an
// 802.1Q tag; the L4 range ends at the IPv4 total length, so Ethernet padding is
// excluded. Two csum_stream units sum the ranges, which are derived beat by beat from
// the header bytes seen so far (each range is known before its first byte arrives when
// IHL >= 5).
//
// Latency:    m_valid is high for one cycle exactly LATENCY = csum_stream latency + 1
//             cycles after the cycle in which the tlast beat is accepted: 3 cycles at
//             DATA_W=64, 5 at DATA_W=512.
// Throughput: 1 beat/cycle; s_axis_tready is constant 1, frames back to back.
// Assumes:    as csum_stream (full beats but the last). Sums are meaningful only when
//             m_complete; m_ip_ok/m_l4_ok are false otherwise.
`include "ftoe_defs.svh"
`default_nettype none
module csum_ipv4_l4 #(
    // Data bus width in bits: a power of two from 64 to 1024
    parameter int DATA_W = 64
) (
    input  wire logic                clk,
    input  wire logic                rst,
    // frame in (whole Ethernet frame, no FCS)
    input  wire logic [DATA_W-1:0]   s_axis_tdata,
    input  wire logic [DATA_W/8-1:0] s_axis_tkeep,
    input  wire logic                s_axis_tvalid,
    output wire logic                s_axis_tready,
    input  wire logic                s_axis_tlast,
    // per-frame verdict
    output logic                     m_valid,
    output logic                     m_is_ipv4,    // EtherType IPv4 and version 4
    output logic                     m_complete,   // whole header and datagram present
    output logic [7:0]               m_protocol,
    output logic                     m_ip_ok,      // IPv4 header checksum right
    output logic                     m_l4_ok,      // TCP/UDP checksum right
    output logic [15:0]              m_ip_sum,
    output logic [15:0]              m_l4_sum      // pseudo-header included
);
    localparam int NB = DATA_W / 8;
    localparam int HDR = 38;                      // bytes up to a tagged IPv4 header's end
    localparam int PW = 17;                       // frame byte position, saturating
    localparam int CSUM_LATENCY = ($clog2(DATA_W / 16) + 1) / 2 + 1;  // csum_stream's

    if (DATA_W < 64 || DATA_W > 1024 || (DATA_W & (DATA_W - 1)) != 0) begin : g_bad_data_w
        `FTOE_ELAB_FATAL $fatal(1, "csum_ipv4_l4: DATA_W=%0d is not a power of two in 64..1024",
                                DATA_W);
    end

    assign s_axis_tready = 1'b1;
    wire logic beat = s_axis_tvalid;

    // ---- Header bytes: captured ones, merged with the beat on the bus ------------------
    logic          in_frame_q;
    logic [PW-1:0] pos_q;                         // frame offset of lane 0 of the next beat
    logic [8*HDR-1:0] hdr_q;
    wire logic [PW-1:0] pos = in_frame_q ? pos_q : '0;

    logic [8*HDR-1:0] hdr;                        // header bytes as known during this beat
    always_comb begin
        hdr = in_frame_q ? hdr_q : '0;
        // Header byte i can only be in lane i % NB of beat i / NB: compare beats, not lanes.
        for (int i = 0; i < HDR; i++) begin
            if (pos == PW'((i / NB) * NB))
                hdr[8*i +: 8] = s_axis_tkeep[i % NB] ? s_axis_tdata[8*(i % NB) +: 8] : 8'h00;
        end
    end
    // (`FTOE_BYTE, not a function of the whole header: see ftoe_defs.svh.)
    wire logic        vlan     = `FTOE_BYTE(hdr, 12) == 8'h81 && `FTOE_BYTE(hdr, 13) == 8'h00;
    wire logic [4:0]  l3       = vlan ? 5'd18 : 5'd14;
    // the IPv4 header's first 20 bytes, behind the tag if there is one
    wire logic [8*20-1:0] ip   = vlan ? hdr[8*18 +: 8*20] : hdr[8*14 +: 8*20];
    wire logic [7:0]  ver_ihl  = `FTOE_BYTE(ip, 0);
    wire logic [15:0] ethtype  = vlan ? {`FTOE_BYTE(hdr, 16), `FTOE_BYTE(hdr, 17)}
                                      : {`FTOE_BYTE(hdr, 12), `FTOE_BYTE(hdr, 13)};
    wire logic [15:0] total    = {`FTOE_BYTE(ip, 2), `FTOE_BYTE(ip, 3)};
    wire logic [7:0]  protocol = `FTOE_BYTE(ip, 9);
    wire logic [31:0] src_ip   = {`FTOE_BYTE(ip, 12), `FTOE_BYTE(ip, 13), `FTOE_BYTE(ip, 14),
                                  `FTOE_BYTE(ip, 15)};
    wire logic [31:0] dst_ip   = {`FTOE_BYTE(ip, 16), `FTOE_BYTE(ip, 17), `FTOE_BYTE(ip, 18),
                                  `FTOE_BYTE(ip, 19)};
    wire logic unused_ip = ^{`FTOE_BYTE(ip, 1), ip[8*4 +: 40], ip[8*10 +: 16]};  // not used here
    wire logic [5:0]  ihl_bytes = {ver_ihl[3:0], 2'b00};
    wire logic        is_ipv4  = ethtype == 16'h0800 && ver_ihl[7:4] == 4'd4;

    // Ranges for this beat's bytes.
    wire logic [15:0] ip_start = 16'(l3);
    wire logic [15:0] ip_end   = 16'(l3) + 16'(ihl_bytes);
    wire logic [15:0] l4_end   = 16'(l3) + total;

    // ---- The two sums ----------------------------------------------------------------
    logic ip_valid, l4_valid;
    logic unused_ready_ip, unused_ready_l4;  // constant 1, and ours is too
    logic [15:0] ip_sum, l4_sum;
    csum_stream #(.DATA_W(DATA_W)) u_ip_sum (
        .clk, .rst,
        .s_axis_tdata, .s_axis_tkeep, .s_axis_tvalid, .s_axis_tready(unused_ready_ip), .s_axis_tlast,
        .csum_start(ip_start), .csum_end(ip_end),
        .sum_valid(ip_valid), .sum(ip_sum)
    );
    csum_stream #(.DATA_W(DATA_W)) u_l4_sum (
        .clk, .rst,
        .s_axis_tdata, .s_axis_tkeep, .s_axis_tvalid, .s_axis_tready(unused_ready_l4), .s_axis_tlast,
        .csum_start(ip_end), .csum_end(l4_end),
        .sum_valid(l4_valid), .sum(l4_sum)
    );
    wire logic unused_ip_valid = ip_valid;  // the two units run in lockstep

    // ---- Frame facts at tlast, delayed to meet the sums ------------------------------------
    // Length of the frame: offset after the highest kept lane of the tlast beat.
    logic [PW-1:0] last_len;
    always_comb begin
        last_len = pos;
        for (int lane = 0; lane < NB; lane++)
            if (s_axis_tkeep[lane]) last_len = pos + PW'(lane) + PW'(1);
    end
    wire logic [15:0] pseudo = ftoe_pseudo_sum(src_ip, dst_ip, protocol, total - 16'(ihl_bytes));
    function automatic logic [15:0] ftoe_pseudo_sum(input logic [31:0] s, input logic [31:0] d,
                                                    input logic [7:0] p, input logic [15:0] len);
        logic [18:0] acc;
        acc = 19'(s[31:16]) + 19'(s[15:0]) + 19'(d[31:16]) + 19'(d[15:0]) + 19'(p) + 19'(len);
        acc = 19'(acc[15:0]) + 19'(acc[18:16]);
        ftoe_pseudo_sum = acc[15:0] + 16'(acc[16]);
    endfunction
    wire logic complete = is_ipv4 && ihl_bytes >= 6'd20 && total >= 16'(ihl_bytes) &&
                          32'(last_len) >= 32'(l3) + 32'(total);

    localparam int FW = 1 + 1 + 8 + 16;           // is_ipv4, complete, protocol, pseudo
    logic [FW-1:0] facts_q [CSUM_LATENCY];
    always_ff @(posedge clk) begin
        facts_q[0] <= {is_ipv4, complete, protocol, pseudo};
        for (int i = 1; i < CSUM_LATENCY; i++) facts_q[i] <= facts_q[i-1];
    end
    logic [FW-1:0] facts;
    always_comb facts = facts_q[CSUM_LATENCY-1];

    always_ff @(posedge clk) begin
        if (beat) begin
            pos_q <= pos[PW-1] ? pos : pos + PW'(NB);
            hdr_q <= hdr;
        end
    end

    // Final stage: add the pseudo-header, judge.
    wire logic [16:0] l4_total = 17'(l4_sum) + 17'(facts[15:0]);
    wire logic [15:0] l4_with_pseudo = l4_total[15:0] + 16'(l4_total[16]);
    always_ff @(posedge clk) begin
        if (l4_valid) begin
            m_is_ipv4  <= facts[FW-1];
            m_complete <= facts[FW-2];
            m_protocol <= facts[FW-3 -: 8];
            m_ip_sum   <= ip_sum;
            m_l4_sum   <= l4_with_pseudo;
            m_ip_ok    <= facts[FW-2] && ip_sum == 16'hFFFF;
            m_l4_ok    <= facts[FW-2] && l4_with_pseudo == 16'hFFFF;
        end
    end
    always_ff @(posedge clk) begin
        if (rst) begin
            in_frame_q <= 1'b0;
            m_valid    <= 1'b0;
        end else begin
            if (beat) in_frame_q <= !s_axis_tlast;
            m_valid <= l4_valid;
        end
    end
endmodule
`default_nettype wire
