"""In-process cost of observability per request: the core pipeline (no sockets) answering a chat
request from a fake upstream, with observability off and on, in CPU microseconds per request.

    .venv/bin/python benchmarks/observe_cost.py [--requests 20000] [--runs 5]

Steadier than req/s on a shared machine (CPU time of this process only, median of ``--runs``). "on" is
what observe_bench.py's configurations turn on: "on" the live log (with one connected reader draining the
feed) and the metrics, "on+json" adds a JSON request log written to /dev/null, "on+json+otlp" adds span
encoding (sent to a closed port, so the batches are dropped).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path[:0] = [os.path.join(ROOT, "src"), ROOT]

from gateway.app import Gateway  # noqa: E402
from gateway.clock import Clock  # noqa: E402
from gateway.http import Headers, Request  # noqa: E402
from gateway.settings import Settings  # noqa: E402
from local_dev.observe import observability  # noqa: E402

ANSWER = (b'{"id":"chatcmpl-1","object":"chat.completion","created":1,"model":"gpt-4o-mini","choices":[{"index":0,'
          b'"message":{"role":"assistant","content":"hello"},"finish_reason":"stop"}],'
          b'"usage":{"prompt_tokens":3,"completion_tokens":3,"total_tokens":6}}')
BODY = b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
ENVS = {
    "off": {},
    "on": {"ADMIN_TOKEN": "bench-admin", "METRICS_TOKEN": "bench-metrics"},
    "on+json": {"ADMIN_TOKEN": "bench-admin", "METRICS_TOKEN": "bench-metrics", "REQUEST_LOG": "json"},
    "on+json+otlp": {"ADMIN_TOKEN": "bench-admin", "METRICS_TOKEN": "bench-metrics", "REQUEST_LOG": "json",
                     "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:9", "OTEL_BSP_SCHEDULE_DELAY": "100"},
}


class Upstream:
    status = 200

    def __init__(self) -> None:
        self.headers = Headers({"content-type": "application/json", "content-length": str(len(ANSWER))})

    async def read(self) -> bytes:
        return ANSWER

    async def stream(self) -> AsyncIterator[bytes]:
        yield ANSWER

    async def close(self) -> None:
        return None


class Transport:
    async def send(self, method: str, url: str, headers: Headers, body: object) -> Upstream:
        return Upstream()


async def run(config: str, requests: int) -> float:
    logging.disable(logging.CRITICAL)  # the exporter's "collector down" warning is not the point here
    settings = Settings.from_mapping(ENVS[config])
    clock = Clock()
    with open(os.devnull, "w") as sink:
        gateway = Gateway(settings, Transport(), clock,  # type: ignore[arg-type]
                          observe=observability(settings, Transport(), clock, sink))  # type: ignore[arg-type]
        reader = None
        if gateway.observe.live_log is not None:
            feed = gateway.observe.live_log.feed(0, 60)

            async def drain() -> None:
                async for _ in feed:
                    pass
            reader = asyncio.ensure_future(drain())
            await asyncio.sleep(0)
        headers = Headers({"content-type": "application/json", "authorization": "Bearer sk-bench",
                           "x-portkey-provider": "openai", "x-portkey-custom-host": "http://127.0.0.1:1/v1",
                           "host": "127.0.0.1:8787", "user-agent": "wrk"})
        for _ in range(200):
            answer = await gateway.handle(Request("POST", "/v1/chat/completions", "", headers.copy(), BODY))
        assert answer.status == 200, answer.body
        start = time.process_time()
        for number in range(requests):
            await gateway.handle(Request("POST", "/v1/chat/completions", "", headers.copy(), BODY))
            if number % 64 == 0:
                await asyncio.sleep(0)  # let the reader and the exporter run, as the event loop would
        used = time.process_time() - start
        if reader is not None:
            reader.cancel()
        if gateway.observe.exporter is not None:
            gateway.observe.exporter.queue.clear()
            for task in list(gateway.observe.exporter._tasks):
                task.cancel()
    return used / requests * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    results: dict[str, list[float]] = {name: [] for name in ENVS}
    for _ in range(args.runs):
        for name in ENVS:
            results[name].append(asyncio.run(run(name, args.requests)))
    base = statistics.median(results["off"])
    print("| configuration | CPU µs per request (median of runs) | added |")
    print("|---|---|---|")
    for name, values in results.items():
        value = statistics.median(values)
        print(f"| {name} | {value:.1f} | {value - base:+.1f} µs ({value / base - 1:+.1%}) |")


if __name__ == "__main__":
    main()
