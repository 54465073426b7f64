// stack.cpp: the Stack's event loop and connection state machine (see stack.hpp).
// Segment processing follows RFC 9293 §3.10.7 ("SEGMENT ARRIVES"), one function per state.
#include "stack.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

#include "engine_messages.hpp"

namespace ftoe::host {

using driver::Kind;

const char* tcp_state_name(TcpState s) {
    switch (s) {
        case TcpState::kClosed: return "CLOSED";
        case TcpState::kListen: return "LISTEN";
        case TcpState::kSynSent: return "SYN-SENT";
        case TcpState::kSynReceived: return "SYN-RECEIVED";
        case TcpState::kEstablished: return "ESTABLISHED";
        case TcpState::kFinWait1: return "FIN-WAIT-1";
        case TcpState::kFinWait2: return "FIN-WAIT-2";
        case TcpState::kClosing: return "CLOSING";
        case TcpState::kTimeWait: return "TIME-WAIT";
        case TcpState::kCloseWait: return "CLOSE-WAIT";
        case TcpState::kLastAck: return "LAST-ACK";
    }
    return "?";
}

const char* socket_error_name(SocketError e) {
    switch (e) {
        case SocketError::kNone: return "none";
        case SocketError::kRefused: return "connection refused";
        case SocketError::kTimedOut: return "connection timed out";
        case SocketError::kHostUnreachable: return "host unreachable (ARP failed)";
        case SocketError::kReset: return "connection reset";
        case SocketError::kInstallFailed: return "engine refused the session";
        case SocketError::kAborted: return "aborted";
        case SocketError::kLinkDown: return "host link to the engine failed";
    }
    return "?";
}

namespace {

uint64_t mac_u64(const MacAddress& m) {
    uint64_t v = 0;
    for (uint8_t b : m) v = (v << 8) | b;
    return v;
}

uint32_t get_be32(const driver::Bytes& b, std::size_t at) {
    return (uint32_t(b[at]) << 24) | (uint32_t(b[at + 1]) << 16) | (uint32_t(b[at + 2]) << 8) |
           uint32_t(b[at + 3]);
}

// SEG.LEN: data plus one for each of SYN and FIN.
uint32_t seg_len(const ParsedFrame& f) {
    uint32_t n = uint32_t(f.payload_bytes);
    if (f.tcp.flags & tcp_bits::kSyn) n++;
    if (f.tcp.flags & tcp_bits::kFin) n++;
    return n;
}

// The synchronized states in which the engine holds the session (TIME_WAIT lives only in
// the host): where close() and shutdown() act.
bool synchronized_installed(TcpState s) {
    switch (s) {
        case TcpState::kEstablished:
        case TcpState::kCloseWait:
        case TcpState::kFinWait1:
        case TcpState::kFinWait2:
        case TcpState::kClosing:
        case TcpState::kLastAck: return true;
        default: return false;
    }
}

uint16_t window_field(uint32_t bytes, uint8_t shift) {
    return uint16_t(std::min<uint32_t>(bytes >> shift, 0xFFFF));
}

ArpConfig arp_config(const StackConfig& c) {
    ArpConfig a = c.arp;
    a.our_mac = c.mac;
    a.our_ips = {c.ip};
    return a;
}

TimeWaitConfig tw_config(const StackConfig& c) {
    TimeWaitConfig t;
    t.capacity = c.time_wait_capacity;
    t.two_msl_us = c.two_msl_ns / 1000;
    t.hash_seed = mix64(c.seed ^ 0x7457);
    return t;
}

const StackConfig& checked(const StackConfig& c) {
    if (c.wscale > 14) throw std::invalid_argument("Stack: wscale must be 0..14");
    if (c.sessions == 0) throw std::invalid_argument("Stack: sessions must be >= 1");
    if (c.syn_rto_ns == 0) throw std::invalid_argument("Stack: syn_rto_ns must be > 0");
    if (c.mss < 88) throw std::invalid_argument("Stack: mss below 88");
    if (c.app_data_chunk == 0 || c.app_data_chunk > driver::kMaxPayload)
        throw std::invalid_argument("Stack: app_data_chunk must be 1..kMaxPayload");
    if (c.send_buffer == 0) throw std::invalid_argument("Stack: send_buffer must be >= 1");
    return c;
}

}  // namespace

Stack::Stack(driver::Link& link, StackConfig config)
    : link_(link),
      cfg_(checked(config)),
      arp_(arp_config(cfg_)),
      time_wait_(tw_config(cfg_)),
      ports_(cfg_.ports, mix64(cfg_.seed ^ 0x5057)),
      isn_(IsnGenerator::from_seed(mix64(cfg_.seed ^ 0x15e))),
      cookies_(SynCookies::from_seed(mix64(cfg_.seed ^ 0xc00c1e))),
      ts_offset_(uint32_t(mix64(cfg_.seed ^ 0x75))) {
    for (uint32_t i = 0; i < cfg_.sessions; i++) free_sessions_.push_back(i);
}

// ---- small helpers ----

uint64_t Stack::now_ns() const { return uint64_t(link_.now().count()); }
uint32_t Stack::ts_now() const { return uint32_t(now_ns() / 1'000'000) + ts_offset_; }

Stack::Conn* Stack::find(SocketId s) {
    auto it = conns_.find(s);
    return it == conns_.end() ? nullptr : &it->second;
}
const Stack::Conn* Stack::find(SocketId s) const {
    auto it = conns_.find(s);
    return it == conns_.end() ? nullptr : &it->second;
}

SocketId Stack::new_socket() {
    SocketId id = next_id_++;
    conns_[id].id = id;
    return id;
}

std::vector<SocketEvent> Stack::take_events() {
    std::vector<SocketEvent> out;
    out.swap(events_);
    return out;
}

TcpState Stack::state(SocketId s) const {
    const Conn* c = find(s);
    return c ? c->state : TcpState::kClosed;
}
SocketError Stack::error(SocketId s) const {
    const Conn* c = find(s);
    return c ? c->error : SocketError::kNone;
}
std::optional<FourTuple> Stack::tuple(SocketId s) const {
    const Conn* c = find(s);
    if (!c) return std::nullopt;
    return c->tuple;
}
std::optional<uint32_t> Stack::session_of(SocketId s) const {
    const Conn* c = find(s);
    return c ? c->session : std::nullopt;
}

// ---- transmit ----

bool Stack::send_cmd(Kind kind, uint32_t session, const driver::Bytes& payload) {
    auto r = link_.send(kind, session, 0, payload);
    if (!r && !link_error_) link_error_ = r.error();
    return r.ok();
}

void Stack::raw_tx(Bytes frame) {
    if (send_cmd(Kind::kRawTx, driver::kNoSession, frame)) counters_.frames_sent++;
}

void Stack::send_via_arp(uint32_t ip, Bytes frame) {
    ArpResolution r = arp_.send_or_queue(ip, std::move(frame), now_ns());
    if (r.request) raw_tx(std::move(*r.request));
    if (r.frame) raw_tx(std::move(*r.frame));
    if (r.status == ArpStatus::kFailed) arp_failed(ip);
}

// The peer's MAC could not be resolved: connects to it fail (half-open passive entries
// just time out).
void Stack::arp_failed(uint32_t ip) {
    std::vector<SocketId> hit;
    for (auto& [id, c] : conns_)
        if (c.state == TcpState::kSynSent && c.tuple.remote_ip == ip) hit.push_back(id);
    for (SocketId id : hit) enter_closed(conns_[id], SocketError::kHostUnreachable);
}

// A segment back to the sender of `f`, from the address it was sent to.
TcpSegmentSpec Stack::reply_spec(const ParsedFrame& f) const {
    TcpSegmentSpec s;
    s.src_mac = cfg_.mac;
    s.dst_mac = f.eth.src;
    s.ip.src = f.ip.dst;
    s.ip.dst = f.ip.src;
    s.src_port = f.tcp.dst_port;
    s.dst_port = f.tcp.src_port;
    return s;
}

// A segment of connection c: our MAC and the peer's (unset until ARP has it), addresses
// and ports from the tuple.
TcpSegmentSpec Stack::conn_spec(const Conn& c) const {
    TcpSegmentSpec s;
    s.src_mac = cfg_.mac;
    s.dst_mac = c.peer_mac;
    s.ip.src = c.tuple.local_ip;
    s.ip.dst = c.tuple.remote_ip;
    s.src_port = c.tuple.local_port;
    s.dst_port = c.tuple.remote_port;
    return s;
}

// Our SYN (with_ack false) or SYN-ACK for c, with the options c negotiated (a SYN offers
// everything configured). The destination MAC is left for the ArpCache to fill.
Bytes Stack::syn_frame(const Conn& c, bool with_ack) const {
    TcpSegmentSpec s = conn_spec(c);
    s.dst_mac = {};  // the ArpCache fills it
    s.seq = c.iss;
    s.ack = with_ack ? c.rcv_nxt : 0;
    s.flags = uint8_t(tcp_bits::kSyn | (with_ack ? tcp_bits::kAck : 0));
    s.window = window_field(cfg_.rcv_wnd, 0);  // never scaled in a SYN (RFC 7323 §2.2)
    s.options.has_mss = true;
    s.options.mss = cfg_.mss;
    const bool ws = with_ack ? c.ws_ok : cfg_.window_scaling;
    const bool ts = with_ack ? c.ts_ok : cfg_.timestamps;
    const bool sack = with_ack ? c.sack_ok : cfg_.sack_permitted;
    if (ws) {
        s.options.has_wscale = true;
        s.options.wscale = cfg_.wscale;
    }
    s.options.sack_permitted = sack;
    if (ts) {
        s.options.has_ts = true;
        s.options.tsval = ts_now();
        s.options.tsecr = with_ack ? c.ts_recent : 0;
    }
    return build_tcp_frame(s);
}

void Stack::send_syn(Conn& c) {
    const bool synack = c.state == TcpState::kSynReceived;
    send_via_arp(c.tuple.remote_ip, syn_frame(c, synack));
    if (synack) counters_.synacks_sent++;
}

void Stack::send_ack(const Conn& c) {
    TcpSegmentSpec s = conn_spec(c);
    s.seq = c.snd_nxt;
    s.ack = c.rcv_nxt;
    s.flags = tcp_bits::kAck;
    s.window = window_field(cfg_.rcv_wnd, c.rcv_wscale);
    if (c.ts_ok) {
        s.options.has_ts = true;
        s.options.tsval = ts_now();
        s.options.tsecr = c.ts_recent;
    }
    raw_tx(build_tcp_frame(s));
}

// <SEQ=SND.NXT><ACK=RCV.NXT><CTL=RST,ACK> for a synchronized connection.
void Stack::send_rst_for(const Conn& c) {
    TcpSegmentSpec s = conn_spec(c);
    s.seq = c.snd_nxt;
    s.ack = c.rcv_nxt;
    s.flags = tcp_bits::kRst | tcp_bits::kAck;
    raw_tx(build_tcp_frame(s));
    counters_.rsts_sent++;
}

// ---- API ----

Status Stack::start() {
    const uint64_t mac = mac_u64(cfg_.mac);
    if (!send_cmd(Kind::kSetConfig, driver::kNoSession,
                  cfg_.engine_timers ? driver::set_config_payload(mac, cfg_.ip, *cfg_.engine_timers)
                                     : driver::set_config_payload(mac, cfg_.ip)))
        return *link_error_;
    return driver::Ok{};
}

Status Stack::poll(driver::Duration wait_at_most) {
    if (link_error_) {
        fail_all(*link_error_);
        return *link_error_;
    }
    auto r = link_.poll(wait_at_most);
    if (!r) {
        link_error_ = r.error();
        fail_all(*link_error_);
        return *link_error_;
    }
    for (const driver::Received& item : r.value()) {
        if (const auto* m = std::get_if<driver::Message>(&item))
            on_message(*m);
        else
            counters_.deframe_errors++;
    }
    run_timers(now_ns());
    if (link_error_) {
        fail_all(*link_error_);
        return *link_error_;
    }
    return driver::Ok{};
}

// Nothing more reaches the engine: every socket not yet CLOSED closes with kLinkDown.
void Stack::fail_all(const driver::Error&) {
    std::vector<SocketId> open;
    for (auto& [id, c] : conns_)
        if (c.state != TcpState::kClosed || c.removing) open.push_back(id);
    listeners_.clear();
    for (SocketId id : open) {
        Conn* c = find(id);
        if (!c) continue;  // a child dropped with its listener
        if (c->session) by_session_.erase(*c->session);
        c->session.reset();
        c->removing = false;
        counters_.link_down_closes++;
        c->error = SocketError::kLinkDown;
        enter_closed(*c, SocketError::kLinkDown);
    }
}

Status Stack::request_engine_counters() {
    if (!send_cmd(Kind::kReadCounters, driver::kNoSession, {})) return *link_error_;
    return driver::Ok{};
}

Result<SocketId> Stack::listen(uint16_t port, std::size_t backlog, Termination term) {
    if (port == 0) return driver::Error{"listen: port 0 is not a port to listen on"};
    if (listeners_.count(port))
        return driver::Error{"listen: port " + std::to_string(port) + " already has a listener"};
    SocketId id = new_socket();
    Conn& l = conns_[id];
    l.state = TcpState::kListen;
    l.tuple.local_ip = cfg_.ip;
    l.tuple.local_port = port;
    l.backlog = backlog ? backlog : cfg_.accept_queue;
    l.accepted = true;
    l.term = term;
    listeners_[port] = id;
    return id;
}

std::optional<SocketId> Stack::accept(SocketId listener) {
    Conn* l = find(listener);
    if (!l || l->state != TcpState::kListen || l->accept_q.empty()) return std::nullopt;
    SocketId s = l->accept_q.front();
    l->accept_q.pop_front();
    Conn* c = find(s);
    c->in_accept_q = false;
    c->accepted = true;
    if (!c->rcv_buf.empty()) event(s, SocketEventKind::kReadable);
    if (c->peer_fin) event(s, SocketEventKind::kPeerClosed);
    return s;
}

Result<SocketId> Stack::connect(uint32_t remote_ip, uint16_t remote_port, Termination term) {
    if (remote_port == 0 || remote_ip == 0)
        return driver::Error{"connect: remote address and port must be non-zero"};
    time_wait_.expire(now_ns() / 1000);
    auto in_use = [this](const FourTuple& t) {
        return by_tuple_.count(t) != 0 || listeners_.count(t.local_port) != 0;
    };
    PortResult p = ports_.allocate(cfg_.ip, remote_ip, remote_port, time_wait_, in_use);
    if (!p) return driver::Error{"connect to " + format_ipv4(remote_ip) + ":" +
                                 std::to_string(remote_port) + ": " + p.error()};
    SocketId id = new_socket();
    Conn& c = conns_[id];
    c.tuple = FourTuple{remote_ip, cfg_.ip, remote_port, p.port()};
    c.state = TcpState::kSynSent;
    c.iss = isn_.isn(c.tuple, now_ns());
    c.snd_nxt = c.iss + 1;
    c.rto_ns = cfg_.syn_rto_ns;
    c.accepted = true;
    c.term = term;
    by_tuple_[c.tuple] = id;
    send_syn(c);
    if (c.state == TcpState::kSynSent) set_timer(c, now_ns() + c.rto_ns);
    return id;  // CLOSED with kHostUnreachable if the peer's ARP is in its failed hold
}

Status Stack::close(SocketId s) {
    Conn* c = find(s);
    if (!c) return driver::Error{"close: no socket " + std::to_string(s)};
    switch (c->state) {
        case TcpState::kListen: {
            listeners_.erase(c->tuple.local_port);
            // half-open children and unaccepted connections go with the listener
            std::vector<SocketId> children;
            for (auto& [id, k] : conns_)
                if (k.passive && k.listener == s && !k.accepted) children.push_back(id);
            for (SocketId k : children) {
                Conn& kc = conns_[k];
                kc.error = SocketError::kAborted;
                if (kc.installing) {  // install_done() resets it when INSTALLED comes
                    kc.accepted = false;
                } else if (kc.session && !kc.removing) {
                    kc.accepted = false;
                    begin_remove(kc, TcpState::kClosed, true);
                } else if (!kc.removing) {
                    drop_conn(k);
                }
            }
            for (auto& [id, k] : conns_)
                if (k.passive && k.listener == s) {
                    k.listener = 0;
                    k.counted_half_open = k.counted_pending = k.in_accept_q = false;
                }
            c->accept_q.clear();
            enter_closed(*c, SocketError::kNone);
            return driver::Ok{};
        }
        case TcpState::kSynSent:
        case TcpState::kSynReceived:
            // RFC 9293 §3.10.4: SYN-RECEIVED (or a handshake the engine is installing)
            // queues the close for ESTABLISHED, which then sends the FIN; SYN-SENT has
            // nothing synchronized: just stop.
            if (c->state == TcpState::kSynReceived || c->installing) {
                if (c->close_when_established) break;
                c->close_when_established = true;
                return driver::Ok{};
            }
            enter_closed(*c, SocketError::kNone);
            return driver::Ok{};
        default:
            if (!synchronized_installed(c->state) || c->removing || c->app_closed) break;
            if (c->linger_zero) return abort(s);
            if (!c->rcv_buf.empty()) {  // RFC 2525 §2.17, as Linux: data lost, tell the peer
                counters_.unread_data_resets++;
                return abort(s);
            }
            c->app_closed = c->rd_shut = true;
            if (!c->wr_shut) shut_write(*c);
            if (c->state == TcpState::kFinWait2)
                set_timer(*c, now_ns() + cfg_.fin_wait2_timeout_ns);
            return driver::Ok{};
    }
    return driver::Error{std::string("close: nothing to do in state ") + tcp_state_name(c->state)};
}

// Our side is done sending: FIN once the send buffer has gone to the engine.
void Stack::shut_write(Conn& c) {
    c.wr_shut = c.fin_queued = true;
    c.state = c.state == TcpState::kEstablished ? TcpState::kFinWait1 : TcpState::kLastAck;
    pump_tx(c);
}

Status Stack::shutdown(SocketId s, ShutdownHow how) {
    Conn* c = find(s);
    if (!c) return driver::Error{"shutdown: no socket " + std::to_string(s)};
    if (!synchronized_installed(c->state))
        return driver::Error{std::string("shutdown: socket is not connected (") +
                             tcp_state_name(c->state) + ")"};
    if (c->removing) return driver::Error{"shutdown: the connection is being removed"};
    if (how != ShutdownHow::kWrite && !c->rd_shut) {
        c->rd_shut = true;
        counters_.rx_data_discarded += c->rcv_buf.size();
        c->rcv_buf.clear();
    }
    if (how != ShutdownHow::kRead && !c->wr_shut) shut_write(*c);
    return driver::Ok{};
}

Status Stack::set_linger_zero(SocketId s, bool on) {
    Conn* c = find(s);
    if (!c) return driver::Error{"set_linger_zero: no socket " + std::to_string(s)};
    c->linger_zero = on;
    return driver::Ok{};
}

Result<std::size_t> Stack::send(SocketId s, const uint8_t* p, std::size_t n) {
    Conn* c = find(s);
    if (!c) return driver::Error{"send: no socket " + std::to_string(s)};
    if (c->term != Termination::kHost)
        return driver::Error{"send: the socket's payload belongs to the on-FPGA app"};
    if (c->error != SocketError::kNone)
        return driver::Error{std::string("send: ") + socket_error_name(c->error)};
    if (c->wr_shut) return driver::Error{"send: the socket is shut down for writing"};
    if (c->state != TcpState::kEstablished && c->state != TcpState::kCloseWait)
        return driver::Error{std::string("send: socket is not connected (") +
                             tcp_state_name(c->state) + ")"};
    // What goes straight on to the engine makes room for more.
    std::size_t taken = 0;
    while (taken < n && c->snd_buf.size() < cfg_.send_buffer) {
        const std::size_t k = std::min(n - taken, cfg_.send_buffer - c->snd_buf.size());
        c->snd_buf.append(p + taken, k);
        taken += k;
        pump_tx(*c);
    }
    if (taken < n) c->want_writable = true;
    return taken;
}

Result<std::size_t> Stack::recv(SocketId s, driver::Bytes& out, std::size_t max) {
    Conn* c = find(s);
    if (!c) return driver::Error{"recv: no socket " + std::to_string(s)};
    if (c->term != Termination::kHost)
        return driver::Error{"recv: the socket's payload belongs to the on-FPGA app"};
    if (c->rd_shut) return driver::Error{"recv: the socket is shut down for reading"};
    if (c->rcv_buf.empty() && c->error != SocketError::kNone)
        return driver::Error{std::string("recv: ") + socket_error_name(c->error)};
    return c->rcv_buf.take(out, max);
}

std::size_t Stack::readable(SocketId s) const {
    const Conn* c = find(s);
    return c ? c->rcv_buf.size() : 0;
}

std::size_t Stack::writable(SocketId s) const {
    const Conn* c = find(s);
    if (!c || c->term != Termination::kHost || c->wr_shut) return 0;
    if (c->state != TcpState::kEstablished && c->state != TcpState::kCloseWait) return 0;
    return cfg_.send_buffer - std::min(cfg_.send_buffer, c->snd_buf.size());
}

bool Stack::eof(SocketId s) const {
    const Conn* c = find(s);
    return c && c->peer_fin && c->rcv_buf.empty();
}

std::size_t Stack::unacked(SocketId s) const {
    const Conn* c = find(s);
    if (!c) return 0;
    const uint32_t out = seq_gt(c->snd_handed, c->snd_una) ? c->snd_handed - c->snd_una : 0;
    return c->snd_buf.size() + out;
}

// APP_DATA while the bytes beyond the engine's SND.UNA stay within its credit (see
// kEngineTxBufBytes), then SEND_FIN when one is queued and nothing is left.
void Stack::pump_tx(Conn& c) {
    if (!c.session || c.installing || c.removing) return;
    constexpr uint32_t kCredit = driver::kEngineTxBufBytes - driver::kEngineTxChunk;
    while (!c.snd_buf.empty()) {
        const uint32_t out = seq_gt(c.snd_handed, c.snd_una) ? c.snd_handed - c.snd_una : 0;
        if (out >= kCredit) break;
        const std::size_t n =
            std::min({c.snd_buf.size(), std::size_t(kCredit - out), cfg_.app_data_chunk});
        if (!send_cmd(Kind::kAppData, *c.session, driver::Bytes(c.snd_buf.data(), c.snd_buf.data() + n)))
            return;
        c.snd_buf.consume(n);
        c.snd_handed += uint32_t(n);
        counters_.app_data_bytes += n;
    }
    if (c.want_writable && c.snd_buf.size() < cfg_.send_buffer) {
        c.want_writable = false;
        event(c.id, SocketEventKind::kWritable);
    }
    if (c.fin_queued && !c.our_fin && c.snd_buf.empty()) send_fin(c);
}

void Stack::send_fin(Conn& c) {
    send_cmd(Kind::kSendFin, *c.session, {});
    c.our_fin = true;
}

Status Stack::abort(SocketId s) {
    Conn* c = find(s);
    if (!c) return driver::Error{"abort: no socket " + std::to_string(s)};
    if (c->state == TcpState::kListen) return close(s);
    if (c->state == TcpState::kClosed || c->removing)
        return driver::Error{std::string("abort: nothing to abort in state ") +
                             tcp_state_name(c->state)};
    c->error = SocketError::kAborted;
    if (c->installing) return driver::Ok{};  // install_done() resets it when INSTALLED comes
    if (c->session) {
        begin_remove(*c, TcpState::kClosed, true);  // the engine knows SND.NXT: it resets
        return driver::Ok{};
    }
    if (c->state == TcpState::kSynReceived) send_rst_for(*c);
    enter_closed(*c, SocketError::kAborted);
    return driver::Ok{};
}

Status Stack::release(SocketId s) {
    Conn* c = find(s);
    if (!c) return driver::Error{"release: no socket " + std::to_string(s)};
    if (c->state != TcpState::kClosed || c->removing)
        return driver::Error{std::string("release: socket is ") + tcp_state_name(c->state)};
    conns_.erase(s);
    return driver::Ok{};
}

// ---- timers ----

void Stack::set_timer(Conn& c, uint64_t at) {
    if (c.timer_at) timers_.erase({c.timer_at, c.id});
    c.timer_at = at;
    if (at) timers_.insert({at, c.id});
}

void Stack::run_timers(uint64_t now) {
    while (!timers_.empty() && timers_.begin()->first <= now) {
        SocketId s = timers_.begin()->second;
        timers_.erase(timers_.begin());
        Conn* c = find(s);
        if (!c) continue;
        c->timer_at = 0;
        on_timer(*c);
    }
    ArpPoll ap = arp_.poll(now);
    for (Bytes& req : ap.requests) raw_tx(std::move(req));
    for (const ArpFailure& fail : ap.failures) arp_failed(fail.ip);
    time_wait_.expire(now / 1000);
}

// SYN / SYN-ACK retransmission with exponential backoff; the FIN_WAIT_2 timeout.
void Stack::on_timer(Conn& c) {
    if (c.installing) return;
    if (c.state == TcpState::kFinWait2) {
        if (c.session && !c.removing) {  // as Linux: the orphan goes without a RST
            counters_.fin_wait2_timeouts++;
            begin_remove(c, TcpState::kClosed);
        }
        return;
    }
    const bool synack = c.state == TcpState::kSynReceived;
    if (c.state != TcpState::kSynSent && !synack) return;
    const uint32_t limit = synack ? cfg_.synack_retries : cfg_.syn_retries;
    if (c.retries >= limit) {
        if (c.passive) {
            counters_.half_open_expired++;
            drop_conn(c.id);
        } else {
            enter_closed(c, SocketError::kTimedOut);
        }
        return;
    }
    c.retries++;
    c.rto_ns *= 2;
    (synack ? counters_.synack_retransmits : counters_.syn_retransmits)++;
    send_syn(c);
    if (c.state != TcpState::kClosed) set_timer(c, now_ns() + c.rto_ns);
}

// ---- connection bookkeeping ----

// The socket is CLOSED: timer, tuple and listener bookkeeping released; the socket stays
// for state()/error() until release() (a passive connection nobody accepted is dropped).
void Stack::enter_closed(Conn& c, SocketError e) {
    set_timer(c, 0);
    if (c.error == SocketError::kNone) c.error = e;
    auto it = by_tuple_.find(c.tuple);
    if (it != by_tuple_.end() && it->second == c.id) by_tuple_.erase(it);
    if (Conn* l = c.passive ? find(c.listener) : nullptr) {
        if (c.counted_half_open) l->half_open--;
        if (c.counted_pending) l->pending--;
        if (c.in_accept_q)
            l->accept_q.erase(std::find(l->accept_q.begin(), l->accept_q.end(), c.id));
    }
    c.counted_half_open = c.counted_pending = false;
    c.in_accept_q = false;
    c.installing = false;
    counters_.dropped_while_installing += c.held.size();
    c.held.clear();
    c.state = TcpState::kClosed;
    if (c.accepted)
        event(c.id, SocketEventKind::kClosed);
    else
        conns_.erase(c.id);  // a passive connection the application never saw
}

void Stack::drop_conn(SocketId s) {
    Conn* c = find(s);
    if (!c) return;
    c->accepted = false;
    c->passive = true;
    enter_closed(*c, SocketError::kNone);
    conns_.erase(s);
}

void Stack::begin_remove(Conn& c, TcpState after, bool abort) {
    c.removing = true;
    c.after_remove = after;
    const FourTuple& t = c.tuple;
    send_cmd(abort ? Kind::kAbort : Kind::kRemove, *c.session,
             driver::table_key_payload({t.remote_ip, t.local_ip, t.remote_port, t.local_port}));
}

// ---- events ----

void Stack::on_message(const driver::Message& m) {
    switch (m.kind) {
        case Kind::kSlowPath: on_slow_path(driver::RxReason(m.arg), m.payload); break;
        case Kind::kInstalled: on_installed(m); break;
        case Kind::kRemoved: on_removed(m); break;
        case Kind::kPeerFin:
        case Kind::kPeerRst:
        case Kind::kPeerSyn:
        case Kind::kAcked:
        case Kind::kTimeout: on_session_event(m); break;
        case Kind::kRxData: on_rx_data(m); break;
        case Kind::kCounters:
            if (auto c = driver::decode_counters(m.payload)) {
                engine_counters_ = *c;
                counters_.engine_counter_reads++;
            } else {
                counters_.unexpected_events++;
            }
            break;
        case Kind::kLinkError: counters_.engine_link_errors++; break;
        default: counters_.unexpected_events++; break;
    }
}

void Stack::on_slow_path(driver::RxReason reason, const driver::Bytes& frame) {
    counters_.frames_in++;
    auto p = parse_frame(frame);
    if (!p) {
        counters_.frames_bad++;
        return;
    }
    const ParsedFrame& f = p.value;
    if (f.kind == FrameKind::kArp) {
        ArpInput in = arp_.on_arp(f.arp, now_ns());
        if (in.reply) {
            raw_tx(std::move(*in.reply));
            counters_.arp_replies++;
        }
        for (Bytes& b : in.ready) raw_tx(std::move(b));
        return;
    }
    if (f.ip.dst != cfg_.ip) {
        counters_.frames_not_ours++;
        return;
    }
    if (f.kind == FrameKind::kIcmp) {
        if (f.icmp.type == icmp_type::kEchoRequest) {
            raw_tx(build_icmp_echo_reply(frame.data(), frame.size(), f, cfg_.mac));
            counters_.icmp_echo_replies++;
        }
        return;
    }
    if (f.kind == FrameKind::kTcp) on_tcp(reason, f, frame);
}

// A segment for a connection whose INSTALL is in flight: the engine will own it, but its
// table has no entry yet. One carrying data, FIN or RST is held (kMaxHeldWhileInstalling,
// in arrival order) and injected into the engine with RX_INJECT once INSTALLED says ok,
// so the engine decides it as its own; anything else is dropped (a pure ACK tells the
// engine nothing the handshake did not).
void Stack::hold_while_installing(Conn& c, const ParsedFrame& f, const driver::Bytes& frame) {
    if (!worth_injecting(f, frame)) {
        counters_.dropped_while_installing++;
    } else if (c.held.size() >= kMaxHeldWhileInstalling) {
        counters_.install_hold_overflow++;
    } else {
        c.held.push_back(frame);
        counters_.held_while_installing++;
    }
}

// A segment of an installed connection that missed the engine's table: it reached the
// engine before the INSTALL did, and its slow-path frame came up the host link behind
// INSTALLED (command answers go before slow-path frames there). Injected like the held
// ones, so that the engine decides it; at most kMaxHeldWhileInstalling per connection,
// so that a frame that keeps missing cannot go round for ever.
void Stack::inject_late(Conn& c, const ParsedFrame& f, const driver::Bytes& frame) {
    if (!worth_injecting(f, frame) || c.injected_late >= kMaxHeldWhileInstalling) {
        counters_.dropped_while_installing++;
        return;
    }
    c.injected_late++;
    send_cmd(Kind::kRxInject, driver::kNoSession, frame);
    counters_.rx_injected++;
    counters_.injected_after_installed++;
}

// Data, FIN or RST (a pure ACK tells the engine nothing the handshake did not), in a
// frame RX_INJECT can carry.
bool Stack::worth_injecting(const ParsedFrame& f, const driver::Bytes& frame) {
    const bool carries = f.payload_bytes > 0 ||
                         (f.tcp.flags & (tcp_bits::kFin | tcp_bits::kRst)) != 0;
    return carries && frame.size() <= driver::kMaxInject;
}

void Stack::on_tcp(driver::RxReason reason, const ParsedFrame& f, const driver::Bytes& frame) {
    const FourTuple t{f.ip.src, f.ip.dst, f.tcp.src_port, f.tcp.dst_port};
    auto it = by_tuple_.find(t);
    Conn* c = it == by_tuple_.end() ? nullptr : find(it->second);
    if (c && c->installing) return hold_while_installing(*c, f, frame);
    if (c && c->session && !c->removing && reason == driver::RxReason::kSlowNoSession)
        return inject_late(*c, f, frame);
    on_tcp_segment(f);
    // The segment that completed a handshake (passive: the final ACK, a cookie's ACK) may
    // carry data: it went to INSTALL's state, its payload waits for the engine whole (the
    // engine sees ACK = SND.UNA and the payload at RCV.NXT).
    if (f.payload_bytes == 0 && (f.tcp.flags & tcp_bits::kFin) == 0) return;
    it = by_tuple_.find(t);
    c = it == by_tuple_.end() ? nullptr : find(it->second);
    if (c && c->installing) hold_while_installing(*c, f, frame);
}

void Stack::on_tcp_segment(const ParsedFrame& f) {
    const FourTuple t{f.ip.src, f.ip.dst, f.tcp.src_port, f.tcp.dst_port};
    auto it = by_tuple_.find(t);
    if (it != by_tuple_.end()) {
        Conn& c = conns_[it->second];
        if (c.installing || c.session) {
            counters_.dropped_while_installing++;  // the engine owns it (or will)
            return;
        }
        if (c.state == TcpState::kSynSent) return on_syn_sent(c, f);
        if (c.state == TcpState::kSynReceived) return on_syn_received(c, f);
        return;
    }
    std::optional<uint32_t> min_isn;
    if (time_wait_.contains(t)) {
        TimeWaitSegment seg;
        seg.seq = f.tcp.seq;
        seg.ack = f.tcp.ack;
        seg.flags = f.tcp.flags;
        seg.payload_len = uint32_t(f.payload_bytes);
        seg.has_ts = f.tcp.options.has_ts;
        seg.tsval = f.tcp.options.tsval;
        TimeWaitReply r = time_wait_.on_segment(t, seg, now_ns() / 1000);
        if (r.action != TimeWaitAction::kAcceptSyn) return on_time_wait_reply(f, r);
        // RFC 9293 MAY-2 (1): the new incarnation's ISN lies above the old SND.NXT
        min_isn = r.prior.snd_nxt + 1;
    }
    auto l = listeners_.find(t.local_port);
    if (l != listeners_.end()) return on_listen(conns_[l->second], f, t, min_isn);
    on_closed_port(f);
}

void Stack::on_time_wait_reply(const ParsedFrame& f, const TimeWaitReply& r) {
    if (r.action != TimeWaitAction::kSendAck && r.action != TimeWaitAction::kRejectSynSendAck)
        return;
    TcpSegmentSpec s = reply_spec(f);
    s.seq = r.seq;
    s.ack = r.ack;
    s.flags = tcp_bits::kAck;
    if (r.has_ts) {
        s.options.has_ts = true;
        s.options.tsval = ts_now();
        s.options.tsecr = r.tsecr;
    }
    raw_tx(build_tcp_frame(s));
}

// RFC 9293 §3.10.7.1: CLOSED (no connection, no listener).
void Stack::on_closed_port(const ParsedFrame& f) {
    if (f.tcp.flags & tcp_bits::kRst) return;
    TcpSegmentSpec s = reply_spec(f);
    if (f.tcp.flags & tcp_bits::kAck) {
        s.seq = f.tcp.ack;
        s.flags = tcp_bits::kRst;
    } else {
        s.seq = 0;
        s.ack = f.tcp.seq + seg_len(f);
        s.flags = tcp_bits::kRst | tcp_bits::kAck;
    }
    raw_tx(build_tcp_frame(s));
    counters_.rsts_sent++;
}

// What our SYN-ACK answers to the peer's SYN options (passive), or what the peer's
// SYN-ACK agreed to (active): an option is on only when both sides sent it.
void Stack::negotiate_from_syn(Conn& c, const TcpOptions& o) {
    c.peer_mss = o.has_mss ? o.mss : kDefaultPeerMss;
    c.ws_ok = cfg_.window_scaling && o.has_wscale;
    c.snd_wscale = c.ws_ok ? std::min<uint8_t>(o.wscale, 14) : 0;
    c.rcv_wscale = c.ws_ok ? cfg_.wscale : 0;
    c.ts_ok = cfg_.timestamps && o.has_ts;
    c.ts_recent = c.ts_ok ? o.tsval : 0;
    c.sack_ok = cfg_.sack_permitted && o.sack_permitted;
}

// RFC 9293 §3.10.7.2: LISTEN.
void Stack::on_listen(Conn& l, const ParsedFrame& f, const FourTuple& t,
                      std::optional<uint32_t> min_isn) {
    const uint8_t fl = f.tcp.flags;
    if (fl & tcp_bits::kRst) return;
    if (fl & tcp_bits::kAck) {
        if (!(fl & tcp_bits::kSyn) && !min_isn) return on_cookie_ack(l, f, t);
        TcpSegmentSpec s = reply_spec(f);  // <SEQ=SEG.ACK><CTL=RST>
        s.seq = f.tcp.ack;
        s.flags = tcp_bits::kRst;
        raw_tx(build_tcp_frame(s));
        counters_.rsts_sent++;
        return;
    }
    if (!(fl & tcp_bits::kSyn)) return;
    counters_.syns_received++;
    const uint64_t now = now_ns();
    if (l.half_open >= cfg_.syn_backlog) {
        // RFC 4987 §3.6: no state; the ISN is the cookie, the options ride in TSval.
        const TcpOptions& o = f.tcp.options;
        const SynCookie ck =
            cookies_.encode(t, f.tcp.seq, o.has_mss ? o.mss : kDefaultPeerMss, now);
        TcpSegmentSpec s = reply_spec(f);
        s.seq = ck.isn;
        s.ack = f.tcp.seq + 1;
        s.flags = tcp_bits::kSyn | tcp_bits::kAck;
        s.window = window_field(cfg_.rcv_wnd, 0);
        s.options.has_mss = true;
        s.options.mss = cfg_.mss;
        if (cfg_.timestamps && o.has_ts) {
            CookieTsOptions co;
            co.has_wscale = cfg_.window_scaling && o.has_wscale;
            co.wscale = std::min<uint8_t>(o.wscale, 14);
            co.sack_permitted = cfg_.sack_permitted && o.sack_permitted;
            s.options.has_ts = true;
            s.options.tsval = syn_cookie_tsval(ts_now(), co);
            s.options.tsecr = o.tsval;
            s.options.has_wscale = co.has_wscale;
            s.options.wscale = cfg_.wscale;
            s.options.sack_permitted = co.sack_permitted;
        }
        raw_tx(build_tcp_frame(s));  // to the SYN's source MAC: no ARP state either
        counters_.cookies_sent++;
        return;
    }
    SocketId id = new_socket();
    Conn& c = conns_[id];
    c.passive = true;
    c.listener = l.id;
    c.term = l.term;
    c.tuple = t;
    c.state = TcpState::kSynReceived;
    c.irs = f.tcp.seq;
    c.rcv_nxt = f.tcp.seq + 1;
    c.iss = isn_.isn(t, now);
    if (min_isn && !seq_gt(c.iss, *min_isn)) c.iss = *min_isn + (1u << 16);
    c.snd_nxt = c.iss + 1;
    c.peer_mac = f.eth.src;
    negotiate_from_syn(c, f.tcp.options);
    c.rto_ns = cfg_.syn_rto_ns;
    l.half_open++;
    c.counted_half_open = true;
    by_tuple_[t] = id;
    send_syn(c);
    set_timer(c, now + c.rto_ns);
}

// A bare ACK to a listener with no connection: the final ACK of a SYN cookie handshake,
// or a stray segment answered with <SEQ=SEG.ACK><CTL=RST>.
void Stack::on_cookie_ack(Conn& l, const ParsedFrame& f, const FourTuple& t) {
    const uint64_t now = now_ns();
    CookieResult ck = cookies_.check_ack(t, f.tcp.seq, f.tcp.ack, now);
    if (!ck.ok()) {
        counters_.cookies_rejected++;
        TcpSegmentSpec s = reply_spec(f);  // <SEQ=SEG.ACK><CTL=RST>
        s.seq = f.tcp.ack;
        s.flags = tcp_bits::kRst;
        raw_tx(build_tcp_frame(s));
        counters_.rsts_sent++;
        return;
    }
    if (l.accept_q.size() + l.pending >= l.backlog) {
        counters_.accept_queue_drops++;
        return;
    }
    counters_.cookies_accepted++;
    SocketId id = new_socket();
    Conn& c = conns_[id];
    c.passive = true;
    c.listener = l.id;
    c.term = l.term;
    c.tuple = t;
    c.state = TcpState::kSynReceived;
    c.irs = f.tcp.seq - 1;
    c.rcv_nxt = f.tcp.seq;
    c.iss = f.tcp.ack - 1;
    c.snd_nxt = f.tcp.ack;
    c.peer_mac = f.eth.src;
    c.peer_mss = ck.mss;
    const TcpOptions& o = f.tcp.options;
    if (cfg_.timestamps && o.has_ts) {
        const CookieTsOptions co = syn_cookie_ts_options(o.tsecr);
        c.ts_ok = true;
        c.ts_recent = o.tsval;
        c.ws_ok = co.has_wscale;
        c.snd_wscale = co.has_wscale ? co.wscale : 0;
        c.rcv_wscale = co.has_wscale ? cfg_.wscale : 0;
        c.sack_ok = co.sack_permitted;
    }
    by_tuple_[t] = id;
    established(c, f);
}

// RFC 9293 §3.10.7.3: SYN-SENT.
void Stack::on_syn_sent(Conn& c, const ParsedFrame& f) {
    const uint8_t fl = f.tcp.flags;
    const bool ack = (fl & tcp_bits::kAck) != 0;
    if (ack && f.tcp.ack != c.iss + 1) {  // SEG.ACK =< ISS or > SND.NXT
        if (fl & tcp_bits::kRst) return;
        TcpSegmentSpec s = reply_spec(f);
        s.seq = f.tcp.ack;
        s.flags = tcp_bits::kRst;
        raw_tx(build_tcp_frame(s));
        counters_.rsts_sent++;
        return;
    }
    if (fl & tcp_bits::kRst) {
        if (ack) enter_closed(c, SocketError::kRefused);
        return;
    }
    if (!(fl & tcp_bits::kSyn)) return;
    c.irs = f.tcp.seq;
    c.rcv_nxt = f.tcp.seq + 1;
    c.peer_mac = f.eth.src;
    negotiate_from_syn(c, f.tcp.options);
    if (ack) {
        send_ack(c);
        return established(c, f);
    }
    // Simultaneous open: SYN-RECEIVED, <SEQ=ISS><ACK=RCV.NXT><CTL=SYN,ACK>.
    c.state = TcpState::kSynReceived;
    c.retries = 0;
    c.rto_ns = cfg_.syn_rto_ns;
    send_syn(c);
    set_timer(c, now_ns() + c.rto_ns);
}

// RFC 9293 §3.10.7.4 for SYN-RECEIVED (before the session is installed).
void Stack::on_syn_received(Conn& c, const ParsedFrame& f) {
    const uint8_t fl = f.tcp.flags;
    const bool in_window = f.tcp.seq == c.rcv_nxt;
    if (fl & tcp_bits::kRst) {
        if (!in_window) return;
        if (c.passive) return drop_conn(c.id);  // back to LISTEN (the listener remains)
        return enter_closed(c, SocketError::kRefused);
    }
    if (fl & tcp_bits::kSyn) {
        if (!(fl & tcp_bits::kAck) && f.tcp.seq == c.irs) {
            send_syn(c);  // the peer's SYN again: our SYN-ACK was lost
            counters_.synack_retransmits++;
            return;
        }
        // Simultaneous open completing with the peer's SYN-ACK (figure 8 line 6).
        if (!c.passive && (fl & tcp_bits::kAck) && f.tcp.seq == c.irs &&
            f.tcp.ack == c.iss + 1) {
            if (c.ts_ok && f.tcp.options.has_ts) c.ts_recent = f.tcp.options.tsval;
            send_ack(c);
            return established(c, f);
        }
        send_ack(c);  // RFC 5961 §4 challenge ACK
        return;
    }
    if (!(fl & tcp_bits::kAck)) return;
    if (f.tcp.ack != c.iss + 1) {
        TcpSegmentSpec s = reply_spec(f);
        s.seq = f.tcp.ack;
        s.flags = tcp_bits::kRst;
        raw_tx(build_tcp_frame(s));
        counters_.rsts_sent++;
        return;
    }
    if (!in_window) return send_ack(c);
    if (c.passive) {
        Conn* l = find(c.listener);
        if (l && l->accept_q.size() + l->pending >= l->backlog) {
            counters_.accept_queue_drops++;
            return;  // as Linux: the ACK is dropped, our SYN-ACK retransmission retries
        }
    }
    if (c.ts_ok && f.tcp.options.has_ts) c.ts_recent = f.tcp.options.tsval;
    established(c, f);
}

// The handshake is complete from our side: INSTALL the session with what was negotiated.
// `f` is the segment that completed it (its window and SEQ/ACK set SND.WND, WL1, WL2).
void Stack::established(Conn& c, const ParsedFrame& f) {
    set_timer(c, 0);
    const bool syn = (f.tcp.flags & tcp_bits::kSyn) != 0;
    c.snd_wnd = uint32_t(f.tcp.window) << (syn ? 0 : c.snd_wscale);  // SYN: never scaled
    c.wl1 = f.tcp.seq;
    c.wl2 = f.tcp.ack;
    c.snd_nxt = c.iss + 1;
    if (Conn* l = c.passive ? find(c.listener) : nullptr) {
        if (c.counted_half_open) l->half_open--;
        c.counted_half_open = false;
        l->pending++;
        c.counted_pending = true;
    }
    if (free_sessions_.empty()) {
        counters_.no_session_id++;
        return install_done(c, false);
    }
    c.session = free_sessions_.front();
    free_sessions_.pop_front();
    by_session_[*c.session] = c.id;
    c.installing = true;
    driver::SessionState st;
    st.rcv_nxt = c.rcv_nxt;
    st.rcv_wnd = cfg_.rcv_wnd;
    st.snd_una = st.snd_nxt = c.iss + 1;
    st.snd_wnd = st.max_snd_wnd = c.snd_wnd;
    st.snd_wl1 = c.wl1;
    st.snd_wl2 = c.wl2;
    st.snd_wscale = c.snd_wscale;
    st.timestamps = c.ts_ok;
    st.ts_recent = c.ts_recent;
    st.peer_mac = mac_u64(c.peer_mac);
    st.rcv_wscale = c.rcv_wscale;
    st.tsval_now = ts_now();
    st.mss = std::min(c.peer_mss, cfg_.mss);
    st.host_terminated = c.term == Termination::kHost;
    c.snd_handed = c.snd_una = c.iss + 1;
    const FourTuple& t = c.tuple;
    send_cmd(Kind::kInstall, *c.session,
             driver::install_payload({t.remote_ip, t.local_ip, t.remote_port, t.local_port}, st));
    counters_.installs++;
}

void Stack::install_done(Conn& c, bool ok) {
    c.installing = false;
    std::vector<Bytes> held;
    held.swap(c.held);
    if (ok && c.error != SocketError::kAborted) {
        // What arrived meanwhile, in order, as if the engine had had it from the MAC
        for (const Bytes& frame : held) {
            send_cmd(Kind::kRxInject, driver::kNoSession, frame);
            counters_.rx_injected++;
        }
    } else {
        counters_.dropped_while_installing += held.size();
    }
    Conn* l = c.passive ? find(c.listener) : nullptr;
    if (l && c.counted_pending) l->pending--;
    c.counted_pending = false;
    if (ok) {
        c.state = TcpState::kEstablished;
        if (c.error == SocketError::kAborted) {  // aborted, or its listener closed
            begin_remove(c, TcpState::kClosed, true);
            return;
        }
        if (c.close_when_established) {  // close() in SYN-RECEIVED: FIN_WAIT_1 now
            c.app_closed = c.rd_shut = true;
            shut_write(c);
            return;
        }
        if (c.passive) {
            l->accept_q.push_back(c.id);
            c.in_accept_q = true;
            event(l->id, SocketEventKind::kAcceptable);
        } else {
            event(c.id, SocketEventKind::kConnected);
        }
        return;
    }
    counters_.install_failures++;
    send_rst_for(c);
    if (c.session) {
        by_session_.erase(*c.session);
        free_sessions_.push_back(*c.session);
        c.session.reset();
    }
    enter_closed(c, SocketError::kInstallFailed);
}

void Stack::on_installed(const driver::Message& m) {
    auto it = by_session_.find(m.session);
    Conn* c = it == by_session_.end() ? nullptr : find(it->second);
    if (!c || !c->installing) {
        counters_.unexpected_events++;
        return;
    }
    const auto r = driver::TableResult(m.arg);
    install_done(*c, r == driver::TableResult::kInserted || r == driver::TableResult::kStashed);
}

void Stack::on_removed(const driver::Message& m) {
    auto it = by_session_.find(m.session);
    Conn* c = it == by_session_.end() ? nullptr : find(it->second);
    if (!c || !c->removing) {
        counters_.unexpected_events++;
        return;
    }
    by_session_.erase(it);
    free_sessions_.push_back(m.session);
    c->session.reset();
    c->removing = false;
    if (m.payload.size() >= kRemovedSnapshotBytes) {
        c->snd_nxt = get_be32(m.payload, 0);
        c->rcv_nxt = get_be32(m.payload, 4);
        c->ts_recent = get_be32(m.payload, 8);
    } else {
        // No snapshot from the engine: the handshake values, +1 for each FIN. Exact only
        // when no data moved while the session was installed.
        counters_.removed_without_snapshot++;
        c->snd_nxt = c->iss + 1 + (c->our_fin ? 1 : 0);
        c->rcv_nxt = c->irs + 1 + (c->peer_fin ? 1 : 0);
    }
    if (c->after_remove == TcpState::kTimeWait) {
        TimeWaitState tw;
        tw.snd_nxt = c->snd_nxt;
        tw.rcv_nxt = c->rcv_nxt;
        tw.ts_enabled = c->ts_ok;
        tw.ts_recent = c->ts_recent;
        time_wait_.insert(c->tuple, tw, now_ns() / 1000);
        counters_.time_wait_inserts++;
    }
    enter_closed(*c, SocketError::kNone);
}

void Stack::on_session_event(const driver::Message& m) {
    auto it = by_session_.find(m.session);
    Conn* c = it == by_session_.end() ? nullptr : find(it->second);
    // ACKED(data) and ACKED(FIN) travel separate queues in the engine: the last SND.UNA
    // may come after the FIN's ACKED has started the removal. Nothing to do then.
    if (c && c->removing && m.kind == Kind::kAcked) return;
    if (!c || c->installing || c->removing) {
        counters_.unexpected_events++;
        return;
    }
    switch (m.kind) {
        case Kind::kPeerRst:
            c->error = SocketError::kReset;
            return begin_remove(*c, TcpState::kClosed);
        case Kind::kTimeout:
            c->error = SocketError::kTimedOut;
            return begin_remove(*c, TcpState::kClosed);
        case Kind::kPeerSyn:
            return;  // the engine sent the RFC 5961 challenge ACK; nothing to decide
        case Kind::kPeerFin:
            if (c->peer_fin) return;
            c->peer_fin = true;
            switch (c->state) {
                case TcpState::kEstablished: c->state = TcpState::kCloseWait; break;
                case TcpState::kFinWait1: c->state = TcpState::kClosing; break;
                case TcpState::kFinWait2:
                    c->state = TcpState::kTimeWait;
                    begin_remove(*c, TcpState::kTimeWait);
                    break;
                default: return;
            }
            event(c->id, SocketEventKind::kPeerClosed);
            return;
        case Kind::kAcked:
            return on_acked(*c, m);
        default: return;
    }
}

void Stack::on_acked(Conn& c, const driver::Message& m) {
    if (m.arg & driver::kAckedData) {
        const auto una = driver::acked_snd_una(m.payload);
        if (una && seq_gt(*una, c.snd_una)) {
            c.snd_una = *una;
            pump_tx(c);
        }
    }
    if (!(m.arg & driver::kAckedFin) || !c.our_fin) return;
    switch (c.state) {
        case TcpState::kFinWait1:
            c.state = TcpState::kFinWait2;
            if (c.app_closed) set_timer(c, now_ns() + cfg_.fin_wait2_timeout_ns);
            break;
        case TcpState::kClosing:
            c.state = TcpState::kTimeWait;
            begin_remove(c, TcpState::kTimeWait);
            break;
        case TcpState::kLastAck: begin_remove(c, TcpState::kClosed); break;
        default: break;
    }
}

void Stack::on_rx_data(const driver::Message& m) {
    auto it = by_session_.find(m.session);
    Conn* c = it == by_session_.end() ? nullptr : find(it->second);
    if (!c || c->term != Termination::kHost) {
        counters_.stray_rx_data++;
        return;
    }
    counters_.rx_data_bytes += m.payload.size();
    if (c->rd_shut) {
        counters_.rx_data_discarded += m.payload.size();
        return;
    }
    const bool was_empty = c->rcv_buf.empty();
    c->rcv_buf.append(m.payload.data(), m.payload.size());
    if (was_empty && !m.payload.empty()) event(c->id, SocketEventKind::kReadable);
}

}  // namespace ftoe::host
