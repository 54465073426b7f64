// plot.hpp: latency plots as self-contained SVG files (no plotting package needed; any
// browser shows them), for ftoe-bench and ftoe-sim. A chart is one or more series of
// (x, y) points on linear axes with round-number ticks, drawn as lines through markers
// or, for distributions, as steps. Each series' path carries data-name and data-points
// attributes, so a test can read back what was drawn.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ftoe::report {

struct Series {
    std::string name;
    std::vector<double> x, y;  // the same length
};

struct Chart {
    std::string title, subtitle;  // the subtitle says how the numbers were made
    std::string x_label, y_label;
    std::vector<Series> series;
    bool steps = false;       // a staircase from point to point (an empirical CDF)
    bool y_from_zero = true;  // the y axis starts at 0 (else at the data's minimum)
    bool log_x = false;       // a logarithmic x axis (x values must be > 0)
};

// Round tick values (1, 2 or 5 times a power of ten apart) covering [lo, hi], at most
// `max_ticks` + 1 of them, the first <= lo and the last >= hi.
std::vector<double> nice_ticks(double lo, double hi, int max_ticks);

// Ticks for a logarithmic axis over [lo, hi] (both > 0): the powers of ten around it,
// with 2 and 5 times each between when it spans fewer than three decades.
std::vector<double> log_ticks(double lo, double hi);

// The chart as an SVG document (UTF-8 text).
std::string render_svg(const Chart& chart);

// The empirical CDF of `samples` scaled by `scale` (e.g. ns -> us): one point per
// sample, sorted, y = the fraction of samples <= x.
Series cdf(std::string name, std::vector<uint64_t> samples, double scale);

// Writes `text` to `path`; false with `error` set when it cannot.
bool write_text_file(const std::string& path, const std::string& text, std::string& error);

}  // namespace ftoe::report
