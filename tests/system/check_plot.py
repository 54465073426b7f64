#!/usr/bin/env python3
"""Runs a latency-plot producer and checks that its plot says what its numbers say.

  check_plot.py engine FTOE_BENCH   ftoe-bench engine --plot: the SVG holds the RX, TX and
      echo series over the payload sweep (1, 64, 128, ..., 1408, 1460 bytes), the CSV the
      same points, and the CSV's 64/512/1460-byte rows equal the figures of the --json
      summary; RX and TX latency never fall as the payload grows (store-and-forward).
  check_plot.py sim FTOE_SIM [ftoe-sim pair options...]   ftoe-sim --latency-plot: one
      CDF series with one point per latency sample, the CSV's samples give the summary's
      count and its p50/p90/p99/max (nearest rank), and the CDF ends at 1.

The SVG must parse as XML. Exit 0 with PASS, 1 with FAIL and the reasons.
"""
import csv
import json
import math
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"


def series(svg_path):
    """(name, points) of each data series drawn in the SVG."""
    root = ET.parse(svg_path).getroot()
    return [(p.get("data-name"), int(p.get("data-points")))
            for p in root.iter(SVG + "path") if p.get("class") == "series"]


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
    return json.loads(proc.stdout[proc.stdout.rfind("\n{") + 1:])


def check_engine(bench, out):
    summary = run([bench, "engine", "--frames", "100", "--json", "--plot", out])
    problems = []
    payloads = [1] + list(range(64, 1460, 64)) + [1460]
    drawn = series(os.path.join(out, "engine_latency.svg"))
    if [n for _, n in drawn] != [len(payloads)] * 3:
        problems.append(f"expected 3 series of {len(payloads)} points, drew {drawn}")
    with open(os.path.join(out, "engine_latency.csv"), newline="") as f:
        rows = list(csv.DictReader(f))
    if [int(r["payload_bytes"]) for r in rows] != payloads:
        problems.append(f"CSV payloads {[r['payload_bytes'] for r in rows]}, expected {payloads}")
    by_payload = {int(r["payload_bytes"]): r for r in rows}
    for p in (64, 512, 1460):
        for col, key in (("rx_cycles", "rx_latency_cycles_payload_"),
                         ("tx_cycles", "tx_latency_cycles_payload_"),
                         ("echo_cycles", "echo_turnaround_cycles_payload_")):
            if p in by_payload and int(by_payload[p][col]) != summary[key + str(p)]:
                problems.append(f"{col} at {p} B: plot {by_payload[p][col]}, "
                                f"summary {summary[key + str(p)]}")
    for col in ("rx_cycles", "tx_cycles"):
        values = [int(r[col]) for r in rows]
        if any(b < a for a, b in zip(values, values[1:])):
            problems.append(f"{col} falls as the payload grows: {values}")
    print(f"engine latency sweep: {len(rows)} payloads; RX {rows[0]['rx_cycles']}..."
          f"{rows[-1]['rx_cycles']} cycles, TX {rows[0]['tx_cycles']}...{rows[-1]['tx_cycles']}, "
          f"echo {rows[0]['echo_cycles']}...{rows[-1]['echo_cycles']}")
    return problems


def nearest_rank(sorted_values, p):
    return sorted_values[max(0, math.ceil(p / 100 * len(sorted_values)) - 1)]


def check_sim(sim, args, out):
    svg = os.path.join(out, "latency.svg")
    summary = run([sim, "pair"] + args + ["--latency-plot", svg, "--json"])
    problems = []
    client = next(b for b in summary["boards"] if b["board"] == "b")
    lat = client["latency_ns"]
    with open(os.path.join(out, "latency.csv"), newline="") as f:
        samples = [int(r["latency_ns"]) for r in csv.DictReader(f)]
    drawn = series(svg)
    if len(drawn) != 1 or drawn[0][1] != len(samples):
        problems.append(f"expected one series of {len(samples)} points, drew {drawn}")
    if len(samples) != lat["count"] or not samples:
        problems.append(f"{len(samples)} samples in the CSV, the summary counts {lat['count']}")
    else:
        s = sorted(samples)
        for key, p in (("p50", 50), ("p90", 90), ("p99", 99), ("max", 100)):
            if nearest_rank(s, p) != lat[key]:
                problems.append(f"{key}: CSV gives {nearest_rank(s, p)}, summary {lat[key]}")
        print(f"latency plot: {len(s)} samples, p50 {lat['p50']} ns, p99 {lat['p99']} ns, "
              f"min {s[0]} ns, max {s[-1]} ns")
    return problems


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ("engine", "sim"):
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory(prefix="ftoe-plot-") as out:
        if sys.argv[1] == "engine":
            problems = check_engine(sys.argv[2], out)
        else:
            problems = check_sim(sys.argv[2], sys.argv[3:], out)
    for p in problems:
        print("FAIL:", p)
    if problems:
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
