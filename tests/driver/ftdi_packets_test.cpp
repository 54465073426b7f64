// FTDI bulk IN packet handling on the byte layouts an FT2232H produces: two modem-status
// bytes at the start of every max-packet-size packet (512 at high speed, 64 at full
// speed), a short packet or a zero-length packet ending a transfer, status-only packets
// from an idle channel. The data must come out exactly as the FPGA wrote it, whatever
// the packet layout, and framed messages must survive the stripping.
#include "ftdi_packets.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "wire_format.hpp"

namespace ftoe::driver {
namespace {

// The status bytes an idle FT2232H channel reports: CTS DSR, THRE TEMT.
constexpr uint8_t kIdle0 = 0x32, kIdle1 = 0x60;

// Builds one bulk IN transfer buffer as the chip sends it: for each entry of
// `packet_data`, a packet of the two status bytes followed by that many bytes taken in
// order from `data` (starting at `*pos`).
Bytes make_transfer(const Bytes& data, std::size_t* pos,
                    const std::vector<std::size_t>& packet_data, uint8_t s0 = kIdle0,
                    uint8_t s1 = kIdle1) {
    Bytes t;
    for (std::size_t n : packet_data) {
        t.push_back(s0);
        t.push_back(s1);
        t.insert(t.end(), data.begin() + long(*pos), data.begin() + long(*pos + n));
        *pos += n;
    }
    return t;
}

Bytes pattern(std::size_t n, uint32_t seed) {
    std::mt19937 rng(seed);
    Bytes b(n);
    for (auto& x : b) x = uint8_t(rng());
    return b;
}

TEST(FtdiPackets, StatusBytesRemovedAtEvery512ByteBoundary) {
    const Bytes data = pattern(3 * 510 + 100, 1);
    std::size_t pos = 0;
    const Bytes t = make_transfer(data, &pos, {510, 510, 510, 100});
    ASSERT_EQ(t.size(), 3 * 512 + 102u);
    Bytes out;
    const InTransferSummary s = strip_modem_status(t.data(), t.size(), 512, out);
    EXPECT_EQ(out, data);
    EXPECT_EQ(s.data_bytes, data.size());
    EXPECT_EQ(s.packets, 4u);
    EXPECT_EQ(s.status_only_packets, 0u);
    EXPECT_EQ(s.truncated_packets, 0u);
    ASSERT_TRUE(s.last_status.has_value());
    EXPECT_EQ(s.last_status->raw0, kIdle0);
    EXPECT_EQ(s.last_status->raw1, kIdle1);
}

TEST(FtdiPackets, DataThatLooksLikeStatusBytesIsKept) {
    // Payload full of the idle status pattern: only the bytes at packet starts may go.
    Bytes data;
    for (int i = 0; i < 600; i++) {
        data.push_back(kIdle0);
        data.push_back(kIdle1);
    }
    std::size_t pos = 0;
    const Bytes t = make_transfer(data, &pos, {510, 510, 180});
    Bytes out;
    strip_modem_status(t.data(), t.size(), 512, out);
    EXPECT_EQ(out, data);
}

TEST(FtdiPackets, ShortPacketOfOneDataByteEndsTheTransfer) {
    const Bytes data = pattern(511, 2);
    std::size_t pos = 0;
    const Bytes t = make_transfer(data, &pos, {510, 1});
    Bytes out;
    const InTransferSummary s = strip_modem_status(t.data(), t.size(), 512, out);
    EXPECT_EQ(out, data);
    EXPECT_EQ(s.packets, 2u);
}

TEST(FtdiPackets, StatusOnlyPacketCarriesNoData) {
    const Bytes t{kIdle0, kIdle1};  // what an idle channel returns every latency period
    Bytes out{0x55};
    const InTransferSummary s = strip_modem_status(t.data(), t.size(), 512, out);
    EXPECT_EQ(out, Bytes{0x55}) << "nothing may be appended";
    EXPECT_EQ(s.packets, 1u);
    EXPECT_EQ(s.status_only_packets, 1u);
    EXPECT_EQ(s.data_bytes, 0u);
    ASSERT_TRUE(s.last_status.has_value());
    EXPECT_TRUE(s.last_status->cts);
    EXPECT_TRUE(s.last_status->dsr);
    EXPECT_FALSE(s.last_status->line_error());
}

TEST(FtdiPackets, FullPacketThenStatusOnlyPacket) {
    // A transfer can end with a status-only short packet right after full data packets.
    const Bytes data = pattern(510, 3);
    std::size_t pos = 0;
    const Bytes t = make_transfer(data, &pos, {510, 0});
    ASSERT_EQ(t.size(), 514u);
    Bytes out;
    const InTransferSummary s = strip_modem_status(t.data(), t.size(), 512, out);
    EXPECT_EQ(out, data);
    EXPECT_EQ(s.packets, 2u);
    EXPECT_EQ(s.status_only_packets, 1u);
}

TEST(FtdiPackets, ZeroLengthTransferAppendsNothingAndIsCounted) {
    // A transfer ended by a zero-length packet with nothing before it.
    Bytes out;
    const InTransferSummary s = strip_modem_status(nullptr, 0, 512, out);
    EXPECT_TRUE(out.empty());
    EXPECT_EQ(s.packets, 0u);
    EXPECT_FALSE(s.last_status.has_value());
    FtdiInCounters c;
    c.add(0, s);
    EXPECT_EQ(c.transfers, 1u);
    EXPECT_EQ(c.empty_transfers, 1u);
}

TEST(FtdiPackets, WholePacketsEndedByZeroLengthPacket) {
    // Exactly two full packets: the zero-length packet that ended the transfer adds no
    // bytes, so the buffer holds 1024 bytes and the data is 2 x 510.
    const Bytes data = pattern(1020, 4);
    std::size_t pos = 0;
    const Bytes t = make_transfer(data, &pos, {510, 510});
    ASSERT_EQ(t.size(), 1024u);
    Bytes out;
    const InTransferSummary s = strip_modem_status(t.data(), t.size(), 512, out);
    EXPECT_EQ(out, data);
    EXPECT_EQ(s.packets, 2u);
}

TEST(FtdiPackets, OneByteRemnantIsCountedAsTruncatedAndDropped) {
    const Bytes data = pattern(510, 5);
    std::size_t pos = 0;
    Bytes t = make_transfer(data, &pos, {510});
    t.push_back(kIdle0);  // 1-byte packet: not even the status fits
    Bytes out;
    const InTransferSummary s = strip_modem_status(t.data(), t.size(), 512, out);
    EXPECT_EQ(out, data);
    EXPECT_EQ(s.packets, 1u);
    EXPECT_EQ(s.truncated_packets, 1u);
}

TEST(FtdiPackets, FullSpeedUses64BytePackets) {
    const Bytes data = pattern(62 * 5 + 7, 6);
    std::size_t pos = 0;
    const Bytes t = make_transfer(data, &pos, {62, 62, 62, 62, 62, 7});
    Bytes out;
    const InTransferSummary s = strip_modem_status(t.data(), t.size(), kFtdiFullSpeedPacket, out);
    EXPECT_EQ(out, data);
    EXPECT_EQ(s.packets, 6u);
    // The same bytes read as 512-byte packets would keep status bytes as data.
    Bytes wrong;
    strip_modem_status(t.data(), t.size(), 512, wrong);
    EXPECT_NE(wrong, data);
}

TEST(FtdiPackets, MaxPacketWithNoRoomForDataIsAProgrammingError) {
    Bytes out;
    const uint8_t b[2] = {kIdle0, kIdle1};
    EXPECT_THROW(strip_modem_status(b, 2, 2, out), std::invalid_argument);
}

TEST(FtdiPackets, ModemStatusBitsDecode) {
    const ModemStatus idle = decode_modem_status(kIdle0, kIdle1);
    EXPECT_TRUE(idle.cts);
    EXPECT_TRUE(idle.dsr);
    EXPECT_FALSE(idle.ri);
    EXPECT_FALSE(idle.dcd);
    EXPECT_TRUE(idle.tx_holding_empty);
    EXPECT_TRUE(idle.tx_empty);
    EXPECT_FALSE(idle.line_error());
    EXPECT_EQ(idle.describe(), "modem status 32 60 (CTS DSR THRE TEMT)");

    const ModemStatus all = decode_modem_status(0xF0, 0xFF);
    EXPECT_TRUE(all.ri && all.dcd && all.data_ready && all.overrun && all.parity_error &&
                all.framing_error && all.break_received && all.rx_fifo_error);
    EXPECT_EQ(all.describe(),
              "modem status f0 ff (CTS DSR RI DCD DR OVERRUN PARITY FRAMING BREAK THRE TEMT "
              "RXFIFO_ERR)");

    // Each line-error bit alone is a line error; the others are not.
    for (int b = 0; b < 8; b++) {
        const ModemStatus s = decode_modem_status(0, uint8_t(1u << b));
        const bool want = b == 1 || b == 2 || b == 3 || b == 4 || b == 7;
        EXPECT_EQ(s.line_error(), want) << "line status bit " << b;
    }
}

TEST(FtdiPackets, LineErrorPacketsAreCountedAndTheFirstKept) {
    // Three full-size packets: the first idle, the second overrun, the third FIFO error.
    const Bytes full = pattern(510 * 3, 8);
    Bytes tr;
    const uint8_t line[3] = {kIdle1, 0x62, 0xE0};
    for (int p = 0; p < 3; p++) {
        tr.push_back(kIdle0);
        tr.push_back(line[p]);
        tr.insert(tr.end(), full.begin() + 510 * p, full.begin() + 510 * (p + 1));
    }
    Bytes out;
    const InTransferSummary s = strip_modem_status(tr.data(), tr.size(), 512, out);
    EXPECT_EQ(out, full);
    EXPECT_EQ(s.line_error_packets, 2u);
    ASSERT_TRUE(s.first_line_error.has_value());
    EXPECT_TRUE(s.first_line_error->overrun);
    EXPECT_FALSE(s.first_line_error->rx_fifo_error);
    ASSERT_TRUE(s.last_status.has_value());
    EXPECT_TRUE(s.last_status->rx_fifo_error);
}

// Random layouts: a stream of data cut into transfers of random full packets, each
// ended by a short packet (possibly status-only) or a zero-length packet, with
// status-only and empty transfers between them as an idle channel produces. The
// concatenated output must equal the data, and the counters must add up.
TEST(FtdiPackets, RandomPacketLayoutsReassembleTheStream) {
    std::mt19937 rng(2026);
    auto uni = [&](std::size_t lo, std::size_t hi) {
        return std::uniform_int_distribution<std::size_t>(lo, hi)(rng);
    };
    for (std::size_t max_packet : {kFtdiHighSpeedPacket, kFtdiFullSpeedPacket}) {
        const std::size_t room = max_packet - kFtdiStatusBytes;
        const Bytes data = pattern(200000, uint32_t(max_packet));
        std::size_t pos = 0;
        Bytes out;
        FtdiInCounters c;
        std::size_t transfers = 0, want_packets = 0, want_status_only = 0, want_empty = 0;
        while (pos < data.size()) {
            std::vector<std::size_t> layout;
            switch (uni(0, 3)) {
                case 0:
                    layout = {};
                    want_empty++;
                    break;  // ZLP only
                case 1:
                    layout = {0};
                    break;  // idle: status only
                default: {
                    const std::size_t full = uni(0, 31);
                    for (std::size_t i = 0; i < full; i++) layout.push_back(room);
                    if (full == 0 || uni(0, 1)) layout.push_back(uni(0, room - 1));  // short
                    // else: whole packets, ended by a zero-length packet
                }
            }
            std::size_t need = 0;
            for (auto& n : layout) {
                n = std::min(n, data.size() - pos - need);
                need += n;
            }
            // Running out of data makes a packet short: it must be the transfer's last.
            for (std::size_t i = 0; i < layout.size(); i++)
                if (layout[i] < room) {
                    layout.resize(i + 1);
                    break;
                }
            for (auto n : layout) want_status_only += n == 0;
            want_packets += layout.size();
            const Bytes t = make_transfer(data, &pos, layout);
            const InTransferSummary s = strip_modem_status(t.data(), t.size(), max_packet, out);
            c.add(t.size(), s);
            transfers++;
            ASSERT_EQ(out.size(), pos) << "transfer #" << transfers;
        }
        EXPECT_EQ(out, data) << "max_packet " << max_packet;
        EXPECT_EQ(c.transfers, transfers);
        EXPECT_EQ(c.packets, want_packets);
        EXPECT_EQ(c.status_only_packets, want_status_only);
        EXPECT_EQ(c.empty_transfers, want_empty);
        EXPECT_EQ(c.data_bytes, data.size());
        EXPECT_EQ(c.truncated_packets, 0u);
    }
}

// The link's framed events cut at 512-byte packet boundaries with status bytes in
// between: after stripping, the host's Deframer gets every event intact and no error.
TEST(FtdiPackets, FramedEventsSurviveSplittingIntoPackets) {
    Framer framer;
    Bytes stream;
    std::mt19937 rng(7);
    std::vector<Message> sent;
    for (int i = 0; i < 200; i++) {
        Bytes payload(std::uniform_int_distribution<std::size_t>(0, 1500)(rng));
        for (auto& b : payload) b = uint8_t(rng());
        sent.push_back(
            Message{Kind::kRxData, framer.next_seq(), uint32_t(i), uint16_t(i), payload});
        framer.frame_into(stream, Kind::kRxData, uint32_t(i), uint16_t(i), payload.data(),
                          payload.size());
    }
    Deframer d(/*accept_commands=*/false);
    std::size_t pos = 0;
    while (pos < stream.size()) {
        std::vector<std::size_t> layout;
        const std::size_t full = std::uniform_int_distribution<std::size_t>(0, 8)(rng);
        std::size_t left = stream.size() - pos;
        for (std::size_t i = 0; i < full && left > 0; i++) {
            layout.push_back(std::min<std::size_t>(510, left));
            left -= layout.back();
            if (layout.back() < 510) break;  // a short packet ends the transfer
        }
        if (layout.empty() || layout.back() == 510)
            layout.push_back(std::min<std::size_t>(
                std::uniform_int_distribution<std::size_t>(0, 509)(rng), left));
        const Bytes t = make_transfer(stream, &pos, layout);
        Bytes out;
        strip_modem_status(t.data(), t.size(), 512, out);
        d.push(out);
    }
    std::size_t k = 0;
    while (auto r = d.next()) {
        ASSERT_TRUE(std::holds_alternative<Message>(*r))
            << "item #" << k << ": " << std::get<DeframeError>(*r).detail;
        const Message& m = std::get<Message>(*r);
        ASSERT_LT(k, sent.size());
        EXPECT_EQ(m.seq, sent[k].seq);
        EXPECT_EQ(m.session, sent[k].session);
        EXPECT_EQ(m.payload, sent[k].payload) << "message #" << k;
        k++;
    }
    EXPECT_EQ(k, sent.size());
}

}  // namespace
}  // namespace ftoe::driver
