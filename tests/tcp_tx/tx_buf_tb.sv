// tx_buf_tb: test-only top joining tx_buf_wr and tx_buf_rd on one memory port (writes
// from the writer, reads from the reader), as the engine wires them.
`default_nettype none

module tx_buf_tb #(
    parameter int DATA_W = 64,
    parameter int SID_W = 6,
    parameter int BUF_BYTES = 8192,
    parameter int CHUNK = 1024,
    parameter int MAX_SEG = 2048,
    parameter int TAG_W = 32,
    localparam int ADDR_W = SID_W + $clog2(BUF_BYTES / (DATA_W / 8))
) (
    input  wire logic                clk,
    input  wire logic                rst,
    input  wire logic                s_init_valid,
    input  wire logic [SID_W-1:0]    s_init_sid,
    input  wire logic [31:0]         s_init_seq,
    input  wire logic                s_una_valid,
    input  wire logic [SID_W-1:0]    s_una_sid,
    input  wire logic [31:0]         s_una_seq,
    input  wire logic [DATA_W-1:0]   s_app_tdata,
    input  wire logic [DATA_W/8-1:0] s_app_tkeep,
    input  wire logic                s_app_tvalid,
    output wire logic                s_app_tready,
    input  wire logic                s_app_tlast,
    input  wire logic [SID_W-1:0]    s_app_tdest,
    input  wire logic                s_app_tuser,
    output wire logic                m_queued_valid,
    input  wire logic                m_queued_ready,
    output wire logic [SID_W-1:0]    m_queued_sid,
    output wire logic [15:0]         m_queued_len,
    output wire logic                m_queued_end,
    output wire logic                m_queued_user,
    input  wire logic                s_req_valid,
    output wire logic                s_req_ready,
    input  wire logic [SID_W-1:0]    s_req_sid,
    input  wire logic [31:0]         s_req_seq,
    input  wire logic [15:0]         s_req_len,
    input  wire logic [TAG_W-1:0]    s_req_tag,
    output wire logic                m_desc_valid,
    input  wire logic                m_desc_ready,
    output wire logic [TAG_W-1:0]    m_desc_tag,
    output wire logic [15:0]         m_desc_len,
    output wire logic [15:0]         m_desc_sum,
    output wire logic [DATA_W-1:0]   m_pay_tdata,
    output wire logic [DATA_W/8-1:0] m_pay_tkeep,
    output wire logic                m_pay_tvalid,
    input  wire logic                m_pay_tready,
    output wire logic                m_pay_tlast,
    output wire logic                m_wr_valid,
    input  wire logic                m_wr_ready,
    output wire logic [ADDR_W-1:0]   m_wr_addr,
    output wire logic [DATA_W-1:0]   m_wr_data,
    output wire logic [DATA_W/8-1:0] m_wr_strb,
    output wire logic                m_rd_valid,
    input  wire logic                m_rd_ready,
    output wire logic [ADDR_W-1:0]   m_rd_addr,
    input  wire logic                s_rd_valid,
    input  wire logic [DATA_W-1:0]   s_rd_data
);
    tx_buf_wr #(.DATA_W(DATA_W), .SID_W(SID_W), .BUF_BYTES(BUF_BYTES), .CHUNK(CHUNK)) u_wr (
        .clk, .rst,
        .s_init_valid, .s_init_sid, .s_init_seq,
        .s_una_valid, .s_una_sid, .s_una_seq,
        .s_app_tdata, .s_app_tkeep, .s_app_tvalid, .s_app_tready, .s_app_tlast, .s_app_tdest,
        .s_app_tuser,
        .m_wr_valid, .m_wr_ready, .m_wr_addr, .m_wr_data, .m_wr_strb,
        .m_queued_valid, .m_queued_ready, .m_queued_sid, .m_queued_len, .m_queued_end,
        .m_queued_user
    );
    tx_buf_rd #(.DATA_W(DATA_W), .SID_W(SID_W), .BUF_BYTES(BUF_BYTES), .MAX_SEG(MAX_SEG),
                .TAG_W(TAG_W)) u_rd (
        .clk, .rst,
        .s_req_valid, .s_req_ready, .s_req_sid, .s_req_seq, .s_req_len, .s_req_tag,
        .m_rd_valid, .m_rd_ready, .m_rd_addr, .s_rd_valid, .s_rd_data,
        .m_desc_valid, .m_desc_ready, .m_desc_tag, .m_desc_len, .m_desc_sum,
        .m_pay_tdata, .m_pay_tkeep, .m_pay_tvalid, .m_pay_tready, .m_pay_tlast
    );
endmodule

`default_nettype wire
