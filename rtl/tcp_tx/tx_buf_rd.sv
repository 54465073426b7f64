// tx_buf_rd: a segment's payload out of its session's TX buffer (the ring tx_buf_wr
// fills: session sid's byte with sequence number seq at byte address
// sid*BUF_BYTES + seq mod BUF_BYTES), with its RFC 1071 sum.
// A request {sid, seq, len, tag} reserves ceil(len / (DATA_W/8)) words of a staging
// ring of 4*MAX_SEG bytes (room for the 4 requests staged at once at full size, so the
// next payloads fill while one streams out), up to 4 requests at a time; its payload
// is read from memory one word per request (ring wrap handled), realigned so that the
// payload's first byte is in lane 0, and summed on the way in. Once the whole payload
// is in, m_desc offers {tag, len, sum}: sum = the ones'-complement sum (not
// complemented) of big-endian byte pairs from the payload's first byte, an odd last
// byte padded with zero (hls/tx_frame.hpp tx_payload_sum()), 0 for len 0. After the
// desc handshake the payload follows on m_pay: lane 0 first, exact tkeep on the tlast
// beat, no beats for len 0. Requests, descriptors and payloads stay in order; tags pass
// through. Every read issued has its staging word reserved, so responses (which cannot
// be stalled) always have room; a staging word is free again when its beat is taken.
//
// Latency:    with n = ceil((seq mod DATA_W/8 + len) / (DATA_W/8)) memory words and a
//             memory answering L cycles after it accepts a read (L >= 1): on an idle
//             block with m_rd_ready high, reads are offered from the cycle after the
//             s_req handshake, one per cycle, and m_desc_valid rises n + L + 3 cycles
//             after the handshake (2 for len 0): 1 realign/mask, 1 pair sum, 1 fold.
//             The first payload beat is offered 3 cycles after m_desc_valid rises
//             (staging read), or 1 cycle after the desc handshake if that is later.
// Throughput: 1 payload beat/cycle through a payload while m_pay_tready is high, and
//             back to back across payloads: descriptors are offered as soon as their
//             payload is staged, ahead of the payload before them, and the next payload's
//             staging reads follow the previous one's last read, so its first beat
//             follows the previous last beat with no idle cycle when it is staged and its
//             descriptor taken by then (a zero-length payload between costs the reads a
//             cycle each, 2 idle cycles).
//             s_req_ready: the previous request's reads are all issued, one of the 4
//             entries is free and the payload's words fit in the staging ring's free
//             words (reserved words are freed one per payload beat taken). So the reads
//             of the next requests overlap the payloads streaming out, and payloads
//             stream back to back whenever the staging ring holds enough payload to cover
//             n + L + 3 cycles of a request's fill (asserted by the cosim).
//             s_req_ready looks at s_req_len (combinationally) for the room check.
// Assumes:    0 <= len <= MAX_SEG; responses come in request order, at least one cycle
//             after their read is accepted; the bytes read were written before and are
//             not overwritten (SND.UNA not past them) until the payload is out.
`include "ftoe_defs.svh"
`default_nettype none

module tx_buf_rd #(
    // Data bus width in bits: a power of two, 64..1024
    parameter int DATA_W = 64,
    // Session id width: 6..16
    parameter int SID_W = 12,
    // Per-session ring bytes: a power of two, 4096..1048576
    parameter int BUF_BYTES = 65536,
    // Largest payload in bytes (the staging ring holds 4*MAX_SEG): a power of two,
    // 2*DATA_W/8..32768, <= BUF_BYTES
    parameter int MAX_SEG = 2048,
    // Opaque request tag carried to the descriptor
    parameter int TAG_W = 64,
    // Word address width of the memory (derived)
    localparam int ADDR_W = SID_W + $clog2(BUF_BYTES / (DATA_W / 8))
) (
    input  wire logic                clk,
    input  wire logic                rst,
    // payload request
    input  wire logic                s_req_valid,
    output logic                     s_req_ready,
    input  wire logic [SID_W-1:0]    s_req_sid,
    input  wire logic [31:0]         s_req_seq,
    input  wire logic [15:0]         s_req_len,
    input  wire logic [TAG_W-1:0]    s_req_tag,
    // memory read request (one word each) and response (in order, no backpressure)
    output logic                     m_rd_valid,
    input  wire logic                m_rd_ready,
    output logic [ADDR_W-1:0]        m_rd_addr,
    input  wire logic                s_rd_valid,
    input  wire logic [DATA_W-1:0]   s_rd_data,
    // descriptor: the payload is staged
    output logic                     m_desc_valid,
    input  wire logic                m_desc_ready,
    output logic [TAG_W-1:0]         m_desc_tag,
    output logic [15:0]              m_desc_len,
    output logic [15:0]              m_desc_sum,
    // payload
    output logic [DATA_W-1:0]        m_pay_tdata,
    output logic [DATA_W/8-1:0]      m_pay_tkeep,
    output logic                     m_pay_tvalid,
    input  wire logic                m_pay_tready,
    output logic                     m_pay_tlast
);
    localparam int B = DATA_W / 8;
    localparam int BW = $clog2(B);
    localparam int RW = $clog2(BUF_BYTES) - BW;     // ring word index bits
    localparam int HALF = MAX_SEG / B;              // staging words per buffer
    localparam int HW = $clog2(HALF);
    localparam int NW = $clog2(HALF + 2);           // response words per request: <= HALF+1
    localparam int SW = 16 + BW;                    // one word's sum of B/2 16-bit pairs
    localparam int SAW = HW + 2;                    // staging ring: 4*MAX_SEG bytes (NQ payloads)
    localparam int NQ = 4;                          // requests staged at once
    localparam int QW = 2;

    generate
        if (DATA_W < 64 || DATA_W > 1024 || (DATA_W & (DATA_W - 1)) != 0) begin : g_bad_w
            `FTOE_ELAB_FATAL $fatal(1, "%m: DATA_W=%0d is not a power of two in 64..1024", DATA_W);
        end
        if (SID_W < 6 || SID_W > 16) begin : g_bad_sid
            `FTOE_ELAB_FATAL $fatal(1, "%m: SID_W=%0d must be in 6..16", SID_W);
        end
        if (BUF_BYTES < 4096 || BUF_BYTES > 1048576 || (BUF_BYTES & (BUF_BYTES - 1)) != 0) begin : g_bad_buf
            `FTOE_ELAB_FATAL $fatal(1, "%m: BUF_BYTES=%0d must be a power of two in 4096..1048576", BUF_BYTES);
        end
        if (MAX_SEG < 2 * B || MAX_SEG > 32768 || MAX_SEG > BUF_BYTES
            || (MAX_SEG & (MAX_SEG - 1)) != 0) begin : g_bad_seg
            `FTOE_ELAB_FATAL $fatal(1, "%m: MAX_SEG=%0d must be a power of two in 2*DATA_W/8..32768, <= BUF_BYTES", MAX_SEG);
        end
    endgenerate

    // ---- per staged request (a ring of NQ entries, taken in order)
    logic             alloc_q  [NQ];            // taken by a request, not yet streamed out
    logic             filled_q [NQ];            // payload and sum complete
    logic [TAG_W-1:0] tag_q    [NQ];
    logic [15:0]      len_q    [NQ];
    logic [NW-1:0]    n_q      [NQ];            // memory words to read
    logic [BW-1:0]    a_q      [NQ];            // lane of the first payload byte
    logic             fl_q     [NQ];            // the last aligned word needs a flush write
    logic [B-1:0]     lastk_q  [NQ];            // lanes of the last memory word in the payload
    logic [15:0]      sum_q    [NQ];
    logic [SAW-1:0]   base_q   [NQ];            // staging word of the payload's first byte
    logic [SAW:0]     used_q;                   // staging words reserved, not yet streamed
    logic [SAW-1:0]   wbase_q;                  // staging word where the next request starts

    // ---- request intake and read issue
    logic [QW-1:0]     iss_ptr_q;
    logic              iss_busy_q;
    logic [NW-1:0]     iss_left_q;
    logic [SID_W-1:0]  iss_sid_q;
    logic [RW-1:0]     iss_word_q;
    logic [BW-1:0]     req_a;
    logic [16:0]       req_end;                 // a + len
    logic [NW-1:0]     req_n, req_m;
    logic              req_take;
    logic              req_room;                // the payload fits in the free staging words
    logic              iss_fire;
    always_comb begin
        req_a = s_req_seq[BW-1:0];
        req_end = 17'(req_a) + {1'b0, s_req_len};
        req_n = NW'((req_end + 17'(B - 1)) >> BW);
        req_m = NW'(({1'b0, s_req_len} + 17'(B - 1)) >> BW);
        req_room = 17'(used_q) + 17'(req_m) <= 17'(4 * HALF);
        // (taken in the cycle of the previous request's last read, so reads go back to back)
        s_req_ready = (!iss_busy_q || (m_rd_ready && iss_left_q == NW'(1))) &&
                      !alloc_q[iss_ptr_q] && req_room;
        m_rd_valid = iss_busy_q;
        m_rd_addr = {iss_sid_q, iss_word_q};
    end
    // handshakes apart from the outputs, so no output depends on its own ready
    always_comb begin
        req_take = s_req_valid && (!iss_busy_q || (m_rd_ready && iss_left_q == NW'(1))) &&
                   !alloc_q[iss_ptr_q] && req_room;
        iss_fire = iss_busy_q && m_rd_ready;
    end
    // lanes of the last word holding payload: 0..((a+len-1) mod B)
    logic [BW-1:0] req_elane;
    logic [B-1:0]  req_lastk;
    always_comb begin
        req_elane = BW'(req_end - 17'd1);
        req_lastk = '0;
        for (int i = 0; i < B; i++) req_lastk[i] = BW'(i) <= req_elane;
    end

    // ---- fill: responses into the staging buffer, realigned; sums
    logic [QW-1:0] fill_ptr_q;
    logic [NW-1:0] rcnt_q;
    logic [DATA_W-1:0] prev_q;
    logic          flush_q;                     // write the last aligned word now
    logic [SAW-1:0] flush_addr_q;
    logic [BW-1:0] flush_a_q;
    logic [QW-1:0] f_ptr;
    logic [BW-1:0] f_a;
    logic [NW-1:0] f_n;
    logic          f_last, f_zero;
    logic [2*DATA_W-1:0] f_join;
    logic [B-1:0]  f_mask;
    logic [DATA_W-1:0] f_masked;
    logic [SW-1:0] f_wsum;
    logic          st_we;
    logic [SAW-1:0] st_waddr;
    logic [DATA_W-1:0] st_wdata;
    logic [2*DATA_W-1:0] fl_join;
    always_comb begin
        f_ptr = fill_ptr_q;
        f_a = a_q[f_ptr];
        f_n = n_q[f_ptr];
        f_last = rcnt_q == f_n - NW'(1);
        // a zero-length request waiting at the fill pointer completes at once
        f_zero = alloc_q[f_ptr] && !filled_q[f_ptr] && f_n == '0;
        // The realigning shifts and the mask only in a cycle that uses them (a response;
        // a flush), so the simulated model skips them in every other cycle.
        f_join = '0;
        fl_join = '0;
        f_mask = '0;
        f_masked = '0;
        if (s_rd_valid) begin
            f_join = {s_rd_data, prev_q} >> {f_a, 3'b000};
            // bytes of this memory word inside the payload
            for (int i = 0; i < B; i++)
                f_mask[i] = (rcnt_q != '0 || BW'(i) >= f_a) && (!f_last || lastk_q[f_ptr][i]);
            for (int i = 0; i < B; i++)
                f_masked[8*i +: 8] = f_mask[i] ? s_rd_data[8*i +: 8] : 8'd0;
        end
        if (flush_q) fl_join = {{DATA_W{1'b0}}, prev_q} >> {flush_a_q, 3'b000};
        st_we = 1'b0;
        st_waddr = base_q[f_ptr] + SAW'(rcnt_q - NW'(1));
        st_wdata = f_join[DATA_W-1:0];
        if (s_rd_valid && rcnt_q != '0) begin
            st_we = 1'b1;
        end else if (flush_q) begin
            st_we = 1'b1;
            st_waddr = flush_addr_q;
            st_wdata = fl_join[DATA_W-1:0];
        end
    end

    logic [DATA_W-1:0] stg [4 * HALF];
    logic [SAW-1:0]    stg_raddr;
    logic              stg_re;
    logic [DATA_W-1:0] stg_q;
    always_ff @(posedge clk) begin
        if (st_we) stg[st_waddr] <= st_wdata;
        if (stg_re) stg_q <= stg[stg_raddr];
    end

    // sum pipeline: stage 0 the word's payload bytes, stage 1 its pairs' sum, stage 2
    // accumulate and fold
    logic          s0_valid_q, s0_first_q, s0_last_q, s0_odd_q;
    logic [QW-1:0] s0_ptr_q, s1_ptr_q;
    logic [DATA_W-1:0] s0_data_q;
    logic          s1_valid_q, s1_first_q, s1_last_q, s1_odd_q;
    logic [SW-1:0] s1_sum_q;
    always_comb begin
        // big-endian pairs from lane 0: lane 2k is the high byte
        f_wsum = '0;
        if (s0_valid_q) for (int k = 0; k < B / 2; k++)  // only for a word in stage 0
            f_wsum = f_wsum + SW'({s0_data_q[16*k +: 8], s0_data_q[16*k + 8 +: 8]});
    end
    logic [31:0]   acc_q;
    logic [31:0]   acc_d;
    logic [16:0]   fold1;
    logic [15:0]   fold2, fsum;
    always_comb begin
        acc_d = (s1_first_q ? 32'd0 : acc_q) + 32'(s1_sum_q);
        fold1 = 17'(acc_d[31:16]) + 17'(acc_d[15:0]);
        fold2 = fold1[15:0] + 16'(fold1[16]);
        fsum = s1_odd_q ? {fold2[7:0], fold2[15:8]} : fold2;
    end

    // ---- output: descriptors in order (desc_ptr); staged words read in order (rd_ptr)
    // through a 2-entry FIFO whose beats carry their entry, so the next payload's reads
    // follow the last read of the previous one without a gap. A beat is offered once its
    // entry's descriptor has been taken; an entry is freed with its last beat, or (len 0)
    // with its descriptor.
    logic [QW-1:0] desc_ptr_q, rd_ptr_q;
    logic          dtk_q [NQ];                  // descriptor taken
    logic [QW:0]   rdq_q;                       // entries taken and not yet passed by the
                                                // reads (the reads may not wrap onto an
                                                // entry whose last beat has not left)
    logic          act_q;                       // rd_ptr's payload is being read
    logic [HW:0]   rleft_q;                     // words still to read
    logic [HW-1:0] rword_q;
    logic          rv_q, rlast_q;               // a staging read lands this cycle
    logic [QW-1:0] rent_q;                      // ... of this entry
    logic [B-1:0]  rkeep_q;
    logic [DATA_W-1:0] fd0_q, fd1_q;
    logic [B-1:0]  fk0_q, fk1_q;
    logic          fl0_q, fl1_q;
    logic [QW-1:0] fe0_q, fe1_q;
    logic [1:0]    occ_q;
    logic          pop, desc_hs;
    logic [15:0]   d_len;
    logic          o_desc;
    // the entry at rd_ptr and the one after it (taken over in the cycle of a last read)
    logic [QW-1:0] nx_ptr;
    logic          r_ready, nx_ready, r_zero, nx_zero;
    logic [HW:0]   r_m, nx_m;
    logic [B-1:0]  r_lastk;
    logic          last_issue;
    function automatic logic [HW:0] words_of(input logic [15:0] len);
        words_of = (HW + 1)'(({1'b0, len} + 17'(B - 1)) >> BW);
    endfunction
    function automatic logic [B-1:0] lastk_of(input logic [15:0] len);
        logic [BW-1:0] e;
        e = BW'(len - 16'd1);
        for (int i = 0; i < B; i++) lastk_of[i] = BW'(i) <= e;
    endfunction
    always_comb begin
        d_len = len_q[desc_ptr_q];
        o_desc = alloc_q[desc_ptr_q] && filled_q[desc_ptr_q] && !dtk_q[desc_ptr_q];
        m_desc_valid = o_desc;
        m_desc_tag = tag_q[desc_ptr_q];
        m_desc_len = d_len;
        m_desc_sum = sum_q[desc_ptr_q];
        m_pay_tvalid = occ_q != 2'd0 && dtk_q[fe0_q];
        m_pay_tdata = fd0_q;
        m_pay_tkeep = fk0_q;
        m_pay_tlast = fl0_q;
        nx_ptr = rd_ptr_q + QW'(1);
        r_ready = rdq_q != '0 && filled_q[rd_ptr_q];
        r_zero = len_q[rd_ptr_q] == 16'd0;
        r_m = words_of(len_q[rd_ptr_q]);
        r_lastk = lastk_of(len_q[rd_ptr_q]);
        nx_ready = rdq_q > (QW + 1)'(1) && filled_q[nx_ptr];
        nx_zero = len_q[nx_ptr] == 16'd0;
        nx_m = words_of(len_q[nx_ptr]);
    end
    always_comb begin
        pop = m_pay_tvalid && m_pay_tready;
        desc_hs = o_desc && m_desc_ready;
        stg_re = act_q && rleft_q != '0
                 && ({1'b0, occ_q} + {2'b00, rv_q} - {2'b00, pop}) < 3'd2;
        stg_raddr = base_q[rd_ptr_q] + SAW'(rword_q);
        last_issue = stg_re && rleft_q == (HW + 1)'(1);
    end
    always_ff @(posedge clk) begin
        // request intake
        if (req_take) begin
            tag_q[iss_ptr_q] <= s_req_tag;
            len_q[iss_ptr_q] <= s_req_len;
            n_q[iss_ptr_q] <= req_n;
            a_q[iss_ptr_q] <= req_a;
            fl_q[iss_ptr_q] <= req_m == req_n;
            lastk_q[iss_ptr_q] <= req_lastk;
            base_q[iss_ptr_q] <= wbase_q;
            iss_left_q <= req_n;
            iss_sid_q <= s_req_sid;
            iss_word_q <= s_req_seq[BW +: RW];
        end else if (iss_fire) begin
            iss_left_q <= iss_left_q - NW'(1);
            iss_word_q <= iss_word_q + RW'(1);
        end
        // fill
        if (s_rd_valid) prev_q <= s_rd_data;
        if (s_rd_valid && f_last) begin
            flush_addr_q <= base_q[f_ptr] + SAW'(rcnt_q);
            flush_a_q <= f_a;
        end
        s0_data_q <= f_masked;
        s0_first_q <= rcnt_q == '0;
        s0_last_q <= f_last;
        s0_ptr_q <= f_ptr;
        s0_odd_q <= f_a[0];
        s1_sum_q <= f_wsum;
        s1_first_q <= s0_first_q;
        s1_last_q <= s0_last_q;
        s1_ptr_q <= s0_ptr_q;
        s1_odd_q <= s0_odd_q;
        if (s1_valid_q) acc_q <= acc_d;
        if (s1_valid_q && s1_last_q) sum_q[s1_ptr_q] <= fsum;
        if (f_zero) sum_q[f_ptr] <= 16'd0;
        // output
        if (stg_re) begin
            rword_q <= last_issue ? '0 : rword_q + HW'(1);
            rlast_q <= last_issue;
            rkeep_q <= last_issue ? r_lastk : '1;
            rent_q  <= rd_ptr_q;
        end
        if (!act_q) rword_q <= '0;
        // FIFO data: pop shifts, a landing read goes to the first free slot
        if (pop) begin
            fd0_q <= fd1_q;
            fk0_q <= fk1_q;
            fl0_q <= fl1_q;
            fe0_q <= fe1_q;
        end
        if (rv_q) begin
            if (occ_q == 2'd0 || (occ_q == 2'd1 && pop)) begin
                fd0_q <= stg_q;
                fk0_q <= rkeep_q;
                fl0_q <= rlast_q;
                fe0_q <= rent_q;
            end else begin
                fd1_q <= stg_q;
                fk1_q <= rkeep_q;
                fl1_q <= rlast_q;
                fe1_q <= rent_q;
            end
        end

        if (rst) begin
            for (int i = 0; i < NQ; i++) begin
                alloc_q[i] <= 1'b0;
                filled_q[i] <= 1'b0;
            end
            used_q <= '0;
            wbase_q <= '0;
            iss_ptr_q <= '0;
            iss_busy_q <= 1'b0;
            fill_ptr_q <= '0;
            rcnt_q <= '0;
            flush_q <= 1'b0;
            s0_valid_q <= 1'b0;
            s1_valid_q <= 1'b0;
            for (int i = 0; i < NQ; i++) dtk_q[i] <= 1'b0;
            rdq_q <= '0;
            desc_ptr_q <= '0;
            rd_ptr_q <= '0;
            act_q <= 1'b0;
            rleft_q <= '0;
            rv_q <= 1'b0;
            occ_q <= 2'd0;
        end else begin
            // intake and issue
            if (req_take) begin
                alloc_q[iss_ptr_q] <= 1'b1;
                filled_q[iss_ptr_q] <= 1'b0;
                iss_ptr_q <= iss_ptr_q + QW'(1);
                wbase_q <= wbase_q + SAW'(req_m);
                iss_busy_q <= req_n != '0;
            end else if (iss_fire && iss_left_q == NW'(1)) begin
                iss_busy_q <= 1'b0;
            end
            // fill
            flush_q <= s_rd_valid && f_last && fl_q[f_ptr];
            s0_valid_q <= s_rd_valid;
            s1_valid_q <= s0_valid_q;
            if (s_rd_valid) begin
                if (f_last) begin
                    rcnt_q <= '0;
                    fill_ptr_q <= fill_ptr_q + QW'(1);
                end else begin
                    rcnt_q <= rcnt_q + NW'(1);
                end
            end else if (f_zero) begin
                fill_ptr_q <= fill_ptr_q + QW'(1);
            end
            if (s1_valid_q && s1_last_q) filled_q[s1_ptr_q] <= 1'b1;
            if (f_zero) filled_q[f_ptr] <= 1'b1;
            // descriptors
            if (desc_hs) begin
                dtk_q[desc_ptr_q] <= d_len != 16'd0;
                desc_ptr_q <= desc_ptr_q + QW'(1);
            end
            // reads: start rd_ptr's payload, or pass a zero-length entry; the next one's
            // starts in the cycle of the last read (it is staged by then or waits)
            if (!act_q) begin
                if (r_ready && !r_zero) begin
                    act_q <= 1'b1;
                    rleft_q <= r_m;
                end else if (rdq_q != '0 && r_zero) begin  // nothing to read: pass it
                    rd_ptr_q <= nx_ptr;
                end
            end else if (last_issue) begin
                rd_ptr_q <= nx_ptr;
                act_q <= nx_ready && !nx_zero;
                rleft_q <= nx_m;
            end else if (stg_re) begin
                rleft_q <= rleft_q - (HW + 1)'(1);
            end
            rv_q <= stg_re;
            occ_q <= occ_q + {1'b0, rv_q} - {1'b0, pop};
            used_q <= used_q + (req_take ? (SAW + 1)'(req_m) : '0) - (SAW + 1)'(pop);
            // frees: a payload with its last beat; a zero-length entry once its
            // descriptor is taken and the reads have passed it
            if (pop && fl0_q) begin
                alloc_q[fe0_q] <= 1'b0;
                dtk_q[fe0_q] <= 1'b0;
            end
            if (desc_hs && d_len == 16'd0) begin
                alloc_q[desc_ptr_q] <= 1'b0;
                dtk_q[desc_ptr_q] <= 1'b0;
            end
            rdq_q <= rdq_q + (QW + 1)'(req_take)
                     - (QW + 1)'(last_issue || (!act_q && rdq_q != '0 && r_zero));
        end
    end

    wire logic unused_bits = ^{s_req_seq, f_join[2*DATA_W-1:DATA_W], fl_join[2*DATA_W-1:DATA_W]};
endmodule

`default_nettype wire
