#include "byte_link.hpp"

#include <cstdio>
#include <utility>

namespace ftoe::driver {

ByteLink::ByteLink(std::unique_ptr<ByteTransport> transport, LinkSide side)
    : transport_(std::move(transport)),
      side_(side),
      deframer_(/*accept_commands=*/side == LinkSide::kEngine) {}

Result<uint32_t> ByteLink::send(Kind kind, uint32_t session, uint16_t arg, const Bytes& payload) {
    if (failure_) return *failure_;
    const bool host = side_ == LinkSide::kHost;
    if (!is_known_kind(uint8_t(kind)) || is_command(kind) != host) {
        char msg[96];
        std::snprintf(msg, sizeof msg, "cannot send kind 0x%02x (%s) from the %s side",
                      unsigned(kind), kind_name(kind), host ? "host" : "engine");
        return Error{msg};
    }
    if (payload.size() > kMaxPayload) {
        return Error{std::string("cannot send ") + kind_name(kind) + " with a payload of " +
                     std::to_string(payload.size()) + " bytes: the maximum is " +
                     std::to_string(kMaxPayload)};
    }
    tx_.clear();
    const uint32_t seq = framer_.next_seq();
    framer_.frame_into(tx_, kind, session, arg, payload.data(), payload.size());
    Status st = transport_->write(tx_.data(), tx_.size());
    if (!st) {
        failure_ = st.error();
        return *failure_;
    }
    return seq;
}

Result<std::vector<Received>> ByteLink::poll(Duration wait_at_most) {
    if (failure_) return *failure_;
    rx_.clear();
    Status st = transport_->read(rx_, wait_at_most);
    deframer_.push(rx_);
    std::vector<Received> items;
    while (auto item = deframer_.next()) items.push_back(std::move(*item));
    if (!st) {
        failure_ = st.error();
        if (items.empty()) return *failure_;
    }
    return items;
}

}  // namespace ftoe::driver
