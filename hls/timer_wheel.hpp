// timer_wheel.hpp: reference model of rtl/timer/timer_wheel.sv, tick by tick.
//
// Same algorithm as the RTL, so it predicts not only which timers fire at which tick but
// the order the block emits them in: a hashed wheel of `wheel` one-tick slots, each a
// doubly-linked list of timer nodes (slot = deadline mod wheel, arming links a node at
// the head), walked from the head when time reaches the slot; a node whose full
// deadline equals the slot's time fires and is unlinked, the others stay for a later
// revolution. Time and deadlines are modular (deadline_w bits).
//
// Plain C++ (no HLS interface): a scoreboard for the RTL and the host's view of it.
// Header-only.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

namespace ftoe::kernel {

struct TimerExpiry {
    uint32_t session = 0;
    uint32_t kind = 0;
    uint64_t deadline = 0;  // modulo 2^deadline_w
    uint32_t position = 0;  // 1-based place in its slot's list when the slot was walked
};

class TimerWheel {
public:
    struct Config {
        uint32_t sessions = 4096;  // power of two
        uint32_t kinds = 3;        // 1..8; ids use ceil(log2(kinds)) bits (>= 1)
        uint32_t wheel = 4096;     // slots, power of two >= 64
        int deadline_w = 32;       // modular time width, > log2(wheel), <= 48
    };

    explicit TimerWheel(const Config& c, uint64_t start_tick = 0)
        : cfg_(c),
          mask_(c.deadline_w >= 64 ? ~uint64_t(0) : (uint64_t(1) << c.deadline_w) - 1),
          now_(start_tick & mask_) {
        if (c.sessions == 0 || (c.sessions & (c.sessions - 1)) != 0 || c.kinds < 1 ||
            c.kinds > 8 || c.wheel < 64 || (c.wheel & (c.wheel - 1)) != 0 ||
            c.deadline_w > 48 || (uint64_t(1) << c.deadline_w) <= c.wheel)
            throw std::invalid_argument("TimerWheel: bad configuration");
        kind_w_ = 1;
        while ((1u << kind_w_) < c.kinds) ++kind_w_;
        nodes_.resize(std::size_t(c.sessions) << kind_w_);
        heads_.assign(c.wheel, kNil);
    }

    uint64_t now() const { return now_; }
    uint32_t kind_width() const { return kind_w_; }
    uint32_t armed_count() const { return armed_; }
    uint64_t fired_count() const { return fired_; }
    uint64_t bad_commands() const { return bad_; }

    // Arms (or re-arms) timer {session, kind} to fire `delay` ticks from now (0 is taken as
    // 1). Returns false, and changes nothing, for kind >= kinds (counted as bad).
    bool arm(uint32_t session, uint32_t kind, uint64_t delay, uint64_t* deadline = nullptr) {
        if (!valid(session, kind)) return false;
        const uint32_t id = index(session, kind);
        Node& n = nodes_[id];
        if (n.armed) unlink(id);
        else ++armed_;
        n.armed = true;
        n.deadline = (now_ + (delay == 0 ? 1 : delay)) & mask_;
        link(id);
        if (deadline) *deadline = n.deadline;
        return true;
    }

    // Cancels timer {session, kind} (nothing if it is not armed). False for a bad kind.
    bool cancel(uint32_t session, uint32_t kind) {
        if (!valid(session, kind)) return false;
        const uint32_t id = index(session, kind);
        if (nodes_[id].armed) {
            unlink(id);
            nodes_[id].armed = false;
            --armed_;
        }
        return true;
    }

    bool armed(uint32_t session, uint32_t kind) const {
        return kind < cfg_.kinds && nodes_[index(session, kind)].armed;
    }
    uint64_t deadline(uint32_t session, uint32_t kind) const {
        return nodes_[index(session, kind)].deadline;
    }
    // Timers in the list of the slot that time t maps to (each costs one cycle to walk).
    uint32_t slot_size(uint64_t t) const {
        uint32_t n = 0;
        for (int32_t p = heads_[slot(t)]; p != kNil; p = nodes_[std::size_t(p)].next) ++n;
        return n;
    }

    // One tick: time advances by one and the slot of the new time is walked. Appends the
    // timers that fire, in the block's order.
    void tick(std::vector<TimerExpiry>& fired) {
        now_ = (now_ + 1) & mask_;
        const uint32_t s = slot(now_);
        uint32_t position = 0;
        int32_t p = heads_[s];
        while (p != kNil) {
            const uint32_t id = uint32_t(p);
            Node& n = nodes_[id];
            const int32_t next = n.next;
            ++position;
            if (n.deadline == now_) {
                unlink(id);
                n.armed = false;
                --armed_;
                ++fired_;
                fired.push_back({id >> kind_w_, id & ((1u << kind_w_) - 1), now_, position});
            }
            p = next;
        }
    }

private:
    static constexpr int32_t kNil = -1;
    struct Node {
        bool armed = false;
        uint64_t deadline = 0;
        int32_t next = kNil, prev = kNil;
    };

    bool valid(uint32_t session, uint32_t kind) {
        if (session >= cfg_.sessions) throw std::out_of_range("TimerWheel: session");
        if (kind >= cfg_.kinds) {
            ++bad_;
            return false;
        }
        return true;
    }
    uint32_t index(uint32_t session, uint32_t kind) const { return session << kind_w_ | kind; }
    uint32_t slot(uint64_t t) const { return uint32_t(t & (cfg_.wheel - 1)); }

    void link(uint32_t id) {
        Node& n = nodes_[id];
        int32_t& head = heads_[slot(n.deadline)];
        n.prev = kNil;
        n.next = head;
        if (head != kNil) nodes_[std::size_t(head)].prev = int32_t(id);
        head = int32_t(id);
    }
    void unlink(uint32_t id) {
        Node& n = nodes_[id];
        if (n.prev == kNil) heads_[slot(n.deadline)] = n.next;
        else nodes_[std::size_t(n.prev)].next = n.next;
        if (n.next != kNil) nodes_[std::size_t(n.next)].prev = n.prev;
        n.prev = n.next = kNil;
    }

    Config cfg_;
    uint64_t mask_;
    uint64_t now_;
    uint32_t kind_w_ = 1;
    std::vector<Node> nodes_;
    std::vector<int32_t> heads_;
    uint32_t armed_ = 0;
    uint64_t fired_ = 0, bad_ = 0;
};

}  // namespace ftoe::kernel
