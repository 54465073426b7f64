// Cosim of rtl/tcp_tx/tx_buf_wr.sv and tx_buf_rd.sv (joined on one memory port by
// tests/tcp_tx/tx_buf_tb.sv: SID_W 6, BUF_BYTES 8192, CHUNK 1024, MAX_SEG 2048) at 64 and
// 512 bits, with the memory model sim/models/tx_memory.hpp (itself checked first).
// - Random traffic: app packets of 1..5000 bytes over sessions installed before and
//   during the run (one always crossing 2^32), random idle on the app and request
//   streams, random memory stalls and latency, random backpressure on queued, desc and
//   payload, SND.UNA moved forward at random. Every memory write lands where its
//   sequence number says, with the app's byte, never beyond SND.UNA + BUF_BYTES and
//   never on a byte the app did not send; queued records are exactly the packets'
//   chunks in order, each chunk in memory when its record appears; reads (random seq
//   within the written, unfreed range, len 0..MAX_SEG, some across the ring's end) give
//   the payload bytes and tx_payload_sum() of the C++ stream, tags in order; at the end
//   every ring holds the newest bytes of its stream and zeros where never written.
// - Room: with SND.UNA held, the writer stops exactly when a CHUNK no longer fits (also
//   when a room check collides with installs of another session), and each advance of
//   SND.UNA releases exactly the chunks that then fit (across 2^32).
// - Queued held: two records wait in the writer, a third chunk does not start.
// - Reader staging: with the payload held, requests are taken while entries and staging
//   words last; sustained equal payloads with 3 idle cycles between them despite a slow
//   memory.
// - Cycle contracts of both headers with stalls off.
// FTOE_TX_BUF_SEED=<n> reruns the random tests with other seeds.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstdlib>
#include <deque>
#include <functional>
#include <map>
#include <random>
#include <type_traits>
#include <vector>

#include "Vtx_buf_tb_512.h"
#include "Vtx_buf_tb_64.h"
#include "clocked_model.hpp"
#include "tx_frame.hpp"
#include "tx_memory.hpp"

namespace ftoe::sim {
namespace {

constexpr uint32_t kBuf = 8192;
constexpr uint32_t kChunk = 1024;
constexpr uint32_t kMaxSeg = 2048;
constexpr uint32_t kStagingBytes = 4 * kMaxSeg;  // tx_buf_rd's staging ring
constexpr uint32_t kSessions = 64;

// FTOE_TX_BUF_SEED shifts every seed of the random tests (default 0), for soak reruns.
uint64_t seed_base() {
    const char* env = std::getenv("FTOE_TX_BUF_SEED");
    return env ? std::strtoull(env, nullptr, 10) * 1000 : 0;
}

// A session as the test sees it: every byte the app appended, from its initial seq.
struct Session {
    bool installed = false;
    uint32_t iss = 0;             // seq of bytes[0]
    uint32_t una = 0;             // SND.UNA as last given to the block
    std::vector<uint8_t> bytes;   // appended (queued to the app stream)
    uint64_t taken = 0;           // bytes the block accepted
    uint64_t queued = 0;          // bytes reported by queued records
    uint64_t una_off() const { return uint32_t(una - iss); }
};

struct Req {
    uint32_t sid, seq;
    uint16_t len;
    uint32_t tag;
    std::vector<uint8_t> expect;
};

template <typename Sig>
void set_bus(Sig& sig, const std::vector<uint8_t>& b) {
    if constexpr (std::is_integral_v<Sig>) {
        uint64_t v = 0;
        for (std::size_t i = 0; i < b.size(); i++) v |= uint64_t(b[i]) << (8 * i);
        sig = static_cast<Sig>(v);
    } else {
        for (std::size_t w = 0; w < b.size() / 4; w++)
            sig[w] = uint32_t(b[4 * w]) | uint32_t(b[4 * w + 1]) << 8 |
                     uint32_t(b[4 * w + 2]) << 16 | uint32_t(b[4 * w + 3]) << 24;
    }
}
template <typename Sig>
uint8_t bus_byte(const Sig& sig, int lane) {
    if constexpr (std::is_integral_v<Sig>) {
        return uint8_t(uint64_t(sig) >> (8 * lane));
    } else {
        return uint8_t(sig[std::size_t(lane / 4)] >> (8 * (lane % 4)));
    }
}

// The memory model alone, through a port of plain scalars (as a 64-bit model has).
struct FakePort {
    uint8_t wr_ready = 0, rd_ready = 0, rsp_valid = 0;
    uint64_t rsp_data = 0;
};

TEST(TxMemoryModel, ReadsAnswerInOrderAfterTheLatencyAndSeeEarlierWrites) {
    TxMemoryOptions o;
    o.read_latency = 3;
    TxMemory<64> mem(o);
    FakePort p;
    std::vector<std::pair<uint64_t, uint64_t>> got;  // {cycle, data}
    // cycle 0: write word 5 (strobes: lanes 0..3 only); cycle 1: read 5 and 6;
    // cycle 2: read 5 again after a second write in the same cycle
    for (uint64_t c = 0; c < 10; c++) {
        mem.drive(p.wr_ready, p.rd_ready, p.rsp_valid, p.rsp_data);
        if (p.rsp_valid) got.push_back({c, p.rsp_data});
        ASSERT_TRUE(p.wr_ready && p.rd_ready);
        const bool wv = c == 0 || c == 2;
        const uint64_t wd = c == 0 ? 0x1122334455667788ull : 0xAABBCCDDEEFF0011ull;
        const uint8_t strb = c == 0 ? 0x0F : 0xF0;
        const bool rv = c == 1 || c == 2;
        mem.sample(wv, uint64_t(5), wd, strb, rv, uint64_t(5));
    }
    ASSERT_EQ(got.size(), 2u);
    EXPECT_EQ(got[0], std::make_pair(uint64_t(4), uint64_t(0x0000000055667788ull)));
    EXPECT_EQ(got[1], std::make_pair(uint64_t(5), uint64_t(0xAABBCCDD55667788ull)));
    EXPECT_EQ(mem.peek(5 * 8 + 0), 0x88);
    EXPECT_EQ(mem.peek(5 * 8 + 7), 0xAA);
    EXPECT_EQ(mem.peek(1ull << 30), 0);  // never written: zero, and no page for it
    EXPECT_EQ(mem.pages(), 1u);
}

TEST(TxMemoryModel, RandomStallsFollowTheirPercentAndSeed) {
    TxMemoryOptions o;
    o.wr_ready_percent = 30;
    o.rd_ready_percent = 80;
    o.seed = 9;
    TxMemory<512> a(o), b(o);
    FakePort pa, pb;
    VlWide<16> da{}, db{};
    int wr = 0, rd = 0;
    for (int c = 0; c < 10000; c++) {
        a.drive(pa.wr_ready, pa.rd_ready, pa.rsp_valid, da);
        b.drive(pb.wr_ready, pb.rd_ready, pb.rsp_valid, db);
        ASSERT_EQ(pa.wr_ready, pb.wr_ready);  // same seed, same stalls
        ASSERT_EQ(pa.rd_ready, pb.rd_ready);
        wr += pa.wr_ready;
        rd += pa.rd_ready;
        a.sample(false, 0u, da, uint64_t(0), false, 0u);
        b.sample(false, 0u, db, uint64_t(0), false, 0u);
    }
    EXPECT_NEAR(wr, 3000, 300);
    EXPECT_NEAR(rd, 8000, 300);
}

template <typename Model, int W>
struct Harness {
    static constexpr int B = W / 8;
    struct Beat {
        uint32_t sid;
        std::vector<uint8_t> data;  // B bytes, junk past keep
        uint64_t keep;
        bool last;
        bool user;
    };
    struct Write {
        uint64_t cycle, addr, strb;
        std::vector<uint8_t> data;
    };
    struct Rec {
        uint32_t sid, len;
        uint64_t cycle;
        bool end, user;  // the chunk ends its packet; the packet's tuser
    };
    struct Desc {
        uint32_t tag;
        uint16_t len, sum;
        uint64_t cycle;
    };

    ClockedModel<Model> m;
    TxMemory<W> mem;
    std::mt19937_64 rng;
    int app_idle = 0, req_idle = 0;                          // percent
    int queued_ready = 100, desc_ready = 100, pay_ready = 100;  // percent
    std::array<Session, kSessions> s{};
    std::deque<Beat> app;
    std::deque<std::pair<uint32_t, uint32_t>> inits, unas;  // {sid, seq}
    std::deque<Req> reqs;
    // observed
    std::vector<uint64_t> app_cycles, app_offer_cycles, rd_cycles, req_cycles;
    std::vector<Write> writes;
    std::vector<Rec> recs;
    std::vector<Desc> descs;
    std::vector<std::vector<uint8_t>> pays;
    std::vector<uint64_t> pay_cycles;  // every payload beat taken
    std::vector<uint8_t> pay_cur;
    std::function<void(const Write&)> on_write;
    std::function<void(const Rec&)> on_rec;
    bool keep_log = true;

    Harness(TxMemoryOptions mo, uint64_t seed) : mem(mo), rng(seed) {
        auto& io = m.io();
        io.s_init_valid = 0;
        io.s_una_valid = 0;
        io.s_app_tvalid = 0;
        io.s_app_tuser = 0;
        io.s_req_valid = 0;
    }

    // Packet of `n` random bytes appended to session `sid`, with tuser `user`.
    void send(uint32_t sid, std::size_t n, bool user = false) {
        auto& ss = s[sid];
        const std::size_t at = ss.bytes.size();
        for (std::size_t i = 0; i < n; i++) ss.bytes.push_back(uint8_t(rng()));
        for (std::size_t o = 0; o < n; o += B) {
            Beat b{sid, std::vector<uint8_t>(B), 0, o + B >= n, user};
            for (int i = 0; i < B; i++) {
                const bool in = o + std::size_t(i) < n;
                b.data[std::size_t(i)] = in ? ss.bytes[at + o + std::size_t(i)] : uint8_t(rng());
                if (in) b.keep |= 1ull << i;
            }
            app.push_back(std::move(b));
        }
    }
    void install(uint32_t sid, uint32_t iss) {
        s[sid] = Session{};
        s[sid].installed = true;
        s[sid].iss = iss;
        s[sid].una = iss;
        inits.push_back({sid, iss});
    }

    void step() {
        auto& io = m.io();
        io.s_init_valid = !inits.empty();
        if (!inits.empty()) {
            io.s_init_sid = uint8_t(inits.front().first);
            io.s_init_seq = inits.front().second;
        }
        io.s_una_valid = !unas.empty();
        if (!unas.empty()) {
            io.s_una_sid = uint8_t(unas.front().first);
            io.s_una_seq = unas.front().second;
        }
        const bool go = !app.empty() && int(rng() % 100) >= app_idle;
        io.s_app_tvalid = go;
        if (!app.empty()) {
            const Beat& b = app.front();
            set_bus(io.s_app_tdata, b.data);
            io.s_app_tkeep = static_cast<std::remove_reference_t<decltype(io.s_app_tkeep)>>(b.keep);
            io.s_app_tlast = b.last;
            io.s_app_tdest = uint8_t(b.sid);
            io.s_app_tuser = b.user;
        }
        io.s_req_valid = !reqs.empty() && int(rng() % 100) >= req_idle;
        if (!reqs.empty()) {
            io.s_req_sid = uint8_t(reqs.front().sid);
            io.s_req_seq = reqs.front().seq;
            io.s_req_len = reqs.front().len;
            io.s_req_tag = reqs.front().tag;
        }
        io.m_queued_ready = int(rng() % 100) < queued_ready;
        io.m_desc_ready = int(rng() % 100) < desc_ready;
        io.m_pay_tready = int(rng() % 100) < pay_ready;
        mem.drive(io.m_wr_ready, io.m_rd_ready, io.s_rd_valid, io.s_rd_data);
        m.settle();
        const uint64_t c = m.cycle();
        if (io.m_wr_valid && io.m_wr_ready) {
            Write w{c, uint64_t(io.m_wr_addr), uint64_t(io.m_wr_strb), std::vector<uint8_t>(B)};
            for (int i = 0; i < B; i++) w.data[std::size_t(i)] = bus_byte(io.m_wr_data, i);
            if (on_write) on_write(w);
            if (keep_log) writes.push_back(std::move(w));
        }
        if (io.m_rd_valid && io.m_rd_ready && keep_log) rd_cycles.push_back(c);
        if (io.m_queued_valid && io.m_queued_ready) {
            const Rec r{uint32_t(io.m_queued_sid), uint32_t(io.m_queued_len), c,
                        bool(io.m_queued_end), bool(io.m_queued_user)};
            if (on_rec) on_rec(r);
            s[r.sid].queued += r.len;
            recs.push_back(r);
        }
        if (io.m_desc_valid && io.m_desc_ready)
            descs.push_back({uint32_t(io.m_desc_tag), uint16_t(io.m_desc_len),
                             uint16_t(io.m_desc_sum), c});
        if (io.m_pay_tvalid && io.m_pay_tready) {
            const uint64_t keep = uint64_t(io.m_pay_tkeep);
            for (int i = 0; i < B; i++) {
                if ((keep >> i) & 1) pay_cur.push_back(bus_byte(io.m_pay_tdata, i));
            }
            // keep: all ones except on the last beat, contiguous from lane 0
            if (!io.m_pay_tlast) {
                EXPECT_EQ(keep, B == 64 ? ~0ull : (1ull << B) - 1) << "cycle " << c;
            }
            EXPECT_EQ(keep & (keep + 1), 0u) << "non-contiguous tkeep, cycle " << c;
            if (keep_log) pay_cycles.push_back(c);
            if (io.m_pay_tlast) {
                pays.push_back(pay_cur);
                pay_cur.clear();
            }
        }
        const bool app_fire = go && io.s_app_tready;
        if (go && keep_log) app_offer_cycles.push_back(c);
        const bool req_fire = io.s_req_valid && io.s_req_ready;
        mem.sample(io.m_wr_valid, io.m_wr_addr, io.m_wr_data, io.m_wr_strb, io.m_rd_valid,
                   io.m_rd_addr);
        m.tick();
        if (!inits.empty()) inits.pop_front();
        if (!unas.empty()) {
            s[unas.front().first].una = unas.front().second;
            unas.pop_front();
        }
        if (app_fire) {
            const Beat& b = app.front();
            s[b.sid].taken += uint64_t(__builtin_popcountll(b.keep));
            if (keep_log) app_cycles.push_back(c);
            app.pop_front();
        }
        if (req_fire) {
            if (keep_log) req_cycles.push_back(c);
            reqs.pop_front();
        }
    }
    void run(int n) {
        for (int i = 0; i < n; i++) step();
    }
    // Byte of session `sid` at stream offset `k` as stored in memory.
    uint8_t mem_byte(uint32_t sid, uint64_t k) const {
        const uint32_t seq = uint32_t(s[sid].iss + k);
        return mem.peek(uint64_t(sid) * kBuf + seq % kBuf);
    }
};

// Chunks the block must report for a packet of n bytes.
void chunks_of(uint32_t sid, std::size_t n, std::deque<std::pair<uint32_t, uint32_t>>& out) {
    for (std::size_t o = 0; o < n; o += kChunk)
        out.push_back({sid, uint32_t(std::min<std::size_t>(kChunk, n - o))});
}

template <typename Model, int W>
void run_random(uint64_t seed, int packets) {
    std::mt19937_64 rng(seed);
    TxMemoryOptions mo;
    mo.read_latency = 1 + int(rng() % 8);
    mo.wr_ready_percent = 60 + int(rng() % 41);
    mo.rd_ready_percent = 60 + int(rng() % 41);
    mo.seed = seed + 1;
    Harness<Model, W> h(mo, seed + 2);
    h.app_idle = int(rng() % 40);
    h.req_idle = int(rng() % 40);
    h.queued_ready = 30 + int(rng() % 71);
    h.desc_ready = 30 + int(rng() % 71);
    h.pay_ready = 30 + int(rng() % 71);
    h.keep_log = false;
    SCOPED_TRACE("seed " + std::to_string(seed) + " latency " + std::to_string(mo.read_latency));

    // 6 sessions installed now, 4 more during the run; some start just below 2^32
    std::vector<uint32_t> sids;
    for (uint32_t sid : {3u, 17u, 0u, 63u, 40u, 41u, 9u, 22u, 50u, 33u}) sids.push_back(sid);
    auto pick_iss = [&]() {
        return rng() % 3 == 0 ? uint32_t(0u - uint32_t(rng() % 20000)) : uint32_t(rng());
    };
    std::size_t live = 6;
    // the first session always crosses 2^32 after at most 20000 bytes
    h.install(sids[0], uint32_t(0u - 1u - uint32_t(rng() % 20000)));
    for (std::size_t i = 1; i < live; i++) h.install(sids[i], pick_iss());

    std::deque<std::pair<uint32_t, uint32_t>> expect_recs;
    std::deque<std::pair<bool, bool>> expect_tags;  // each record's {packet end, tuser}
    std::deque<Req> pending;  // requests not yet answered in full, in order
    std::deque<Req> desc_due; // ... whose descriptor has not come (descriptors may run
                              // ahead of the payloads before them)
    uint32_t next_tag = 1;
    int sent = 0, reads = 0, reads_done = 0;
    const int want_reads = 2 * packets;
    int wrap_reads = 0;  // requests that cross the ring's end

    h.on_write = [&](const typename Harness<Model, W>::Write& w) {
        for (int i = 0; i < Harness<Model, W>::B; i++) {
            if (!((w.strb >> i) & 1)) continue;
            const uint64_t ba = w.addr * uint64_t(Harness<Model, W>::B) + uint64_t(i);
            const uint32_t sid = uint32_t(ba / kBuf), off = uint32_t(ba % kBuf);
            const Session& ss = h.s[sid];
            ASSERT_TRUE(ss.installed) << "write to session " << sid << " cycle " << w.cycle;
            // the only stream offset at this ring offset not yet queued
            const uint64_t k = ss.queued + (uint32_t(off - uint32_t(ss.iss + ss.queued)) % kBuf);
            ASSERT_LT(k, ss.taken) << "write of a byte the app did not send: session " << sid
                                   << " off " << off << " cycle " << w.cycle;
            ASSERT_LT(k - ss.una_off(), kBuf) << "write beyond SND.UNA+BUF, session " << sid;
            ASSERT_EQ(w.data[std::size_t(i)], ss.bytes[k])
                << "session " << sid << " stream byte " << k << " cycle " << w.cycle;
        }
    };
    h.on_rec = [&](const typename Harness<Model, W>::Rec& r) {
        ASSERT_FALSE(expect_recs.empty()) << "unexpected queued record";
        EXPECT_EQ(r.sid, expect_recs.front().first) << "record " << h.recs.size();
        EXPECT_EQ(r.len, expect_recs.front().second) << "record " << h.recs.size();
        EXPECT_EQ(r.end, expect_tags.front().first) << "record " << h.recs.size() << ": packet end";
        EXPECT_EQ(r.user, expect_tags.front().second) << "record " << h.recs.size() << ": tuser";
        expect_recs.pop_front();
        expect_tags.pop_front();
        const Session& ss = h.s[r.sid];
        for (uint64_t k = ss.queued; k < ss.queued + r.len; k++)
            ASSERT_EQ(h.mem_byte(r.sid, k), ss.bytes[k])
                << "queued before its byte was written: session " << r.sid << " byte " << k;
    };

    std::size_t pays_checked = 0, descs_checked = 0;
    uint64_t c = 0;
    for (; c < 5000000; c++) {
        // new app packets, kept a few ahead
        if (sent < packets && h.app.size() < 200 && rng() % 8 == 0) {
            if (live < sids.size() && rng() % 40 == 0) h.install(sids[live++], pick_iss());
            const uint32_t sid = sids[rng() % live];
            const int kind = int(rng() % 4);
            const std::size_t n = kind == 0 ? 1 + rng() % 16 : 1 + rng() % 5000;
            const bool user = rng() % 2 == 0;
            h.send(sid, n, user);
            const std::size_t before = expect_recs.size();
            chunks_of(sid, n, expect_recs);
            for (std::size_t k = before; k < expect_recs.size(); k++)
                expect_tags.push_back({k + 1 == expect_recs.size(), user});
            sent++;
        }
        // new read requests over queued, unfreed bytes
        if (reads < want_reads && h.reqs.size() < 3 && rng() % 6 == 0) {
            const uint32_t sid = sids[rng() % live];
            const Session& ss = h.s[sid];
            uint64_t lo = ss.una_off();
            for (const auto& u : h.unas)
                if (u.first == sid) lo = uint32_t(u.second - ss.iss);
            const uint64_t hi = ss.queued;
            if (h.inits.empty() && hi >= lo) {
                const uint64_t at = lo + (hi > lo ? rng() % (hi - lo + 1) : 0);
                uint64_t len = std::min<uint64_t>(kMaxSeg, hi - at);
                const int kind = int(rng() % 8);
                len = kind == 0 || len == 0 ? 0 : kind < 4 ? 1 + rng() % len : len;
                Req r{sid, uint32_t(ss.iss + at), uint16_t(len), next_tag++, {}};
                r.expect.assign(ss.bytes.begin() + std::ptrdiff_t(at),
                                ss.bytes.begin() + std::ptrdiff_t(at + len));
                if ((r.seq % kBuf) + len > kBuf) wrap_reads++;
                h.reqs.push_back(r);
                pending.push_back(r);
                desc_due.push_back(r);
                reads++;
            }
        }
        // SND.UNA forward, never past a pending read or unqueued bytes
        if (h.unas.size() < 2 && rng() % 32 == 0) {
            const uint32_t sid = sids[rng() % live];
            const Session& ss = h.s[sid];
            uint64_t limit = ss.queued;
            for (const Req& r : pending)
                if (r.sid == sid) limit = std::min<uint64_t>(limit, uint32_t(r.seq - ss.iss));
            uint64_t cur = ss.una_off();
            for (const auto& u : h.unas)
                if (u.first == sid) cur = uint32_t(u.second - ss.iss);
            // keep a large unacknowledged window most of the time, so reads have room
            if (limit > cur && limit - cur > rng() % kBuf) h.unas.push_back({sid, uint32_t(ss.iss + cur + 1 + rng() % (limit - cur))});
        }
        h.step();
        if (::testing::Test::HasFatalFailure()) return;
        // answers: descriptors in request order, payloads in the order of the requests
        // with a payload, each after its own descriptor
        while (descs_checked < h.descs.size()) {
            ASSERT_FALSE(desc_due.empty()) << "descriptor without a request";
            const auto& d = h.descs[descs_checked];
            const Req& r = desc_due.front();
            ASSERT_EQ(d.tag, r.tag) << "desc " << descs_checked;
            ASSERT_EQ(d.len, r.len) << "desc " << descs_checked;
            ASSERT_EQ(d.sum, kernel::tx_payload_sum(r.expect.data(), r.expect.size()))
                << "desc " << descs_checked << " len " << r.len << " seq " << r.seq;
            descs_checked++;
            desc_due.pop_front();
        }
        while (!pending.empty() && pending.front().len == 0 &&
               (desc_due.empty() || desc_due.front().tag != pending.front().tag)) {
            pending.pop_front();  // answered by its descriptor alone
            reads_done++;
        }
        if (pays_checked < h.pays.size()) {
            ASSERT_FALSE(pending.empty());
            ASSERT_TRUE(desc_due.empty() || desc_due.front().tag != pending.front().tag)
                << "payload of tag " << pending.front().tag << " before its descriptor";
            ASSERT_EQ(h.pays[pays_checked], pending.front().expect)
                << "payload of tag " << pending.front().tag;
            pays_checked++;
            pending.pop_front();
            reads_done++;
        }
        if (sent == packets && h.app.empty() && expect_recs.empty() && reads == want_reads &&
            pending.empty() && h.reqs.empty())
            break;
    }
    ASSERT_EQ(sent, packets);
    ASSERT_TRUE(expect_recs.empty()) << expect_recs.size() << " chunks never queued";
    ASSERT_EQ(reads_done, want_reads);
    EXPECT_GT(wrap_reads, 0) << "no read crossed the ring's end";
    bool crossed = false;  // some stream crossed 2^32
    for (const Session& ss : h.s) crossed |= ss.installed && uint64_t(ss.iss) + ss.bytes.size() > (1ull << 32);
    EXPECT_TRUE(crossed) << "no session's sequence numbers crossed 2^32";
    h.run(20);
    EXPECT_EQ(h.mem.outstanding(), 0u);
    // every session's ring: the newest BUF bytes of its stream, zero where never written
    for (uint32_t sid = 0; sid < kSessions; sid++) {
        const Session& ss = h.s[sid];
        const uint64_t n = ss.bytes.size();
        ASSERT_EQ(ss.queued, n) << "session " << sid;
        for (uint64_t k = n > kBuf ? n - kBuf : 0; k < n; k++)
            ASSERT_EQ(h.mem_byte(sid, k), ss.bytes[k]) << "session " << sid << " byte " << k;
        for (uint64_t k = n; k < kBuf; k++)
            ASSERT_EQ(h.mem_byte(sid, k), 0) << "session " << sid << " untouched byte " << k;
    }
}

TEST(TxBufCosim, RandomTraffic64_BytesAtTheirSeqQueuedInOrderReadsMatchReference) {
    for (uint64_t seed : {1u, 2u, 3u}) run_random<Vtx_buf_tb_64, 64>(seed_base() + seed, 1000);
}
TEST(TxBufCosim, RandomTraffic512_BytesAtTheirSeqQueuedInOrderReadsMatchReference) {
    for (uint64_t seed : {4u, 5u, 6u}) run_random<Vtx_buf_tb_512, 512>(seed_base() + seed, 1000);
}

// With SND.UNA held the writer takes chunks while BUF - (wr - una) >= CHUNK, then stops;
// each SND.UNA advance releases exactly the chunks that then fit.
template <typename Model, int W>
void run_room(uint64_t seed) {
    TxMemoryOptions mo;
    mo.read_latency = 3;
    mo.wr_ready_percent = 70;
    mo.seed = seed;
    Harness<Model, W> h(mo, seed + 1);
    h.app_idle = 20;
    h.queued_ready = 70;
    h.keep_log = false;
    std::mt19937_64 rng(seed);
    const uint32_t sid = 21;
    h.install(sid, 0u - 3000u - uint32_t(rng() % 3000));  // crosses 2^32 early on
    h.run(2);
    std::deque<std::pair<uint32_t, uint32_t>> chunks;
    for (int i = 0; i < 16; i++) {
        // every other packet a whole number of chunks, so the ring fills exactly
        const std::size_t n = i % 2 ? kChunk * (1 + rng() % 4) : 1 + rng() % 3500;
        h.send(sid, n);
        chunks_of(sid, n, chunks);
    }
    uint64_t una = 0, wr = 0;  // stream offsets
    std::size_t next = 0;
    for (int round = 0; next < chunks.size(); round++) {
        // chunks that fit with this SND.UNA
        while (next < chunks.size() && wr - una <= kBuf - kChunk) wr += chunks[next++].second;
        // meanwhile another session is installed again and again: its table writes share
        // the port of the room check, which must then retry, not use that session's entry
        for (int i = 0; i < (W == 64 ? 3000 : 1000); i++) {
            if (rng() % 16 == 0) h.inits.push_back({5, uint32_t(rng())});
            h.step();
        }
        SCOPED_TRACE("round " + std::to_string(round));
        ASSERT_EQ(h.recs.size(), next);
        ASSERT_EQ(h.s[sid].queued, wr);
        ASSERT_EQ(h.s[sid].taken, wr) << "bytes of a chunk without room were taken";
        for (uint64_t k = una; k < wr; k++) ASSERT_EQ(h.mem_byte(sid, k), h.s[sid].bytes[k]);
        if (next < chunks.size()) {
            ASSERT_GT(wr - una, kBuf - kChunk);
            EXPECT_FALSE(h.m.io().s_app_tready);
        }
        // release a random part of the unacknowledged bytes, or exactly enough for the
        // next chunk to just fit, or one byte less
        const int how = int(rng() % 3);
        if (how > 0 && wr - una > kBuf - kChunk + 1)
            una = wr - (kBuf - kChunk) - (how == 2 ? 1 : 0);
        else
            una += 1 + rng() % (wr - una);
        h.unas.push_back({sid, uint32_t(h.s[sid].iss + una)});
    }
}
TEST(TxBufCosim, Room64_WriterStopsWhenAChunkNoLongerFitsUnaReleasesItAcross2To32) {
    for (uint64_t seed : {7u, 8u}) run_room<Vtx_buf_tb_64, 64>(seed_base() + seed);
}
TEST(TxBufCosim, Room512_WriterStopsWhenAChunkNoLongerFitsUnaReleasesItAcross2To32) {
    for (uint64_t seed : {9u, 10u}) run_room<Vtx_buf_tb_512, 512>(seed_base() + seed);
}

// tx_buf_wr's header: tready 2 cycles after a packet's first beat is offered on an idle
// block, the beat's write 1 cycle after acceptance, 1 beat/cycle within a chunk, 2
// cycles between chunks (unaligned starts included), queued 1 cycle after a chunk's
// last write.
template <typename Model, int W>
void run_wr_contract(uint32_t start) {
    constexpr int B = W / 8;
    Harness<Model, W> h(TxMemoryOptions{}, 5);
    const uint32_t sid = 12;
    h.install(sid, start);
    h.run(5);
    const std::size_t n = 3 * kChunk + 37;
    h.send(sid, n);
    const uint64_t c0 = h.m.cycle();
    h.run(int(n) / B + 40);
    ASSERT_EQ(h.s[sid].queued, n);
    ASSERT_FALSE(h.app_offer_cycles.empty());
    EXPECT_EQ(h.app_offer_cycles.front(), c0);
    // acceptance cycles: chunk k's beats back to back, 2 idle cycles before each chunk
    const std::size_t beats_per_chunk = kChunk / B;
    const std::size_t beats = (n + B - 1) / B;
    ASSERT_EQ(h.app_cycles.size(), beats);
    for (std::size_t i = 0; i < beats; i++) {
        const std::size_t chunk = i / beats_per_chunk;
        EXPECT_EQ(h.app_cycles[i], c0 + 2 + i + 2 * chunk) << "beat " << i;
    }
    ASSERT_FALSE(h.writes.empty());
    EXPECT_EQ(h.writes.front().cycle, h.app_cycles.front() + 1);
    // each record 1 cycle after the write holding its chunk's last byte
    ASSERT_EQ(h.recs.size(), 4u);
    uint64_t end = 0;
    for (std::size_t r = 0; r < h.recs.size(); r++) {
        end += h.recs[r].len;
        const uint32_t last_seq = uint32_t(start + end - 1);
        const uint64_t word = (uint64_t(sid) * kBuf + last_seq % kBuf) / B;
        uint64_t wc = 0;
        for (const auto& w : h.writes)
            if (w.addr == word && ((w.strb >> (last_seq % B)) & 1)) wc = w.cycle;
        ASSERT_NE(wc, 0u);
        EXPECT_EQ(h.recs[r].cycle, wc + 1) << "record " << r;
    }
}
// Two queued records wait in the block; a third chunk waits for m_queued to take one.
template <typename Model, int W>
void run_wr_queued_held() {
    Harness<Model, W> h(TxMemoryOptions{}, 3);
    const uint32_t sid = 7;
    h.install(sid, 77);
    h.run(2);
    h.queued_ready = 0;
    h.send(sid, 4 * kChunk);
    h.run(1000);
    EXPECT_EQ(h.s[sid].taken, 2 * kChunk) << "a third chunk started with two records waiting";
    EXPECT_TRUE(h.recs.empty());
    EXPECT_TRUE(h.m.io().m_queued_valid);
    h.queued_ready = 100;
    h.run(1000);
    ASSERT_EQ(h.recs.size(), 4u);
    EXPECT_EQ(h.s[sid].queued, 4 * kChunk);
}
TEST(TxBufCosim, WriterQueuedHeld_TwoRecordsWaitThenTheThirdChunkStops) {
    run_wr_queued_held<Vtx_buf_tb_64, 64>();
    run_wr_queued_held<Vtx_buf_tb_512, 512>();
}
TEST(TxBufCosim, WriterContract64_LatencyAndOneBeatPerCycleWithTwoCyclesPerChunk) {
    run_wr_contract<Vtx_buf_tb_64, 64>(1000);
    run_wr_contract<Vtx_buf_tb_64, 64>(0xFFFFFF03u);
}
TEST(TxBufCosim, WriterContract512_LatencyAndOneBeatPerCycleWithTwoCyclesPerChunk) {
    run_wr_contract<Vtx_buf_tb_512, 512>(64 * 7);
    run_wr_contract<Vtx_buf_tb_512, 512>(0xFFFFFFC5u);
}

// tx_buf_rd's header: reads from the cycle after the request handshake, one per cycle;
// desc valid n + L + 3 cycles after the handshake; first payload beat 3 cycles after
// desc valid when taken at once; beats back to back; the next request is taken the
// cycle after the previous one's last read once its words fit in the staging ring, its
// reads overlapping the earlier payloads.
template <typename Model, int W>
void run_rd_contract(int latency) {
    constexpr int B = W / 8;
    TxMemoryOptions mo;
    mo.read_latency = latency;
    Harness<Model, W> h(mo, 6);
    const uint32_t sid = 30, iss = 0u - 5000u;
    h.install(sid, iss);
    h.run(3);
    h.send(sid, kBuf - kChunk);
    h.run(4000);
    ASSERT_EQ(h.s[sid].queued, kBuf - kChunk);
    struct R {
        uint32_t off;
        uint16_t len;
    };
    // unaligned, across the ring wrap and 2^32, aligned, empty, one byte
    const std::vector<R> rs = {{100, 0}, {5003, 1500}, {7, 2048}, {64, 1024}, {100, 0}, {3, 1}, {4001, 333}};
    uint32_t tag = 100;
    for (const R& r : rs) {
        Req q{sid, iss + r.off, r.len, tag++, {}};
        q.expect.assign(h.s[sid].bytes.begin() + r.off, h.s[sid].bytes.begin() + r.off + r.len);
        h.reqs.push_back(q);
    }
    h.rd_cycles.clear();
    h.pay_cycles.clear();
    h.run(2000);
    ASSERT_EQ(h.req_cycles.size(), rs.size());
    ASSERT_EQ(h.descs.size(), rs.size());
    ASSERT_EQ(h.pays.size(), rs.size() - 2);  // no payload for len 0
    std::vector<uint64_t> release(rs.size());  // cycle a request's staging buffer frees
    std::size_t rd_i = 0, beat_i = 0, pay_i = 0;
    uint64_t prev_dv = 0;          // the previous descriptor's cycle
    uint64_t rd_next = 0;          // first cycle the staging reads are free again
    uint64_t last_read = 0;        // cycle of the previous payload's last staging read
    bool after_payload = false;    // ... and nothing passed since
    for (std::size_t i = 0; i < rs.size(); i++) {
        SCOPED_TRACE("request " + std::to_string(i));
        const uint64_t hs = h.req_cycles[i];
        const uint32_t a = (iss + rs[i].off) % B;
        const uint64_t nw = (a + rs[i].len + B - 1) / B, m = (rs[i].len + B - 1) / B;
        if (i > 0) {
            // taken in the cycle of the previous request's last read (the cycle after its
            // own for len 0), once its entry (that of the request 4 back) is free and its
            // words fit in the staging ring's free words
            const uint32_t pa = (iss + rs[i - 1].off) % B;
            const uint64_t pnw = (pa + rs[i - 1].len + B - 1) / B;
            uint64_t ready = h.req_cycles[i - 1] + std::max<uint64_t>(pnw, 1);
            if (i >= 4) ready = std::max(ready, release[i - 4] + 1);
            uint64_t reserved = 0;  // words of earlier requests
            for (std::size_t j = 0; j < i; j++) reserved += (rs[j].len + B - 1) / B;
            auto used_at = [&](uint64_t cyc) {  // reserved minus beats taken before cyc
                uint64_t popped = 0;
                for (uint64_t pc : h.pay_cycles) popped += pc < cyc;
                return reserved - popped;
            };
            while (used_at(ready) + m > kStagingBytes / B) ready++;
            EXPECT_EQ(hs, ready);
        }
        for (uint64_t k = 0; k < nw; k++) EXPECT_EQ(h.rd_cycles[rd_i + k], hs + 1 + k) << "read " << k;
        rd_i += nw;
        // desc offered once staged, n + L + 3 cycles after the handshake (2 for len 0),
        // in order, independent of the payloads before it
        const uint64_t fill = nw == 0 ? hs + 2 : hs + nw + uint64_t(latency) + 3;
        const uint64_t dv = std::max(fill, i > 0 ? prev_dv + 1 : 0);
        EXPECT_EQ(h.descs[i].cycle, dv);
        EXPECT_EQ(h.descs[i].tag, 100 + i);
        EXPECT_EQ(h.descs[i].len, rs[i].len);
        EXPECT_EQ(h.descs[i].sum, kernel::tx_payload_sum(h.s[sid].bytes.data() + rs[i].off, rs[i].len));
        prev_dv = dv;
        if (m > 0) {
            // the staging reads: taken over in the cycle of the previous payload's last
            // read when this one is staged by then, else started the cycle after both
            const uint64_t first_read = after_payload && fill <= last_read
                                            ? last_read + 1
                                            : std::max(fill, rd_next) + 1;
            EXPECT_EQ(h.pays[pay_i], std::vector<uint8_t>(h.s[sid].bytes.begin() + rs[i].off,
                                                          h.s[sid].bytes.begin() + rs[i].off + rs[i].len));
            for (uint64_t k = 0; k < m; k++)
                EXPECT_EQ(h.pay_cycles[beat_i + k], first_read + 2 + k) << "beat " << k;
            release[i] = first_read + 2 + m - 1;
            last_read = first_read + m - 1;
            rd_next = last_read + 1;
            after_payload = true;
            beat_i += m;
            pay_i++;
        } else {
            release[i] = dv;  // released by its descriptor
            rd_next = std::max(hs + 1, rd_next) + 1;  // the reads pass it in one cycle
            after_payload = false;
        }
    }
}

// With the payload stream held, requests are taken while one of the 4 entries is free
// and their words fit in the 4*MAX_SEG staging ring; releasing it lets the rest through.
template <typename Model, int W>
void run_rd_held(uint64_t seed) {
    constexpr int B = W / 8;
    TxMemoryOptions mo;
    mo.read_latency = 5;
    Harness<Model, W> h(mo, seed);
    std::mt19937_64 rng(seed);
    const uint32_t sid = 44, iss = uint32_t(rng());
    h.install(sid, iss);
    h.run(3);
    h.send(sid, kBuf - kChunk);
    h.run(4000);
    ASSERT_EQ(h.s[sid].queued, kBuf - kChunk);
    for (int round = 0; round < 20; round++) {
        SCOPED_TRACE("round " + std::to_string(round));
        const std::size_t n = 2 + rng() % 5;
        std::vector<std::vector<uint8_t>> expect;
        for (std::size_t i = 0; i < n; i++) {
            const uint16_t len = uint16_t(1 + rng() % kMaxSeg);
            const uint32_t off = uint32_t(rng() % (kBuf - kChunk - len));
            const auto at = h.s[sid].bytes.begin() + std::ptrdiff_t(off);
            expect.emplace_back(at, at + len);
            h.reqs.push_back(Req{sid, iss + off, len, uint32_t(i), {}});
        }
        // the prefix that fits
        std::size_t fit = 0;
        uint64_t words = 0;
        while (fit < n && fit < 4 && words + (expect[fit].size() + B - 1) / B <= kStagingBytes / B)
            words += (expect[fit++].size() + B - 1) / B;
        h.pay_ready = 0;
        const std::size_t base = h.req_cycles.size(), pbase = h.pays.size();
        h.run(1500);
        EXPECT_EQ(h.req_cycles.size() - base, fit);
        h.pay_ready = 100;
        h.run(3000);
        ASSERT_EQ(h.req_cycles.size() - base, n);
        ASSERT_EQ(h.pays.size() - pbase, n);
        for (std::size_t i = 0; i < n; i++) EXPECT_EQ(h.pays[pbase + i], expect[i]) << "payload " << i;
    }
}
TEST(TxBufCosim, ReaderHeld64_RequestsTakenWhileEntriesAndStagingWordsLast) {
    run_rd_held<Vtx_buf_tb_64, 64>(seed_base() + 31);
}
TEST(TxBufCosim, ReaderHeld512_RequestsTakenWhileEntriesAndStagingWordsLast) {
    run_rd_held<Vtx_buf_tb_512, 512>(seed_base() + 32);
}

// Equal payloads back to back with a slow memory: the staging ring covers the fill, so
// every payload after the first follows the previous one with no idle cycle, or one
// when it is unaligned (its memory words are one more than its beats).
template <typename Model, int W>
void run_rd_sustained(int latency, uint16_t len) {
    constexpr int B = W / 8;
    TxMemoryOptions mo;
    mo.read_latency = latency;
    Harness<Model, W> h(mo, 8);
    const uint32_t sid = 2, iss = 12345;
    h.install(sid, iss);
    h.run(3);
    h.send(sid, kBuf - kChunk);
    h.run(4000);
    ASSERT_EQ(h.s[sid].queued, kBuf - kChunk);
    const int count = 20;
    std::vector<std::vector<uint8_t>> expect;
    for (int i = 0; i < count; i++) {
        const uint32_t off = uint32_t(i * 301) % (kBuf - kChunk - len);
        const auto at = h.s[sid].bytes.begin() + std::ptrdiff_t(off);
        expect.emplace_back(at, at + len);
        h.reqs.push_back(Req{sid, iss + off, len, uint32_t(i), {}});
    }
    h.pay_cycles.clear();
    h.run(count * (len / B + 100));
    ASSERT_EQ(h.pays.size(), std::size_t(count));
    const std::size_t m = (len + B - 1) / B;
    ASSERT_EQ(h.pay_cycles.size(), count * m);
    for (int i = 0; i < count; i++) {
        SCOPED_TRACE("payload " + std::to_string(i));
        const std::size_t first = std::size_t(i) * m;
        EXPECT_EQ(h.pays[std::size_t(i)], expect[std::size_t(i)]);
        for (std::size_t k = 1; k < m; k++)
            EXPECT_EQ(h.pay_cycles[first + k], h.pay_cycles[first + k - 1] + 1);
        if (i > 0) {
            // back to back; an unaligned payload reads one word more than it has beats
            // (at one memory read a cycle): one idle cycle before it
            const uint32_t off = uint32_t(i * 301) % (kBuf - kChunk - len);
            const std::size_t n = ((iss + off) % B + len + B - 1) / B;
            EXPECT_EQ(h.pay_cycles[first], h.pay_cycles[first - 1] + 1 + (n - m));
        }
    }
}
TEST(TxBufCosim, ReaderSustained64_StagingRingHidesA140CycleMemory) {
    for (int l : {1, 40, 140}) run_rd_sustained<Vtx_buf_tb_64, 64>(l, 1460);
}
TEST(TxBufCosim, ReaderSustained512_StagingRingHidesA16CycleMemory) {
    for (int l : {1, 16}) run_rd_sustained<Vtx_buf_tb_512, 512>(l, 1460);
}
TEST(TxBufCosim, ReaderContract64_DescAfterWordsPlusLatencyPlus3BeatsBackToBack) {
    for (int l : {1, 4, 9}) run_rd_contract<Vtx_buf_tb_64, 64>(l);
}
TEST(TxBufCosim, ReaderContract512_DescAfterWordsPlusLatencyPlus3BeatsBackToBack) {
    for (int l : {1, 4, 9}) run_rd_contract<Vtx_buf_tb_512, 512>(l);
}

}  // namespace
}  // namespace ftoe::sim
