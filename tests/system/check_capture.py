#!/usr/bin/python3
"""Checks a pcap with tshark: fails on malformed frames and bad IPv4/TCP checksums.

Has tshark dissect every frame with IPv4 and TCP checksum validation on, then reports
each problem on its own line (frame number and what is wrong):
  - a malformed frame (_ws.malformed) or any other expert-info Error (e.g. an IPv4 total
    length beyond the frame);
  - a bad IPv4 header checksum or a bad TCP checksum (any expert Error in the Checksum
    group counts here too). Frames with bad checksums must number exactly
    --allow-bad-checksums N (default 0): a test that injected N corruptions expects them.
A TCP checksum field of 0xFFFF where 0x0000 is due is not bad: both are zero in one's
complement and the segment verifies (RFC 1624 §3). tshark marks it Bad with the warning
"TCP Checksum 0xffff instead of 0x0000"; Linux writes it when it completes a checksum in
software (skb_checksum_help turns a folded 0 into CSUM_MANGLED_0), about once in 65,536
segments through a TAP. Such frames are listed as notes and counted (tcp_checksum_ffff).
ftoe's own sums never give +0 for non-zero data (tests/csum), so it never sends 0xFFFF.
Payload is opaque to the check: tshark's heuristic dissectors (protocols guessed from the
bytes of a TCP/UDP payload, e.g. Thrift) are turned off, as random bulk data would now and
then look like a malformed message of one of them. Port-based HTTP (the http app) stays.
It always prints the totals: frames, TCP segments, and TCP analysis counts
(retransmissions, duplicate ACKs, zero windows, out-of-order, lost segments).

Usage: check_capture.py [--allow-bad-checksums N] [--tshark PATH] capture.pcap

Exit codes:
   0  the capture is clean (and exactly N frames have bad checksums)
   1  problems found, or tshark could not read the capture (a damaged file)
   2  usage error: bad option, no such capture, a --tshark that is not executable
  77  skipped: no tshark on PATH ("skipped: tshark not found" on stdout); ctest shows a
      skip through SKIP_RETURN_CODE 77. Scripts that need the check must treat 77 as
      "not checked", not as success.
"""
import argparse
import os
import shutil
import subprocess
import sys

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, EXIT_SKIPPED = 0, 1, 2, 77

# Fields asked of tshark, in this order. FT_NONE fields (tcp.analysis.*) print 1 when set.
FIELDS = [
    "frame.number", "tcp.srcport", "ip.checksum.status", "tcp.checksum.status",
    "_ws.malformed", "_ws.expert.severity", "_ws.expert.group", "_ws.expert.message",
    "tcp.analysis.retransmission", "tcp.analysis.duplicate_ack",
    "tcp.analysis.zero_window", "tcp.analysis.out_of_order", "tcp.analysis.lost_segment",
]
AGGREGATOR = "\x1f"  # between occurrences of one field; never in an expert message

# Expert-info values (epan/proto.h): tshark prints the numbers; names for other versions.
SEVERITY_ERROR = {"8388608", "Error", "error"}
GROUP_CHECKSUM = {"16777216", "Checksum", "checksum"}
CHECKSUM_BAD = {"0", "Bad", "bad"}
# tshark's note on a TCP checksum field of 0xFFFF that verifies (one's complement -0).
TCP_CHECKSUM_FFFF_MESSAGE = "0xffff instead of 0x0000"

ANALYSIS = [("retransmissions", "tcp.analysis.retransmission"),
            ("duplicate_acks", "tcp.analysis.duplicate_ack"),
            ("zero_windows", "tcp.analysis.zero_window"),
            ("out_of_order", "tcp.analysis.out_of_order"),
            ("lost_segments", "tcp.analysis.lost_segment")]


# Protocols this project's captures carry on TCP: never disabled.
SPOKEN = {"http"}


def heuristic_protocols(tshark):
    """Protocols with a heuristic dissector on TCP or UDP (tshark -G heuristic-decodes:
    table, protocol, enabled), less SPOKEN."""
    proc = subprocess.run([tshark, "-G", "heuristic-decodes"], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True, errors="replace")
    protos = set()
    for line in proc.stdout.splitlines():
        cols = line.split("\t")
        if len(cols) >= 2 and cols[0] in ("tcp", "udp"):
            protos.add(cols[1])
    return sorted(protos - SPOKEN)


def run_tshark(tshark, path):
    cmd = [tshark, "-n", "-r", path,
           "-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
           "-T", "fields", "-E", "separator=/t", "-E", "occurrence=a",
           "-E", "aggregator=" + AGGREGATOR]
    for proto in heuristic_protocols(tshark):
        cmd += ["--disable-protocol", proto]
    for f in FIELDS:
        cmd += ["-e", f]
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                          errors="replace")


def values(row, field):
    v = row.get(field, "")
    return v.split(AGGREGATOR) if v else []


def check(rows, allow_bad):
    """Problems (one line each), and the counts to print."""
    problems = []
    bad_checksum_frames = []
    notes = []
    counts = {"frames": len(rows), "tcp_segments": 0}
    counts.update({name: 0 for name, _ in ANALYSIS})
    counts["tcp_checksum_ffff"] = 0
    for row in rows:
        n = row["frame.number"]
        if row.get("tcp.srcport"):
            counts["tcp_segments"] += 1
        for name, field in ANALYSIS:
            if values(row, field):
                counts[name] += 1

        sev, grp, msg = (values(row, f) for f in
                         ("_ws.expert.severity", "_ws.expert.group", "_ws.expert.message"))
        bad = []
        if any(v in CHECKSUM_BAD for v in values(row, "ip.checksum.status")):
            bad.append("bad IPv4 header checksum")
        if any(v in CHECKSUM_BAD for v in values(row, "tcp.checksum.status")):
            if any(TCP_CHECKSUM_FFFF_MESSAGE in m for m in msg):
                counts["tcp_checksum_ffff"] += 1
                notes.append(f"frame {n}: TCP checksum 0xffff for 0x0000 "
                             "(verifies, RFC 1624; accepted)")
            else:
                bad.append("bad TCP checksum")
        errors = [(g, m) for s, g, m in zip(sev, grp, msg + [""] * len(sev))
                  if s in SEVERITY_ERROR]
        for g, m in errors:
            if g in GROUP_CHECKSUM:
                if not bad:  # e.g. a checksum of another protocol
                    bad.append("bad checksum: " + m)
            else:
                problems.append(f"frame {n}: malformed: {m}")
        if values(row, "_ws.malformed") and not any(g not in GROUP_CHECKSUM for g, _ in errors):
            problems.append(f"frame {n}: malformed packet")
        if bad:
            bad_checksum_frames.append((n, bad))

    if len(bad_checksum_frames) != allow_bad:
        for n, bad in bad_checksum_frames:
            problems.append(f"frame {n}: " + ", ".join(bad))
        problems.append(f"{len(bad_checksum_frames)} frame(s) with bad checksums, expected "
                        f"exactly {allow_bad} (--allow-bad-checksums {allow_bad})")
    counts["bad_checksum_frames"] = len(bad_checksum_frames)
    return problems, notes, counts


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("capture", help="pcap or pcapng file")
    ap.add_argument("--allow-bad-checksums", type=int, default=0, metavar="N",
                    help="exactly N frames must have a bad IPv4/TCP checksum (default 0)")
    ap.add_argument("--tshark", default=None, help="tshark to run (default: from PATH)")
    try:
        a = ap.parse_args()
    except SystemExit as e:
        return EXIT_USAGE if e.code else EXIT_OK
    if a.allow_bad_checksums < 0:
        print("check_capture: --allow-bad-checksums must be >= 0", file=sys.stderr)
        return EXIT_USAGE

    if a.tshark and not (os.path.isfile(a.tshark) and os.access(a.tshark, os.X_OK)):
        print(f"check_capture: --tshark {a.tshark}: not an executable file", file=sys.stderr)
        return EXIT_USAGE
    tshark = a.tshark or shutil.which("tshark")
    if not tshark:
        print("skipped: tshark not found (Debian: apt-get install tshark, or "
              "scripts/install-deps)")
        return EXIT_SKIPPED
    if not os.path.isfile(a.capture):
        print(f"check_capture: {a.capture}: no such file", file=sys.stderr)
        return EXIT_USAGE

    proc = run_tshark(tshark, a.capture)
    stderr = [l for l in proc.stderr.splitlines()
              if l.strip() and not l.startswith("Running as user")]
    if proc.returncode != 0:
        print(f"FAIL: tshark could not read {a.capture} (exit {proc.returncode}): "
              + (" ".join(stderr) or "no message"))
        return EXIT_PROBLEMS
    rows = [dict(zip(FIELDS, line.split("\t"))) for line in proc.stdout.splitlines() if line]

    problems, notes, counts = check(rows, a.allow_bad_checksums)
    for note in notes:
        print(f"note: {a.capture}: {note}")
    for p in problems:
        print(f"FAIL: {a.capture}: {p}")
    print(f"{a.capture}: " + " ".join(f"{k}={v}" for k, v in counts.items()))
    if problems:
        print(f"FAIL: {len(problems)} problem(s) in {a.capture}")
        return EXIT_PROBLEMS
    print(f"PASS: {a.capture}: no malformed frames, "
          f"{counts['bad_checksum_frames']} bad-checksum frame(s) as expected")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
