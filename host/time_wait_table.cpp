// time_wait_table.cpp: see time_wait_table.hpp for the layout and why the expiry list is
// exact. Segment handling follows RFC 9293 §3.10.7.4 for TIME-WAIT, with RFC 6191,
// RFC 7323 (PAWS, TS.Recent), RFC 5961 and RFC 1337 where they change it.
#include "time_wait_table.hpp"

#include <algorithm>
#include <stdexcept>
#include <string>

namespace ftoe::host {

const char* insert_result_name(InsertResult r) {
    switch (r) {
    case InsertResult::kInserted: return "inserted";
    case InsertResult::kEvictedOldest: return "evicted-oldest";
    case InsertResult::kSkipped: return "skipped";
    case InsertResult::kUpdated: return "updated";
    case InsertResult::kTooManyLocalAddresses: return "too-many-local-addresses";
    }
    return "?";
}

const char* time_wait_action_name(TimeWaitAction a) {
    switch (a) {
    case TimeWaitAction::kNone: return "none";
    case TimeWaitAction::kSendAck: return "send-ack";
    case TimeWaitAction::kAcceptSyn: return "accept-syn";
    case TimeWaitAction::kRejectSynSendAck: return "reject-syn-send-ack";
    case TimeWaitAction::kIgnoreRst: return "ignore-rst";
    case TimeWaitAction::kRstCloses: return "rst-closes";
    case TimeWaitAction::kDrop: return "drop";
    }
    return "?";
}

TimeWaitTable::TimeWaitTable(const TimeWaitConfig& config) : config_(config) {
    if (config.capacity == 0 || config.capacity > kMaxCapacity)
        throw std::invalid_argument("TimeWaitTable: capacity " + std::to_string(config.capacity) +
                                    " outside 1.." + std::to_string(kMaxCapacity));
    if (config.two_msl_us == 0 || config.two_msl_us > kMaxTwoMslUs)
        throw std::invalid_argument("TimeWaitTable: 2MSL of " + std::to_string(config.two_msl_us) +
                                    " us outside 1.." + std::to_string(kMaxTwoMslUs));
    // Entries are trivially constructible: new[] leaves them unwritten, so the pages of
    // a large slab are committed only as entries are first used.
    slab_.reset(new Entry[config.capacity]);
    const uint64_t want = (uint64_t(config.capacity) * 4 + 2) / 3 + 1;
    uint64_t slots = 16;
    while (slots < want) slots <<= 1;
    index_mask_ = uint32_t(slots - 1);
    index_.reset(new uint32_t[slots]);
    std::fill(index_.get(), index_.get() + slots, kEmptySlot);
}

std::size_t TimeWaitTable::memory_bytes() const {
    return std::size_t(config_.capacity) * sizeof(Entry) +
           (std::size_t(index_mask_) + 1) * sizeof(uint32_t) +
           local_ips_.capacity() * sizeof(uint32_t) + local_refs_.capacity() * sizeof(uint32_t) +
           free_ids_.capacity() * sizeof(uint16_t) +
           local_map_.bucket_count() * sizeof(void*) +
           local_map_.size() * (sizeof(void*) + sizeof(std::pair<const uint32_t, uint16_t>));
}

// ---- entries -------------------------------------------------------------------------

TimeWaitState TimeWaitTable::state_of(const Entry& e) const {
    TimeWaitState s;
    s.snd_nxt = e.snd_nxt;
    s.rcv_nxt = e.rcv_nxt;
    s.ts_enabled = ts_of(e);
    s.ts_recent = e.ts_recent;
    return s;
}

FourTuple TimeWaitTable::tuple_of(const Entry& e) const {
    FourTuple t;
    t.remote_ip = e.remote_ip;
    t.local_ip = local_ips_[local_id_of(e)];
    t.remote_port = e.remote_port;
    t.local_port = e.local_port;
    return t;
}

// Every live entry expires in (now_us_, now_us_ + 2MSL] and 2MSL < 2^32, so the distance
// from now_us_ taken modulo 2^32 is the true distance.
uint64_t TimeWaitTable::expiry_of(const Entry& e) const {
    return now_us_ + uint32_t(e.expiry - uint32_t(now_us_));
}

void TimeWaitTable::remove_entry(uint32_t i) {
    Entry& e = slab_[i];
    index_remove(i);  // before local_release: it rehashes the tuple
    list_unlink(i);
    local_release(local_id_of(e));
    set_next(e, free_head_);
    free_head_ = i;
    --size_;
    counters_.entries = size_;
}

// ---- time ----------------------------------------------------------------------------

void TimeWaitTable::advance(uint64_t now_us) {
    if (now_us < now_us_)
        throw std::invalid_argument("TimeWaitTable: time went back from " +
                                    std::to_string(now_us_) + " to " + std::to_string(now_us) +
                                    " us");
    // The list is sorted by expiry: stop at the first entry still alive.
    while (head_ != kNil && expiry_of(slab_[head_]) <= now_us) {
        remove_entry(head_);
        ++counters_.expired;
    }
    now_us_ = now_us;
}

std::size_t TimeWaitTable::expire(uint64_t now_us) {
    const std::size_t before = size_;
    advance(now_us);
    return before - size_;
}

std::optional<uint64_t> TimeWaitTable::next_expiry_us() const {
    if (head_ == kNil) return std::nullopt;
    return expiry_of(slab_[head_]);
}

// ---- expiry list ---------------------------------------------------------------------

void TimeWaitTable::list_append(uint32_t i) {
    Entry& e = slab_[i];
    set_prev(e, tail_);
    set_next(e, kNil);
    if (tail_ != kNil)
        set_next(slab_[tail_], i);
    else
        head_ = i;
    tail_ = i;
}

void TimeWaitTable::list_unlink(uint32_t i) {
    const Entry& e = slab_[i];
    const uint32_t p = prev_of(e), n = next_of(e);
    if (p != kNil)
        set_next(slab_[p], n);
    else
        head_ = n;
    if (n != kNil)
        set_prev(slab_[n], p);
    else
        tail_ = p;
}

// The new expiry, now + 2MSL, is >= every other entry's, so the tail is its place.
void TimeWaitTable::restart(uint32_t i) {
    slab_[i].expiry = uint32_t(now_us_ + config_.two_msl_us);
    if (tail_ != i) {
        list_unlink(i);
        list_append(i);
    }
}

// ---- index ---------------------------------------------------------------------------

uint32_t TimeWaitTable::find_index(const FourTuple& t) const {
    const std::optional<uint16_t> id = local_id(t.local_ip);
    if (!id) return kNil;
    const uint64_t h = hash_four_tuple(t, config_.hash_seed);
    const uint32_t tag = tag_of(h);
    for (uint32_t s = home_slot(h);; s = (s + 1) & index_mask_) {
        const uint32_t w = index_[s];
        if (w == kEmptySlot) return kNil;  // load <= 3/4: an empty slot always ends a probe
        if ((w & ~kNil) != tag) continue;
        const Entry& e = slab_[w & kNil];
        if (e.remote_ip == t.remote_ip && e.remote_port == t.remote_port &&
            e.local_port == t.local_port && local_id_of(e) == *id)
            return w & kNil;
    }
}

void TimeWaitTable::index_add(uint32_t i, uint64_t h) {
    uint32_t s = home_slot(h);
    while (index_[s] != kEmptySlot) s = (s + 1) & index_mask_;
    index_[s] = tag_of(h) | i;
}

// Linear-probing deletion by backward shift: every word after the hole up to the next
// empty slot moves into the hole unless its home lies cyclically in (hole, its slot].
void TimeWaitTable::index_remove(uint32_t i) {
    uint32_t hole = home_slot(hash_four_tuple(tuple_of(slab_[i]), config_.hash_seed));
    while ((index_[hole] & kNil) != i) hole = (hole + 1) & index_mask_;
    for (uint32_t j = (hole + 1) & index_mask_; index_[j] != kEmptySlot;
         j = (j + 1) & index_mask_) {
        const uint32_t k =
            home_slot(hash_four_tuple(tuple_of(slab_[index_[j] & kNil]), config_.hash_seed));
        const bool stays = hole <= j ? (hole < k && k <= j) : (hole < k || k <= j);
        if (!stays) {
            index_[hole] = index_[j];
            hole = j;
        }
    }
    index_[hole] = kEmptySlot;
}

bool TimeWaitTable::contains(const FourTuple& tuple) const { return find_index(tuple) != kNil; }

std::optional<TimeWaitEntry> TimeWaitTable::find(const FourTuple& tuple) const {
    const uint32_t i = find_index(tuple);
    if (i == kNil) return std::nullopt;
    TimeWaitEntry out;
    out.state = state_of(slab_[i]);
    out.expiry_us = expiry_of(slab_[i]);
    return out;
}

// ---- local addresses -----------------------------------------------------------------

std::optional<uint16_t> TimeWaitTable::local_id(uint32_t local_ip) const {
    // A host has a handful of addresses: a scan of a few words beats hashing.
    if (local_ips_.size() <= kScanIds) {
        for (std::size_t id = 0; id < local_ips_.size(); ++id)
            if (local_ips_[id] == local_ip && local_refs_[id] != 0) return uint16_t(id);
        return std::nullopt;
    }
    const auto it = local_map_.find(local_ip);
    if (it == local_map_.end()) return std::nullopt;
    return it->second;
}

std::optional<uint16_t> TimeWaitTable::local_acquire(uint32_t local_ip) {
    if (const std::optional<uint16_t> id = local_id(local_ip)) {
        ++local_refs_[*id];
        return id;
    }
    uint16_t id;
    if (!free_ids_.empty()) {
        id = free_ids_.back();
        free_ids_.pop_back();
    } else if (local_ips_.size() < kMaxLocalAddresses) {
        id = uint16_t(local_ips_.size());
        local_ips_.push_back(0);
        local_refs_.push_back(0);
    } else {
        return std::nullopt;
    }
    local_ips_[id] = local_ip;
    local_refs_[id] = 1;
    local_map_.emplace(local_ip, id);
    return id;
}

void TimeWaitTable::local_release(uint16_t id) {
    if (--local_refs_[id] != 0) return;
    local_map_.erase(local_ips_[id]);
    free_ids_.push_back(id);
}

// ---- insert / erase ------------------------------------------------------------------

InsertResult TimeWaitTable::insert(const FourTuple& tuple, const TimeWaitState& state,
                                   uint64_t now_us) {
    advance(now_us);
    if (const uint32_t found = find_index(tuple); found != kNil) {
        Entry& e = slab_[found];
        e.snd_nxt = state.snd_nxt;
        e.rcv_nxt = state.rcv_nxt;
        e.ts_recent = state.ts_recent;
        e.links = (e.links & ~(uint64_t(1) << 63)) | (uint64_t(state.ts_enabled) << 63);
        restart(found);
        ++counters_.updates;
        return InsertResult::kUpdated;
    }
    // Take the local-address id first, so an eviction below cannot recycle it.
    const std::optional<uint16_t> id = local_acquire(tuple.local_ip);
    if (!id) {
        ++counters_.local_address_refusals;
        return InsertResult::kTooManyLocalAddresses;
    }
    InsertResult result = InsertResult::kInserted;
    if (size_ == config_.capacity) {
        ++counters_.overflows;
        if (config_.overflow == OverflowPolicy::kSkipTimeWait) {
            local_release(*id);
            ++counters_.skipped;
            return InsertResult::kSkipped;
        }
        remove_entry(head_);  // the head is the entry closest to expiry
        ++counters_.evictions;
        result = InsertResult::kEvictedOldest;
    }
    uint32_t i;
    if (free_head_ != kNil) {
        i = free_head_;
        free_head_ = next_of(slab_[i]);
    } else {
        i = slab_used_++;
    }
    Entry& e = slab_[i];
    e.remote_ip = tuple.remote_ip;
    e.remote_port = tuple.remote_port;
    e.local_port = tuple.local_port;
    e.snd_nxt = state.snd_nxt;
    e.rcv_nxt = state.rcv_nxt;
    e.ts_recent = state.ts_recent;
    e.expiry = uint32_t(now_us + config_.two_msl_us);
    e.links = (uint64_t(state.ts_enabled) << 63) | (uint64_t(*id) << 48) |
              (uint64_t(kNil) << 24) | kNil;
    index_add(i, hash_four_tuple(tuple, config_.hash_seed));
    list_append(i);
    ++size_;
    counters_.entries = size_;
    ++counters_.inserts;
    return result;
}

bool TimeWaitTable::erase(const FourTuple& tuple) {
    const uint32_t i = find_index(tuple);
    if (i == kNil) return false;
    remove_entry(i);
    ++counters_.erased;
    return true;
}

// ---- segments ------------------------------------------------------------------------

TimeWaitReply TimeWaitTable::ack_reply(const Entry& e, TimeWaitAction action) const {
    TimeWaitReply r;
    r.action = action;
    r.seq = e.snd_nxt;  // <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>
    r.ack = e.rcv_nxt;
    r.has_ts = ts_of(e);
    r.tsecr = e.ts_recent;
    return r;
}

// A SYN without ACK for a tuple in TIME-WAIT. RFC 9293 §3.10.7.4 ("fourth, check the SYN
// bit") lets TIME-WAIT accept a new connection when timestamps show it is new (RFC 6191
// §2), and §3.6.1 MAY-2 lets it accept one whose sequence number is above the old
// incarnation's (RFC 1122 §4.2.2.13). Everything else gets the challenge ACK of RFC 5961
// §4 (RFC 6191 would drop a rejected SYN silently when timestamps were in use; we ACK it
// as the issue asks, which is what RFC 9293 says for a SYN in a synchronized state).
TimeWaitReply TimeWaitTable::on_syn(uint32_t i, const TimeWaitSegment& seg) {
    Entry& e = slab_[i];
    bool new_incarnation;
    if (ts_of(e)) {
        if (seg.has_ts)
            new_incarnation = seq_gt(seg.tsval, e.ts_recent) ||
                              (seg.tsval == e.ts_recent && seq_gt(seg.seq, e.rcv_nxt));
        else
            new_incarnation = seq_gt(seg.seq, e.rcv_nxt);
    } else {
        // No timestamps before: a SYN with them cannot be a duplicate of the previous
        // incarnation (RFC 6191 §2); without them the sequence number decides (MAY-2).
        new_incarnation = seg.has_ts || seq_gt(seg.seq, e.rcv_nxt);
    }
    if (!new_incarnation) {
        ++counters_.syns_rejected;
        return ack_reply(e, TimeWaitAction::kRejectSynSendAck);
    }
    TimeWaitReply r;
    r.action = TimeWaitAction::kAcceptSyn;
    r.prior = state_of(e);
    remove_entry(i);
    ++counters_.reuses;
    return r;
}

// The order of the checks is RFC 9293 §3.10.7.4's. TIME-WAIT's receive window is zero
// (the peer's FIN ended its data), so the only acceptable segment is one with SEG.LEN = 0
// and SEG.SEQ = RCV.NXT (a bare ACK or RST), as in the "RCV.WND = 0" rows of the
// acceptability table.
TimeWaitReply TimeWaitTable::on_segment(const FourTuple& tuple, const TimeWaitSegment& seg,
                                        uint64_t now_us) {
    advance(now_us);
    TimeWaitReply r;
    const uint32_t i = find_index(tuple);
    if (i == kNil) return r;
    Entry& e = slab_[i];
    const bool syn = seg.flags & tcp_flag::kSyn, rst = seg.flags & tcp_flag::kRst;
    const bool ack = seg.flags & tcp_flag::kAck, fin = seg.flags & tcp_flag::kFin;

    // A connection request is judged before the sequence check: with a zero window that
    // check would refuse every SYN, and RFC 6191 / MAY-2 are about exactly these.
    if (syn && !ack && !rst) return on_syn(i, seg);

    if (rst) {
        // RFC 1337 §3 (fix 1): ignore RST in TIME-WAIT, whatever its sequence number,
        // so an old duplicate RST cannot assassinate TIME-WAIT.
        if (config_.rfc1337) {
            ++counters_.rsts_ignored;
            r.action = TimeWaitAction::kIgnoreRst;
            return r;
        }
        // RFC 9293 "second, check the RST bit" with RFC 5961 §3.2: only SEG.SEQ = RCV.NXT
        // resets (TIME-WAIT: delete the TCB); with a zero window no other RST is in the
        // window, so none earns a challenge ACK: drop it.
        if (seg.seq == e.rcv_nxt) {
            r.action = TimeWaitAction::kRstCloses;
            r.prior = state_of(e);
            remove_entry(i);
            ++counters_.rsts_closed;
            return r;
        }
        ++counters_.dropped;
        r.action = TimeWaitAction::kDrop;
        return r;
    }

    const bool ts = ts_of(e);
    // RFC 7323 §3.2: once timestamps are negotiated, a non-RST segment without a TSopt
    // SHOULD be dropped silently.
    if (ts && !seg.has_ts) {
        ++counters_.dropped;
        r.action = TimeWaitAction::kDrop;
        return r;
    }
    // PAWS (RFC 7323 §5.3 R1): an older timestamp is an old duplicate: ACK and drop.
    if (ts && seq_lt(seg.tsval, e.ts_recent)) {
        ++counters_.acks_sent;
        return ack_reply(e, TimeWaitAction::kSendAck);
    }

    const uint32_t seg_len = seg.payload_len + (syn ? 1u : 0u) + (fin ? 1u : 0u);
    // The peer's FIN again (our ACK of it was lost): its FIN occupies RCV.NXT - 1, so the
    // segment ends at RCV.NXT. RFC 9293 §3.10.7.4 fifth/eighth, TIME-WAIT: acknowledge it
    // and restart the 2MSL timeout. SEG.SEQ < RCV.NXT = Last.ACK.sent, so its TSval
    // becomes TS.Recent (RFC 7323 §4.3).
    if (fin && !syn && seg.seq + seg_len == e.rcv_nxt) {
        if (ts) e.ts_recent = seg.tsval;
        restart(i);
        ++counters_.fin_reacks;
        ++counters_.restarts;
        r = ack_reply(e, TimeWaitAction::kSendAck);
        r.timer_restarted = true;
        return r;
    }
    // "first, check sequence number": unacceptable segments are ACKed and dropped.
    if (seg_len != 0 || seg.seq != e.rcv_nxt) {
        ++counters_.acks_sent;
        return ack_reply(e, TimeWaitAction::kSendAck);
    }
    // "fifth, check the ACK field": no ACK bit, drop.
    if (!ack) {
        ++counters_.dropped;
        r.action = TimeWaitAction::kDrop;
        return r;
    }
    // An ACK of something not yet sent: send an ACK, drop.
    if (seq_gt(seg.ack, e.snd_nxt)) {
        ++counters_.acks_sent;
        return ack_reply(e, TimeWaitAction::kSendAck);
    }
    // An acceptable bare ACK: TIME-WAIT restarts the 2MSL timeout (fifth step) but never
    // answers an ACK with an ACK (two ends in TIME-WAIT would ping-pong forever).
    if (ts) e.ts_recent = seg.tsval;
    restart(i);
    ++counters_.restarts;
    ++counters_.dropped;
    r.action = TimeWaitAction::kDrop;
    r.timer_restarted = true;
    return r;
}

}  // namespace ftoe::host
