"""Requests/s of ``python -m local_dev --workers N`` for 1, 2 and all cores, and memory per process.

    .venv/bin/python benchmarks/cores.py [--duration 10] [--connections 64] [--levels 1,2,all] [--json PATH]

For each level: the loopback mock (benchmarks/mock_server.py, raw) and the gateway with N worker
processes start; ``wrk`` loads the passthrough path (a small chat request, OpenAI-shaped mock) at
``--connections`` for ``--duration`` seconds after a 2 s warm-up; then the RSS of the supervisor and
of each worker is read from /proc, and the gateway is stopped with SIGTERM. Nothing is pinned: with N
workers the gateway may use N cores, and the mock and wrk share the machine with it, so on a machine
with few cores the load generator and the mock take a visible share (the table prints the core count).
Only 127.0.0.1 is contacted; every process started is stopped at the end, also on error.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BODY = '{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def rss_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    """The worker processes of a supervisor (multiprocessing's resource tracker is left out)."""
    try:
        found = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
        return [c for c in found if b"spawn_main" in Path(f"/proc/{c}/cmdline").read_bytes()]
    except OSError:
        return []


def start_mock() -> tuple[subprocess.Popen[bytes], int]:
    mock = subprocess.Popen([sys.executable, str(ROOT / "benchmarks" / "mock_server.py"), "--impl", "raw"],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
    assert mock.stdout is not None
    line = mock.stdout.readline()
    if not line:
        raise RuntimeError("mock server did not start")
    return mock, int(json.loads(line)["port"])


def start_gateway(workers: int, log: object) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT}"}
    gateway = subprocess.Popen([sys.executable, "-m", "local_dev", "--port", str(port), "--workers", str(workers),
                                "--log-level", "warning", "--headless"], cwd=ROOT, env=env,
                               stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT)  # type: ignore[arg-type]
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if gateway.poll() is not None:
            raise RuntimeError(f"gateway exited with {gateway.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as answer:
                if answer.status == 200 and (workers == 1 or len(children(gateway.pid)) >= workers):
                    return gateway, port
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError("gateway not ready after 30 s")


def stop(process: subprocess.Popen[bytes] | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(10)


def wrk(url: str, mock_port: int, connections: int, seconds: int) -> dict[str, float]:
    headers = {"content-type": "application/json", "authorization": "Bearer sk-bench", "x-portkey-provider": "openai",
               "x-portkey-custom-host": f"http://127.0.0.1:{mock_port}/v1"}
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(BODY)}"]
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in headers.items()]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write("\n".join(lines) + "\n")
    try:
        out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script.name, url],
                             capture_output=True, text=True, timeout=seconds + 60).stdout
    finally:
        os.unlink(script.name)
    found = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not found:
        raise RuntimeError(f"could not parse wrk output:\n{out}")
    errors = sum(int(n) for n in re.findall(r"(?:Non-2xx or 3xx responses|connect|read|write|timeout):? (\d+)", out))
    p99 = re.search(r"^\s+99%\s+([\d.]+)(us|ms|s)", out, re.M)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}
    return {"rps": float(found.group(1)), "errors": errors,
            "p99_ms": float(p99.group(1)) * scale[p99.group(2)] if p99 else float("nan")}


def measure(workers: int, mock_port: int, args: argparse.Namespace) -> dict[str, object]:
    with tempfile.TemporaryFile() as log:
        gateway, port = start_gateway(workers, log)
        try:
            url = f"http://127.0.0.1:{port}/v1/chat/completions"
            wrk(url, mock_port, args.connections, 2)  # warm-up: connections to the mock, caches
            result = wrk(url, mock_port, args.connections, args.duration)
            pids = children(gateway.pid) if workers > 1 else []
            memory = {"supervisor" if pids else "process": rss_kib(gateway.pid) // 1024,
                      "workers": [rss_kib(pid) // 1024 for pid in pids]}
        finally:
            stop(gateway)
    return {"workers": workers, **result, "rss_mib": memory}


def levels(spec: str) -> list[int]:
    cores = os.cpu_count() or 1
    wanted = [cores if part.strip() == "all" else int(part) for part in spec.split(",")]
    return sorted(set(wanted))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--levels", default="1,2,all", help="worker counts; 'all' = one per core")
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    if not shutil.which("wrk"):
        print("wrk is needed (apt-get install -y wrk)", file=sys.stderr)
        return 2
    mock, mock_port = start_mock()
    rows = []
    try:
        for n in levels(args.levels):
            print(f"[cores] {n} worker(s): {args.duration} s at c={args.connections} ...", file=sys.stderr, flush=True)
            rows.append(measure(n, mock_port, args))
    finally:
        if mock.stdin:
            mock.stdin.close()
        stop(mock)
    print(f"\n{os.cpu_count()} cores; mock and wrk run on the same cores (nothing pinned); passthrough chat, "
          f"c={args.connections}, {args.duration} s\n")
    print("| workers | req/s | vs 1 worker | p99 | errors | RSS per process (MiB) |")
    print("|---|---|---|---|---|---|")
    base = float(rows[0]["rps"])  # type: ignore[arg-type]
    for row in rows:
        memory = row["rss_mib"]
        assert isinstance(memory, dict)
        per = (f"{memory['process']}" if "process" in memory
               else f"supervisor {memory['supervisor']}, workers {', '.join(map(str, memory['workers']))}")
        rps = float(row["rps"])  # type: ignore[arg-type]
        print(f"| {row['workers']} | {rps:,.0f} | {rps / base:.2f}x | {float(row['p99_ms']):.1f} ms "  # type: ignore[arg-type]
              f"| {row['errors']} | {per} |")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
