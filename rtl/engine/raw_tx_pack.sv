// raw_tx_pack: packs a byte stream (a host-built frame from the host link) into DATA_W
// beats for the MAC transmit stream: byte i of the frame in lane i % NB, tkeep exact on
// the tlast beat.
//
// Latency:    a beat is offered the cycle after its last byte (the NB-th, or tlast) is
//             accepted.
// Throughput: 1 byte/cycle in; s_axis_tready is low only while a full beat waits for
//             m_axis_tready.
// Assumes:    nothing about the frame; an empty frame cannot be expressed (bytes carry it).
`include "ftoe_defs.svh"
`default_nettype none
module raw_tx_pack #(
    // Data bus width in bits: a power of two from 64 to 1024
    parameter int DATA_W = 64
) (
    input  wire logic                clk,
    input  wire logic                rst,
    // bytes in
    input  wire logic [7:0]          s_axis_tdata,
    input  wire logic                s_axis_tvalid,
    output wire logic                s_axis_tready,
    input  wire logic                s_axis_tlast,
    // beats out
    output logic [DATA_W-1:0]        m_axis_tdata,
    output logic [DATA_W/8-1:0]      m_axis_tkeep,
    output logic                     m_axis_tvalid,
    input  wire logic                m_axis_tready,
    output logic                     m_axis_tlast
);
    localparam int NB = DATA_W / 8;
    localparam int LB = $clog2(NB);
    if (DATA_W < 64 || DATA_W > 1024 || (DATA_W & (DATA_W - 1)) != 0) begin : g_bad_data_w
        `FTOE_ELAB_FATAL $fatal(1, "raw_tx_pack: DATA_W=%0d is not a power of two in 64..1024",
                                DATA_W);
    end

    logic [LB-1:0] lane_q;
    assign s_axis_tready = !m_axis_tvalid || m_axis_tready;
    wire logic in_hs = s_axis_tvalid && s_axis_tready;

    always_ff @(posedge clk) begin
        if (rst) begin
            lane_q        <= '0;
            m_axis_tvalid <= 1'b0;
            m_axis_tkeep  <= '0;
        end else begin
            if (m_axis_tvalid && m_axis_tready) begin
                m_axis_tvalid <= 1'b0;
            end
            if (in_hs) begin
                // A new beat starts at lane 0: clear what the previous one kept.
                if (lane_q == '0) m_axis_tkeep <= {{(NB - 1){1'b0}}, 1'b1};
                else m_axis_tkeep[lane_q] <= 1'b1;
                m_axis_tdata[8*lane_q +: 8] <= s_axis_tdata;
                m_axis_tlast <= s_axis_tlast;
                lane_q <= s_axis_tlast ? '0 : lane_q + LB'(1);
                if (s_axis_tlast || lane_q == LB'(NB - 1)) m_axis_tvalid <= 1'b1;
            end
        end
    end
endmodule
`default_nettype wire
