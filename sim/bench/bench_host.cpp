// ftoe-bench host: the control plane's costs on one core.
//   - Connection lifecycles: the Stack on a stand-in engine link (answers INSTALL and
//     REMOVE at once, costs next to nothing) with a scripted peer, each lifecycle a new
//     tuple: SYN -> SYN-ACK -> ACK -> INSTALL/INSTALLED -> accept, 100 bytes each way
//     (RX_DATA, recv, send, APP_DATA, ACKED), close -> SEND_FIN -> ACKED(FIN) ->
//     PEER_FIN -> TIME_WAIT (REMOVE/REMOVED, table entry) -> expiry at 2MSL (the link
//     clock moves 1 us per lifecycle, 2MSL = 10 ms: some 10,000 entries live at once).
//     The rate includes the peer building its SYN and ACK frames (checksums and all).
//   - The TIME_WAIT table at scale (--entries, default 10,000,000): bytes per entry (the
//     entry itself and with the lookup index, beside Linux's 168-byte
//     tcp_timewait_sock), and the rates of insert, lookup (hits in random order and
//     misses), FIN re-ACK with timer restart, and expiry.
#include <chrono>
#include <cstdio>
#include <unordered_map>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "packet.hpp"
#include "stack.hpp"
#include "time_wait_table.hpp"

namespace ftoe::bench {
namespace {

using host::FourTuple;

constexpr std::size_t kLinuxTimeWaitBytes = 168;  // sizeof(struct tcp_timewait_sock), x86-64

// Distinct tuples: 64 local addresses, remote addresses and ports from a counter.
FourTuple tuple_of(uint64_t i) {
    FourTuple t;
    t.local_ip = 0x0a000000u + uint32_t(i % 64);
    t.remote_ip = 0xc0000000u + uint32_t(i / 64 / 40000);
    t.local_port = 443;
    t.remote_port = uint16_t(20000 + (i / 64) % 40000);
    return t;
}

struct TwFigures {
    double insert_per_s, hit_per_s, miss_per_s, reack_per_s, expire_per_s;
    double bytes_per_entry_total;
    uint64_t entries;
};

TwFigures time_wait_figures(uint64_t n) {
    host::TimeWaitConfig cfg;
    cfg.capacity = uint32_t(n);
    cfg.two_msl_us = 60'000'000;
    cfg.hash_seed = 0x5eed;
    host::TimeWaitTable tw(cfg);
    TwFigures f{};
    f.entries = n;
    // all inserted within one simulated second, so nothing expires until we say so
    uint64_t now = 1;
    auto t0 = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < n; i++) {
        host::TimeWaitState s;
        s.snd_nxt = uint32_t(i * 7);
        s.rcv_nxt = uint32_t(i * 13);
        if (tw.insert(tuple_of(i), s, now) != host::InsertResult::kInserted)
            throw std::runtime_error("TIME_WAIT insert failed below capacity");
        if ((i & 1023) == 1023) now++;
    }
    f.insert_per_s = double(n) / seconds_since(t0);
    if (tw.size() != n) throw std::runtime_error("TIME_WAIT table lost entries");
    f.bytes_per_entry_total = double(tw.memory_bytes()) / double(n);

    std::mt19937_64 rng(1);
    std::vector<uint64_t> order(std::min<uint64_t>(n, 2'000'000));
    for (auto& o : order) o = rng() % n;
    t0 = std::chrono::steady_clock::now();
    uint64_t found = 0;
    for (uint64_t i : order) found += tw.contains(tuple_of(i));
    f.hit_per_s = double(order.size()) / seconds_since(t0);
    if (found != order.size()) throw std::runtime_error("TIME_WAIT lookup missed an entry");
    t0 = std::chrono::steady_clock::now();
    for (uint64_t k = 0; k < order.size(); k++) found += tw.contains(tuple_of(n + k));
    f.miss_per_s = double(order.size()) / seconds_since(t0);
    if (found != order.size()) throw std::runtime_error("TIME_WAIT lookup found a tuple never inserted");

    // the peer's FIN retransmitted: re-ACKed, timer restarted
    const uint64_t reacks = std::min<uint64_t>(n, 1'000'000);
    t0 = std::chrono::steady_clock::now();
    for (uint64_t k = 0; k < reacks; k++) {
        const uint64_t i = order[k % order.size()];
        host::TimeWaitSegment seg;
        seg.seq = uint32_t(i * 13) - 1;  // the FIN's sequence number: RCV.NXT - 1
        seg.ack = uint32_t(i * 7);
        seg.flags = uint8_t(host::tcp_flag::kAck | host::tcp_flag::kFin);
        const auto r = tw.on_segment(tuple_of(i), seg, now);
        if (r.action != host::TimeWaitAction::kSendAck)
            throw std::runtime_error(std::string("retransmitted FIN not re-ACKed: ") +
                                     host::time_wait_action_name(r.action));
    }
    f.reack_per_s = double(reacks) / seconds_since(t0);

    t0 = std::chrono::steady_clock::now();
    const std::size_t expired = tw.expire(now + cfg.two_msl_us + 1);
    f.expire_per_s = double(expired) / seconds_since(t0);
    if (expired != n || tw.size() != 0) throw std::runtime_error("not every entry expired");
    return f;
}

// The engine as the Stack sees it over the link, reduced to what a lifecycle needs:
// INSTALL and REMOVE answered at once (REMOVED with the session's snapshot), RAW_TX
// frames kept for the peer to read.
class StandInLink final : public driver::Link {
public:
    driver::Result<uint32_t> send(driver::Kind kind, uint32_t session, uint16_t,
                                  const driver::Bytes& payload) override {
        switch (kind) {
            case driver::Kind::kInstall: {
                Session& s = sessions_[session];
                s.rcv_nxt = be32(payload, 12);
                s.snd_nxt = be32(payload, 24);
                event(driver::Kind::kInstalled, session, uint16_t(driver::TableResult::kInserted));
                break;
            }
            case driver::Kind::kRemove:
            case driver::Kind::kAbort: {
                const Session& s = sessions_[session];
                driver::Bytes snap;
                for (uint32_t v : {s.snd_nxt, s.rcv_nxt, 0u})
                    for (int sh = 24; sh >= 0; sh -= 8) snap.push_back(uint8_t(v >> sh));
                event(driver::Kind::kRemoved, session, uint16_t(driver::TableResult::kRemoved),
                      std::move(snap));
                break;
            }
            case driver::Kind::kAppData: sessions_[session].snd_nxt += uint32_t(payload.size()); break;
            case driver::Kind::kSendFin: sessions_[session].snd_nxt++; break;
            case driver::Kind::kRawTx: last_raw = payload; break;
            default: break;
        }
        return seq_++;
    }
    driver::Result<std::vector<driver::Received>> poll(driver::Duration) override {
        std::vector<driver::Received> out;
        out.swap(pending_);
        return out;
    }
    driver::Duration now() const override { return now_; }

    void event(driver::Kind kind, uint32_t session, uint16_t arg = 0, driver::Bytes payload = {}) {
        driver::Message m;
        m.kind = kind;
        m.session = session;
        m.arg = arg;
        m.payload = std::move(payload);
        pending_.emplace_back(std::move(m));
    }
    void peer_bytes(uint32_t session, uint32_t n) { sessions_[session].rcv_nxt += n; }
    uint32_t snd_nxt(uint32_t session) { return sessions_[session].snd_nxt; }
    void advance(driver::Duration d) { now_ += d; }

    driver::Bytes last_raw;

private:
    struct Session {
        uint32_t snd_nxt = 0, rcv_nxt = 0;
    };
    static uint32_t be32(const driver::Bytes& b, std::size_t at) {
        return (uint32_t(b[at]) << 24) | (uint32_t(b[at + 1]) << 16) | (uint32_t(b[at + 2]) << 8) |
               uint32_t(b[at + 3]);
    }
    std::unordered_map<uint32_t, Session> sessions_;
    std::vector<driver::Received> pending_;
    driver::Duration now_{std::chrono::seconds(1)};
    uint32_t seq_ = 0;
};

struct LifecycleFigures {
    double per_s;
    uint64_t lifecycles, time_wait_peak, expired;
};

LifecycleFigures lifecycle_figures(uint64_t n) {
    constexpr host::MacAddress kOurMac{2, 0, 0, 0, 0, 1}, kPeerMac{2, 0, 0, 0, 0, 2};
    constexpr uint32_t kOurIp = 0x0a000001, kPeerIp = 0x0a000002;
    constexpr uint16_t kPort = 80;
    StandInLink link;
    host::StackConfig cfg;
    cfg.mac = kOurMac;
    cfg.ip = kOurIp;
    cfg.sessions = 4096;
    cfg.two_msl_ns = 10'000'000;
    cfg.time_wait_capacity = 65536;
    cfg.arp.entry_lifetime_ns = 3600'000'000'000ull;
    host::Stack stack(link, cfg);
    const auto check = [](bool ok, const char* what) {
        if (!ok) throw std::runtime_error(std::string("lifecycle: ") + what);
    };
    check(stack.start().ok(), "start");
    const auto poll = [&] { check(stack.poll().ok(), "poll"); };
    // the peer announces itself once: ARP request for our address
    host::ArpMessage arp;
    arp.op = host::arp_op::kRequest;
    arp.sender_mac = kPeerMac;
    arp.sender_ip = kPeerIp;
    arp.target_ip = kOurIp;
    link.event(driver::Kind::kSlowPath, driver::kNoSession, 0,
               host::build_arp_frame(host::kBroadcastMac, arp));
    poll();
    const host::SocketId l = stack.listen(kPort).value();
    const driver::Bytes data(100, 0x5a);
    driver::Bytes got;
    uint64_t peak = 0;
    const auto t0 = std::chrono::steady_clock::now();
    for (uint64_t i = 0; i < n; i++) {
        const uint16_t port = uint16_t(1024 + i % 60000);
        const uint32_t peer_isn = uint32_t(i * 2654435761u);
        host::TcpSegmentSpec syn;
        syn.src_mac = kPeerMac;
        syn.dst_mac = kOurMac;
        syn.ip.src = kPeerIp;
        syn.ip.dst = kOurIp;
        syn.src_port = port;
        syn.dst_port = kPort;
        syn.seq = peer_isn;
        syn.flags = host::tcp_bits::kSyn;
        syn.window = 65535;
        syn.options.has_mss = true;
        syn.options.mss = 1460;
        syn.options.has_wscale = true;
        syn.options.wscale = 7;
        link.event(driver::Kind::kSlowPath, driver::kNoSession, 0, host::build_tcp_frame(syn));
        poll();
        // SYN-ACK: our ISN from its sequence field (Ethernet 14 + IPv4 20 + 4)
        check(link.last_raw.size() >= 54, "no SYN-ACK");
        const uint32_t iss = (uint32_t(link.last_raw[38]) << 24) | (uint32_t(link.last_raw[39]) << 16) |
                             (uint32_t(link.last_raw[40]) << 8) | uint32_t(link.last_raw[41]);
        host::TcpSegmentSpec ack = syn;
        ack.seq = peer_isn + 1;
        ack.ack = iss + 1;
        ack.flags = host::tcp_bits::kAck;
        ack.options = {};
        ack.window = 512;
        link.event(driver::Kind::kSlowPath, driver::kNoSession, 0, host::build_tcp_frame(ack));
        poll();  // INSTALL
        poll();  // INSTALLED
        const auto s = stack.accept(l);
        check(s.has_value(), "nothing to accept");
        const uint32_t session = *stack.session_of(*s);
        link.event(driver::Kind::kRxData, session, 0, data);
        link.peer_bytes(session, uint32_t(data.size()));
        poll();
        got.clear();
        check(stack.recv(*s, got, 1000).value() == data.size(), "recv");
        check(stack.send(*s, data.data(), data.size()).value() == data.size(), "send");
        check(stack.close(*s).ok(), "close");
        const uint32_t una = link.snd_nxt(session);  // data and FIN
        driver::Bytes una_be{uint8_t(una >> 24), uint8_t(una >> 16), uint8_t(una >> 8), uint8_t(una)};
        link.event(driver::Kind::kAcked, session, driver::kAckedData | driver::kAckedFin, una_be);
        link.event(driver::Kind::kPeerFin, session);
        link.peer_bytes(session, 1);
        poll();  // FIN_WAIT_2, TIME_WAIT: REMOVE
        poll();  // REMOVED: the TIME_WAIT entry
        check(stack.state(*s) == host::TcpState::kClosed, "not closed");
        check(stack.release(*s).ok(), "release");
        peak = std::max<uint64_t>(peak, stack.time_wait().size());
        link.advance(std::chrono::microseconds(1));
    }
    LifecycleFigures f{};
    f.per_s = double(n) / seconds_since(t0);
    f.lifecycles = n;
    f.time_wait_peak = peak;
    f.expired = stack.counters().time_wait_inserts - stack.time_wait().size();
    check(stack.counters().time_wait_inserts == n, "a lifecycle missed TIME_WAIT");
    check(stack.free_sessions() == cfg.sessions, "engine sessions leaked");
    return f;
}

}  // namespace

int run_host(const std::vector<std::string>& args) {
    const Options opt(args, {"json", "help"}, {"entries", "lifecycles"});
    if (opt.flag("help")) {
        std::printf("usage: ftoe-bench host [--lifecycles N] [--entries N] [--json]\n"
                    "  Control-plane costs on one core: N whole connection lifecycles of the\n"
                    "  Stack on a stand-in engine link (default 1000000), and the TIME_WAIT\n"
                    "  table filled with N entries (default 10000000): bytes per entry,\n"
                    "  insert, lookup, FIN re-ACK and expiry rates.\n");
        return 0;
    }
    const uint64_t n = opt.get_uint("entries", 10'000'000, 1000, host::TimeWaitTable::kMaxCapacity);
    const uint64_t lc = opt.get_uint("lifecycles", 1'000'000, 1000, 100'000'000);
    const bool json = opt.flag("json");
    const LifecycleFigures lf = lifecycle_figures(lc);
    const TwFigures f = time_wait_figures(n);
    if (json) {
        Json j;
        j.num("lifecycles_per_s", lf.per_s);
        j.num("lifecycles", lf.lifecycles);
        j.num("lifecycle_time_wait_peak", lf.time_wait_peak);
        j.num("lifecycle_time_wait_expired", lf.expired);
        j.num("tw_entries", f.entries);
        j.num("tw_bytes_per_entry", uint64_t(host::TimeWaitTable::kEntryBytes));
        j.num("tw_bytes_per_entry_with_index", f.bytes_per_entry_total);
        j.num("linux_tcp_timewait_sock_bytes", uint64_t(kLinuxTimeWaitBytes));
        j.num("tw_inserts_per_s", f.insert_per_s);
        j.num("tw_lookups_per_s", f.hit_per_s);
        j.num("tw_misses_per_s", f.miss_per_s);
        j.num("tw_fin_reacks_per_s", f.reack_per_s);
        j.num("tw_expiries_per_s", f.expire_per_s);
        std::printf("%s\n", j.dump().c_str());
        return 0;
    }
    std::printf("TIME_WAIT table, %llu entries, one core\n",
                (unsigned long long)f.entries);
    std::printf("  bytes per entry        %zu (%.1f with the lookup index); Linux: %zu\n",
                host::TimeWaitTable::kEntryBytes, f.bytes_per_entry_total, kLinuxTimeWaitBytes);
    std::printf("  insert                 %s/s\n", si(f.insert_per_s).c_str());
    std::printf("  lookup, hit (random)   %s/s\n", si(f.hit_per_s).c_str());
    std::printf("  lookup, miss           %s/s\n", si(f.miss_per_s).c_str());
    std::printf("  FIN re-ACK + restart   %s/s\n", si(f.reack_per_s).c_str());
    std::printf("  expiry                 %s/s\n", si(f.expire_per_s).c_str());
    std::printf("connection lifecycles, %llu on one core (Stack + stand-in engine link + peer)\n",
                (unsigned long long)lf.lifecycles);
    std::printf("  rate                   %s/s (aim: 1 M/s)\n", si(lf.per_s).c_str());
    std::printf("  TIME_WAIT entries      %llu at most at once, %llu expired at 2MSL\n",
                (unsigned long long)lf.time_wait_peak, (unsigned long long)lf.expired);
    return 0;
}

}  // namespace ftoe::bench
