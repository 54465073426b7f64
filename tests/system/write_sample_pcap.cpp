// write_sample_pcap: writes small captures of one real TCP connection (frame.hpp's
// frames, correct checksums) for check_capture.py's tests:
//   DIR/clean.pcap             handshake, data, one retransmission, FIN exchange
//   DIR/bad_tcp_checksum.pcap  the same, frame 4's TCP checksum corrupted
//   DIR/truncated.pcap         the same, frame 4 cut to 40 bytes (malformed)
//   DIR/tcp_checksum_ffff.pcap one data segment whose checksum is 0x0000, sent as 0xFFFF
//                              (one's complement -0: verifies, as Linux writes it)
//   DIR/ffff_not_zero.pcap     frame 4's checksum overwritten with 0xFFFF (it is not 0:
//                              a bad checksum like any other)
//   DIR/thrift_lookalike.pcap  one data segment whose payload starts like a Thrift call
//                              with a bad field type: tshark's heuristic dissector calls
//                              it malformed, yet to TCP it is opaque bulk data
// Usage: write_sample_pcap DIR. Exit 0, or 1 with a message.
#include <cstdio>
#include <string>
#include <vector>

#include "frame.hpp"
#include "pcap_writer.hpp"

namespace {

using ftoe::sim::Bytes;
using ftoe::sim::TcpFrameSpec;
namespace flags = ftoe::sim::tcp_flags;

// Frame 4 (1-based) carries the first data segment.
constexpr std::size_t kDataFrame = 3;

std::vector<Bytes> connection() {
    TcpFrameSpec c;  // client 10.0.0.1:40000 -> server 10.0.0.2:7
    TcpFrameSpec s;
    s.src_mac = c.dst_mac;
    s.dst_mac = c.src_mac;
    s.src_ip = c.dst_ip;
    s.dst_ip = c.src_ip;
    s.src_port = c.dst_port;
    s.dst_port = c.src_port;
    const Bytes mss_1460 = {2, 4, 0x05, 0xb4};
    const Bytes hello = {'h', 'e', 'l', 'l', 'o', '\n'};
    std::vector<Bytes> frames;
    auto add = [&frames](TcpFrameSpec spec, uint32_t seq, uint32_t ack, uint8_t f,
                         Bytes options, Bytes payload) {
        spec.seq = seq;
        spec.ack = ack;
        spec.flags = f;
        spec.tcp_options = std::move(options);
        spec.payload = std::move(payload);
        spec.ip_id = uint16_t(frames.size());
        frames.push_back(ftoe::sim::build_tcp_frame(spec));
    };
    add(c, 1000, 0, flags::kSyn, mss_1460, {});
    add(s, 5000, 1001, flags::kSyn | flags::kAck, mss_1460, {});
    add(c, 1001, 5001, flags::kAck, {}, {});
    add(c, 1001, 5001, flags::kAck | flags::kPsh, {}, hello);  // frame 4
    add(c, 1001, 5001, flags::kAck | flags::kPsh, {}, hello);  // retransmitted
    add(s, 5001, 1007, flags::kAck | flags::kPsh, {}, hello);  // echoed
    add(c, 1007, 5007, flags::kAck | flags::kFin, {}, {});
    add(s, 5007, 1008, flags::kAck | flags::kFin, {}, {});
    add(c, 1008, 5008, flags::kAck, {}, {});
    return frames;
}

std::size_t tcp_checksum_offset(const Bytes& frame) {
    const std::size_t l3 = ftoe::sim::l3_offset(frame);
    return l3 + std::size_t(frame[l3] & 0x0f) * 4 + 16;
}

uint16_t tcp_checksum(const Bytes& frame) {
    const std::size_t at = tcp_checksum_offset(frame);
    return uint16_t(frame[at] << 8 | frame[at + 1]);
}

void set_tcp_checksum(Bytes& frame, uint16_t value) {
    const std::size_t at = tcp_checksum_offset(frame);
    frame[at] = uint8_t(value >> 8);
    frame[at + 1] = uint8_t(value);
}

// A data segment whose correct TCP checksum is 0x0000: the payload's first word is chosen
// so the covered data sums to 0xFFFF (a zero word changed to w adds w to the sum, so w =
// the checksum the segment had with the zero word). Empty if the arithmetic went wrong.
Bytes segment_with_zero_checksum() {
    TcpFrameSpec spec;
    spec.seq = 1001;
    spec.ack = 5001;
    spec.flags = flags::kAck | flags::kPsh;
    spec.payload = {0, 0, 'h', 'e', 'l', 'l', 'o', '\n'};
    const uint16_t with_zero_word = tcp_checksum(ftoe::sim::build_tcp_frame(spec));
    spec.payload[0] = uint8_t(with_zero_word >> 8);
    spec.payload[1] = uint8_t(with_zero_word);
    Bytes frame = ftoe::sim::build_tcp_frame(spec);
    return tcp_checksum(frame) == 0 ? frame : Bytes{};
}

// Bulk data that happens to begin like a Thrift strict-binary CALL (version 0x8001, type
// 1, name "ping", sequence id 7) followed by a field of type 0x11, which Thrift has not:
// random payload from the bulk app looked like this once in a 10 MB interop run.
Bytes thrift_lookalike_segment() {
    TcpFrameSpec spec;
    spec.seq = 1001;
    spec.ack = 5001;
    spec.flags = flags::kAck | flags::kPsh;
    spec.dst_port = 5001;  // the bulk app's; on port 7 tshark's echo dissector would take it
    spec.payload = {0x80, 0x01, 0x00, 0x01, 0, 0, 0, 4, 'p', 'i', 'n', 'g',
                    0, 0, 0, 7, 0x11, 0x00, 0x01};
    for (int i = 0; i < 64; ++i) spec.payload.push_back(uint8_t(i * 37));
    return ftoe::sim::build_tcp_frame(spec);
}

bool write(const std::string& path, const std::vector<Bytes>& frames) {
    auto w = ftoe::sim::PcapWriter::open(path);
    if (!w) {
        std::fprintf(stderr, "write_sample_pcap: %s\n", w.error().message.c_str());
        return false;
    }
    uint64_t t_ns = 1000;
    for (const Bytes& f : frames) {
        if (auto s = w.value().write(t_ns, f); !s) {
            std::fprintf(stderr, "write_sample_pcap: %s\n", s.error().message.c_str());
            return false;
        }
        t_ns += 12345;  // arbitrary, fixed: the files are identical from run to run
    }
    if (auto s = w.value().close(); !s) {
        std::fprintf(stderr, "write_sample_pcap: %s\n", s.error().message.c_str());
        return false;
    }
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        std::fprintf(stderr, "usage: write_sample_pcap DIR\n");
        return 1;
    }
    const std::string dir = argv[1];
    const std::vector<Bytes> clean = connection();

    std::vector<Bytes> bad = clean;
    Bytes& data = bad[kDataFrame];
    set_tcp_checksum(data, tcp_checksum(data) ^ 0x5a00);

    std::vector<Bytes> truncated = clean;
    truncated[kDataFrame].resize(40);  // IPv4 total length now beyond the frame

    Bytes minus_zero = segment_with_zero_checksum();
    if (minus_zero.empty()) {
        std::fprintf(stderr, "write_sample_pcap: could not build a segment with checksum 0\n");
        return 1;
    }
    set_tcp_checksum(minus_zero, 0xffff);

    std::vector<Bytes> ffff_not_zero = clean;
    set_tcp_checksum(ffff_not_zero[kDataFrame], 0xffff);

    const bool ok = write(dir + "/clean.pcap", clean) &&
                    write(dir + "/bad_tcp_checksum.pcap", bad) &&
                    write(dir + "/truncated.pcap", truncated) &&
                    write(dir + "/tcp_checksum_ffff.pcap", {minus_zero}) &&
                    write(dir + "/ffff_not_zero.pcap", ffff_not_zero) &&
                    write(dir + "/thrift_lookalike.pcap", {thrift_lookalike_segment()});
    return ok ? 0 : 1;
}
