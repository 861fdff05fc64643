"""Soak: a bounded mixed load for several minutes against the loopback mock, watching for leaks.

    .venv/bin/python benchmarks/soak.py [--duration 180] [--concurrency 32] [--workers 1] [--json PATH]

One gateway (``python -m local_dev``, ``--workers`` processes) and the raw loopback mock
(benchmarks/mock_server.py) run for ``--duration`` seconds under ``--concurrency`` clients, each
drawing its next request from this mix:

    45%  plain chat (passthrough)             -> 200 JSON
    15%  plain chat (translated, anthropic)   -> 200 JSON
    15%  streamed chat (20 chunks, 5 ms apart) -> 200 SSE ending in [DONE]
     8%  client disconnect mid-stream          (reads the first chunk, hangs up)
     7%  provider error (the mock answers 404) -> 404 with the provider's error
     5%  hostile body (``messages`` a string)  -> 400 naming the field
     5%  provider down (nothing listening)     -> 503 naming the provider

Every 10 s it samples the gateway's RSS (each process), open file descriptors and TCP connections
(client -> gateway, gateway -> mock); at the end it prints the outcome counts, every unexpected one,
the RSS timeline and the descriptors and connections after the load and after 65 s idle (the
upstream pool closes a connection idle for 30 s, looking every 30 s). "Levels off" is judged on the
second half of the run: the RSS growth there, and descriptors back at their baseline once idle.
Only 127.0.0.1 is contacted; everything started is stopped at the end, also on error.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

sys.path.insert(0, str(Path(__file__).resolve().parent))
from cores import children, rss_kib, start_gateway, start_mock, stop  # noqa: E402

CHAT = {"model": "gpt-4o-mini", "max_tokens": 64, "messages": [{"role": "user", "content": "hi"}]}
MIX = (("plain", 45), ("translated", 15), ("stream", 15), ("disconnect", 8), ("provider_error", 7),
       ("hostile", 5), ("provider_down", 5))


@dataclass
class Tally:
    outcomes: Counter[str] = field(default_factory=Counter)
    unexpected: Counter[str] = field(default_factory=Counter)
    samples: list[dict[str, object]] = field(default_factory=list)


def fds(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def tcp_connections(port: int) -> int:
    """Established loopback connections whose remote end is ``port`` (counted from the client side)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            parts = line.split()
            if parts[3] == "01" and int(parts[2].rsplit(":", 1)[1], 16) == port:
                count += 1
    return count


def processes(pid: int) -> list[int]:
    return [pid, *children(pid)]


def sample(gateway_pid: int, gateway_port: int, mock_port: int, started: float) -> dict[str, object]:
    pids = processes(gateway_pid)
    return {"t": round(time.monotonic() - started), "rss_mib": [round(rss_kib(p) / 1024, 1) for p in pids],
            "fds": sum(fds(p) for p in pids), "client_conns": tcp_connections(gateway_port),
            "upstream_conns": tcp_connections(mock_port)}


async def one(session: aiohttp.ClientSession, kind: str, gw: str, mock_port: int, down_port: int) -> str:
    """Send one request of ``kind``; return what happened (an outcome name, or 'unexpected: ...')."""
    headers = {"authorization": "Bearer sk-soak", "x-portkey-provider": "openai",
               "x-portkey-custom-host": f"http://127.0.0.1:{mock_port}/v1"}
    body: dict[str, object] = dict(CHAT)
    expect = 200
    if kind == "translated":
        headers["x-portkey-provider"] = "anthropic"
    elif kind in ("stream", "disconnect"):
        headers["x-portkey-custom-host"] = f"http://127.0.0.1:{mock_port}/x/chunks=20,gap=0.005/v1"
        body["stream"] = True
    elif kind == "provider_error":
        headers["x-portkey-custom-host"] = f"http://127.0.0.1:{mock_port}/no/such/place"
        expect = 404
    elif kind == "hostile":
        body["messages"] = "not a list"
        expect = 400
    elif kind == "provider_down":
        headers["x-portkey-custom-host"] = f"http://127.0.0.1:{down_port}/v1"
        expect = 503
    async with session.post(gw + "/v1/chat/completions", json=body, headers=headers) as answer:
        if answer.status != expect:
            return f"unexpected: {kind} answered {answer.status}"
        if kind == "disconnect":
            await answer.content.readany()
            answer.close()  # hang up mid-stream: the gateway must cancel the upstream stream
            return kind
        data = await answer.read()
        if kind == "stream" and not data.rstrip().endswith(b"data: [DONE]"):
            return "unexpected: stream without [DONE]"
        if expect >= 400 and not data.startswith(b"{"):
            return f"unexpected: {kind} error body is not JSON"
        return kind


async def client(session: aiohttp.ClientSession, gw: str, mock_port: int, down_port: int, until: float,
                 tally: Tally, rng: random.Random) -> None:
    kinds, weights = zip(*MIX, strict=True)
    while time.monotonic() < until:
        kind = rng.choices(kinds, weights)[0]
        try:
            outcome = await asyncio.wait_for(one(session, kind, gw, mock_port, down_port), 30)
        except (aiohttp.ClientError, TimeoutError) as error:
            outcome = f"unexpected: {kind} raised {type(error).__name__}"
        if outcome.startswith("unexpected"):
            tally.unexpected[outcome] += 1
        tally.outcomes[kind] += 1


async def run_load(gateway_pid: int, port: int, mock_port: int, args: argparse.Namespace) -> Tally:
    tally = Tally()
    gw = f"http://127.0.0.1:{port}"
    with socket.socket() as closed:  # a port with nothing listening: the "provider down" case
        closed.bind(("127.0.0.1", 0))
        down_port = closed.getsockname()[1]
    started = time.monotonic()
    until = started + args.duration
    tally.samples.append({**sample(gateway_pid, port, mock_port, started), "phase": "start"})
    connector = aiohttp.TCPConnector(limit=args.concurrency)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=30)) as session:
        rng = random.Random(7)
        tasks = [asyncio.ensure_future(client(session, gw, mock_port, down_port, until, tally,
                                              random.Random(rng.random()))) for _ in range(args.concurrency)]
        while time.monotonic() < until:
            await asyncio.sleep(min(10, max(0.1, until - time.monotonic())))
            tally.samples.append(sample(gateway_pid, port, mock_port, started))
            print(f"[soak] {tally.samples[-1]}", file=sys.stderr, flush=True)
        await asyncio.gather(*tasks)
    tally.samples.append({**sample(gateway_pid, port, mock_port, started), "phase": "after load"})
    await asyncio.sleep(65)
    tally.samples.append({**sample(gateway_pid, port, mock_port, started), "phase": "after 65 s idle"})
    return tally


def report(tally: Tally, args: argparse.Namespace) -> None:
    total = sum(tally.outcomes.values())
    print(f"\nsoak: {args.duration} s, {args.concurrency} clients, {args.workers} worker(s); {total:,} requests "
          f"({total / args.duration:,.0f}/s)")
    print("outcomes: " + ", ".join(f"{k} {v:,}" for k, v in tally.outcomes.most_common()))
    listed = "".join(f"\n  {k}: {v}" for k, v in tally.unexpected.items())
    print(f"unexpected: {sum(tally.unexpected.values())}{listed}")
    print("\n| t (s) | RSS MiB (per process) | fds | client conns | upstream conns |\n|---|---|---|---|---|")
    for s in tally.samples:
        label = f"{s['t']} ({s['phase']})" if "phase" in s else str(s["t"])
        print(f"| {label} | {', '.join(map(str, s['rss_mib']))} | {s['fds']} | {s['client_conns']} "  # type: ignore[call-overload]
              f"| {s['upstream_conns']} |")
    timed = [s for s in tally.samples if "phase" not in s]
    half = timed[len(timed) // 2:] if len(timed) >= 2 else timed
    if half:
        grow = sum(half[-1]["rss_mib"]) - sum(half[0]["rss_mib"])  # type: ignore[arg-type]
        print(f"\nRSS over the second half of the run: {grow:+.1f} MiB "
              f"({half[0]['t']} s -> {half[-1]['t']} s); fds at start {tally.samples[0]['fds']}, "
              f"after idle {tally.samples[-1]['fds']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--duration", type=int, default=180)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--json", metavar="PATH")
    args = parser.parse_args(argv)
    mock, mock_port = start_mock()
    gateway = None
    try:
        with tempfile.TemporaryFile() as log:
            gateway, port = start_gateway(args.workers, log)
            tally = asyncio.run(run_load(gateway.pid, port, mock_port, args))
    finally:
        stop(gateway)
        if mock.stdin:
            mock.stdin.close()
        stop(mock)
    report(tally, args)
    if args.json:
        Path(args.json).write_text(json.dumps({"outcomes": tally.outcomes, "unexpected": tally.unexpected,
                                               "samples": tally.samples}, indent=2))
    return 1 if tally.unexpected else 0


if __name__ == "__main__":
    sys.exit(main())
