// axis_unpack: a packet of DATA_W beats into a byte stream (lane 0 first), for a
// host-terminated session's payload on its way to the host link: tlast on the packet's
// last byte. The held beat shifts down a byte per byte sent, so there is no lane mux.
//
// Latency:    a beat's first byte is offered the cycle after the beat is accepted.
// Throughput: 1 byte/cycle out; s_axis_tready is high while no beat is held or the held
//             beat's last byte leaves in this cycle, so a packet streams without a gap.
// Assumes:    tkeep contiguous from lane 0 and non-zero; only a tlast beat is partial.
`include "ftoe_defs.svh"
`default_nettype none
module axis_unpack #(
    // Data bus width in bits: a power of two from 64 to 1024
    parameter int DATA_W = 64
) (
    input  wire logic                clk,
    input  wire logic                rst,
    // beats in
    input  wire logic [DATA_W-1:0]   s_axis_tdata,
    input  wire logic [DATA_W/8-1:0] s_axis_tkeep,
    input  wire logic                s_axis_tvalid,
    output wire logic                s_axis_tready,
    input  wire logic                s_axis_tlast,
    // bytes out
    output wire logic [7:0]          m_axis_tdata,
    output wire logic                m_axis_tvalid,
    input  wire logic                m_axis_tready,
    output wire logic                m_axis_tlast
);
    localparam int NB = DATA_W / 8;
    if (DATA_W < 64 || DATA_W > 1024 || (DATA_W & (DATA_W - 1)) != 0) begin : g_bad_data_w
        `FTOE_ELAB_FATAL $fatal(1, "axis_unpack: DATA_W=%0d is not a power of two in 64..1024",
                                DATA_W);
    end

    logic [DATA_W-1:0] beat_q;                      // byte 0 is the next to send
    logic [NB-1:0]     keep_q;                      // bytes still to send, from bit 0
    logic              last_q, valid_q;
    wire logic final_byte = !keep_q[1];             // the held beat's last byte
    wire logic out_hs     = valid_q && m_axis_tready;
    assign s_axis_tready  = !valid_q || (out_hs && final_byte);
    wire logic in_hs      = s_axis_tvalid && s_axis_tready;
    assign m_axis_tdata   = beat_q[7:0];
    assign m_axis_tvalid  = valid_q;
    assign m_axis_tlast   = last_q && final_byte;

    always_ff @(posedge clk) begin
        if (in_hs) begin
            beat_q <= s_axis_tdata;
            keep_q <= s_axis_tkeep;
            last_q <= s_axis_tlast;
        end else if (out_hs) begin
            beat_q <= beat_q >> 8;
            keep_q <= keep_q >> 1;
        end
        if (rst) valid_q <= 1'b0;
        else if (in_hs) valid_q <= 1'b1;
        else if (out_hs && final_byte) valid_q <= 1'b0;
    end
endmodule
`default_nettype wire
