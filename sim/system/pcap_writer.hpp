// pcap_writer.hpp: PcapWriter, a classic libpcap capture file of Ethernet frames with
// nanosecond timestamps, so that any port of a simulation can be opened in Wireshark.
//
// The file depends only on the frames and the simulated times given: identical runs give
// byte-identical files (every field is written little-endian, whatever the host).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

#include "link.hpp"

namespace ftoe::sim {

class PcapWriter {
public:
    static constexpr uint32_t kMagicNs = 0xa1b23c4d;  // classic pcap, ns timestamps
    static constexpr uint32_t kSnapLen = 65535;       // longer frames are cut to this
    static constexpr uint32_t kLinkTypeEthernet = 1;
    static constexpr std::size_t kFileHeaderBytes = 24;
    static constexpr std::size_t kRecordHeaderBytes = 16;

    // Creates (or truncates) the file at `path` and writes the file header. Error: the
    // path and the reason (strerror), e.g. a missing directory or no permission.
    static driver::Result<PcapWriter> open(const std::string& path);

    PcapWriter(PcapWriter&& other) noexcept;
    PcapWriter& operator=(PcapWriter&& other) noexcept;
    PcapWriter(const PcapWriter&) = delete;
    PcapWriter& operator=(const PcapWriter&) = delete;
    ~PcapWriter();  // closes (flushes); errors are lost, call close() to see them

    // Appends one frame as given (Ethernet header first, no FCS) seen at simulated time
    // `t_ns` (ns since the simulation started). Times need not increase. Error: the
    // write failed (e.g. disk full); the writer then stays failed. Writing to a closed
    // writer is a programming error (std::logic_error).
    driver::Status write(uint64_t t_ns, const uint8_t* frame, std::size_t n);
    driver::Status write(uint64_t t_ns, const std::vector<uint8_t>& frame) {
        return write(t_ns, frame.data(), frame.size());
    }

    // Hands buffered records to the OS, so that a reader sees every frame written so far.
    driver::Status flush();
    // Flushes and closes the file; the first error of the writer's life, if any.
    // Closing twice is allowed (the second close does nothing).
    driver::Status close();

    bool is_open() const { return file_ != nullptr; }
    uint64_t frames() const { return frames_; }  // frames written
    const std::string& path() const { return path_; }

private:
    PcapWriter(std::FILE* file, std::string path) : file_(file), path_(std::move(path)) {}
    driver::Status fail(const char* what, int err);  // records the first failure
    driver::Status status() const;                   // Ok, or the recorded failure
    driver::Status put(const uint8_t* p, std::size_t n);

    std::FILE* file_ = nullptr;
    std::string path_;
    uint64_t frames_ = 0;
    std::string error_;  // first failure; once set, every call returns it
};

}  // namespace ftoe::sim
