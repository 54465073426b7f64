// PcapWriter: the classic nanosecond pcap layout byte by byte, snaplen cutting,
// byte-identical files for identical input, and errors as values naming path and reason.
#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "frame.hpp"
#include "pcap_writer.hpp"

namespace ftoe::sim {
namespace {

std::string temp_path(const std::string& name) {
    return ::testing::TempDir() + "ftoe_pcap_writer_test_" + name + ".pcap";
}

Bytes read_file(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return Bytes(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

uint32_t le32(const Bytes& b, std::size_t at) {
    return uint32_t(b.at(at)) | uint32_t(b.at(at + 1)) << 8 | uint32_t(b.at(at + 2)) << 16 |
           uint32_t(b.at(at + 3)) << 24;
}

PcapWriter open_or_fail(const std::string& path) {
    auto w = PcapWriter::open(path);
    if (!w) throw std::runtime_error(w.error().message);
    return std::move(w).value();
}

TEST(PcapWriter, FileHeaderIsClassicNanosecondEthernetSnaplen65535) {
    const std::string path = temp_path("header");
    PcapWriter w = open_or_fail(path);
    ASSERT_TRUE(w.close().ok());
    const Bytes expected = {0x4d, 0x3c, 0xb2, 0xa1,  // magic 0xa1b23c4d, little-endian
                            0x02, 0x00, 0x04, 0x00,  // version 2.4
                            0, 0, 0, 0,              // thiszone
                            0, 0, 0, 0,              // sigfigs
                            0xff, 0xff, 0x00, 0x00,  // snaplen 65535
                            0x01, 0x00, 0x00, 0x00};  // linktype 1, Ethernet
    EXPECT_EQ(read_file(path), expected);
    EXPECT_EQ(w.frames(), 0u);
    std::remove(path.c_str());
}

TEST(PcapWriter, RecordsHoldNanosecondTimesLengthsAndTheFrameAsGiven) {
    const std::string path = temp_path("records");
    const Bytes a = build_tcp_frame(TcpFrameSpec{});
    TcpFrameSpec spec;
    spec.payload = Bytes(100, 0x5a);
    const Bytes b = build_tcp_frame(spec);
    {
        PcapWriter w = open_or_fail(path);
        ASSERT_TRUE(w.write(1234567890, a).ok());
        ASSERT_TRUE(w.write(5000000000ull + 999999999, b.data(), b.size()).ok());
        EXPECT_EQ(w.frames(), 2u);
        ASSERT_TRUE(w.close().ok());
    }
    const Bytes f = read_file(path);
    ASSERT_EQ(f.size(), 24 + 16 + a.size() + 16 + b.size());
    std::size_t at = 24;
    EXPECT_EQ(le32(f, at + 0), 1u) << "record 0 seconds";
    EXPECT_EQ(le32(f, at + 4), 234567890u) << "record 0 nanoseconds";
    EXPECT_EQ(le32(f, at + 8), a.size()) << "record 0 captured length";
    EXPECT_EQ(le32(f, at + 12), a.size()) << "record 0 original length";
    EXPECT_EQ(Bytes(f.begin() + long(at + 16), f.begin() + long(at + 16 + a.size())), a);
    at += 16 + a.size();
    EXPECT_EQ(le32(f, at + 0), 5u) << "record 1 seconds";
    EXPECT_EQ(le32(f, at + 4), 999999999u) << "record 1 nanoseconds";
    EXPECT_EQ(le32(f, at + 8), b.size()) << "record 1 captured length";
    EXPECT_EQ(le32(f, at + 12), b.size()) << "record 1 original length";
    EXPECT_EQ(Bytes(f.begin() + long(at + 16), f.end()), b);
    std::remove(path.c_str());
}

TEST(PcapWriter, FrameOverSnaplenIsCutAndKeepsItsOriginalLength) {
    const std::string path = temp_path("snaplen");
    Bytes big(70000);
    for (std::size_t i = 0; i < big.size(); i++) big[i] = uint8_t(i * 7);
    PcapWriter w = open_or_fail(path);
    ASSERT_TRUE(w.write(0, big).ok());
    ASSERT_TRUE(w.close().ok());
    const Bytes f = read_file(path);
    ASSERT_EQ(f.size(), 24 + 16 + 65535u);
    EXPECT_EQ(le32(f, 24 + 8), 65535u) << "captured length";
    EXPECT_EQ(le32(f, 24 + 12), 70000u) << "original length";
    EXPECT_EQ(Bytes(f.begin() + 40, f.end()), Bytes(big.begin(), big.begin() + 65535));
    std::remove(path.c_str());
}

TEST(PcapWriter, IdenticalInputGivesByteIdenticalFiles) {
    auto run = [](const std::string& path) {
        std::mt19937_64 rng(42);
        PcapWriter w = open_or_fail(path);
        uint64_t t = 0;
        for (int i = 0; i < 200; i++) {
            t += rng() % 100000;
            if (!w.write(t, random_tcp_frame(rng)).ok()) throw std::runtime_error("write");
        }
        if (!w.close().ok()) throw std::runtime_error("close");
        return read_file(path);
    };
    const std::string p1 = temp_path("determinism_1"), p2 = temp_path("determinism_2");
    const Bytes f1 = run(p1), f2 = run(p2);
    ASSERT_GT(f1.size(), 24u + 200 * (16 + 60));
    ASSERT_EQ(f1.size(), f2.size());
    for (std::size_t i = 0; i < f1.size(); i++) {
        ASSERT_EQ(f1[i], f2[i]) << "first difference at byte " << i;
    }
    std::remove(p1.c_str());
    std::remove(p2.c_str());
}

TEST(PcapWriter, UnwritablePathIsAnErrorNamingThePathAndWhy) {
    const std::string path = "/nonexistent-ftoe-dir/capture.pcap";
    auto w = PcapWriter::open(path);
    ASSERT_FALSE(w.ok());
    EXPECT_NE(w.error().message.find(path), std::string::npos) << w.error().message;
    EXPECT_NE(w.error().message.find("No such file or directory"), std::string::npos)
        << w.error().message;
}

TEST(PcapWriter, FullDiskIsReportedAndTheWriterStaysFailed) {
    PcapWriter w = open_or_fail("/dev/full");
    driver::Status s = driver::Ok{};
    const Bytes frame = build_tcp_frame(TcpFrameSpec{});
    // stdio buffers: the error shows at the latest when the buffer is handed over.
    for (int i = 0; i < 1000 && s.ok(); i++) s = w.write(uint64_t(i), frame);
    if (s.ok()) s = w.flush();
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().message.find("/dev/full"), std::string::npos) << s.error().message;
    EXPECT_NE(s.error().message.find("No space left on device"), std::string::npos)
        << s.error().message;
    EXPECT_FALSE(w.write(0, frame).ok());
    const driver::Status closed = w.close();
    ASSERT_FALSE(closed.ok());
    EXPECT_EQ(closed.error().message, s.error().message);
}

TEST(PcapWriter, DestructorFlushesAndAMovedWriterKeepsWriting) {
    const std::string path = temp_path("destructor");
    const Bytes frame = build_tcp_frame(TcpFrameSpec{});
    {
        PcapWriter a = open_or_fail(path);
        ASSERT_TRUE(a.write(1, frame).ok());
        PcapWriter b = std::move(a);
        EXPECT_FALSE(a.is_open());  // NOLINT(bugprone-use-after-move): moved-from state
        ASSERT_TRUE(b.write(2, frame).ok());
        EXPECT_EQ(b.frames(), 2u);
    }
    EXPECT_EQ(read_file(path).size(), 24 + 2 * (16 + frame.size()));
    std::remove(path.c_str());
}

TEST(PcapWriter, WriteAfterCloseIsAProgrammingError) {
    const std::string path = temp_path("closed");
    PcapWriter w = open_or_fail(path);
    ASSERT_TRUE(w.close().ok());
    EXPECT_TRUE(w.close().ok()) << "a second close does nothing";
    const Bytes frame(60);
    EXPECT_THROW((void)w.write(0, frame), std::logic_error);
    std::remove(path.c_str());
}

}  // namespace
}  // namespace ftoe::sim
