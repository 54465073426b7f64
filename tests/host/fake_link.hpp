// fake_link.hpp: a scripted in-memory driver::Link for host tests. send() records every
// command (numbered as a real link would), the test injects events with inject() and
// they come out of the next poll(), and now() is a clock the test moves with advance().
// poll(wait) never waits: it does not move the clock. fail() makes the link fail as a
// real backend would (every later send/poll returns the Error).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "link.hpp"

namespace ftoe::host::testing {

class FakeLink : public driver::Link {
public:
    driver::Result<uint32_t> send(driver::Kind kind, uint32_t session, uint16_t arg,
                                  const driver::Bytes& payload) override {
        if (failure_) return *failure_;
        driver::Message m;
        m.kind = kind;
        m.seq = next_seq_++;
        m.session = session;
        m.arg = arg;
        m.payload = payload;
        sent_.push_back(std::move(m));
        return sent_.back().seq;
    }

    driver::Result<std::vector<driver::Received>> poll(driver::Duration) override {
        std::vector<driver::Received> out;
        out.swap(pending_);
        if (failure_ && out.empty()) return *failure_;
        return out;
    }

    driver::Duration now() const override { return now_; }

    // test side
    void inject(driver::Kind kind, uint32_t session = driver::kNoSession, uint16_t arg = 0,
                driver::Bytes payload = {}) {
        driver::Message m;
        m.kind = kind;
        m.seq = event_seq_++;
        m.session = session;
        m.arg = arg;
        m.payload = std::move(payload);
        pending_.emplace_back(std::move(m));
    }
    void inject_error(driver::LinkError e) { pending_.emplace_back(driver::DeframeError{e, "test"}); }
    void advance(driver::Duration d) { now_ += d; }
    void set_now(driver::Duration t) { now_ = t; }
    void fail(std::string why) { failure_ = driver::Error{std::move(why)}; }

    // Commands sent since the last take_sent().
    std::vector<driver::Message> take_sent() {
        std::vector<driver::Message> out;
        out.swap(sent_);
        return out;
    }
    const std::vector<driver::Message>& sent() const { return sent_; }

private:
    std::vector<driver::Message> sent_;
    std::vector<driver::Received> pending_;
    driver::Duration now_{0};
    uint32_t next_seq_ = 0, event_seq_ = 0;
    std::optional<driver::Error> failure_;
};

}  // namespace ftoe::host::testing
