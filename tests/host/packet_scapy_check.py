#!/usr/bin/python3
"""Cross-checks host/packet.cpp's frames against python3-scapy, an independent
implementation: runs packet_test's Scapy.* test with FTOE_PACKET_DUMP set, then for every
frame has scapy dissect it and checks that the IPv4, TCP and ICMP checksums equal the ones
scapy computes itself, that the TCP options scapy decodes are the ones the C++ parser
reported, the ICMP id/seq and the ARP opcode, and that frames are at least 60 bytes.

Usage: packet_scapy_check.py <packet_test executable>"""
import os
import subprocess
import sys
import tempfile

import logging
logging.getLogger("scapy.runtime").setLevel(logging.ERROR)
from scapy.all import ARP, ICMP, IP, TCP, Ether  # noqa: E402


def rebuilt_checksums(frame: bytes, layers):
    """Scapy's own checksums for `frame`, with the given layers' fields cleared."""
    p = Ether(frame)
    for layer in layers:
        del p[layer].chksum
    q = Ether(bytes(p))
    return [q[layer].chksum for layer in layers]


def main() -> int:
    exe = sys.argv[1]
    with tempfile.TemporaryDirectory() as d:
        dump = os.path.join(d, "frames.txt")
        env = dict(os.environ, FTOE_PACKET_DUMP=dump)
        subprocess.run([exe, "--gtest_filter=Scapy.*"], env=env, check=True,
                       stdout=subprocess.DEVNULL)
        with open(dump) as f:
            lines = [l.split() for l in f if l.strip()]
    errors = []
    counts = {}
    for n, fields in enumerate(lines):
        kind, frame = fields[0], bytes.fromhex(fields[1])
        counts[kind] = counts.get(kind, 0) + 1
        where = f"line {n + 1} ({kind})"
        if len(frame) < 60:
            errors.append(f"{where}: {len(frame)} bytes, want >= 60")
        p = Ether(frame)
        if kind == "tcp":
            got = [p[IP].chksum, p[TCP].chksum]
            want = rebuilt_checksums(frame, [IP, TCP])
            if got != want:
                errors.append(f"{where}: checksums {got}, scapy computes {want}")
            opts = {}
            for name, val in p[TCP].options:
                opts[name] = val
            mss, ws, sackok, tsval, tsecr, nsack = fields[2:8]
            exp = {}
            if mss != "-":
                exp["MSS"] = int(mss)
            if ws != "-":
                exp["WScale"] = int(ws)
            if sackok == "1":
                exp["SAckOK"] = b""
            if tsval != "-":
                exp["Timestamp"] = (int(tsval), int(tsecr))
            if "SAck" in opts:  # scapy: (left, right, left, right, ...)
                opts["SAck"] = len(opts["SAck"]) // 2
            if int(nsack) > 0:
                exp["SAck"] = int(nsack)
            opts.pop("NOP", None)
            if opts != exp:
                errors.append(f"{where}: scapy options {opts}, C++ parser said {exp}")
        elif kind == "icmp":
            got = [p[IP].chksum, p[ICMP].chksum]
            want = rebuilt_checksums(frame, [IP, ICMP])
            if got != want:
                errors.append(f"{where}: checksums {got}, scapy computes {want}")
            if (p[ICMP].id, p[ICMP].seq) != (int(fields[2]), int(fields[3])):
                errors.append(f"{where}: id/seq {p[ICMP].id}/{p[ICMP].seq}")
        elif kind == "arp":
            if p[ARP].op != int(fields[2]) or p[ARP].hwtype != 1 or p[ARP].ptype != 0x0800:
                errors.append(f"{where}: ARP op {p[ARP].op} hw {p[ARP].hwtype}")
    for e in errors[:20]:
        print(e)
    print(f"checked {counts}, {len(errors)} mismatches")
    if not lines or counts.get("tcp", 0) == 0:
        print("no frames dumped")
        return 1
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
