// echo_app: the on-FPGA echo server: every byte a session receives on the engine's app
// RX stream goes back out on its app TX stream, same session, same packet boundaries.
// A register slice in each direction (data forward, ready backward: a skid buffer), so
// the app adds no combinational path between the engine's two streams.
//
// Latency:    1 cycle: a beat taken from app RX in cycle t is offered on app TX in t+1.
// Throughput: 1 beat/cycle, no bubble, whatever the backpressure pattern.
// Assumes:    nothing beyond AXI4-Stream handshakes.
`default_nettype none
module echo_app #(
    parameter int DATA_W = 64,
    parameter int SID_W = 12
) (
    input  wire logic                clk,
    input  wire logic                rst,
    // from the engine's app RX stream
    input  wire logic [DATA_W-1:0]   s_rx_tdata,
    input  wire logic [DATA_W/8-1:0] s_rx_tkeep,
    input  wire logic                s_rx_tvalid,
    output wire logic                s_rx_tready,
    input  wire logic                s_rx_tlast,
    input  wire logic [SID_W-1:0]    s_rx_tdest,
    // to the engine's app TX stream
    output wire logic [DATA_W-1:0]   m_tx_tdata,
    output wire logic [DATA_W/8-1:0] m_tx_tkeep,
    output wire logic                m_tx_tvalid,
    input  wire logic                m_tx_tready,
    output wire logic                m_tx_tlast,
    output wire logic [SID_W-1:0]    m_tx_tdest
);
    localparam int W = DATA_W + DATA_W / 8 + 1 + SID_W;
    // main register and skid register: the skid holds the beat taken while the output
    // stalled, so s_rx_tready can be a register
    logic         main_valid_q, skid_valid_q;
    logic [W-1:0] main_q, skid_q;
    wire  [W-1:0] in_beat = {s_rx_tdata, s_rx_tkeep, s_rx_tlast, s_rx_tdest};
    assign s_rx_tready = !skid_valid_q;
    wire logic in_hs  = s_rx_tvalid && s_rx_tready;
    wire logic out_hs = main_valid_q && m_tx_tready;
    always_ff @(posedge clk) begin
        if (rst) begin
            main_valid_q <= 1'b0;
            skid_valid_q <= 1'b0;
        end else begin
            if (!main_valid_q || out_hs) begin
                // the main register moves: from the skid first, else from the input
                main_valid_q <= skid_valid_q || in_hs;
                skid_valid_q <= 1'b0;
            end else if (in_hs) begin
                skid_valid_q <= 1'b1;
            end
        end
        if (!main_valid_q || out_hs) main_q <= skid_valid_q ? skid_q : in_beat;
        if (in_hs && main_valid_q && !out_hs) skid_q <= in_beat;
    end
    assign m_tx_tvalid = main_valid_q;
    assign {m_tx_tdata, m_tx_tkeep, m_tx_tlast, m_tx_tdest} = main_q;
endmodule
`default_nettype wire
