// hl_tx: host-link transmitter. Frames events for the host in the wire format of
// rtl/ftoe_pkg.sv: numbers them (seq from 0, +1 per message), adds the header CRC-16 and
// the payload CRC-32C while the payload streams through, so payloads are never buffered.
//
// Latency:    the magic byte is on m_axis 1 cycle after the s_evt handshake; payload
//             bytes pass straight through (0 cycles) from s_pay to m_axis.
// Throughput: 1 byte/cycle out while the payload source keeps up; one idle cycle
//             between messages (s_evt_ready is high only between messages).
// Assumes:    exactly s_evt_len payload bytes follow on s_pay, the last with tlast;
//             s_evt_len <= HL_MAX_PAYLOAD.
`include "ftoe_defs.svh"
`default_nettype none
module hl_tx (
    input  wire logic        clk,
    input  wire logic        rst,
    // event header in
    input  wire logic        s_evt_valid,
    output wire logic        s_evt_ready,
    input  wire logic [7:0]  s_evt_kind,
    input  wire logic [15:0] s_evt_len,
    input  wire logic [31:0] s_evt_session,
    input  wire logic [15:0] s_evt_arg,
    // its payload
    input  wire logic [7:0]  s_pay_tdata,
    input  wire logic        s_pay_tvalid,
    output wire logic        s_pay_tready,
    input  wire logic        s_pay_tlast,
    // host link, event bytes out
    output wire logic [7:0]  m_axis_tdata,
    output wire logic        m_axis_tvalid,
    input  wire logic        m_axis_tready
);
    localparam logic [1:0] IDLE = 2'd0, HDR = 2'd1, PAY = 2'd2, TRL = 2'd3;
    logic [1:0]   state_q;
    logic [127:0] hdr_q;     // the 16 header bytes, byte 0 in bits 7:0
    logic [3:0]   idx_q;     // byte index within header or trailer
    logic [15:0]  left_q;    // payload bytes still to send
    logic [31:0]  seq_q;     // sequence number of the next message
    logic [31:0]  pcrc_q;

    // Header bytes 0..13, then their CRC as bytes 14..15 (little-endian).
    wire logic [111:0] hdr14 = {s_evt_arg, s_evt_session, seq_q, s_evt_len, s_evt_kind,
                                ftoe_pkg::HL_MAGIC};
    // The CRC over hdr14, called only under the handshake below: as a free-running
    // always_comb, a simulator would walk its 112 bit steps every cycle.
    function automatic logic [15:0] hdr_crc(input logic [111:0] h);
        hdr_crc = ftoe_pkg::HL_CRC16_INIT;
        for (int i = 0; i < 14; i++) hdr_crc = ftoe_pkg::crc16_ccitt_byte(hdr_crc, h[8*i +: 8]);
    endfunction

    assign s_evt_ready = state_q == IDLE;
    wire logic evt_hs = s_evt_valid && s_evt_ready;
    wire logic [31:0] trailer = ~pcrc_q;

    assign m_axis_tvalid = state_q == HDR || state_q == TRL || (state_q == PAY && s_pay_tvalid);
    assign m_axis_tdata  = state_q == HDR ? hdr_q[8*idx_q +: 8]
                         : state_q == PAY ? s_pay_tdata
                                          : trailer[8*idx_q[1:0] +: 8];
    assign s_pay_tready  = state_q == PAY && m_axis_tready;
    wire logic out_hs = m_axis_tvalid && m_axis_tready;

    // s_pay_tlast is implied by s_evt_len; it is checked by the tests, not used here.
    wire logic unused_tlast = s_pay_tlast;

    always_ff @(posedge clk) begin
        if (rst) begin
            state_q <= IDLE;
            seq_q   <= '0;
        end else begin
            case (state_q)
                IDLE: if (evt_hs) begin
                    hdr_q   <= {hdr_crc(hdr14), hdr14};
                    left_q  <= s_evt_len;
                    idx_q   <= '0;
                    pcrc_q  <= ftoe_pkg::HL_CRC32C_INIT;
                    seq_q   <= seq_q + 32'd1;
                    state_q <= HDR;
                end
                HDR: if (out_hs) begin
                    idx_q <= idx_q + 4'd1;
                    if (idx_q == 4'd15) begin
                        idx_q   <= '0;
                        state_q <= left_q == 16'd0 ? TRL : PAY;
                    end
                end
                PAY: if (out_hs) begin
                    pcrc_q <= ftoe_pkg::crc32c_byte(pcrc_q, s_pay_tdata);
                    left_q <= left_q - 16'd1;
                    if (left_q == 16'd1) state_q <= TRL;
                end
                default: if (out_hs) begin  // TRL
                    idx_q <= idx_q + 4'd1;
                    if (idx_q == 4'd3) state_q <= IDLE;
                end
            endcase
        end
    end
endmodule
`default_nettype wire
