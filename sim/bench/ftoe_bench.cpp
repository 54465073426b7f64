// ftoe-bench: benchmarks of ftoe, one subcommand per part of the system.
#include <cstdio>
#include <cstring>
#include <exception>
#include <string>
#include <vector>

#include "bench_util.hpp"

namespace ftoe::bench {
int run_checksum(const std::vector<std::string>& args);
int run_engine(const std::vector<std::string>& args);
int run_host(const std::vector<std::string>& args);
int run_system(const std::vector<std::string>& args);
}

namespace {

struct Subcommand {
    const char* name;
    const char* what;
    int (*run)(const std::vector<std::string>&);
};

constexpr Subcommand kSubcommands[] = {
    {"checksum", "checksum unit under Verilator and Icarus: speed, throughput",
     ftoe::bench::run_checksum},
    {"engine", "the engine top: receive throughput, latencies, table occupancy",
     ftoe::bench::run_engine},
    {"host", "the control plane on one core: TIME_WAIT table size and rates",
     ftoe::bench::run_host},
    {"system", "the system model: echo round trip, bulk goodput, model speed",
     ftoe::bench::run_system},
};

void usage(FILE* to) {
    std::fprintf(to, "usage: ftoe-bench <subcommand> [options]   (ftoe-bench <subcommand> --help)\n\n");
    for (const auto& s : kSubcommands) std::fprintf(to, "  %-10s %s\n", s.name, s.what);
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2 || !std::strcmp(argv[1], "--help") || !std::strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    const std::vector<std::string> args(argv + 2, argv + argc);
    for (const auto& s : kSubcommands) {
        if (std::strcmp(argv[1], s.name) != 0) continue;
        try {
            return s.run(args);
        } catch (const ftoe::bench::UsageError& e) {
            std::fprintf(stderr, "ftoe-bench %s: %s\n", s.name, e.what());
            return 2;
        } catch (const std::exception& e) {
            std::fprintf(stderr, "ftoe-bench %s: FAILED: %s\n", s.name, e.what());
            return 1;
        }
    }
    std::fprintf(stderr, "ftoe-bench: unknown subcommand '%s'\n\n", argv[1]);
    usage(stderr);
    return 2;
}
