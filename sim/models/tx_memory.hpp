// tx_memory.hpp: the TX buffer's external memory (DDR on a board) as a cycle-stepped
// model behind a word-wide port: writes {addr, data, byte strobes}, one-word read
// requests, read responses in request order a fixed number of cycles later, with no
// backpressure on the responses.
//
// Storage is sparse (4 KiB pages created on first write; never-written bytes read 0),
// so 4096 sessions x 64 KiB cost only what the test touches. One write and one read are
// accepted per cycle; each ready can be dropped at random (seeded) to stall the
// requester. A read sees every write accepted before it, and a write accepted in the
// same cycle (writes are applied first).
//
// Per cycle, around the Verilated model's settle()/tick():
//     mem.drive(io.m_wr_ready, io.m_rd_ready, io.s_rd_valid, io.s_rd_data);  // inputs
//     model.settle();
//     mem.sample(io.m_wr_valid, io.m_wr_addr, io.m_wr_data, io.m_wr_strb,
//                io.m_rd_valid, io.m_rd_addr);                               // outputs
//     model.tick();
// The signal arguments are the model's port members, whatever their names; each may be
// a Verilator scalar (CData..QData) or a VlWide array of 32-bit words.
// A read accepted in the cycle of sample() number c is answered by drive() in cycle
// c + read_latency (read_latency >= 1).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <memory>
#include <random>
#include <stdexcept>
#include <type_traits>
#include <unordered_map>

namespace ftoe::sim {

struct TxMemoryOptions {
    int read_latency = 4;        // cycles from a read's acceptance to its response
    int wr_ready_percent = 100;  // chance that a write is accepted in a cycle
    int rd_ready_percent = 100;  // chance that a read is accepted in a cycle
    uint64_t seed = 1;
};

template <int DATA_W>
class TxMemory {
public:
    static_assert(DATA_W >= 64 && DATA_W <= 1024 && (DATA_W & (DATA_W - 1)) == 0,
                  "DATA_W must be a power of two in 64..1024");
    static constexpr int kBytes = DATA_W / 8;
    static constexpr int kWords = DATA_W / 64;
    static constexpr uint64_t kPage = 4096;
    using Word = std::array<uint64_t, kWords>;  // lane i = bits 8*(i%8) of [i/8]

    explicit TxMemory(TxMemoryOptions o = {}) : opt_(o), rng_(o.seed) {
        if (o.read_latency < 1) throw std::invalid_argument("TxMemory: read_latency must be >= 1");
    }

    // ---- direct access for tests (byte address = word address * kBytes + lane)
    uint8_t peek(uint64_t byte_addr) const {
        const auto it = pages_.find(byte_addr / kPage);
        return it == pages_.end() ? 0 : (*it->second)[byte_addr % kPage];
    }
    void poke(uint64_t byte_addr, uint8_t v) { page(byte_addr / kPage)[byte_addr % kPage] = v; }
    Word read_word(uint64_t word_addr) const {
        Word w{};
        for (int i = 0; i < kBytes; i++)
            w[std::size_t(i / 8)] |= uint64_t(peek(word_addr * kBytes + uint64_t(i))) << (8 * (i % 8));
        return w;
    }
    std::size_t pages() const { return pages_.size(); }

    // ---- the port, once per cycle
    // Before settle: this cycle's readies and the response due now.
    template <typename WrReady, typename RdReady, typename RspValid, typename RspData>
    void drive(WrReady& wr_ready, RdReady& rd_ready, RspValid& rsp_valid, RspData& rsp_data) {
        wr_ready_ = int(rng_() % 100) < opt_.wr_ready_percent;
        rd_ready_ = int(rng_() % 100) < opt_.rd_ready_percent;
        wr_ready = wr_ready_;
        rd_ready = rd_ready_;
        const bool due = !pipe_.empty() && pipe_.front().due == cycle_;
        rsp_valid = due;
        if (due) {
            set_word(rsp_data, pipe_.front().data);
            pipe_.pop_front();
            ++responses_;
        }
    }
    // After settle: takes the write and the read the requester offers, if accepted.
    template <typename WrValid, typename Addr, typename Data, typename Strb, typename RdValid,
              typename RdAddr>
    void sample(const WrValid& wr_valid, const Addr& wr_addr, const Data& wr_data,
                const Strb& wr_strb, const RdValid& rd_valid, const RdAddr& rd_addr) {
        if (wr_valid && wr_ready_) {
            const Word d = get_word(wr_data);
            const Word s = get_bits(wr_strb);
            const uint64_t base = uint64_t(wr_addr) * kBytes;
            for (int i = 0; i < kBytes; i++)
                if ((s[std::size_t(i / 64)] >> (i % 64)) & 1)
                    poke(base + uint64_t(i), uint8_t(d[std::size_t(i / 8)] >> (8 * (i % 8))));
            ++writes_;
        }
        if (rd_valid && rd_ready_) {
            pipe_.push_back({cycle_ + uint64_t(opt_.read_latency), read_word(uint64_t(rd_addr))});
            ++reads_;
        }
        ++cycle_;
    }

    uint64_t writes() const { return writes_; }        // writes accepted
    uint64_t reads() const { return reads_; }          // reads accepted
    uint64_t responses() const { return responses_; }  // reads answered
    std::size_t outstanding() const { return pipe_.size(); }

private:
    struct Pending {
        uint64_t due;
        Word data;
    };
    std::array<uint8_t, kPage>& page(uint64_t n) {
        auto& p = pages_[n];
        if (!p) p = std::make_unique<std::array<uint8_t, kPage>>();  // zero-filled
        return *p;
    }
    // Verilator gives a port of <= 64 bits a scalar, a wider one a VlWide of 32-bit words.
    template <typename Sig>
    static Word get_word(const Sig& sig) {
        Word w{};
        if constexpr (std::is_integral_v<Sig>) {
            w[0] = uint64_t(sig);
        } else {
            for (int i = 0; i < DATA_W / 32; i++)
                w[std::size_t(i / 2)] |= uint64_t(sig[std::size_t(i)]) << (32 * (i % 2));
        }
        return w;
    }
    // Strobe bits: bit i of the result's [i/64].
    template <typename Sig>
    static Word get_bits(const Sig& sig) {
        Word w{};
        if constexpr (std::is_integral_v<Sig>) {
            w[0] = uint64_t(sig);
        } else {
            for (int i = 0; i < (kBytes + 31) / 32; i++)
                w[std::size_t(i / 2)] |= uint64_t(sig[std::size_t(i)]) << (32 * (i % 2));
        }
        return w;
    }
    template <typename Sig>
    static void set_word(Sig& sig, const Word& w) {
        if constexpr (std::is_integral_v<Sig>) {
            sig = static_cast<Sig>(w[0]);
        } else {
            for (int i = 0; i < DATA_W / 32; i++)
                sig[std::size_t(i)] = uint32_t(w[std::size_t(i / 2)] >> (32 * (i % 2)));
        }
    }

    TxMemoryOptions opt_;
    std::mt19937_64 rng_;
    std::unordered_map<uint64_t, std::unique_ptr<std::array<uint8_t, kPage>>> pages_;
    std::deque<Pending> pipe_;
    bool wr_ready_ = false, rd_ready_ = false;
    uint64_t cycle_ = 0;
    uint64_t writes_ = 0, reads_ = 0, responses_ = 0;
};

}  // namespace ftoe::sim
