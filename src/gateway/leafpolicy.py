"""What a config asks for around one leaf besides the upstream call: guardrail hooks and the
response cache, in upstream's order (reference §4.6): input hooks on the client's body (a ``deny``
answers 446 without calling upstream; a mutator rewrites the body), then the cache lookup on the
provider-format request, then the upstream call with retries, each attempt's answer stored when it
is a success and judged by the output hooks (so a retry listing 446 repeats a denied answer).

A hit is judged by the output hooks too, so a cached answer never slips past a guardrail that its
first delivery met. With neither hooks nor cache configured, every step returns at once.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Any

from .cache.assemble import Assembler, assembler_for
from .cache.key import cache_key
from .cache.policy import CachePolicy, ResponseCache, policy_for
from .cache.replay import replay
from .clock import Clock
from .guardrails.context import AFTER, BEFORE, HookContext
from .guardrails.model import Hook, parse_hooks
from .guardrails.runner import HOOK_FNS, CheckEnv, HooksRun, run_hooks
from .guardrails.verdicts import denied_body, stream_denied, stream_first, stream_verdict, with_results
from .http import Headers
from .ports import HttpTransport, KeyValueStore
from .routing.context import Call, Outcome
from .streamtap import Ending, tap
from .upstream import Prepared, resolve_provider

MAX_JUDGED_BODY = 32 << 20
"""An answer read whole for output hooks or the cache; a larger one streams on unjudged, uncached."""


def _hooks(settings: dict[str, Any], call: Call, name: str, default_attr: str) -> tuple[Hook, ...]:
    return parse_hooks(settings.get(name)) + parse_hooks(getattr(call.overrides, default_attr, ()))


def _is_stream(outcome: Outcome) -> bool:
    return "event-stream" in (outcome.headers.get("content-type") or "")


def _json_object(raw: bytes) -> dict[str, Any] | None:
    try:
        value = json.loads(raw)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


async def _collect(body: AsyncIterator[bytes], limit: int) -> tuple[bytes | None, AsyncIterator[bytes]]:
    """Read a streamed body whole when it fits in ``limit``; else hand back a stream of all of it."""
    chunks: list[bytes] = []
    size = 0
    async for chunk in body:
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None, _chain(chunks, body)
    return b"".join(chunks), body


async def _chain(head: list[bytes], rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    for chunk in head:
        yield chunk
    async for chunk in rest:
        yield chunk


class LeafPolicy:
    """Hooks and cache for one leaf of one request. ``call`` is the request as it goes upstream
    (rewritten by an input mutator, if any); ``status`` is the leaf's ``x-portkey-cache-status``."""

    def __init__(self, call: Call, target: dict[str, Any], settings: dict[str, Any], transport: HttpTransport,
                 store: KeyValueStore, clock: Clock, trusted_hosts: tuple[str, ...], max_entry_bytes: int) -> None:
        self.call = call
        self.target = target
        self.slug = str(target.get("provider") or "")
        self.status: str | None = "DISABLED"
        self.key: str | None = None
        self.before_results: list[dict[str, Any]] = []
        self.ctx: HookContext | None = None
        self.policy: CachePolicy | None = None
        self.cache: ResponseCache | None = None
        self.before: tuple[Hook, ...] = ()
        self.after: tuple[Hook, ...] = ()
        self.streaming = False
        self.strict = True
        overrides = call.overrides
        if not (settings.get("cache") or settings.get("before_request_hooks") or settings.get("after_request_hooks")
                or getattr(overrides, "default_before_hooks", ()) or getattr(overrides, "default_after_hooks", ())):
            return  # the common case: nothing around this leaf, and every step below returns at once
        self.streaming = call.params.get("stream") is True
        self.before = _hooks(settings, call, "before_request_hooks", "default_before_hooks")
        self.after = _hooks(settings, call, "after_request_hooks", "default_after_hooks")
        self.hooked = call.fn in HOOK_FNS and bool(self.before or self.after)
        self.policy = policy_for(settings.get("cache"), call.fn, call.body_kind, self.streaming, call.headers)
        self.cache = ResponseCache(store, clock, max_entry_bytes) if self.policy is not None else None
        self.env = CheckEnv(transport, store, clock, trusted_hosts)
        self.strict = not (call.overrides.strict_open_ai_compliance is False
                           or settings.get("strict_open_ai_compliance") is False)
        if self.hooked:
            body = {**call.params, **(settings.get("override_params") or {})}
            self.ctx = HookContext(call.fn, self.slug, body, call.headers, call.metadata, self.streaming)

    # --- before the upstream call -------------------------------------------------------------
    async def before_hooks(self) -> Outcome | None:
        """Run the input hooks: a 446 outcome when one with ``deny`` failed, else None."""
        if self.ctx is None or not self.before:
            return None
        resolve_provider(self.target)  # as upstream: an unknown provider fails before any check runs
        run = await run_hooks(self.before, self.ctx, BEFORE, self.env)
        self._report(run)
        self.before_results = run.results
        if run.deny:
            headers = Headers({"content-type": "application/json"})
            return Outcome(446, headers, denied_body(self.call.fn, run.results, []), self.slug, cache_status=None)
        if self.ctx.request_transformed and isinstance(self.ctx.request_json, dict):
            self.call = replace(self.call, params=self.ctx.request_json)
        return None

    async def lookup(self, prepared: Prepared) -> Outcome | None:
        """The cached answer for this provider request (judged by the output hooks), or None."""
        if self.policy is None or self.cache is None or prepared.plan.estimate:
            return None
        if not self.policy.active:
            self.status = "MISS"
            return None
        self.key = cache_key(prepared, self.call)
        if self.key is None:
            return None
        if self.policy.refresh:
            self.status = "REFRESH"
            return None
        entry = await self.cache.get(self.key)
        self.status = "HIT" if entry is not None else "MISS"
        if entry is None:
            return None
        outcome = Outcome(200, Headers({"content-type": entry.content_type}), entry.body, self.slug)
        if self.streaming:
            answer = _json_object(entry.body)
            if answer is None:  # only JSON objects are stored; anything else is not ours to replay
                self.status = "MISS"
                return None
            outcome.headers = Headers({"content-type": "text/event-stream", "cache-control": "no-cache"})
            outcome.body = replay(self.call.fn, answer, self.call.params)
        return await self.finish(outcome, stored=True)

    def _report(self, run: HooksRun) -> None:
        """Each check's verdict to the request's trace (metrics, live log): pass, fail, deny or error."""
        trace = getattr(self.call, "trace", None)
        if trace is None:
            return
        for hook in run.results:
            for check in hook.get("checks") or ():
                verdict = ("error" if "error" in check else "pass" if check["verdict"] else
                           "deny" if hook.get("deny") else "fail")
                trace.guardrail(check["id"], verdict)

    # --- after each attempt ---------------------------------------------------------------------
    def _storing(self, outcome: Outcome, stored: bool) -> bool:
        return (not stored and self.key is not None and self.status in ("MISS", "REFRESH")
                and outcome.status == 200 and self.policy is not None)

    async def finish(self, outcome: Outcome, stored: bool = False) -> Outcome:
        """Store a fresh success and apply the output hooks to one attempt's answer."""
        outcome.cache_status = self.status
        trace = getattr(self.call, "trace", None)
        if trace is not None and self.policy is not None:
            trace.cache(self.status)
        storing = self._storing(outcome, stored)
        if not storing and self.ctx is None:
            return outcome
        if _is_stream(outcome):
            return self._finish_stream(outcome, storing)
        body = outcome.body
        if not isinstance(body, bytes):
            if "json" not in (outcome.headers.get("content-type") or ""):
                return outcome
            collected, outcome.body = await _collect(body, MAX_JUDGED_BODY)
            if collected is None:
                return outcome
            body = outcome.body = collected
            outcome.closer = None
        answer = _json_object(body)
        if storing and answer is not None and "error" not in answer:
            await self._keep_raw(body, outcome.headers.get("content-type") or "application/json")
        if self.ctx is not None and answer is not None:
            await self._judge(outcome, answer)
        return outcome

    async def _keep_raw(self, body: bytes, content_type: str) -> None:
        assert self.cache is not None and self.key is not None and self.policy is not None
        await self.cache.put(self.key, body, content_type, self.policy.max_age)

    async def _keep(self, answer: dict[str, Any]) -> None:
        await self._keep_raw(json.dumps(answer, separators=(",", ":"), ensure_ascii=False).encode(),
                             "application/json")

    async def _judge(self, outcome: Outcome, answer: dict[str, Any]) -> None:
        assert self.ctx is not None
        after: list[dict[str, Any]] = []
        deny = False
        if self.after and outcome.status == 200:
            self.ctx.response_json, self.ctx.response_status = answer, outcome.status
            run = await run_hooks(self.after, self.ctx, AFTER, self.env)
            self._report(run)
            after, deny = run.results, run.deny
            if self.ctx.response_transformed and isinstance(self.ctx.response_json, dict):
                answer = self.ctx.response_json
        if deny:
            outcome.status, outcome.body = 446, denied_body(self.call.fn, self.before_results, after)
            outcome.headers["content-type"] = "application/json"
            return
        if not self.before_results and not after:
            return
        failed = any(not r["verdict"] for r in (*self.before_results, *after))
        if failed and outcome.status == 200:
            outcome.status = 246
        outcome.body = with_results(answer, self.before_results, after)

    def _finish_stream(self, outcome: Outcome, storing: bool) -> Outcome:
        assembler = assembler_for(self.call.fn)
        if assembler is None or not isinstance(outcome.body, AsyncIterator):
            return outcome
        first = b""
        if self.ctx is not None and self.before_results and not self.strict:
            first = stream_first(self.call.fn, self.before_results)
        ending = self._stream_ending if self.ctx is not None and outcome.status == 200 else None
        if self.ctx is not None and outcome.status == 200 and any(not r["verdict"] for r in self.before_results):
            outcome.status = 246
        outcome.body = tap(outcome.body, assembler, self._keep if storing else None, ending, first)
        return outcome

    async def _stream_ending(self, assembler: Assembler) -> Ending:
        assert self.ctx is not None
        after: list[dict[str, Any]] = []
        deny = False
        if self.after and assembler.complete:
            self.ctx.response_json, self.ctx.response_status = assembler.result(), 200
            run = await run_hooks(self.after, self.ctx, AFTER, self.env)
            self._report(run)
            after, deny = run.results, run.deny
        if deny:
            return Ending(replacement=stream_denied(self.call.fn, self.before_results, after))
        if not self.before_results and not after:
            return Ending()
        return Ending(stream_verdict(self.call.fn, self.before_results, after, getattr(assembler, "top", {})))
