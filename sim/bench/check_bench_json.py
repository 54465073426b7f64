#!/usr/bin/env python3
"""Runs an ftoe-bench command with --json and checks its output is one JSON object whose
required keys are positive numbers.  usage: check_bench_json.py BENCH ARGS..."""
import json
import subprocess
import sys

REQUIRED = {
    "checksum": ["verilator_cycles_per_s", "icarus_cycles_per_s", "ratio", "frames", "cycles",
                 "verilator_frames_per_s", "icarus_frames_per_s", "gbps"],
    "engine": ["rx_latency_cycles", "ack_latency_cycles", "slow_path_latency_cycles", "rx_beats_per_cycle",
               "table_max_occupancy", "sim_cycles_per_s"],
    "host": ["lifecycles_per_s", "tw_bytes_per_entry", "tw_lookups_per_s", "tw_inserts_per_s",
             "tw_expiries_per_s", "tw_fin_reacks_per_s"],
    "system": ["cycles_per_s", "echo_rtt_ns", "goodput_gbps", "simulated_cycles_per_s"],
}

proc = subprocess.run(sys.argv[1:], capture_output=True, text=True)
if proc.returncode != 0:
    sys.exit(f"{' '.join(sys.argv[1:])} exited {proc.returncode}:\n{proc.stdout}{proc.stderr}")
try:
    report = json.loads(proc.stdout)
except json.JSONDecodeError as e:
    sys.exit(f"stdout is not one JSON object ({e}):\n{proc.stdout}")
bad = [k for k in REQUIRED[sys.argv[2]]
       if not isinstance(report.get(k), (int, float)) or report[k] <= 0]
if bad:
    sys.exit(f"keys missing or not positive: {bad}\n{json.dumps(report, indent=2)}")
print(json.dumps(report, indent=2))
