// ftoe-bench system: the whole system model (sim/system/), run as ftoe-sim processes
// (SystemC elaborates once per process) and read back from their --json summaries:
//   - echo round trip in simulated ns through two boards: board B's host sends
//     --message-bytes messages one at a time to the on-FPGA echo app of board A
//     (host -> USB -> engine B -> 10G wire -> engine A -> echo -> back); median and p99;
//   - bulk goodput in simulated Gb/s: board A's host sends --bulk-bytes to board B's
//     host (host-terminated at both ends, bounded by the 60 MB/s FT2232H host links),
//     payload bytes over the time from the first to the last byte the receiver took;
//   - model speed: engine cycles evaluated per wall-clock second during the bulk run (two
//     engines, both busy), and simulated cycles per second (idle time skipped included).
// With --plot DIR the echo run's round trips are drawn as a CDF (ftoe-sim --latency-plot:
// DIR/system_echo_rtt.svg, one sample per line in DIR/system_echo_rtt.csv).
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_util.hpp"

namespace ftoe::bench {
namespace {

// The number after "key": in the JSON object that starts at `anchor` (a unique string
// such as "\"board\":\"b\""), or in the whole text when `anchor` is empty.
double json_number(const std::string& json, const std::string& anchor, const std::string& key) {
    std::size_t at = 0;
    if (!anchor.empty()) {
        at = json.find(anchor);
        if (at == std::string::npos) throw std::runtime_error("ftoe-sim summary has no " + anchor);
    }
    const std::string k = "\"" + key + "\":";
    const std::size_t p = json.find(k, at);
    if (p == std::string::npos) throw std::runtime_error("ftoe-sim summary has no " + key);
    return std::strtod(json.c_str() + p + k.size(), nullptr);
}

std::string run_sim(const std::string& sim, std::vector<std::string> args) {
    args.insert(args.begin(), sim);
    args.push_back("--json");
    const ProcessResult r = run_process(args);
    if (r.exit_code != 0) {
        std::string cmd;
        for (const auto& a : args) cmd += a + " ";
        throw std::runtime_error("'" + cmd + "' failed (exit " + std::to_string(r.exit_code) +
                                 "):\n" + r.output);
    }
    const std::size_t brace = r.output.rfind("\n{");
    return r.output.substr(brace == std::string::npos ? 0 : brace + 1);
}

}  // namespace

int run_system(const std::vector<std::string>& args) {
    const Options o(args, {"json", "help"},
                    {"sim", "messages", "message-bytes", "bulk-bytes", "plot"});
    if (o.flag("help")) {
        std::printf("usage: ftoe-bench system [--messages N] [--message-bytes N] [--bulk-bytes N] "
                    "[--sim PATH] [--plot DIR] [--json]\n"
                    "  --plot DIR: the echo round trips as a CDF in DIR/system_echo_rtt.svg\n"
                    "  and .csv (DIR must exist).\n");
        return 0;
    }
    const std::string sim = o.get("sim", FTOE_SIM_PATH);
    const uint64_t messages = o.get_uint("messages", 200, 10, 1'000'000);
    const uint64_t msg_bytes = o.get_uint("message-bytes", 64, 1, 65536);
    const uint64_t bulk = o.get_uint("bulk-bytes", 2'000'000, 100'000, 1'000'000'000);
    const std::string plot_dir = o.get_directory("plot");
    const std::string plot = plot_dir.empty() ? "" : plot_dir + "/system_echo_rtt.svg";

    std::vector<std::string> echo_args = {"pair", "--app", "echo", "--fpga-app", "--bytes",
                                          std::to_string(messages * msg_bytes), "--message-bytes",
                                          std::to_string(msg_bytes)};
    if (!plot.empty()) echo_args.insert(echo_args.end(), {"--latency-plot", plot});
    const std::string echo = run_sim(sim, echo_args);
    const double rtt_p50 = json_number(echo, "\"board\":\"b\"", "p50");
    const double rtt_p99 = json_number(echo, "\"board\":\"b\"", "p99");

    const std::string bulk_run =
        run_sim(sim, {"pair", "--app", "bulk", "--bytes", std::to_string(bulk)});
    const double got = json_number(bulk_run, "\"board\":\"b\"", "bytes_in");
    const double first = json_number(bulk_run, "\"board\":\"b\"", "data_first_ns");
    const double last = json_number(bulk_run, "\"board\":\"b\"", "data_last_ns");
    const double goodput = last > first ? got * 8 / (last - first) : 0;  // bits per ns = Gb/s
    const double cycles_per_s = json_number(bulk_run, "", "cycles_per_s");
    const double wall_s = json_number(bulk_run, "", "wall_s");
    const double evaluated = json_number(bulk_run, "", "evaluated_cycles");
    const double skipped = json_number(bulk_run, "", "skipped_cycles");
    const double sim_s = json_number(bulk_run, "", "sim_s");
    const double sim_cycles_per_s = wall_s > 0 ? sim_s * 156.25e6 / wall_s : 0;

    if (o.flag("json")) {
        Json j;
        j.num("cycles_per_s", cycles_per_s)
            .num("simulated_cycles_per_s", sim_cycles_per_s)
            .num("echo_rtt_ns", rtt_p50)
            .num("echo_rtt_p99_ns", rtt_p99)
            .num("echo_messages", messages)
            .num("echo_message_bytes", msg_bytes)
            .num("goodput_gbps", goodput)
            .num("bulk_bytes", bulk)
            .num("bulk_evaluated_cycles", evaluated)
            .num("bulk_skipped_cycles", skipped)
            .num("bulk_wall_s", wall_s);
        if (!plot.empty()) j.str("latency_plot", plot);
        std::printf("%s\n", j.dump().c_str());
        return 0;
    }
    std::printf("ftoe-bench system: the SystemC system model (two boards back to back), via %s\n",
                sim.c_str());
    std::printf("  echo round trip, %llu B messages to the on-FPGA echo through two boards:\n"
                "    p50 %.0f ns, p99 %.0f ns (%llu messages; USB microframes dominate)\n",
                (unsigned long long)msg_bytes, rtt_p50, rtt_p99, (unsigned long long)messages);
    std::printf("  bulk goodput host to host: %.3f Gb/s simulated (%.0f bytes; FT2232H host links, "
                "60 MB/s)\n", goodput, got);
    std::printf("  model speed during the bulk run (%.1f s wall, one core):\n"
                "    %s engine cycles evaluated per second (both engines together)\n"
                "    %s cycles of simulated time per second (each engine's clock; idle time\n"
                "    skipped counts)\n",
                wall_s, si(cycles_per_s).c_str(), si(sim_cycles_per_s).c_str());
    std::printf("  aim: >= 1 M engine cycles evaluated per second: %s\n",
                cycles_per_s >= 1e6 ? "met" : "NOT met");
    if (!plot.empty())
        std::printf("  latency plot: %s (samples: system_echo_rtt.csv)\n", plot.c_str());
    return 0;
}

}  // namespace ftoe::bench
