// pcap_writer.cpp: see pcap_writer.hpp. Format: the classic libpcap file format
// (https://www.tcpdump.org/manpages/pcap-savefile.5.html), nanosecond variant.
#include "pcap_writer.hpp"

#include <array>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace ftoe::sim {

namespace {

void put_le16(uint8_t* p, uint16_t v) {
    p[0] = uint8_t(v);
    p[1] = uint8_t(v >> 8);
}

void put_le32(uint8_t* p, uint32_t v) {
    for (int i = 0; i < 4; i++) p[i] = uint8_t(v >> (8 * i));
}

constexpr uint64_t kNsPerSecond = 1000000000;

}  // namespace

driver::Result<PcapWriter> PcapWriter::open(const std::string& path) {
    std::FILE* f = std::fopen(path.c_str(), "wb");
    if (f == nullptr) {
        return driver::Error{"cannot create pcap file " + path + ": " +
                             std::strerror(errno)};
    }
    PcapWriter w(f, path);
    std::array<uint8_t, kFileHeaderBytes> h{};
    put_le32(&h[0], kMagicNs);
    put_le16(&h[4], 2);  // version 2.4
    put_le16(&h[6], 4);
    put_le32(&h[8], 0);   // thiszone: timestamps are UTC (simulated time)
    put_le32(&h[12], 0);  // sigfigs
    put_le32(&h[16], kSnapLen);
    put_le32(&h[20], kLinkTypeEthernet);
    if (driver::Status s = w.put(h.data(), h.size()); !s) return s.error();
    return w;
}

PcapWriter::PcapWriter(PcapWriter&& other) noexcept
    : file_(std::exchange(other.file_, nullptr)), path_(std::move(other.path_)),
      frames_(other.frames_), error_(std::move(other.error_)) {}

PcapWriter& PcapWriter::operator=(PcapWriter&& other) noexcept {
    if (this != &other) {
        (void)close();
        file_ = std::exchange(other.file_, nullptr);
        path_ = std::move(other.path_);
        frames_ = other.frames_;
        error_ = std::move(other.error_);
    }
    return *this;
}

PcapWriter::~PcapWriter() { (void)close(); }

driver::Status PcapWriter::fail(const char* what, int err) {
    if (error_.empty()) {
        error_ = std::string(what) + " pcap file " + path_ + ": " + std::strerror(err);
    }
    return driver::Error{error_};
}

driver::Status PcapWriter::status() const {
    if (!error_.empty()) return driver::Error{error_};
    return driver::Ok{};
}

driver::Status PcapWriter::put(const uint8_t* p, std::size_t n) {
    if (!error_.empty()) return status();
    if (n != 0 && std::fwrite(p, 1, n, file_) != n) return fail("cannot write", errno);
    return driver::Ok{};
}

driver::Status PcapWriter::write(uint64_t t_ns, const uint8_t* frame, std::size_t n) {
    if (file_ == nullptr) {
        throw std::logic_error("PcapWriter::write on a closed writer (" + path_ + ")");
    }
    if (t_ns / kNsPerSecond > UINT32_MAX) {
        // 136 years of simulated time: a caller's clock is broken, not the file.
        throw std::logic_error("PcapWriter::write: timestamp " + std::to_string(t_ns) +
                               " ns does not fit a pcap record (32-bit seconds)");
    }
    if (n > UINT32_MAX) throw std::logic_error("PcapWriter::write: frame over 4 GiB");
    const uint32_t captured = n > kSnapLen ? kSnapLen : uint32_t(n);
    std::array<uint8_t, kRecordHeaderBytes> h{};
    put_le32(&h[0], uint32_t(t_ns / kNsPerSecond));
    put_le32(&h[4], uint32_t(t_ns % kNsPerSecond));
    put_le32(&h[8], captured);
    put_le32(&h[12], uint32_t(n));
    if (driver::Status s = put(h.data(), h.size()); !s) return s;
    if (driver::Status s = put(frame, captured); !s) return s;
    frames_++;
    return driver::Ok{};
}

driver::Status PcapWriter::flush() {
    if (!error_.empty()) return status();
    if (file_ != nullptr && std::fflush(file_) != 0) return fail("cannot write", errno);
    return driver::Ok{};
}

driver::Status PcapWriter::close() {
    if (file_ == nullptr) return status();
    const bool flushed = std::fflush(file_) == 0;
    const int flush_errno = errno;
    const bool closed = std::fclose(file_) == 0;
    const int close_errno = errno;
    file_ = nullptr;
    if (!flushed) return fail("cannot write", flush_errno);
    if (!closed) return fail("cannot close", close_errno);
    return status();
}

}  // namespace ftoe::sim
