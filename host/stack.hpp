// stack.hpp: the host control plane's Stack (first version): one event loop over a
// driver::Link that owns every connection until its handshake completes, installs it into
// the engine, drives teardown from the engine's events, and answers the slow path.
//
// What it does
//   - start(): SET_CONFIG (our MAC and IPv4 address).
//   - poll(wait): drains Link::poll(wait), dispatches each event, then runs the timers
//     due at Link::now() (SYN / SYN-ACK retransmissions, ARP requests and failures,
//     TIME_WAIT expiry). One ordered timer set keyed by deadline; no wall clock is read.
//   - Slow path (SLOW_PATH events, whole frames): ARP requests for our address are
//     answered and senders learned (ArpCache); ICMP echo requests get replies; TCP
//     segments go, in this order, to the connection of their 4-tuple, the TIME_WAIT table,
//     a listener on their port, or the closed-port rules (RFC 9293 §3.10.7.1: no RST for
//     a RST; <SEQ=SEG.ACK><CTL=RST> for an ACK; else <SEQ=0><ACK=SEG.SEQ+SEG.LEN>
//     <CTL=RST,ACK>).
//   - Passive open (listen/accept): a SYN gets a SYN-ACK (MSS, window scale, SACK-
//     permitted, timestamps as configured and offered by the peer; ISN per RFC 6528) and a
//     SYN-RECEIVED entry that retransmits the SYN-ACK with exponential backoff. When a
//     listener already holds syn_backlog half-open connections, the SYN is answered with
//     a SYN cookie (RFC 4987, syn_cookie.hpp) and no state. The final ACK (or a valid
//     cookie ACK) makes the Stack allocate an engine session id and INSTALL the session;
//     INSTALLED ok -> ESTABLISHED and queued for accept(); INSTALLED failure (or no free
//     session id) -> RST to the peer, connection dropped. A final ACK that finds the
//     accept queue full is dropped (the peer's retransmission, or ours, retries).
//   - Active open (connect): local port from PortAllocator (RFC 6056, skipping tuples in
//     TIME_WAIT and in use; a port with a listener counts as in use), SYN with retries and exponential backoff, SYN-ACK -> ACK +
//     INSTALL -> ESTABLISHED on INSTALLED ok. RST (acceptable ACK) -> kRefused; retries
//     exhausted -> kTimedOut; ARP failure -> kHostUnreachable. A SYN in SYN-SENT is a
//     simultaneous open (RFC 9293 §3.5 figure 8): SYN-ACK, SYN-RECEIVED, then the peer's
//     SYN-ACK or ACK completes it.
//   - SYN and SYN-ACK are sent through the ArpCache (queued while the peer resolves);
//     replies to a received frame (RST, TIME_WAIT ACKs, ICMP) go to its source MAC.
//     Every peer is taken to be on-link (no routing / gateway in this version).
//   - Teardown of installed sessions (engine events, session = the engine session id):
//       ESTABLISHED  --close()/SEND_FIN--> FIN_WAIT_1
//       FIN_WAIT_1   --ACKED(FIN)--> FIN_WAIT_2      --PEER_FIN--> CLOSING
//       FIN_WAIT_2   --PEER_FIN--> TIME_WAIT          CLOSING --ACKED(FIN)--> TIME_WAIT
//       ESTABLISHED  --PEER_FIN--> CLOSE_WAIT --close()/SEND_FIN--> LAST_ACK
//       LAST_ACK     --ACKED(FIN)--> CLOSED (REMOVE)
//       any          --PEER_RST--> CLOSED, error kReset (REMOVE)
//       any          --TIMEOUT--> CLOSED, error kTimedOut (REMOVE)
//     Entering TIME_WAIT sends REMOVE; on REMOVED the tuple goes into the TimeWaitTable
//     (which from then on answers its retransmitted FINs and new SYNs arriving on the
//     slow path, and expires it at 2MSL), the session id is freed and the socket reports
//     CLOSED (the connection lives on only as the 32-byte table entry). abort() (and
//     close() with linger-0, or with received data the application never read, as
//     Linux does): ABORT, the engine sends <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK> from
//     its newest state and answers REMOVED; error kAborted. A connection close()d in
//     FIN_WAIT_2 is removed without a word after fin_wait2_timeout_ns (as Linux's
//     tcp_fin_timeout); one only shut down for writing waits for the peer's FIN. close()
//     in SYN-RECEIVED (or while INSTALL is pending) waits for ESTABLISHED, then FINs
//     (RFC 9293 §3.10.4); in SYN-SENT it just stops.
//   - Host-terminated sockets (Termination::kHost, the default): the engine session is
//     installed with the host flag; send() queues bytes in the socket's send buffer
//     (send_buffer bytes), handed to the engine as APP_DATA (app_data_chunk bytes each)
//     while the bytes handed beyond the SND.UNA the engine last reported (ACKED with
//     kAckedData) stay within kEngineTxBufBytes - kEngineTxChunk, so APP_DATA never
//     waits in the engine. RX_DATA events append to the receive buffer that recv()
//     drains; the engine reopens the peer's window as the bytes enter the host link, so
//     that buffer is not bounded by the window (RX_CREDIT is not executed yet). close()
//     and shutdown(kWrite) send SEND_FIN once the send buffer has gone to the engine (the
//     engine sends the FIN after the data it holds). The engine delivers a segment's
//     RX_DATA before the PEER_FIN / PEER_RST it carries, so EOF (eof()) is exact.
//     Termination::kFpgaApp installs the session for the on-FPGA app (the engine's app
//     streams): its payload never crosses the host link and send()/recv() refuse it.
//   - Link failure: every socket not yet CLOSED goes to CLOSED with kLinkDown (and a
//     kClosed event); poll() returns the link's Error with its message.
//   - Session ids are reused oldest-freed first, so that an engine event still in flight
//     for a removed session is not mistaken for its successor's.
//
// What it expects from the engine:
//   - INSTALLED / REMOVED with session = the id of the INSTALL / REMOVE, arg a
//     driver::TableResult.
//   - ACKED (kAcked) with arg bit 0 set when SND.UNA passed our FIN.
//   - REMOVED may carry a 12-byte snapshot of the session, big-endian SND.NXT, RCV.NXT,
//     TS.Recent (kRemovedSnapshotBytes). The engine sends none yet: the Stack then uses
//     the values it knows (handshake state, +1 for each FIN), exact only when no data
//     moved; counted in StackCounters::removed_without_snapshot.
//
// Data on the slow path before INSTALLED: while a connection's INSTALL is in flight, its
// segments that carry data, FIN or RST (the final ACK of a passive open may itself carry
// data; after an active open, the peer's data right behind the SYN-ACK exchange) are held, up to
// kMaxHeldWhileInstalling (16) per connection in arrival order, and sent to the engine
// with RX_INJECT on INSTALLED ok, so the engine receives them as from the MAC; on
// INSTALLED failure they are dropped; more are dropped (StackCounters::
// held_while_installing, rx_injected, install_hold_overflow, dropped_while_installing).
// The engine sends command answers before slow-path frames, so segments that missed its
// table before the INSTALL took effect can come up behind INSTALLED: those (reason
// SLOW_NO_SESSION, data/FIN/RST) are injected too, up to the same number per connection
// (injected_after_installed).
// Known limit: a MAC segment that reaches the engine after INSTALLED but before the
// injected ones are processed is out of order there and dropped; the peer retransmits it.
//
// Not in this version: no routing, no ICMP errors, no
// rekeying, no SO_LINGER with a timeout (only linger-0).
//
// Socket API: SocketId handles; poll-style readiness through take_events(), plus state()
// and error(). A socket stays queryable after it is CLOSED until release().
//
// Errors a caller can act on are values (driver::Result / Status); a bad SocketId is an
// Error value too. Not thread-safe: one thread runs poll() and the API.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "arp.hpp"
#include "engine_messages.hpp"
#include "byte_queue.hpp"
#include "four_tuple.hpp"
#include "isn.hpp"
#include "link.hpp"
#include "packet.hpp"
#include "port_allocator.hpp"
#include "rx_reason.hpp"
#include "syn_cookie.hpp"
#include "time_wait_table.hpp"

namespace ftoe::host {

using driver::Result;
using driver::Status;

struct StackConfig {
    MacAddress mac{};
    uint32_t ip = 0;
    uint16_t mss = 1460;            // our MSS option (and cap on the engine's segments)
    bool window_scaling = true;     // offer/accept RFC 7323 window scale
    uint8_t wscale = 7;             // our receive window shift (0..14)
    bool timestamps = true;         // offer/accept RFC 7323 timestamps
    bool sack_permitted = false;    // offer/accept SACK-permitted (the engine ignores SACK)
    uint32_t rcv_wnd = 1u << 20;    // our receive window in bytes (INSTALL RCV.WND)
    std::size_t syn_backlog = 64;   // half-open connections per listener before cookies
    std::size_t accept_queue = 64;  // default accept queue (listen() backlog 0)
    uint32_t syn_retries = 5;       // SYN retransmissions before kTimedOut
    uint32_t synack_retries = 5;    // SYN-ACK retransmissions before the entry is dropped
    uint64_t syn_rto_ns = 1'000'000'000;  // first retransmission timeout; doubles each time
    uint64_t two_msl_ns = 60'000'000'000;
    uint32_t time_wait_capacity = 65536;
    uint32_t sessions = 1024;       // engine session ids 0 .. sessions-1
    PortRange ports{};
    ArpConfig arp{};                // our_mac / our_ips are filled from mac / ip
    uint64_t seed = 1;              // every secret and hash seed derives from it
    std::size_t send_buffer = 1u << 20;    // host-terminated: bytes send() may queue
    std::size_t app_data_chunk = 8192;     // largest APP_DATA payload (<= kMaxPayload)
    uint64_t fin_wait2_timeout_ns = 60'000'000'000;  // close()d sockets in FIN_WAIT_2
    // The engine's transmit timers (RTO bounds, retries, delayed ACKs), sent with
    // SET_CONFIG by start(); empty: the engine keeps the ones it has.
    std::optional<driver::EngineTimers> engine_timers;
};

// Who consumes a connection's payload: the host application through send()/recv()
// (payload over the host link), or the on-FPGA app on the engine's app streams.
enum class Termination : uint8_t { kHost, kFpgaApp };
enum class ShutdownHow : uint8_t { kRead, kWrite, kBoth };

enum class TcpState : uint8_t {
    kClosed, kListen, kSynSent, kSynReceived, kEstablished, kFinWait1, kFinWait2,
    kClosing, kTimeWait, kCloseWait, kLastAck,
};
const char* tcp_state_name(TcpState s);

enum class SocketError : uint8_t {
    kNone,
    kRefused,          // RST in answer to our SYN
    kTimedOut,         // SYN retries exhausted, or the engine's TIMEOUT
    kHostUnreachable,  // ARP resolution of the peer failed
    kReset,            // the peer reset an open connection
    kInstallFailed,    // the engine refused the session (table full) or no session id
    kAborted,          // abort() by the application
    kLinkDown,         // the host link to the engine failed (unplugged, transfer error)
};
const char* socket_error_name(SocketError e);

using SocketId = uint32_t;

// Readiness, in the order it happened.
enum class SocketEventKind : uint8_t {
    kAcceptable,   // a listener has a connection for accept()
    kConnected,    // connect() reached ESTABLISHED
    kPeerClosed,   // the peer's FIN arrived (CLOSE_WAIT, or a FIN_WAIT state moved on)
    kClosed,       // the socket reached CLOSED (error() says why, kNone for a clean close)
    kReadable,     // host-terminated: the receive buffer went from empty to holding data
    kWritable,     // host-terminated: send buffer room again after a send() took less
};
struct SocketEvent {
    SocketId socket = 0;
    SocketEventKind kind = SocketEventKind::kClosed;
};

struct StackCounters {
    uint64_t frames_in = 0, frames_bad = 0, frames_not_ours = 0, frames_sent = 0;
    uint64_t deframe_errors = 0, unexpected_events = 0;
    uint64_t arp_replies = 0, icmp_echo_replies = 0;
    uint64_t syns_received = 0, synacks_sent = 0, syn_retransmits = 0, synack_retransmits = 0;
    uint64_t cookies_sent = 0, cookies_accepted = 0, cookies_rejected = 0;
    uint64_t accept_queue_drops = 0, half_open_expired = 0;
    uint64_t rsts_sent = 0, installs = 0, install_failures = 0, no_session_id = 0;
    uint64_t time_wait_inserts = 0, removed_without_snapshot = 0;
    // slow-path segments while a connection's INSTALL is in flight: held (data, FIN, RST;
    // injected with RX_INJECT after INSTALLED ok: rx_injected), held beyond the
    // kMaxHeldWhileInstalling per connection (dropped), and dropped (nothing to deliver,
    // or held and the INSTALL failed)
    uint64_t held_while_installing = 0, rx_injected = 0, install_hold_overflow = 0;
    uint64_t dropped_while_installing = 0;
    // ... and those that missed the engine's table before its entry existed but came up
    // the host link after INSTALLED (injected too, counted in rx_injected as well)
    uint64_t injected_after_installed = 0;
    uint64_t app_data_bytes = 0, rx_data_bytes = 0;  // host-terminated payload, each way
    uint64_t rx_data_discarded = 0;    // bytes after shutdown(kRead) / close(), dropped
    uint64_t stray_rx_data = 0;        // RX_DATA for no host-terminated session
    uint64_t fin_wait2_timeouts = 0, unread_data_resets = 0, link_down_closes = 0;
    uint64_t engine_link_errors = 0;   // LINK_ERROR events: the engine rejected commands
    uint64_t engine_counter_reads = 0; // COUNTERS events taken into engine_counters()
};

constexpr std::size_t kRemovedSnapshotBytes = 12;
// Segments held per connection while its INSTALL is in flight (then RX_INJECT): more
// than a first flight of RFC 6928's initial window (10 segments) that a peer sends right
// behind its handshake
constexpr std::size_t kMaxHeldWhileInstalling = 16;

class Stack {
public:
    // Throws std::invalid_argument on a config out of range (programming error).
    Stack(driver::Link& link, StackConfig config);

    Status start();                          // SET_CONFIG
    Status poll(driver::Duration wait_at_most = driver::Duration(0));

    // Sockets.
    Result<SocketId> listen(uint16_t port, std::size_t backlog = 0,
                            Termination term = Termination::kHost);
    std::optional<SocketId> accept(SocketId listener);  // nullopt: nothing queued
    Result<SocketId> connect(uint32_t remote_ip, uint16_t remote_port,
                             Termination term = Termination::kHost);
    Status close(SocketId s);   // graceful (FIN after queued data); drops a listener
    Status abort(SocketId s);   // RST
    Status shutdown(SocketId s, ShutdownHow how);
    Status set_linger_zero(SocketId s, bool on);  // close() then aborts (RST)
    // Host-terminated data. send() queues what fits in the send buffer and returns how
    // much it took (0: full, wait for kWritable). recv() appends up to `max` bytes to
    // `out` and returns how many (0: nothing now; eof() says whether more can come).
    Result<std::size_t> send(SocketId s, const uint8_t* p, std::size_t n);
    Result<std::size_t> recv(SocketId s, driver::Bytes& out, std::size_t max);
    std::size_t readable(SocketId s) const;  // bytes recv() would return now
    std::size_t writable(SocketId s) const;  // room in the send buffer
    bool eof(SocketId s) const;  // the peer's FIN came and every byte before it was read
    // bytes given to send() the peer has not acknowledged yet (still queued or in flight)
    std::size_t unacked(SocketId s) const;
    Status release(SocketId s); // forget a CLOSED socket
    TcpState state(SocketId s) const;        // kClosed for an unknown id
    SocketError error(SocketId s) const;
    std::optional<FourTuple> tuple(SocketId s) const;
    std::optional<uint32_t> session_of(SocketId s) const;  // engine session id, if any
    std::vector<SocketEvent> take_events();

    const StackCounters& counters() const { return counters_; }
    // READ_COUNTERS: the engine's answer, when it comes, is kept as engine_counters().
    Status request_engine_counters();
    const std::optional<driver::EngineCounters>& engine_counters() const { return engine_counters_; }
    const TimeWaitTable& time_wait() const { return time_wait_; }
    const ArpCache& arp() const { return arp_; }
    std::size_t free_sessions() const { return free_sessions_.size(); }
    const std::optional<driver::Error>& link_error() const { return link_error_; }
    uint32_t ts_now() const;  // our timestamp clock (ms, offset from the seed)

private:
    struct Conn {
        SocketId id = 0;
        TcpState state = TcpState::kClosed;
        SocketError error = SocketError::kNone;
        FourTuple tuple;
        bool passive = false;
        SocketId listener = 0;       // passive: the listener it came from
        // listener fields
        std::size_t backlog = 0;
        std::deque<SocketId> accept_q;
        std::size_t half_open = 0, pending = 0;  // SYN-RECEIVED children; installing
        // handshake
        uint32_t iss = 0, irs = 0, snd_nxt = 0, rcv_nxt = 0;
        uint16_t peer_mss = kDefaultPeerMss;
        bool ws_ok = false, ts_ok = false, sack_ok = false;
        uint8_t snd_wscale = 0, rcv_wscale = 0;
        uint32_t ts_recent = 0;
        uint32_t snd_wnd = 0, wl1 = 0, wl2 = 0;
        MacAddress peer_mac{};
        uint32_t retries = 0;
        uint64_t rto_ns = 0;
        uint64_t timer_at = 0;       // 0: no timer
        // engine
        std::optional<uint32_t> session;
        bool installing = false, removing = false, in_accept_q = false, accepted = false;
        bool our_fin = false, peer_fin = false;
        bool counted_half_open = false, counted_pending = false;  // in the listener's counts
        TcpState after_remove = TcpState::kClosed;
        // application side
        Termination term = Termination::kHost;
        bool linger_zero = false;
        bool app_closed = false;     // close(): no application reads or writes any more
        bool close_when_established = false;  // close() before the handshake completed
        bool rd_shut = false, wr_shut = false;
        bool fin_queued = false;     // SEND_FIN once the send buffer is with the engine
        bool want_writable = false;  // a send() took less than it was given
        // host-terminated payload
        ByteQueue snd_buf, rcv_buf;
        uint32_t snd_handed = 0;     // sequence number of the next byte for APP_DATA
        uint32_t snd_una = 0;        // SND.UNA as the engine last reported it
        std::vector<Bytes> held;     // segments with data/FIN while INSTALL is in flight
        std::size_t injected_late = 0;  // segments that missed the table, injected after INSTALLED
    };

    Conn* find(SocketId s);
    const Conn* find(SocketId s) const;
    uint64_t now_ns() const;
    SocketId new_socket();

    // transmit
    bool send_cmd(driver::Kind kind, uint32_t session, const driver::Bytes& payload);
    void raw_tx(Bytes frame);
    void send_via_arp(uint32_t ip, Bytes frame);
    void arp_failed(uint32_t ip);
    TcpSegmentSpec reply_spec(const ParsedFrame& f) const;
    TcpSegmentSpec conn_spec(const Conn& c) const;
    Bytes syn_frame(const Conn& c, bool with_ack) const;
    void send_syn(Conn& c);
    void send_ack(const Conn& c);
    void send_rst_for(const Conn& c);

    // slow path
    void on_message(const driver::Message& m);
    void on_slow_path(driver::RxReason reason, const driver::Bytes& frame);
    void on_tcp(driver::RxReason reason, const ParsedFrame& f, const driver::Bytes& frame);
    void inject_late(Conn& c, const ParsedFrame& f, const driver::Bytes& frame);
    static bool worth_injecting(const ParsedFrame& f, const driver::Bytes& frame);
    void on_tcp_segment(const ParsedFrame& f);
    void hold_while_installing(Conn& c, const ParsedFrame& f, const driver::Bytes& frame);
    void on_closed_port(const ParsedFrame& f);
    void on_listen(Conn& l, const ParsedFrame& f, const FourTuple& t,
                   std::optional<uint32_t> min_isn);
    void on_cookie_ack(Conn& l, const ParsedFrame& f, const FourTuple& t);
    void on_syn_sent(Conn& c, const ParsedFrame& f);
    void on_syn_received(Conn& c, const ParsedFrame& f);
    void on_time_wait_reply(const ParsedFrame& f, const TimeWaitReply& r);

    // engine events
    void on_installed(const driver::Message& m);
    void on_removed(const driver::Message& m);
    void on_session_event(const driver::Message& m);

    // transitions
    void negotiate_from_syn(Conn& c, const TcpOptions& o);
    void established(Conn& c, const ParsedFrame& f);  // handshake done: INSTALL
    void install_done(Conn& c, bool ok);
    void enter_closed(Conn& c, SocketError e);  // socket CLOSED, event, tuple freed
    // REMOVE (or, with abort, ABORT: the engine resets the peer first)
    void begin_remove(Conn& c, TcpState after, bool abort = false);
    void shut_write(Conn& c);        // FIN_WAIT_1 / LAST_ACK, FIN after the send buffer
    void pump_tx(Conn& c);           // APP_DATA within the engine's credit, then SEND_FIN
    void send_fin(Conn& c);
    void on_rx_data(const driver::Message& m);
    void on_acked(Conn& c, const driver::Message& m);
    void fail_all(const driver::Error& e);  // the link failed: every socket CLOSED
    void drop_conn(SocketId s);  // forget a connection no application holds
    void set_timer(Conn& c, uint64_t at);
    void run_timers(uint64_t now);
    void on_timer(Conn& c);
    // Readiness for a socket the application holds (a connection still in the accept
    // queue reports nothing: accept() hands it over in whatever state it reached).
    void event(SocketId s, SocketEventKind k) {
        const Conn* c = find(s);
        if (c && c->accepted) events_.push_back({s, k});
    }

    driver::Link& link_;
    StackConfig cfg_;
    ArpCache arp_;
    TimeWaitTable time_wait_;
    PortAllocator ports_;
    IsnGenerator isn_;
    SynCookies cookies_;
    uint32_t ts_offset_ = 0;
    std::unordered_map<SocketId, Conn> conns_;
    std::map<FourTuple, SocketId> by_tuple_;
    std::map<uint16_t, SocketId> listeners_;
    std::unordered_map<uint32_t, SocketId> by_session_;
    std::deque<uint32_t> free_sessions_;  // oldest freed first
    std::set<std::pair<uint64_t, SocketId>> timers_;
    std::vector<SocketEvent> events_;
    SocketId next_id_ = 1;
    std::optional<driver::Error> link_error_;
    StackCounters counters_;
    std::optional<driver::EngineCounters> engine_counters_;
};

}  // namespace ftoe::host
