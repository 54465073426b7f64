#include "conn_table.hpp"

#include <stdexcept>

namespace ftoe::kernel {

ConnTable::ConnTable(int sessions) {
    bucket_bits_ = 0;
    while ((kConnWays * kConnSlots << bucket_bits_) < sessions) bucket_bits_++;
    if ((kConnWays * kConnSlots << bucket_bits_) != sessions)
        throw std::invalid_argument("ConnTable: sessions must be a power of two >= 8");
    buckets_ = 1u << bucket_bits_;
    for (auto& way : table_) way.assign(std::size_t(buckets_) * kConnSlots, ConnEntry{});
}

int ConnTable::free_slot(int way, uint32_t bucket) const {
    for (int s = 0; s < kConnSlots; s++)
        if (!slot(way, bucket, s).valid) return s;
    return -1;
}

ConnLookup ConnTable::lookup(const FourTuple& t) const {
    for (int w = 0; w < kConnWays; w++) {
        const uint32_t b = conn_hash(t, w, bucket_bits_);
        for (int s = 0; s < kConnSlots; s++) {
            const ConnEntry& e = slot(w, b, s);
            if (e.valid && e.key == t) return {true, e.session};
        }
    }
    for (const auto& e : stash_)
        if (e.valid && e.key == t) return {true, e.session};
    return {false, 0};
}

ConnInsertResult ConnTable::insert(const FourTuple& t, uint32_t session) {
    counters_.inserts++;
    if (lookup(t).hit) return ConnInsertResult::kExists;
    const uint32_t home[kConnWays] = {conn_hash(t, 0, bucket_bits_), conn_hash(t, 1, bucket_bits_)};
    for (int w = 0; w < kConnWays; w++) {
        const int s = free_slot(w, home[w]);
        if (s >= 0) {
            slot(w, home[w], s) = {true, t, session};
            counters_.occupancy++;
            return ConnInsertResult::kInserted;
        }
    }
    // Both home buckets full: walk victims until one has room in its other way.
    struct Step {
        int way;
        uint32_t bucket;
        int slot;
    };
    Step path[kConnMaxPath];
    int way = (lfsr_ & 1) ? 1 : 0;
    uint32_t bucket = home[way];
    for (int depth = 0; depth < kConnMaxPath; depth++) {
        lfsr_ = conn_lfsr_next(lfsr_);
        // A slot may appear on the path once: moving backwards along a path that
        // revisits a slot would copy one entry twice and overwrite another. Take the
        // random slot, or the next one not yet on the path.
        int victim_slot = -1;
        for (int k = 0; k < kConnSlots && victim_slot < 0; k++) {
            const int cand = int(((lfsr_ >> 1) + uint32_t(k)) % kConnSlots);
            bool on_path = false;
            for (int i = 0; i < depth; i++)
                on_path |= path[i].way == way && path[i].bucket == bucket && path[i].slot == cand;
            if (!on_path) victim_slot = cand;
        }
        if (victim_slot < 0) break;  // every slot of this bucket is already on the path
        path[depth] = {way, bucket, victim_slot};
        const ConnEntry& victim = slot(way, bucket, victim_slot);
        const int alt_way = 1 - way;
        const uint32_t alt_bucket = conn_hash(victim.key, alt_way, bucket_bits_);
        const int free = free_slot(alt_way, alt_bucket);
        if (free >= 0) {
            // Move backwards: each victim first copied to its free destination, then its
            // old slot is overwritten by the entry before it on the path.
            int dst_way = alt_way, dst_slot = free;
            uint32_t dst_bucket = alt_bucket;
            for (int i = depth; i >= 0; i--) {
                slot(dst_way, dst_bucket, dst_slot) = slot(path[i].way, path[i].bucket, path[i].slot);
                counters_.moves++;
                dst_way = path[i].way;
                dst_bucket = path[i].bucket;
                dst_slot = path[i].slot;
            }
            slot(dst_way, dst_bucket, dst_slot) = {true, t, session};
            counters_.occupancy++;
            return ConnInsertResult::kInserted;
        }
        way = alt_way;
        bucket = alt_bucket;
    }
    for (auto& e : stash_) {
        if (!e.valid) {
            e = {true, t, session};
            counters_.occupancy++;
            counters_.stashed++;
            return ConnInsertResult::kStashed;
        }
    }
    counters_.insert_failures++;
    return ConnInsertResult::kFull;
}

bool ConnTable::remove(const FourTuple& t) {
    counters_.removes++;
    for (int w = 0; w < kConnWays; w++) {
        const uint32_t b = conn_hash(t, w, bucket_bits_);
        for (int s = 0; s < kConnSlots; s++) {
            ConnEntry& e = slot(w, b, s);
            if (e.valid && e.key == t) {
                e.valid = false;
                counters_.occupancy--;
                return true;
            }
        }
    }
    for (auto& e : stash_) {
        if (e.valid && e.key == t) {
            e.valid = false;
            counters_.occupancy--;
            return true;
        }
    }
    counters_.remove_misses++;
    return false;
}

}  // namespace ftoe::kernel
