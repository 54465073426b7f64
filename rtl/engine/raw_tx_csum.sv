// raw_tx_csum: fills the checksums of a host-built frame (RAW_TX) so the host never
// computes them: the IPv4 header checksum (s_fill[0]) and the TCP or UDP checksum with
// its pseudo-header (s_fill[1]), over exactly the IPv4 total length (padding excluded),
// behind an optional 802.1Q tag. The frame is stored while its bytes arrive and the sums
// are taken on the way in (the checksum fields count as zero, whatever the host put
// there); then it is sent with the fields replaced. A checksum is filled only where it
// applies: IPv4 (version 4, IHL >= 5, the header within the frame) for the header, and
// for L4 additionally TCP or UDP, not a fragment, the total length within the frame and
// long enough for the L4 header; otherwise the frame leaves as it came (so ARP, ICMP and
// anything else pass through). A UDP checksum that computes to 0 is sent as 0xFFFF.
//
// Latency:    store and forward: the first byte is offered 4 cycles after the frame's
//             last byte is accepted (sums folded, first read, output buffer).
// Throughput: 1 byte/cycle in and 1 byte/cycle out, one frame at a time: s_axis_tready
//             is low from a frame's last byte until its own last byte has left.
// Assumes:    frames of 1..BUF_BYTES bytes; s_fill is sampled with a frame's first byte.
`include "ftoe_defs.svh"
`default_nettype none
module raw_tx_csum #(
    // Largest frame in bytes (one frame is stored at a time): a power of two, 2048..65536
    parameter int BUF_BYTES = 16384
) (
    input  wire logic       clk,
    input  wire logic       rst,
    // frame bytes in, and what to fill (bit 0 IPv4 header, bit 1 TCP/UDP)
    input  wire logic [7:0] s_axis_tdata,
    input  wire logic       s_axis_tvalid,
    output wire logic       s_axis_tready,
    input  wire logic       s_axis_tlast,
    input  wire logic [1:0] s_fill,
    // frame bytes out
    output wire logic [7:0] m_axis_tdata,
    output wire logic       m_axis_tvalid,
    input  wire logic       m_axis_tready,
    output wire logic       m_axis_tlast,
    // status: a frame is being stored or sent
    output wire logic       busy
);
    localparam int AW = $clog2(BUF_BYTES);
    if (BUF_BYTES < 2048 || BUF_BYTES > 65536 || (BUF_BYTES & (BUF_BYTES - 1)) != 0) begin : g_bad_buf
        `FTOE_ELAB_FATAL $fatal(1, "raw_tx_csum: BUF_BYTES=%0d is not a power of two in 2048..65536",
                                BUF_BYTES);
    end

    localparam logic [1:0] S_IN = 2'd0, S_FOLD = 2'd1, S_OUT = 2'd2;
    logic [1:0]  state_q;
    logic [7:0]  mem [BUF_BYTES];
    logic [15:0] idx_q;                             // bytes taken (S_IN) / read (S_OUT)
    logic [15:0] len_q;                             // the frame's length
    logic [1:0]  fill_q;

    // ---- Header fields as they pass ------------------------------------------------------
    logic [15:0] et_q;                              // outer ethertype
    logic        vlan_q;
    logic [15:0] inner_q;                           // ethertype behind the tag
    logic [3:0]  ver_q, ihl_q;
    logic [15:0] tot_q;                             // IPv4 total length
    logic [7:0]  proto_q;
    logic        frag_q;                            // MF set or a fragment offset
    logic [31:0] ip_sum_q, l4_sum_q;

    wire logic in_hs = state_q == S_IN && s_axis_tvalid;
    assign s_axis_tready = state_q == S_IN;
    assign busy = state_q != S_IN || idx_q != 16'd0;
    wire logic [15:0] i      = idx_q;
    wire logic [15:0] ip_off = vlan_q ? 16'd18 : 16'd14;
    wire logic [15:0] hlen   = {10'd0, ihl_q, 2'b00};
    wire logic [15:0] l4_off = ip_off + hlen;
    wire logic [15:0] ip_end = ip_off + tot_q;      // padding starts here
    wire logic        is_tcp = proto_q == 8'd6;
    wire logic [15:0] l4_csum_at = l4_off + (is_tcp ? 16'd16 : 16'd6);
    // Field bytes are decoded as they arrive; the regions need the fields before them,
    // which always come first (IHL at ip_off, total length at +2, protocol at +9).
    wire logic [15:0] ip_rel = i - ip_off;
    wire logic in_ip_hdr = i == ip_off || (i > ip_off && ip_rel < hlen);  // (IHL comes at ip_off)
    wire logic in_l4     = i >= l4_off && i < ip_end && ihl_q >= 4'd5;
    wire logic ip_field  = i == ip_off + 16'd10 || i == ip_off + 16'd11;
    wire logic l4_field  = (is_tcp || proto_q == 8'd17) &&
                           (i == l4_csum_at || i == l4_csum_at + 16'd1);
    wire logic in_addrs  = i >= ip_off + 16'd12 && i < ip_off + 16'd20;  // pseudo-header
    wire logic [31:0] word_part = i[0] ? {24'd0, s_axis_tdata} : {16'd0, s_axis_tdata, 8'd0};

    always_ff @(posedge clk) begin
        if (in_hs) begin
            mem[idx_q[AW-1:0]] <= s_axis_tdata;
            if (idx_q == 16'd0) begin
                fill_q   <= s_fill;
                vlan_q   <= 1'b0;
                ihl_q    <= 4'd0;
                ver_q    <= 4'd0;
                tot_q    <= 16'd0;
                proto_q  <= 8'd0;
                frag_q   <= 1'b0;
                ip_sum_q <= 32'd0;
                l4_sum_q <= 32'd0;
            end else begin
                if (in_ip_hdr && !ip_field) ip_sum_q <= ip_sum_q + word_part;
                if ((in_l4 && !l4_field) || in_addrs) l4_sum_q <= l4_sum_q + word_part;
            end
            if (i == 16'd12) et_q[15:8] <= s_axis_tdata;
            if (i == 16'd13) begin
                et_q[7:0] <= s_axis_tdata;
                vlan_q    <= {et_q[15:8], s_axis_tdata} == 16'h8100;
            end
            if (i == 16'd16) inner_q[15:8] <= s_axis_tdata;
            if (i == 16'd17) inner_q[7:0] <= s_axis_tdata;
            if (i == ip_off && i >= 16'd14) begin
                ver_q <= s_axis_tdata[7:4];
                ihl_q <= s_axis_tdata[3:0];
            end
            if (i == ip_off + 16'd2) tot_q[15:8] <= s_axis_tdata;
            if (i == ip_off + 16'd3) tot_q[7:0] <= s_axis_tdata;
            if (i == ip_off + 16'd6) frag_q <= s_axis_tdata[5] || s_axis_tdata[4:0] != 5'd0;
            if (i == ip_off + 16'd7 && s_axis_tdata != 8'd0) frag_q <= 1'b1;
            if (i == ip_off + 16'd9) proto_q <= s_axis_tdata;
        end
    end

    // ---- Fold and decide ------------------------------------------------------------------
    function automatic logic [15:0] fold(input logic [31:0] s);
        logic [16:0] a;
        a = {1'b0, s[15:0]} + {1'b0, s[31:16]};
        fold = a[15:0] + {15'd0, a[16]};
    endfunction
    wire logic [15:0] l4_len = tot_q - hlen;
    wire logic ipv4 = (vlan_q ? inner_q : et_q) == 16'h0800 && ver_q == 4'd4 && ihl_q >= 4'd5 &&
                      len_q >= ip_off + hlen;
    wire logic l4_ok = ipv4 && (is_tcp || proto_q == 8'd17) && !frag_q && tot_q >= hlen &&
                       len_q >= ip_end && l4_len >= (is_tcp ? 16'd20 : 16'd8);
    logic        do_ip_q, do_l4_q;
    logic [15:0] ip_csum_q, l4_csum_q;
    logic [15:0] ip_at_q, l4_at_q;
    always_ff @(posedge clk) begin
        if (state_q == S_FOLD) begin
            do_ip_q   <= fill_q[0] && ipv4;
            do_l4_q   <= fill_q[1] && l4_ok;
            ip_csum_q <= ~fold(ip_sum_q);
            l4_csum_q <= (~fold(l4_sum_q + {24'd0, proto_q} + {16'd0, l4_len}) == 16'd0 && !is_tcp)
                         ? 16'hFFFF : ~fold(l4_sum_q + {24'd0, proto_q} + {16'd0, l4_len});
            ip_at_q   <= ip_off + 16'd10;
            l4_at_q   <= l4_csum_at;
        end
    end

    // ---- Out: a one-cycle BRAM read into a 2-entry buffer --------------------------------
    logic [7:0]  rd_data_q;
    logic [15:0] rd_idx_q;                          // index of the byte being read
    logic        rd_inflight_q;
    logic [7:0]  ob_data [2];
    logic        ob_last [2];
    logic [1:0]  ob_count_q;
    logic        ob_head_q, ob_tail_q;              // where the head is, where a byte goes
    wire logic   pop = ob_count_q != 2'd0 && m_axis_tready;
    wire logic [1:0] after_pop = ob_count_q - {1'b0, pop};
    wire logic   issue = state_q == S_OUT && idx_q < len_q &&
                         {1'b0, after_pop} + {2'b0, rd_inflight_q} < 3'd2;
    always_ff @(posedge clk) begin
        rd_data_q <= mem[idx_q[AW-1:0]];
        if (issue) rd_idx_q <= idx_q;
    end
    // the byte as sent: a checksum byte replaced
    logic [7:0] out_byte;
    always_comb begin
        out_byte = rd_data_q;
        if (do_ip_q && rd_idx_q == ip_at_q) out_byte = ip_csum_q[15:8];
        if (do_ip_q && rd_idx_q == ip_at_q + 16'd1) out_byte = ip_csum_q[7:0];
        if (do_l4_q && rd_idx_q == l4_at_q) out_byte = l4_csum_q[15:8];
        if (do_l4_q && rd_idx_q == l4_at_q + 16'd1) out_byte = l4_csum_q[7:0];
    end
    always_ff @(posedge clk) begin
        if (rd_inflight_q) begin
            ob_data[ob_tail_q] <= out_byte;
            ob_last[ob_tail_q] <= rd_idx_q == len_q - 16'd1;
        end
    end
    assign m_axis_tvalid = ob_count_q != 2'd0;
    assign m_axis_tdata  = ob_data[ob_head_q];
    assign m_axis_tlast  = ob_last[ob_head_q];

    always_ff @(posedge clk) begin
        if (rst) begin
            state_q       <= S_IN;
            idx_q         <= '0;
            rd_inflight_q <= 1'b0;
            ob_count_q    <= '0;
            ob_head_q     <= 1'b0;
            ob_tail_q     <= 1'b0;
        end else begin
            rd_inflight_q <= issue;
            ob_count_q    <= after_pop + {1'b0, rd_inflight_q};
            if (pop) ob_head_q <= !ob_head_q;
            if (rd_inflight_q) ob_tail_q <= !ob_tail_q;
            case (state_q)
                S_IN: if (in_hs) begin
                    if (s_axis_tlast) begin
                        len_q   <= idx_q + 16'd1;
                        idx_q   <= '0;
                        state_q <= S_FOLD;
                    end else begin
                        idx_q <= idx_q + 16'd1;
                    end
                end
                S_FOLD: state_q <= S_OUT;
                default: begin
                    if (issue) idx_q <= idx_q + 16'd1;
                    if (pop && m_axis_tlast) begin
                        idx_q   <= '0;
                        state_q <= S_IN;
                    end
                end
            endcase
        end
    end
endmodule
`default_nettype wire
