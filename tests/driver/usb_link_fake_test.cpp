// UsbLink's USB machinery against a scripted libusb: this executable builds usb_link.cpp
// with the libusb functions it calls defined below (no real libusb is linked), so the
// test plays the FT2232H. It proves the FTDI vendor request sequence (codes, values,
// channel index), that several IN and OUT transfers are kept in flight, that events come
// out of 512-byte packets with their status bytes stripped, that commands leave in order,
// that an unplug or a transfer error fails every later call with a message naming the
// device, that the OUT timeout is reported, and that every failed open and every close
// gives back all it took (contexts, handles, the claimed interface, transfers).
#include <gtest/gtest.h>
#include <libusb.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "usb_link.hpp"

// ---- the scripted libusb -------------------------------------------------------------

struct libusb_context {
    int unused = 0;
};
struct libusb_device {
    uint16_t vid = 0, pid = 0;
    std::string serial;
    uint8_t bus = 1, address = 1;
};
struct libusb_device_handle {
    libusb_device* dev = nullptr;
};

namespace fake {

struct Control {
    uint8_t request_type, request;
    uint16_t value, index;
};

struct State {
    std::mutex mu;
    std::condition_variable cv;
    std::vector<libusb_device> devices;
    // failure injection
    int init_result = 0, open_result = 0, claim_result = 0;
    int fail_request = -1;  // bRequest whose control transfer fails
    uint16_t fail_value = 0;
    // bookkeeping
    int contexts = 0, handles = 0, claimed = 0, transfers = 0, auto_detach = 0;
    std::vector<Control> controls;
    std::deque<libusb_transfer*> in_pending, out_pending, done;
    std::size_t max_out_in_flight = 0;
    bool unplugged = false;
};

State& st() {
    static State s;
    return s;
}

void reset(std::vector<libusb_device> devices) {
    State& s = st();
    std::lock_guard<std::mutex> lk(s.mu);
    s.devices = std::move(devices);
    s.init_result = s.open_result = s.claim_result = 0;
    s.fail_request = -1;
    s.fail_value = 0;
    s.contexts = s.handles = s.claimed = s.transfers = s.auto_detach = 0;
    s.controls.clear();
    s.in_pending.clear();
    s.out_pending.clear();
    s.done.clear();
    s.max_out_in_flight = 0;
    s.unplugged = false;
}

// Completes `t` with `status`; its callback runs on the link's event thread.
void complete_locked(State& s, libusb_transfer* t, libusb_transfer_status status, int actual) {
    t->status = status;
    t->actual_length = actual;
    s.done.push_back(t);
    s.cv.notify_all();
}

template <class Pred>
bool wait_for(std::unique_lock<std::mutex>& lk, Pred pred) {
    return st().cv.wait_for(lk, std::chrono::seconds(5), pred);
}

// The device sends `bytes` as one IN transfer (the test lays out the packets).
bool deliver_in(const ftoe::driver::Bytes& bytes) {
    State& s = st();
    std::unique_lock<std::mutex> lk(s.mu);
    if (!wait_for(lk, [&] { return !s.in_pending.empty(); })) return false;
    libusb_transfer* t = s.in_pending.front();
    s.in_pending.pop_front();
    if (int(bytes.size()) > t->length) return false;
    std::copy(bytes.begin(), bytes.end(), t->buffer);
    complete_locked(s, t, LIBUSB_TRANSFER_COMPLETED, int(bytes.size()));
    return true;
}

// The device takes the oldest OUT transfer; nullopt if none comes within 5 s.
std::optional<ftoe::driver::Bytes> take_out(
    libusb_transfer_status status = LIBUSB_TRANSFER_COMPLETED) {
    State& s = st();
    std::unique_lock<std::mutex> lk(s.mu);
    if (!wait_for(lk, [&] { return !s.out_pending.empty(); })) return std::nullopt;
    libusb_transfer* t = s.out_pending.front();
    s.out_pending.pop_front();
    ftoe::driver::Bytes b(t->buffer, t->buffer + t->length);
    complete_locked(s, t, status, status == LIBUSB_TRANSFER_COMPLETED ? t->length : 0);
    return b;
}

void unplug() {
    State& s = st();
    std::lock_guard<std::mutex> lk(s.mu);
    s.unplugged = true;
    for (auto* q : {&s.in_pending, &s.out_pending}) {
        for (auto* t : *q) complete_locked(s, t, LIBUSB_TRANSFER_NO_DEVICE, 0);
        q->clear();
    }
}

// IN transfers waiting for data, once `n` are (or after 5 s, whatever it is then).
std::size_t in_pending_once(std::size_t n) {
    std::unique_lock<std::mutex> lk(st().mu);
    wait_for(lk, [&] { return st().in_pending.size() == n; });
    return st().in_pending.size();
}

struct FakeConfig {
    libusb_config_descriptor cfg;  // first: the pointer handed out is this one
    libusb_interface itf;
    libusb_interface_descriptor alt;
    libusb_endpoint_descriptor ep[2];
};

}  // namespace fake

int LIBUSB_CALL libusb_init(libusb_context** ctx) {
    std::lock_guard<std::mutex> lk(fake::st().mu);
    if (fake::st().init_result != 0) return fake::st().init_result;
    *ctx = new libusb_context;
    fake::st().contexts++;
    return 0;
}
void LIBUSB_CALL libusb_exit(libusb_context* ctx) {
    std::lock_guard<std::mutex> lk(fake::st().mu);
    delete ctx;
    fake::st().contexts--;
}
const char* LIBUSB_CALL libusb_error_name(int code) {
    switch (code) {
        case LIBUSB_ERROR_IO:
            return "LIBUSB_ERROR_IO";
        case LIBUSB_ERROR_ACCESS:
            return "LIBUSB_ERROR_ACCESS";
        case LIBUSB_ERROR_NO_DEVICE:
            return "LIBUSB_ERROR_NO_DEVICE";
        case LIBUSB_ERROR_BUSY:
            return "LIBUSB_ERROR_BUSY";
        case LIBUSB_ERROR_PIPE:
            return "LIBUSB_ERROR_PIPE";
        default:
            return "LIBUSB_ERROR_OTHER";
    }
}
const char* LIBUSB_CALL libusb_strerror(int) {
    return "scripted failure";
}
ssize_t LIBUSB_CALL libusb_get_device_list(libusb_context*, libusb_device*** list) {
    auto& s = fake::st();
    std::lock_guard<std::mutex> lk(s.mu);
    *list = new libusb_device*[s.devices.size() + 1];
    for (std::size_t i = 0; i < s.devices.size(); i++) (*list)[i] = &s.devices[i];
    (*list)[s.devices.size()] = nullptr;
    return ssize_t(s.devices.size());
}
void LIBUSB_CALL libusb_free_device_list(libusb_device** list, int) {
    delete[] list;
}
int LIBUSB_CALL libusb_get_device_descriptor(libusb_device* dev, libusb_device_descriptor* d) {
    *d = libusb_device_descriptor{};
    d->idVendor = dev->vid;
    d->idProduct = dev->pid;
    d->iSerialNumber = dev->serial.empty() ? 0 : 3;
    return 0;
}
uint8_t LIBUSB_CALL libusb_get_bus_number(libusb_device* dev) {
    return dev->bus;
}
uint8_t LIBUSB_CALL libusb_get_device_address(libusb_device* dev) {
    return dev->address;
}
int LIBUSB_CALL libusb_open(libusb_device* dev, libusb_device_handle** h) {
    std::lock_guard<std::mutex> lk(fake::st().mu);
    if (fake::st().open_result != 0) return fake::st().open_result;
    *h = new libusb_device_handle{dev};
    fake::st().handles++;
    return 0;
}
void LIBUSB_CALL libusb_close(libusb_device_handle* h) {
    std::lock_guard<std::mutex> lk(fake::st().mu);
    delete h;
    fake::st().handles--;
}
libusb_device* LIBUSB_CALL libusb_get_device(libusb_device_handle* h) {
    return h->dev;
}
int LIBUSB_CALL libusb_get_string_descriptor_ascii(libusb_device_handle* h, uint8_t,
                                                   unsigned char* data, int length) {
    const std::string& s = h->dev->serial;
    const int n = std::min(int(s.size()), length);
    std::memcpy(data, s.data(), std::size_t(n));
    return n;
}
int LIBUSB_CALL libusb_get_active_config_descriptor(libusb_device*,
                                                    libusb_config_descriptor** config) {
    auto* f = new fake::FakeConfig{};
    f->ep[0].bEndpointAddress = 0x81;  // channel A: IN 0x81, OUT 0x02
    f->ep[0].bmAttributes = LIBUSB_TRANSFER_TYPE_BULK;
    f->ep[0].wMaxPacketSize = 512;
    f->ep[1].bEndpointAddress = 0x02;
    f->ep[1].bmAttributes = LIBUSB_TRANSFER_TYPE_BULK;
    f->ep[1].wMaxPacketSize = 512;
    f->alt.bNumEndpoints = 2;
    f->alt.endpoint = f->ep;
    f->itf.altsetting = &f->alt;
    f->itf.num_altsetting = 1;
    f->cfg.bNumInterfaces = 1;
    f->cfg.interface = &f->itf;
    *config = &f->cfg;
    return 0;
}
void LIBUSB_CALL libusb_free_config_descriptor(libusb_config_descriptor* config) {
    delete reinterpret_cast<fake::FakeConfig*>(config);
}
int LIBUSB_CALL libusb_set_auto_detach_kernel_driver(libusb_device_handle*, int enable) {
    std::lock_guard<std::mutex> lk(fake::st().mu);
    fake::st().auto_detach = enable;
    return 0;
}
int LIBUSB_CALL libusb_claim_interface(libusb_device_handle*, int n) {
    std::lock_guard<std::mutex> lk(fake::st().mu);
    if (fake::st().claim_result != 0) return fake::st().claim_result;
    if (n != 0) return LIBUSB_ERROR_NOT_FOUND;
    fake::st().claimed++;
    return 0;
}
int LIBUSB_CALL libusb_release_interface(libusb_device_handle*, int) {
    std::lock_guard<std::mutex> lk(fake::st().mu);
    fake::st().claimed--;
    return 0;
}
int LIBUSB_CALL libusb_control_transfer(libusb_device_handle*, uint8_t request_type,
                                        uint8_t request, uint16_t value, uint16_t index,
                                        unsigned char*, uint16_t, unsigned int) {
    auto& s = fake::st();
    std::lock_guard<std::mutex> lk(s.mu);
    s.controls.push_back({request_type, request, value, index});
    if (request == s.fail_request && value == s.fail_value) return LIBUSB_ERROR_PIPE;
    return 0;
}
libusb_transfer* LIBUSB_CALL libusb_alloc_transfer(int) {
    std::lock_guard<std::mutex> lk(fake::st().mu);
    fake::st().transfers++;
    return static_cast<libusb_transfer*>(std::calloc(1, sizeof(libusb_transfer)));
}
void LIBUSB_CALL libusb_free_transfer(libusb_transfer* t) {
    std::lock_guard<std::mutex> lk(fake::st().mu);
    fake::st().transfers--;
    std::free(t);
}
int LIBUSB_CALL libusb_submit_transfer(libusb_transfer* t) {
    auto& s = fake::st();
    std::lock_guard<std::mutex> lk(s.mu);
    if (s.unplugged) return LIBUSB_ERROR_NO_DEVICE;
    if (t->endpoint & LIBUSB_ENDPOINT_IN) {
        s.in_pending.push_back(t);
    } else {
        s.out_pending.push_back(t);
        s.max_out_in_flight = std::max(s.max_out_in_flight, s.out_pending.size());
    }
    s.cv.notify_all();
    return 0;
}
int LIBUSB_CALL libusb_cancel_transfer(libusb_transfer* t) {
    auto& s = fake::st();
    std::lock_guard<std::mutex> lk(s.mu);
    for (auto* q : {&s.in_pending, &s.out_pending}) {
        auto it = std::find(q->begin(), q->end(), t);
        if (it == q->end()) continue;
        q->erase(it);
        fake::complete_locked(s, t, LIBUSB_TRANSFER_CANCELLED, 0);
        return 0;
    }
    return LIBUSB_ERROR_NOT_FOUND;
}
int LIBUSB_CALL libusb_handle_events_timeout_completed(libusb_context*, timeval* tv, int*) {
    auto& s = fake::st();
    std::deque<libusb_transfer*> ready;
    {
        std::unique_lock<std::mutex> lk(s.mu);
        s.cv.wait_for(lk, std::chrono::microseconds(tv->tv_sec * 1000000 + tv->tv_usec),
                      [&] { return !s.done.empty(); });
        ready.swap(s.done);
    }
    for (auto* t : ready) t->callback(t);  // as libusb does: callbacks without its locks
    return 0;
}

// ---- tests ---------------------------------------------------------------------------

namespace ftoe::driver {
namespace {

constexpr uint8_t kIdle0 = 0x32, kIdle1 = 0x60;

libusb_device board(std::string serial = "FT4ZQ1", uint8_t address = 7) {
    libusb_device d;
    d.vid = 0x0403;
    d.pid = 0x6010;
    d.serial = std::move(serial);
    d.address = address;
    return d;
}

// Lays `data` out as the FT2232H sends it: 512-byte packets, status bytes first.
Bytes as_packets(const Bytes& data, std::size_t from, std::size_t n) {
    Bytes t;
    for (std::size_t at = from; at < from + n; at += 510) {
        t.push_back(kIdle0);
        t.push_back(kIdle1);
        const std::size_t k = std::min<std::size_t>(510, from + n - at);
        t.insert(t.end(), data.begin() + long(at), data.begin() + long(at + k));
    }
    return t;
}

void expect_all_released() {
    std::lock_guard<std::mutex> lk(fake::st().mu);
    EXPECT_EQ(fake::st().contexts, 0) << "libusb contexts left open";
    EXPECT_EQ(fake::st().handles, 0) << "device handles left open";
    EXPECT_EQ(fake::st().claimed, 0) << "interface left claimed";
    EXPECT_EQ(fake::st().transfers, 0) << "transfers left allocated";
}

void expect_mentions(const std::string& msg, const std::string& what) {
    EXPECT_NE(msg.find(what), std::string::npos) << "expected \"" << what << "\" in: " << msg;
}

std::vector<Message> poll_messages(Link& link, std::size_t want) {
    std::vector<Message> got;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (got.size() < want && std::chrono::steady_clock::now() < deadline) {
        auto r = link.poll(std::chrono::milliseconds(100));
        if (!r) {
            ADD_FAILURE() << "poll failed: " << r.error().message;
            break;
        }
        for (auto& item : r.value()) {
            if (auto* m = std::get_if<Message>(&item)) {
                got.push_back(std::move(*m));
            } else {
                ADD_FAILURE() << "link error: " << std::get<DeframeError>(item).detail;
            }
        }
    }
    return got;
}

TEST(UsbLinkScripted, OpenSendsTheFtdiSyncFifoSequenceOnChannelA) {
    fake::reset({board()});
    {
        auto link = UsbLink::open();
        ASSERT_TRUE(link.ok()) << link.error().message;
        expect_mentions(link.value()->device(), "0403:6010");
        expect_mentions(link.value()->device(), "FT4ZQ1");
        std::lock_guard<std::mutex> lk(fake::st().mu);
        const auto& c = fake::st().controls;
        struct Want {
            uint8_t request;
            uint16_t value, index;
            const char* what;
        };
        const Want want[] = {
            {0x00, 0x0000, 1, "SIO reset"},
            {0x00, 0x0001, 1, "purge RX"},
            {0x00, 0x0002, 1, "purge TX"},
            {0x09, 0x0001, 1, "latency timer 1 ms"},
            {0x0B, 0x00FF, 1, "bitmode reset"},
            {0x0B, 0x40FF, 1, "bitmode 0x40 sync FIFO, mask 0xFF"},
            {0x02, 0x0000, 0x0101, "RTS/CTS flow control"},
        };
        ASSERT_EQ(c.size(), std::size(want));
        for (std::size_t i = 0; i < c.size(); i++) {
            EXPECT_EQ(c[i].request_type, 0x40) << want[i].what;
            EXPECT_EQ(c[i].request, want[i].request) << want[i].what;
            EXPECT_EQ(c[i].value, want[i].value) << want[i].what;
            EXPECT_EQ(c[i].index, want[i].index) << want[i].what;
        }
        EXPECT_EQ(fake::st().claimed, 1);
        EXPECT_EQ(fake::st().auto_detach, 1) << "ftdi_sio must be detached automatically";
        EXPECT_EQ(fake::st().in_pending.size(), 8u) << "IN transfers in flight";
        for (auto* t : fake::st().in_pending) {
            EXPECT_EQ(t->endpoint, 0x81);
            EXPECT_EQ(t->length % 512, 0) << "IN buffers hold whole packets";
        }
    }
    expect_all_released();
}

TEST(UsbLinkScripted, EventsComeOutOfStrippedPacketsAcrossTransfers) {
    fake::reset({board()});
    {
        auto opened = UsbLink::open();
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        UsbLink& link = *opened.value();
        Framer engine;
        Bytes stream;
        std::vector<Bytes> payloads;
        std::mt19937 rng(5);
        for (int i = 0; i < 60; i++) {
            Bytes p(std::uniform_int_distribution<std::size_t>(0, 3000)(rng));
            for (auto& b : p) b = uint8_t(rng());
            engine.frame_into(stream, Kind::kRxData, uint32_t(i), 0, p.data(), p.size());
            payloads.push_back(std::move(p));
        }
        // Transfers of random length, status-only transfers between them (idle ticks).
        std::size_t at = 0;
        while (at < stream.size()) {
            const std::size_t n = std::min(
                stream.size() - at, std::uniform_int_distribution<std::size_t>(1, 9000)(rng));
            ASSERT_TRUE(fake::deliver_in(as_packets(stream, at, n)));
            ASSERT_TRUE(fake::deliver_in(Bytes{kIdle0, kIdle1}));
            at += n;
        }
        const auto got = poll_messages(link, payloads.size());
        ASSERT_EQ(got.size(), payloads.size());
        for (std::size_t i = 0; i < got.size(); i++) {
            EXPECT_EQ(got[i].seq, uint32_t(i));
            EXPECT_EQ(got[i].payload, payloads[i]) << "event #" << i;
        }
        const UsbLinkStats st = link.stats();
        EXPECT_EQ(st.in.data_bytes, stream.size());
        EXPECT_GT(st.in.status_only_packets, 0u);
        EXPECT_EQ(fake::in_pending_once(8), 8u) << "every completed IN transfer is resubmitted";
    }
    expect_all_released();
}

TEST(UsbLinkScripted, CommandsLeaveInOrderWithSeveralOutTransfersInFlight) {
    fake::reset({board()});
    UsbConfig cfg;
    cfg.out_transfers = 3;
    cfg.out_transfer_bytes = 700;
    {
        auto opened = UsbLink::open(cfg);
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        UsbLink& link = *opened.value();
        std::vector<Bytes> payloads;
        for (int i = 0; i < 40; i++) {
            payloads.emplace_back(std::size_t(50 * i), uint8_t(i));
            auto seq = link.send(Kind::kAppData, uint32_t(i), 0, payloads.back());
            ASSERT_TRUE(seq.ok()) << seq.error().message;
        }
        Deframer fpga(/*accept_commands=*/true);
        std::vector<Message> got;
        std::size_t chunks = 0;
        while (got.size() < payloads.size()) {
            auto chunk = fake::take_out();
            ASSERT_TRUE(chunk.has_value())
                << "OUT data stopped after " << got.size() << " commands";
            EXPECT_LE(chunk->size(), 700u);
            chunks++;
            fpga.push(*chunk);
            while (auto r = fpga.next()) {
                ASSERT_TRUE(std::holds_alternative<Message>(*r))
                    << std::get<DeframeError>(*r).detail;
                got.push_back(std::get<Message>(std::move(*r)));
            }
        }
        for (std::size_t i = 0; i < got.size(); i++) {
            EXPECT_EQ(got[i].seq, uint32_t(i));
            EXPECT_EQ(got[i].payload, payloads[i]) << "command #" << i;
        }
        std::lock_guard<std::mutex> lk(fake::st().mu);
        EXPECT_EQ(fake::st().max_out_in_flight, 3u) << "OUT transfers in flight at once";
        EXPECT_GT(chunks, 3u);
    }
    expect_all_released();
}

TEST(UsbLinkScripted, UnplugFailsEveryLaterCallAfterHandingOutWhatArrived) {
    fake::reset({board()});
    {
        auto opened = UsbLink::open();
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        UsbLink& link = *opened.value();
        Framer engine;
        Bytes stream = engine.frame(Kind::kPong, kNoSession, 9, {});
        ASSERT_TRUE(fake::deliver_in(as_packets(stream, 0, stream.size())));
        // Wait until the event thread has taken the bytes, then pull the cable.
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
        while (link.stats().in.data_bytes < stream.size() &&
               std::chrono::steady_clock::now() < deadline)
            std::this_thread::sleep_for(std::chrono::milliseconds(1));
        fake::unplug();
        std::this_thread::sleep_for(std::chrono::milliseconds(50));

        auto first = link.poll(std::chrono::milliseconds(100));
        ASSERT_TRUE(first.ok()) << "what arrived before the unplug comes first: "
                                << first.error().message;
        ASSERT_EQ(first.value().size(), 1u);
        EXPECT_EQ(std::get<Message>(first.value()[0]).arg, 9);
        auto second = link.poll(std::chrono::seconds(2));
        ASSERT_FALSE(second.ok());
        const std::string msg = second.error().message;
        expect_mentions(msg, "0403:6010");
        expect_mentions(msg, "disconnected");
        auto send = link.send(Kind::kPing, 0, 0, {});
        ASSERT_FALSE(send.ok());
        EXPECT_EQ(send.error().message, msg) << "the same failure on every later call";
        auto third = link.poll(Duration::zero());
        ASSERT_FALSE(third.ok());
        EXPECT_EQ(third.error().message, msg);
    }
    expect_all_released();
}

TEST(UsbLinkScripted, OutTransferErrorFailsTheLink) {
    fake::reset({board()});
    {
        auto opened = UsbLink::open();
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        UsbLink& link = *opened.value();
        ASSERT_TRUE(link.send(Kind::kPing, 0, 0, {}).ok());
        ASSERT_TRUE(fake::take_out(LIBUSB_TRANSFER_STALL).has_value());
        auto r = link.poll(std::chrono::seconds(2));
        ASSERT_FALSE(r.ok());
        expect_mentions(r.error().message, "OUT");
        expect_mentions(r.error().message, "stalled");
        ASSERT_FALSE(link.send(Kind::kPing, 0, 0, {}).ok());
    }
    expect_all_released();
}

TEST(UsbLinkScripted, UndrainedOutTransferReportsTheFpgaIsNotReading) {
    fake::reset({board()});
    {
        auto opened = UsbLink::open();
        ASSERT_TRUE(opened.ok()) << opened.error().message;
        UsbLink& link = *opened.value();
        ASSERT_TRUE(link.send(Kind::kPing, 0, 0, {}).ok());
        ASSERT_TRUE(fake::take_out(LIBUSB_TRANSFER_TIMED_OUT).has_value());
        auto r = link.poll(std::chrono::seconds(2));
        ASSERT_FALSE(r.ok());
        expect_mentions(r.error().message, "not reading");
        expect_mentions(r.error().message, "2000 ms");
    }
    expect_all_released();
}

TEST(UsbLinkScripted, FailedVendorRequestNamesItAndReleasesEverything) {
    fake::reset({board()});
    fake::st().fail_request = 0x0B;
    fake::st().fail_value = 0x40FF;
    auto link = UsbLink::open();
    ASSERT_FALSE(link.ok());
    expect_mentions(link.error().message, "bitmode 0x40");
    expect_mentions(link.error().message, "request 0x0b value 0x40ff");
    expect_mentions(link.error().message, "0403:6010");
    expect_all_released();
}

TEST(UsbLinkScripted, PermissionDeniedNamesUdevAndRoot) {
    fake::reset({board()});
    fake::st().open_result = LIBUSB_ERROR_ACCESS;
    auto link = UsbLink::open();
    ASSERT_FALSE(link.ok());
    expect_mentions(link.error().message, "no permission");
    expect_mentions(link.error().message, "udev");
    expect_mentions(link.error().message, "root");
    expect_mentions(link.error().message, "bus 1 address 7");
    expect_all_released();
}

TEST(UsbLinkScripted, BusyInterfaceNamesTheKernelDriver) {
    fake::reset({board()});
    fake::st().claim_result = LIBUSB_ERROR_BUSY;
    auto link = UsbLink::open();
    ASSERT_FALSE(link.ok());
    expect_mentions(link.error().message, "cannot claim interface A");
    expect_mentions(link.error().message, "ftdi_sio");
    expect_all_released();
}

TEST(UsbLinkScripted, SerialNumberSelectsTheBoard) {
    libusb_device other_ftdi = board("", 3);
    other_ftdi.pid = 0x6001;
    fake::reset({other_ftdi, board("AAA111", 4), board("BBB222", 5)});
    UsbConfig cfg;
    cfg.serial = "BBB222";
    {
        auto link = UsbLink::open(cfg);
        ASSERT_TRUE(link.ok()) << link.error().message;
        expect_mentions(link.value()->device(), "BBB222");
        expect_mentions(link.value()->device(), "address 5");
    }
    expect_all_released();
    cfg.serial = "CCC333";
    auto missing = UsbLink::open(cfg);
    ASSERT_FALSE(missing.ok());
    expect_mentions(missing.error().message, "\"CCC333\"");
    expect_mentions(missing.error().message, "\"AAA111\"");  // what was there instead
    expect_mentions(missing.error().message, "0403:6001");   // the other FTDI device
    expect_all_released();
}

TEST(UsbLinkScripted, LibusbThatCannotStartStillNamesTheDevice) {
    fake::reset({});
    fake::st().init_result = LIBUSB_ERROR_OTHER;
    auto link = UsbLink::open();
    ASSERT_FALSE(link.ok());
    expect_mentions(link.error().message, "0403:6010");
    expect_mentions(link.error().message, "/dev/bus/usb");
    expect_all_released();
}

}  // namespace
}  // namespace ftoe::driver
