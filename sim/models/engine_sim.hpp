// engine_sim.hpp: the Verilated ftoe_engine with its four streams driven a cycle at a
// time: Ethernet frames into MAC RX (with random idle between beats), framed host
// commands into the host link (through driver::Framer, so the engine sees exactly what
// a host would send), events out of the host link back through driver::Deframer, and
// frames out of MAC TX and payload out of the app RX stream, all three outputs under
// random backpressure; app data into the app TX stream (random idle), and the TX
// buffer's external memory served by tx_memory.hpp (sparse, fixed read latency, random
// stalls).
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <deque>
#include <functional>
#include <random>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "clocked_model.hpp"
#include "frame.hpp"
#include "tx_memory.hpp"
#include "wire_format.hpp"

namespace ftoe::sim {

struct EngineSimOptions {
    int rx_idle_percent = 0;       // chance of an idle cycle before each MAC RX beat
    int host_ready_percent = 100;  // chance the host takes an event byte in a cycle
    int tx_ready_percent = 100;    // chance the MAC takes a TX beat in a cycle
    int app_ready_percent = 100;   // chance the app takes an app RX beat in a cycle
    int app_tx_idle_percent = 0;   // chance of an idle cycle before each app TX beat
    int mem_latency = 4;           // TX buffer memory: cycles from read accepted to data
    int mem_ready_percent = 100;   // chance the memory accepts a read / a write in a cycle
    bool echo = false;             // every app RX beat goes back out as app TX in the next
                                   // cycle, as rtl/apps/echo_app.sv does
    int cycles_per_tick = 156;     // time base: 1 us at 156.25 MHz (0: no ticks)
    uint64_t seed = 1;
    bool record_cycles = true;     // keep rx_tlast_cycles / host_byte_cycles (soak runs: off)
    bool deframe_events = true;    // false: host-link bytes go to host_out raw (a Link
                                   // above does its own deframing)
};

// Whether a model has the engine's app streams (ftoe_engine) or keeps them inside
// (ftoe_echo_top: the echo app is on them).
template <typename M, typename = void>
struct HasAppPorts : std::false_type {};
template <typename M>
struct HasAppPorts<M, std::void_t<decltype(std::declval<M&>().m_app_rx_tvalid)>> : std::true_type {};

template <typename Model, int DATA_W>
class EngineSim {
public:
    static constexpr bool kAppPorts = HasAppPorts<Model>::value;
    using Beat = kernel::AxisBeat<DATA_W>;
    static constexpr int kDataW = DATA_W;
    using Event = std::variant<driver::Message, driver::DeframeError>;

    explicit EngineSim(EngineSimOptions o = {})
        : opt_(o), rng_(o.seed),
          mem_(TxMemoryOptions{o.mem_latency, o.mem_ready_percent, o.mem_ready_percent,
                               o.seed + 1}) {
        auto& io = sim_.io();
        io.s_mac_rx_tvalid = 0;
        io.s_host_tvalid = 0;
        io.m_host_tready = 0;
        io.m_mac_tx_tready = 0;
        if constexpr (kAppPorts) {
            io.m_app_rx_tready = 0;
            io.s_app_tx_tvalid = 0;
        }
        io.m_mem_wr_ready = 0;
        io.m_mem_rd_ready = 0;
        io.s_mem_rd_valid = 0;
        io.tick = 0;
    }

    Model& io() { return sim_.io(); }
    const EngineSimOptions& options() const { return opt_; }
    // The engine's time base: cycles evaluated plus cycles skipped (skip_cycles()).
    uint64_t cycle() const { return sim_.cycle() + skipped_; }
    uint64_t evaluated_cycles() const { return sim_.cycle(); }
    // Advances the time base by `n` cycles without evaluating the model, for a system
    // model that stops clocking an engine with nothing to do (quiet for a while and
    // timers_idle): the engine would have spent them idle, and its ticks stay in phase
    // with simulated time.
    void skip_cycles(uint64_t n) { skipped_ += n; }
    // Whether the last step() moved anything on a port (a beat, a host byte, a memory
    // request) or left input waiting.
    bool active() const { return active_; }

    // MAC RX: the frame's beats are queued behind earlier frames. tuser marks the last
    // beat when `mac_error`.
    void send_frame(const Bytes& frame, bool mac_error = false) {
        auto beats = to_beats<DATA_W>(frame);
        for (std::size_t i = 0; i < beats.size(); i++)
            rx_.push_back({beats[i], mac_error && i + 1 == beats.size()});
        ++frames_queued_;
    }
    // A framed command, numbered by this host's Framer.
    void send_command(driver::Kind kind, uint32_t session, uint16_t arg, const Bytes& payload = {}) {
        send_host_bytes(framer_.frame(kind, session, arg, payload));
    }
    void send_host_bytes(const Bytes& b) { host_in_.insert(host_in_.end(), b.begin(), b.end()); }
    // App TX: bytes appended to a session's stream, one packet, queued behind earlier ones.
    void send_app(uint32_t session, const Bytes& bytes) {
        static_assert(kAppPorts, "this model keeps its app streams inside");
        auto beats = to_beats<DATA_W>(bytes);
        for (auto& b : beats) app_tx_.push_back({b, session});
    }
    driver::Framer& framer() { return framer_; }

    void step() {
        auto& io = sim_.io();
        const bool rx_go = !rx_.empty() && int(rng_() % 100) >= opt_.rx_idle_percent;
        io.s_mac_rx_tvalid = rx_go;
        if (rx_go) {
            set_mac_rx(io, rx_.front().beat);
            io.s_mac_rx_tlast = rx_.front().beat.last;
            io.s_mac_rx_tuser = rx_.front().error;
        }
        io.s_host_tvalid = !host_in_.empty();
        if (!host_in_.empty()) io.s_host_tdata = host_in_.front();
        io.m_host_tready = int(rng_() % 100) < opt_.host_ready_percent;
        io.m_mac_tx_tready = int(rng_() % 100) < opt_.tx_ready_percent;
        const bool app_ready = int(rng_() % 100) < opt_.app_ready_percent;
        (void)app_ready;  // a model without app ports draws it too: same random sequence
        io.tick = opt_.cycles_per_tick > 0 && cycle() % uint64_t(opt_.cycles_per_tick) == 0;
        const bool app_go = !app_tx_.empty() && int(rng_() % 100) >= opt_.app_tx_idle_percent;
        if constexpr (kAppPorts) {
            io.m_app_rx_tready = app_ready;
            io.s_app_tx_tvalid = app_go;
            if (app_go) {
                set_wide(io.s_app_tx_tdata, app_tx_.front().beat);
                io.s_app_tx_tkeep = static_cast<std::remove_reference_t<decltype(io.s_app_tx_tkeep)>>(
                    app_tx_.front().beat.keep);
                io.s_app_tx_tlast = app_tx_.front().beat.last;
                io.s_app_tx_tdest = static_cast<std::remove_reference_t<decltype(io.s_app_tx_tdest)>>(
                    app_tx_.front().session);
            }
        }
        mem_.drive(io.m_mem_wr_ready, io.m_mem_rd_ready, io.s_mem_rd_valid, io.s_mem_rd_data);
        if (!clock_low_seen_) {
            const OutputSnapshot before = registered_outputs(io);
            sim_.settle();
            expect_unchanged(before, registered_outputs(io));
        } else if (app_go) {
            sim_.settle();  // s_app_tx_tready follows the offered beat
        } else {
            sim_.skip_settle(clock_low_seen_);
        }
        mem_.sample(io.m_mem_wr_valid, io.m_mem_wr_addr, io.m_mem_wr_data, io.m_mem_wr_strb,
                    io.m_mem_rd_valid, io.m_mem_rd_addr);
        active_ = !inputs_drained() || io.m_mem_wr_valid || io.m_mem_rd_valid ||
                  io.s_mem_rd_valid || io.m_host_tvalid || io.m_mac_tx_tvalid;
        if constexpr (kAppPorts) active_ = active_ || io.m_app_rx_tvalid;
        if constexpr (kAppPorts) {
            if (app_go && io.s_app_tx_tready) {
                if (app_tx_.front().beat.last && opt_.record_cycles)
                    app_tx_last_cycles.push_back(sim_.cycle());
                app_tx_.pop_front();
            }
        }
        if (rx_go && io.s_mac_rx_tready) {
            if (rx_.front().beat.last && opt_.record_cycles) rx_tlast_cycles.push_back(sim_.cycle());
            rx_.pop_front();
        }
        if (io.s_host_tvalid && io.s_host_tready) host_in_.pop_front();
        if (io.m_host_tvalid && io.m_host_tready) {
            const uint8_t b = io.m_host_tdata;
            if (opt_.deframe_events) deframer_.push(&b, 1);
            else host_out.push_back(b);
            last_host_byte_cycle = sim_.cycle();
            if (opt_.record_cycles) host_byte_cycles.push_back(sim_.cycle());
        }
        if (io.m_mac_tx_tvalid && io.m_mac_tx_tready) collect_tx(io);
        if constexpr (kAppPorts) {
            if (io.m_app_rx_tvalid && io.m_app_rx_tready) collect_app_rx(io);
        }
        sim_.tick();
        while (auto e = deframer_.next()) events.push_back(std::move(*e));
    }

    // Steps until `done` holds (checked before each cycle); false after `max_cycles`.
    bool run_until(const std::function<bool()>& done, uint64_t max_cycles) {
        for (uint64_t i = 0; i < max_cycles; i++) {
            if (done()) return true;
            step();
        }
        return done();
    }
    void run(uint64_t cycles) {
        for (uint64_t i = 0; i < cycles; i++) step();
    }
    // From now on the clock goes low without an eval() (ClockedModel::skip_settle(hook)),
    // except in a cycle that offers an app TX beat: s_app_tx_tready is the one output
    // step() reads before the edge that an input drives combinationally. Without this call every cycle is settled, and each
    // settle checks that the other outputs read before the edge kept their values (see
    // registered_outputs()), so every engine test holds the RTL to what this relies on.
    // nullptr: every cycle is settled again.
    void settle_free(void (*clock_low_seen)(Model&)) { clock_low_seen_ = clock_low_seen; }
    // The app's readiness on app RX from now on (0: it takes nothing).
    void set_app_ready_percent(int percent) { opt_.app_ready_percent = percent; }
    // The host's readiness on the host link's event bytes from now on.
    void set_host_ready_percent(int percent) { opt_.host_ready_percent = percent; }
    bool inputs_drained() const { return rx_.empty() && host_in_.empty() && app_tx_.empty(); }

    std::deque<Event> events;                 // from the host link, in order
    std::deque<uint8_t> host_out;             // raw host-link bytes (deframe_events off)
    std::vector<Bytes> tx_frames;             // from MAC TX, in order
    std::vector<uint64_t> tx_first_cycles;    // cycle each MAC TX frame's first beat was taken
    struct AppPacket {
        uint32_t session;
        Bytes bytes;
        uint64_t first_cycle;                 // the cycle its first beat was taken
        uint64_t last_cycle;                  // the cycle its tlast beat was taken
    };
    std::vector<AppPacket> app_rx;            // from the app RX stream, in order
    std::vector<uint64_t> rx_tlast_cycles;    // cycle each MAC RX frame's tlast was taken
    std::vector<uint64_t> host_byte_cycles;   // cycle each host-link byte was taken
    std::vector<uint64_t> app_tx_last_cycles; // cycle each app TX packet's tlast was taken
    uint64_t last_host_byte_cycle = 0;

private:
    // Output values, as the bytes Verilator holds them in.
    struct PortBytes {
        std::array<uint8_t, 256> b{};  // enough for DATA_W 512
        std::size_t n = 0;
        template <typename T>
        void put(const T& v) {
            static_assert(std::is_trivially_copyable_v<T>);
            static_assert(sizeof(T) <= sizeof(b));
            if (n + sizeof(T) <= b.size()) std::memcpy(b.data() + n, &v, sizeof(T));
            n += sizeof(T);
        }
        bool operator==(const PortBytes& o) const {
            return n == o.n && n <= b.size() && std::memcmp(b.data(), o.b.data(), n) == 0;
        }
    };
    // The outputs step() reads before the edge, but s_app_tx_tready, each with its name.
    struct OutputSnapshot {
        static constexpr std::size_t kMax = 24;
        PortBytes bytes;
        std::array<const char*, kMax> names{};
        std::array<std::size_t, kMax> ends{};  // where each one's bytes end
        std::size_t count = 0;
        template <typename T>
        void put(const char* name, const T& v) {
            bytes.put(v);
            if (count < kMax) {
                names[count] = name;
                ends[count] = bytes.n;
            }
            count++;
        }
    };
    static OutputSnapshot registered_outputs(const Model& io) {
        OutputSnapshot o;
        o.put("s_mac_rx_tready", io.s_mac_rx_tready);
        o.put("s_host_tready", io.s_host_tready);
        o.put("m_host_tvalid", io.m_host_tvalid);
        o.put("m_host_tdata", io.m_host_tdata);
        o.put("m_mac_tx_tvalid", io.m_mac_tx_tvalid);
        o.put("m_mac_tx_tdata", io.m_mac_tx_tdata);
        o.put("m_mac_tx_tkeep", io.m_mac_tx_tkeep);
        o.put("m_mac_tx_tlast", io.m_mac_tx_tlast);
        o.put("m_mem_wr_valid", io.m_mem_wr_valid);
        o.put("m_mem_wr_addr", io.m_mem_wr_addr);
        o.put("m_mem_wr_data", io.m_mem_wr_data);
        o.put("m_mem_wr_strb", io.m_mem_wr_strb);
        o.put("m_mem_rd_valid", io.m_mem_rd_valid);
        o.put("m_mem_rd_addr", io.m_mem_rd_addr);
        if constexpr (kAppPorts) {
            o.put("m_app_rx_tvalid", io.m_app_rx_tvalid);
            o.put("m_app_rx_tdata", io.m_app_rx_tdata);
            o.put("m_app_rx_tkeep", io.m_app_rx_tkeep);
            o.put("m_app_rx_tlast", io.m_app_rx_tlast);
            o.put("m_app_rx_tdest", io.m_app_rx_tdest);
        }
        return o;
    }
    // Settling with this cycle's inputs changed one of them: the RTL has grown a
    // combinational path from an input to it, and settle_free() would read it stale.
    static void expect_unchanged(const OutputSnapshot& before, const OutputSnapshot& after) {
        if (before.bytes == after.bytes) return;
        std::size_t start = 0;
        for (std::size_t i = 0; i < std::min(before.count, OutputSnapshot::kMax); i++) {
            const std::size_t end = before.ends[i];
            if (std::memcmp(before.bytes.b.data() + start, after.bytes.b.data() + start, end - start) != 0)
                throw std::logic_error(std::string("EngineSim: output ") + before.names[i] +
                                       " changed when the clock went low with this cycle's inputs: an"
                                       " input drives it combinationally, which settle_free() (the"
                                       " system model's stepping) does not allow");
            start = end;
        }
        throw std::logic_error("EngineSim: more outputs than OutputSnapshot::kMax");
    }
    void (*clock_low_seen_)(Model&) = nullptr;  // set: settle_free()

    struct RxBeat {
        Beat beat;
        bool error;
    };
    static constexpr int kWords = DATA_W / 64;
    using Words = std::array<uint64_t, kWords>;
    template <typename Sig>
    static void set_wide(Sig& sig, const Beat& b) {
        Words w{};
        for (int i = 0; i < kWords; i++) w[std::size_t(i)] = b.data[i];
        set_words(sig, w);
    }
    template <typename Sig>
    static void set_words(Sig& sig, const Words& w) {
        if constexpr (DATA_W <= 64) {
            sig = w[0];
        } else {
            for (int i = 0; i < DATA_W / 32; i++)
                sig[i] = uint32_t(w[std::size_t(i / 2)] >> (32 * (i % 2)));
        }
    }
    template <typename Sig>
    static Words get_words(const Sig& sig) {
        Words w{};
        if constexpr (DATA_W <= 64) {
            w[0] = uint64_t(sig);
        } else {
            for (int i = 0; i < DATA_W / 32; i++)
                w[std::size_t(i / 2)] |= uint64_t(sig[i]) << (32 * (i % 2));
        }
        return w;
    }
    static void set_mac_rx(Model& io, const Beat& b) {
        set_wide(io.s_mac_rx_tdata, b);
        io.s_mac_rx_tkeep = static_cast<std::remove_reference_t<decltype(io.s_mac_rx_tkeep)>>(b.keep);
    }
    void collect_tx(Model& io) {
        if (tx_partial_.empty() && opt_.record_cycles) tx_first_cycles.push_back(sim_.cycle());
        for (int lane = 0; lane < DATA_W / 8; lane++) {
            if (!((uint64_t(io.m_mac_tx_tkeep) >> lane) & 1)) continue;
            if constexpr (DATA_W <= 64)
                tx_partial_.push_back(uint8_t(uint64_t(io.m_mac_tx_tdata) >> (8 * lane)));
            else
                tx_partial_.push_back(uint8_t(io.m_mac_tx_tdata[lane / 4] >> (8 * (lane % 4))));
        }
        if (io.m_mac_tx_tlast) {
            tx_frames.push_back(std::move(tx_partial_));
            tx_partial_.clear();
        }
    }

    // One app packet per delivered segment: tkeep contiguous from lane 0, only the tlast
    // beat partial, one session per packet (the checks a consumer relies on).
    template <typename M>
    void collect_app_rx(M& io) {
        const uint64_t keep = uint64_t(io.m_app_rx_tkeep);
        int n = 0;
        while (n < DATA_W / 8 && ((keep >> n) & 1)) n++;
        if ((n < DATA_W / 8 && !io.m_app_rx_tlast) || (n < 64 && (keep >> n) != 0))
            app_rx_malformed++;
        if (opt_.echo) {
            Beat b{};
            const Words w = get_words(io.m_app_rx_tdata);
            for (int i = 0; i < kWords; i++) b.data[i] = w[std::size_t(i)];
            b.keep = keep;
            b.last = io.m_app_rx_tlast;
            app_tx_.push_back({b, uint32_t(io.m_app_rx_tdest)});
        }
        if (app_partial_.empty()) {
            app_session_ = io.m_app_rx_tdest;
            app_first_cycle_ = sim_.cycle();
        }
        else if (app_session_ != io.m_app_rx_tdest) app_rx_malformed++;
        for (int lane = 0; lane < n; lane++) {
            if constexpr (DATA_W <= 64)
                app_partial_.push_back(uint8_t(uint64_t(io.m_app_rx_tdata) >> (8 * lane)));
            else
                app_partial_.push_back(uint8_t(io.m_app_rx_tdata[lane / 4] >> (8 * (lane % 4))));
        }
        if (io.m_app_rx_tlast) {
            app_rx.push_back({app_session_, std::move(app_partial_), app_first_cycle_, sim_.cycle()});
            app_partial_.clear();
        }
    }

public:
    uint64_t app_rx_malformed = 0;            // beats breaking the app stream's rules

private:
    EngineSimOptions opt_;
    std::mt19937_64 rng_;
    ClockedModel<Model> sim_;
    std::deque<RxBeat> rx_;
    std::deque<uint8_t> host_in_;
    struct AppTxBeat {
        Beat beat;
        uint32_t session;
    };
    std::deque<AppTxBeat> app_tx_;
    TxMemory<DATA_W> mem_;
    driver::Framer framer_;
    driver::Deframer deframer_{false};
    Bytes tx_partial_;
    Bytes app_partial_;
    uint32_t app_session_ = 0;
    uint64_t app_first_cycle_ = 0;
    uint64_t frames_queued_ = 0;
    uint64_t skipped_ = 0;
    bool active_ = true;
};

}  // namespace ftoe::sim
