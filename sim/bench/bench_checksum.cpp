// ftoe-bench checksum: the checksum unit (rtl/csum/csum_stream.sv) on realistic TCP
// frames, simulated by Verilator and by Icarus Verilog on the same beats in one run.
// Every frame's TCP checksum must verify under both simulators and match the hls/
// kernel; then the simulators' speeds and the unit's simulated throughput are reported.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "csum_stream_sim.hpp"
#include "csum_top.hpp"
#include "frame.hpp"

namespace ftoe::bench {
namespace {

constexpr const char* kUsage =
    "usage: ftoe-bench checksum [--frames N] [--seed S] [--width 64|512|both]\n"
    "                           [--min-seconds T] [--json]\n"
    "  Runs rtl/csum/csum_stream.sv on N realistic TCP frames (default 2000) under\n"
    "  Verilator and Icarus Verilog, verifies every TCP checksum against the hls/ kernel,\n"
    "  and reports simulated cycles per second for each simulator, their ratio, frames/s\n"
    "  and the unit's simulated throughput. Verilator repeats the frames for at least T\n"
    "  seconds (default 1) for a stable rate.\n";

struct Frame {
    sim::Bytes bytes;
    uint16_t start, end;  // the TCP segment
    uint16_t pseudo;      // its pseudo-header sum
};

struct WidthResult {
    int width = 0;
    double clock_hz = 0;
    uint64_t frames = 0, bytes = 0, cycles = 0;  // one pass over the frames
    double verilator_cycles_per_s = 0, verilator_frames_per_s = 0, verilator_seconds = 0;
    uint64_t verilator_passes = 0;
    double icarus_cycles_per_s = 0, icarus_frames_per_s = 0, icarus_seconds = 0;
    double icarus_startup_seconds = 0;
    uint64_t icarus_cycles = 0;
    double bytes_per_cycle() const { return double(bytes) / double(cycles); }
    double gbps() const { return bytes_per_cycle() * 8 * clock_hz / 1e9; }
};

uint16_t get16(const sim::Bytes& f, std::size_t at) { return uint16_t(f[at] << 8 | f[at + 1]); }

std::vector<Frame> make_frames(uint64_t count, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::vector<Frame> frames;
    for (uint64_t i = 0; i < count; i++) {
        Frame fr;
        fr.bytes = sim::random_tcp_frame(rng);
        const std::size_t l3 = sim::l3_offset(fr.bytes);
        const std::size_t ihl = (fr.bytes[l3] & 0x0f) * 4u;
        const uint16_t total = get16(fr.bytes, l3 + 2);
        fr.start = uint16_t(l3 + ihl);
        fr.end = uint16_t(l3 + total);
        const uint32_t src = uint32_t(get16(fr.bytes, l3 + 12)) << 16 | get16(fr.bytes, l3 + 14);
        const uint32_t dst = uint32_t(get16(fr.bytes, l3 + 16)) << 16 | get16(fr.bytes, l3 + 18);
        fr.pseudo = kernel::ipv4_pseudo_header_sum(src, dst, sim::kIpProtoTcp,
                                                   uint16_t(total - ihl));
        frames.push_back(std::move(fr));
    }
    return frames;
}

uint16_t kernel_sum(const std::vector<kernel::AxisBeat<64>>& b, uint16_t s, uint16_t e) {
    hls::stream<kernel::AxisBeat<64>> in;
    for (const auto& x : b) in.write(x);
    return ftoe_csum_frame_64(in, s, e);
}
uint16_t kernel_sum(const std::vector<kernel::AxisBeat<512>>& b, uint16_t s, uint16_t e) {
    hls::stream<kernel::AxisBeat<512>> in;
    for (const auto& x : b) in.write(x);
    return ftoe_csum_frame_512(in, s, e);
}

// A sum is right when it matches the kernel and, with the pseudo-header, verifies.
void check_sum(const char* who, int width, std::size_t i, const Frame& f, uint16_t want,
               uint16_t got) {
    if (got != want || kernel::csum_add(got, f.pseudo) != 0xffff) {
        char msg[160];
        std::snprintf(msg, sizeof msg,
                      "%s, %d-bit: frame #%zu TCP sum 0x%04x, hls kernel 0x%04x (verifies: %s)",
                      who, width, i, got, want,
                      kernel::csum_add(got, f.pseudo) == 0xffff ? "yes" : "no");
        throw std::runtime_error(msg);
    }
}

template <int W>
std::string stimulus_line(const kernel::AxisBeat<W>& b, uint16_t start, uint16_t end) {
    // {end, start, 3'b0 + tlast, tkeep, tdata}, most significant digit first.
    std::string s;
    char buf[24];
    std::snprintf(buf, sizeof buf, "%04x%04x%x", end, start, b.last ? 1 : 0);
    s += buf;
    for (int nib = W / 8 / 4 - 1; nib >= 0; nib--) s += "0123456789abcdef"[(b.keep >> (4 * nib)) & 15];
    for (int lane = W / 8 - 1; lane >= 0; lane--) {
        std::snprintf(buf, sizeof buf, "%02x", b.byte(lane));
        s += buf;
    }
    return s;
}

template <int W>
WidthResult bench_width(const std::vector<Frame>& frames, double min_seconds) {
    using Beat = kernel::AxisBeat<W>;
    WidthResult r;
    r.width = W;
    r.clock_hz = W == 64 ? 156.25e6 : 322e6;
    r.frames = frames.size();

    struct Input {
        Beat beat;
        uint16_t start, end;
    };
    std::vector<Input> inputs;
    std::vector<uint16_t> want;
    for (const auto& f : frames) {
        const auto beats = sim::to_beats<W>(f.bytes);
        want.push_back(kernel_sum(beats, f.start, f.end));
        check_sum("hls kernel", W, want.size() - 1, f, want.back(), want.back());
        for (const auto& b : beats) inputs.push_back({b, f.start, f.end});
        r.bytes += f.bytes.size();
    }

    // Verilator: back-to-back beats, then drain; repeat for a stable rate.
    sim::CsumStreamSim<W> model;
    model.reset();
    const auto t0 = std::chrono::steady_clock::now();
    do {
        std::size_t got = 0;
        const uint64_t c0 = model.cycles();
        auto take = [&](const typename sim::CsumStreamSim<W>::Outputs& out) {
            if (!out.sum_valid) return;
            if (got >= frames.size()) throw std::runtime_error("Verilator: more sums than frames");
            if (r.verilator_passes == 0) check_sum("Verilator", W, got, frames[got], want[got], out.sum);
            ++got;
        };
        for (const auto& in : inputs) take(model.cycle(&in.beat, in.start, in.end));
        for (int i = 0; i < 16 && got < frames.size(); i++) take(model.cycle(nullptr, 0, 0));
        if (got != frames.size())
            throw std::runtime_error("Verilator, " + std::to_string(W) + "-bit: " +
                                     std::to_string(got) + " sums for " +
                                     std::to_string(frames.size()) + " frames");
        r.cycles = model.cycles() - c0;
        ++r.verilator_passes;
    } while (seconds_since(t0) < min_seconds);
    r.verilator_seconds = seconds_since(t0);
    r.verilator_cycles_per_s = double(r.cycles * r.verilator_passes) / r.verilator_seconds;
    r.verilator_frames_per_s = double(r.frames * r.verilator_passes) / r.verilator_seconds;

    // Icarus: the same beats from a file, run once plus a zero-beat baseline that pays the
    // same start-up and $readmemh cost, which is subtracted.
    char dir_template[] = "/tmp/ftoe-bench-XXXXXX";
    if (!mkdtemp(dir_template)) throw std::runtime_error("cannot create a temporary directory");
    const std::filesystem::path dir = dir_template;
    const auto stim = (dir / "stim.hex").string(), out = (dir / "sums.hex").string();
    {
        std::ofstream f(stim);
        for (const auto& in : inputs) f << stimulus_line<W>(in.beat, in.start, in.end) << '\n';
    }
    const std::string vvp = FTOE_VVP;
    const std::string tb = file_beside_executable("csum_bench_tb_" + std::to_string(W) + ".vvp");
    auto icarus = [&](std::size_t beats) {
        const auto res = run_process({vvp, "-n", tb, "+stim=" + stim,
                                      "+stim_beats=" + std::to_string(inputs.size()),
                                      "+beats=" + std::to_string(beats), "+out=" + out});
        if (res.exit_code != 0 || res.output.find("cycles ") == std::string::npos)
            throw std::runtime_error("Icarus run failed (exit " + std::to_string(res.exit_code) +
                                     "):\n" + res.output);
        return res;
    };
    const auto base = icarus(0);
    const auto full = icarus(inputs.size());
    r.icarus_startup_seconds = base.seconds;
    r.icarus_seconds = std::max(full.seconds - base.seconds, 1e-9);
    {
        std::istringstream s(full.output.substr(full.output.find("cycles ")));
        std::string word;
        s >> word >> r.icarus_cycles;
    }
    std::ifstream sums(out);
    std::size_t i = 0;
    for (unsigned v; sums >> std::hex >> v; i++) {
        if (i >= frames.size()) throw std::runtime_error("Icarus: more sums than frames");
        check_sum("Icarus", W, i, frames[i], want[i], uint16_t(v));
    }
    if (i != frames.size())
        throw std::runtime_error("Icarus, " + std::to_string(W) + "-bit: " + std::to_string(i) +
                                 " sums for " + std::to_string(frames.size()) + " frames");
    std::filesystem::remove_all(dir);
    r.icarus_cycles_per_s = double(r.icarus_cycles) / r.icarus_seconds;
    r.icarus_frames_per_s = double(r.frames) / r.icarus_seconds;
    return r;
}

Json width_json(const WidthResult& r) {
    Json j;
    j.num("data_w", uint64_t(r.width))
        .num("clock_mhz", r.clock_hz / 1e6)
        .num("frames", r.frames)
        .num("bytes", r.bytes)
        .num("cycles", r.cycles)
        .num("verilator_cycles_per_s", r.verilator_cycles_per_s)
        .num("icarus_cycles_per_s", r.icarus_cycles_per_s)
        .num("ratio", r.verilator_cycles_per_s / r.icarus_cycles_per_s)
        .num("verilator_frames_per_s", r.verilator_frames_per_s)
        .num("icarus_frames_per_s", r.icarus_frames_per_s)
        .num("verilator_passes", r.verilator_passes)
        .num("icarus_startup_s", r.icarus_startup_seconds)
        .num("bytes_per_cycle", r.bytes_per_cycle())
        .num("gbps", r.gbps());
    return j;
}

}  // namespace

int run_checksum(const std::vector<std::string>& args) {
    const Options opt(args, {"json", "help"}, {"frames", "seed", "width", "min-seconds"});
    if (opt.flag("help")) {
        std::fputs(kUsage, stdout);
        return 0;
    }
    const uint64_t count = opt.get_uint("frames", 2000, 1, 200000);
    const uint64_t seed = opt.get_uint("seed", 1, 0, UINT64_MAX);
    const std::string width = opt.get("width", "both");
    if (width != "64" && width != "512" && width != "both")
        throw UsageError("--width must be 64, 512 or both, got '" + width + "'");
    const double min_seconds = double(opt.get_uint("min-seconds", 1, 0, 3600));
    const bool json = opt.flag("json");

    if (!json)
        std::printf("checksum unit (rtl/csum/csum_stream.sv): %llu realistic TCP frames, seed %llu\n",
                    (unsigned long long)count, (unsigned long long)seed);
    const auto frames = make_frames(count, seed);
    std::vector<WidthResult> results;
    if (width != "512") results.push_back(bench_width<64>(frames, min_seconds));
    if (width != "64") results.push_back(bench_width<512>(frames, min_seconds));

    if (json) {
        // Top-level keys describe the first width run (64-bit unless --width 512).
        const WidthResult& top = results.front();
        Json widths;
        for (const auto& r : results) widths.obj(std::to_string(r.width), width_json(r));
        Json j;
        j.str("bench", "checksum")
            .num("seed", seed)
            .num("frames", uint64_t(count))
            .num("data_w", uint64_t(top.width))
            .num("verilator_cycles_per_s", top.verilator_cycles_per_s)
            .num("icarus_cycles_per_s", top.icarus_cycles_per_s)
            .num("ratio", top.verilator_cycles_per_s / top.icarus_cycles_per_s)
            .num("gbps", top.gbps())
            .obj("widths", widths);
        std::printf("%s\n", j.dump().c_str());
        return 0;
    }
    std::printf("every TCP checksum verified (0xFFFF with pseudo-header) under Verilator and\n"
                "Icarus, and equal to the hls/ kernel's sum\n\n");
    std::printf("%-34s", "");
    for (const auto& r : results) std::printf("%18s", (std::to_string(r.width) + "-bit").c_str());
    std::printf("\n");
    auto row = [&](const char* name, auto fn) {
        std::printf("%-34s", name);
        for (const auto& r : results) std::printf("%18s", fn(r).c_str());
        std::printf("\n");
    };
    auto fmt = [](const char* f, double v) {
        char b[48];
        std::snprintf(b, sizeof b, f, v);
        return std::string(b);
    };
    row("frames / bytes", [](const WidthResult& r) {
        return std::to_string(r.frames) + " / " + si(double(r.bytes));
    });
    row("simulated cycles (one pass)", [](const WidthResult& r) { return std::to_string(r.cycles); });
    row("Verilator cycles/s", [](const WidthResult& r) { return si(r.verilator_cycles_per_s); });
    row("Icarus cycles/s", [](const WidthResult& r) { return si(r.icarus_cycles_per_s); });
    row("ratio Verilator/Icarus", [&](const WidthResult& r) {
        return fmt("%.0fx", r.verilator_cycles_per_s / r.icarus_cycles_per_s);
    });
    row("Verilator frames/s", [](const WidthResult& r) { return si(r.verilator_frames_per_s); });
    row("Icarus frames/s", [](const WidthResult& r) { return si(r.icarus_frames_per_s); });
    row("bytes/cycle (simulated)", [&](const WidthResult& r) { return fmt("%.2f", r.bytes_per_cycle()); });
    row("throughput at clock", [&](const WidthResult& r) {
        return fmt("%.2f Gb/s", r.gbps()) + fmt(" @%.0f", r.clock_hz / 1e6);
    });
    std::printf("\nVerilator: %llu pass(es) over the frames; Icarus: one pass, its start-up and\n"
                "stimulus load (%.2f s, measured by a zero-beat run) subtracted.\n",
                (unsigned long long)results.front().verilator_passes,
                results.front().icarus_startup_seconds);
    return 0;
}

}  // namespace ftoe::bench
