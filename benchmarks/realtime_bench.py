"""Realtime bridge benchmark: what ``/v1/realtime`` under local_dev adds to each relayed message,
next to the same client talking straight to the mock.

    .venv/bin/python benchmarks/realtime_bench.py [--quick] [--json [PATH]] [--no-pin]

Processes: a lean echo WebSocket server (this script with ``--mock-server``: ``websockets`` on uvloop,
every frame sent back unchanged, no compression) and the gateway (``python -m local_dev``: uvicorn's
WebSocket on the client side, ``websockets`` on the upstream side), each on a free loopback port. With
``taskset`` and >= 2 CPUs the gateway runs alone on the first CPU; the mock and this client share the
others. Both are stopped at the end, also on error or SIGTERM. Only 127.0.0.1 is contacted.

Every message is a round trip (client -> [gateway ->] mock -> [gateway ->] client), so a message through
the gateway is relayed twice; "added per relayed message" = (gateway RTT - direct RTT) / 2.

Phases (each for the gateway and, interleaved or right after, for the direct connection):
  * latency, one session: N round trips one at a time (after warm-up), gateway and direct interleaved,
    for a small event (~130 B, a ``response.output_text.delta``) and an audio event (~6.5 KB, 100 ms of
    24 kHz PCM16 as base64 in ``input_audio_buffer.append``); RTT p50 / p99 and the added latency;
  * throughput, one session: M small messages sent back to back while a reader counts the echoes;
    round trips per second;
  * 50 sessions, voice-like pacing: each session sends an audio event every 20 ms (50 per second, what a
    voice client streams) for D seconds; RTT p50 / p99 over all sessions and the gateway's CPU use;
  * 50 sessions, saturated: every session sends small messages back to back; aggregate round trips per
    second and the gateway's CPU time per relayed message (from /proc/<pid>/stat).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CLK_TCK = os.sysconf("SC_CLK_TCK")
SMALL = json.dumps({"type": "response.output_text.delta", "event_id": "evt_000000", "response_id": "resp_1",
                    "item_id": "item_1", "output_index": 0, "content_index": 0, "delta": "Hello"})
AUDIO = json.dumps({"type": "input_audio_buffer.append", "event_id": "evt_000000",
                    "audio": base64.b64encode(bytes(4800)).decode()})
SESSIONS = 50


def log(msg: str) -> None:
    print(f"[realtime-bench] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_kib(pid: int) -> int:
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q / 100 * len(ordered)))]


def use_uvloop() -> None:
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


# --- the mock ------------------------------------------------------------------------------
def mock_server() -> None:
    """Echo every frame; print the port as JSON; stop when stdin closes."""
    from websockets.asyncio.server import serve

    async def echo(ws: Any) -> None:
        try:
            async for message in ws:
                await ws.send(message)
        except Exception:  # noqa: BLE001 - a client that leaves is not an error here
            pass

    async def main() -> None:
        async with serve(echo, "127.0.0.1", 0, compression=None, max_size=None) as server:
            print(json.dumps({"port": next(iter(server.sockets)).getsockname()[1]}), flush=True)
            await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)

    use_uvloop()
    asyncio.run(main())


# --- processes -----------------------------------------------------------------------------
class Procs:
    def __init__(self, pin: bool) -> None:
        cpus = sorted(os.sched_getaffinity(0))
        self.taskset = shutil.which("taskset") if pin and len(cpus) >= 2 else None
        self.gw_cpus, self.other_cpus = ([cpus[0]], cpus[1:]) if self.taskset else (cpus, cpus)
        self.mock: subprocess.Popen[bytes] | None = None
        self.gateway: subprocess.Popen[bytes] | None = None
        self.log = tempfile.TemporaryFile()

    def _pin(self, cpus: list[int]) -> list[str]:
        return [self.taskset, "-c", ",".join(map(str, cpus))] if self.taskset else []

    def placement(self) -> str:
        if not self.taskset:
            return "not pinned (taskset missing, --no-pin, or 1 CPU)"
        return f"taskset: gateway on CPU {self.gw_cpus}, mock and client on CPU {self.other_cpus}"

    def start_mock(self) -> int:
        cmd = self._pin(self.other_cpus) + [sys.executable, os.path.abspath(__file__), "--mock-server"]
        self.mock = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
        assert self.mock.stdout is not None
        line = self.mock.stdout.readline()
        if not line:
            raise RuntimeError("mock server did not start")
        return int(json.loads(line)["port"])

    def start_gateway(self) -> int:
        port = free_port()
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([os.path.join(ROOT, "src"), ROOT]))
        cmd = self._pin(self.gw_cpus) + [sys.executable, "-m", "local_dev", "--host", "127.0.0.1",
                                         "--port", str(port), "--log-level", "warning"]
        self.gateway = subprocess.Popen(cmd, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=self.log,
                                        stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.gateway.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"gateway exited:\n{self.log.read().decode(errors='replace')}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1):
                    return port
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("gateway not ready after 30 s")

    def stop(self) -> None:
        for proc in (self.gateway, self.mock):
            if proc is None or proc.poll() is not None:
                continue
            if proc is self.mock and proc.stdin:
                proc.stdin.close()
            try:
                proc.send_signal(signal.SIGTERM)
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)


# --- measurements --------------------------------------------------------------------------
class Ends:
    """How to open a session through the gateway and straight to the mock."""

    def __init__(self, gateway_port: int, mock_port: int) -> None:
        self.gateway = f"ws://127.0.0.1:{gateway_port}/v1/realtime?model=gpt-realtime"
        self.direct = f"ws://127.0.0.1:{mock_port}/v1/realtime?model=gpt-realtime"
        self.headers = {"x-portkey-provider": "openai", "authorization": "Bearer sk-bench",
                        "x-portkey-custom-host": f"http://127.0.0.1:{mock_port}/v1"}

    async def open(self, which: str) -> Any:
        from websockets.asyncio.client import connect

        url = self.gateway if which == "gateway" else self.direct
        return await connect(url, additional_headers=self.headers, compression=None, max_size=None,
                             user_agent_header=None)


async def latency(ends: Ends, payload: str, n: int, warmup: int) -> dict[str, dict[str, float]]:
    sockets = {which: await ends.open(which) for which in ("gateway", "direct")}
    rtts: dict[str, list[float]] = {"gateway": [], "direct": []}
    for i in range(warmup + n):
        for which, ws in sockets.items():
            started = time.perf_counter()
            await ws.send(payload)
            await ws.recv()
            if i >= warmup:
                rtts[which].append((time.perf_counter() - started) * 1000)
    for ws in sockets.values():
        await ws.close()
    out = {which: {"p50_ms": statistics.median(v), "p99_ms": pct(v, 99)} for which, v in rtts.items()}
    out["added_per_relayed_message"] = {q: (out["gateway"][q] - out["direct"][q]) / 2 for q in ("p50_ms", "p99_ms")}
    return out


async def pipelined(ws: Any, payload: str, count: int) -> None:
    async def reader() -> None:
        for _ in range(count):
            await ws.recv()

    task = asyncio.ensure_future(reader())
    for _ in range(count):
        await ws.send(payload)
    await task


async def throughput(ends: Ends, which: str, sessions: int, per_session: int, pid: int | None) -> dict[str, float]:
    sockets = [await ends.open(which) for _ in range(sessions)]
    await asyncio.gather(*(pipelined(ws, SMALL, 50) for ws in sockets))  # warm-up
    cpu0 = cpu_seconds(pid) if pid else 0.0
    started = time.perf_counter()
    await asyncio.gather(*(pipelined(ws, SMALL, per_session) for ws in sockets))
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(pid) - cpu0 if pid else 0.0
    await asyncio.gather(*(ws.close() for ws in sockets))
    total = sessions * per_session
    out = {"round_trips_per_s": total / elapsed, "seconds": elapsed}
    if pid:
        out["gateway_cpu_us_per_relayed_message"] = cpu / (2 * total) * 1e6
        out["gateway_cpu_share"] = cpu / elapsed
    return out


async def paced(ends: Ends, which: str, sessions: int, seconds: float, pid: int | None) -> dict[str, float]:
    """Every session sends an audio event every 20 ms and times each echo."""
    sockets = [await ends.open(which) for _ in range(sessions)]
    rtts: list[float] = []

    async def one(ws: Any, offset: float) -> None:
        await asyncio.sleep(offset)
        sent: list[float] = []

        async def reader(count: int) -> None:
            for i in range(count):
                await ws.recv()
                rtts.append((time.perf_counter() - sent[i]) * 1000)

        count = int(seconds / 0.02)
        task = asyncio.ensure_future(reader(count))
        start = time.perf_counter()
        for i in range(count):
            delay = start + i * 0.02 - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            sent.append(time.perf_counter())
            await ws.send(AUDIO)
        await task

    cpu0 = cpu_seconds(pid) if pid else 0.0
    started = time.perf_counter()
    await asyncio.gather(*(one(ws, i * 0.02 / sessions) for i, ws in enumerate(sockets)))
    elapsed = time.perf_counter() - started
    cpu = cpu_seconds(pid) - cpu0 if pid else 0.0
    await asyncio.gather(*(ws.close() for ws in sockets))
    out = {"p50_ms": statistics.median(rtts), "p99_ms": pct(rtts, 99), "messages": float(len(rtts))}
    if pid:
        out["gateway_cpu_share"] = cpu / elapsed
    return out


async def measure(ends: Ends, pid: int, args: argparse.Namespace) -> dict[str, Any]:
    res: dict[str, Any] = {}
    log("latency, one session (small event)")
    res["latency_small"] = await latency(ends, SMALL, args.requests, args.requests // 10)
    log("latency, one session (audio event)")
    res["latency_audio"] = await latency(ends, AUDIO, args.requests, args.requests // 10)
    for which in ("direct", "gateway"):
        log(f"throughput, one session ({which})")
        res[f"throughput_1_{which}"] = await throughput(ends, which, 1, args.messages, pid if which == "gateway"
                                                        else None)
    res["paced"] = {}
    for which in ("direct", "gateway"):
        log(f"{SESSIONS} sessions paced at 50 audio events/s each ({which}, {args.seconds:g} s)")
        res["paced"][which] = await paced(ends, which, SESSIONS, args.seconds, pid if which == "gateway" else None)
    res["paced"]["added_per_relayed_message"] = {
        q: (res["paced"]["gateway"][q] - res["paced"]["direct"][q]) / 2 for q in ("p50_ms", "p99_ms")}
    for which in ("direct", "gateway"):
        log(f"throughput, {SESSIONS} sessions ({which})")
        res[f"throughput_{SESSIONS}_{which}"] = await throughput(ends, which, SESSIONS, args.messages // 10,
                                                                 pid if which == "gateway" else None)
    res["gateway_rss_kib_end"] = rss_kib(pid)
    return res


def table(res: dict[str, Any], meta: dict[str, Any]) -> str:
    def lat(key: str, label: str) -> list[str]:
        direct, gw, added = (res[key][k] for k in ("direct", "gateway", "added_per_relayed_message"))
        return [f"| {label} | {direct['p50_ms']:.3f} / {direct['p99_ms']:.3f} | {gw['p50_ms']:.3f} / {gw['p99_ms']:.3f}"
                f" | +{added['p50_ms']:.3f} / +{added['p99_ms']:.3f} |"]

    rows = ["| round trip, ms (p50 / p99) | direct to the mock | through the gateway | added per relayed message |",
            "|---|---|---|---|"]
    rows += lat("latency_small", "one session, small event (~130 B)")
    rows += lat("latency_audio", "one session, audio event (~6.5 KB)")
    rows += lat("paced", f"{SESSIONS} sessions, 50 audio events/s each")
    rows += ["", "| round trips per second | direct | gateway | gateway CPU per relayed message |", "|---|---|---|---|"]
    for n in (1, SESSIONS):
        d, g = res[f"throughput_{n}_direct"], res[f"throughput_{n}_gateway"]
        rows.append(f"| {n} session{'s' if n > 1 else ''}, small events back to back | {d['round_trips_per_s']:,.0f}"
                    f" | {g['round_trips_per_s']:,.0f} | {g['gateway_cpu_us_per_relayed_message']:.1f} µs |")
    paced_cpu = res["paced"]["gateway"].get("gateway_cpu_share", float("nan"))
    rows += ["", f"{SESSIONS} paced sessions ({res['paced']['gateway']['messages']:.0f} audio round trips): gateway at "
                 f"{paced_cpu * 100:.0f}% of one core. Gateway RSS after the run: "
                 f"{res['gateway_rss_kib_end'] / 1024:.0f} MiB. {meta['placement']}."]
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mock-server", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--quick", action="store_true", help="fewer messages (about 20 s instead of 60 s)")
    parser.add_argument("--requests", type=int, default=2000, help="round trips per latency phase")
    parser.add_argument("--messages", type=int, default=20000, help="messages in the one-session throughput phase")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of the paced 50-session phase")
    parser.add_argument("--json", nargs="?", const="-", metavar="PATH", help="also write the figures as JSON")
    parser.add_argument("--no-pin", action="store_true", help="do not pin processes with taskset")
    args = parser.parse_args()
    if args.mock_server:
        mock_server()
        return
    if args.quick:
        args.requests, args.messages, args.seconds = 500, 5000, 4.0
    procs = Procs(pin=not args.no_pin)
    signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    meta = {"placement": procs.placement(), "python": sys.version.split()[0], "cpus": os.cpu_count(),
            "requests": args.requests, "messages": args.messages, "paced_seconds": args.seconds}
    started = time.monotonic()
    try:
        if procs.taskset:
            os.sched_setaffinity(0, procs.other_cpus)
        mock_port = procs.start_mock()
        gateway_port = procs.start_gateway()
        assert procs.gateway is not None
        meta["gateway_rss_kib_start"] = rss_kib(procs.gateway.pid)
        use_uvloop()
        res = asyncio.run(measure(Ends(gateway_port, mock_port), procs.gateway.pid, args))
    finally:
        procs.stop()
    meta["wall_s"] = round(time.monotonic() - started, 1)
    print(table(res, meta))
    print(f"\n(wall time {meta['wall_s']} s)")
    if args.json:
        text = json.dumps({"meta": meta, "results": res}, indent=2)
        if args.json == "-":
            print(text)
        else:
            with open(args.json, "w") as f:
                f.write(text + "\n")


if __name__ == "__main__":
    main()
