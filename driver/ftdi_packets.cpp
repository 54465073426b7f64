#include "ftdi_packets.hpp"

#include <algorithm>
#include <cstdio>
#include <stdexcept>

namespace ftoe::driver {

ModemStatus decode_modem_status(uint8_t byte0, uint8_t byte1) {
    auto bit = [](uint8_t b, int n) { return ((b >> n) & 1) != 0; };
    ModemStatus s;
    s.raw0 = byte0;
    s.raw1 = byte1;
    s.cts = bit(byte0, 4);
    s.dsr = bit(byte0, 5);
    s.ri = bit(byte0, 6);
    s.dcd = bit(byte0, 7);
    s.data_ready = bit(byte1, 0);
    s.overrun = bit(byte1, 1);
    s.parity_error = bit(byte1, 2);
    s.framing_error = bit(byte1, 3);
    s.break_received = bit(byte1, 4);
    s.tx_holding_empty = bit(byte1, 5);
    s.tx_empty = bit(byte1, 6);
    s.rx_fifo_error = bit(byte1, 7);
    return s;
}

std::string ModemStatus::describe() const {
    char hex[32];
    std::snprintf(hex, sizeof hex, "modem status %02x %02x (", raw0, raw1);
    std::string s = hex;
    const std::pair<bool, const char*> flags[] = {
        {cts, "CTS"},
        {dsr, "DSR"},
        {ri, "RI"},
        {dcd, "DCD"},
        {data_ready, "DR"},
        {overrun, "OVERRUN"},
        {parity_error, "PARITY"},
        {framing_error, "FRAMING"},
        {break_received, "BREAK"},
        {tx_holding_empty, "THRE"},
        {tx_empty, "TEMT"},
        {rx_fifo_error, "RXFIFO_ERR"},
    };
    bool first = true;
    for (const auto& [set, name] : flags) {
        if (!set) continue;
        if (!first) s += ' ';
        s += name;
        first = false;
    }
    return s + ")";
}

InTransferSummary strip_modem_status(const uint8_t* buf, std::size_t len, std::size_t max_packet,
                                     Bytes& out) {
    if (max_packet <= kFtdiStatusBytes)
        throw std::invalid_argument("strip_modem_status: max_packet " + std::to_string(max_packet) +
                                    " leaves no room for data");
    InTransferSummary s;
    for (std::size_t at = 0; at < len; at += max_packet) {
        const std::size_t n = std::min(max_packet, len - at);
        if (n < kFtdiStatusBytes) {
            s.truncated_packets++;
            continue;
        }
        const ModemStatus st = decode_modem_status(buf[at], buf[at + 1]);
        s.packets++;
        s.last_status = st;
        if (st.line_error()) {
            s.line_error_packets++;
            if (!s.first_line_error) s.first_line_error = st;
        }
        if (n == kFtdiStatusBytes) {
            s.status_only_packets++;
            continue;
        }
        out.insert(out.end(), buf + at + kFtdiStatusBytes, buf + at + n);
        s.data_bytes += n - kFtdiStatusBytes;
    }
    return s;
}

void FtdiInCounters::add(std::size_t transfer_len, const InTransferSummary& s) {
    transfers++;
    if (transfer_len == 0) empty_transfers++;
    packets += s.packets;
    status_only_packets += s.status_only_packets;
    truncated_packets += s.truncated_packets;
    line_error_packets += s.line_error_packets;
    data_bytes += s.data_bytes;
    if (s.last_status) last_status = s.last_status;
}

std::string FtdiInCounters::describe() const {
    std::string s = std::to_string(transfers) + " IN transfers (" +
                    std::to_string(empty_transfers) + " empty), " + std::to_string(packets) +
                    " packets (" + std::to_string(status_only_packets) + " status-only, " +
                    std::to_string(truncated_packets) + " truncated, " +
                    std::to_string(line_error_packets) + " with line errors), " +
                    std::to_string(data_bytes) + " data bytes";
    if (last_status) s += ", last " + last_status->describe();
    return s;
}

}  // namespace ftoe::driver
