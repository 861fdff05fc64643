"""What observability costs: gateway throughput with the console, live log, metrics and JSON request
logs on, next to the same gateway with them off (and, as a third row, with OTLP trace export too).

    .venv/bin/python benchmarks/observe_bench.py [--rounds 3] [--duration 8] [--concurrency 32] [--no-wrk]

Same harness as bench.py (its mock, its process placement, wrk when on PATH): the gateway is pinned to
one CPU and POST /v1/chat/completions (passthrough to the loopback mock) is sent at c=32. Each round
starts one gateway per configuration, one after the other, so every configuration sees the same mix of
background noise; the table gives the median over rounds of req/s and of the gateway's CPU time per
request, and the ratio to "off".

  off           the defaults: no ADMIN_TOKEN, METRICS_TOKEN, REQUEST_LOG or OTEL_* (nothing observes)
  on            the console, live log and metrics: ADMIN_TOKEN + METRICS_TOKEN, with one live-log reader
                connected to /log/stream for the whole run and /metrics scraped every second
  on+json       "on" plus REQUEST_LOG=json (one JSON line per request; stdout to a file)
  on+json+otlp  "on+json" plus OTEL_EXPORTER_OTLP_ENDPOINT at the mock (every span encoded and sent in
                batches; the mock answers 404, which costs the gateway the same as a collector's 200)

Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import sys
import threading
import urllib.request
from typing import Any

from bench import BODY, PATH, Procs, Target, load, log, our_gateway  # same folder (run as a script)

ADMIN = "bench-admin-token-0123456789"
CONFIGS = ("off", "on", "on+json", "on+json+otlp")


class Watcher:
    """A console left open: one live-log reader, and a Prometheus-like scrape of /metrics every second."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.stop = threading.Event()
        self.events = 0
        self.scrapes = 0
        self.threads = [threading.Thread(target=self._read, daemon=True),
                        threading.Thread(target=self._scrape, daemon=True)]

    def __enter__(self) -> Watcher:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(5)

    def _request(self, path: str) -> urllib.request.Request:
        return urllib.request.Request(self.base + path, headers={"authorization": f"Bearer {ADMIN}"})

    def _read(self) -> None:
        """A raw socket, not urllib: decoding chunks in Python would load the load generator's CPU and
        so slow the very gateway being measured."""
        host, port = self.base.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=1) as sock:
            sock.sendall(f"GET /log/stream HTTP/1.1\r\nhost: {host}\r\nauthorization: Bearer {ADMIN}\r\n\r\n"
                         .encode())
            tail = b""
            while not self.stop.is_set():
                try:
                    data = sock.recv(1 << 16)
                except TimeoutError:
                    continue
                if not data:
                    return
                self.events += (tail + data).count(b"event: log")
                tail = data[-9:]

    def _scrape(self) -> None:
        while not self.stop.wait(1.0):
            with urllib.request.urlopen(self._request("/metrics"), timeout=5) as answer:
                answer.read()
            self.scrapes += 1


def environment(config: str, mock: str) -> dict[str, str]:
    env = our_gateway().env
    for name in ("ADMIN_TOKEN", "METRICS_TOKEN", "REQUEST_LOG", "OTEL_EXPORTER_OTLP_ENDPOINT",
                 "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        env.pop(name, None)
    if config != "off":
        env.update({"ADMIN_TOKEN": ADMIN, "METRICS_TOKEN": "bench-metrics-token"})
    if "json" in config:
        env["REQUEST_LOG"] = "json"
    if "otlp" in config:
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = mock
    return env


def one_run(procs: Procs, config: str, mock: str, wrk: str | None, args: argparse.Namespace) -> dict[str, float]:
    spec = our_gateway()
    spec.env = environment(config, mock)
    port = procs.start_gateway(spec)
    gw = f"http://127.0.0.1:{port}"
    headers = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench",
               "x-portkey-provider": "openai", "x-portkey-custom-host": mock + "/v1"}
    target = Target(config, gw + PATH, headers, gw + PATH, headers, BODY)
    try:
        assert procs.gateway is not None
        pids = {"gateway": procs.gateway.pid}
        load(procs, wrk, target, args.concurrency, 2, pids)  # warm-up
        if config == "off":
            result = load(procs, wrk, target, args.concurrency, args.duration, pids)
        else:
            with Watcher(gw) as watcher:
                result = load(procs, wrk, target, args.concurrency, args.duration, pids)
            result["live_log_events"] = watcher.events
            result["scrapes"] = watcher.scrapes
    finally:
        procs.stop_gateway()
    log(f"{config}: {result['rps']:.0f} req/s, {result.get('gateway_cpu_ms_per_req', float('nan')):.3f} ms CPU/req"
        + (f", {result['live_log_events']} live-log events read" if "live_log_events" in result else ""))
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=8.0, help="seconds of load per run (default 8)")
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--configs", default=",".join(CONFIGS), help=f"comma list of {', '.join(CONFIGS)}")
    parser.add_argument("--no-wrk", action="store_true")
    parser.add_argument("--no-pin", action="store_true")
    args = parser.parse_args(argv)
    args.mock = "raw"
    configs = [c for c in CONFIGS if c in args.configs.split(",")]
    wrk = None if args.no_wrk else shutil.which("wrk")
    procs = Procs(args)
    runs: dict[str, list[dict[str, float]]] = {c: [] for c in configs}
    try:
        if procs.taskset:
            os.sched_setaffinity(0, procs.load_cpus)
        mock = f"http://127.0.0.1:{procs.start_mock()}"
        for number in range(args.rounds):
            log(f"round {number + 1}/{args.rounds}")
            for config in configs:
                runs[config].append(one_run(procs, config, mock, wrk, args))
    finally:
        procs.stop()
    print(f"load: {'wrk' if wrk else 'python aiohttp'}, c={args.concurrency}, {args.duration:g} s x "
          f"{args.rounds} rounds; {procs.placement()}")
    print("| configuration | req/s (median) | vs off | gateway CPU per request | vs off | errors |")
    print("|---|---|---|---|---|---|")
    base_rps = statistics.median(r["rps"] for r in runs[configs[0]])
    base_cpu = statistics.median(r.get("gateway_cpu_ms_per_req", float("nan")) for r in runs[configs[0]])
    for config in configs:
        rps = statistics.median(r["rps"] for r in runs[config])
        cpu = statistics.median(r.get("gateway_cpu_ms_per_req", float("nan")) for r in runs[config])
        errors = sum(int(r.get("errors", 0)) for r in runs[config])
        print(f"| {config} | {rps:,.0f} | {rps / base_rps - 1:+.1%} | {cpu:.3f} ms | {cpu / base_cpu - 1:+.1%} "
              f"| {errors} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
