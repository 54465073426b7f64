// rx_reason.hpp: why the engine's receive path did what it did with a frame. One code per
// frame: 0 means the frame went down the fast path, 1..15 that it went to the host (the
// `arg` of a kSlowPath event), 16..31 that it was dropped. The engine counts frames by
// this code (one counter each), so every frame is accounted for exactly once.
//
// The RTL side is RX_* in rtl/ftoe_pkg.sv; tests/wire/wire_constants_test holds the two
// equal. Header-only and free of the standard library, so hls/ kernels can use it too.
#pragma once

#include <cstdint>

namespace ftoe::driver {

enum class RxReason : uint8_t {
    kTcp = 0,              // TCP for us, well-formed, checksums right: to the lookup
    // slow path: the frame goes to the host
    kSlowArp = 1,          // EtherType ARP
    kSlowIcmp = 2,         // ICMP for our address
    kSlowFragment = 3,     // an IPv4 fragment (MF set or offset non-zero)
    kSlowOtherProto = 4,   // an IPv4 protocol other than TCP and ICMP
    kSlowTcpOptions = 5,   // more TCP options than the hardware walks
    kSlowNoSession = 6,    // TCP that matched no installed session
    // dropped and counted
    kDropMacError = 16,    // the MAC flagged the frame (tuser): FCS or PHY error
    kDropRunt = 17,        // shorter than its Ethernet header
    kDropNotOurMac = 18,   // destination MAC neither ours nor broadcast
    kDropEtherType = 19,   // neither IPv4 nor ARP
    kDropBadIpHeader = 20, // version, IHL, or total length against IHL and the frame
    kDropIpChecksum = 21,
    kDropNotOurIp = 22,    // destination address not ours
    kDropBadTcpHeader = 23,// datagram shorter than a TCP header, or data offset past it
    kDropTcpChecksum = 24,
    kDropBadTcpOptions = 25,// malformed option list
    kDropNoBuffer = 26,    // the receive buffer (or its record queue) was full
};

constexpr int kRxReasonCount = 32;  // counter slots: codes are 0..31

constexpr bool is_slow_path(RxReason r) { return uint8_t(r) >= 1 && uint8_t(r) < 16; }
constexpr bool is_drop(RxReason r) { return uint8_t(r) >= 16; }

// Every defined code, for tests and counter dumps.
constexpr RxReason kAllRxReasons[] = {
    RxReason::kTcp,           RxReason::kSlowArp,          RxReason::kSlowIcmp,
    RxReason::kSlowFragment,  RxReason::kSlowOtherProto,   RxReason::kSlowTcpOptions,
    RxReason::kSlowNoSession, RxReason::kDropMacError,     RxReason::kDropRunt,
    RxReason::kDropNotOurMac, RxReason::kDropEtherType,    RxReason::kDropBadIpHeader,
    RxReason::kDropIpChecksum, RxReason::kDropNotOurIp,    RxReason::kDropBadTcpHeader,
    RxReason::kDropTcpChecksum, RxReason::kDropBadTcpOptions, RxReason::kDropNoBuffer,
};

// The SystemVerilog name's suffix (RX_<NAME>), also what counter dumps print.
constexpr const char* rx_reason_name(RxReason r) {
    switch (r) {
        case RxReason::kTcp: return "TCP";
        case RxReason::kSlowArp: return "SLOW_ARP";
        case RxReason::kSlowIcmp: return "SLOW_ICMP";
        case RxReason::kSlowFragment: return "SLOW_FRAGMENT";
        case RxReason::kSlowOtherProto: return "SLOW_OTHER_PROTO";
        case RxReason::kSlowTcpOptions: return "SLOW_TCP_OPTIONS";
        case RxReason::kSlowNoSession: return "SLOW_NO_SESSION";
        case RxReason::kDropMacError: return "DROP_MAC_ERROR";
        case RxReason::kDropRunt: return "DROP_RUNT";
        case RxReason::kDropNotOurMac: return "DROP_NOT_OUR_MAC";
        case RxReason::kDropEtherType: return "DROP_ETHERTYPE";
        case RxReason::kDropBadIpHeader: return "DROP_BAD_IP_HEADER";
        case RxReason::kDropIpChecksum: return "DROP_IP_CHECKSUM";
        case RxReason::kDropNotOurIp: return "DROP_NOT_OUR_IP";
        case RxReason::kDropBadTcpHeader: return "DROP_BAD_TCP_HEADER";
        case RxReason::kDropTcpChecksum: return "DROP_TCP_CHECKSUM";
        case RxReason::kDropBadTcpOptions: return "DROP_BAD_TCP_OPTIONS";
        case RxReason::kDropNoBuffer: return "DROP_NO_BUFFER";
    }
    return "UNKNOWN";
}

}  // namespace ftoe::driver
