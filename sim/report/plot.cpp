#include "plot.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <limits>
#include <sstream>

namespace ftoe::report {
namespace {

// Page geometry (px): the plot area is [kLeft, kRight] x [kTop, kBottom].
constexpr double kWidth = 760, kHeight = 470;
constexpr double kLeft = 84, kRight = 730, kTop = 78, kBottom = 400;
constexpr int kMaxTicks = 8;
constexpr std::size_t kMaxMarkers = 60;  // more points than this: the line alone
const char* const kColours[] = {"#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                "#17becf"};

std::string escape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '&': out += "&amp;"; break;
            case '"': out += "&quot;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string num(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.2f", v);
    return b;
}

// A tick value with as many decimals as the tick step needs (no exponent form).
std::string tick_label(double v, double step) {
    const int decimals = step >= 1 ? 0 : std::min(9, int(std::ceil(-std::log10(step) - 1e-9)));
    char b[48];
    std::snprintf(b, sizeof b, "%.*f", decimals, std::fabs(v) < step * 1e-9 ? 0.0 : v);
    return b;
}

struct Range {
    double lo = std::numeric_limits<double>::infinity();
    double hi = -std::numeric_limits<double>::infinity();
    void add(double v) {
        lo = std::min(lo, v);
        hi = std::max(hi, v);
    }
    bool empty() const { return lo > hi; }
};

// A range with room to draw: a single value gets +-10% (or +-1 at zero) around it.
Range widened(Range r) {
    if (r.empty()) return {0, 1};
    if (r.hi > r.lo) return r;
    const double pad = r.lo == 0 ? 1 : std::fabs(r.lo) * 0.1;
    return {r.lo - pad, r.hi + pad};
}

}  // namespace

std::vector<double> nice_ticks(double lo, double hi, int max_ticks) {
    if (!(hi > lo) || max_ticks < 1) return {lo};
    const double raw = (hi - lo) / max_ticks;
    const double mag = std::pow(10.0, std::floor(std::log10(raw)));
    double step = mag;
    for (double m : {1.0, 2.0, 5.0, 10.0}) {
        step = m * mag;
        if (step >= raw * (1 - 1e-12)) break;
    }
    std::vector<double> ticks;
    const double first = std::floor(lo / step + 1e-9) * step;
    for (double t = first; t < hi + step * (1 - 1e-9); t += step) ticks.push_back(t);
    if (ticks.back() < hi - step * 1e-9) ticks.push_back(ticks.back() + step);
    return ticks;
}

std::vector<double> log_ticks(double lo, double hi) {
    const int first = int(std::floor(std::log10(lo) + 1e-9));
    const int last = std::max(first + 1, int(std::ceil(std::log10(hi) - 1e-9)));
    const bool fine = last - first < 3;
    std::vector<double> ticks;
    for (int k = first; k <= last; k++) {
        const double p = std::pow(10.0, k);
        ticks.push_back(p);
        if (fine && k < last) {
            ticks.push_back(2 * p);
            ticks.push_back(5 * p);
        }
    }
    // Trim to the ticks just around the data.
    while (ticks.size() > 2 && ticks[1] <= lo * (1 + 1e-9)) ticks.erase(ticks.begin());
    while (ticks.size() > 2 && ticks[ticks.size() - 2] >= hi * (1 - 1e-9)) ticks.pop_back();
    return ticks;
}

std::string render_svg(const Chart& c) {
    Range xr, yr;
    for (const Series& s : c.series) {
        for (double v : s.x) xr.add(v);
        for (double v : s.y) yr.add(v);
    }
    if (c.y_from_zero && !yr.empty()) yr.add(0);
    if (c.log_x && !xr.empty()) {
        xr.lo = std::max(xr.lo, 1e-12);
        xr.hi = std::max(xr.hi, xr.lo);
        if (xr.hi == xr.lo) xr = {xr.lo / 2, xr.hi * 2};
    }
    xr = widened(xr);
    yr = widened(yr);
    const std::vector<double> xt =
        c.log_x ? log_ticks(xr.lo, xr.hi) : nice_ticks(xr.lo, xr.hi, kMaxTicks);
    const std::vector<double> yt = nice_ticks(yr.lo, yr.hi, kMaxTicks);
    const double x_lo = xt.front(), x_hi = xt.back(), y_lo = yt.front(), y_hi = yt.back();
    const double x_step = xt.size() > 1 ? xt[1] - xt[0] : 1;
    const double y_step = yt.size() > 1 ? yt[1] - yt[0] : 1;
    const auto px = [&](double x) {
        if (c.log_x)
            return kLeft + std::log10(std::max(x, x_lo) / x_lo) / std::log10(x_hi / x_lo) *
                               (kRight - kLeft);
        return kLeft + (x - x_lo) / (x_hi - x_lo) * (kRight - kLeft);
    };
    // A log axis labels each tick with the decimals it needs itself.
    const auto x_label_of = [&](double t) { return tick_label(t, c.log_x ? t : x_step); };
    const auto py = [&](double y) {
        return kBottom - (y - y_lo) / (y_hi - y_lo) * (kBottom - kTop);
    };
    // The legend where the curves are not: top left of rising lines, bottom right of a
    // distribution (which rises at the left).
    const double legend_x = c.steps ? kRight - 300 : kLeft + 12;
    const double legend_y = c.steps ? kBottom - 14 - 18 * double(c.series.size() - 1) : kTop + 18;

    std::ostringstream o;
    o << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
      << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth << "\" height=\"" << kHeight
      << "\" viewBox=\"0 0 " << kWidth << ' ' << kHeight << "\" font-family=\"sans-serif\">\n"
      << "<title>" << escape(c.title) << "</title>\n"
      << "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
      << "<text x=\"" << kWidth / 2 << "\" y=\"28\" text-anchor=\"middle\" font-size=\"17\">"
      << escape(c.title) << "</text>\n"
      << "<text x=\"" << kWidth / 2 << "\" y=\"50\" text-anchor=\"middle\" font-size=\"12\" "
      << "fill=\"#555\">" << escape(c.subtitle) << "</text>\n";
    // grid and tick labels
    o << "<g class=\"grid\" stroke=\"#ddd\" stroke-width=\"1\">\n";
    for (double t : xt)
        o << "<line x1=\"" << num(px(t)) << "\" y1=\"" << kTop << "\" x2=\"" << num(px(t))
          << "\" y2=\"" << kBottom << "\"/>\n";
    for (double t : yt)
        o << "<line x1=\"" << kLeft << "\" y1=\"" << num(py(t)) << "\" x2=\"" << kRight
          << "\" y2=\"" << num(py(t)) << "\"/>\n";
    o << "</g>\n<g class=\"ticks\" font-size=\"12\" fill=\"#333\">\n";
    for (double t : xt)
        o << "<text x=\"" << num(px(t)) << "\" y=\"" << kBottom + 18
          << "\" text-anchor=\"middle\">" << x_label_of(t) << "</text>\n";
    for (double t : yt)
        o << "<text x=\"" << kLeft - 8 << "\" y=\"" << num(py(t) + 4)
          << "\" text-anchor=\"end\">" << tick_label(t, y_step) << "</text>\n";
    o << "</g>\n"
      << "<rect x=\"" << kLeft << "\" y=\"" << kTop << "\" width=\"" << kRight - kLeft
      << "\" height=\"" << kBottom - kTop << "\" fill=\"none\" stroke=\"#333\"/>\n"
      << "<text x=\"" << (kLeft + kRight) / 2 << "\" y=\"" << kBottom + 44
      << "\" text-anchor=\"middle\" font-size=\"13\">" << escape(c.x_label) << "</text>\n"
      << "<text transform=\"translate(22," << (kTop + kBottom) / 2
      << ") rotate(-90)\" text-anchor=\"middle\" font-size=\"13\">" << escape(c.y_label)
      << "</text>\n";
    // the series, then their legend
    for (std::size_t i = 0; i < c.series.size(); i++) {
        const Series& s = c.series[i];
        const char* colour = kColours[i % (sizeof kColours / sizeof kColours[0])];
        const std::size_t n = std::min(s.x.size(), s.y.size());
        o << "<path class=\"series\" data-name=\"" << escape(s.name) << "\" data-points=\"" << n
          << "\" fill=\"none\" stroke=\"" << colour << "\" stroke-width=\"2\" d=\"";
        for (std::size_t k = 0; k < n; k++) {
            if (k == 0 && c.steps) {  // a distribution rises from the axis
                o << 'M' << num(px(s.x[0])) << ' ' << num(py(y_lo)) << " V" << num(py(s.y[0]));
            } else if (k == 0) {
                o << 'M' << num(px(s.x[0])) << ' ' << num(py(s.y[0]));
            } else if (c.steps) {
                o << " H" << num(px(s.x[k])) << " V" << num(py(s.y[k]));
            } else {
                o << " L" << num(px(s.x[k])) << ' ' << num(py(s.y[k]));
            }
        }
        o << "\"/>\n";
        if (!c.steps && n <= kMaxMarkers) {
            o << "<g fill=\"" << colour << "\">";
            for (std::size_t k = 0; k < n; k++)
                o << "<circle cx=\"" << num(px(s.x[k])) << "\" cy=\"" << num(py(s.y[k]))
                  << "\" r=\"3\"/>";
            o << "</g>\n";
        }
        const double ly = legend_y + 18 * double(i);
        o << "<line x1=\"" << legend_x << "\" y1=\"" << ly - 4 << "\" x2=\"" << legend_x + 24
          << "\" y2=\"" << ly - 4 << "\" stroke=\"" << colour << "\" stroke-width=\"3\"/>"
          << "<text x=\"" << legend_x + 30 << "\" y=\"" << ly << "\" font-size=\"12\">"
          << escape(s.name) << "</text>\n";
    }
    o << "</svg>\n";
    return o.str();
}

Series cdf(std::string name, std::vector<uint64_t> samples, double scale) {
    std::sort(samples.begin(), samples.end());
    Series s;
    s.name = std::move(name);
    const double n = double(samples.size());
    for (std::size_t i = 0; i < samples.size(); i++) {
        s.x.push_back(double(samples[i]) * scale);
        s.y.push_back(double(i + 1) / n);
    }
    return s;
}

bool write_text_file(const std::string& path, const std::string& text, std::string& error) {
    std::ofstream f(path, std::ios::binary | std::ios::trunc);
    if (f) f << text;
    if (f) f.close();
    if (!f) {
        error = "cannot write " + path + ": " + std::strerror(errno);
        return false;
    }
    return true;
}

}  // namespace ftoe::report
