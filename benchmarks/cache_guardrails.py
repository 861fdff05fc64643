"""What the response cache and a typical input guardrail set cost (or save), next to a plain passthrough.

    .venv/bin/python benchmarks/cache_guardrails.py [--requests 2000] [--duration 10] [--no-wrk]

One loopback mock (benchmarks/mock_server.py, its own process) and one gateway (``python -m local_dev``,
its own process, alone on the first CPU when ``taskset`` and 2+ CPUs are there). Four ways to send the
same small chat request:

  * direct: straight to the mock (the baseline of "added" latency);
  * passthrough: through the gateway to the mock, no cache config (a passthrough miss: what every cache
    miss costs on top of its lookup);
  * cache hit: the same request with ``cache: {mode: simple}``, answered from the in-memory store (primed
    once; the mock is not called again);
  * guardrails: the passthrough plus three input checks (wordCount, a regexMatch for an SSN pattern with
    ``not``, contains with operator ``none``) in one hook, all passing.

Measured: latency at concurrency 1 (requests interleaved so all see the same noise; "added" = p50 minus
direct p50), then requests/s at concurrency 32 for a fixed time (``wrk`` if on PATH, else aiohttp in this
process) with the gateway's CPU time per request from /proc. Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from typing import Any

import aiohttp

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BODY = b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"What is the capital of France?"}]}'
GUARDRAILS = [{"wordCount": {"minWords": 1, "maxWords": 500},
               "regexMatch": {"rule": r"\b\d{3}-\d{2}-\d{4}\b", "not": True},
               "contains": {"words": ["DROP TABLE", "rm -rf"], "operator": "none"}, "deny": True}]


@dataclass
class Target:
    name: str
    url: str
    headers: dict[str, str]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def p50(values: list[float]) -> float:
    return statistics.median(values) * 1000


class Processes:
    def __init__(self, pin: bool) -> None:
        cpus = sorted(os.sched_getaffinity(0))
        self.pin = pin and shutil.which("taskset") is not None and len(cpus) >= 2
        self.gateway_cpu, self.other_cpus = cpus[0], cpus[1:]
        self.started: list[subprocess.Popen[bytes]] = []

    def _prefix(self, cpus: list[int]) -> list[str]:
        return ["taskset", "-c", ",".join(map(str, cpus))] if self.pin else []

    def mock(self) -> int:
        command = [*self._prefix(self.other_cpus), sys.executable, os.path.join(ROOT, "benchmarks", "mock_server.py")]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.started.append(process)
        assert process.stdout is not None
        return int(json.loads(process.stdout.readline())["port"])

    def gateway(self) -> tuple[int, int]:
        port = free_port()
        env = {**os.environ, "PYTHONPATH": f"{ROOT}/src:{ROOT}"}
        env.pop("REDIS_URL", None)
        command = [*self._prefix([self.gateway_cpu]), sys.executable, "-m", "local_dev", "--host", "127.0.0.1",
                   "--port", str(port), "--log-level", "warning"]
        process = subprocess.Popen(command, cwd=ROOT, env=env)
        self.started.append(process)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                    return port, process.pid
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("the gateway did not start")

    def stop(self) -> None:
        for process in self.started:
            if process.stdin is not None:
                process.stdin.close()  # the mock ends when its stdin closes
                try:
                    process.wait(5)
                    continue
                except subprocess.TimeoutExpired:
                    pass
            process.terminate()
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()


def targets(mock_port: int, gateway_port: int) -> list[Target]:
    upstream = f"http://127.0.0.1:{mock_port}/v1"
    gateway = f"http://127.0.0.1:{gateway_port}/v1/chat/completions"
    base = {"provider": "openai", "api_key": "sk-bench", "custom_host": upstream}
    plain = {"content-type": "application/json", "authorization": "Bearer sk-bench"}

    def config(extra: dict[str, Any]) -> dict[str, str]:
        return {**plain, "x-portkey-config": json.dumps({**base, **extra})}

    return [Target("direct", f"{upstream}/chat/completions", plain),
            Target("passthrough", gateway, config({})),
            Target("cache hit", gateway, config({"cache": {"mode": "simple", "max_age": 3600}})),
            Target("guardrails (3 checks)", gateway, config({"input_guardrails": GUARDRAILS}))]


async def latency(all_targets: list[Target], count: int) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {t.name: [] for t in all_targets}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1)) as session:
        async def once(target: Target) -> float:
            started = time.perf_counter()
            async with session.post(target.url, data=BODY, headers=target.headers) as response:
                await response.read()
                assert response.status == 200, (target.name, response.status)
                if target.name == "cache hit":
                    assert response.headers["x-portkey-cache-status"] in ("HIT", "MISS")
            return time.perf_counter() - started

        for _ in range(max(50, count // 10)):  # warm-up (and primes the cache)
            for target in all_targets:
                await once(target)
        for _ in range(count):
            for target in all_targets:
                out[target.name].append(await once(target))
    return out


def wrk(target: Target, conns: int, seconds: float, cpus: list[int] | None) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        headers = "".join(f'wrk.headers["{k}"] = {json.dumps(v)}\n' for k, v in target.headers.items())
        script.write(f'wrk.method = "POST"\nwrk.body = {json.dumps(BODY.decode())}\n{headers}')
    prefix = ["taskset", "-c", ",".join(map(str, cpus))] if cpus else []
    try:
        command = [*prefix, "wrk", "-t1", f"-c{conns}", f"-d{max(1, round(seconds))}s", "-s", script.name, target.url]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    finally:
        os.unlink(script.name)
    found = re.search(r"(\d+) requests in", out)
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"requests": float(found.group(1)) if found else 0.0,
            "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
            "errors": float(non_2xx.group(1)) if non_2xx else 0.0}


async def python_load(target: Target, conns: int, seconds: float) -> dict[str, float]:
    done = errors = 0
    deadline = time.perf_counter() + seconds
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=conns)) as session:
        async def worker() -> None:
            nonlocal done, errors
            while time.perf_counter() < deadline:
                async with session.post(target.url, data=BODY, headers=target.headers) as response:
                    await response.read()
                    done, errors = (done + 1, errors) if response.status == 200 else (done, errors + 1)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(conns)))
        elapsed = time.perf_counter() - started
    return {"requests": float(done), "rps": done / elapsed, "errors": float(errors)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000, help="sequential requests per target at c=1")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per target at c=32")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--no-wrk", action="store_true")
    parser.add_argument("--no-pin", action="store_true")
    args = parser.parse_args(argv)
    procs = Processes(pin=not args.no_pin)
    try:
        mock_port = procs.mock()
        gateway_port, gateway_pid = procs.gateway()
        all_targets = targets(mock_port, gateway_port)
        print(f"gateway pid {gateway_pid} {'pinned to CPU ' + str(procs.gateway_cpu) if procs.pin else 'not pinned'};"
              f" {args.requests} requests per target at c=1, {args.duration:.0f} s per target at "
              f"c={args.connections}", flush=True)
        times = asyncio.run(latency(all_targets, args.requests))
        direct = p50(times["direct"])
        use_wrk = shutil.which("wrk") is not None and not args.no_wrk
        rows = []
        for target in all_targets[1:]:
            before = cpu_seconds(gateway_pid)
            if use_wrk:
                loaded = wrk(target, args.connections, args.duration, procs.other_cpus if procs.pin else None)
            else:
                loaded = asyncio.run(python_load(target, args.connections, args.duration))
            cpu_ms = (cpu_seconds(gateway_pid) - before) / max(loaded["requests"], 1) * 1000
            rows.append((target.name, p50(times[target.name]), p50(times[target.name]) - direct, loaded["rps"],
                         cpu_ms, loaded["errors"]))
        print(f"\nload generator: {'wrk' if use_wrk else 'aiohttp'}; direct p50 at c=1: {direct:.3f} ms\n")
        print(f"| {'request':<22} | p50 c=1 (ms) | added p50 (ms) | req/s c={args.connections} | "
              f"gateway CPU/request (ms) | errors |")
        print(f"|{'-' * 24}|{'-' * 14}|{'-' * 16}|{'-' * 12}|{'-' * 26}|{'-' * 8}|")
        for name, median, added, rps, cpu_ms, errors in rows:
            print(f"| {name:<22} | {median:12.3f} | {added:14.3f} | {rps:10.0f} | {cpu_ms:24.3f} | {errors:6.0f} |")
        hit, passthrough = rows[1], rows[0]
        print(f"\ncache hit vs passthrough miss: {passthrough[1] - hit[1]:+.3f} ms p50 saved, "
              f"{hit[3] / passthrough[3]:.2f}x the requests/s; three input checks add "
              f"{rows[2][1] - passthrough[1]:.3f} ms p50 and {rows[2][4] - passthrough[4]:.3f} ms CPU per request")
    finally:
        procs.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
