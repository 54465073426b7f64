// tx_frame_mux: two packet sources onto one AXI4-Stream, a whole packet (frame) at a
// time, taking turns when both wait (round robin at packet boundaries, so neither
// starves). On MAC TX: source 0 the engine's own segments, source 1 the host's raw
// frames; on the TX buffer's input: the app's stream and the host's app data (tdest =
// the session, carried with the packet).
//
// Latency:    0 cycles (combinational path from the chosen source to m_axis): a frame's
//             first beat is on m_axis in the cycle it is offered, when the mux is idle.
// Throughput: 1 beat/cycle; frames back to back, from either source, without an idle
//             cycle between them.
// Assumes:    sources hold tvalid and their beat until it is taken (AXI4-Stream).
`default_nettype none
module tx_frame_mux #(
    // Data bus width in bits
    parameter int DATA_W = 64,
    // tdest width (tie to 0 where the stream has no destination)
    parameter int DEST_W = 1
) (
    input  wire logic                clk,
    input  wire logic                rst,
    // source 0
    input  wire logic [DATA_W-1:0]   s0_axis_tdata,
    input  wire logic [DATA_W/8-1:0] s0_axis_tkeep,
    input  wire logic                s0_axis_tvalid,
    output logic                     s0_axis_tready,
    input  wire logic                s0_axis_tlast,
    input  wire logic [DEST_W-1:0]   s0_axis_tdest,
    // source 1
    input  wire logic [DATA_W-1:0]   s1_axis_tdata,
    input  wire logic [DATA_W/8-1:0] s1_axis_tkeep,
    input  wire logic                s1_axis_tvalid,
    output logic                     s1_axis_tready,
    input  wire logic                s1_axis_tlast,
    input  wire logic [DEST_W-1:0]   s1_axis_tdest,
    // out
    output logic [DATA_W-1:0]        m_axis_tdata,
    output logic [DATA_W/8-1:0]      m_axis_tkeep,
    output logic                     m_axis_tvalid,
    input  wire logic                m_axis_tready,
    output logic                     m_axis_tlast,
    output logic [DEST_W-1:0]        m_axis_tdest
);
    // The choice is locked from the first beat offered (taken or not: the output must
    // not change under a waiting tvalid) until the frame's tlast is taken.
    logic in_frame_q;                               // a frame is offered and not ended
    logic owner_q;                                  // whose frame that is
    logic last_q;                                   // who went last (turn-taking)
    logic sel;
    always_comb begin
        if (in_frame_q) sel = owner_q;
        else if (s0_axis_tvalid && s1_axis_tvalid) sel = !last_q;
        else sel = s1_axis_tvalid;
    end
    // Separate assignments, so that muxes in a chain show no combinational loop (the
    // ready path does not depend on valid beyond `sel`).
    assign m_axis_tdata   = sel ? s1_axis_tdata : s0_axis_tdata;
    assign m_axis_tkeep   = sel ? s1_axis_tkeep : s0_axis_tkeep;
    assign m_axis_tlast   = sel ? s1_axis_tlast : s0_axis_tlast;
    assign m_axis_tdest   = sel ? s1_axis_tdest : s0_axis_tdest;
    assign m_axis_tvalid  = sel ? s1_axis_tvalid : s0_axis_tvalid;
    assign s0_axis_tready = !sel && m_axis_tready;
    assign s1_axis_tready = sel && m_axis_tready;
    always_ff @(posedge clk) begin
        if (rst) begin
            in_frame_q <= 1'b0;
            owner_q    <= 1'b0;
            last_q     <= 1'b1;
        end else if (m_axis_tvalid && m_axis_tready && m_axis_tlast) begin
            in_frame_q <= 1'b0;
            last_q     <= sel;
        end else if (m_axis_tvalid) begin
            in_frame_q <= 1'b1;
            owner_q    <= sel;
        end
    end
endmodule
`default_nettype wire
