// frame_ring_wr: the write side of a receive ring that takes every frame as it arrives,
// before anyone knows what the frame is (rx_frame_store, rx_payload_store). Beats go to
// consecutive words; a frame that finds the ring full, or that the caller refuses at its
// first beat (its bookkeeping is nearly full), is not stored, and its words are given
// back at its tlast, so the next frame starts where it would have. At each tlast the
// frame's place is reported: [m_start, m_end) in words, m_stored low for a lost frame
// (then m_end = m_start).
//
// Latency:    the ring write happens in the beat's own cycle (m_write/m_addr are
//             combinational from the beat); the frame's place is reported in its tlast
//             cycle.
// Throughput: 1 beat/cycle, never stalls.
// Assumes:    free_ptr is the oldest word still held (everything from it to the write
//             pointer is in use); it only moves forward.
`default_nettype none
module frame_ring_wr #(
    // log2 of the ring's words
    parameter int AW = 12
) (
    input  wire logic        clk,
    input  wire logic        rst,
    // MAC receive beats
    input  wire logic        s_axis_tvalid,
    input  wire logic        s_axis_tlast,
    input  wire logic        s_refuse,          // do not store a frame starting this cycle
    input  wire logic [AW:0] free_ptr,
    // ring write port
    output logic             m_write,
    output logic [AW-1:0]    m_addr,
    // the frame ending this cycle
    output logic             m_tail,
    output logic             m_stored,
    output logic [AW:0]      m_start,
    output logic [AW:0]      m_end
);
    localparam int DEPTH = 1 << AW;
    logic [AW:0] wr_q, start_q;
    logic        in_frame_q, dropping_q;
    wire logic ring_full = (wr_q - free_ptr) == (AW + 1)'(DEPTH);
    wire logic first = s_axis_tvalid && !in_frame_q;
    wire logic dropping = (in_frame_q && dropping_q) || (first && s_refuse) || ring_full;
    wire logic [AW:0] frame_start = in_frame_q ? start_q : wr_q;
    always_comb begin
        m_write  = s_axis_tvalid && !dropping;
        m_addr   = wr_q[AW-1:0];
        m_tail   = s_axis_tvalid && s_axis_tlast;
        m_stored = !dropping;
        m_start  = frame_start;
        m_end    = dropping ? frame_start : wr_q + (AW + 1)'(1);
    end
    always_ff @(posedge clk) begin
        if (rst) begin
            in_frame_q <= 1'b0;
            dropping_q <= 1'b0;
            wr_q       <= '0;
            start_q    <= '0;
        end else if (s_axis_tvalid) begin
            in_frame_q <= !s_axis_tlast;
            dropping_q <= dropping;
            start_q    <= frame_start;
            // A lost frame gives its words back at once: nothing after it was written.
            if (s_axis_tlast && dropping) wr_q <= frame_start;
            else if (m_write) wr_q <= wr_q + (AW + 1)'(1);
        end
    end
endmodule
`default_nettype wire
