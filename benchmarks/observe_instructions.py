"""Instructions per request with observability off and on, counted by valgrind (callgrind): the same
count whatever else the machine is doing, where req/s and even CPU time move with the load of a shared box.

    .venv/bin/python benchmarks/observe_instructions.py [--requests 1500] [--configs off,on,on+otlp]

Each configuration starts ``python -m local_dev`` under ``valgrind --tool=callgrind --instr-atstart=no``,
warms it up, switches collection on (``callgrind_control -i on``), sends ``--requests`` passthrough chat
requests (4 at a time) to benchmarks/mock_server.py, switches collection off and reads the count. The
configurations are observe_bench.py's ("on": console + live log with one reader on /log/stream + metrics;
then with the JSON request log; then with OTLP export to the mock too). Needs valgrind (Debian's package).
Only 127.0.0.1 is contacted. Counts are user-space instructions: the kernel's share of a request (socket
calls) is not in them, so the relative cost they show is an upper bound on the CPU-time one.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

import aiohttp
from bench import BODY, ROOT, free_port
from observe_bench import CONFIGS, Watcher, environment  # same folder (run as a script)

HEADERS = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench", "x-portkey-provider": "openai"}


async def send(url: str, mock: str, count: int) -> None:
    headers = {**HEADERS, "x-portkey-custom-host": mock + "/v1"}
    async with aiohttp.ClientSession() as session:
        async def worker(share: int) -> None:
            for _ in range(share):
                async with session.post(url, data=BODY, headers=headers) as answer:
                    await answer.read()
                    assert answer.status == 200, answer.status
        await asyncio.gather(*(worker(count // 4) for _ in range(4)))


def control(pid: int, *args: str) -> str:
    return subprocess.run(["callgrind_control", *args, str(pid)], capture_output=True, text=True, check=True).stdout


def measure(config: str, mock: str, requests: int, workdir: str) -> float:
    port = free_port()
    out = os.path.join(workdir, f"callgrind.{config}.out")
    env = environment(config, mock)
    gateway = subprocess.Popen(["valgrind", "--tool=callgrind", "--instr-atstart=no", f"--callgrind-out-file={out}",
                                sys.executable, "-m", "local_dev", "--port", str(port), "--log-level", "warning"],
                               cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            try:
                urllib.request.urlopen(base + "/", timeout=5).read()
                break
            except OSError:
                if time.monotonic() > deadline or gateway.poll() is not None:
                    raise RuntimeError(f"{config}: gateway under valgrind did not start") from None
                time.sleep(0.5)
        asyncio.run(send(base + "/v1/chat/completions", mock, 200))  # warm-up
        watcher = Watcher(base) if config != "off" else None
        if watcher is not None:
            watcher.threads = watcher.threads[:1]  # the live-log reader; no scrape: it would be counted
            watcher.__enter__()
            time.sleep(1)
        control(gateway.pid, "-i", "on")
        asyncio.run(send(base + "/v1/chat/completions", mock, requests))
        time.sleep(0.3)  # let the last live-log batch and JSON flush happen inside the window
        control(gateway.pid, "-i", "off")
        control(gateway.pid, "-d")
        if watcher is not None:
            watcher.__exit__()
    finally:
        gateway.terminate()
        gateway.wait(60)
    total = 0
    for name in os.listdir(workdir):
        if name.startswith(f"callgrind.{config}.out"):
            with open(os.path.join(workdir, name)) as handle:
                for line in handle:
                    if match := re.match(r"totals:\s+(\d+)", line):
                        total += int(match.group(1))
                        break
    return total / requests


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=1500)
    parser.add_argument("--configs", default=",".join(CONFIGS))
    args = parser.parse_args()
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (apt-get install -y valgrind)")
    mock_process = subprocess.Popen([sys.executable, os.path.join(ROOT, "benchmarks", "mock_server.py")],
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    results = {}
    try:
        assert mock_process.stdout is not None
        mock = f"http://127.0.0.1:{json.loads(mock_process.stdout.readline())['port']}"
        with tempfile.TemporaryDirectory() as workdir:
            for config in [c for c in CONFIGS if c in args.configs.split(",")]:
                results[config] = measure(config, mock, args.requests, workdir)
                print(f"[instructions] {config}: {results[config]:,.0f} per request", file=sys.stderr, flush=True)
    finally:
        mock_process.kill()
    base = results.get("off")
    print(f"{args.requests} passthrough requests, 4 at a time, counted by callgrind")
    print("| configuration | instructions per request | vs off |")
    print("|---|---|---|")
    for config, value in results.items():
        ratio = f"{value / base - 1:+.1%}" if base else "–"
        print(f"| {config} | {value:,.0f} | {ratio} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
