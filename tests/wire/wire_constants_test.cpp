// The wire-format constants of rtl/ftoe_pkg.sv and driver/wire_format.hpp are the same:
// every message kind, link-error code and framing size, read from the package source.
// (hl_rx/hl_tx cosim tests prove the encodings themselves agree.)
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <regex>
#include <sstream>
#include <string>

#include "engine_messages.hpp"
#include "rx_reason.hpp"
#include "wire_format.hpp"

namespace ftoe::driver {
namespace {

// NAME -> value of every `localparam <type> HL_NAME = <literal>;` in the package.
std::map<std::string, uint64_t> package_constants() {
    std::ifstream f(FTOE_PKG_SV);
    EXPECT_TRUE(f) << "cannot read " << FTOE_PKG_SV;
    std::stringstream ss;
    ss << f.rdbuf();
    const std::string text = ss.str();
    const std::regex re(R"(localparam\s+(?:logic\s*\[[^\]]*\]|int)\s+((?:HL|RX|SEG)_\w+)\s*=\s*(\d+'[hd])?([0-9A-Fa-f_]+)\s*;)");
    std::map<std::string, uint64_t> out;
    for (std::sregex_iterator it(text.begin(), text.end(), re), end; it != end; ++it) {
        std::string digits = (*it)[3];
        digits.erase(std::remove(digits.begin(), digits.end(), '_'), digits.end());
        const bool hex = (*it)[2].matched && std::string((*it)[2]).back() == 'h';
        out[(*it)[1]] = std::stoull(digits, nullptr, hex ? 16 : 10);
    }
    return out;
}

std::string sv_name(Kind k) {
    return std::string(is_command(k) ? "HL_CMD_" : "HL_EVT_") + kind_name(k);
}

TEST(WireConstants, FramingConstantsAgree) {
    const auto pkg = package_constants();
    EXPECT_EQ(pkg.at("HL_MAGIC"), kMagic);
    EXPECT_EQ(pkg.at("HL_HDR_BYTES"), kHeaderBytes);
    EXPECT_EQ(pkg.at("HL_TRL_BYTES"), kTrailerBytes);
    EXPECT_EQ(pkg.at("HL_MAX_PAYLOAD"), kMaxPayload);
    EXPECT_EQ(pkg.at("HL_MAX_INJECT"), kMaxInject);
    EXPECT_EQ(pkg.at("HL_NO_SESSION"), kNoSession);
}

TEST(WireConstants, EveryKindHasTheSameCodeOnBothSides) {
    const auto pkg = package_constants();
    std::size_t kinds_in_pkg = 0;
    for (const auto& [name, value] : pkg)
        kinds_in_pkg += name.rfind("HL_CMD_", 0) == 0 || name.rfind("HL_EVT_", 0) == 0;
    for (Kind k : kAllKinds) {
        const auto it = pkg.find(sv_name(k));
        ASSERT_NE(it, pkg.end()) << sv_name(k) << " is missing from rtl/ftoe_pkg.sv";
        EXPECT_EQ(it->second, uint8_t(k)) << sv_name(k);
    }
    EXPECT_EQ(kinds_in_pkg, std::size(kAllKinds)) << "a kind exists only in rtl/ftoe_pkg.sv";
}

TEST(WireConstants, LinkErrorCodesAgree) {
    const auto pkg = package_constants();
    const std::pair<const char*, LinkError> codes[] = {
        {"HL_LINKERR_HDR_CRC", LinkError::kHeaderCrc}, {"HL_LINKERR_PAY_CRC", LinkError::kPayloadCrc},
        {"HL_LINKERR_SEQ_GAP", LinkError::kSeqGap},    {"HL_LINKERR_SEQ_DUP", LinkError::kSeqDup},
        {"HL_LINKERR_BAD_KIND", LinkError::kBadKind},  {"HL_LINKERR_TOO_LONG", LinkError::kTooLong},
        {"HL_LINKERR_RESYNC", LinkError::kResync},
    };
    for (const auto& [name, code] : codes) EXPECT_EQ(pkg.at(name), uint16_t(code)) << name;
}

TEST(WireConstants, SegmentOutcomesAgree) {
    const auto pkg = package_constants();
    std::size_t in_pkg = 0;
    for (const auto& [name, value] : pkg) in_pkg += name.rfind("SEG_", 0) == 0;
    for (SegOutcome o : kAllSegOutcomes) {
        const std::string name = std::string("SEG_") + seg_outcome_name(o);
        ASSERT_TRUE(pkg.count(name)) << name << " is missing from rtl/ftoe_pkg.sv";
        EXPECT_EQ(pkg.at(name), uint8_t(o)) << name;
        EXPECT_LT(uint8_t(o), kCountersSeg);
    }
    EXPECT_EQ(in_pkg, std::size(kAllSegOutcomes));
}

// Receive reasons: RX_<name> in the package for every RxReason, and no others.
TEST(WireConstants, RxReasonCodesAgree) {
    const auto pkg = package_constants();
    std::size_t in_pkg = 0;
    for (const auto& [name, value] : pkg) in_pkg += name.rfind("RX_", 0) == 0 && name != "RX_REASON_W";
    for (RxReason r : kAllRxReasons) {
        const std::string name = std::string("RX_") + rx_reason_name(r);
        const auto it = pkg.find(name);
        ASSERT_NE(it, pkg.end()) << name << " is missing from rtl/ftoe_pkg.sv";
        EXPECT_EQ(it->second, uint8_t(r)) << name;
        EXPECT_LT(uint8_t(r), kRxReasonCount) << name << " has no counter slot";
    }
    EXPECT_EQ(in_pkg, std::size(kAllRxReasons)) << "a reason exists only in rtl/ftoe_pkg.sv";
    EXPECT_EQ(pkg.at("RX_REASON_W"), 5u);
}

TEST(WireConstants, PayloadLayoutsAndResultCodesAgree) {
    const auto pkg = package_constants();
    EXPECT_EQ(pkg.at("HL_CNT_RX"), unsigned(kCountersRx));
    EXPECT_EQ(pkg.at("HL_CNT_LINK"), unsigned(kCountersLink));
    EXPECT_EQ(pkg.at("HL_CNT_SEG"), unsigned(kCountersSeg));
    EXPECT_EQ(pkg.at("HL_CNT_EVT"), unsigned(kCountersEvt));
    EXPECT_EQ(pkg.at("HL_CNT_WORDS"), unsigned(kCounterWords));
    EXPECT_EQ(pkg.at("HL_COUNTERS_BYTES"), kCountersBytes);
    EXPECT_EQ(pkg.at("HL_KEY_BYTES"), kKeyBytes);
    EXPECT_EQ(pkg.at("HL_INSTALL_BYTES"), kInstallBytes);
    EXPECT_EQ(install_payload({}, {}).size(), kInstallBytes);
    EXPECT_EQ(pkg.at("HL_RAWTX_FILL_IP"), kRawTxFillIp);
    EXPECT_EQ(pkg.at("HL_RAWTX_FILL_L4"), kRawTxFillL4);
    EXPECT_EQ(pkg.at("HL_INSTALL_TS"), kInstallTimestamps);
    EXPECT_EQ(pkg.at("HL_INSTALL_HOST"), kInstallHost);
    EXPECT_EQ(pkg.at("HL_ACKED_FIN"), kAckedFin);
    EXPECT_EQ(pkg.at("HL_ACKED_DATA"), kAckedData);
    EXPECT_EQ(pkg.at("HL_CONFIG_BYTES"), kConfigBytes);
    EXPECT_EQ(pkg.at("HL_CONFIG_TIMERS_BYTES"), kConfigTimersBytes);
    EXPECT_EQ(set_config_payload(0, 0).size(), kConfigBytes);
    EXPECT_EQ(set_config_payload(0, 0, EngineTimers{}).size(), kConfigTimersBytes);
    const std::pair<const char*, TableResult> codes[] = {
        {"HL_RES_INSERTED", TableResult::kInserted}, {"HL_RES_STASHED", TableResult::kStashed},
        {"HL_RES_EXISTS", TableResult::kExists},     {"HL_RES_FULL", TableResult::kFull},
        {"HL_RES_REMOVED", TableResult::kRemoved},   {"HL_RES_MISSING", TableResult::kMissing},
        {"HL_RES_BAD_SID", TableResult::kBadSession}, {"HL_RES_SHORT", TableResult::kShortPayload},
    };
    std::size_t in_pkg = 0;
    for (const auto& [name, value] : pkg) in_pkg += name.rfind("HL_RES_", 0) == 0;
    EXPECT_EQ(in_pkg, std::size(codes));
    for (const auto& [name, code] : codes) EXPECT_EQ(pkg.at(name), uint16_t(code)) << name;
}

}  // namespace
}  // namespace ftoe::driver
