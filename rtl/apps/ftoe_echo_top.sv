// ftoe_echo_top: the engine with the on-FPGA echo app on its app streams: every
// installed session echoes what it receives. What the echo benchmark measures and what a
// board top wraps for the echo demo. Ports: the engine's, without the app streams.
//
// Latency:    the engine's, plus echo_app's 1 cycle between app RX and app TX.
// Throughput: the engine's.
// Assumes:    as ftoe_engine.
`default_nettype none
module ftoe_echo_top #(
    parameter int DATA_W = 64,
    parameter int SESSIONS = 4096,
    parameter int TX_BUF_BYTES = 65536,
    localparam int TX_ADDR_W = $clog2(SESSIONS) + $clog2(TX_BUF_BYTES / (DATA_W / 8))
) (
    input  wire logic                 clk,
    input  wire logic                 rst,
    input  wire logic                 tick,
    input  wire logic [DATA_W-1:0]    s_mac_rx_tdata,
    input  wire logic [DATA_W/8-1:0]  s_mac_rx_tkeep,
    input  wire logic                 s_mac_rx_tvalid,
    output wire logic                 s_mac_rx_tready,
    input  wire logic                 s_mac_rx_tlast,
    input  wire logic                 s_mac_rx_tuser,
    output wire logic [DATA_W-1:0]    m_mac_tx_tdata,
    output wire logic [DATA_W/8-1:0]  m_mac_tx_tkeep,
    output wire logic                 m_mac_tx_tvalid,
    input  wire logic                 m_mac_tx_tready,
    output wire logic                 m_mac_tx_tlast,
    output wire logic                 m_mac_tx_tuser,
    input  wire logic [7:0]           s_host_tdata,
    input  wire logic                 s_host_tvalid,
    output wire logic                 s_host_tready,
    output wire logic [7:0]           m_host_tdata,
    output wire logic                 m_host_tvalid,
    input  wire logic                 m_host_tready,
    output wire logic                 timers_idle,    // as ftoe_engine
    output wire logic                 timers_settled, // as ftoe_engine
    output wire logic                 m_mem_wr_valid,
    input  wire logic                 m_mem_wr_ready,
    output wire logic [TX_ADDR_W-1:0] m_mem_wr_addr,
    output wire logic [DATA_W-1:0]    m_mem_wr_data,
    output wire logic [DATA_W/8-1:0]  m_mem_wr_strb,
    output wire logic                 m_mem_rd_valid,
    input  wire logic                 m_mem_rd_ready,
    output wire logic [TX_ADDR_W-1:0] m_mem_rd_addr,
    input  wire logic                 s_mem_rd_valid,
    input  wire logic [DATA_W-1:0]    s_mem_rd_data
);
    localparam int SID_W = $clog2(SESSIONS);
    logic [DATA_W-1:0]   rx_tdata, tx_tdata;
    logic [DATA_W/8-1:0] rx_tkeep, tx_tkeep;
    logic                rx_tvalid, rx_tready, rx_tlast, tx_tvalid, tx_tready, tx_tlast;
    logic [SID_W-1:0]    rx_tdest, tx_tdest;
    ftoe_engine #(.DATA_W(DATA_W), .SESSIONS(SESSIONS), .TX_BUF_BYTES(TX_BUF_BYTES)) u_engine (
        .clk, .rst, .tick,
        .s_mac_rx_tdata, .s_mac_rx_tkeep, .s_mac_rx_tvalid, .s_mac_rx_tready, .s_mac_rx_tlast,
        .s_mac_rx_tuser,
        .m_mac_tx_tdata, .m_mac_tx_tkeep, .m_mac_tx_tvalid, .m_mac_tx_tready, .m_mac_tx_tlast,
        .m_mac_tx_tuser,
        .m_app_rx_tdata(rx_tdata), .m_app_rx_tkeep(rx_tkeep), .m_app_rx_tvalid(rx_tvalid),
        .m_app_rx_tready(rx_tready), .m_app_rx_tlast(rx_tlast), .m_app_rx_tdest(rx_tdest),
        .s_app_tx_tdata(tx_tdata), .s_app_tx_tkeep(tx_tkeep), .s_app_tx_tvalid(tx_tvalid),
        .s_app_tx_tready(tx_tready), .s_app_tx_tlast(tx_tlast), .s_app_tx_tdest(tx_tdest),
        .s_host_tdata, .s_host_tvalid, .s_host_tready, .m_host_tdata, .m_host_tvalid,
        .m_host_tready, .timers_idle, .timers_settled,
        .m_mem_wr_valid, .m_mem_wr_ready, .m_mem_wr_addr, .m_mem_wr_data, .m_mem_wr_strb,
        .m_mem_rd_valid, .m_mem_rd_ready, .m_mem_rd_addr, .s_mem_rd_valid, .s_mem_rd_data
    );
    echo_app #(.DATA_W(DATA_W), .SID_W(SID_W)) u_echo (
        .clk, .rst,
        .s_rx_tdata(rx_tdata), .s_rx_tkeep(rx_tkeep), .s_rx_tvalid(rx_tvalid),
        .s_rx_tready(rx_tready), .s_rx_tlast(rx_tlast), .s_rx_tdest(rx_tdest),
        .m_tx_tdata(tx_tdata), .m_tx_tkeep(tx_tkeep), .m_tx_tvalid(tx_tvalid),
        .m_tx_tready(tx_tready), .m_tx_tlast(tx_tlast), .m_tx_tdest(tx_tdest)
    );
endmodule
`default_nettype wire
