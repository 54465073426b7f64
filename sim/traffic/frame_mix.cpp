#include "frame_mix.hpp"

namespace ftoe::sim {

namespace {
uint64_t uni(std::mt19937_64& rng, uint64_t lo, uint64_t hi) {
    return std::uniform_int_distribution<uint64_t>(lo, hi)(rng);
}
}  // namespace

// TCP option lists real stacks send, plus odd but legal ones.
Bytes random_tcp_options(std::mt19937_64& rng) {
    auto u8 = [&] { return uint8_t(rng()); };
    switch (uni(rng, 0, 7)) {
        case 0: return {};
        case 1: return {2, 4, 0x05, 0xb4, 4, 2, 8, 10, u8(), u8(), u8(), u8(), 0, 0, 0, 0, 1, 3, 3, 7};
        case 2: {  // NOP NOP TS, then 1..3 SACK blocks
            Bytes o{1, 1, 8, 10};
            for (int i = 0; i < 8; i++) o.push_back(u8());
            const int blocks = int(uni(rng, 1, 3));
            o.insert(o.end(), {1, 1, 5, uint8_t(2 + 8 * blocks)});
            for (int i = 0; i < 8 * blocks; i++) o.push_back(u8());
            return o;
        }
        case 3:  // five options: one more than the hardware walks -> slow path
            return {2, 4, 0x05, 0xb4, 4, 2, 3, 3, 7, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 30, 2};
        case 4:  // an unknown option skipped by length
            return {2, 4, 0x05, 0x8c, 34, 6, u8(), u8(), u8(), u8()};
        default: {  // Linux data segment
            Bytes o{1, 1, 8, 10};
            for (int i = 0; i < 8; i++) o.push_back(u8());
            return o;
        }
    }
}

Bytes random_tcp_to(std::mt19937_64& rng, uint32_t dst_ip) {
    TcpFrameSpec s;
    if (uni(rng, 0, 5) == 0) s.vlan_id = int(uni(rng, 0, 4095));
    s.dst_ip = dst_ip;
    s.src_ip = uint32_t(rng());
    s.ip_id = uint16_t(rng());
    if (uni(rng, 0, 7) == 0) s.ip_options.assign(uni(rng, 1, 40), 1);  // NOPs, EOL-padded
    s.src_port = uint16_t(rng());
    s.dst_port = uint16_t(rng());
    s.seq = uint32_t(rng());
    s.ack = uint32_t(rng());
    s.flags = uint8_t(rng());
    s.window = uint16_t(rng());
    s.tcp_options = random_tcp_options(rng);
    const uint64_t pick = uni(rng, 0, 9);
    s.payload.resize(pick < 5 ? 0 : pick < 8 ? uni(rng, 1, 200) : uni(rng, 201, 1460));
    for (auto& b : s.payload) b = uint8_t(rng());
    Bytes f = build_tcp_frame(s);
    if (uni(rng, 0, 19) == 0) f[0] = f[1] = f[2] = f[3] = f[4] = f[5] = 0xff;  // broadcast
    return f;
}

Bytes arp_request(std::mt19937_64& rng) {
    Bytes f(60, 0);
    for (int i = 0; i < 6; i++) f[std::size_t(i)] = 0xff;
    for (int i = 6; i < 12; i++) f[std::size_t(i)] = uint8_t(rng());
    f[12] = 0x08, f[13] = 0x06;
    for (std::size_t i = 14; i < 42; i++) f[i] = uint8_t(rng());
    return f;
}

MixFrame random_frame_mix(std::mt19937_64& rng, uint32_t dst_ip, int beat_bytes) {
    MixFrame t;
    Bytes& f = t.bytes;
    f = random_tcp_to(rng, dst_ip);
    const std::size_t l3 = l3_offset(f);
    const std::size_t l4 = l3 + std::size_t(f[l3] & 0xf) * 4;
    switch (uni(rng, 0, 19)) {
        case 0: f[5] ^= 0x10; break;  // another station's MAC
        case 1: f[l3 + 19] ^= 1, refresh_checksums(f); break;  // another address
        case 2: f[l3 - 2] = 0x86, f[l3 - 1] = 0xdd; break;  // IPv6
        case 3: f = arp_request(rng); break;
        case 4: f[l3 + 9] = 1, refresh_checksums(f); break;   // ICMP
        case 5: f[l3 + 9] = 17, refresh_checksums(f); break;  // UDP
        case 6: f[l3 + 6] = uint8_t(f[l3 + 6] | (uni(rng, 0, 1) ? 0x20 : 0x01)), refresh_checksums(f); break;  // fragment
        case 7: f.resize(uni(rng, 1, f.size() - 1)); break;  // truncated (maybe a runt)
        case 8: f.resize(f.size() + uni(rng, 1, 100), uint8_t(rng())); break;  // long padding
        case 9: f[uni(rng, 0, f.size() - 1)] ^= uint8_t(uni(rng, 1, 255)); break;  // damage
        case 10: f[uni(rng, 0, f.size() - 1)] ^= uint8_t(uni(rng, 1, 255)), refresh_checksums(f); break;
        case 11: f[l4 + 12] = uint8_t(uni(rng, 0, 15) << 4), refresh_checksums(f); break;  // data offset
        case 12: f[l3] = uint8_t(uni(rng, 0, 255)), refresh_checksums(f); break;  // version/IHL
        case 13: {  // total length
            const uint16_t total = uint16_t(uni(rng, 0, f.size() + 10));
            f[l3 + 2] = uint8_t(total >> 8), f[l3 + 3] = uint8_t(total);
            refresh_checksums(f);
            break;
        }
        case 14: {  // damaged option bytes, checksums repaired: reaches the option checks
            const std::size_t doff = std::size_t(f[l4 + 12] >> 4) * 4;
            if (doff > 20) f[l4 + 20 + uni(rng, 0, doff - 21)] = uint8_t(uni(rng, 0, 12));
            refresh_checksums(f);
            break;
        }
        case 15: t.error_beat = int(uni(rng, 0, (f.size() - 1) / std::size_t(beat_bytes))); break;
        case 16: f.resize(uni(rng, 1, 17)); break;  // runt
        default: break;  // a good segment
    }
    return t;
}

}  // namespace ftoe::sim
