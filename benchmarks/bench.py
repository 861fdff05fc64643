"""Gateway speed benchmark: every figure next to the same request sent straight to the mock.

    .venv/bin/python benchmarks/bench.py [--quick] [--json [PATH]] [--mock raw|aiohttp] [--no-wrk] ...
    .venv/bin/python benchmarks/bench.py --portkey DIR   # also measure upstream Portkey's Node build in DIR
    .venv/bin/python benchmarks/bench.py --paths translated   # only chat -> anthropic (default: passthrough,translated)
    .venv/bin/python benchmarks/bench.py --paths gemini,bedrock   # chat -> google, chat -> bedrock (or --paths all)

One run, one loopback mock (benchmarks/mock_server.py, its own process), one gateway
(``python -m local_dev`` as a subprocess on a free port). Both are stopped at the end, even on error.
Placement with ``taskset`` when there are >= 2 CPUs: the gateway alone on the first CPU, the mock
and the load generator / this client on the others (on a 2-CPU machine they share the second).

Four paths (``--paths``; default the first two), each measured in every phase and printed in its own row:
  * passthrough: chat -> openai (``x-portkey-provider: openai``), the bytes pass through; direct
    baseline: the same body to the mock's /v1/chat/completions;
  * translated: chat -> anthropic (``x-portkey-provider: anthropic``, ``max_tokens`` 64): sent to the
    mock's /v1/messages and the JSON / SSE answer mapped back to OpenAI's; direct baseline: the same
    request in Anthropic's format straight to the mock's /v1/messages;
  * gemini: chat -> google (model gemini-2.5-flash): sent to the mock's ``:generateContent`` /
    ``:streamGenerateContent?alt=sse`` and mapped back; direct baseline: the same request in Gemini's
    format straight to the mock;
  * bedrock: chat -> bedrock (model amazon.nova-pro-v1:0, SigV4-signed with a dummy key the mock does
    not check): sent to ``/model/{id}/converse`` / ``/converse-stream`` (binary AWS event-stream) and
    mapped back; direct baseline: the same request in Converse's format, unsigned, straight to the mock.

Measured:
  * latency at concurrency 1: N sequential requests (after warm-up), gateway and direct requests
    interleaved so both see the same background noise; "added" = gateway percentile - direct one;
  * throughput at concurrency 32 for a fixed duration, with ``wrk`` if it is on PATH, else a
    Python aiohttp load generator (which one is printed); also the gateway's CPU time per request;
  * streaming (SSE): time to first body byte and total stream time, p50 (mock sends its first
    chunk at once, then ``chunks`` more with ``gap`` seconds between them);
  * the gateway's memory: VmRSS after start, and VmRSS / VmHWM (peak) after the load.

With ``--portkey DIR`` a second pass follows, after our gateway is stopped: upstream Portkey's own
Node gateway (``node DIR/build/start-server.js --headless --port=N``, built outside this repo) on the
same CPU, the same phases against the same mock, and a third column in the table. Its "difference" is
against the direct figures re-measured in its own pass. Only one gateway runs at any time.

Only 127.0.0.1 is contacted. Default run is about 2.5 min with two paths (twice that with ``--portkey``),
about 70 s more per extra path; ``--quick`` about 40 s with two paths.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from typing import Any

import aiohttp

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BODY = b'{"model":"gpt-4o-mini","messages":[{"role":"user","content":"hi"}]}'
STREAM_BODY = b'{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"hi"}]}'
PATH = "/v1/chat/completions"
# The translated path: the same chat request plus max_tokens (Portkey does not default it for
# anthropic, and Anthropic rejects a body without it), so both gateways send a valid request.
# Its direct baseline is the same request in Anthropic's format, straight to the mock.
T_BODY = b'{"model":"gpt-4o-mini","max_tokens":64,"messages":[{"role":"user","content":"hi"}]}'
T_STREAM_BODY = b'{"model":"gpt-4o-mini","max_tokens":64,"stream":true,"messages":[{"role":"user","content":"hi"}]}'
MESSAGES_PATH = "/v1/messages"
# The gemini and bedrock paths: the same chat request (max_tokens 64) naming a model of theirs; the
# direct baselines are the same request in the provider's own format, straight to the mock.
GEMINI_MODEL = "gemini-2.5-flash"
BEDROCK_MODEL = "amazon.nova-pro-v1:0"
G_BODY = T_BODY.replace(b"gpt-4o-mini", GEMINI_MODEL.encode())
G_STREAM_BODY = T_STREAM_BODY.replace(b"gpt-4o-mini", GEMINI_MODEL.encode())
B_BODY = T_BODY.replace(b"gpt-4o-mini", BEDROCK_MODEL.encode())
B_STREAM_BODY = T_STREAM_BODY.replace(b"gpt-4o-mini", BEDROCK_MODEL.encode())
GEMINI_NATIVE_BODY = b'{"contents":[{"role":"user","parts":[{"text":"hi"}]}],"generationConfig":{"maxOutputTokens":64}}'
CONVERSE_BODY = b'{"messages":[{"role":"user","content":[{"text":"hi"}]}],"inferenceConfig":{"maxTokens":64}}'
PATHS = ("passthrough", "translated", "gemini", "bedrock")
DEFAULT_PATHS = ("passthrough", "translated")
PATH_INFO = {
    "passthrough": "chat -> openai: /v1/chat/completions, x-portkey-provider: openai (bytes pass through)",
    "translated": "chat -> anthropic: /v1/chat/completions, x-portkey-provider: anthropic (sent to /v1/messages, "
                  "the JSON or SSE answer mapped back to chat.completion / chunks)",
    "gemini": f"chat -> google: /v1/chat/completions, x-portkey-provider: google, model {GEMINI_MODEL} (sent to "
              ":generateContent / :streamGenerateContent?alt=sse, the answer mapped back)",
    "bedrock": f"chat -> bedrock: /v1/chat/completions, x-portkey-provider: bedrock, model {BEDROCK_MODEL} (SigV4-"
               "signed, sent to /converse / /converse-stream, the JSON or binary event-stream mapped back)",
}
BASELINES = {
    "translated": "the same request in Anthropic's format (max_tokens 64) sent straight to the mock's /v1/messages",
    "gemini": "the same request in Gemini's format (maxOutputTokens 64) sent straight to the mock's "
              ":generateContent / :streamGenerateContent?alt=sse",
    "bedrock": "the same request in Converse's format (maxTokens 64, unsigned) sent straight to the mock's "
               "/converse / /converse-stream (binary frames)",
}
OPENAI_END = b"data: [DONE]"
ANTHROPIC_END = b'{"type":"message_stop"}'
GEMINI_END = b'"finishReason":"STOP"'  # Gemini has no terminal event: its last chunk has the finish reason
CONVERSE_END = b"metadata"  # the event type of ConverseStream's last frame
AWS_AUTH = {"x-portkey-aws-access-key-id": "AKIDBENCHMARK0000001", "x-portkey-aws-secret-access-key":
            "bench/Secret+Key/0123456789abcdefEXAMPLE", "x-portkey-aws-region": "us-east-1"}
CLK_TCK = os.sysconf("SC_CLK_TCK")


# --- small helpers -------------------------------------------------------------------------
def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[k]


def proc_status(pid: int) -> dict[str, int]:
    """VmRSS / VmHWM in KiB from /proc/<pid>/status (empty off Linux)."""
    out: dict[str, int] = {}
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                key, _, rest = line.partition(":")
                if key in ("VmRSS", "VmHWM"):
                    out[key] = int(rest.split()[0])
    except OSError:
        pass
    return out


def cpu_seconds(pid: int) -> float:
    """utime + stime of a process, from /proc/<pid>/stat."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLK_TCK
    except (OSError, IndexError, ValueError):
        return float("nan")


@dataclass
class Target:
    name: str
    url: str  # full URL of the chat endpoint
    headers: dict[str, str]
    stream_url: str
    stream_headers: dict[str, str]
    body: bytes = BODY
    stream_body: bytes = STREAM_BODY
    stream_end: bytes = OPENAI_END  # what a complete stream's last event holds (spaces ignored)
    frames: str = "sse"  # "aws": the body is AWS event-stream frames, the last frame is checked


def stream_complete(t: Target, data: bytes) -> bool:
    """Whether a stream's last event (SSE) or last frame (AWS event-stream) holds ``t.stream_end``."""
    if t.frames == "aws":
        at, last = 0, b""
        while len(data) - at >= 16:
            total = int.from_bytes(data[at:at + 4], "big")
            if total < 16 or at + total > len(data):
                return False
            last, at = data[at:at + total], at + total
        return at == len(data) and t.stream_end in last
    last_event = re.split(rb"\r?\n\r?\n", data.rstrip())[-1]
    return t.stream_end.replace(b" ", b"") in last_event.replace(b" ", b"")


def result_key(base: str, path: str) -> str:
    """JSON / table key of one target's figures: ``gateway``, ``direct``, ``portkey``, ``direct@portkey``
    on the passthrough path (as before), the same with ``:<path>`` appended on the others
    (``gateway:translated``, ``direct:gemini``, ``portkey:bedrock`` ...)."""
    return base if path == "passthrough" else f"{base}:{path}"


@dataclass
class Results:
    meta: dict[str, Any] = field(default_factory=dict)
    latency: dict[str, dict[str, float]] = field(default_factory=dict)
    throughput: dict[str, dict[str, float]] = field(default_factory=dict)
    streaming: dict[str, dict[str, float]] = field(default_factory=dict)
    memory_kib: dict[str, int] = field(default_factory=dict)


# --- processes -----------------------------------------------------------------------------
@dataclass
class GatewaySpec:
    """How to start one gateway. ``key`` names its column and JSON entries ("gateway", "portkey")."""

    key: str
    label: str
    cmd: list[str]  # argv; "{port}" in an item is replaced by the chosen port
    cwd: str
    env: dict[str, str]


def our_gateway() -> GatewaySpec:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (os.path.join(ROOT, "src"), ROOT,
                                                     env.get("PYTHONPATH", "")) if p)
    return GatewaySpec("gateway", "this gateway (python -m local_dev)",
                       [sys.executable, "-m", "local_dev", "--host", "127.0.0.1", "--port", "{port}",
                        "--log-level", "warning"], ROOT, env)


def portkey_gateway(directory: str, node: str) -> tuple[GatewaySpec, str]:
    """Upstream Portkey's Node build in ``directory`` (never part of this repo). Returns the spec and a
    description (package version, Node version) for the report."""
    directory = os.path.abspath(directory)
    entry = os.path.join(directory, "build", "start-server.js")
    if not os.path.isfile(entry):
        raise SystemExit(f"--portkey: {entry} not found; build Portkey first (see benchmarks/README.md)")
    node_bin = shutil.which(node)
    if not node_bin:
        raise SystemExit(f"--portkey: Node.js executable {node!r} not found (use --node PATH)")
    try:
        with open(os.path.join(directory, "package.json")) as f:
            pkg = json.load(f)
        version = f"{pkg.get('name', '?')} {pkg.get('version', '?')}"
    except (OSError, ValueError):
        version = "unknown version"
    node_version = subprocess.run([node_bin, "--version"], capture_output=True, text=True).stdout.strip()
    spec = GatewaySpec("portkey", "Portkey (Node)", [node_bin, entry, "--headless", "--port={port}"],
                       directory, dict(os.environ))
    return spec, f"{version}, node {node_version}, {entry}"


class Procs:
    """Starts the mock and the gateways; ``stop()`` ends whatever still runs (TERM, then KILL).

    At most one gateway runs at a time: ``stop_gateway()`` ends the current one before the next starts.
    """

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.mock: subprocess.Popen[bytes] | None = None
        self.gateway: subprocess.Popen[bytes] | None = None
        self.gateway_spec: GatewaySpec | None = None
        self.wrk: subprocess.Popen[str] | None = None
        self.gateway_log = tempfile.TemporaryFile()
        cpus = sorted(os.sched_getaffinity(0))
        self.taskset = shutil.which("taskset") if not args.no_pin else None
        if self.taskset and len(cpus) >= 2:
            self.gw_cpus = [cpus[0]]
            self.mock_cpus = [cpus[1]]
            self.load_cpus = cpus[2:] or [cpus[1]]
        else:
            self.taskset = None
            self.gw_cpus = self.mock_cpus = self.load_cpus = cpus

    def pin(self, cpus: list[int]) -> list[str]:
        return [self.taskset, "-c", ",".join(map(str, cpus))] if self.taskset else []

    def placement(self) -> str:
        if not self.taskset:
            return "not pinned (taskset missing, --no-pin, or 1 CPU)"
        return (f"taskset: gateway on CPU {self.gw_cpus}, mock on CPU {self.mock_cpus}, "
                f"load generator/client on CPU {self.load_cpus}")

    def start_mock(self) -> int:
        cmd = self.pin(self.mock_cpus) + [sys.executable, os.path.join(ROOT, "benchmarks", "mock_server.py"),
                                          "--impl", self.args.mock]
        self.mock = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=ROOT)
        assert self.mock.stdout is not None
        line = self.mock.stdout.readline()
        if not line:
            raise RuntimeError("mock server did not start")
        return int(json.loads(line)["port"])

    def start_gateway(self, spec: GatewaySpec) -> int:
        if self.gateway is not None and self.gateway.poll() is None:
            raise RuntimeError("start_gateway: another gateway is still running")
        port = free_port()
        self.gateway_log.close()
        self.gateway_log = tempfile.TemporaryFile()
        self.gateway_spec = spec
        cmd = self.pin(self.gw_cpus) + [a.replace("{port}", str(port)) for a in spec.cmd]
        self.gateway = subprocess.Popen(cmd, cwd=spec.cwd, env=spec.env, stdin=subprocess.DEVNULL,
                                        stdout=self.gateway_log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.gateway.poll() is not None:
                raise RuntimeError(f"{spec.label} exited with {self.gateway.returncode}:\n{self.gateway_output()}")
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1) as r:
                    if r.status == 200:
                        return port
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"{spec.label} not ready after 30 s")

    def gateway_output(self) -> str:
        self.gateway_log.seek(0)
        return self.gateway_log.read().decode(errors="replace")[-4000:]

    @staticmethod
    def _end(proc: subprocess.Popen[Any] | None) -> None:
        if proc is None or proc.poll() is not None:
            return
        try:
            proc.send_signal(signal.SIGTERM)
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        except OSError:
            pass

    def stop_gateway(self) -> None:
        self._end(self.gateway)

    def stop(self) -> None:
        self._end(self.wrk)
        self._end(self.gateway)
        if self.mock is not None and self.mock.poll() is None and self.mock.stdin:
            try:
                self.mock.stdin.close()
            except OSError:
                pass
        self._end(self.mock)


# --- measurements --------------------------------------------------------------------------
async def one_request(session: aiohttp.ClientSession, t: Target) -> float:
    start = time.perf_counter()
    async with session.post(t.url, data=t.body, headers=t.headers) as r:
        await r.read()
        if r.status != 200:
            raise RuntimeError(f"{t.name}: HTTP {r.status}: {(await r.text())[:300]}")
    return time.perf_counter() - start


async def latency_c1(targets: list[Target], n: int, warmup: int) -> dict[str, list[float]]:
    """Sequential requests, the targets interleaved so both see the same noise."""
    out: dict[str, list[float]] = {t.name: [] for t in targets}
    connector = aiohttp.TCPConnector(limit=1)
    async with aiohttp.ClientSession(connector=connector, skip_auto_headers=("User-Agent",)) as session:
        for i in range(warmup + n):
            for t in (targets if i % 2 else targets[::-1]):
                elapsed = await one_request(session, t)
                if i >= warmup:
                    out[t.name].append(elapsed)
    return out


async def stream_once(session: aiohttp.ClientSession, t: Target) -> tuple[float, float, bool]:
    start = time.perf_counter()
    ttfb = None
    data = bytearray()
    async with session.post(t.stream_url, data=t.stream_body, headers=t.stream_headers) as r:
        if r.status != 200:
            raise RuntimeError(f"{t.name} stream: HTTP {r.status}: {(await r.text())[:300]}")
        async for chunk in r.content.iter_any():
            if ttfb is None and chunk:
                ttfb = time.perf_counter() - start
            data += chunk
    total = time.perf_counter() - start
    return ttfb if ttfb is not None else total, total, stream_complete(t, bytes(data))


async def streaming(targets: list[Target], n: int) -> dict[str, dict[str, list[float]]]:
    out: dict[str, dict[str, list[float]]] = {t.name: {"ttfb": [], "total": []} for t in targets}
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=1),
                                     skip_auto_headers=("User-Agent",)) as session:
        for t in targets:  # warm-up
            await stream_once(session, t)
        for i in range(n):
            for t in (targets if i % 2 else targets[::-1]):
                ttfb, total, complete = await stream_once(session, t)
                if not complete:
                    raise RuntimeError(f"{t.name}: the stream's last event lacks {t.stream_end.decode()}")
                out[t.name]["ttfb"].append(ttfb)
                out[t.name]["total"].append(total)
    return out


_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0}


def _dur(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(m.group(1)) * _UNITS[m.group(2)] if m else float("nan")


def wrk_load(procs: Procs, wrk: str, t: Target, conns: int, seconds: float) -> dict[str, float]:
    lines = ['wrk.method = "POST"', f"wrk.body = {json.dumps(t.body.decode())}"]
    lines += [f"wrk.headers[{json.dumps(k)}] = {json.dumps(v)}" for k, v in t.headers.items()]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write("\n".join(lines) + "\n")
        script = f.name
    try:
        threads = max(1, min(len(procs.load_cpus), conns))
        cmd = procs.pin(procs.load_cpus) + [wrk, f"-t{threads}", f"-c{conns}", f"-d{max(1, round(seconds))}s",
                                            "--latency", "-s", script, t.url]
        procs.wrk = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            out = procs.wrk.communicate(timeout=seconds + 30)[0]
        finally:
            if procs.wrk.poll() is None:
                procs.wrk.kill()
                procs.wrk.wait()
            procs.wrk = None
    finally:
        os.unlink(script)
    res: dict[str, float] = {}
    if m := re.search(r"Requests/sec:\s+([\d.]+)", out):
        res["rps"] = float(m.group(1))
    if m := re.search(r"(\d+) requests in ([\d.]+\w+)", out):
        res["requests"] = int(m.group(1))
    res["errors"] = 0
    if m := re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        res["errors"] += int(m.group(1))
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out):
        res["errors"] += sum(int(x) for x in m.groups())
    for q in ("50", "99"):
        if m := re.search(rf"^\s+{q}(?:\.000)?%\s+(\S+)", out, re.M):
            res[f"p{q}_ms"] = _dur(m.group(1)) * 1000
    if "rps" not in res:
        raise RuntimeError(f"could not parse wrk output:\n{out}")
    return res


def _python_load_worker(url: str, headers: dict[str, str], body: bytes, conns: int,
                        seconds: float) -> dict[str, Any]:
    async def run() -> dict[str, Any]:
        lat: list[float] = []
        errors = 0
        connector = aiohttp.TCPConnector(limit=conns)
        async with aiohttp.ClientSession(connector=connector, skip_auto_headers=("User-Agent",)) as session:
            deadline = time.perf_counter() + seconds

            async def worker() -> None:
                nonlocal errors
                while time.perf_counter() < deadline:
                    start = time.perf_counter()
                    try:
                        async with session.post(url, data=body, headers=headers) as r:
                            await r.read()
                            ok = r.status == 200
                    except aiohttp.ClientError:
                        ok = False
                    if ok:
                        lat.append(time.perf_counter() - start)
                    else:
                        errors += 1

            start = time.perf_counter()
            await asyncio.gather(*(worker() for _ in range(conns)))
            elapsed = time.perf_counter() - start
        return {"lat": lat, "errors": errors, "elapsed": elapsed}

    try:
        import uvloop

        return uvloop.run(run())
    except ImportError:
        return asyncio.run(run())


def python_load(procs: Procs, t: Target, conns: int, seconds: float) -> dict[str, float]:
    """Fallback load generator: aiohttp in this process (pinned like wrk would be)."""
    if procs.taskset:
        os.sched_setaffinity(0, procs.load_cpus)
    r = _python_load_worker(t.url, t.headers, t.body, conns, seconds)
    lat = r["lat"]
    return {"rps": len(lat) / r["elapsed"], "requests": len(lat), "errors": r["errors"],
            "p50_ms": pct(lat, 50) * 1000, "p99_ms": pct(lat, 99) * 1000}


def load(procs: Procs, wrk: str | None, t: Target, conns: int, seconds: float,
         pids: dict[str, int]) -> dict[str, float]:
    before = {k: cpu_seconds(p) for k, p in pids.items()}
    res = wrk_load(procs, wrk, t, conns, seconds) if wrk else python_load(procs, t, conns, seconds)
    for k, p in pids.items():
        used = cpu_seconds(p) - before[k]
        res[f"{k}_cpu_s"] = used
        if res.get("requests"):
            res[f"{k}_cpu_ms_per_req"] = used / res["requests"] * 1000
    return res


def path_targets(path: str, key: str, mock: str, gw: str, args: argparse.Namespace) -> tuple[Target, Target]:
    """The (direct, through the gateway) targets of one path. Target names are unique across paths."""
    stream_scn = f"/x/chunks={args.chunks},gap={args.gap}"
    json_h = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench"}
    if path == "passthrough":
        direct = Target("direct", mock + PATH, json_h, mock + stream_scn + PATH, json_h)
        gw_h = {**json_h, "x-portkey-provider": "openai"}
        return direct, Target(key, gw, {**gw_h, "x-portkey-custom-host": mock + "/v1"},
                              gw, {**gw_h, "x-portkey-custom-host": mock + stream_scn + "/v1"})
    if path in ("gemini", "bedrock"):
        return provider_targets(path, key, mock, gw, stream_scn)
    # translated: an OpenAI-format client, Anthropic upstream; the baseline speaks Anthropic to the mock
    anth_h = {"Content-Type": "application/json", "x-api-key": "sk-bench", "anthropic-version": "2023-06-01"}
    direct = Target("direct:translated", mock + MESSAGES_PATH, anth_h, mock + stream_scn + MESSAGES_PATH, anth_h,
                    T_BODY, T_STREAM_BODY, ANTHROPIC_END)
    gw_h = {**json_h, "x-portkey-provider": "anthropic"}
    return direct, Target(f"{key}:translated", gw, {**gw_h, "x-portkey-custom-host": mock + "/v1"},
                          gw, {**gw_h, "x-portkey-custom-host": mock + stream_scn + "/v1"},
                          T_BODY, T_STREAM_BODY, OPENAI_END)


def provider_targets(path: str, key: str, mock: str, gw: str, stream_scn: str) -> tuple[Target, Target]:
    """gemini / bedrock: an OpenAI-format client through the gateway (custom host = the mock's root,
    where the provider's own paths follow); the baseline speaks the provider's format to the mock."""
    json_h = {"Content-Type": "application/json", "Authorization": "Bearer sk-bench"}
    if path == "gemini":
        model_url = f"/v1beta/models/{GEMINI_MODEL}"
        native_h = {"Content-Type": "application/json", "x-goog-api-key": "sk-bench"}
        direct = Target("direct:gemini", mock + model_url + ":generateContent", native_h,
                        mock + stream_scn + model_url + ":streamGenerateContent?alt=sse", native_h,
                        GEMINI_NATIVE_BODY, GEMINI_NATIVE_BODY, GEMINI_END)
        gw_h = {**json_h, "x-portkey-provider": "google"}
        bodies = (G_BODY, G_STREAM_BODY)
        # upstream Portkey sends no [DONE] after a Gemini stream: its last chunk has the finish reason
        end = b'"finish_reason":"stop"' if key == "portkey" else OPENAI_END
    else:
        model_url = f"/model/{BEDROCK_MODEL}"
        native_h = {"Content-Type": "application/json"}
        direct = Target("direct:bedrock", mock + model_url + "/converse", native_h,
                        mock + stream_scn + model_url + "/converse-stream", native_h,
                        CONVERSE_BODY, CONVERSE_BODY, CONVERSE_END, frames="aws")
        gw_h = {**json_h, "x-portkey-provider": "bedrock", **AWS_AUTH}
        bodies, end = (B_BODY, B_STREAM_BODY), OPENAI_END
    return direct, Target(f"{key}:{path}", gw, {**gw_h, "x-portkey-custom-host": mock},
                          gw, {**gw_h, "x-portkey-custom-host": mock + stream_scn}, *bodies, end)


# --- one pass: the mock plus one gateway ----------------------------------------------------
def run_pass(procs: Procs, spec: GatewaySpec, mock_port: int, res: Results, args: argparse.Namespace,
             wrk: str | None, skip: set[str]) -> None:
    """Start ``spec``, run every phase for [direct, that gateway] on each path of ``--paths``, store the
    figures and stop it.

    Results go under ``spec.key``; the direct figures of this pass under "direct" for our gateway
    and "direct@<key>" for any other, so each "difference" compares figures taken side by side.
    The other paths' keys get ``:<path>`` appended ("gateway:translated", "direct:gemini",
    "portkey:bedrock", "direct@portkey:translated"); the passthrough path keeps the plain keys.
    """
    n, warmup, duration, streams = (res.meta["latency_n"], res.meta["warmup"], res.meta["duration_s"],
                                    res.meta["stream_n"])
    key = spec.key
    dkey = "direct" if key == "gateway" else f"direct@{key}"
    mem_prefix = "" if key == "gateway" else f"{key}_"
    gw_port = procs.start_gateway(spec)
    assert procs.gateway is not None and procs.mock is not None
    gw_pid, mock_pid = procs.gateway.pid, procs.mock.pid  # taskset execs, so the pid is the program's
    time.sleep(0.3)
    res.memory_kib[mem_prefix + "rss_start"] = proc_status(gw_pid).get("VmRSS", 0)
    res.meta.setdefault("gateway_pids", {})[key] = gw_pid
    log(f"{spec.label} on :{gw_port} (pid {gw_pid}), mock on :{mock_port} (pid {mock_pid}); "
        f"RSS {res.memory_kib[mem_prefix + 'rss_start'] / 1024:.1f} MiB; {res.meta['load_generator']}")

    mock = f"http://127.0.0.1:{mock_port}"
    gw = f"http://127.0.0.1:{gw_port}{PATH}"
    targets: list[Target] = []
    out_key: dict[str, str] = {}
    for path in res.meta["paths"]:
        pair = path_targets(path, key, mock, gw, args)
        targets += pair
        out_key[pair[0].name] = result_key(dkey, path)
        out_key[pair[1].name] = result_key(key, path)

    if "latency" not in skip:
        log(f"[{key}] latency at c=1: {warmup} warm-up + {n} requests per target, "
            f"{len(targets)} targets interleaved")
        lat = asyncio.run(latency_c1(targets, n, warmup))
        for name, xs in lat.items():
            res.latency[out_key[name]] = {"p50_ms": pct(xs, 50) * 1000, "p90_ms": pct(xs, 90) * 1000,
                                          "p99_ms": pct(xs, 99) * 1000, "mean_ms": statistics.fmean(xs) * 1000}
    if "throughput" not in skip:
        pids = {"gateway": gw_pid, "mock": mock_pid}
        for t in targets:
            log(f"[{key}] throughput {t.name}: c={args.concurrency} for {duration:g} s (+1 s warm-up)")
            load(procs, wrk, t, args.concurrency, 1.0, pids)
            res.throughput[out_key[t.name]] = load(procs, wrk, t, args.concurrency, duration, pids)
    if "stream" not in skip:
        log(f"[{key}] streaming: {streams} streams per target, {len(targets)} targets interleaved, "
            f"{args.chunks} chunks x {args.gap:g} s gap")
        sr = asyncio.run(streaming(targets, streams))
        for name, d in sr.items():
            res.streaming[out_key[name]] = {"ttfb_p50_ms": pct(d["ttfb"], 50) * 1000,
                                            "ttfb_p99_ms": pct(d["ttfb"], 99) * 1000,
                                            "total_p50_ms": pct(d["total"], 50) * 1000,
                                            "total_p99_ms": pct(d["total"], 99) * 1000}
    st = proc_status(gw_pid)
    res.memory_kib[mem_prefix + "rss_end"] = st.get("VmRSS", 0)
    res.memory_kib[mem_prefix + "hwm_end"] = st.get("VmHWM", 0)
    if procs.gateway.poll() is not None:
        raise RuntimeError(f"{spec.label} died during the run:\n{procs.gateway_output()}")
    procs.stop_gateway()


# --- output --------------------------------------------------------------------------------
def table(res: Results) -> str:
    L, T, S, M = res.latency, res.throughput, res.streaming, res.memory_kib
    # each gateway column: (key of its figures, key of the direct figures taken in the same pass)
    cols = [("gateway", "direct")] + ([("portkey", "direct@portkey")] if res.meta.get("portkey") else [])
    paths: list[str] = res.meta.get("paths") or ["passthrough"]
    rows: list[tuple[str, ...]] = []
    nan = float("nan")

    def ms(x: float) -> str:
        return f"{x:.3f} ms" if x == x else "-"

    def row(label: str, path: str, direct: str, cells: list[tuple[str, str]]) -> None:
        rows.append((label, path, direct, *(c for pair in cells for c in pair)))

    def per_path(label: str, sec: dict[str, dict[str, float]], direct: Any, cells: Any) -> None:
        """One row per path (label on the first), for the paths measured in this section."""
        first = True
        for path in paths:
            if result_key("direct", path) not in sec:
                continue
            row(label if first else "", path, direct(sec[result_key("direct", path)]),
                [cells(sec.get(result_key(g, path)), sec.get(result_key(d, path), {})) for g, d in cols])
            first = False

    def diff_ms(field_: str) -> Any:
        def cell(x: dict[str, float] | None, d: dict[str, float]) -> tuple[str, str]:
            if x is None:
                return "-", ""
            return ms(x[field_]), f"{x[field_] - d.get(field_, nan):+.3f} ms"
        return cell

    def direct_ms(field_: str) -> Any:
        return lambda d: ms(d[field_])

    if L:
        per_path(f"latency c=1 p50 (n={res.meta['latency_n']})", L, direct_ms("p50_ms"), diff_ms("p50_ms"))
        per_path("latency c=1 p99", L, direct_ms("p99_ms"), diff_ms("p99_ms"))
        per_path("latency c=1 mean", L, direct_ms("mean_ms"), diff_ms("mean_ms"))
    if T:
        c, s = res.meta["concurrency"], res.meta["duration_s"]

        def p50_99(x: dict[str, float]) -> str:
            return f"{x.get('p50_ms', nan):.2f}/{x.get('p99_ms', nan):.2f} ms"

        def only(fn: Any) -> Any:
            return lambda x, d: (fn(x), "") if x is not None else ("-", "")

        per_path(f"throughput c={c}, {s:g} s", T, lambda d: f"{d['rps']:,.0f} req/s",
                 lambda x, d: (f"{x['rps']:,.0f} req/s", f"{x['rps'] / d['rps'] * 100:.0f}% of direct")
                 if x is not None else ("-", ""))
        per_path("  latency under load p50/p99", T, p50_99, only(p50_99))
        per_path("  errors (non-2xx + socket)", T, lambda d: f"{d['errors']:.0f}",
                 only(lambda x: f"{x['errors']:.0f}"))
        per_path("  gateway CPU per request", T, lambda d: "",
                 lambda x, d: (f"{x['gateway_cpu_ms_per_req']:.3f} ms",
                               f"{x['gateway_cpu_s'] / s * 100:.0f}% of a core")
                 if x is not None and "gateway_cpu_ms_per_req" in x else ("-", ""))
        per_path("  mock CPU (share of a core)", T, lambda d: f"{d['mock_cpu_s'] / s * 100:.0f}%",
                 only(lambda x: f"{x['mock_cpu_s'] / s * 100:.0f}%" if "mock_cpu_s" in x else "-"))
    if S:
        per_path(f"stream TTFB p50 (n={res.meta['stream_n']})", S, direct_ms("ttfb_p50_ms"), diff_ms("ttfb_p50_ms"))
        per_path("stream TTFB p99", S, direct_ms("ttfb_p99_ms"), diff_ms("ttfb_p99_ms"))
        per_path(f"stream total p50 ({res.meta['stream_chunks']}x{res.meta['stream_gap_s']:g} s)", S,
                 direct_ms("total_p50_ms"), diff_ms("total_p50_ms"))
    if M:
        def mib(k: str) -> str:
            return f"{M[k] / 1024:.1f} MiB" if k in M else "-"

        for label, k in (("gateway RSS after start", "rss_start"), ("gateway RSS after load", "rss_end"),
                         ("gateway peak RSS (VmHWM)", "hwm_end")):
            row(label, "", "", [(mib(("" if g == "gateway" else f"{g}_") + k), "") for g, _ in cols])
    head: tuple[str, ...] = ("metric", "path", "direct to mock", "through gateway", "difference")
    if len(cols) > 1:
        head += ("through Portkey (Node)", "difference")
    widths = [max(len(r[i]) for r in rows + [head]) for i in range(len(head))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    sep = "  ".join("-" * w for w in widths)
    lines = [fmt.format(*r).rstrip() for r in [head, tuple(sep.split("  "))] + rows]
    meta = res.meta
    info = [f"load generator: {meta.get('load_generator')}", f"mock: {meta.get('mock')}",
            f"placement: {meta.get('placement')}", f"python {meta.get('python')}, {meta.get('cpus')} CPUs"]
    if meta.get("portkey"):
        info.append(f"portkey: {meta['portkey']}")
    info += [f"path {p}: {PATH_INFO[p]}" for p in paths]
    info += [f"  path {p}'s direct baseline: {BASELINES[p]}" for p in paths if p in BASELINES]
    notes: list[str] = []
    if len(cols) > 1:
        seen = []
        for path in paths:
            pd = result_key("direct@portkey", path)
            parts = [f"latency p50/p99 {ms(L[pd]['p50_ms'])}/{ms(L[pd]['p99_ms'])}" if pd in L else "",
                     f"throughput {T[pd]['rps']:,.0f} req/s" if pd in T else "",
                     f"TTFB p50 {ms(S[pd]['ttfb_p50_ms'])}" if pd in S else ""]
            if any(parts):
                seen.append(f"  {path}: " + ", ".join(x for x in parts if x))
        notes = ["", "Portkey ran in a second pass, after this gateway was stopped, on the same CPU. Its "
                 "'difference' is against", "the direct figures re-measured (interleaved) in that pass:"] + seen
        ratios = []
        for path in paths:
            g, pk = T.get(result_key("gateway", path)), T.get(result_key("portkey", path))
            if g and pk and pk.get("rps"):
                cpu = ""
                if g.get("gateway_cpu_ms_per_req") and pk.get("gateway_cpu_ms_per_req"):
                    cpu = (f", CPU per request {pk['gateway_cpu_ms_per_req'] / g['gateway_cpu_ms_per_req']:.1f}x "
                           "lower")
                ratios.append(f"  {path}: this gateway {g['rps'] / pk['rps']:.1f}x Portkey's req/s{cpu}")
        if ratios:
            notes += ["", "this gateway vs Portkey:"] + ratios
    return "\n".join(info + [""] + lines + notes)


# --- main ----------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--quick", action="store_true", help="short run (~20 s): fewer requests, 3 s load")
    p.add_argument("--requests", type=int, help="sequential requests per target at c=1 (default 2000)")
    p.add_argument("--warmup", type=int, default=200, help="warm-up requests per target (default 200)")
    p.add_argument("--concurrency", type=int, default=32)
    p.add_argument("--duration", type=float, help="seconds of load per target (default 10)")
    p.add_argument("--streams", type=int, help="streams per target (default 200)")
    p.add_argument("--chunks", type=int, default=10, help="SSE chunks after the first (default 10)")
    p.add_argument("--gap", type=float, default=0.01, help="seconds between SSE chunks (default 0.01)")
    p.add_argument("--mock", choices=("raw", "aiohttp"), default="raw",
                   help="mock implementation (default raw: ~5x MockOpenAI's req/s)")
    p.add_argument("--no-wrk", action="store_true", help="use the Python load generator even if wrk exists")
    p.add_argument("--no-pin", action="store_true", help="do not pin processes with taskset")
    p.add_argument("--skip", default="", help="comma list of phases to skip: latency,throughput,stream")
    p.add_argument("--paths", default=",".join(DEFAULT_PATHS),
                   help="comma list of paths to measure: passthrough (chat -> openai), translated "
                        "(chat -> anthropic), gemini (chat -> google), bedrock (chat -> bedrock converse), "
                        "or all; default passthrough,translated")
    p.add_argument("--portkey", metavar="DIR",
                   help="also measure upstream Portkey's Node gateway built in DIR (node DIR/build/start-server.js), "
                        "in a second pass after ours is stopped; see benchmarks/README.md")
    p.add_argument("--node", default="node", help="Node.js executable for --portkey (default: node on PATH)")
    p.add_argument("--json", nargs="?", const="-", metavar="PATH",
                   help="also write JSON results (to stdout if no PATH)")
    args = p.parse_args(argv)
    n = args.requests or (500 if args.quick else 2000)
    warmup = min(args.warmup, 50) if args.quick else args.warmup
    duration = args.duration or (3.0 if args.quick else 10.0)
    streams = args.streams or (40 if args.quick else 200)
    skip = set(filter(None, args.skip.split(",")))
    wanted = set(filter(None, args.paths.split(",")))
    wanted = set(PATHS) if "all" in wanted else wanted
    paths = [x for x in PATHS if x in wanted]
    unknown = wanted - set(PATHS)
    if unknown or not paths:
        p.error(f"--paths: pick from {', '.join(PATHS)} or all (got {args.paths!r})")
    if args.mock == "aiohttp" and {"gemini", "bedrock"} & set(paths):
        p.error("--mock aiohttp (MockOpenAI) speaks OpenAI's and Anthropic's formats only: "
                "the gemini and bedrock paths need --mock raw")
    wrk = None if args.no_wrk else shutil.which("wrk")
    specs = [our_gateway()]
    portkey_info = None
    if args.portkey:
        spec, portkey_info = portkey_gateway(args.portkey, args.node)
        specs.append(spec)

    procs = Procs(args)

    def on_term(*_: Any) -> None:  # SystemExit inside asyncio can be swallowed: stop the children here
        log("SIGTERM: stopping the mock and the gateway")
        procs.stop()
        os._exit(143)

    signal.signal(signal.SIGTERM, on_term)
    res = Results()
    res.meta = {"load_generator": f"wrk ({wrk})" if wrk else "python aiohttp (wrk not on PATH)" if not args.no_wrk
                else "python aiohttp (--no-wrk)",
                "mock": f"benchmarks/mock_server.py --impl {args.mock}", "placement": procs.placement(),
                "python": sys.version.split()[0], "cpus": os.cpu_count(), "latency_n": n, "warmup": warmup,
                "concurrency": args.concurrency, "duration_s": duration, "stream_n": streams,
                "stream_chunks": args.chunks, "stream_gap_s": args.gap, "paths": paths}
    if portkey_info:
        res.meta["portkey"] = portkey_info
    t0 = time.monotonic()
    try:
        if procs.taskset:  # this client (c=1 latency, streams) sits with the load generator
            os.sched_setaffinity(0, procs.load_cpus)
        mock_port = procs.start_mock()
        for spec in specs:  # one gateway at a time, each on the gateway CPU
            run_pass(procs, spec, mock_port, res, args, wrk, skip)
    except BaseException:
        if procs.gateway is not None:
            out = procs.gateway_output().strip()
            if out:
                label = procs.gateway_spec.label if procs.gateway_spec else "gateway"
                log(f"{label} output (tail):\n" + out)
        raise
    finally:
        procs.stop()
    res.meta["wall_s"] = round(time.monotonic() - t0, 1)
    print(table(res))
    print(f"\n(wall time {res.meta['wall_s']} s)")
    if args.json:
        emit_json(args.json, asdict(res))
    return 0


def emit_json(target: str, payload: Any) -> None:
    """``--json``: print to stdout for ``-``, else write the file."""
    doc = json.dumps(payload, indent=2)
    if target == "-":
        print(doc)
    else:
        with open(target, "w") as f:
            f.write(doc + "\n")


if __name__ == "__main__":
    sys.exit(main())
