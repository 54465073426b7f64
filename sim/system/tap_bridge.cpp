#include "tap_bridge.hpp"

#include <poll.h>
#include <time.h>

#include <algorithm>

namespace ftoe::sim {
namespace {
constexpr uint64_t kBusyStepPs = 1'000'000;    // 1 us: how often a busy model looks at the TAP
constexpr uint64_t kIdleStepPs = 100'000'000;  // 100 us: strides through idle time
constexpr uint64_t kStopGracePs = 20'000'000'000;  // 20 ms simulated
}  // namespace

TapBridge::TapBridge(sc_core::sc_module_name name, TapDevice& tap, Board& board,
                     EthWire& to_board, EthWire& from_board, std::chrono::nanoseconds duration,
                     const std::atomic<bool>& stop)
    : sc_core::sc_module(name), tap_(tap), board_(board), to_board_(to_board),
      from_board_(from_board), duration_(duration), stop_(stop) {
    SC_THREAD(run);
    set_stack_size(1u << 20);
}

void TapBridge::run() {
    const auto wall0 = std::chrono::steady_clock::now();
    const uint64_t sim0 = sc_core::sc_time_stamp().value();
    Bytes frame;
    while (true) {
        const uint64_t now = sc_core::sc_time_stamp().value();
        const auto wall = std::chrono::steady_clock::now() - wall0;
        if (!stopping_ && (stop_.load() || wall >= duration_)) {
            // The host reads the engine's counters for the summary and then stops the
            // simulation; if it cannot within kStopGrace, the bridge does.
            stopping_ = true;
            stop_at_ps_ = now + kStopGracePs;
        }
        if (stopping_ && now >= stop_at_ps_) {
            sc_core::sc_stop();
            return;
        }
        while (true) {
            auto r = tap_.read(frame);
            if (!r.ok()) {
                error_ = r.error().message;
                sc_core::sc_stop();
                return;
            }
            if (!r.value()) break;
            counters_.frames_from_linux++;
            if (const uint64_t at = to_board_.send(now, std::move(frame))) board_.wake_at(at);
        }
        while (from_board_.receive(now, frame)) {
            counters_.frames_to_linux++;
            if (!tap_.write(frame).ok()) counters_.write_errors++;
        }
        const uint64_t sim_ns = (now - sim0) / 1000;
        const uint64_t wall_ns = uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(wall).count());
        if (wall_ns > sim_ns) counters_.max_lag_ns = std::max(counters_.max_lag_ns, wall_ns - sim_ns);
        uint64_t step = kBusyStepPs;
        if (sim_ns > wall_ns) {
            // Ahead of the wall clock: wait for it, or for Linux to send a frame, then look
            // again at the same simulated time.
            const uint64_t ahead = sim_ns - wall_ns;
            timespec ts{time_t(ahead / 1'000'000'000u), long(ahead % 1'000'000'000u)};
            pollfd p{tap_.fd(), POLLIN, 0};
            ::ppoll(&p, 1, &ts, nullptr);
            counters_.sleeps++;
            continue;
        }
        if (board_.asleep())  // behind, and nothing to compute: catch up in strides
            step = std::min<uint64_t>(kIdleStepPs, (wall_ns - sim_ns) * 1000 + kBusyStepPs);
        // Frames in flight towards Linux are written when they arrive.
        if (const uint64_t next = from_board_.next_arrival_ps(); next > now)
            step = std::min(step, next - now);
        sc_core::wait(sc_core::sc_time(double(step), sc_core::SC_PS));
    }
}

}  // namespace ftoe::sim
