// sim/report/plot: round ticks that cover the data, log ticks by decades, an empirical
// CDF, and an SVG that draws each series with the points it was given (names escaped).
#include "plot.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

namespace ftoe::report {
namespace {

std::size_t count(const std::string& text, const std::string& what) {
    std::size_t n = 0;
    for (std::size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) n++;
    return n;
}

void expect_nice(const std::vector<double>& t, double lo, double hi, int max_ticks) {
    ASSERT_GE(t.size(), 2u);
    EXPECT_LE(t.front(), lo);
    EXPECT_GE(t.back(), hi);
    EXPECT_LE(t.size(), std::size_t(max_ticks) + 2);
    const double step = t[1] - t[0];
    const double mantissa = step / std::pow(10.0, std::floor(std::log10(step) + 1e-9));
    EXPECT_TRUE(std::fabs(mantissa - 1) < 1e-9 || std::fabs(mantissa - 2) < 1e-9 ||
                std::fabs(mantissa - 5) < 1e-9)
        << "step " << step;
    for (std::size_t i = 1; i < t.size(); i++) EXPECT_NEAR(t[i] - t[i - 1], step, step * 1e-9);
}

TEST(Plot, NiceTicksAreRoundAndCoverTheRange) {
    expect_nice(nice_ticks(0, 1, 8), 0, 1, 8);
    expect_nice(nice_ticks(19, 411, 8), 19, 411, 8);
    expect_nice(nice_ticks(0.0031, 0.0047, 8), 0.0031, 0.0047, 8);
    expect_nice(nice_ticks(-3, 1460, 8), -3, 1460, 8);
    const auto t = nice_ticks(0, 1, 8);  // 0.125 rounds up to 0.2
    EXPECT_EQ(t.size(), 6u);
    EXPECT_DOUBLE_EQ(t[1], 0.2);
}

TEST(Plot, LogTicksArePowersOfTenAroundTheData) {
    const auto wide = log_ticks(500, 800'000);  // 3+ decades: powers of ten only
    EXPECT_EQ(wide, (std::vector<double>{100, 1000, 10000, 100000, 1000000}));
    const auto narrow = log_ticks(3, 40);  // fewer: 2 and 5 between
    EXPECT_EQ(narrow, (std::vector<double>{2, 5, 10, 20, 50}));
}

TEST(Plot, CdfIsSortedAndEndsAtOne) {
    const Series s = cdf("x", {300, 100, 200, 100}, 1e-3);
    EXPECT_EQ(s.x, (std::vector<double>{0.1, 0.1, 0.2, 0.3}));
    EXPECT_EQ(s.y, (std::vector<double>{0.25, 0.5, 0.75, 1.0}));
}

TEST(Plot, SvgDrawsEverySeriesWithItsPointsAndEscapesText) {
    Chart c;
    c.title = "RX & TX <latency>";
    c.x_label = "payload";
    c.y_label = "cycles";
    c.series = {{"RX \"a\"", {1, 64, 128}, {19, 27, 35}}, {"TX", {1, 64}, {24, 31}}};
    const std::string svg = render_svg(c);
    EXPECT_EQ(svg.rfind("<?xml", 0), 0u);
    EXPECT_EQ(count(svg, "class=\"series\""), 2u);
    EXPECT_EQ(count(svg, "data-points=\"3\""), 1u);
    EXPECT_EQ(count(svg, "data-points=\"2\""), 1u);
    EXPECT_EQ(count(svg, "<circle"), 5u) << "a marker per point";
    EXPECT_NE(svg.find("RX &amp; TX &lt;latency&gt;"), std::string::npos);
    EXPECT_NE(svg.find("data-name=\"RX &quot;a&quot;\""), std::string::npos);
    EXPECT_EQ(svg.find("<latency>"), std::string::npos);
    EXPECT_NE(svg.find("</svg>"), std::string::npos);
}

TEST(Plot, OneValueStillGetsAnAxis) {
    Chart c;
    c.steps = true;
    c.log_x = true;
    c.series = {cdf("all equal", {500000, 500000, 500000}, 1e-3)};
    const std::string svg = render_svg(c);
    EXPECT_EQ(count(svg, "data-points=\"3\""), 1u);
    EXPECT_EQ(svg.find("nan"), std::string::npos);
    EXPECT_EQ(svg.find("inf"), std::string::npos);
}

}  // namespace
}  // namespace ftoe::report
