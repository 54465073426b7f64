// tcp_opt_parse: parses a TCP option list (reference: tcp_options_parse() in
// hls/tcp_options.hpp). Each walk stage skips a run of NOPs and consumes one option;
// unknown kinds are skipped by their length; a bad length (below 2, past the list, or
// wrong for MSS/WS/SACK-permitted/SACK/TS) marks the list malformed. A list with more
// than MAX_OPTIONS options (NOPs not counted) is flagged too_many for the slow path.
// Values of a malformed list are unspecified. A repeated option: the last one counts.
// A stage loads only when the stage before it holds a list (clock enables: the simulated
// model then walks options only for the lists there are), so the outputs other than
// m_valid hold between results and mean nothing without m_valid.
//
// Latency:    m_valid exactly MAX_OPTIONS + 2 cycles after s_valid (10 by default).
// Throughput: 1 option list per cycle (fully pipelined, no stall).
// Assumes:    s_opts holds the option bytes, byte i in bits [8i+7:8i]; s_len <= 40.
`include "ftoe_defs.svh"
`default_nettype none
module tcp_opt_parse #(
    // Options walked in hardware; longer lists go to the host as too_many
    parameter int MAX_OPTIONS = 8
) (
    input  wire logic         clk,
    input  wire logic         rst,
    // option list in
    input  wire logic         s_valid,
    input  wire logic [319:0] s_opts,
    input  wire logic [5:0]   s_len,
    // parsed
    output logic              m_valid,
    output logic              m_malformed,
    output logic              m_too_many,
    output logic              m_has_mss,
    output logic [15:0]       m_mss,
    output logic              m_has_wscale,
    output logic [7:0]        m_wscale,
    output logic              m_sack_permitted,
    output logic              m_has_sack,
    output logic [2:0]        m_sack_blocks,
    output logic              m_has_ts,
    output logic [31:0]       m_tsval,
    output logic [31:0]       m_tsecr,
    output logic [3:0]        m_unknown
);
    localparam int N = MAX_OPTIONS;
    if (N < 1 || N > 20) begin : g_bad_max
        `FTOE_ELAB_FATAL $fatal(1, "tcp_opt_parse: MAX_OPTIONS=%0d must be in 1..20", N);
    end

    function automatic logic [7:0] opt_byte(input logic [319:0] o, input logic [5:0] i);
        opt_byte = i < 6'd40 ? o[8*i +: 8] : 8'h00;
    endfunction
    // First position at or after p that is not a NOP (or len, at the end of the list).
    function automatic logic [5:0] skip_nops(input logic [319:0] o, input logic [5:0] len,
                                             input logic [5:0] p);
        skip_nops = len > p ? len : p;
        for (int i = 39; i >= 0; i--)
            if (6'(i) >= p && 6'(i) < len && o[8*i +: 8] != 8'h01) skip_nops = 6'(i);
    endfunction

    // Walk state per stage: stage 0 is the registered input, stage s has walked s options.
    logic [319:0] opts_q [N+1];
    logic [5:0]   len_q  [N+1];
    logic [5:0]   p_q    [N+1];
    logic [N:0]   valid_q, done_q, bad_q, mss_q, ws_q, sackp_q, sack_q, ts_q;
    logic [5:0]   mss_pos_q [N+1];
    logic [5:0]   ws_pos_q  [N+1];
    logic [5:0]   ts_pos_q  [N+1];
    logic [2:0]   blocks_q  [N+1];
    logic [3:0]   unknown_q [N+1];

    always_ff @(posedge clk) begin
        if (s_valid) begin
            opts_q[0]    <= s_opts;
            len_q[0]     <= s_len > 6'd40 ? 6'd40 : s_len;
            p_q[0]       <= '0;
            done_q[0]    <= 1'b0;
            bad_q[0]     <= 1'b0;
            mss_q[0]     <= 1'b0;
            ws_q[0]      <= 1'b0;
            sackp_q[0]   <= 1'b0;
            sack_q[0]    <= 1'b0;
            ts_q[0]      <= 1'b0;
            mss_pos_q[0] <= '0;
            ws_pos_q[0]  <= '0;
            ts_pos_q[0]  <= '0;
            blocks_q[0]  <= '0;
            unknown_q[0] <= '0;
        end
        for (int s = 1; s <= N; s++) begin
            logic [5:0] q;
            logic [7:0] kind, olen;
            logic       at_end, bad;
            if (valid_q[s-1]) begin
                q      = skip_nops(opts_q[s-1], len_q[s-1], p_q[s-1]);
                kind   = opt_byte(opts_q[s-1], q);
                olen   = opt_byte(opts_q[s-1], q + 6'd1);
                at_end = done_q[s-1] || q >= len_q[s-1] || kind == 8'h00;
                bad    = q + 6'd1 >= len_q[s-1] || olen < 8'd2 ||
                         9'(q) + 9'(olen) > 9'(len_q[s-1]) ||
                         (kind == 8'd2 && olen != 8'd4) || (kind == 8'd3 && olen != 8'd3) ||
                         (kind == 8'd4 && olen != 8'd2) || (kind == 8'd8 && olen != 8'd10) ||
                         (kind == 8'd5 && (olen < 8'd10 || olen > 8'd34 || olen[2:0] != 3'd2));
                // carry everything, then apply this stage's option
                opts_q[s]    <= opts_q[s-1];
                len_q[s]     <= len_q[s-1];
                done_q[s]    <= at_end || bad;
                bad_q[s]     <= bad_q[s-1] || (!at_end && bad);
                p_q[s]       <= at_end ? p_q[s-1] : q + olen[5:0];
                mss_q[s]     <= mss_q[s-1];
                ws_q[s]      <= ws_q[s-1];
                sackp_q[s]   <= sackp_q[s-1];
                sack_q[s]    <= sack_q[s-1];
                ts_q[s]      <= ts_q[s-1];
                mss_pos_q[s] <= mss_pos_q[s-1];
                ws_pos_q[s]  <= ws_pos_q[s-1];
                ts_pos_q[s]  <= ts_pos_q[s-1];
                blocks_q[s]  <= blocks_q[s-1];
                unknown_q[s] <= unknown_q[s-1];
                if (!at_end && !bad) begin
                    case (kind)
                        8'd2: begin mss_q[s] <= 1'b1; mss_pos_q[s] <= q + 6'd2; end
                        8'd3: begin ws_q[s] <= 1'b1; ws_pos_q[s] <= q + 6'd2; end
                        8'd4: sackp_q[s] <= 1'b1;
                        8'd5: begin sack_q[s] <= 1'b1; blocks_q[s] <= 3'(olen[7:3]); end
                        8'd8: begin ts_q[s] <= 1'b1; ts_pos_q[s] <= q + 6'd2; end
                        default: unknown_q[s] <= unknown_q[s-1] + 4'd1;
                    endcase
                end
            end
        end
    end

    always_ff @(posedge clk) begin
        if (rst) valid_q <= '0;
        else valid_q <= {valid_q[N-1:0], s_valid};
    end

    // Final stage: anything but NOPs/EOL left after N options is too many; extract values.
    function automatic logic [31:0] word_at(input logic [319:0] o, input logic [5:0] i);
        word_at = {opt_byte(o, i), opt_byte(o, i + 6'd1), opt_byte(o, i + 6'd2), opt_byte(o, i + 6'd3)};
    endfunction
    function automatic logic [15:0] half_at(input logic [319:0] o, input logic [5:0] i);
        half_at = {opt_byte(o, i), opt_byte(o, i + 6'd1)};
    endfunction
    always_ff @(posedge clk) begin
        if (valid_q[N]) begin
            logic [5:0] rest;
            rest = skip_nops(opts_q[N], len_q[N], p_q[N]);
            m_malformed      <= bad_q[N];
            m_too_many       <= !done_q[N] && rest < len_q[N] &&
                                opt_byte(opts_q[N], rest) != 8'h00;
            m_has_mss        <= mss_q[N];
            m_mss            <= half_at(opts_q[N], mss_pos_q[N]);
            m_has_wscale     <= ws_q[N];
            m_wscale         <= opt_byte(opts_q[N], ws_pos_q[N]);
            m_sack_permitted <= sackp_q[N];
            m_has_sack       <= sack_q[N];
            m_sack_blocks    <= blocks_q[N];
            m_has_ts         <= ts_q[N];
            m_tsval          <= word_at(opts_q[N], ts_pos_q[N]);
            m_tsecr          <= word_at(opts_q[N], ts_pos_q[N] + 6'd4);
            m_unknown        <= unknown_q[N];
        end
        if (rst) m_valid <= 1'b0;
        else m_valid <= valid_q[N];
    end
endmodule
`default_nettype wire
