#!/usr/bin/python3
"""sim_check.py: runs ftoe-sim and checks what it did, for ctest.

  sim_check.py pair --sim BIN --out DIR [--expect-bulk|--expect-echo|--expect-http N]
               [--expect-corrupt-dropped] -- <ftoe-sim pair args>
      One back-to-back run with captures: the summary must say ok, the checks asked for
      must hold, and both captures must pass check_capture.py (as many bad checksums as
      the wire into that board corrupted, no more, no fewer).
  sim_check.py determinism --sim BIN --out DIR -- <ftoe-sim pair args>
      The same run twice gives byte-identical captures; another seed gives others.
  sim_check.py interop CASE --sim BIN --out DIR
      Linux against the simulated board through a TAP, inside a network namespace this
      script creates (unshare --net: it holds only loopback and the TAP, and disappears
      with the process). Needs root: without it, prints why and exits 77 (skipped).
      Cases: echo, echo-loss, to-linux, echo-to-linux, http-to-linux, curl,
      server-closes-first.

Exit 0: passed; 1: failed (each problem printed); 77: skipped.
"""
import argparse
import hashlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CHECK_CAPTURE = os.path.join(HERE, "check_capture.py")
SKIP = 77
FTOE_IP, LINUX_IP = "10.0.0.2", "10.0.0.1"


class Failed(Exception):
    pass


def byte_stream(seed, n):
    """ftoe's ByteStream (sim/apps/byte_stream.hpp): xorshift64* words, LSB first."""
    x = (seed | 1) & 0xFFFFFFFFFFFFFFFF
    out = bytearray()
    mask = 0xFFFFFFFFFFFFFFFF
    while len(out) < n:
        x ^= x >> 12
        x ^= (x << 25) & mask
        x ^= x >> 27
        w = (x * 0x2545F4914F6CDD1D) & mask
        out += w.to_bytes(8, "little")
    return bytes(out[:n])


def run_sim(sim, args, timeout):
    cmd = [sim] + args + ["--json"]
    print("running:", " ".join(cmd), flush=True)
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
    return p.returncode, p.stdout, p.stderr


def summary_of(stdout):
    for line in reversed(stdout.splitlines()):
        line = line.strip()
        if line.startswith("{"):
            return json.loads(line)
    raise Failed("ftoe-sim printed no JSON summary:\n" + stdout)


def check_capture(path, bad_checksums):
    cmd = ["/usr/bin/python3", CHECK_CAPTURE, "--allow-bad-checksums", str(bad_checksums), path]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    sys.stdout.write(p.stdout)
    if p.returncode == SKIP:
        print("capture check skipped: tshark not found")
        return
    if p.returncode != 0:
        raise Failed("capture check failed for " + path)


def board(summary, name):
    for b in summary["boards"]:
        if b["board"] == name:
            return b
    raise Failed("no board %s in the summary" % name)


def wire(summary, name):
    for w in summary["wires"]:
        if w["wire"] == name:
            return w
    raise Failed("no wire %s in the summary" % name)


def print_brief(s):
    print("summary: ok=%s sim %.6f s, wall %.1f s, %d engine cycles evaluated (%d/s), %d skipped"
          % (s["ok"], s["sim_s"], s["wall_s"], s["evaluated_cycles"], s["cycles_per_s"], s["skipped_cycles"]))
    for b in s["boards"]:
        e = b.get("engine", {})
        print("  board %s %s: accepted %d opened %d closed %d, bytes in %d out %d, retransmissions %s, "
              "drops %s, TIME_WAIT %d, free sessions %d"
              % (b["board"], b["app"], b["connections_accepted"], b["connections_opened"],
                 b["connections_closed"], b["bytes_in"], b["bytes_out"], e.get("retransmissions"),
                 e.get("drops"), b["time_wait_entries"], b["free_sessions"]))
    for w in s["wires"]:
        print("  wire %s: %d frames, lost %d, duplicated %d, reordered %d, corrupted %d"
              % (w["wire"], w["frames"], w["lost"], w["duplicated"], w["reordered"], w["corrupted"]))


# ---- pair ------------------------------------------------------------------------------

def cmd_pair(a):
    pcap = os.path.join(a.out, a.name)
    rc, out, err = run_sim(a.sim, a.args + ["--pcap", pcap], a.timeout)
    s = summary_of(out)
    print_brief(s)
    problems = []
    if rc != 0 or not s["ok"]:
        problems.append("ftoe-sim failed (exit %d): %s %s" % (rc, s["problems"], err.strip()[-2000:]))
    A, B = board(s, "a"), board(s, "b")
    if a.expect_bulk:
        if not A["sha256_sent"] or A["sha256_sent"] != B["sha256_received"]:
            problems.append("bulk: sent %s, received %s" % (A["sha256_sent"], B["sha256_received"]))
    if a.expect_echo:
        if not B["sha256_sent"] or B["sha256_sent"] != B["sha256_received"]:
            problems.append("echo: sent %s, echoed %s" % (B["sha256_sent"], B["sha256_received"]))
    if a.expect_http is not None:
        if B["responses"] != a.expect_http or B["connections_closed"] != B["connections_opened"]:
            problems.append("http: %d responses of %d, %d of %d connections closed"
                            % (B["responses"], a.expect_http, B["connections_closed"], B["connections_opened"]))
    for x in (A, B):
        if x["open_connections"] or x["free_sessions"] != 4096 or x.get("engine", {}).get("table_occupancy"):
            problems.append("board %s holds connections or engine sessions at the end" % x["board"])
    if a.expect_corrupt_dropped:
        for name, into in (("a->b", B), ("b->a", A)):
            corrupted = wire(s, name)["corrupted"]
            drops = into["engine"]["drops"]
            by_checksum = drops.get("DROP_TCP_CHECKSUM", 0) + drops.get("DROP_IP_CHECKSUM", 0)
            print("wire %s corrupted %d frames; board %s dropped %d by checksum"
                  % (name, corrupted, into["board"], by_checksum))
            if by_checksum != corrupted:
                problems.append("board %s dropped %d frames by checksum, the wire corrupted %d"
                                % (into["board"], by_checksum, corrupted))
    for side, wire_in in (("a", "b->a"), ("b", "a->b")):
        try:
            check_capture("%s-%s.pcap" % (pcap, side), wire(s, wire_in)["corrupted"])
        except Failed as e:
            problems.append(str(e))
    if problems:
        raise Failed("\n".join(problems))


def cmd_determinism(a):
    runs = []
    for i, seed_shift in enumerate((0, 0, 1)):
        args = list(a.args)
        seed = 1
        if "--seed" in args:
            seed = int(args[args.index("--seed") + 1])
            del args[args.index("--seed"):args.index("--seed") + 2]
        pcap = os.path.join(a.out, "det%d" % i)
        rc, out, err = run_sim(a.sim, args + ["--seed", str(seed + seed_shift), "--pcap", pcap], a.timeout)
        s = summary_of(out)
        if rc != 0 or not s["ok"]:
            raise Failed("run %d failed: %s %s" % (i, s["problems"], err[-2000:]))
        runs.append([open("%s-%s.pcap" % (pcap, side), "rb").read() for side in "ab"])
        print("run %d: seed %d, captures %d and %d bytes, sha256 %s"
              % (i, seed + seed_shift, len(runs[-1][0]), len(runs[-1][1]),
                 hashlib.sha256(runs[-1][0] + runs[-1][1]).hexdigest()[:16]))
    if runs[0] != runs[1]:
        raise Failed("the same seed gave different captures")
    if runs[0] == runs[2]:
        raise Failed("another seed gave the same captures: the seed is not used")


def frame_fields(path):
    """Per frame: time, addresses, sequence/ack numbers, length, flags, window: all but
    the TCP timestamp values."""
    fields = ["frame.time_epoch", "eth.src", "eth.dst", "ip.src", "ip.dst", "tcp.seq_raw",
              "tcp.ack_raw", "tcp.len", "tcp.flags", "tcp.window_size_value"]
    cmd = ["tshark", "-r", path, "-T", "fields"] + sum((["-e", f] for f in fields), [])
    return subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, check=True).stdout


def cmd_idle_skip(a):
    """A run skipping idle time sends the same frames at the same simulated times as one
    clocking every engine every cycle. Only the TCP timestamp values may differ: the
    engine's timestamp clock counts the ticks it was clocked through."""
    got = []
    for i, extra in enumerate(([], ["--no-idle-skip"])):
        pcap = os.path.join(a.out, "skip%d" % i)
        rc, out, err = run_sim(a.sim, a.args + extra + ["--pcap", pcap], a.timeout)
        s = summary_of(out)
        print_brief(s)
        if rc != 0 or not s["ok"]:
            raise Failed("run %d failed: %s %s" % (i, s["problems"], err[-2000:]))
        got.append([frame_fields("%s-%s.pcap" % (pcap, side)) for side in "ab"])
    for side in range(2):
        if got[0][side] != got[1][side]:
            a_lines, b_lines = got[0][side].splitlines(), got[1][side].splitlines()
            for k, (x, y) in enumerate(zip(a_lines, b_lines)):
                if x != y:
                    raise Failed("board %s frame %d differs:\n  skipping: %s\n  clocked:  %s" % ("ab"[side], k + 1, x, y))
            raise Failed("board %s: %d frames skipping, %d clocked" % ("ab"[side], len(a_lines), len(b_lines)))
    print("identical: %d and %d frames" % (len(got[0][0].splitlines()), len(got[0][1].splitlines())))


# ---- interop ---------------------------------------------------------------------------

class TapSim:
    """ftoe-sim in tap mode, started in this (new) network namespace."""

    def __init__(self, a, args, pcap):
        self.cmd = [a.sim, "tap", "--ifname", "ftoe0", "--ip", FTOE_IP, "--linux-ip", LINUX_IP + "/24",
                    "--pcap", pcap, "--json", "--duration", str(a.timeout)] + args
        print("running:", " ".join(self.cmd), flush=True)
        self.p = subprocess.Popen(self.cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.lines = []
        deadline = time.time() + 60
        while time.time() < deadline:
            line = self.p.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            if "ready" in line:
                print(line.strip(), flush=True)
                return
        self.p.kill()
        raise Failed("ftoe-sim never said ready:\n" + "".join(self.lines) + self.p.stderr.read())

    def finish(self, interrupt=True, timeout=600):
        if interrupt:
            self.p.send_signal(signal.SIGINT)
        out, err = self.p.communicate(timeout=timeout)
        s = summary_of("".join(self.lines) + out)
        print_brief(s)
        if self.p.returncode != 0 or not s["ok"]:
            raise Failed("ftoe-sim failed (exit %d): %s %s" % (self.p.returncode, s["problems"], err[-2000:]))
        return s


def in_netns():
    """Re-runs this script in a new network namespace unless it already is in one."""
    if os.environ.get("FTOE_SIM_CHECK_NETNS") == "1":
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        return True
    if os.geteuid() != 0:
        print("SKIP: the interop tests need root (CAP_NET_ADMIN) to create their own network "
              "namespace and TAP device; run ctest as root")
        sys.exit(SKIP)
    env = dict(os.environ, FTOE_SIM_CHECK_NETNS="1")
    p = subprocess.run(["unshare", "--net", "--", sys.executable] + sys.argv, env=env)
    sys.exit(p.returncode)


def listening_socket(port, timeout):
    """A Linux server socket listening on any address (the TAP's comes up with ftoe-sim),
    so that ftoe's SYN never finds the port closed."""
    srv = socket.socket()
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind(("0.0.0.0", port))
    srv.listen(1)
    srv.settimeout(timeout)
    return srv


def wait_listening(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise Failed("nothing listens on port %d after %d s" % (port, timeout))


def echo_from_linux(nbytes, port=7, timeout=600):
    data = byte_stream(77, nbytes)
    got = bytearray()
    s = socket.create_connection((FTOE_IP, port), timeout=timeout)

    def sender():
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)  # Linux closes first; the echo app closes after EOF

    t = threading.Thread(target=sender)
    t.start()
    while True:
        chunk = s.recv(1 << 16)
        if not chunk:
            break
        got += chunk
    t.join()
    s.close()
    sent_h, got_h = hashlib.sha256(data).hexdigest(), hashlib.sha256(got).hexdigest()
    print("echo: sent %d bytes sha256 %s, got %d bytes sha256 %s" % (len(data), sent_h, len(got), got_h))
    if sent_h != got_h:
        raise Failed("echoed bytes differ")


def cmd_interop(a):
    in_netns()
    pcap = os.path.join(a.out, "interop-%s.pcap" % a.case)
    nbytes = int(os.environ.get("FTOE_INTEROP_BYTES", "0")) or None
    if a.case in ("echo", "echo-loss"):
        extra = ["--app", "echo"]
        if a.case == "echo-loss":
            extra += ["--loss", "0.02", "--faults-one-way", "--seed", "3"]
        sim = TapSim(a, extra, pcap)
        echo_from_linux(nbytes or 1_000_000)
        time.sleep(0.5)  # the last ACKs and the close reach the board
        s = sim.finish()
        b = board(s, "ftoe")
        if b["connections_accepted"] != 1 or b["connections_closed"] != 1:
            raise Failed("expected one connection accepted and closed")
        if a.case == "echo-loss" and wire(s, "linux->ftoe")["lost"] == 0:
            raise Failed("no frame was lost: the fault injection did nothing")
    elif a.case == "to-linux":
        n = nbytes or 10_000_000
        srv = listening_socket(5001, a.timeout)
        result = {}

        def server():
            try:
                c, _ = srv.accept()
            except OSError as e:
                result["error"] = str(e)
                return
            c.settimeout(a.timeout)
            h, count = hashlib.sha256(), 0
            while True:
                chunk = c.recv(1 << 16)
                if not chunk:
                    break
                h.update(chunk)
                count += len(chunk)
            c.close()
            result["sha"], result["bytes"] = h.hexdigest(), count

        t = threading.Thread(target=server, daemon=True)  # never holds the exit
        t.start()
        sim = TapSim(a, ["--app", "bulk", "--bytes", str(n), "--connect", LINUX_IP + ":5001",
                         "--seed", "5"], pcap)
        s = sim.finish(interrupt=False, timeout=a.timeout)
        t.join(30)
        b = board(s, "ftoe")
        print("to-linux: ftoe sent sha256 %s; Linux received %s bytes sha256 %s"
              % (b["sha256_sent"], result.get("bytes"), result.get("sha")))
        if result.get("sha") != b["sha256_sent"] or result.get("bytes") != n:
            raise Failed("Linux did not receive what ftoe sent" + (": " + result["error"] if "error" in result else ""))
    elif a.case == "echo-to-linux":
        # ftoe's echo client against a Linux echo server: the client checks every byte
        # that comes back (SHA-256) and closes first.
        srv = listening_socket(7, a.timeout)

        def serve_echo():
            try:
                c, _ = srv.accept()
            except OSError:
                return
            c.settimeout(a.timeout)
            while True:
                chunk = c.recv(1 << 16)
                if not chunk:
                    break
                c.sendall(chunk)
            c.close()

        threading.Thread(target=serve_echo, daemon=True).start()
        n = nbytes or 200_000
        sim = TapSim(a, ["--app", "echo", "--bytes", str(n), "--connect", LINUX_IP + ":7"], pcap)
        s = sim.finish(interrupt=False, timeout=a.timeout)
        b = board(s, "ftoe")
        print("echo-to-linux: ftoe sent %d bytes sha256 %s, got back %d bytes sha256 %s"
              % (b["bytes_out"], b["sha256_sent"], b["bytes_in"], b["sha256_received"]))
        if b["bytes_in"] != n or b["sha256_received"] != b["sha256_sent"] or b["connections_closed"] != 1:
            raise Failed("the echo from Linux differs from what ftoe sent, or the connection stayed open")
    elif a.case == "http-to-linux":
        # ftoe's HTTP client fetches a file from Python's http.server (HTTP/1.0: Linux
        # closes each connection after its response); the client checks each body's hash.
        n, size = 20, 20000
        root = os.path.join(a.out, "www")
        os.makedirs(os.path.join(root, "bytes"), exist_ok=True)
        with open(os.path.join(root, "bytes", str(size)), "wb") as f:
            f.write(byte_stream(1, size))
        httpd = subprocess.Popen([sys.executable, "-m", "http.server", "8080", "--bind", "0.0.0.0",
                                  "--directory", root], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_listening(8080)
            sim = TapSim(a, ["--app", "http", "--requests", str(n), "--http-path", "/bytes/%d" % size,
                             "--connect", LINUX_IP + ":8080"], pcap)
            s = sim.finish(interrupt=False, timeout=a.timeout)
        finally:
            httpd.kill()
            httpd.wait()
        b = board(s, "ftoe")
        print("http-to-linux: %d responses, %d connections opened, %d closed"
              % (b["responses"], b["connections_opened"], b["connections_closed"]))
        if b["responses"] != n or b["connections_opened"] != n or b["connections_closed"] != n:
            raise Failed("want %d responses on %d connections, all closed" % (n, n))
    elif a.case == "curl":
        sim = TapSim(a, ["--app", "http", "--port", "80"], pcap)
        n, ok = 200, 0
        for i in range(n):
            path = "/" if i % 2 == 0 else "/bytes/%d" % (1000 * (i % 7 + 1))
            p = subprocess.run(["curl", "-sS", "-m", "60", "-o", "/dev/null", "-w", "%{http_code} %{size_download}",
                                "http://%s%s" % (FTOE_IP, path)], stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
            code, size = (p.stdout.split() + ["", ""])[:2]
            want = None if path == "/" else str(1000 * (i % 7 + 1))
            if p.returncode == 0 and code == "200" and (want is None or size == want):
                ok += 1
            else:
                print("request %d %s: curl exit %d, %s %s" % (i, path, p.returncode, p.stdout, p.stderr.strip()))
        print("curl: %d of %d requests answered" % (ok, n))
        time.sleep(0.5)
        s = sim.finish()
        b = board(s, "ftoe")
        if ok != n:
            raise Failed("%d of %d requests failed" % (n - ok, n))
        if b["connections_accepted"] != n or b["connections_closed"] != n or b["open_connections"]:
            raise Failed("connections: %d accepted, %d closed, %d open (want %d, %d, 0)"
                         % (b["connections_accepted"], b["connections_closed"], b["open_connections"], n, n))
    elif a.case == "server-closes-first":
        # Requests with "Connection: close" from a client that closes only after ftoe's FIN
        # (read to EOF): ftoe closes first every time and holds the TIME_WAIT.
        sim = TapSim(a, ["--app", "http", "--port", "80"], pcap)
        n = 20
        for i in range(n):
            c = socket.create_connection((FTOE_IP, 80), timeout=60)
            c.sendall(b"GET /bytes/3000 HTTP/1.1\r\nHost: ftoe\r\nConnection: close\r\n\r\n")
            got = bytearray()
            while True:
                chunk = c.recv(65536)
                if not chunk:
                    break
                got += chunk
            c.close()
            if not got.startswith(b"HTTP/1.1 200") or not got.endswith(byte_stream(1, 3000)):
                raise Failed("request %d: bad response %r" % (i, bytes(got[:80])))
        time.sleep(0.5)
        s = sim.finish()
        b = board(s, "ftoe")
        eng = b.get("engine", {})
        print("ftoe TIME_WAIT entries %d, free engine sessions %d, engine table occupancy %s"
              % (b["time_wait_entries"], b["free_sessions"], eng.get("table_occupancy")))
        if b["connections_closed"] != n or b["time_wait_entries"] != n:
            raise Failed("ftoe closed first %d times but holds %d TIME_WAIT entries" % (n, b["time_wait_entries"]))
        if b["free_sessions"] != 4096 or eng.get("table_occupancy") != 0:
            raise Failed("TIME_WAIT must hold no hardware session")
    else:
        raise Failed("unknown case " + a.case)
    check_capture(pcap, 0)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    for name in ("pair", "determinism", "idle-skip", "interop"):
        p = sub.add_parser(name)
        p.add_argument("--sim", required=True)
        p.add_argument("--out", required=True)
        p.add_argument("--timeout", type=int, default=1500)
        if name == "pair":
            p.add_argument("--name", default="pair")
            p.add_argument("--expect-bulk", action="store_true")
            p.add_argument("--expect-echo", action="store_true")
            p.add_argument("--expect-http", type=int)
            p.add_argument("--expect-corrupt-dropped", action="store_true")
        if name == "interop":
            p.add_argument("case")
        else:
            p.add_argument("args", nargs=argparse.REMAINDER)
    a = ap.parse_args()
    if hasattr(a, "args") and a.args and a.args[0] == "--":
        a.args = a.args[1:]
    os.makedirs(a.out, exist_ok=True)
    try:
        {"pair": cmd_pair, "determinism": cmd_determinism, "idle-skip": cmd_idle_skip,
         "interop": cmd_interop}[a.cmd](a)
    except (Failed, subprocess.TimeoutExpired, OSError) as e:
        print("FAIL:", e)
        return 1
    print("PASS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
