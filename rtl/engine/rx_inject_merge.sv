// rx_inject_merge: merges the host's injected receive frames (RX_INJECT, packed into
// beats) into the MAC receive stream, in front of every consumer of that stream, so an
// injected frame is parsed, looked up, decided, stored and counted exactly as one from
// the MAC. An injected frame is stored whole first, then enters only between MAC frames:
// when no MAC frame is in progress at the output and no MAC beat is queued. MAC beats
// that arrive while an injected frame passes wait in a FIFO (QUEUE_BEATS deep) and come
// out in order behind it; while the FIFO holds beats it feeds the output.
//
// Latency:    nothing injected and the FIFO empty: the MAC stream passes combinationally
//             (0 cycles added). A MAC beat is delayed by at most the beats of the one
//             injected frame that passed since the FIFO was last empty (MAX_INJECT *
//             8 / DATA_W beats); each MAC idle cycle shrinks that delay by one. An
//             injected frame's first beat may leave the cycle after its last beat is
//             stored.
// Throughput: 1 beat/cycle out; an injected frame's beats leave back to back, 1
//             beat/cycle. s_mac_tready is constant 1 and a MAC beat is never dropped:
//             the FIFO holds twice the longest injected frame, and a new injected frame
//             starts only with the FIFO empty. s_inj_tready is high while the frame
//             buffer is taking a frame (one injected frame at a time).
// Assumes:    the consumers take a beat every cycle (no m_axis_tready); injected frames
//             of 1..MAX_INJECT bytes (the command decoder rejects others).
`include "ftoe_defs.svh"
`default_nettype none
module rx_inject_merge #(
    // Data bus width in bits: a power of two from 64 to 1024
    parameter int DATA_W = 64,
    // Longest injected frame in bytes (ftoe_pkg::HL_MAX_INJECT)
    parameter int MAX_INJECT = 2048
) (
    input  wire logic                clk,
    input  wire logic                rst,
    // MAC receive
    input  wire logic [DATA_W-1:0]   s_mac_tdata,
    input  wire logic [DATA_W/8-1:0] s_mac_tkeep,
    input  wire logic                s_mac_tvalid,
    output wire logic                s_mac_tready,
    input  wire logic                s_mac_tlast,
    input  wire logic                s_mac_tuser,
    // injected frames (beats)
    input  wire logic [DATA_W-1:0]   s_inj_tdata,
    input  wire logic [DATA_W/8-1:0] s_inj_tkeep,
    input  wire logic                s_inj_tvalid,
    output wire logic                s_inj_tready,
    input  wire logic                s_inj_tlast,
    // merged stream to the parser and the stores
    output logic [DATA_W-1:0]        m_axis_tdata,
    output logic [DATA_W/8-1:0]      m_axis_tkeep,
    output logic                     m_axis_tvalid,
    output logic                     m_axis_tlast,
    output logic                     m_axis_tuser,
    // status: an injected frame is stored or passing, or MAC beats are queued
    output wire logic                busy,
    // pulses once per injected frame, with its first beat at the output
    output wire logic                injected
);
    localparam int NB = DATA_W / 8;
    localparam int INJ_BEATS = (MAX_INJECT + NB - 1) / NB;
    localparam int IAW = $clog2(INJ_BEATS) < 1 ? 1 : $clog2(INJ_BEATS);
    localparam int QAW = IAW + 1;                       // twice the injected frame
    localparam int QD = 1 << QAW;
    localparam int BW = DATA_W + NB + 2;                // {tuser, tlast, tkeep, tdata}
    if (DATA_W < 64 || DATA_W > 1024 || (DATA_W & (DATA_W - 1)) != 0) begin : g_bad_data_w
        `FTOE_ELAB_FATAL $fatal(1, "rx_inject_merge: DATA_W=%0d is not a power of two in 64..1024",
                                DATA_W);
    end
    if (MAX_INJECT < 64 || MAX_INJECT > 16384) begin : g_bad_max
        `FTOE_ELAB_FATAL $fatal(1, "rx_inject_merge: MAX_INJECT=%0d must be in 64..16384",
                                MAX_INJECT);
    end

    assign s_mac_tready = 1'b1;
    wire logic [BW-1:0] mac_beat = {s_mac_tuser, s_mac_tlast, s_mac_tkeep, s_mac_tdata};

    // ---- Injected frame buffer: one whole frame, then sent ------------------------------------
    logic [BW-1:0]  inj_mem [1 << IAW];
    logic [IAW:0]   iwr_q, ird_q;                       // beats written / sent
    logic           iready_q;                           // the whole frame is stored
    logic           iactive_q;                          // its beats are leaving
    logic [BW-1:0]  ihead_q;                            // inj_mem[ird_q], read ahead
    assign s_inj_tready = !iready_q;
    wire logic inj_in = s_inj_tvalid && s_inj_tready;
    wire logic [BW-1:0] inj_beat = {1'b0, s_inj_tlast, s_inj_tkeep, s_inj_tdata};

    // ---- MAC FIFO ------------------------------------------------------------------------------
    logic [BW-1:0]  q_mem [QD];
    logic [QAW:0]   qwr_q, qrd_q;
    logic [BW-1:0]  qhead_q;                            // q_mem[qrd_q], read ahead
    wire logic q_empty = qwr_q == qrd_q;
    logic           mac_mid_q;                          // a MAC frame is open at the output

    wire logic start = !iactive_q && iready_q && q_empty && !mac_mid_q;
    wire logic inj_out = iactive_q || start;
    wire logic q_out = !inj_out && !q_empty;
    wire logic q_push = s_mac_tvalid && (inj_out || !q_empty);
    wire logic q_pop = q_out;
    wire logic i_pop = inj_out;
    assign injected = start;
    assign busy = iwr_q != '0 || iready_q || !q_empty;

    always_comb begin
        if (inj_out) begin
            {m_axis_tuser, m_axis_tlast, m_axis_tkeep, m_axis_tdata} = ihead_q;
            m_axis_tvalid = 1'b1;
        end else if (q_out) begin
            {m_axis_tuser, m_axis_tlast, m_axis_tkeep, m_axis_tdata} = qhead_q;
            m_axis_tvalid = 1'b1;
        end else begin
            {m_axis_tuser, m_axis_tlast, m_axis_tkeep, m_axis_tdata} = mac_beat;
            m_axis_tvalid = s_mac_tvalid;
        end
    end
    wire logic mac_out = !inj_out && (q_out || s_mac_tvalid);
    wire logic mac_out_last = q_out ? qhead_q[BW-2] : s_mac_tlast;
    wire logic i_last = ihead_q[BW-2];

    // Read-ahead heads: the word the pointer will address next cycle, the write forwarded
    // when it lands there in this cycle.
    wire logic [IAW:0] ird_next = i_pop ? (i_last ? '0 : ird_q + 1'b1) : ird_q;
    wire logic [QAW-1:0] qrd_next = qrd_q[QAW-1:0] + QAW'(q_pop);
    always_ff @(posedge clk) begin
        if (inj_in) inj_mem[iwr_q[IAW-1:0]] <= inj_beat;
        ihead_q <= inj_in && iwr_q[IAW-1:0] == ird_next[IAW-1:0] ? inj_beat
                                                                 : inj_mem[ird_next[IAW-1:0]];
        if (q_push) q_mem[qwr_q[QAW-1:0]] <= mac_beat;
        qhead_q <= q_push && qwr_q[QAW-1:0] == qrd_next ? mac_beat
                                                                 : q_mem[qrd_next];
    end

    always_ff @(posedge clk) begin
        if (rst) begin
            iwr_q     <= '0;
            ird_q     <= '0;
            iready_q  <= 1'b0;
            iactive_q <= 1'b0;
            qwr_q     <= '0;
            qrd_q     <= '0;
            mac_mid_q <= 1'b0;
        end else begin
            if (inj_in) begin
                iwr_q <= iwr_q + 1'b1;
                if (s_inj_tlast) iready_q <= 1'b1;
            end
            if (i_pop) begin
                ird_q <= ird_next;
                iactive_q <= !i_last;
                if (i_last) begin
                    iready_q <= 1'b0;
                    iwr_q    <= '0;
                end
            end
            if (q_push) qwr_q <= qwr_q + 1'b1;
            if (q_pop) qrd_q <= qrd_q + 1'b1;
            if (mac_out) mac_mid_q <= !mac_out_last;
        end
    end
endmodule
`default_nettype wire
