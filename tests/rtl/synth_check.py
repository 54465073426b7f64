#!/usr/bin/env python3
"""Synthesizes one RTL top with Yosys for Xilinx 7-series and checks the result.

Writes <out>/<name>.txt and <name>.json with LUT, FF, CARRY4, BRAM and DSP counts and
the longest combinational path (Yosys `ltp`, flip-flops excluded), and exits non-zero
when Yosys fails, a latch is inferred, a signal has multiple drivers, fewer block RAMs
than --min-bram are inferred (a table meant for BRAM went to LUTs and flip-flops), or the
cell counts (`stat`) or the logic depth (`ltp`) are missing from Yosys's output. The last line printed
is "PASS: <name>" or "FAIL: <name>: <reasons>".

  synth_check.py --name csum_stream_64 --top csum_stream --param DATA_W=64 \
      --include rtl --out build/reports/synth rtl/csum/csum_stream.sv
"""
import argparse
import json
import re
import subprocess
import sys
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--name", required=True, help="report name")
    ap.add_argument("--top", required=True, help="top module")
    ap.add_argument("--param", action="append", default=[], help="NAME=VALUE, repeatable")
    ap.add_argument("--include", action="append", default=[], help="include directory")
    ap.add_argument("--out", required=True, help="report directory")
    ap.add_argument("--yosys", default="yosys")
    ap.add_argument("--min-bram", type=int, default=0, help="block RAMs the design must infer")
    ap.add_argument("sources", nargs="+")
    a = ap.parse_args()

    incs = " ".join("-I" + i for i in a.include)
    script = [f"read_verilog -sv {incs} {' '.join(a.sources)}"]
    for p in a.param:
        name, _, value = p.partition("=")
        script.append(f"chparam -set {name} {value} {a.top}")
    script += [
        f"synth_xilinx -top {a.top} -flatten -noiopad",
        "tee -o {stat} stat",
        # check -assert fails on multiple drivers, undriven wires used as inputs, loops.
        "check -assert",
        # ltp -noff does not know Xilinx cells: drop the clocked ones (flip-flops, block
        # RAM, LUT RAM, shift registers, DSPs) so paths end at them.
        "tee -o {ltp} ltp * t:FD* %d t:RAMB* %d t:RAM* %d t:SRL* %d t:DSP* %d",
    ]
    out = Path(a.out)
    out.mkdir(parents=True, exist_ok=True)
    stat_file, ltp_file, log_file = out / f"{a.name}.stat", out / f"{a.name}.ltp", out / f"{a.name}.log"
    ys = "; ".join(script).format(stat=stat_file, ltp=ltp_file)
    # A report left by an earlier run must not stand in for one this run failed to write.
    for f in (stat_file, ltp_file, log_file, out / f"{a.name}.json", out / f"{a.name}.txt"):
        f.unlink(missing_ok=True)
    proc = subprocess.run([a.yosys, "-l", str(log_file), "-q", "-p", ys],
                          capture_output=True, text=True)
    log = log_file.read_text() if log_file.exists() else proc.stdout + proc.stderr

    problems = []
    if proc.returncode != 0:
        tail = "\n".join((proc.stdout + proc.stderr).strip().splitlines()[-15:])
        problems.append(f"yosys exited {proc.returncode}:\n{tail}")
    for m in re.finditer(r"^.*(Latch inferred for signal.*)$", log, re.M):
        problems.append("latch: " + m.group(1).strip())
    for m in re.finditer(r"^.*((multiple conflicting drivers|found and reported \d+ problems).*)$",
                         log, re.M):
        problems.append("drivers: " + m.group(1).strip())
    for m in re.finditer(r"^ERROR:.*$", log, re.M):
        problems.append(m.group(0))
    problems = list(dict.fromkeys(problems))  # Yosys repeats some lines; report each once

    stat = stat_file.read_text() if stat_file.exists() else ""
    cells = {m.group(1): int(m.group(2)) for m in re.finditer(r"^\s+(\w+)\s+(\d+)\s*$", stat, re.M)}
    latches = sum(v for k, v in cells.items() if re.fullmatch(r"(LD\w*|\$_?DLATCH\w*|\$dlatch\w*)", k))
    if latches:
        problems.append(f"{latches} latch cells in the netlist")
    n_cells = re.search(r"^\s*Number of cells:\s+(\d+)\s*$", stat, re.M)
    if not stat.strip():
        problems.append(f"no cell counts: yosys stat wrote nothing to {stat_file}")
    elif not n_cells or int(n_cells.group(1)) != sum(cells.values()):
        problems.append(f"cell counts not understood: {stat_file} says "
                        f"{n_cells.group(1) + ' cells' if n_cells else 'no Number of cells'}, "
                        f"the cells listed add up to {sum(cells.values())}")
    ltp = ltp_file.read_text() if ltp_file.exists() else ""
    depth = re.search(r"Longest topological path in \S+ \(length=(-?\d+)\)", ltp)
    if not depth:
        problems.append(f"no logic depth: no 'Longest topological path' in {ltp_file}"
                        + ("" if ltp.strip() else " (yosys ltp wrote nothing)"))
    bram = sum(v for k, v in cells.items() if k.startswith("RAMB"))
    if stat.strip() and bram < a.min_bram:
        problems.append(f"BRAM {bram}, expected at least {a.min_bram}: a table meant for block "
                        "RAM was built from LUTs and flip-flops")
    version = subprocess.run([a.yosys, "-V"], capture_output=True, text=True).stdout.strip()
    report = {
        "name": a.name,
        "top": a.top,
        "params": dict(p.partition("=")[::2] for p in a.param),
        "lut": sum(v for k, v in cells.items() if re.fullmatch(r"LUT[1-6]", k)),
        "ff": sum(v for k, v in cells.items() if re.fullmatch(r"FD\w*", k)),
        "carry4": cells.get("CARRY4", 0),
        "bram": bram,
        "lutram": sum(v for k, v in cells.items() if k.startswith("RAM") and not k.startswith("RAMB")),
        "dsp": sum(v for k, v in cells.items() if k.startswith("DSP")),
        "logic_depth": int(depth.group(1)) if depth else None,
        "cells": cells,
        "yosys": version,
        "script": ys,
        "problems": problems,
    }
    (out / f"{a.name}.json").write_text(json.dumps(report, indent=2) + "\n")
    summary = (f"{a.name}: LUT {report['lut']}, FF {report['ff']}, CARRY4 {report['carry4']}, "
               f"BRAM {report['bram']}, DSP {report['dsp']}, logic depth {report['logic_depth']} "
               f"(yosys synth_xilinx, {version})")
    (out / f"{a.name}.txt").write_text(summary + "\n" + "".join(f"PROBLEM: {p}\n" for p in problems))
    print(summary)
    print(f"report: {out / (a.name + '.json')}, log: {log_file}", flush=True)
    for p in problems:
        print("PROBLEM:", p, file=sys.stderr, flush=True)
    if problems:
        reasons = "; ".join(p.splitlines()[0] for p in problems)
        print(f"FAIL: {a.name}: {reasons}", flush=True)
        return 1
    print(f"PASS: {a.name}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
