// usb_link.hpp: the hardware Link: an FT2232H (channel A in FT245-style synchronous FIFO
// mode) reached through libusb-1.0, as on the Nexys Video.
//
// Opening: find the device by VID:PID (and serial number when given), detach the kernel
// driver (ftdi_sio) from interface A and claim it, then the FTDI vendor requests: reset
// the SIO, purge RX and TX, latency timer 1 ms, bitmode reset, bitmode 0x40 (sync FIFO,
// all pins), RTS/CTS flow control (FTDI AN_130). The channel must also be set to 245 FIFO
// mode in the chip's EEPROM; the bitmode request cannot check that.
//
// Running: several bulk IN and OUT transfers are in flight at once; a dedicated event
// thread runs libusb's event handling and completes them. IN transfers are stripped of
// the two modem-status bytes of every packet (ftdi_packets.hpp) and queued for poll();
// send() queues bytes that the OUT transfers drain in order. Both queues are guarded by
// one mutex; the caller's thread never runs libusb callbacks.
//
// Failure: device unplug (LIBUSB_TRANSFER_NO_DEVICE), any other transfer error, an OUT
// transfer the engine does not drain within out_timeout, or a libusb event-handling error
// puts the link in a failed state. The Error names the device and the cause, and every
// later send()/poll() returns it (poll() first hands out what arrived before it). The
// control plane turns it into an error on every open socket.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "byte_link.hpp"
#include "ftdi_packets.hpp"
#include "link.hpp"

namespace ftoe::driver {

struct UsbConfig {
    uint16_t vid = 0x0403;  // FTDI
    uint16_t pid = 0x6010;  // FT2232H (also FT2232C/D)
    std::string serial;     // empty: the first device with vid:pid
    uint8_t latency_ms = 1;
    int in_transfers = 8;                   // bulk IN transfers kept in flight
    std::size_t in_transfer_bytes = 16384;  // rounded down to whole packets
    int out_transfers = 4;                  // at most this many bulk OUT transfers in flight
    std::size_t out_transfer_bytes = 16384;
    unsigned out_timeout_ms =
        2000;  // an OUT transfer the engine does not drain by then fails the link; 0: never
};

// "0403:6010", the way lsusb prints it.
std::string usb_id_string(uint16_t vid, uint16_t pid);

struct UsbLinkStats {
    FtdiInCounters in;
    uint64_t out_bytes = 0;      // bytes the device acknowledged
    uint64_t out_transfers = 0;  // completed OUT transfers
    std::size_t tx_backlog = 0;  // bytes queued by send() not yet handed to an OUT transfer
};

class UsbTransport;

class UsbLink final : public Link {
public:
    // Opens the device. With no board attached the Error names the VID:PID it looked
    // for and what to check (cable, power, permissions, the ftdi_sio kernel driver).
    static Result<std::unique_ptr<UsbLink>> open(const UsbConfig& config = {});
    ~UsbLink() override;

    Result<uint32_t> send(Kind kind, uint32_t session, uint16_t arg, const Bytes& payload) override;
    Result<std::vector<Received>> poll(Duration wait_at_most) override;
    Duration now() const override;  // steady clock since open

    UsbLinkStats stats() const;
    const std::string& device()
        const;  // e.g. "FT2232H 0403:6010 serial 210276A7B2C1 (bus 1 address 7)"

private:
    explicit UsbLink(std::unique_ptr<UsbTransport> transport);

    UsbTransport* usb_;  // owned by link_
    ByteLink link_;
};

}  // namespace ftoe::driver
