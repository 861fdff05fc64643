"""Per-event cost of stream translation, in process, with the core's real code.

    .venv/bin/python benchmarks/translate_events.py [--deltas 1000] [--runs 5] [--json [PATH]]

No sockets and no gateway process: a fake upstream (status, headers, async ``stream()``,
``close()``) replays a prepared byte stream (SSE, or AWS's binary event-stream with real CRCs),
split the way a network delivers it, through ``gateway.translation.translate_stream`` (decode + map
+ encode, with the ``Plan`` that ``plan_for`` picks) or ``passthrough_stream``, and the consumer
drains the async generator the way the HTTP layer does. Printed: µs per upstream event, the median
(and the best) of ``--runs`` runs after one warm-up run, per case. Times are this process's CPU
time (``time.process_time``), so other jobs on a shared machine do not inflate them the way they
inflate wall time (caches still suffer). Cases (N text deltas of ~5 tokens each):

  * chat -> anthropic: an OpenAI-format client on /v1/chat/completions, Anthropic upstream.
    Anthropic's named-event SSE (message_start, content_block_start, N text deltas of ~5 tokens,
    content_block_stop, message_delta, message_stop) -> chat.completion.chunk events + ``[DONE]``.
  * messages -> openai: an Anthropic-format client on /v1/messages, OpenAI upstream. OpenAI's chat
    SSE (role chunk, N content chunks, finish chunk with usage, ``[DONE]``) -> Anthropic's events.
  * chat -> google: Gemini's ``streamGenerateContent?alt=sse`` (N ``GenerateContentResponse``
    chunks in Google's spacing, ``\\r\\n\\r\\n`` between events, the last with ``finishReason`` and
    the final usage) -> chunks + ``[DONE]``.
  * chat -> bedrock: ConverseStream's event-stream frames (messageStart, N contentBlockDelta,
    contentBlockStop, messageStop, metadata; payloads padded with Bedrock's ``p``) -> chunks.
  * messages -> bedrock claude (native): InvokeModelWithResponseStream's ``chunk`` frames, each an
    Anthropic event in base64 -> Anthropic's named events.
  * chat -> cohere: Cohere v2's named-event SSE (message-start, content-start, N content-delta,
    content-end, message-end) -> chunks + ``[DONE]``.
  * messages -> google (via hub): the Gemini stream -> hub chunks -> Anthropic's events.
  * passthrough chat / passthrough messages: OpenAI's / Anthropic's bytes passed through untouched
    (``passthrough_stream``), for scale.
A case whose provider or client format cannot be loaded is printed as skipped, with the reason.

Each case runs with two chunkings: one event per chunk (a provider flushing every event) and
4 KiB chunks (events cut anywhere, several per chunk). A second table splits the translated
cases (one event per chunk) into their stages: decode (bytes -> events), map (provider -> hub
-> client events) and encode (events -> bytes), each timed alone. A third times each decoder
alone on both chunkings, next to ``json.loads`` of the same payloads: the difference is the
framing itself (for the AWS event-stream: prelude, both CRC32s and the headers).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))

import aws_frames  # noqa: E402  (same folder: run as a script, benchmarks/ is on sys.path)

from gateway.http import Headers  # noqa: E402
from gateway.providers import get_provider  # noqa: E402
from gateway.transform.events import DONE, MapContext  # noqa: E402
from gateway.transform.framing import DECODERS, ENCODERS  # noqa: E402
from gateway.translation import Plan, passthrough_stream, plan_for, translate_stream  # noqa: E402

# ~5 tokens of text per delta, like a real model streams
WORDS = ("Hello", " there,", " the", " quick", " brown", " fox", " jumps", " over", " the", " lazy", " dog", ".")
MODEL = "claude-sonnet-4-5"
GEMINI = "gemini-2.5-flash"
NOVA = "amazon.nova-pro-v1:0"
BEDROCK_CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
COHERE = "command-a-03-2025"
MODELS = {"anthropic": MODEL, "openai": "gpt-4o"}


def _texts(n: int) -> list[str]:
    return ["".join(WORDS[(i + k) % len(WORDS)] for k in range(5)) for i in range(n)]


def _dumps(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def _named(name: str, data: dict[str, Any]) -> bytes:
    return b"event: " + name.encode() + b"\ndata: " + _dumps(data) + b"\n\n"


def _anthropic_stream(n: int, ping: bool = True) -> list[dict[str, Any]]:
    """Anthropic's Messages stream as event objects (each carries its ``type``)."""
    out: list[dict[str, Any]] = [
        {"type": "message_start", "message": {
            "id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant", "model": MODEL,
            "content": [], "stop_reason": None, "stop_sequence": None,
            "usage": {"input_tokens": 25, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                      "output_tokens": 1}}},
        {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}]
    if ping:
        out.append({"type": "ping"})
    out += [{"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": t}}
            for t in _texts(n)]
    out += [{"type": "content_block_stop", "index": 0},
            {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence": None},
             "usage": {"output_tokens": 5 * n}},
            {"type": "message_stop"}]
    return out


def anthropic_events(n: int) -> list[bytes]:
    """Anthropic's Messages stream, as its API writes it (compact JSON, named events)."""
    return [_named(e["type"], e) for e in _anthropic_stream(n)]


def openai_events(n: int) -> list[bytes]:
    """OpenAI's chat stream with ``stream_options.include_usage`` (compact JSON, unnamed events)."""
    base = {"id": "chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT", "object": "chat.completion.chunk",
            "created": 1741569952, "model": "gpt-4o-2024-08-06", "service_tier": "default",
            "system_fingerprint": "fp_f9f4fb6dbf"}

    def chunk(delta: dict[str, Any], finish: str | None = None, usage: Any = None) -> bytes:
        data = {**base, "choices": [{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
                "usage": usage}
        return b"data: " + _dumps(data) + b"\n\n"

    out = [chunk({"role": "assistant", "content": "", "refusal": None})]
    out += [chunk({"content": t}) for t in _texts(n)]
    out += [chunk({}, "stop"),
            b"data: " + _dumps({**base, "choices": [], "usage": {
                "prompt_tokens": 25, "completion_tokens": 5 * n, "total_tokens": 25 + 5 * n}}) + b"\n\n",
            b"data: [DONE]\n\n"]
    return out


def gemini_events(n: int) -> list[bytes]:
    """Gemini's ``streamGenerateContent?alt=sse``: each event a whole ``GenerateContentResponse`` in
    Google's spacing (``", "``, ``": "``), ``\\r\\n\\r\\n`` after each; every chunk repeats the usage
    so far, the last carries ``finishReason`` and the final usage. Gemini has no terminal event."""
    def chunk(text: str, last: bool) -> bytes:
        candidate: dict[str, Any] = {"content": {"parts": [{"text": text}], "role": "model"}, "index": 0}
        usage: dict[str, Any] = {"promptTokenCount": 9, "totalTokenCount": 9,
                                 "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 9}]}
        if last:
            candidate["finishReason"] = "STOP"
            usage = {**usage, "candidatesTokenCount": 5 * n, "totalTokenCount": 9 + 5 * n}
        data = {"candidates": [candidate], "usageMetadata": usage, "modelVersion": GEMINI,
                "responseId": "mJ0xaP2hKu6Vz7IPz8-WgAw"}
        return b"data: " + json.dumps(data).encode() + b"\r\n\r\n"

    texts = _texts(n)
    return [chunk(t, i == n - 1) for i, t in enumerate(texts)]


def converse_frames(n: int) -> list[bytes]:
    """Bedrock ConverseStream: one event-stream frame per event, payloads padded with ``p``."""
    pad = aws_frames.PAD
    out = [aws_frames.event_frame("messageStart", {"p": pad[:4], "role": "assistant"})]
    out += [aws_frames.event_frame("contentBlockDelta", {"contentBlockIndex": 0, "delta": {"text": t},
                                                         "p": pad[:i % 24 + 1]}) for i, t in enumerate(_texts(n))]
    out += [aws_frames.event_frame("contentBlockStop", {"contentBlockIndex": 0, "p": pad[:10]}),
            aws_frames.event_frame("messageStop", {"p": pad[:14], "stopReason": "end_turn"}),
            aws_frames.event_frame("metadata", {"metrics": {"latencyMs": 812}, "p": pad[:7], "usage": {
                "inputTokens": 25, "outputTokens": 5 * n, "totalTokens": 25 + 5 * n}})]
    return out


def bedrock_claude_frames(n: int) -> list[bytes]:
    """Bedrock InvokeModelWithResponseStream for Claude: Anthropic's events (no ping), each base64
    in a ``chunk`` frame; ``message_stop`` carries Bedrock's invocation metrics."""
    events = _anthropic_stream(n, ping=False)
    events[-1] = {"type": "message_stop", "amazon-bedrock-invocationMetrics": {
        "inputTokenCount": 25, "outputTokenCount": 5 * n, "invocationLatency": 812, "firstByteLatency": 301}}
    return [aws_frames.chunk_frame(e, i % 24 + 1) for i, e in enumerate(events)]


def cohere_events(n: int) -> list[bytes]:
    """Cohere v2 chat's stream: named events whose data repeats the name as ``type``."""
    out = [_named("message-start", {"id": "c14c80c3-18eb-4519-9460-6c92edd8cfb4", "type": "message-start",
                                    "delta": {"message": {"role": "assistant", "content": [], "tool_plan": "",
                                                          "tool_calls": [], "citations": []}}}),
           _named("content-start", {"type": "content-start", "index": 0,
                                    "delta": {"message": {"content": {"type": "text", "text": ""}}}})]
    out += [_named("content-delta", {"type": "content-delta", "index": 0,
                                     "delta": {"message": {"content": {"text": t}}}}) for t in _texts(n)]
    usage = {"billed_units": {"input_tokens": 9, "output_tokens": 5 * n},
             "tokens": {"input_tokens": 214, "output_tokens": 5 * n}}
    out += [_named("content-end", {"type": "content-end", "index": 0}),
            _named("message-end", {"type": "message-end", "delta": {"finish_reason": "COMPLETE", "usage": usage}})]
    return out


def split(events: list[bytes], size: int | None) -> list[bytes]:
    """One event per chunk (size None), else the whole stream cut every ``size`` bytes."""
    if size is None:
        return list(events)
    raw = b"".join(events)
    return [raw[i:i + size] for i in range(0, len(raw), size)]


class FakeUpstream:
    """Just what ``translate_stream`` / ``passthrough_stream`` use of an ``UpstreamResponse``."""

    def __init__(self, chunks: list[bytes]) -> None:
        self.status = 200
        self.headers = Headers({"content-type": "text/event-stream"})
        self._chunks = chunks

    async def stream(self) -> AsyncIterator[bytes]:
        for chunk in self._chunks:
            yield chunk

    async def read(self) -> bytes:
        return b"".join(self._chunks)

    async def close(self) -> None:
        pass


Runner = Callable[[FakeUpstream], AsyncIterator[bytes]]


clock = time.process_time


async def _drain(make: Runner, chunks: list[bytes]) -> tuple[float, bytes]:
    start = clock()
    out = [piece async for piece in make(FakeUpstream(chunks))]
    return clock() - start, b"".join(out)


def measure(jobs: list[tuple[Runner, list[bytes]]], runs: int) -> list[tuple[list[float], bytes]]:
    """For each (runner, chunks): CPU seconds of ``runs`` drains and the output of the last one.
    One warm-up round first; then the jobs take turns, one drain each per round, so a burst of
    noise from other processes spreads over all cases instead of landing on one."""
    async def all_runs() -> list[tuple[list[float], bytes]]:
        results: list[tuple[list[float], bytes]] = [([], b"") for _ in jobs]
        for round_ in range(runs + 1):
            for i, (make, chunks) in enumerate(jobs):
                elapsed, out = await _drain(make, chunks)
                if round_:
                    results[i][0].append(elapsed)
                    results[i] = (results[i][0], out)
        return results

    return asyncio.run(all_runs())


def ctx(slug: str, model: str | None = None) -> MapContext:
    now = time.time()
    return MapContext(slug, model or MODELS.get(slug, "gpt-4o"), True, int(now), f"{slug}-{int(now * 1000)}")


def plan_of(slug: str, fn: str, model: str | None = None) -> tuple[Plan | None, str]:
    """The plan the gateway would pick for ``fn`` on ``slug``, or (None, why) when a provider or a
    client format is missing or broken, so that one case is skipped instead of the whole run."""
    try:
        provider = get_provider(slug)
        if provider is None:
            raise LookupError(f"no {slug!r} provider")
        return plan_for(provider, fn, ctx(slug, model)), ""
    except Exception as error:  # noqa: BLE001 - not written yet / broken: skip that case
        return None, f"{type(error).__name__}: {error}"


@dataclass
class Case:
    """One stream: upstream events, how the gateway handles them (a translation plan, or the
    passthrough of ``fn`` on ``slug``) and what the client's last event must contain."""

    name: str
    events: list[bytes]
    end: bytes
    plan: Plan | None = None
    passthrough: tuple[str, str] | None = None
    skip: str = ""
    stage_name: str = ""

    def runner(self) -> Runner:
        plan, through = self.plan, self.passthrough
        if plan is not None:
            return lambda up: translate_stream(plan, up)
        assert through is not None
        return lambda up: passthrough_stream(up, *through)


def translated(name: str, slug: str, fn: str, model: str | None, events: list[bytes], end: bytes,
               stage_name: str) -> Case:
    plan, skip = plan_of(slug, fn, model)
    return Case(name, events, end, plan=plan, skip=skip, stage_name=stage_name)


def interleaved(thunks: list[Callable[[], Any]], runs: int) -> list[float]:
    """Median CPU seconds of each thunk over ``runs`` rounds after one warm-up round; each round
    runs every thunk once, so a burst of noise from other processes spreads over all of them."""
    times: list[list[float]] = [[] for _ in thunks]
    for round_ in range(runs + 1):
        for i, fn in enumerate(thunks):
            start = clock()
            fn()
            if round_:
                times[i].append(clock() - start)
    return [statistics.median(t) for t in times]


def stages(plan: Plan, events_bytes: list[bytes]) -> tuple[list[Callable[[], Any]], int]:
    """The stages of one stream, each alone, to be timed: decode the bytes (one event per chunk),
    map the decoded events through the plan's mappers, encode the mapped ones; and the number of
    events out. Like ``translate_stream``, a native route format (Messages on Bedrock) does not
    encode the ``DONE`` that marks completion. The timed decode and map drop what they produce, as
    a real stream does chunk by chunk (keeping 1,000 events alive makes decoding ~30% slower)."""
    framing = plan.translation.framing if plan.translation else "sse"
    fmt = plan.route_format
    encode = ENCODERS[fmt.framing if fmt else "openai-sse"]
    native = plan.client is None and fmt is not None

    def decode(keep: bool = False) -> list[Any]:
        decoder = DECODERS[framing]()
        out: list[Any] = []
        for chunk in events_bytes:
            events = decoder.feed(chunk)
            if keep:
                out += events
        return out + decoder.end()

    decoded = decode(keep=True)

    def map_one(event: Any, provider: Any, client: Any) -> list[Any]:
        hub = provider.feed(event) if provider else [event]
        if client is None:
            return [e for e in hub if e.data != DONE] if native else hub
        return [out for e in hub for out in client.feed(e)]

    def map_all(keep: bool = False) -> list[Any]:
        provider = plan.translation.stream(plan.ctx) if plan.translation else None
        client = plan.client.stream(plan.ctx) if plan.client else None
        out: list[Any] = []
        for event in decoded:
            events = map_one(event, provider, client)
            if keep:
                out += events
        tail = provider.end() if provider else []
        out += [e for e in tail if not (native and e.data == DONE)] if client is None else \
            [o for e in tail for o in client.feed(e)]
        return out + (client.end() if client else [])

    mapped = map_all(keep=True)

    def encode_all() -> None:
        b"".join(encode(e) for e in mapped)

    return [decode, map_all, encode_all], len(mapped)


def _sse_payloads(events: list[bytes]) -> list[str]:
    out = []
    for event in events:
        for line in event.decode().splitlines():
            if line.startswith("data:") and line[5:].strip() != DONE:
                out.append(line[5:].lstrip())
    return out


def _decode(framing: str, chunks: list[bytes]) -> None:
    decoder = DECODERS[framing]()
    for piece in chunks:
        decoder.feed(piece)
    decoder.end()


def _parse(payloads: list[Any]) -> None:
    for p in payloads:
        json.loads(p)


def decoders(rows: list[tuple[str, str, list[bytes]]], chunk: int, runs: int) -> list[dict[str, Any]]:
    """Each decoder alone, on one event per chunk and on ``chunk``-byte chunks, next to ``json.loads``
    of the same payloads (as the decoder calls it: on text for SSE, on bytes for the event-stream)."""
    thunks: list[Callable[[], Any]] = []
    for _, framing, events in rows:
        payloads: list[Any] = ([aws_frames.payload(f) for f in events] if framing == "aws-eventstream"
                               else _sse_payloads(events))
        thunks += [partial(_decode, framing, split(events, None)), partial(_decode, framing, split(events, chunk)),
                   partial(_parse, payloads)]
    times = interleaved(thunks, runs)
    out = []
    for k, (name, framing, events) in enumerate(rows):
        n = len(events)
        per_event, per_cut, per_json = (t / n * 1e6 for t in times[3 * k:3 * k + 3])
        out.append({"decoder": name, "framing": framing, "events": n, "bytes_per_event": sum(map(len, events)) / n,
                    "us_per_event": per_event, "us_per_event_chunked": per_cut, "json_us_per_event": per_json,
                    "framing_us_per_event": per_event - per_json})
    return out


DONE_END = b"data:[DONE]"  # compared without spaces
STOP_END = b'"type":"message_stop"'


def cases(n: int) -> list[Case]:
    a_events, o_events, g_events = anthropic_events(n), openai_events(n), gemini_events(n)
    return [
        translated("chat -> anthropic (translated)", "anthropic", "chatComplete", MODEL, a_events, DONE_END,
                   "chat -> anthropic"),
        translated("messages -> openai (translated)", "openai", "messages", "gpt-4o", o_events, STOP_END,
                   "messages -> openai"),
        translated("chat -> google (translated)", "google", "chatComplete", GEMINI, g_events, DONE_END,
                   "chat -> google"),
        translated("chat -> bedrock converse (translated)", "bedrock", "chatComplete", NOVA, converse_frames(n),
                   DONE_END, "chat -> bedrock converse"),
        translated("messages -> bedrock claude (native)", "bedrock", "messages", BEDROCK_CLAUDE,
                   bedrock_claude_frames(n), STOP_END, "messages -> bedrock claude"),
        translated("chat -> cohere (translated)", "cohere", "chatComplete", COHERE, cohere_events(n), DONE_END,
                   "chat -> cohere"),
        translated("messages -> google (via hub)", "google", "messages", GEMINI, g_events, STOP_END,
                   "messages -> google (hub)"),
        Case("passthrough chat (openai)", o_events, DONE_END, passthrough=("chatComplete", "openai")),
        Case("passthrough messages (anthropic)", a_events, STOP_END, passthrough=("messages", "anthropic")),
    ]


def _last_event(out: bytes) -> bytes:
    return out.rstrip().rsplit(b"\n\n", 1)[-1].replace(b" ", b"")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--deltas", type=int, default=1000, help="text deltas per stream (default 1000)")
    p.add_argument("--runs", type=int, default=5, help="timed runs per case; the median is printed (default 5)")
    p.add_argument("--chunk", type=int, default=4096, help="bytes per chunk of the cut-anywhere split (default 4096)")
    p.add_argument("--json", nargs="?", const="-", metavar="PATH", help="also write JSON (stdout if no PATH)")
    args = p.parse_args(argv)

    if get_provider("anthropic") is None:
        raise SystemExit("gateway.providers: no 'anthropic' provider yet")
    all_cases = cases(args.deltas)
    splits = [("1 event/chunk", None), (f"{args.chunk // 1024} KiB chunks" if args.chunk % 1024 == 0
                                        else f"{args.chunk} B chunks", args.chunk)]
    rows: list[dict[str, Any]] = []
    jobs: list[tuple[Runner, list[bytes]]] = []
    checks: list[tuple[dict[str, Any], bytes]] = []
    for case in all_cases:
        for split_name, size in splits:
            chunks = split(case.events, size)
            row: dict[str, Any] = {"case": case.name, "chunking": split_name, "events": len(case.events),
                                   "chunks": len(chunks), "bytes_in": sum(map(len, chunks))}
            rows.append(row)
            if case.skip:
                row["skipped"] = case.skip
                continue
            jobs.append((case.runner(), chunks))
            checks.append((row, case.end))
    for (row, end), (times, out) in zip(checks, measure(jobs, args.runs), strict=True):
        if end not in _last_event(out) or b'"error"' in out[-400:]:
            raise SystemExit(f"{row['case']} ({row['chunking']}): unexpected output tail {out[-300:]!r}")
        seconds, n = statistics.median(times), row["events"]
        row.update(us_per_event=seconds / n * 1e6, us_per_event_min=min(times) / n * 1e6, ms_total=seconds * 1000,
                   bytes_out=len(out), events_out=out.count(b"\n\n"))

    head = ("case", "chunking", "events in", "chunks", "events out", "µs/event", "best", "ms/stream")
    table = [head] + [
        (r["case"], r["chunking"], str(r["events"]), str(r["chunks"]),
         *((str(r["events_out"]), f"{r['us_per_event']:.2f}", f"{r['us_per_event_min']:.2f}", f"{r['ms_total']:.2f}")
           if "skipped" not in r else ("-", "skipped", "", r["skipped"][:40])))
        for r in rows]
    print(f"stream translation, in process (python {sys.version.split()[0]}); CPU time, median of {args.runs} "
          f"runs (best of them too), {args.deltas} text deltas of ~5 tokens per stream\n")
    print(_format(table))

    breakdown: list[dict[str, Any]] = []
    staged = [(case, *stages(case.plan, case.events)) for case in all_cases if case.plan is not None]
    times = interleaved([fn for _, fns, _ in staged for fn in fns], args.runs)
    for k, (case, _, events_out) in enumerate(staged):
        per_event = [t / len(case.events) * 1e6 for t in times[3 * k:3 * k + 3]]
        breakdown.append({"case": case.stage_name, "events": len(case.events),
                          **{f"{name}_us_per_event": t for name, t in zip(("decode", "map", "encode"), per_event,
                                                                           strict=True)},
                          "events_out": events_out})
    if breakdown:
        print("\nstages alone (1 event/chunk), µs per upstream event:\n")
        print(_format([("case", "decode", "map", "encode", "sum", "events out")] + [
            (b["case"], f"{b['decode_us_per_event']:.2f}", f"{b['map_us_per_event']:.2f}",
             f"{b['encode_us_per_event']:.2f}",
             f"{b['decode_us_per_event'] + b['map_us_per_event'] + b['encode_us_per_event']:.2f}",
             str(b["events_out"])) for b in breakdown]))

    by_name = {c.name: c.events for c in all_cases}
    dec = decoders([
        ("SSE, Anthropic events", "sse", by_name["chat -> anthropic (translated)"]),
        ("SSE, OpenAI chunks", "sse", by_name["messages -> openai (translated)"]),
        ("SSE, Gemini chunks (\\r\\n\\r\\n)", "sse", by_name["chat -> google (translated)"]),
        ("SSE, Cohere events", "sse", by_name["chat -> cohere (translated)"]),
        ("AWS event-stream, ConverseStream", "aws-eventstream", by_name["chat -> bedrock converse (translated)"]),
        ("AWS event-stream, Claude chunks", "aws-eventstream", by_name["messages -> bedrock claude (native)"]),
    ], args.chunk, args.runs)
    print("\ndecoders alone, µs per upstream event (framing = 1 event/chunk minus json.loads of the payloads):\n")
    print(_format([("decoder", "bytes/event", "1 event/chunk", splits[1][0], "json.loads", "framing")] + [
        (d["decoder"], f"{d['bytes_per_event']:.0f}", f"{d['us_per_event']:.2f}", f"{d['us_per_event_chunked']:.2f}",
         f"{d['json_us_per_event']:.2f}", f"{d['framing_us_per_event']:.2f}") for d in dec]))

    for case in all_cases:
        if case.skip:
            print(f"\n{case.name} skipped: {case.skip}")
    if args.json:
        from bench import emit_json  # same folder: run as a script, benchmarks/ is on sys.path

        emit_json(args.json, {"deltas": args.deltas, "runs": args.runs, "python": sys.version.split()[0],
                              "cases": rows, "stages": breakdown, "decoders": dec})
    return 0


def _format(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*rows[0]).rstrip(), "  ".join("-" * w for w in widths)]
    return "\n".join(lines + [fmt.format(*r).rstrip() for r in rows[1:]])


if __name__ == "__main__":
    sys.exit(main())
