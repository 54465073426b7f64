#!/usr/bin/env python3
"""Runs a command that must fail, and passes only if it fails for the expected reason.

Exits 0 only when the command exits with a non-zero status AND every --expect regex is
found in its output (stdout and stderr together). A command that exits 0, is killed by a
signal, cannot be started, or fails without the expected message makes this exit 1, with
a last line that says what was expected and what came.

  expect_fail.py --expect "DATA_W=48 is not a power of two" -- \
      verilator --lint-only -Wall rtl/csum/csum_stream.sv -GDATA_W=48
"""
import argparse
import re
import subprocess
import sys


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--expect", action="append", required=True,
                    help="Python regex that must occur in the output (multiline), repeatable")
    ap.add_argument("command", nargs=argparse.REMAINDER, help="-- command [args...]")
    a = ap.parse_args()
    cmd = a.command[1:] if a.command[:1] == ["--"] else a.command
    if not cmd:
        ap.error("no command given")

    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              errors="replace")
    except OSError as e:
        print(f"FAIL: expected {cmd[0]} to exit non-zero with {a.expect!r}; "
              f"it could not be started: {e}")
        return 1
    print(proc.stdout, end="" if proc.stdout.endswith("\n") or not proc.stdout else "\n")

    missing = [rx for rx in a.expect if not re.search(rx, proc.stdout, re.M)]
    rc = proc.returncode
    if rc > 0 and not missing:
        print(f"PASS: {cmd[0]} exited {rc} with the expected message")
        return 0
    came = f"killed by signal {-rc}" if rc < 0 else f"exit code {rc}"
    found = "; ".join(f"{rx!r} {'missing' if rx in missing else 'found'}" for rx in a.expect)
    print(f"FAIL: expected a non-zero exit and the message(s) {a.expect!r}; "
          f"came: {came}, {found}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
