#include "usb_link.hpp"

#include <libusb.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>

namespace ftoe::driver {
namespace {

// FTDI vendor requests (bmRequestType 0x40: vendor, device, host-to-device). wIndex
// selects the channel: 1 = A.
constexpr uint8_t kReqTypeVendorOut = 0x40;
constexpr uint8_t kSioReset = 0x00;            // wValue 0: reset, 1: purge RX, 2: purge TX
constexpr uint8_t kSioSetFlowCtrl = 0x02;      // wIndex high byte: 0x01 = RTS/CTS
constexpr uint8_t kSioSetLatencyTimer = 0x09;  // wValue: milliseconds
constexpr uint8_t kSioSetBitmode = 0x0B;       // wValue: mode << 8 | pin mask
constexpr uint16_t kResetSio = 0, kPurgeRx = 1, kPurgeTx = 2;
constexpr uint16_t kBitmodeReset = 0x00, kBitmodeSyncFifo = 0x40;
constexpr uint16_t kFlowRtsCts = 0x0100;
constexpr int kInterfaceA = 0;     // libusb interface number of channel A
constexpr uint16_t kChannelA = 1;  // its wIndex in vendor requests
constexpr unsigned kControlTimeoutMs = 1000;

std::string usb_err(int code) {
    return std::string(libusb_error_name(code)) + ": " + libusb_strerror(code);
}

const char* transfer_status_text(libusb_transfer_status s) {
    switch (s) {
        case LIBUSB_TRANSFER_COMPLETED:
            return "completed";
        case LIBUSB_TRANSFER_ERROR:
            return "transfer error";
        case LIBUSB_TRANSFER_TIMED_OUT:
            return "timed out";
        case LIBUSB_TRANSFER_CANCELLED:
            return "cancelled";
        case LIBUSB_TRANSFER_STALL:
            return "endpoint stalled";
        case LIBUSB_TRANSFER_NO_DEVICE:
            return "device disconnected";
        case LIBUSB_TRANSFER_OVERFLOW:
            return "overflow (device sent more than asked)";
    }
    return "unknown transfer status";
}

std::string check_list(const std::string& id) {
    std::string s = "Check: the board is powered on and its USB cable is plugged into the port ";
    s += "wired to the FT2232H; `lsusb -d " + id + "` lists the device; your user may open it ";
    s += "(a udev rule granting access to " + id + ", or run as root); the ftdi_sio kernel ";
    s += "driver is detached from interface A and no other program (JTAG server, openocd, ";
    s += "a second ftoe) holds it.";
    return s;
}

}  // namespace

std::string usb_id_string(uint16_t vid, uint16_t pid) {
    char s[16];
    std::snprintf(s, sizeof s, "%04x:%04x", unsigned(vid), unsigned(pid));
    return s;
}

// The byte transport of a UsbLink. Every member below mu_ is guarded by it; libusb
// callbacks run on thread_ and take mu_ themselves.
class UsbTransport final : public ByteTransport {
public:
    static Result<std::unique_ptr<UsbTransport>> open(const UsbConfig& config);
    ~UsbTransport() override;

    Status write(const uint8_t* p, std::size_t n) override;
    Status read(Bytes& out, Duration wait_at_most) override;
    Duration now() const override {
        return std::chrono::duration_cast<Duration>(std::chrono::steady_clock::now() - t0_);
    }

    UsbLinkStats stats() const;
    const std::string& device() const { return device_; }

private:
    struct Slot {
        UsbTransport* owner = nullptr;
        libusb_transfer* transfer = nullptr;
        Bytes buf;
        bool busy = false;
    };

    explicit UsbTransport(const UsbConfig& config) : config_(config) {}

    std::optional<Error> find_and_open();
    std::optional<Error> configure();
    std::optional<Error> start();
    std::optional<Error> vendor_request(const char* what, uint8_t request, uint16_t value,
                                        uint16_t index);

    static void LIBUSB_CALL on_in_done(libusb_transfer* t);
    static void LIBUSB_CALL on_out_done(libusb_transfer* t);
    void in_done(Slot& s);
    void out_done(Slot& s);
    bool submit_locked(Slot& s, const char* dir);
    void pump_out_locked();
    void fail_locked(const std::string& why);
    void event_loop();

    const UsbConfig config_;
    const std::chrono::steady_clock::time_point t0_ = std::chrono::steady_clock::now();
    std::string id_ = usb_id_string(config_.vid, config_.pid);
    std::string device_ = "FT2232H " + id_;
    libusb_context* ctx_ = nullptr;
    libusb_device_handle* handle_ = nullptr;
    bool claimed_ = false;
    uint8_t ep_in_ = 0, ep_out_ = 0;
    std::size_t max_packet_ = kFtdiHighSpeedPacket;
    std::vector<std::unique_ptr<Slot>> in_, out_;
    std::thread thread_;

    mutable std::mutex mu_;
    std::condition_variable cv_;
    Bytes rx_;          // received data bytes, status bytes removed
    Bytes tx_pending_;  // bytes from write() not yet in an OUT transfer, from tx_head_
    std::size_t tx_head_ = 0;
    int in_flight_ = 0;
    bool stopping_ = false;
    std::optional<Error> failure_;
    FtdiInCounters in_counters_;
    uint64_t out_bytes_ = 0, out_transfers_ = 0;
};

Result<std::unique_ptr<UsbTransport>> UsbTransport::open(const UsbConfig& config) {
    if (config.in_transfers < 1 || config.out_transfers < 1)
        return Error{"UsbConfig: in_transfers and out_transfers must be at least 1"};
    // The destructor releases whatever the steps below acquired.
    std::unique_ptr<UsbTransport> t(new UsbTransport(config));
    if (auto e = t->find_and_open()) return *e;
    if (auto e = t->configure()) return *e;
    if (auto e = t->start()) return *e;
    return Result<std::unique_ptr<UsbTransport>>(std::move(t));
}

std::optional<Error> UsbTransport::find_and_open() {
    const std::string want =
        id_ + (config_.serial.empty() ? "" : " with serial number \"" + config_.serial + "\"");
    if (int r = libusb_init(&ctx_); r != 0) {
        ctx_ = nullptr;
        return Error{"cannot look for USB device " + want + ": libusb could not start (" +
                     usb_err(r) +
                     "); the USB device tree (/dev/bus/usb) may be missing, "
                     "e.g. in a container without USB passed through. " +
                     check_list(id_)};
    }
    libusb_device** list = nullptr;
    const ssize_t n = libusb_get_device_list(ctx_, &list);
    if (n < 0)
        return Error{"cannot list USB devices while looking for " + want + " (" + usb_err(int(n)) +
                     "). " + check_list(id_)};

    std::vector<std::string> other_ftdi, problems;
    for (ssize_t i = 0; i < n && !handle_; i++) {
        libusb_device* dev = list[i];
        libusb_device_descriptor dd{};
        if (libusb_get_device_descriptor(dev, &dd) != 0) continue;
        char where[48];
        std::snprintf(where, sizeof where, "bus %u address %u",
                      unsigned(libusb_get_bus_number(dev)),
                      unsigned(libusb_get_device_address(dev)));
        if (dd.idVendor != config_.vid || dd.idProduct != config_.pid) {
            if (dd.idVendor == 0x0403)
                other_ftdi.push_back(usb_id_string(dd.idVendor, dd.idProduct) + " (" + where + ")");
            continue;
        }
        libusb_device_handle* h = nullptr;
        if (int r = libusb_open(dev, &h); r != 0) {
            problems.push_back(std::string(where) + ": cannot open (" + usb_err(r) + ")" +
                               (r == LIBUSB_ERROR_ACCESS ? ": no permission; add a udev rule for " +
                                                               id_ + " or run as root"
                                                         : ""));
            continue;
        }
        std::string serial;
        if (dd.iSerialNumber != 0) {
            unsigned char buf[128] = {};
            const int len =
                libusb_get_string_descriptor_ascii(h, dd.iSerialNumber, buf, sizeof buf - 1);
            if (len > 0) serial.assign(reinterpret_cast<const char*>(buf), std::size_t(len));
        }
        if (!config_.serial.empty() && serial != config_.serial) {
            problems.push_back(std::string(where) + ": serial number \"" + serial + "\"");
            libusb_close(h);
            continue;
        }
        handle_ = h;
        device_ =
            "FT2232H " + id_ + (serial.empty() ? "" : " serial " + serial) + " (" + where + ")";
    }
    libusb_free_device_list(list, 1);
    if (handle_) return std::nullopt;

    std::string msg = problems.empty() ? "no USB device " + want + " found"
                                       : "no usable USB device " + want + " found";
    for (const auto& p : problems) msg += "; " + id_ + " at " + p;
    if (!other_ftdi.empty()) {
        msg += "; other FTDI devices present:";
        for (const auto& o : other_ftdi) msg += " " + o;
    }
    return Error{msg + ". " + check_list(id_)};
}

std::optional<Error> UsbTransport::configure() {
    libusb_config_descriptor* cfg = nullptr;
    if (int r = libusb_get_active_config_descriptor(libusb_get_device(handle_), &cfg); r != 0)
        return Error{device_ + ": cannot read its configuration descriptor (" + usb_err(r) + "). " +
                     check_list(id_)};
    if (cfg->bNumInterfaces > kInterfaceA && cfg->interface[kInterfaceA].num_altsetting > 0) {
        const libusb_interface_descriptor& alt = cfg->interface[kInterfaceA].altsetting[0];
        for (int i = 0; i < alt.bNumEndpoints; i++) {
            const libusb_endpoint_descriptor& ep = alt.endpoint[i];
            if ((ep.bmAttributes & 0x3) != LIBUSB_TRANSFER_TYPE_BULK) continue;
            if (ep.bEndpointAddress & LIBUSB_ENDPOINT_IN) {
                ep_in_ = ep.bEndpointAddress;
                max_packet_ = ep.wMaxPacketSize & 0x7FFu;
            } else {
                ep_out_ = ep.bEndpointAddress;
            }
        }
    }
    libusb_free_config_descriptor(cfg);
    if (ep_in_ == 0 || ep_out_ == 0 || max_packet_ <= kFtdiStatusBytes)
        return Error{device_ +
                     ": interface A has no usable bulk IN/OUT endpoint pair; is this "
                     "really an FT2232H?"};

    libusb_set_auto_detach_kernel_driver(handle_, 1);  // not supported everywhere: claim tells
    if (int r = libusb_claim_interface(handle_, kInterfaceA); r != 0) {
        std::string why = r == LIBUSB_ERROR_BUSY
                              ? "another program or kernel driver holds it (ftdi_sio could not be "
                                "detached, or a JTAG server / openocd / second ftoe has it open)"
                          : r == LIBUSB_ERROR_ACCESS ? "no permission (udev rule or root)"
                                                     : "";
        return Error{device_ + ": cannot claim interface A (" + usb_err(r) + ")" +
                     (why.empty() ? "" : ": " + why) + ". " + check_list(id_)};
    }
    claimed_ = true;

    struct Step {
        const char* what;
        uint8_t request;
        uint16_t value;
        uint16_t index;
    };
    const Step steps[] = {
        {"reset", kSioReset, kResetSio, kChannelA},
        {"purge RX", kSioReset, kPurgeRx, kChannelA},
        {"purge TX", kSioReset, kPurgeTx, kChannelA},
        {"set latency timer", kSioSetLatencyTimer, config_.latency_ms, kChannelA},
        {"set bitmode reset", kSioSetBitmode, uint16_t(kBitmodeReset << 8 | 0xFF), kChannelA},
        {"set bitmode 0x40 (sync FIFO)", kSioSetBitmode, uint16_t(kBitmodeSyncFifo << 8 | 0xFF),
         kChannelA},
        {"set RTS/CTS flow control", kSioSetFlowCtrl, 0, uint16_t(kFlowRtsCts | kChannelA)},
    };
    for (const Step& s : steps)
        if (auto e = vendor_request(s.what, s.request, s.value, s.index)) return e;
    return std::nullopt;
}

std::optional<Error> UsbTransport::vendor_request(const char* what, uint8_t request, uint16_t value,
                                                  uint16_t index) {
    const int r = libusb_control_transfer(handle_, kReqTypeVendorOut, request, value, index,
                                          nullptr, 0, kControlTimeoutMs);
    if (r >= 0) return std::nullopt;
    char req[64];
    std::snprintf(req, sizeof req, " (request 0x%02x value 0x%04x index 0x%04x)", unsigned(request),
                  unsigned(value), unsigned(index));
    return Error{device_ + ": FTDI " + what + req + " failed (" + usb_err(r) + "). " +
                 check_list(id_)};
}

std::optional<Error> UsbTransport::start() {
    const std::size_t in_bytes =
        std::max(max_packet_, config_.in_transfer_bytes / max_packet_ * max_packet_);
    auto make = [&](std::vector<std::unique_ptr<Slot>>& slots, int count, std::size_t bytes,
                    bool in) -> bool {
        for (int i = 0; i < count; i++) {
            auto s = std::make_unique<Slot>();
            s->owner = this;
            s->buf.resize(bytes);
            s->transfer = libusb_alloc_transfer(0);
            if (!s->transfer) return false;
            libusb_fill_bulk_transfer(s->transfer, handle_, in ? ep_in_ : ep_out_, s->buf.data(),
                                      int(bytes), in ? on_in_done : on_out_done, s.get(),
                                      in ? 0 : config_.out_timeout_ms);
            slots.push_back(std::move(s));
        }
        return true;
    };
    if (!make(in_, config_.in_transfers, in_bytes, true) ||
        !make(out_, config_.out_transfers, std::max<std::size_t>(1, config_.out_transfer_bytes),
              false))
        return Error{device_ + ": libusb_alloc_transfer failed (out of memory)"};

    thread_ = std::thread([this] { event_loop(); });
    std::lock_guard<std::mutex> lk(mu_);
    for (auto& s : in_)
        if (!submit_locked(*s, "IN")) break;
    if (failure_) return failure_;
    return std::nullopt;
}

UsbTransport::~UsbTransport() {
    if (thread_.joinable()) {
        {
            std::lock_guard<std::mutex> lk(mu_);
            stopping_ = true;
            for (auto* slots : {&in_, &out_})
                for (auto& s : *slots)
                    if (s->busy) libusb_cancel_transfer(s->transfer);
        }
        thread_.join();  // returns once every transfer has completed or been cancelled
    }
    for (auto* slots : {&in_, &out_})
        for (auto& s : *slots)
            if (s->transfer) libusb_free_transfer(s->transfer);
    if (claimed_) libusb_release_interface(handle_, kInterfaceA);
    if (handle_) libusb_close(handle_);
    if (ctx_) libusb_exit(ctx_);
}

void UsbTransport::event_loop() {
    for (;;) {
        {
            std::lock_guard<std::mutex> lk(mu_);
            if (stopping_ && in_flight_ == 0) return;
        }
        timeval tv{0, 100000};
        const int r = libusb_handle_events_timeout_completed(ctx_, &tv, nullptr);
        if (r < 0 && r != LIBUSB_ERROR_INTERRUPTED) {
            {
                std::lock_guard<std::mutex> lk(mu_);
                fail_locked("libusb event handling failed (" + usb_err(r) + ")");
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(10));
        }
    }
}

bool UsbTransport::submit_locked(Slot& s, const char* dir) {
    if (int r = libusb_submit_transfer(s.transfer); r != 0) {
        fail_locked(std::string("cannot submit a bulk ") + dir + " transfer (" + usb_err(r) + ")");
        return false;
    }
    s.busy = true;
    in_flight_++;
    return true;
}

void UsbTransport::fail_locked(const std::string& why) {
    if (!failure_) {
        failure_ =
            Error{device_ + ": host link failed: " + why + " after " + in_counters_.describe() +
                  ", " + std::to_string(out_bytes_) + " bytes sent. " +
                  (why.find("disconnected") != std::string::npos
                       ? "The board was unplugged or lost power; reconnect it and reopen."
                       : check_list(id_))};
    }
    for (auto* slots : {&in_, &out_})
        for (auto& s : *slots)
            if (s->busy) libusb_cancel_transfer(s->transfer);
    cv_.notify_all();
}

void LIBUSB_CALL UsbTransport::on_in_done(libusb_transfer* t) {
    auto* s = static_cast<Slot*>(t->user_data);
    s->owner->in_done(*s);
}
void LIBUSB_CALL UsbTransport::on_out_done(libusb_transfer* t) {
    auto* s = static_cast<Slot*>(t->user_data);
    s->owner->out_done(*s);
}

void UsbTransport::in_done(Slot& s) {
    std::lock_guard<std::mutex> lk(mu_);
    s.busy = false;
    in_flight_--;
    const libusb_transfer& t = *s.transfer;
    if (t.status == LIBUSB_TRANSFER_COMPLETED) {
        const auto len = std::size_t(std::max(0, t.actual_length));
        in_counters_.add(len, strip_modem_status(s.buf.data(), len, max_packet_, rx_));
        if (!rx_.empty()) cv_.notify_all();
        if (!stopping_ && !failure_) submit_locked(s, "IN");
    } else if (!(t.status == LIBUSB_TRANSFER_CANCELLED && (stopping_ || failure_))) {
        fail_locked(std::string("bulk IN transfer: ") + transfer_status_text(t.status));
    }
}

void UsbTransport::out_done(Slot& s) {
    std::lock_guard<std::mutex> lk(mu_);
    s.busy = false;
    in_flight_--;
    const libusb_transfer& t = *s.transfer;
    out_bytes_ += uint64_t(std::max(0, t.actual_length));
    if (t.status == LIBUSB_TRANSFER_COMPLETED && t.actual_length == t.length) {
        out_transfers_++;
        if (!stopping_ && !failure_) pump_out_locked();
    } else if (t.status == LIBUSB_TRANSFER_COMPLETED) {
        fail_locked("bulk OUT transfer wrote " + std::to_string(t.actual_length) + " of " +
                    std::to_string(t.length) + " bytes");
    } else if (t.status == LIBUSB_TRANSFER_TIMED_OUT) {
        fail_locked("bulk OUT transfer not drained within " +
                    std::to_string(config_.out_timeout_ms) +
                    " ms: the FPGA is not reading the FIFO (bitstream loaded? host-link bridge "
                    "running?)");
    } else if (!(t.status == LIBUSB_TRANSFER_CANCELLED && (stopping_ || failure_))) {
        fail_locked(std::string("bulk OUT transfer: ") + transfer_status_text(t.status));
    }
}

void UsbTransport::pump_out_locked() {
    for (auto& s : out_) {
        const std::size_t pending = tx_pending_.size() - tx_head_;
        if (pending == 0 || failure_) break;
        if (s->busy) continue;
        const std::size_t n = std::min(pending, s->buf.size());
        std::copy_n(tx_pending_.begin() + long(tx_head_), n, s->buf.begin());
        s->transfer->length = int(n);
        tx_head_ += n;
        if (!submit_locked(*s, "OUT")) return;
    }
    if (tx_head_ == tx_pending_.size()) {
        tx_pending_.clear();
        tx_head_ = 0;
    } else if (tx_head_ > (1u << 20)) {
        tx_pending_.erase(tx_pending_.begin(), tx_pending_.begin() + long(tx_head_));
        tx_head_ = 0;
    }
}

Status UsbTransport::write(const uint8_t* p, std::size_t n) {
    std::lock_guard<std::mutex> lk(mu_);
    if (failure_) return *failure_;
    tx_pending_.insert(tx_pending_.end(), p, p + n);
    pump_out_locked();
    if (failure_) return *failure_;
    return Ok{};
}

Status UsbTransport::read(Bytes& out, Duration wait_at_most) {
    std::unique_lock<std::mutex> lk(mu_);
    if (wait_at_most > Duration::zero())
        cv_.wait_for(lk, wait_at_most, [&] { return !rx_.empty() || failure_.has_value(); });
    out.insert(out.end(), rx_.begin(), rx_.end());
    rx_.clear();
    if (failure_) return *failure_;
    return Ok{};
}

UsbLinkStats UsbTransport::stats() const {
    std::lock_guard<std::mutex> lk(mu_);
    UsbLinkStats s;
    s.in = in_counters_;
    s.out_bytes = out_bytes_;
    s.out_transfers = out_transfers_;
    s.tx_backlog = tx_pending_.size() - tx_head_;
    return s;
}

// --- UsbLink ---

Result<std::unique_ptr<UsbLink>> UsbLink::open(const UsbConfig& config) {
    auto t = UsbTransport::open(config);
    if (!t) return t.error();
    return std::unique_ptr<UsbLink>(new UsbLink(std::move(t).value()));
}

UsbLink::UsbLink(std::unique_ptr<UsbTransport> transport)
    : usb_(transport.get()), link_(std::move(transport), LinkSide::kHost) {}

UsbLink::~UsbLink() = default;

Result<uint32_t> UsbLink::send(Kind kind, uint32_t session, uint16_t arg, const Bytes& payload) {
    return link_.send(kind, session, arg, payload);
}
Result<std::vector<Received>> UsbLink::poll(Duration wait_at_most) {
    return link_.poll(wait_at_most);
}
Duration UsbLink::now() const {
    return usb_->now();
}
UsbLinkStats UsbLink::stats() const {
    return usb_->stats();
}
const std::string& UsbLink::device() const {
    return usb_->device();
}

}  // namespace ftoe::driver
