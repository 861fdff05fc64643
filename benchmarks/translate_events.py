"""Per-event cost of stream translation, in process, with the core's real code.

    .venv/bin/python benchmarks/translate_events.py [--deltas 1000] [--runs 5] [--json [PATH]]

No sockets and no gateway process: a fake upstream (status, headers, async ``stream()``,
``close()``) replays a prepared SSE byte stream, split the way a network delivers it, through
``gateway.translation.translate_stream`` (decode + map + encode) or ``passthrough_stream``, and
the consumer drains the async generator the way the HTTP layer does. Printed: µs per upstream
event, the median (and the best) of ``--runs`` runs after one warm-up run, per case. Times are this
process's CPU time (``time.process_time``), so other jobs on a shared machine do not inflate them
the way they inflate wall time (caches still suffer). Cases:

  * chat -> anthropic: an OpenAI-format client on /v1/chat/completions, Anthropic upstream.
    Anthropic's named-event SSE (message_start, content_block_start, N text deltas of ~5 tokens,
    content_block_stop, message_delta, message_stop) -> chat.completion.chunk events + ``[DONE]``.
  * messages -> openai: an Anthropic-format client on /v1/messages, OpenAI upstream. OpenAI's chat
    SSE (role chunk, N content chunks, finish chunk with usage, ``[DONE]``) -> Anthropic's events.
    Skipped with a message while ``gateway.formats.messages`` is not importable.
  * passthrough chat / passthrough messages: the same upstream bytes passed through untouched
    (``passthrough_stream``), for scale.

Each case runs with two chunkings: one event per chunk (a provider flushing every event) and
4 KiB chunks (events cut anywhere, several per chunk). A second table splits the translated
cases (one event per chunk) into their stages: decode (bytes -> events), map (provider -> hub
-> client events) and encode (events -> bytes), each timed alone.
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
from typing import Any

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "src"))

from gateway.http import Headers  # noqa: E402
from gateway.providers import get_provider  # noqa: E402
from gateway.transform.events import MapContext  # noqa: E402
from gateway.transform.framing import DECODERS, ENCODERS  # noqa: E402
from gateway.translation import Plan, passthrough_stream, plan_for, translate_stream  # noqa: E402

# ~5 tokens of text per delta, like a real model streams
WORDS = ("Hello", " there,", " the", " quick", " brown", " fox", " jumps", " over", " the", " lazy", " dog", ".")
MODEL = "claude-sonnet-4-5"


def _texts(n: int) -> list[str]:
    return ["".join(WORDS[(i + k) % len(WORDS)] for k in range(5)) for i in range(n)]


def _dumps(data: Any) -> bytes:
    return json.dumps(data, separators=(",", ":")).encode()


def anthropic_events(n: int) -> list[bytes]:
    """Anthropic's Messages stream, as its API writes it (compact JSON, named events)."""
    def ev(name: str, data: dict[str, Any]) -> bytes:
        return b"event: " + name.encode() + b"\ndata: " + _dumps(data) + b"\n\n"

    out = [ev("message_start", {"type": "message_start", "message": {
        "id": "msg_01XFDUDYJgAACzvnptvVoYEL", "type": "message", "role": "assistant", "model": MODEL,
        "content": [], "stop_reason": None, "stop_sequence": None,
        "usage": {"input_tokens": 25, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0,
                  "output_tokens": 1}}}),
        ev("content_block_start", {"type": "content_block_start", "index": 0,
                                   "content_block": {"type": "text", "text": ""}}),
        ev("ping", {"type": "ping"})]
    out += [ev("content_block_delta", {"type": "content_block_delta", "index": 0,
                                       "delta": {"type": "text_delta", "text": t}}) for t in _texts(n)]
    out += [ev("content_block_stop", {"type": "content_block_stop", "index": 0}),
            ev("message_delta", {"type": "message_delta",
                                 "delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                 "usage": {"output_tokens": 5 * n}}),
            ev("message_stop", {"type": "message_stop"})]
    return out


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


def ctx(slug: str) -> MapContext:
    now = time.time()
    return MapContext(slug, MODEL if slug == "anthropic" else "gpt-4o", True, int(now), f"{slug}-{int(now * 1000)}")


def messages_plan() -> tuple[Plan | None, str]:
    try:
        import gateway.formats.messages  # noqa: F401

        provider = get_provider("openai")
        assert provider is not None
        return plan_for(provider, "messages", ctx("openai")), ""
    except Exception as error:  # noqa: BLE001 - not written yet / broken: skip that case
        return None, f"{type(error).__name__}: {error}"


def stages(plan: Plan, events_bytes: list[bytes], runs: int) -> dict[str, float]:
    """CPU seconds per stage for one stream, each stage alone (median of ``runs``): decode the bytes
    (one event per chunk), map the decoded events through the plan's mappers, encode the mapped ones."""
    framing = plan.translation.framing if plan.translation else "sse"
    encode = ENCODERS[plan.client.framing if plan.client else "openai-sse"]

    def decode() -> list[Any]:
        decoder = DECODERS[framing]()
        out: list[Any] = []
        for chunk in events_bytes:
            out += decoder.feed(chunk)
        return out + decoder.end()

    decoded = decode()

    def map_all() -> list[Any]:
        provider = plan.translation.stream(plan.ctx) if plan.translation else None
        client = plan.client.stream(plan.ctx) if plan.client else None
        hub: list[Any] = []
        for event in decoded:
            hub += provider.feed(event) if provider else [event]
        if provider:
            hub += provider.end()
        if client is None:
            return hub
        out: list[Any] = []
        for event in hub:
            out += client.feed(event)
        return out + client.end()

    mapped = map_all()

    def encode_all() -> bytes:
        return b"".join(encode(e) for e in mapped)

    result = {}
    for name, fn in (("decode", decode), ("map", map_all), ("encode", encode_all)):
        fn()
        times = []
        for _ in range(runs):
            start = clock()
            fn()
            times.append(clock() - start)
        result[name] = statistics.median(times)
    result["events_out"] = len(mapped)
    return result


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--deltas", type=int, default=1000, help="text deltas per stream (default 1000)")
    p.add_argument("--runs", type=int, default=5, help="timed runs per case; the median is printed (default 5)")
    p.add_argument("--chunk", type=int, default=4096, help="bytes per chunk of the cut-anywhere split (default 4096)")
    p.add_argument("--json", nargs="?", const="-", metavar="PATH", help="also write JSON (stdout if no PATH)")
    args = p.parse_args(argv)

    anthropic = get_provider("anthropic")
    if anthropic is None:
        raise SystemExit("gateway.providers: no 'anthropic' provider yet")
    chat_plan = plan_for(anthropic, "chatComplete", ctx("anthropic"))
    msg_plan, msg_skip = messages_plan()
    a_events, o_events = anthropic_events(args.deltas), openai_events(args.deltas)

    cases: list[tuple[str, list[bytes], Runner | None, bytes]] = [
        ("chat -> anthropic (translated)", a_events, lambda up: translate_stream(chat_plan, up), b"data: [DONE]"),
        ("messages -> openai (translated)", o_events,
         (lambda up: translate_stream(msg_plan, up)) if msg_plan else None, b'{"type":"message_stop"}'),
        ("passthrough chat (openai)", o_events, lambda up: passthrough_stream(up, "chatComplete", "openai"),
         b"data: [DONE]"),
        ("passthrough messages (anthropic)", a_events,
         lambda up: passthrough_stream(up, "messages", "anthropic"), b'{"type":"message_stop"}'),
    ]
    splits = [("1 event/chunk", None), (f"{args.chunk // 1024} KiB chunks" if args.chunk % 1024 == 0
                                        else f"{args.chunk} B chunks", args.chunk)]
    rows: list[dict[str, Any]] = []
    jobs: list[tuple[Runner, list[bytes]]] = []
    checks: list[tuple[dict[str, Any], bytes]] = []
    for name, events, make, end in cases:
        for split_name, size in splits:
            chunks = split(events, size)
            row: dict[str, Any] = {"case": name, "chunking": split_name, "events": len(events),
                                   "chunks": len(chunks), "bytes_in": sum(map(len, chunks))}
            rows.append(row)
            if make is None:
                row["skipped"] = msg_skip
                continue
            jobs.append((make, chunks))
            checks.append((row, end))
    for (row, end), (times, out) in zip(checks, measure(jobs, args.runs), strict=True):
        if not out.rstrip().replace(b" ", b"").endswith(end.replace(b" ", b"")) or b'"error"' in out[-400:]:
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
    for name, plan, events in (("chat -> anthropic", chat_plan, a_events), ("messages -> openai", msg_plan, o_events)):
        if plan is None:
            continue
        st = stages(plan, events, args.runs)
        breakdown.append({"case": name, "events": len(events),
                          **{f"{k}_us_per_event": st[k] / len(events) * 1e6 for k in ("decode", "map", "encode")},
                          "events_out": st["events_out"]})
    if breakdown:
        print("\nstages alone (1 event/chunk), µs per upstream event:\n")
        print(_format([("case", "decode", "map", "encode", "sum", "events out")] + [
            (b["case"], f"{b['decode_us_per_event']:.2f}", f"{b['map_us_per_event']:.2f}",
             f"{b['encode_us_per_event']:.2f}",
             f"{b['decode_us_per_event'] + b['map_us_per_event'] + b['encode_us_per_event']:.2f}",
             str(b["events_out"])) for b in breakdown]))
    if msg_skip:
        print(f"\nmessages -> openai skipped: gateway.formats.messages is not usable yet ({msg_skip})")
    if args.json:
        from bench import emit_json  # same folder: run as a script, benchmarks/ is on sys.path

        emit_json(args.json, {"deltas": args.deltas, "runs": args.runs, "python": sys.version.split()[0],
                              "cases": rows, "stages": breakdown})
    return 0


def _format(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    fmt = "  ".join(f"{{:<{w}}}" for w in widths)
    lines = [fmt.format(*rows[0]).rstrip(), "  ".join("-" * w for w in widths)]
    return "\n".join(lines + [fmt.format(*r).rstrip() for r in rows[1:]])


if __name__ == "__main__":
    sys.exit(main())
