// wire_format.hpp: the host-link wire format, C++ side. The RTL side is rtl/ftoe_pkg.sv;
// tests/wire/ proves the two agree. Layout of one message (little-endian):
//
//    0  magic   kMagic; a deframer that lost framing hunts for it
//    1  kind    Kind
//    2  length  payload bytes, 0..kMaxPayload
//    4  seq     per-direction message number, +1 per message, wraps at 2^32
//    8  session session id, kNoSession when the message concerns none
//   12  arg     per-kind argument (reason code, flags)
//   14  hcrc    CRC-16/CCITT-FALSE of bytes 0..13: length is trusted only after this
//   16  payload
//    .  pcrc    CRC-32C of the payload (4 bytes), present even when the payload is empty
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace ftoe::driver {

using Bytes = std::vector<uint8_t>;

constexpr uint8_t kMagic = 0xA5;
constexpr std::size_t kHeaderBytes = 16;
constexpr std::size_t kTrailerBytes = 4;
constexpr std::size_t kMaxPayload = 9216;
constexpr uint32_t kNoSession = 0xFFFFFFFF;
constexpr std::size_t kMaxInject = 2048;  // RX_INJECT's longest frame (HL_MAX_INJECT)

enum class Kind : uint8_t {
    // commands, host -> FPGA
    kPing = 0x01,
    kSetConfig = 0x02,
    kInstall = 0x03,
    kRemove = 0x04,
    kSendFin = 0x05,
    kAbort = 0x06,
    kRawTx = 0x07,
    kAppData = 0x08,
    kReadCounters = 0x09,
    kRxCredit = 0x0A,
    kRxInject = 0x0B,  // a frame the engine receives as from the MAC (kMaxInject bytes)
    // events, FPGA -> host
    kPong = 0x81,
    kSlowPath = 0x82,
    kInstalled = 0x83,
    kRemoved = 0x84,
    kPeerFin = 0x85,
    kPeerRst = 0x86,
    kPeerSyn = 0x87,
    kAcked = 0x88,
    kRxData = 0x89,
    kTimeout = 0x8A,
    kCounters = 0x8B,
    kLinkError = 0x8C,
};

// Every kind, for tests and decoders that must reject unknown ones.
constexpr Kind kAllKinds[] = {
    Kind::kPing,     Kind::kSetConfig, Kind::kInstall,      Kind::kRemove,    Kind::kSendFin,
    Kind::kAbort,    Kind::kRawTx,     Kind::kAppData,      Kind::kReadCounters,
    Kind::kRxCredit, Kind::kRxInject, Kind::kPong,      Kind::kSlowPath,     Kind::kInstalled, Kind::kRemoved,
    Kind::kPeerFin,  Kind::kPeerRst,   Kind::kPeerSyn,      Kind::kAcked,     Kind::kRxData,
    Kind::kTimeout,  Kind::kCounters,  Kind::kLinkError,
};

constexpr bool is_command(Kind k) { return (uint8_t(k) & 0x80) == 0; }
const char* kind_name(Kind k);
bool is_known_kind(uint8_t k);

// Why a receiver rejected or flagged bytes on the link. The numeric values are the
// `arg` of a kLinkError event the engine sends.
enum class LinkError : uint16_t {
    kHeaderCrc = 1,   // header check failed: message dropped, framing re-hunted
    kPayloadCrc = 2,  // payload check failed: message dropped
    kSeqGap = 3,      // messages were lost before this one (it is delivered)
    kSeqDup = 4,      // an old sequence number: dropped
    kBadKind = 5,     // a kind this direction does not carry: dropped
    kTooLong = 6,     // length over kMaxPayload: framing re-hunted
    kResync = 7,      // bytes skipped while hunting for a magic byte (host side only)
};
const char* link_error_name(LinkError e);

struct Message {
    Kind kind = Kind::kPing;
    uint32_t seq = 0;
    uint32_t session = kNoSession;
    uint16_t arg = 0;
    Bytes payload;
};

// CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF) and CRC-32C (Castagnoli).
uint16_t crc16_ccitt(const uint8_t* p, std::size_t n);
uint32_t crc32c(const uint8_t* p, std::size_t n);

// Appends the encoding of `m` (with m.seq as given) to `out`.
void encode(const Message& m, Bytes& out);

// Numbers outgoing messages: seq starts at 0 and rises by one per message.
class Framer {
public:
    Bytes frame(Kind kind, uint32_t session, uint16_t arg, const Bytes& payload);
    void frame_into(Bytes& out, Kind kind, uint32_t session, uint16_t arg,
                    const uint8_t* payload, std::size_t n);
    uint32_t next_seq() const { return next_seq_; }

private:
    uint32_t next_seq_ = 0;
};

struct DeframeError {
    LinkError error;
    std::string detail;  // human-readable: what was expected, what came
};

// Turns the received byte stream back into messages. Never trusts a length before the
// header check passes, never reads past what it was given, and recovers framing after
// garbage by hunting for the next magic byte. Each problem is reported once, in order
// with the messages around it.
class Deframer {
public:
    // `accept_commands`: true on the FPGA side (commands arrive), false on the host.
    explicit Deframer(bool accept_commands) : accept_commands_(accept_commands) {}

    void push(const uint8_t* p, std::size_t n);
    void push(const Bytes& b) { push(b.data(), b.size()); }

    // The next message or error, if one is complete.
    std::optional<std::variant<Message, DeframeError>> next();

    uint32_t expected_seq() const { return expected_seq_; }
    std::size_t buffered() const { return buf_.size(); }

private:
    bool parse_one();
    void drop_front(std::size_t n);
    void flush_skipped();

    bool accept_commands_;
    std::deque<uint8_t> buf_;
    std::deque<std::variant<Message, DeframeError>> out_;
    uint32_t expected_seq_ = 0;
    std::size_t skipped_ = 0;  // bytes skipped since the last good header
};

}  // namespace ftoe::driver
