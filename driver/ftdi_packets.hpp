// ftdi_packets.hpp: the FTDI bulk IN packet layout, as pure functions. An FTDI chip
// (FT2232H here) starts every bulk IN packet it sends with two modem-status bytes, also
// when it has no data: with the latency timer at 1 ms an idle channel returns a
// status-only packet every millisecond. A bulk IN transfer buffer therefore holds
// packets of max-packet-size bytes (512 at high speed, 64 at full speed), each led by
// the two status bytes, and only the last packet may be short (a short packet, or a
// zero-length packet, ends the transfer). strip_modem_status() turns one completed
// transfer into the data bytes it carries.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

#include "wire_format.hpp"

namespace ftoe::driver {

constexpr std::size_t kFtdiStatusBytes = 2;
constexpr std::size_t kFtdiHighSpeedPacket = 512;  // FT2232H bulk max packet size at 480 Mb/s
constexpr std::size_t kFtdiFullSpeedPacket = 64;   // the same endpoint at 12 Mb/s

// The two status bytes, decoded (bit layout as in FTDI's and Linux's ftdi_sio.h). In
// sync-FIFO mode the UART bits carry no meaning for the data; they are kept for error
// reports, and the line-error bits are counted.
struct ModemStatus {
    uint8_t raw0 = 0, raw1 = 0;
    // byte 0: modem lines (bits 0-3 are reserved)
    bool cts = false, dsr = false, ri = false, dcd = false;
    // byte 1: line status
    bool data_ready = false, overrun = false, parity_error = false, framing_error = false;
    bool break_received = false, tx_holding_empty = false, tx_empty = false;
    bool rx_fifo_error = false;

    bool line_error() const {
        return overrun || parity_error || framing_error || break_received || rx_fifo_error;
    }
    // e.g. "modem status 32 60 (CTS DSR THRE TEMT)"
    std::string describe() const;
};
ModemStatus decode_modem_status(uint8_t byte0, uint8_t byte1);

// What one bulk IN transfer held.
struct InTransferSummary {
    std::size_t data_bytes = 0;           // appended to `out`
    std::size_t packets = 0;              // packets with at least the two status bytes
    std::size_t status_only_packets = 0;  // packets of exactly the two status bytes
    std::size_t truncated_packets = 0;    // 1-byte packets: too short for the status, dropped
    std::size_t line_error_packets = 0;   // packets whose status has a line-error bit set
    std::optional<ModemStatus> last_status;
    std::optional<ModemStatus> first_line_error;
};

// Appends the data bytes of one completed bulk IN transfer (`len` bytes at `buf`, the
// transfer's actual length) to `out`, removing the two status bytes at the start of
// every `max_packet`-byte packet. A transfer of 0 bytes (it ended with a zero-length
// packet and held nothing else) appends nothing. `max_packet` must exceed
// kFtdiStatusBytes (std::invalid_argument otherwise: a programming error).
InTransferSummary strip_modem_status(const uint8_t* buf, std::size_t len, std::size_t max_packet,
                                     Bytes& out);

// Running totals over every IN transfer of a link, for diagnostics and error messages.
struct FtdiInCounters {
    uint64_t transfers = 0;
    uint64_t empty_transfers = 0;  // actual length 0
    uint64_t packets = 0;
    uint64_t status_only_packets = 0;
    uint64_t truncated_packets = 0;
    uint64_t line_error_packets = 0;
    uint64_t data_bytes = 0;
    std::optional<ModemStatus> last_status;

    void add(std::size_t transfer_len, const InTransferSummary& s);
    std::string describe() const;  // one line, for error messages and logs
};

}  // namespace ftoe::driver
