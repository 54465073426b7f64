// ftoe-sim: runs the system model. Two modes:
//   pair  two boards back to back over a simulated 10 Gb/s link (with seeded faults),
//         each with its host Stack: board A (--ip) serves the app, board B (--peer-ip)
//         runs its client. Purely simulated and deterministic: the same options and seed
//         give byte-identical captures.
//   tap   one board bridged to a Linux TAP device (--ifname), its host serving the app
//         on --port (or, with --connect, running its client against a Linux server); simulated
//         time is paced against the wall clock (tap_bridge.hpp). Prints a line with
//         "ready" once it listens, runs until --duration seconds of wall time or SIGINT.
// Both print a summary (connections, bytes, retransmissions, drops by reason, latency
// percentiles, model speed), or JSON with --json.
#include "board.hpp"  // first: see board.hpp

#include <systemc>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <limits>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "board.hpp"
#include "bulk.hpp"
#include "discard_server.hpp"
#include "echo_client.hpp"
#include "echo_server.hpp"
#include "engine_messages.hpp"
#include "eth_wire.hpp"
#include "host_node.hpp"
#include "http_client.hpp"
#include "http_server.hpp"
#include "plot.hpp"
#include "rx_reason.hpp"
#include "tap_bridge.hpp"
#include "tap_device.hpp"

namespace ftoe::sim {
namespace {

std::atomic<bool> g_stop{false};
extern "C" void on_signal(int) { g_stop.store(true); }

constexpr const char* kUsage = R"(usage:
  ftoe-sim pair [options]      two simulated boards back to back
  ftoe-sim tap --ifname NAME --ip A.B.C.D --linux-ip A.B.C.D/N [options]
                               one simulated board bridged to a Linux TAP device (root)
options:
  --app echo|discard|bulk|http   the application (default echo)
  --port N                       its TCP port (default: echo 7, discard 9, bulk 5001, http 80)
  --bytes N                      echo/discard/bulk: bytes to move (default 1000000)
  --message-bytes N              echo: bytes per message (default 1000)
  --requests N                   http (pair, tap --connect): sequential requests (default 10)
  --http-path PATH               http (pair, tap --connect): path to fetch (default
                                 /bytes/10000)
  --connections N                bulk/discard (pair): connections at once (default 1)
  --fpga-app                     echo (pair): the server's sessions go to the on-FPGA echo
                                 app instead of the host (payload never crosses USB)
  --ip A.B.C.D                   ftoe's address (pair: board A; default 10.0.0.1)
  --peer-ip A.B.C.D              pair: board B's address (default 10.0.0.2)
  --linux-ip A.B.C.D/N           tap: the Linux side's address, set on the TAP
  --connect A.B.C.D:PORT         tap: ftoe is the client of a Linux server: bulk/discard
                                 send --bytes, echo sends --bytes and checks the echo,
                                 http makes --requests GETs of --http-path
  --loss P --reorder P --duplicate P --corrupt P
                                 per-frame fault probabilities on the simulated link
                                 (each direction), 0..1 (default 0)
  --faults-one-way               faults only on frames towards ftoe (tap) / board A (pair)
  --seed N                       seeds the faults, ISNs and model (default 1)
  --pcap PATH                    pair: PATH-a.pcap and PATH-b.pcap; tap: PATH
  --latency-plot PATH.svg        pair, echo/http: the client's latencies (each message's
                                 round trip / each request's response time) as a CDF
                                 in PATH.svg and one sample per line in PATH.csv
  --host-latency-us N            extra USB latency each way (default 0; transfers are
                                 aligned to 125 us microframes)
  --rto-min-ms N                  the engines' minimum retransmission timeout (default
                                 200, as Linux; 1..60000)
  --delayed-ack                  the engines delay ACKs (every second full-size segment,
                                 else after 40 ms; default: an ACK for every segment)
  --sim-time S                   pair: give up after S simulated seconds (default 30)
  --duration S                   tap: wall-clock seconds to run (default 60)
  --no-idle-skip                 clock every engine every cycle, even when idle (slower;
                                 for checking that skipping idle time changes nothing)
  --json                         print the summary as JSON
)";

[[noreturn]] void usage_error(const std::string& what) {
    std::fprintf(stderr, "ftoe-sim: %s\n\n%s", what.c_str(), kUsage);
    std::exit(2);
}

std::optional<uint32_t> parse_ipv4(const std::string& s) {
    unsigned a, b, c, d;
    char tail;
    if (std::sscanf(s.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4) return std::nullopt;
    if (a > 255 || b > 255 || c > 255 || d > 255) return std::nullopt;
    return (a << 24) | (b << 16) | (c << 8) | d;
}

std::string ipv4_str(uint32_t ip) {
    return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) + "." +
           std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

struct Options {
    std::string mode;
    std::string app = "echo";
    int port = -1;
    uint64_t bytes = 1'000'000;
    uint64_t message_bytes = 1000;
    uint64_t requests = 10;
    std::string http_path = "/bytes/10000";
    uint64_t connections = 1;
    bool fpga_app = false;
    uint32_t ip = 0x0a000001, peer_ip = 0x0a000002;
    std::string ifname;
    uint32_t linux_ip = 0;
    int linux_prefix = 0;
    bool have_linux_ip = false, have_ip = false;
    std::optional<std::pair<uint32_t, uint16_t>> connect_to;
    LinkFaults faults;
    uint64_t seed = 1;
    std::string pcap;
    std::string latency_plot;  // PATH.svg
    uint64_t host_latency_us = 0;
    driver::EngineTimers engine_timers;
    double sim_time_s = 30;
    double duration_s = 60;
    bool json = false;
    bool no_idle_skip = false;
    bool faults_one_way = false;
};

uint64_t parse_uint(const std::string& opt, const std::string& v) {
    char* end = nullptr;
    errno = 0;
    const unsigned long long x = std::strtoull(v.c_str(), &end, 10);
    if (v.empty() || *end || errno || v[0] == '-') usage_error(opt + " wants a whole number, got '" + v + "'");
    return x;
}
double parse_double(const std::string& opt, const std::string& v, double lo, double hi) {
    char* end = nullptr;
    const double x = std::strtod(v.c_str(), &end);
    if (v.empty() || *end || !(x >= lo && x <= hi))
        usage_error(opt + " wants a number in [" + std::to_string(lo) + ", " + std::to_string(hi) +
                    "], got '" + v + "'");
    return x;
}

Options parse(int argc, char** argv) {
    Options o;
    if (argc < 2) usage_error("say which mode: pair or tap");
    o.mode = argv[1];
    if (o.mode == "-h" || o.mode == "--help") {
        std::fputs(kUsage, stdout);
        std::exit(0);
    }
    if (o.mode != "pair" && o.mode != "tap") usage_error("unknown mode '" + o.mode + "'");
    for (int i = 2; i < argc; i++) {
        const std::string a = argv[i];
        const auto val = [&]() -> std::string {
            if (i + 1 >= argc) usage_error(a + " needs a value");
            return argv[++i];
        };
        if (a == "--app") {
            o.app = val();
            if (o.app != "echo" && o.app != "discard" && o.app != "bulk" && o.app != "http")
                usage_error("unknown app '" + o.app + "' (echo, discard, bulk, http)");
        } else if (a == "--port") {
            const uint64_t p = parse_uint(a, val());
            if (p == 0 || p > 65535) usage_error("--port wants 1..65535");
            o.port = int(p);
        } else if (a == "--bytes") o.bytes = parse_uint(a, val());
        else if (a == "--message-bytes") {
            o.message_bytes = parse_uint(a, val());
            if (o.message_bytes == 0) usage_error("--message-bytes wants at least 1");
        } else if (a == "--requests") o.requests = parse_uint(a, val());
        else if (a == "--http-path") o.http_path = val();
        else if (a == "--connections") {
            o.connections = parse_uint(a, val());
            if (o.connections == 0 || o.connections > 1000) usage_error("--connections wants 1..1000");
        } else if (a == "--fpga-app") o.fpga_app = true;
        else if (a == "--ip" || a == "--peer-ip") {
            const std::string v = val();
            const auto ip = parse_ipv4(v);
            if (!ip) usage_error(a + " wants an IPv4 address A.B.C.D, got '" + v + "'");
            (a == "--ip" ? o.ip : o.peer_ip) = *ip;
            if (a == "--ip") o.have_ip = true;
        } else if (a == "--ifname") {
            o.ifname = val();
            if (o.ifname.empty() || o.ifname.size() > 15) usage_error("--ifname wants 1..15 characters");
        } else if (a == "--linux-ip") {
            const std::string v = val();
            const auto slash = v.find('/');
            const auto ip = parse_ipv4(v.substr(0, slash));
            if (!ip || slash == std::string::npos)
                usage_error("--linux-ip wants A.B.C.D/N, got '" + v + "'");
            const uint64_t n = parse_uint(a, v.substr(slash + 1));
            if (n < 1 || n > 30) usage_error("--linux-ip prefix wants 1..30");
            o.linux_ip = *ip;
            o.linux_prefix = int(n);
            o.have_linux_ip = true;
        } else if (a == "--connect") {
            const std::string v = val();
            const auto colon = v.find(':');
            const auto ip = parse_ipv4(v.substr(0, colon));
            if (!ip || colon == std::string::npos) usage_error("--connect wants A.B.C.D:PORT, got '" + v + "'");
            const uint64_t p = parse_uint(a, v.substr(colon + 1));
            if (p == 0 || p > 65535) usage_error("--connect port wants 1..65535");
            o.connect_to = std::make_pair(*ip, uint16_t(p));
        } else if (a == "--loss") o.faults.loss = parse_double(a, val(), 0, 1);
        else if (a == "--reorder") o.faults.reorder = parse_double(a, val(), 0, 1);
        else if (a == "--duplicate") o.faults.duplicate = parse_double(a, val(), 0, 1);
        else if (a == "--corrupt") o.faults.corrupt = parse_double(a, val(), 0, 1);
        else if (a == "--seed") o.seed = parse_uint(a, val());
        else if (a == "--pcap") o.pcap = val();
        else if (a == "--latency-plot") {
            o.latency_plot = val();
            const std::string ext = ".svg";
            if (o.latency_plot.size() <= ext.size() ||
                o.latency_plot.compare(o.latency_plot.size() - ext.size(), ext.size(), ext) != 0)
                usage_error("--latency-plot wants a file name ending in .svg, got '" +
                            o.latency_plot + "'");
        }
        else if (a == "--host-latency-us") o.host_latency_us = parse_uint(a, val());
        else if (a == "--rto-min-ms") {
            const uint64_t ms = parse_uint(a, val());
            if (ms < 1 || ms > 60000) usage_error("--rto-min-ms wants 1..60000");
            o.engine_timers.rto_min = uint32_t(ms * 1000);  // ticks of 1 us
        } else if (a == "--delayed-ack") o.engine_timers.delayed_ack = true;
        else if (a == "--sim-time") o.sim_time_s = parse_double(a, val(), 1e-6, 1e6);
        else if (a == "--duration") o.duration_s = parse_double(a, val(), 0.001, 1e7);
        else if (a == "--json") o.json = true;
        else if (a == "--no-idle-skip") o.no_idle_skip = true;
        else if (a == "--faults-one-way") o.faults_one_way = true;
        else if (a == "-h" || a == "--help") {
            std::fputs(kUsage, stdout);
            std::exit(0);
        } else usage_error("unknown option '" + a + "'");
    }
    if (o.port < 0)
        o.port = o.app == "echo" ? 7 : o.app == "discard" ? 9 : o.app == "bulk" ? 5001 : 80;
    if (o.mode == "tap") {
        if (o.ifname.empty()) usage_error("tap mode needs --ifname NAME (the TAP device to create)");
        if (!o.have_ip) usage_error("tap mode needs --ip A.B.C.D (ftoe's address)");
        if (!o.have_linux_ip) usage_error("tap mode needs --linux-ip A.B.C.D/N (the Linux side)");
        if (o.linux_ip == o.ip) usage_error("--ip and --linux-ip must differ");
        const uint32_t mask = ~0u << (32 - o.linux_prefix);
        if ((o.linux_ip & mask) != (o.ip & mask))
            usage_error("--ip " + ipv4_str(o.ip) + " is not in the Linux side's subnet " +
                        ipv4_str(o.linux_ip & mask) + "/" + std::to_string(o.linux_prefix));
        if (!o.latency_plot.empty())
            usage_error("--latency-plot is for pair mode: in tap mode the clients are Linux's");
    } else {
        if (o.fpga_app && o.app != "echo") usage_error("--fpga-app runs the on-FPGA echo: use --app echo");
        if (o.peer_ip == o.ip) usage_error("--ip and --peer-ip must differ");
        if (!o.latency_plot.empty() && o.app != "echo" && o.app != "http")
            usage_error("--latency-plot needs a client that measures latency: --app echo or http");
    }
    return o;
}

host::StackConfig stack_config(const Options& o, uint32_t ip, uint8_t mac_last, uint64_t seed) {
    host::StackConfig c;
    c.engine_timers = o.engine_timers;
    c.mac = {0x02, 0x00, 0x00, 0x00, 0x00, mac_last};
    c.ip = ip;
    c.sessions = 4096;
    // The engine's receive payload store holds 32 KB for all sessions: a window within
    // it keeps a fast sender from overrunning it.
    c.rcv_wnd = 16384;
    c.seed = seed;
    return c;
}

// ---- Applications -------------------------------------------------------------------

std::unique_ptr<App> make_server(const Options& o) {
    const uint16_t port = uint16_t(o.port);
    if (o.app == "echo") {
        EchoServerOptions e;
        e.port = port;
        return std::make_unique<EchoServer>(e);
    }
    if (o.app == "discard") {
        DiscardServerOptions d;
        d.port = port;
        return std::make_unique<DiscardServer>(d);
    }
    if (o.app == "bulk") {
        BulkServerOptions b;
        b.port = port;
        b.transfer.role = BulkRole::kSend;
        b.transfer.bytes = o.bytes;
        b.transfer.seed = o.seed;
        return std::make_unique<BulkServer>(b);
    }
    HttpServerOptions h;
    h.port = port;
    return std::make_unique<HttpServer>(h);
}

std::unique_ptr<App> make_client(const Options& o, uint32_t server_ip) {
    const uint16_t port = uint16_t(o.port);
    if (o.app == "echo") {
        EchoClientOptions e;
        e.remote_ip = server_ip;
        e.remote_port = port;
        e.bytes = o.bytes;
        e.message_bytes = o.message_bytes;
        e.seed = o.seed;
        return std::make_unique<EchoClient>(e);
    }
    if (o.app == "discard" || o.app == "bulk") {
        BulkClientOptions b;
        b.remote_ip = server_ip;
        b.remote_port = port;
        b.connections = o.connections;
        // discard: the client sends; bulk: the server sends and the client checks.
        b.transfer.role = o.app == "discard" ? BulkRole::kSend : BulkRole::kReceive;
        b.transfer.bytes = o.bytes;
        b.transfer.seed = o.seed;
        return std::make_unique<BulkClient>(b);
    }
    HttpClientOptions h;
    h.remote_ip = server_ip;
    h.remote_port = port;
    h.requests = o.requests;
    h.paths = {o.http_path};
    return std::make_unique<HttpClient>(h);
}

// The server side of --fpga-app: sessions are installed for the on-FPGA echo app (the
// board echoes on the engine's app streams); the host only accepts them and closes its
// side once the peer has closed (CLOSE_WAIT: the engine sends the FIN after what it holds).
class FpgaEchoServer final : public App {
public:
    explicit FpgaEchoServer(uint16_t port) : port_(port) {}
    const char* name() const override { return "fpga-echo-server"; }
    void poll(host::Stack& st, uint64_t) override {
        if (!listener_) {
            auto l = st.listen(port_, 0, host::Termination::kFpgaApp);
            if (!l.ok()) {
                stats_.count(AppError::kListenFailed);
                return;
            }
            listener_ = l.value();
        }
        while (auto a = st.accept(listener_)) {
            socks_.push_back({*a, false});
            stats_.connections_accepted++;
        }
        for (std::size_t i = 0; i < socks_.size();) {
            auto& c = socks_[i];
            if (!c.closing && st.state(c.sock) == host::TcpState::kCloseWait)
                c.closing = st.close(c.sock).ok();
            if (reap_if_closed(st, c.sock, stats_)) {
                socks_.erase(socks_.begin() + long(i));
                continue;
            }
            i++;
        }
    }
    const AppStats& stats() const override { return stats_; }
    std::size_t open_connections() const override { return socks_.size(); }

private:
    struct Sock {
        host::SocketId sock;
        bool closing;
    };
    uint16_t port_;
    host::SocketId listener_ = 0;
    std::vector<Sock> socks_;
    AppStats stats_;
};

// ---- One host: its Stack, its app, and the end of the run ----------------------------

// Drives an App on a HostNode, drains the socket events, and at the end reads the
// engine's counters once (READ_COUNTERS) for the summary.
class HostRole {
public:
    HostRole(std::string label, std::unique_ptr<App> app) : label_(std::move(label)), app_(std::move(app)) {}
    const std::string& label() const { return label_; }
    App& app() { return *app_; }
    const App& app() const { return *app_; }

    // One poll of the app; returns false once the counters were read after finish().
    bool step(host::Stack& st, uint64_t now_ns) {
        (void)st.take_events();
        app_->poll(st, now_ns);
        const uint64_t moved = app_->stats().bytes_in + app_->stats().bytes_out;
        if (moved != moved_) {
            if (moved_ == 0) data_first_ns_ = now_ns;
            data_last_ns_ = now_ns;
            moved_ = moved;
        }
        if (finishing_ && !requested_) {
            reads_before_ = st.counters().engine_counter_reads;
            requested_ = st.request_engine_counters().ok();
            if (!requested_) finished_ = true;
        }
        if (requested_ && st.counters().engine_counter_reads > reads_before_) finished_ = true;
        return true;
    }
    void finish() { finishing_ = true; }
    bool finished() const { return finished_; }
    // Simulated times the app first and last moved payload (0: never).
    uint64_t data_first_ns() const { return data_first_ns_; }
    uint64_t data_last_ns() const { return data_last_ns_; }

private:
    std::string label_;
    std::unique_ptr<App> app_;
    bool finishing_ = false, requested_ = false, finished_ = false;
    uint64_t reads_before_ = 0;
    uint64_t moved_ = 0, data_first_ns_ = 0, data_last_ns_ = 0;
};

// ---- Summary ---------------------------------------------------------------------------

struct BoardReport {
    std::string label;
    std::string ip;
    const Board* board;
    host::Stack* stack;
    const HostRole* role;
};

struct RunReport {
    std::string mode, app;
    bool ok = true;
    std::vector<std::string> problems;
    double sim_s = 0, wall_s = 0;
    std::vector<BoardReport> boards;
    std::vector<std::pair<std::string, const EthWire*>> wires;
    const TapBridge* bridge = nullptr;
};

std::string json_escape(const std::string& s) {
    std::string r;
    for (char c : s) {
        if (c == '"' || c == '\\') r += '\\';
        if (uint8_t(c) < 0x20) {
            r += ' ';
            continue;
        }
        r += c;
    }
    return r;
}

// The non-zero counts of `items` (named_count(item) gives {name, count}) as JSON members
// on `j`; returns them as "NAME n, ..." for the text summary.
template <typename Item, std::size_t N, typename NamedCount>
std::string put_counts(std::ostream& j, const Item (&items)[N], NamedCount named_count) {
    std::string text;
    for (const Item& item : items) {
        const auto [name, count] = named_count(item);
        if (count == 0) continue;
        j << (text.empty() ? "" : ",") << "\"" << name << "\":" << count;
        text += std::string(text.empty() ? "" : ", ") + name + " " + std::to_string(count);
    }
    return text;
}

void print_report(const RunReport& r, bool json) {
    uint64_t evaluated = 0, skipped = 0;
    for (const auto& b : r.boards) {
        evaluated += b.board->counters().evaluated_cycles;
        skipped += b.board->counters().skipped_cycles;
    }
    const double cycles_per_s = r.wall_s > 0 ? double(evaluated) / r.wall_s : 0;
    std::ostringstream j;
    j << "{\"mode\":\"" << r.mode << "\",\"app\":\"" << r.app << "\",\"ok\":" << (r.ok ? "true" : "false")
      << ",\"problems\":[";
    for (std::size_t i = 0; i < r.problems.size(); i++)
        j << (i ? "," : "") << "\"" << json_escape(r.problems[i]) << "\"";
    j << "],\"sim_s\":" << r.sim_s << ",\"wall_s\":" << r.wall_s
      << ",\"evaluated_cycles\":" << evaluated << ",\"skipped_cycles\":" << skipped
      << ",\"cycles_per_s\":" << uint64_t(cycles_per_s) << ",\"boards\":[";
    if (!json) {
        std::printf("ftoe-sim %s, app %s: %s\n", r.mode.c_str(), r.app.c_str(), r.ok ? "ok" : "FAILED");
        for (const auto& p : r.problems) std::printf("  problem: %s\n", p.c_str());
        std::printf("  time: %.6f s simulated in %.2f s wall; engine cycles evaluated %llu "
                    "(%.0f per second), skipped while idle %llu\n",
                    r.sim_s, r.wall_s, (unsigned long long)evaluated, cycles_per_s,
                    (unsigned long long)skipped);
    }
    for (std::size_t bi = 0; bi < r.boards.size(); bi++) {
        const auto& b = r.boards[bi];
        const AppStats& s = b.role->app().stats();
        const auto& ec = b.stack->engine_counters();
        const auto& sc = b.stack->counters();
        const LatencySummary lat = s.latency();
        j << (bi ? "," : "") << "{\"board\":\"" << b.label << "\",\"ip\":\"" << b.ip << "\",\"app\":\""
          << b.role->app().name() << "\",\"connections_opened\":" << s.connections_opened
          << ",\"connections_accepted\":" << s.connections_accepted
          << ",\"connections_closed\":" << s.connections_closed
          << ",\"connections_failed\":" << s.connections_failed
          << ",\"open_connections\":" << b.role->app().open_connections()
          << ",\"bytes_in\":" << s.bytes_in << ",\"bytes_out\":" << s.bytes_out
          << ",\"sha256_sent\":\"" << s.sha256_sent << "\",\"sha256_received\":\"" << s.sha256_received
          << "\",\"requests\":" << s.requests << ",\"responses\":" << s.responses
          << ",\"app_errors\":" << s.error_count()
          << ",\"latency_ns\":{\"count\":" << lat.count << ",\"p50\":" << lat.p50_ns << ",\"p90\":"
          << lat.p90_ns << ",\"p99\":" << lat.p99_ns << ",\"max\":" << lat.max_ns << "}"
          << ",\"data_first_ns\":" << b.role->data_first_ns() << ",\"data_last_ns\":" << b.role->data_last_ns()
          << ",\"time_wait_entries\":" << b.stack->time_wait().size()
          << ",\"free_sessions\":" << b.stack->free_sessions()
          << ",\"evaluated_cycles\":" << b.board->counters().evaluated_cycles
          << ",\"skipped_cycles\":" << b.board->counters().skipped_cycles
          << ",\"frames_sent\":" << b.board->counters().frames_sent
          << ",\"frames_received\":" << b.board->counters().frames_received
          << ",\"host_frames_in\":" << sc.frames_in << ",\"host_frames_sent\":" << sc.frames_sent
          << ",\"held_while_installing\":" << sc.held_while_installing
          << ",\"install_hold_overflow\":" << sc.install_hold_overflow
          << ",\"injected_after_installed\":" << sc.injected_after_installed
          << ",\"dropped_while_installing\":" << sc.dropped_while_installing;
        if (!json) {
            std::printf("  board %s (%s), %s: connections opened %llu, accepted %llu, closed %llu "
                        "(%llu with an error), %zu open; bytes in %llu, out %llu\n",
                        b.label.c_str(), b.ip.c_str(), b.role->app().name(),
                        (unsigned long long)s.connections_opened,
                        (unsigned long long)s.connections_accepted,
                        (unsigned long long)s.connections_closed,
                        (unsigned long long)s.connections_failed, b.role->app().open_connections(),
                        (unsigned long long)s.bytes_in, (unsigned long long)s.bytes_out);
            if (!s.sha256_sent.empty()) std::printf("    sha256 sent     %s\n", s.sha256_sent.c_str());
            if (!s.sha256_received.empty())
                std::printf("    sha256 received %s\n", s.sha256_received.c_str());
            if (s.requests || s.responses)
                std::printf("    http requests %llu, responses %llu\n", (unsigned long long)s.requests,
                            (unsigned long long)s.responses);
            if (lat.count)
                std::printf("    round trip (ns): p50 %llu  p90 %llu  p99 %llu  max %llu  (%zu samples)\n",
                            (unsigned long long)lat.p50_ns, (unsigned long long)lat.p90_ns,
                            (unsigned long long)lat.p99_ns, (unsigned long long)lat.max_ns, lat.count);
            if (s.error_count()) std::printf("    app errors: %s\n", s.describe().c_str());
            std::printf("    TIME_WAIT entries %zu, engine sessions free %zu\n",
                        b.stack->time_wait().size(), b.stack->free_sessions());
            std::printf("    segments while INSTALL was in flight: %llu held, %llu over the hold "
                        "limit, %llu up after INSTALLED; %llu injected, %llu dropped\n",
                        (unsigned long long)sc.held_while_installing,
                        (unsigned long long)sc.install_hold_overflow,
                        (unsigned long long)sc.injected_after_installed,
                        (unsigned long long)sc.rx_injected,
                        (unsigned long long)sc.dropped_while_installing);
        }
        if (ec) {
            j << ",\"engine\":{\"table_occupancy\":" << ec->table_occupancy
              << ",\"data_segments_sent\":" << ec->data_segments_sent
              << ",\"retransmissions\":" << ec->retransmissions << ",\"rto_expiries\":" << ec->rto_expiries
              << ",\"acks_sent\":" << ec->acks_sent << ",\"rx_frames\":" << ec->rx_total()
              << ",\"drops\":{";
            const std::string drops = put_counts(j, driver::kAllRxReasons, [&](driver::RxReason why) {
                return std::make_pair(driver::rx_reason_name(why), driver::is_drop(why) ? ec->rx_at(why) : 0);
            });
            j << "},\"segments\":{";
            const std::string segs = put_counts(j, driver::kAllSegOutcomes, [&](driver::SegOutcome o) {
                return std::make_pair(driver::seg_outcome_name(o), ec->seg_at(o));
            });
            j << "}}";
            if (!json)
                std::printf("    engine segment outcomes: %s\n", segs.empty() ? "none" : segs.c_str());
            if (!json)
                std::printf("    engine: %llu frames received, %llu data segments sent, %llu "
                            "retransmissions (%llu RTO), %llu ACKs, table occupancy %u; drops: %s\n",
                            (unsigned long long)ec->rx_total(), (unsigned long long)ec->data_segments_sent,
                            (unsigned long long)ec->retransmissions, (unsigned long long)ec->rto_expiries,
                            (unsigned long long)ec->acks_sent, ec->table_occupancy,
                            drops.empty() ? "none" : drops.c_str());
        }
        j << "}";
    }
    j << "],\"wires\":[";
    for (std::size_t i = 0; i < r.wires.size(); i++) {
        const auto& c = r.wires[i].second->counters();
        j << (i ? "," : "") << "{\"wire\":\"" << r.wires[i].first << "\",\"frames\":" << c.frames
          << ",\"bytes\":" << c.bytes << ",\"delivered\":" << c.delivered << ",\"lost\":" << c.lost
          << ",\"duplicated\":" << c.duplicated << ",\"reordered\":" << c.reordered
          << ",\"corrupted\":" << c.corrupted << "}";
        if (!json)
            std::printf("  wire %s: %llu frames (%llu bytes), lost %llu, duplicated %llu, reordered "
                        "%llu, corrupted %llu\n",
                        r.wires[i].first.c_str(), (unsigned long long)c.frames,
                        (unsigned long long)c.bytes, (unsigned long long)c.lost,
                        (unsigned long long)c.duplicated, (unsigned long long)c.reordered,
                        (unsigned long long)c.corrupted);
    }
    j << "]";
    if (r.bridge) {
        const auto& c = r.bridge->counters();
        j << ",\"tap\":{\"frames_from_linux\":" << c.frames_from_linux << ",\"frames_to_linux\":"
          << c.frames_to_linux << ",\"write_errors\":" << c.write_errors << ",\"max_lag_ns\":" << c.max_lag_ns
          << "}";
        if (!json)
            std::printf("  tap: %llu frames from Linux, %llu to Linux, %llu write errors; "
                        "simulated time lagged the wall clock by %.3f ms at most\n",
                        (unsigned long long)c.frames_from_linux, (unsigned long long)c.frames_to_linux,
                        (unsigned long long)c.write_errors, double(c.max_lag_ns) * 1e-6);
    }
    j << "}";
    if (json) std::printf("%s\n", j.str().c_str());
    std::fflush(stdout);
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

std::string pcap_path(const Options& o, const char* suffix) {
    if (o.pcap.empty()) return {};
    return o.mode == "tap" ? o.pcap : o.pcap + "-" + suffix + ".pcap";
}

BoardConfig board_config(const Options& o, uint64_t seed, const std::string& pcap) {
    BoardConfig c;
    c.seed = seed;
    c.pcap_path = pcap;
    c.host_fifo.latency_ps = o.host_latency_us * 1'000'000;
    if (o.no_idle_skip) c.sleep_after_quiet_cycles = std::numeric_limits<int>::max();
    return c;
}

// ---- latency plot ----------------------------------------------------------------------

// The pair client's latency samples as a CDF (PATH.svg) and as numbers (PATH.csv, one
// sample per line in the order they were taken). An error message, or empty.
std::string write_latency_plot(const Options& o, const AppStats& client) {
    const std::vector<uint64_t>& ns = client.latency_ns;
    const bool echo = o.app == "echo";
    const std::string what = echo ? "round trip per message" : "response time per request";
    report::Chart c;
    c.title = "ftoe-sim pair, " + o.app + (o.fpga_app ? " (on-FPGA)" : "") + ": " + what;
    std::ostringstream sub;
    sub << ns.size() << (echo ? " messages of " + std::to_string(o.message_bytes) + " B"
                              : " requests of " + o.http_path)
        << ", simulated time, seed " << o.seed;
    if (o.faults.loss > 0 || o.faults.reorder > 0 || o.faults.duplicate > 0 || o.faults.corrupt > 0)
        sub << ", faults loss " << o.faults.loss << " reorder " << o.faults.reorder
            << " dup " << o.faults.duplicate << " corrupt " << o.faults.corrupt;
    c.subtitle = sub.str();
    c.x_label = "latency (us, simulated)";
    c.y_label = "fraction of samples <= latency";
    c.steps = true;
    // Retransmission timeouts put a tail 1000 times the median: then a log axis.
    const auto [lo, hi] = std::minmax_element(ns.begin(), ns.end());
    c.log_x = *lo > 0 && *hi / *lo > 20;
    if (c.log_x) c.x_label = "latency (us, simulated; log scale)";
    c.series.push_back(report::cdf("board b (" + ipv4_str(o.peer_ip) + ") " + o.app + " client",
                                   ns, 1e-3));
    std::string error;
    if (!report::write_text_file(o.latency_plot, report::render_svg(c), error)) return error;
    std::ostringstream csv;
    csv << "sample,latency_ns\n";
    for (std::size_t i = 0; i < ns.size(); i++) csv << i << ',' << ns[i] << '\n';
    const std::string csv_path = o.latency_plot.substr(0, o.latency_plot.size() - 4) + ".csv";
    if (!report::write_text_file(csv_path, csv.str(), error)) return error;
    return {};
}

// ---- pair ------------------------------------------------------------------------------

int run_pair(const Options& o) {
    EthWireConfig wa, wb;
    wb.faults = o.faults;
    if (!o.faults_one_way) wa.faults = o.faults;
    wa.seed = o.seed * 2 + 1;
    wb.seed = o.seed * 2 + 2;
    EthWire a_to_b(wa), b_to_a(wb);
    Board a("board_a", board_config(o, o.seed * 4 + 1, pcap_path(o, "a")));
    Board b("board_b", board_config(o, o.seed * 4 + 2, pcap_path(o, "b")));
    for (const Board* bd : {&a, &b})
        if (auto e = bd->pcap_error()) {
            std::fprintf(stderr, "ftoe-sim: cannot write the capture: %s\n", e->c_str());
            return 1;
        }
    a.attach_port(&a_to_b, [&b](uint64_t t) { b.wake_at(t); }, &b_to_a);
    b.attach_port(&b_to_a, [&a](uint64_t t) { a.wake_at(t); }, &a_to_b);
    HostNode ha("host_a", a, stack_config(o, o.ip, 1, o.seed * 8 + 1));
    HostNode hb("host_b", b, stack_config(o, o.peer_ip, 2, o.seed * 8 + 2));

    HostRole server("a", o.fpga_app ? std::make_unique<FpgaEchoServer>(uint16_t(o.port)) : make_server(o));
    HostRole client("b", make_client(o, o.ip));
    const uint64_t limit_ns = uint64_t(o.sim_time_s * 1e9);
    bool timed_out = false;
    const auto maybe_stop = [&] {
        if (server.finished() && client.finished()) sc_core::sc_stop();
    };
    ha.set_app([&](host::Stack& st, uint64_t now) {
        server.step(st, now);
        maybe_stop();
        return !server.finished();
    });
    hb.set_app([&](host::Stack& st, uint64_t now) {
        client.step(st, now);
        if (g_stop.load() || now >= limit_ns) {
            timed_out = !g_stop.load();
            sc_core::sc_stop();
            return false;
        }
        // The run ends once the client is done and the server holds no connection.
        if (client.app().done() && server.app().open_connections() == 0) {
            server.finish();
            client.finish();
        }
        maybe_stop();
        return !client.finished();
    });

    const auto w0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    RunReport r;
    r.mode = "pair";
    r.app = o.fpga_app ? o.app + " (on-FPGA)" : o.app;
    r.wall_s = seconds_since(w0);
    r.sim_s = sc_core::sc_time_stamp().to_seconds();
    r.boards = {{"a", ipv4_str(o.ip), &a, &ha.stack(), &server},
                {"b", ipv4_str(o.peer_ip), &b, &hb.stack(), &client}};
    r.wires = {{"a->b", &a_to_b}, {"b->a", &b_to_a}};
    const auto problem = [&](std::string p) {
        r.ok = false;
        r.problems.push_back(std::move(p));
    };
    if (timed_out)
        problem("did not finish within " + std::to_string(o.sim_time_s) + " s of simulated time");
    if (g_stop.load()) problem("interrupted");
    for (const HostNode* h : {&ha, &hb})
        if (!h->error().empty()) problem("host link: " + h->error());
    for (const HostRole* role : {&server, &client}) {
        const AppStats& s = role->app().stats();
        if (s.error_count()) problem("board " + role->label() + " app errors: " + s.describe());
    }
    const AppStats& ss = server.app().stats();
    const AppStats& cs = client.app().stats();
    if (o.app == "bulk" && ss.sha256_sent != cs.sha256_received) problem("bulk: SHA-256 differs");
    if (o.app == "discard" && cs.bytes_out != o.bytes * o.connections) problem("discard: short transfer");
    for (const Board* bd : {&a, &b})
        if (auto e = bd->pcap_error()) problem("capture: " + *e);
    if (!o.latency_plot.empty()) {
        if (cs.latency_ns.empty()) problem("latency plot: the client took no latency sample");
        else if (auto e = write_latency_plot(o, cs); !e.empty()) problem("latency plot: " + e);
    }
    print_report(r, o.json);
    if (!o.json && !o.latency_plot.empty() && !cs.latency_ns.empty())
        std::printf("latency plot: %s (samples: %s.csv)\n", o.latency_plot.c_str(),
                    o.latency_plot.substr(0, o.latency_plot.size() - 4).c_str());
    return r.ok ? 0 : 1;
}

// ---- tap -------------------------------------------------------------------------------

int run_tap(const Options& o) {
    auto tap = TapDevice::open(o.ifname);
    if (!tap.ok()) {
        std::fprintf(stderr, "ftoe-sim: %s\n", tap.error().message.c_str());
        return 1;
    }
    TapDevice& dev = tap.value();
    if (auto st = dev.set_ipv4(o.linux_ip, o.linux_prefix); !st.ok()) {
        std::fprintf(stderr, "ftoe-sim: %s\n", st.error().message.c_str());
        return 1;
    }
    if (auto st = dev.set_up(); !st.ok()) {
        std::fprintf(stderr, "ftoe-sim: %s\n", st.error().message.c_str());
        return 1;
    }
    EthWireConfig wi, wo;
    wi.faults = o.faults;
    if (!o.faults_one_way) wo.faults = o.faults;
    wi.seed = o.seed * 2 + 1;
    wo.seed = o.seed * 2 + 2;
    EthWire to_board(wi), from_board(wo);
    Board board("board", board_config(o, o.seed * 4 + 1, pcap_path(o, "")));
    if (auto e = board.pcap_error()) {
        std::fprintf(stderr, "ftoe-sim: cannot write the capture: %s\n", e->c_str());
        return 1;
    }
    board.attach_port(&from_board, {}, &to_board);
    // A host stack whose poll waits are long enough not to dominate idle time.
    HostNode host("host", board, stack_config(o, o.ip, 1, o.seed * 8 + 1), std::chrono::microseconds(200));
    const auto duration = std::chrono::nanoseconds(uint64_t(o.duration_s * 1e9));
    TapBridge bridge("tap", dev, board, to_board, from_board, duration, g_stop);

    std::unique_ptr<App> app;
    if (o.connect_to) {
        Options c = o;
        c.port = o.connect_to->second;
        // Linux's server only receives: ftoe's bulk client sends, as discard's does.
        if (c.app == "bulk") c.app = "discard";
        app = make_client(c, o.connect_to->first);
    } else {
        app = make_server(o);
    }
    HostRole role("ftoe", std::move(app));
    bool announced = false;
    host.set_app([&](host::Stack& st, uint64_t now) {
        role.step(st, now);
        if (!announced) {
            announced = true;
            if (o.connect_to)
                std::printf("ftoe-sim: ready: %s on %s (%s) connecting to %s:%u with app %s\n",
                            ipv4_str(o.ip).c_str(), o.ifname.c_str(), ipv4_str(o.linux_ip).c_str(),
                            ipv4_str(o.connect_to->first).c_str(), unsigned(o.connect_to->second),
                            o.app.c_str());
            else
                std::printf("ftoe-sim: ready: %s listening on port %d (app %s) via %s, Linux side %s/%d\n",
                            ipv4_str(o.ip).c_str(), o.port, o.app.c_str(), o.ifname.c_str(),
                            ipv4_str(o.linux_ip).c_str(), o.linux_prefix);
            std::fflush(stdout);
        }
        // A client run ends once its transfer is done: read the counters, then stop.
        if ((o.connect_to && role.app().done()) || bridge.stopping()) role.finish();
        if (role.finished()) {
            sc_core::sc_stop();
            return false;
        }
        return true;
    });
    const auto w0 = std::chrono::steady_clock::now();
    sc_core::sc_start();
    RunReport r;
    r.mode = "tap";
    r.app = o.connect_to ? o.app + " (client)" : o.app;
    r.wall_s = seconds_since(w0);
    r.sim_s = sc_core::sc_time_stamp().to_seconds();
    r.boards = {{"ftoe", ipv4_str(o.ip), &board, &host.stack(), &role}};
    r.wires = {{"linux->ftoe", &to_board}, {"ftoe->linux", &from_board}};
    r.bridge = &bridge;
    if (!host.error().empty()) {
        r.ok = false;
        r.problems.push_back("host link: " + host.error());
    }
    if (!bridge.error().empty()) {
        r.ok = false;
        r.problems.push_back("tap: " + bridge.error());
    }
    if (role.app().stats().error_count()) {
        r.ok = false;
        r.problems.push_back("app errors: " + role.app().stats().describe());
    }
    if (o.connect_to && !role.app().done()) {
        r.ok = false;
        r.problems.push_back("the transfer did not finish within --duration");
    }
    if (auto e = board.pcap_error()) {
        r.ok = false;
        r.problems.push_back("capture: " + *e);
    }
    print_report(r, o.json);
    return r.ok ? 0 : 1;
}

}  // namespace
}  // namespace ftoe::sim

int sc_main(int argc, char** argv) {
    using namespace ftoe::sim;
    const Options o = parse(argc, argv);
    std::signal(SIGINT, on_signal);
    std::signal(SIGTERM, on_signal);
    // Times are kept in picoseconds (sc_time_stamp().value()): SystemC's default.
    if (sc_core::sc_get_time_resolution() != sc_core::sc_time(1, sc_core::SC_PS)) {
        std::fprintf(stderr, "ftoe-sim: SystemC time resolution is not 1 ps\n");
        return 1;
    }
    sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
    return o.mode == "pair" ? run_pair(o) : run_tap(o);
}
