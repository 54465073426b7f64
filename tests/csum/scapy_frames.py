#!/usr/bin/env python3
"""Known-answer frames for the checksum tests, built by scapy (an independent
implementation of IPv4/TCP/UDP checksums).

  scapy_frames.py make SEED COUNT  -> one frame a line: hex l3_offset ip_csum l4_csum
  scapy_frames.py check            -> reads hex frames on stdin, prints "ok" or "bad ..."
                                      per frame after scapy recomputes both checksums
"""
import random
import sys

try:
    from scapy.all import Ether, Dot1Q, IP, IPOption_NOP, IPOption_RR, TCP, UDP, Raw, Padding
except ImportError:
    sys.exit("scapy is missing: install python3-scapy (scripts/install-deps does)")


def random_frame(rng):
    ip_opts = []
    if rng.random() < 0.2:
        ip_opts = [IPOption_NOP(), IPOption_RR(routers=["10.9.9.%d" % rng.randint(1, 254)])]
    ip = IP(src="10.%d.%d.%d" % tuple(rng.randint(0, 255) for _ in range(3)),
            dst="192.0.2.%d" % rng.randint(1, 254), ttl=rng.randint(1, 255),
            id=rng.randint(0, 65535), options=ip_opts)
    n = rng.choice([0, 0, 1, 2, 3, 7, rng.randint(1, 1460), 1459, 1460, rng.randint(1461, 8960)])
    payload = Raw(bytes(rng.getrandbits(8) for _ in range(n)))
    if rng.random() < 0.8:
        opts = rng.choice([
            [],
            [("MSS", 1460), ("SAckOK", b""), ("Timestamp", (rng.getrandbits(32), 0)),
             ("NOP", None), ("WScale", 7)],
            [("NOP", None), ("NOP", None), ("Timestamp", (rng.getrandbits(32), rng.getrandbits(32)))],
        ])
        l4 = TCP(sport=rng.randint(1, 65535), dport=rng.randint(1, 65535),
                 seq=rng.getrandbits(32), ack=rng.getrandbits(32),
                 flags=rng.choice(["S", "SA", "A", "PA", "FA", "R"]),
                 window=rng.randint(0, 65535), options=opts)
    else:
        l4 = UDP(sport=rng.randint(1, 65535), dport=rng.randint(1, 65535))
    pkt = ip / l4 / payload
    eth = Ether(src="02:00:00:00:00:01", dst="02:00:00:00:00:02")
    if rng.random() < 0.2:
        eth = eth / Dot1Q(vlan=rng.randint(1, 4094))
    frame = eth / pkt
    raw = bytes(frame)
    # Ethernet pads short frames to 60 bytes; non-zero padding proves the checksum
    # units honour the IPv4 total length rather than the frame length.
    if len(raw) < 60:
        raw += bytes(rng.randint(1, 255) for _ in range(60 - len(raw)))
    built = Ether(raw)
    l3 = 18 if built.haslayer(Dot1Q) else 14
    l4_csum = built[TCP].chksum if built.haslayer(TCP) else built[UDP].chksum
    return raw, l3, built[IP].chksum, l4_csum


def make(seed, count):
    rng = random.Random(seed)
    for _ in range(count):
        raw, l3, ip_csum, l4_csum = random_frame(rng)
        print(raw.hex(), l3, ip_csum, l4_csum)


def check():
    for line in sys.stdin:
        raw = bytes.fromhex(line.strip())
        frame = Ether(raw)
        ip = frame[IP]
        l4 = frame[TCP] if frame.haslayer(TCP) else frame[UDP]
        given = (ip.chksum, l4.chksum)
        del ip.chksum
        del l4.chksum
        again = Ether(bytes(frame))
        l4_again = again[TCP] if again.haslayer(TCP) else again[UDP]
        want = (again[IP].chksum, l4_again.chksum)
        print("ok" if given == want else "bad given=%04x,%04x scapy=%04x,%04x" % (given + want))


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "make":
        make(int(sys.argv[2]), int(sys.argv[3]))
    elif len(sys.argv) == 2 and sys.argv[1] == "check":
        check()
    else:
        sys.exit(__doc__)
