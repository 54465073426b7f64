// arp.cpp: see arp.hpp for the behaviour. Every entry has exactly one timer in timers_
// (its deadline): the next request or the failure of a pending entry, the expiry of a
// resolved one, the end of a failed one's hold.
#include "arp.hpp"

#include <algorithm>
#include <stdexcept>

namespace ftoe::host {

const char* arp_status_name(ArpStatus s) {
    switch (s) {
    case ArpStatus::kResolved: return "resolved";
    case ArpStatus::kPending: return "pending";
    case ArpStatus::kFailed: return "failed";
    }
    return "?";
}

ArpCache::ArpCache(ArpConfig config) : config_(std::move(config)) {
    if (config_.our_ips.empty()) throw std::invalid_argument("ArpCache: no IPv4 address");
    if (config_.requests == 0) throw std::invalid_argument("ArpCache: requests must be >= 1");
    if (config_.retry_interval_ns == 0)
        throw std::invalid_argument("ArpCache: retry_interval_ns must be > 0");
    if (config_.max_entries == 0) throw std::invalid_argument("ArpCache: max_entries must be >= 1");
}

bool ArpCache::is_our_ip(uint32_t ip) const {
    return std::find(config_.our_ips.begin(), config_.our_ips.end(), ip) != config_.our_ips.end();
}

ArpCache::Entry* ArpCache::find(uint32_t ip) {
    const auto it = entries_.find(ip);
    return it == entries_.end() ? nullptr : &it->second;
}

std::optional<MacAddress> ArpCache::lookup(uint32_t ip) const {
    const auto it = entries_.find(ip);
    if (it == entries_.end() || it->second.state != State::kResolved) return std::nullopt;
    return it->second.mac;
}

void ArpCache::set_deadline(uint32_t ip, Entry& e, uint64_t deadline) {
    timers_.erase({e.deadline, ip});
    e.deadline = deadline;
    timers_.insert({deadline, ip});
}

void ArpCache::erase(uint32_t ip) {
    const auto it = entries_.find(ip);
    if (it == entries_.end()) return;
    timers_.erase({it->second.deadline, ip});
    entries_.erase(it);
}

bool ArpCache::make_room() {
    if (entries_.size() < config_.max_entries) return true;
    uint32_t victim = 0;
    uint64_t best = UINT64_MAX;
    bool found = false;
    for (const auto& [ip, e] : entries_) {
        if (e.state == State::kPending) continue;
        if (!found || e.deadline < best) {
            victim = ip;
            best = e.deadline;
            found = true;
        }
    }
    if (!found) return false;
    erase(victim);
    ++counters_.evicted;
    return true;
}

Bytes ArpCache::make_request(uint32_t ip) {
    ++counters_.requests_sent;
    return build_arp_request(config_.our_mac, config_.our_ips.front(), ip);
}

void ArpCache::fill_mac(Bytes& frame, const MacAddress& mac) const {
    std::copy(mac.begin(), mac.end(), frame.begin());
}

bool ArpCache::run_timer(uint32_t ip, Entry& e, uint64_t now_ns, ArpPoll& out) {
    if (now_ns < e.deadline) return true;
    switch (e.state) {
    case State::kPending:
        if (e.requests_sent < config_.requests) {
            out.requests.push_back(make_request(ip));
            ++e.requests_sent;
            set_deadline(ip, e, now_ns + config_.retry_interval_ns);
            return true;
        } else {
            ArpFailure f;
            f.ip = ip;
            f.dropped.assign(std::make_move_iterator(e.queue.begin()),
                             std::make_move_iterator(e.queue.end()));
            counters_.failed_frames += e.queue.size();
            ++counters_.resolutions_failed;
            e.queue.clear();
            out.failures.push_back(std::move(f));
            e.state = State::kFailed;
            set_deadline(ip, e, now_ns + config_.failed_hold_ns);
            return true;
        }
    case State::kResolved:
        ++counters_.expired;
        erase(ip);
        return false;
    case State::kFailed:
        erase(ip);
        return false;
    }
    return true;
}

ArpCache::Entry* ArpCache::start(uint32_t ip, uint64_t now_ns, ArpResolution& r) {
    if (!make_room()) {
        ++counters_.table_full;
        r.status = ArpStatus::kFailed;
        return nullptr;
    }
    Entry& e = entries_[ip];
    e.state = State::kPending;
    e.requests_sent = 1;
    e.deadline = now_ns + config_.retry_interval_ns;
    timers_.insert({e.deadline, ip});
    r.status = ArpStatus::kPending;
    r.request = make_request(ip);
    return &e;
}

ArpResolution ArpCache::resolve(uint32_t ip, uint64_t now_ns) {
    ArpResolution r;
    Entry* e = find(ip);
    if (e != nullptr) {
        ArpPoll due;
        if (!run_timer(ip, *e, now_ns, due)) e = nullptr;  // expired: start over
        if (!due.requests.empty()) r.request = std::move(due.requests.front());
        if (!due.failures.empty()) r.dropped = std::move(due.failures.front().dropped);
    }
    if (e == nullptr) {
        start(ip, now_ns, r);
        return r;
    }
    switch (e->state) {
    case State::kResolved:
        r.status = ArpStatus::kResolved;
        r.mac = e->mac;
        break;
    case State::kPending: r.status = ArpStatus::kPending; break;
    case State::kFailed: r.status = ArpStatus::kFailed; break;
    }
    return r;
}

ArpResolution ArpCache::send_or_queue(uint32_t ip, Bytes frame, uint64_t now_ns) {
    if (frame.size() < kEthHeaderBytes)
        throw std::invalid_argument("ArpCache::send_or_queue: not an Ethernet frame");
    ArpResolution r = resolve(ip, now_ns);
    switch (r.status) {
    case ArpStatus::kResolved:
        fill_mac(frame, r.mac);
        r.frame = std::move(frame);
        break;
    case ArpStatus::kPending: {
        Entry& e = entries_.at(ip);
        if (e.queue.size() < config_.queue_limit) {
            e.queue.push_back(std::move(frame));
            ++counters_.frames_queued;
            r.queued = true;
        } else {
            ++counters_.queue_drops;
        }
        break;
    }
    case ArpStatus::kFailed: ++counters_.failed_frames; break;
    }
    return r;
}

ArpInput ArpCache::on_arp(const ArpMessage& m, uint64_t now_ns) {
    ArpInput in;
    if (!is_our_ip(m.target_ip)) {
        ++counters_.ignored;
        return in;
    }
    if (is_our_ip(m.sender_ip)) {
        ++counters_.conflicts;
        return in;
    }
    if (m.op == arp_op::kRequest) {
        in.reply = build_arp_reply(config_.our_mac, m);
        ++counters_.replies_sent;
    }
    const bool learnable = m.sender_ip != 0 && (m.sender_mac[0] & 1) == 0;
    if (!learnable) {
        ++counters_.ignored;
        return in;
    }
    Entry* e = find(m.sender_ip);
    if (e == nullptr) {
        if (!make_room()) {
            ++counters_.table_full;
            return in;
        }
        e = &entries_[m.sender_ip];
        e->deadline = now_ns;
        timers_.insert({e->deadline, m.sender_ip});
    }
    e->state = State::kResolved;
    e->mac = m.sender_mac;
    e->requests_sent = 0;
    set_deadline(m.sender_ip, *e, now_ns + config_.entry_lifetime_ns);
    for (Bytes& f : e->queue) {
        fill_mac(f, e->mac);
        in.ready.push_back(std::move(f));
    }
    counters_.frames_sent_after_resolve += e->queue.size();
    e->queue.clear();
    ++counters_.learned;
    in.learned = true;
    return in;
}

ArpPoll ArpCache::poll(uint64_t now_ns) {
    ArpPoll out;
    while (!timers_.empty() && timers_.begin()->first <= now_ns) {
        const uint32_t ip = timers_.begin()->second;
        run_timer(ip, entries_.at(ip), now_ns, out);
    }
    return out;
}

std::optional<uint64_t> ArpCache::next_deadline() const {
    if (timers_.empty()) return std::nullopt;
    return timers_.begin()->first;
}

}  // namespace ftoe::host
