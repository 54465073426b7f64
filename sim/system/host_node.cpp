#include "host_node.hpp"

#include <utility>

namespace ftoe::sim {

driver::Status BoardTransport::write(const uint8_t* p, std::size_t n) {
    board_.host_write(p, n);
    return driver::Ok{};
}

driver::Status BoardTransport::read(driver::Bytes& out, driver::Duration wait_at_most) {
    const uint64_t until = sc_core::sc_time_stamp().value() + uint64_t(wait_at_most.count()) * 1000;
    while (true) {
        const uint64_t now = sc_core::sc_time_stamp().value();
        const std::size_t got = board_.to_host().take(now, out);
        if (got > 0 || now >= until) return driver::Ok{};
        // Woken by the board when bytes it pushed become ready, or at the deadline.
        sc_core::wait(sc_core::sc_time(double(until - now), sc_core::SC_PS),
                      board_.host_bytes_event().default_event());
    }
}

driver::Duration BoardTransport::now() const {
    return driver::Duration(int64_t(sc_core::sc_time_stamp().value() / 1000));
}

HostNode::HostNode(sc_core::sc_module_name name, Board& board, host::StackConfig config,
                   std::chrono::nanoseconds poll_wait)
    : sc_core::sc_module(name),
      link_(std::make_unique<driver::ByteLink>(std::make_unique<BoardTransport>(board))),
      stack_(std::make_unique<host::Stack>(*link_, std::move(config))), poll_wait_(poll_wait) {
    SC_THREAD(run);
    set_stack_size(16u << 20);
}

void HostNode::run() {
    if (auto st = stack_->start(); !st.ok()) {
        error_ = st.error().message;
        return;
    }
    while (true) {
        const auto st = stack_->poll(poll_wait_);
        if (!st.ok() && error_.empty()) error_ = st.error().message;
        if (!app_ || !app_(*stack_, uint64_t(link_->now().count()))) return;
    }
}

}  // namespace ftoe::sim
