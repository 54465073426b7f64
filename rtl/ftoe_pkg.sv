// ftoe_pkg: constants shared by the engine's blocks, and the host-link wire format.
//
// The wire format is defined twice, here for the RTL and in driver/wire_format.hpp for
// C++; tests/wire/ proves the two agree (constants, CRCs, and the RTL deframer and
// framer against the C++ ones). Change both together.
//
// Dialect note: referenced as ftoe_pkg::NAME (Yosys 0.23 has no package import inside
// modules) and only localparams and functions (Icarus 11 cannot use package types).
`default_nettype none
package ftoe_pkg;
    // A package's constants are for the modules that use it; each uses only some.
    /* verilator lint_off UNUSEDPARAM */

    // ---- Host link: one framed byte stream per direction, little-endian ------------
    //  0  magic     HL_MAGIC; a receiver that lost framing hunts for it
    //  1  kind      HL_CMD_* (host -> FPGA) or HL_EVT_* (FPGA -> host)
    //  2  length    payload bytes, 0..HL_MAX_PAYLOAD
    //  4  seq       per-direction message number, +1 per message, wraps at 2^32
    //  8  session   session id, HL_NO_SESSION when the message is about none
    // 12  arg       per-kind 16-bit argument (reason code, flags)
    // 14  hcrc      CRC-16/CCITT-FALSE of bytes 0..13: the length is trusted only then
    // 16  payload   `length` bytes
    //  .  pcrc      CRC-32C (Castagnoli) of the payload, 4 bytes, present even when empty
    localparam logic [7:0]  HL_MAGIC       = 8'hA5;
    localparam int          HL_HDR_BYTES   = 16;
    localparam int          HL_TRL_BYTES   = 4;
    localparam int          HL_MAX_PAYLOAD = 9216;  // a 9000-byte MTU frame plus L2 header
    localparam logic [31:0] HL_NO_SESSION  = 32'hFFFF_FFFF;
    localparam logic [15:0] HL_CRC16_INIT  = 16'hFFFF;
    localparam logic [31:0] HL_CRC32C_INIT = 32'hFFFF_FFFF;  // result is inverted

    // Commands, host -> FPGA
    localparam logic [7:0] HL_CMD_PING           = 8'h01;  // answered by HL_EVT_PONG
    localparam logic [7:0] HL_CMD_SET_CONFIG     = 8'h02;  // addresses, timer settings
    localparam logic [7:0] HL_CMD_INSTALL        = 8'h03;  // session into hardware
    localparam logic [7:0] HL_CMD_REMOVE         = 8'h04;  // session out of hardware
    localparam logic [7:0] HL_CMD_SEND_FIN       = 8'h05;  // FIN after queued data
    localparam logic [7:0] HL_CMD_ABORT          = 8'h06;  // RST now, then remove
    localparam logic [7:0] HL_CMD_RAW_TX         = 8'h07;  // host-built frame, arg = fill flags
    localparam logic [7:0] HL_CMD_APP_DATA       = 8'h08;  // payload for a host-terminated socket
    localparam logic [7:0] HL_CMD_READ_COUNTERS  = 8'h09;  // answered by HL_EVT_COUNTERS
    localparam logic [7:0] HL_CMD_RX_CREDIT      = 8'h0A;  // host consumed received bytes
    localparam logic [7:0] HL_CMD_RX_INJECT      = 8'h0B;  // a frame, received as from the MAC

    // Events, FPGA -> host
    localparam logic [7:0] HL_EVT_PONG           = 8'h81;
    localparam logic [7:0] HL_EVT_SLOW_PATH      = 8'h82;  // a frame, arg = HL_REASON_*
    localparam logic [7:0] HL_EVT_INSTALLED      = 8'h83;  // arg = 0 ok, else failure reason
    localparam logic [7:0] HL_EVT_REMOVED        = 8'h84;
    localparam logic [7:0] HL_EVT_PEER_FIN       = 8'h85;
    localparam logic [7:0] HL_EVT_PEER_RST       = 8'h86;
    localparam logic [7:0] HL_EVT_PEER_SYN       = 8'h87;  // on a synchronized session
    localparam logic [7:0] HL_EVT_ACKED          = 8'h88;  // arg HL_ACKED_*: FIN acked, data acked
    localparam logic [7:0] HL_EVT_RX_DATA        = 8'h89;  // data for a host-terminated socket
    localparam logic [7:0] HL_EVT_TIMEOUT        = 8'h8A;  // retransmissions exhausted
    localparam logic [7:0] HL_EVT_COUNTERS       = 8'h8B;
    localparam logic [7:0] HL_EVT_LINK_ERROR     = 8'h8C;  // arg = HL_LINKERR_*

    // Payloads (all multi-byte values as on the network: big-endian, unless noted).
    //  SET_CONFIG: our MAC (6 bytes), our IPv4 address (4); optionally (all 28 bytes or
    //    none) the transmit timers in time-base ticks: RTO minimum (4), RTO maximum (4),
    //    initial RTO (4), RTO expiries in a row before TIMEOUT (1), flags (1: bit 0
    //    delayed ACK on), delayed-ACK time (4); the zero-window probe interval starts at
    //    the session's RTO. Without them, or after reset: 200000, 120000000,
    //    1000000, 15, delayed ACK off, 40000 (at 1 us per tick: 200 ms, 120 s, 1 s, 40 ms).
    //    Further bytes ignored.
    //  INSTALL: {remote IPv4, local IPv4, remote port, local port} (12 bytes), then the
    //    session's receive state (HL_INSTALL_BYTES in all): RCV.NXT, RCV.WND, SND.UNA,
    //    SND.NXT, SND.WND, max SND.WND, SND.WL1, SND.WL2 (4 bytes each), the peer's
    //    window shift (1), flags (1: HL_INSTALL_* bits), TS.Recent (4), then what the
    //    engine's own segments need: the peer's MAC (6), our receive window shift (1,
    //    applied to RCV.WND when it is advertised) and the host's TSval at install (4:
    //    the engine's TSvals continue the host's millisecond clock from there, so the
    //    peer's PAWS sees one clock), the peer's MSS (2: the engine's segments carry at
    //    most that many bytes). REMOVE: the 12 key bytes. The session id is the header's;
    //    answered by INSTALLED/REMOVED with arg = HL_RES_*; a REMOVED with HL_RES_REMOVED
    //    carries the session's last SND.NXT, RCV.NXT and TS.Recent (4 bytes each). The host owns session ids: it installs only free ones.
    //  PING: any payload, echoed by PONG (session and arg echoed too).
    //  Host-terminated sessions (INSTALL flag HL_INSTALL_HOST): the host is the session's
    //    app. RX_DATA carries each in-order segment's payload (its bytes, in order; the
    //    window reopens as they enter the host link); APP_DATA appends its payload
    //    (1..HL_MAX_PAYLOAD bytes) to the session's TX buffer, ACKED with arg
    //    HL_ACKED_DATA reports SND.UNA (4 bytes) as the peer acknowledges data, coalesced
    //    per session (the newest value when the event leaves): the host keeps the bytes
    //    it has given beyond it at most the TX buffer less one chunk, so APP_DATA never
    //    waits for room. APP_DATA for a session id out of range, or empty, is not executed.
    //  RAW_TX: one whole Ethernet frame (no FCS), sent as it is except for the checksums
    //    arg asks the engine to fill (HL_RAWTX_FILL_*: the IPv4 header checksum, the
    //    TCP/UDP checksum with its pseudo-header), where they apply.
    //  RX_INJECT: one whole Ethernet frame (no FCS) of 1..HL_MAX_INJECT bytes, taken in
    //    as if it had come from the MAC (parser, table, tcp_rx, counters; between MAC
    //    frames) and counted in rx_injected; empty or longer: not executed.
    //  ABORT: the 12 key bytes, as REMOVE; the engine first sends the session's RST
    //    (<SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK>, RFC 9293 §3.10.5) from its newest
    //    state, then removes it and answers REMOVED like REMOVE (for a session not
    //    installed, no RST). REMOVE and ABORT stop the session's transmit side: a timer
    //    left armed or a segment in flight sends nothing more.
    //  PEER_FIN / PEER_RST / PEER_SYN: no payload; session = the installed session. For
    //    a host-terminated session each leaves after the payload of every segment decided
    //    before it (its own too) has left the payload store: its RX_DATA comes first.
    //  TIMEOUT: no payload; the session's RTO expired more than the configured number of
    //    times in a row: it sends nothing more until the host removes (or aborts) it.
    //  COUNTERS (little-endian): HL_CNT_RX 64-bit counters by RX_* reason, HL_CNT_LINK
    //    64-bit counters by HL_LINKERR_* code, link-error events lost, commands not
    //    supported yet, HL_CNT_SEG 64-bit counters by SEG_* outcome, session events
    //    lost, ACK segments sent, ACK requests lost (queue full), data segments sent
    //    (payload or FIN), segments retransmitted, RTO expiries, persist expiries
    //    (zero-window probes due), delayed-ACK expiries, TIMEOUT events, timer expiries
    //    dropped as stale (a newer command replaced them), RST segments sent (ABORT),
    //    HL_CNT_EVT 64-bit counters of events sent by kind (index = kind - 0x80), frames
    //    taken in by RX_INJECT (rx_injected), then 32-bit
    //    connection-table occupancy, insert failures, stashed entries and cuckoo moves.
    localparam logic [15:0] HL_RAWTX_FILL_IP  = 16'h0001;  // RAW_TX arg: fill the IPv4 checksum
    localparam logic [15:0] HL_RAWTX_FILL_L4  = 16'h0002;  // ... and/or the TCP/UDP checksum
    localparam logic [7:0]  HL_INSTALL_TS     = 8'h01;  // INSTALL flags: timestamps on
    localparam logic [7:0]  HL_INSTALL_HOST   = 8'h02;  // ... host-terminated (payload via the link)
    localparam logic [15:0] HL_ACKED_FIN      = 16'h0001;  // ACKED arg: our FIN is acknowledged
    localparam logic [15:0] HL_ACKED_DATA     = 16'h0002;  // ... payload: SND.UNA (host sessions)
    localparam int          HL_KEY_BYTES      = 12;
    localparam int          HL_INSTALL_BYTES  = 63;
    localparam int          HL_CNT_RX         = 32;
    localparam int          HL_CNT_LINK       = 8;
    localparam int          HL_CNT_SEG        = 16;
    localparam int          HL_CNT_EVT        = 16;
    localparam int          HL_CNT_WORDS      = 86;   // 64-bit words: 32 + 8 + 2 + 16 + 4 + 7 + 16 + 1
    localparam int          HL_COUNTERS_BYTES = 704;  // 8 * HL_CNT_WORDS + 16
    localparam int          HL_MAX_INJECT     = 2048; // RX_INJECT's longest frame
    localparam int          HL_CONFIG_BYTES   = 10;   // SET_CONFIG: addresses only
    localparam int          HL_CONFIG_TIMERS_BYTES = 28;  // ... with the timers

    // Segment outcomes: one per segment of an installed session, the index of its
    // counter. The first that applies names it, in this order.
    localparam logic [3:0]  SEG_PAWS          = 4'd4;   // old timestamp (RFC 7323)
    localparam logic [3:0]  SEG_OUT_OF_WINDOW = 4'd3;   // unacceptable: ACKed, dropped
    localparam logic [3:0]  SEG_RST           = 4'd6;   // valid RST: PEER_RST
    localparam logic [3:0]  SEG_SYN           = 4'd7;   // SYN: challenge ACK and PEER_SYN
    localparam logic [3:0]  SEG_CHALLENGE     = 4'd5;   // RST off RCV.NXT, ACK out of range
    localparam logic [3:0]  SEG_FIN           = 4'd8;   // in-order FIN: PEER_FIN
    localparam logic [3:0]  SEG_DATA          = 4'd0;   // in-order payload accepted
    localparam logic [3:0]  SEG_OUT_OF_ORDER  = 4'd2;   // payload beyond RCV.NXT: dropped
    localparam logic [3:0]  SEG_DUP_ACK       = 4'd9;   // duplicate ACK (RFC 5681)
    localparam logic [3:0]  SEG_NO_ACK        = 4'd10;  // no ACK flag: dropped
    localparam logic [3:0]  SEG_ACK           = 4'd1;   // anything else: ACK/window only

    localparam logic [15:0] HL_RES_INSERTED   = 16'd0;
    localparam logic [15:0] HL_RES_STASHED    = 16'd1;   // installed, in the stash
    localparam logic [15:0] HL_RES_EXISTS     = 16'd2;
    localparam logic [15:0] HL_RES_FULL       = 16'd3;
    localparam logic [15:0] HL_RES_REMOVED    = 16'd4;
    localparam logic [15:0] HL_RES_MISSING    = 16'd5;
    localparam logic [15:0] HL_RES_BAD_SID    = 16'd254; // session id >= SESSIONS
    localparam logic [15:0] HL_RES_SHORT      = 16'd255; // payload shorter than required

    // HL_EVT_LINK_ERROR reasons (arg), payload {seq, expected seq, bytes skipped} as
    // three little-endian 32-bit words. The offending command is not executed, except after a
    // sequence gap or a resync, where the message itself is intact and runs.
    localparam logic [15:0] HL_LINKERR_HDR_CRC   = 16'd1;
    localparam logic [15:0] HL_LINKERR_PAY_CRC   = 16'd2;
    localparam logic [15:0] HL_LINKERR_SEQ_GAP   = 16'd3;
    localparam logic [15:0] HL_LINKERR_SEQ_DUP   = 16'd4;
    localparam logic [15:0] HL_LINKERR_BAD_KIND  = 16'd5;
    localparam logic [15:0] HL_LINKERR_TOO_LONG  = 16'd6;
    localparam logic [15:0] HL_LINKERR_RESYNC    = 16'd7;  // bytes skipped hunting for a header

    // ---- Receive reasons: one code per frame, the counter it is counted in --------
    // 0 fast path; 1..15 slow path (frame to the host, HL_EVT_SLOW_PATH arg); 16..31
    // dropped. C++ side: driver/rx_reason.hpp. Precedence: the first check that fails
    // (in the order of eth_rx_parse's header) names the frame.
    localparam int         RX_REASON_W              = 5;
    localparam logic [4:0] RX_TCP                   = 5'd0;
    localparam logic [4:0] RX_SLOW_ARP              = 5'd1;
    localparam logic [4:0] RX_SLOW_ICMP             = 5'd2;
    localparam logic [4:0] RX_SLOW_FRAGMENT         = 5'd3;
    localparam logic [4:0] RX_SLOW_OTHER_PROTO      = 5'd4;
    localparam logic [4:0] RX_SLOW_TCP_OPTIONS      = 5'd5;
    localparam logic [4:0] RX_SLOW_NO_SESSION       = 5'd6;
    localparam logic [4:0] RX_DROP_MAC_ERROR        = 5'd16;
    localparam logic [4:0] RX_DROP_RUNT             = 5'd17;
    localparam logic [4:0] RX_DROP_NOT_OUR_MAC      = 5'd18;
    localparam logic [4:0] RX_DROP_ETHERTYPE        = 5'd19;
    localparam logic [4:0] RX_DROP_BAD_IP_HEADER    = 5'd20;
    localparam logic [4:0] RX_DROP_IP_CHECKSUM      = 5'd21;
    localparam logic [4:0] RX_DROP_NOT_OUR_IP       = 5'd22;
    localparam logic [4:0] RX_DROP_BAD_TCP_HEADER   = 5'd23;
    localparam logic [4:0] RX_DROP_TCP_CHECKSUM     = 5'd24;
    localparam logic [4:0] RX_DROP_BAD_TCP_OPTIONS  = 5'd25;
    localparam logic [4:0] RX_DROP_NO_BUFFER        = 5'd26;

    // ---- CRCs, one byte per call (the host link moves one byte per cycle) ----------
    // CRC-16/CCITT-FALSE: poly 0x1021, MSB first, init 0xFFFF, no final xor.
    function automatic logic [15:0] crc16_ccitt_byte(input logic [15:0] crc,
                                                     input logic [7:0] b);
        logic [15:0] c;
        c = crc ^ {b, 8'h00};
        for (int i = 0; i < 8; i++) c = c[15] ? {c[14:0], 1'b0} ^ 16'h1021 : {c[14:0], 1'b0};
        crc16_ccitt_byte = c;
    endfunction

    // CRC-32C: reflected poly 0x82F63B78, init 0xFFFFFFFF, final value inverted.
    function automatic logic [31:0] crc32c_byte(input logic [31:0] crc, input logic [7:0] b);
        logic [31:0] c;
        c = crc ^ {24'h0, b};
        for (int i = 0; i < 8; i++) c = c[0] ? (c >> 1) ^ 32'h82F6_3B78 : (c >> 1);
        crc32c_byte = c;
    endfunction

    /* verilator lint_on UNUSEDPARAM */
endpackage
`default_nettype wire
