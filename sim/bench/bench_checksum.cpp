// ftoe-bench checksum: the checksum unit (rtl/csum/csum_stream.sv) on realistic TCP
// frames, simulated by Verilator and by Icarus Verilog on the same beats in one run.
// Every frame's TCP checksum must verify under both simulators and match the hls/
// kernel; then the simulators' speeds and the unit's simulated throughput are reported.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_util.hpp"
#include "csum_stream_sim.hpp"
#include "csum_top.hpp"
#include "frame.hpp"

namespace ftoe::bench {
namespace {

// About 15 s for both widths on a 2-core machine, nearly all of it Icarus.
constexpr uint64_t kDefaultFrames = 1500;
// The Icarus testbench's stimulus memory (its MAX_BEATS, set in CMakeLists.txt).
constexpr uint64_t kTbMaxBeats = FTOE_BENCH_TB_MAX_BEATS;

void usage() {
    std::printf(
        "usage: ftoe-bench checksum [--frames N] [--seed S] [--width 64|512|both]\n"
        "                           [--min-seconds T] [--json]\n"
        "  Runs rtl/csum/csum_stream.sv on N realistic TCP frames (default %llu) back to\n"
        "  back under Verilator and under Icarus Verilog, checks every frame's TCP checksum\n"
        "  (0xFFFF with the pseudo-header, and equal to the hls/ kernel's sum), and reports\n"
        "  each simulator's cycles/s and frames/s, their ratio, and the unit's simulated\n"
        "  throughput at 156.25 MHz (64-bit) / 322 MHz (512-bit). Verilator repeats the\n"
        "  frames for at least T seconds (default 1) for a stable rate; Icarus runs them\n"
        "  once. --json prints one JSON object; top-level figures are the first width run.\n",
        static_cast<unsigned long long>(kDefaultFrames));
}

struct Frame {
    sim::Bytes bytes;
    uint16_t start, end;  // the TCP segment: [l3 + ihl, l3 + total_length)
    uint16_t pseudo;      // its pseudo-header sum
};

struct WidthResult {
    int width = 0;
    double clock_hz = 0;
    uint64_t frames = 0, bytes = 0, beats = 0;
    uint64_t cycles = 0;  // Verilator, one pass: first beat to last sum
    uint64_t verilator_passes = 0;
    double verilator_seconds = 0;
    uint64_t icarus_cycles = 0;  // one pass, the zero-beat baseline's cycles taken off
    double icarus_seconds = 0;   // the same, the baseline's wall time taken off
    double icarus_startup_seconds = 0;

    double verilator_cycles_per_s() const {
        return double(cycles * verilator_passes) / verilator_seconds;
    }
    double verilator_frames_per_s() const {
        return double(frames * verilator_passes) / verilator_seconds;
    }
    double icarus_cycles_per_s() const { return double(icarus_cycles) / icarus_seconds; }
    double icarus_frames_per_s() const { return double(frames) / icarus_seconds; }
    double ratio() const { return verilator_cycles_per_s() / icarus_cycles_per_s(); }
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
        fr.end = uint16_t(l3 + total);  // not the frame's end: short frames carry padding
        const uint32_t src = uint32_t(get16(fr.bytes, l3 + 12)) << 16 | get16(fr.bytes, l3 + 14);
        const uint32_t dst = uint32_t(get16(fr.bytes, l3 + 16)) << 16 | get16(fr.bytes, l3 + 18);
        fr.pseudo = kernel::ipv4_pseudo_header_sum(src, dst, sim::kIpProtoTcp,
                                                   uint16_t(total - ihl));
        frames.push_back(std::move(fr));
    }
    return frames;
}

// The hls/ synthesis tops are plain functions, one per width.
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
    const bool verifies = kernel::csum_add(got, f.pseudo) == 0xffff;
    if (got == want && verifies) return;
    char msg[200];
    std::snprintf(msg, sizeof msg,
                  "%s, %d-bit: frame #%zu (%zu bytes, TCP bytes %u..%u): sum 0x%04x, hls "
                  "kernel 0x%04x, with pseudo-header 0x%04x (want 0xffff)",
                  who, width, i, f.bytes.size(), f.start, f.end, got, want,
                  kernel::csum_add(got, f.pseudo));
    throw std::runtime_error(msg);
}

template <int W>
struct Input {
    kernel::AxisBeat<W> beat;
    uint16_t start, end;
};

// One $readmemh line for csum_bench_tb.sv:
// {csum_end, csum_start, 3'b0, tlast, tkeep, tdata}, most significant digit first.
template <int W>
std::string stimulus_line(const Input<W>& in) {
    static constexpr char kHex[] = "0123456789abcdef";
    char head[16];
    std::snprintf(head, sizeof head, "%04x%04x%x", in.end, in.start, in.beat.last ? 1 : 0);
    std::string s = head;
    for (int nib = W / 8 / 4 - 1; nib >= 0; nib--) s += kHex[(in.beat.keep >> (4 * nib)) & 15];
    for (int lane = W / 8 - 1; lane >= 0; lane--) {
        const uint8_t b = in.beat.byte(lane);
        s += kHex[b >> 4];
        s += kHex[b & 15];
    }
    return s;
}

// Back-to-back beats through the Verilated model, repeated for at least min_seconds.
// Sums are checked on the first pass; later passes only count them.
template <int W>
void run_verilator(const std::vector<Input<W>>& inputs, const std::vector<Frame>& frames,
                   const std::vector<uint16_t>& want, double min_seconds, WidthResult& r) {
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
        // Drain: the last sum comes a few cycles after the last beat (LATENCY <= 4).
        for (int i = 0; i < 16 && got < frames.size(); i++) take(model.cycle(nullptr, 0, 0));
        if (got != frames.size())
            throw std::runtime_error("Verilator, " + std::to_string(W) + "-bit: " +
                                     std::to_string(got) + " sums for " +
                                     std::to_string(frames.size()) + " frames");
        r.cycles = model.cycles() - c0;
        ++r.verilator_passes;
    } while (seconds_since(t0) < min_seconds);
    r.verilator_seconds = seconds_since(t0);
}

struct IcarusRun {
    unsigned long long cycles = 0, frames = 0;
    double seconds = 0;
};

IcarusRun run_vvp(const std::string& tb, const std::string& stim, std::size_t stim_beats,
                  std::size_t beats, const std::string& out) {
    const auto res = run_process({FTOE_VVP, "-n", tb, "+stim=" + stim,
                                  "+stim_beats=" + std::to_string(stim_beats),
                                  "+beats=" + std::to_string(beats), "+out=" + out});
    IcarusRun run;
    run.seconds = res.seconds;
    const auto at = res.output.find("cycles ");
    if (res.exit_code != 0 || at == std::string::npos ||
        std::sscanf(res.output.c_str() + at, "cycles %llu frames %llu", &run.cycles,
                    &run.frames) != 2)
        throw std::runtime_error(std::string(FTOE_VVP) + " " + tb + " failed (exit " +
                                 std::to_string(res.exit_code) + "):\n" + res.output);
    return run;
}

// The same beats through Icarus, once. A zero-beat run of the same testbench loads the
// same stimulus file and pays the same start-up and drain: its time and cycles are
// taken off, so the rate is that of simulating the beats alone.
template <int W>
void run_icarus(const std::vector<Input<W>>& inputs, const std::vector<Frame>& frames,
                const std::vector<uint16_t>& want, WidthResult& r) {
    const std::string tb = file_beside_executable("csum_bench_tb_" + std::to_string(W) + ".vvp");
    const TempDir dir;
    const std::string stim = dir.file("stim.hex"), out = dir.file("sums.hex");
    {
        std::ofstream f(stim);
        for (const auto& in : inputs) f << stimulus_line<W>(in) << '\n';
        if (!f.flush()) throw std::runtime_error("cannot write " + stim);
    }
    const IcarusRun base = run_vvp(tb, stim, inputs.size(), 0, out);
    const IcarusRun full = run_vvp(tb, stim, inputs.size(), inputs.size(), out);
    r.icarus_startup_seconds = base.seconds;
    r.icarus_seconds = std::max(full.seconds - base.seconds, 1e-9);
    r.icarus_cycles = full.cycles - base.cycles;

    std::ifstream sums(out);
    std::size_t i = 0;
    for (unsigned v; sums >> std::hex >> v; i++) {
        if (i >= frames.size()) throw std::runtime_error("Icarus: more sums than frames");
        check_sum("Icarus", W, i, frames[i], want[i], uint16_t(v));
    }
    if (i != frames.size() || full.frames != frames.size())
        throw std::runtime_error("Icarus, " + std::to_string(W) + "-bit: " + std::to_string(i) +
                                 " sums for " + std::to_string(frames.size()) + " frames");
}

template <int W>
WidthResult bench_width(const std::vector<Frame>& frames, double min_seconds) {
    WidthResult r;
    r.width = W;
    r.clock_hz = W == 64 ? 156.25e6 : 322e6;
    r.frames = frames.size();

    std::vector<Input<W>> inputs;
    std::vector<uint16_t> want;
    for (const auto& f : frames) {
        const auto beats = sim::to_beats<W>(f.bytes);
        want.push_back(kernel_sum(beats, f.start, f.end));
        check_sum("hls kernel", W, want.size() - 1, f, want.back(), want.back());
        for (const auto& b : beats) inputs.push_back({b, f.start, f.end});
        r.bytes += f.bytes.size();
    }
    r.beats = inputs.size();
    if (r.beats > kTbMaxBeats)
        throw UsageError("--frames " + std::to_string(frames.size()) + " makes " +
                         std::to_string(r.beats) + " beats at " + std::to_string(W) +
                         "-bit; the Icarus testbench holds " + std::to_string(kTbMaxBeats));

    run_verilator<W>(inputs, frames, want, min_seconds, r);
    run_icarus<W>(inputs, frames, want, r);
    return r;
}

// Per-width figures, shared by the top level and the "widths" object of the JSON.
void add_width_fields(Json& j, const WidthResult& r) {
    j.num("data_w", uint64_t(r.width))
        .num("clock_mhz", r.clock_hz / 1e6)
        .num("bytes", r.bytes)
        .num("beats", r.beats)
        .num("cycles", r.cycles)
        .num("verilator_cycles_per_s", r.verilator_cycles_per_s())
        .num("icarus_cycles_per_s", r.icarus_cycles_per_s())
        .num("ratio", r.ratio())
        .num("verilator_frames_per_s", r.verilator_frames_per_s())
        .num("icarus_frames_per_s", r.icarus_frames_per_s())
        .num("verilator_passes", r.verilator_passes)
        .num("verilator_s", r.verilator_seconds)
        .num("icarus_s", r.icarus_seconds)
        .num("icarus_startup_s", r.icarus_startup_seconds)
        .num("bytes_per_cycle", r.bytes_per_cycle())
        .num("gbps", r.gbps());
}

void print_json(const std::vector<WidthResult>& results, uint64_t frames, uint64_t seed) {
    Json widths;
    for (const auto& r : results) {
        Json w;
        add_width_fields(w, r);
        widths.obj(std::to_string(r.width), w);
    }
    Json j;
    j.str("bench", "checksum").num("seed", seed).num("frames", frames);
    add_width_fields(j, results.front());
    j.str("icarus_timing", "zero-beat baseline run subtracted").obj("widths", widths);
    std::printf("%s\n", j.dump().c_str());
}

void print_table(const std::vector<WidthResult>& results) {
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
    using R = WidthResult;
    row("frames / bytes", [](const R& r) { return std::to_string(r.frames) + " / " + si(double(r.bytes)); });
    row("beats", [](const R& r) { return std::to_string(r.beats); });
    row("simulated cycles (one pass)", [](const R& r) { return std::to_string(r.cycles); });
    row("Verilator cycles/s", [](const R& r) { return si(r.verilator_cycles_per_s()); });
    row("Icarus cycles/s", [](const R& r) { return si(r.icarus_cycles_per_s()); });
    row("ratio Verilator/Icarus", [&](const R& r) { return fmt("%.0fx", r.ratio()); });
    row("Verilator frames/s", [](const R& r) { return si(r.verilator_frames_per_s()); });
    row("Icarus frames/s", [](const R& r) { return si(r.icarus_frames_per_s()); });
    row("Verilator passes / seconds", [&](const R& r) {
        return std::to_string(r.verilator_passes) + fmt(" / %.2f", r.verilator_seconds);
    });
    row("Icarus seconds (start-up taken off)", [&](const R& r) {
        return fmt("%.2f", r.icarus_seconds) + fmt(" (-%.2f)", r.icarus_startup_seconds);
    });
    row("bytes/cycle (simulated)", [&](const R& r) { return fmt("%.2f", r.bytes_per_cycle()); });
    row("clock (MHz)", [&](const R& r) { return fmt("%.2f", r.clock_hz / 1e6); });
    row("throughput at that clock (Gb/s)", [&](const R& r) { return fmt("%.2f", r.gbps()); });
    std::printf("\nIcarus: vvp start-up and stimulus load, measured by a zero-beat run of the same\n"
                "testbench on the same file, are subtracted from its time and cycles.\n"
                "Throughput: frame bytes / simulated cycles * 8 * clock (bus rate, no IFG).\n");
}

}  // namespace

int run_checksum(const std::vector<std::string>& args) {
    const Options opt(args, {"json", "help"}, {"frames", "seed", "width", "min-seconds"});
    if (opt.flag("help")) {
        usage();
        return 0;
    }
    const uint64_t count = opt.get_uint("frames", kDefaultFrames, 1, 200000);
    const uint64_t seed = opt.get_uint("seed", 1, 0, UINT64_MAX);
    const std::string width = opt.get("width", "both");
    if (width != "64" && width != "512" && width != "both")
        throw UsageError("--width must be 64, 512 or both, got '" + width + "'");
    const double min_seconds = double(opt.get_uint("min-seconds", 1, 0, 3600));
    const bool json = opt.flag("json");

    if (!json)
        std::printf("checksum unit (rtl/csum/csum_stream.sv): %llu realistic TCP frames, seed %llu\n",
                    static_cast<unsigned long long>(count), static_cast<unsigned long long>(seed));
    std::fflush(stdout);  // the header shows while the simulators run
    const auto frames = make_frames(count, seed);
    std::vector<WidthResult> results;
    if (width != "512") results.push_back(bench_width<64>(frames, min_seconds));
    if (width != "64") results.push_back(bench_width<512>(frames, min_seconds));

    if (json) print_json(results, count, seed);
    else print_table(results);
    return 0;
}

}  // namespace ftoe::bench
