"""Running hooks (reference §6.1): hooks run side by side; a guardrail's checks run side by side
unless ``sequential``; a mutator's checks run in order, each seeing the previous one's rewrite.

A hook's verdict is true when every check passed or errored without ``failOnError`` (an erroring
check is lenient: §16.10). Results keep upstream's shape (``hook_results`` entries) so clients that
read them keep working; ``created_at`` comes from the injected clock.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from ..clock import Clock
from ..ports import HttpTransport, KeyValueStore
from .context import AFTER, BEFORE, HookContext
from .model import Check, Hook

HOOK_FNS = frozenset({"chatComplete", "complete", "embed", "messages"})
log = logging.getLogger("gateway.guardrails")


@dataclass
class CheckResult:
    """What a check answers: its verdict, its explanation data, an error message when it could not
    decide, and a rewritten request or response when it transforms."""

    verdict: bool
    data: Any = None
    error: str | None = None
    request_json: Any = None
    response_json: Any = None
    transformed: bool = False


@dataclass(frozen=True)
class CheckEnv:
    """The ports a check may use: the HTTP transport (webhook, log, validUrls, a JWKS), the
    key-value store (the JWKS cache), the clock, and the hosts the SSRF guard trusts."""

    transport: HttpTransport
    store: KeyValueStore
    clock: Clock
    trusted_hosts: tuple[str, ...] = ()


CheckFn = Callable[[HookContext, Mapping[str, Any], str, CheckEnv], Awaitable[CheckResult]]


@dataclass
class HooksRun:
    results: list[dict[str, Any]] = field(default_factory=list)
    deny: bool = False

    @property
    def failed(self) -> bool:
        return any(not r["verdict"] for r in self.results)


def iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def skipped(hook: Hook, ctx: HookContext, event: str) -> bool:
    """Upstream's ``shouldSkipHook``, plus async hooks (never run in the open-source gateway)."""
    return (ctx.request_type not in HOOK_FNS or hook.is_async
            or (ctx.request_type == "embed" and (event != BEFORE or hook.type == "mutator"))
            or (event == AFTER and ctx.response_status != 200))


async def run_hooks(hooks: tuple[Hook, ...], ctx: HookContext, event: str, env: CheckEnv) -> HooksRun:
    runnable = [hook for hook in hooks if not skipped(hook, ctx, event)]
    if not runnable:
        return HooksRun()
    created = iso(env.clock.time())
    if len(runnable) == 1:  # the common case: no task to schedule
        results = [await _run_hook(runnable[0], ctx, event, env, created)]
    else:
        results = list(await asyncio.gather(*(_run_hook(hook, ctx, event, env, created) for hook in runnable)))
    return HooksRun(results, any(r["deny"] for r in results))


async def _side_by_side(checks: list[Check], ctx: HookContext, event: str, env: CheckEnv,
                        created: str) -> list[tuple[dict[str, Any], CheckResult]]:
    """Run checks in parallel, as upstream does. Only the checks that wait on the network become
    tasks; the others finish without yielding, so awaiting them in turn is the same and far cheaper."""
    from .checks import waits

    slow = {i: asyncio.ensure_future(_run_check(c, ctx, event, env, created))
            for i, c in enumerate(checks) if waits(c.id)}
    pairs = [None if i in slow else await _run_check(c, ctx, event, env, created) for i, c in enumerate(checks)]
    for i, task in slow.items():
        pairs[i] = await task
    return [p for p in pairs if p is not None]


async def _run_hook(hook: Hook, ctx: HookContext, event: str, env: CheckEnv, created: str) -> dict[str, Any]:
    started = env.clock.monotonic()
    checks = [c for c in hook.checks if c.enabled]
    results: list[dict[str, Any]] = []
    if hook.type == "mutator" or hook.sequential:
        for check in checks:
            result, outcome = await _run_check(check, ctx, event, env, created)
            ctx.apply(outcome.request_json, outcome.response_json)
            results.append(result)
    else:
        for result, outcome in await _side_by_side(checks, ctx, event, env, created):
            ctx.apply(outcome.request_json, outcome.response_json)
            results.append(result)
    verdict = all(r["verdict"] or ("error" in r and not r["fail_on_error"]) for r in results)
    return {
        "verdict": verdict, "id": hook.id, "transformed": any(r["transformed"] for r in results),
        "checks": results, "feedback": _feedback(results, hook),
        "execution_time": round((env.clock.monotonic() - started) * 1000), "async": hook.is_async,
        "type": hook.type, "created_at": created, "deny": hook.deny and not verdict,
    }


async def _run_check(check: Check, ctx: HookContext, event: str, env: CheckEnv,
                     created: str) -> tuple[dict[str, Any], CheckResult]:
    from .checks import find

    started = env.clock.monotonic()
    run = find(check.id)
    try:
        if run is None:
            raise LookupError(f"unknown check {check.id}")
        outcome = await run(ctx, check.parameters, event, env)
        error = {"name": "Error", "message": outcome.error} if outcome.error is not None else None
    except Exception as exc:  # noqa: BLE001 - a broken check is an errored check, never a failed request
        log.warning("guardrail check %s raised %s: %s", check.id, type(exc).__name__, exc)
        outcome = CheckResult(False)
        error = {"name": "Check error", "message": f"Error executing check: {type(exc).__name__}"}
    result: dict[str, Any] = {
        "verdict": outcome.verdict, "data": outcome.data, "id": check.id,
        "execution_time": round((env.clock.monotonic() - started) * 1000), "transformed": outcome.transformed,
        "created_at": created, "log": None, "fail_on_error": check.fail_on_error,
    }
    if error is not None:
        result["error"] = error
    return result, outcome


def _check_ids(results: list[dict[str, Any]], passed: bool, errored: bool = False) -> str:
    if passed:
        return ", ".join(r["id"] for r in results if r["verdict"] is True)
    return ", ".join(r["id"] for r in results if r["verdict"] is False and ("error" in r) == errored)


def _feedback(results: list[dict[str, Any]], hook: Hook) -> dict[str, Any] | None:
    """``on_success``/``on_fail`` feedback with the check ids that passed, failed and errored."""
    verdict = all(r["verdict"] or "error" in r for r in results)
    chosen = hook.on_success if verdict else hook.on_fail
    config = chosen.get("feedback") if chosen else None
    if not isinstance(config, dict):
        return None
    metadata: Any = config.get("metadata") if isinstance(config.get("metadata"), dict) else {}
    return {"value": config.get("value"), "weight": config.get("weight"),
            "metadata": {**metadata, "successfulChecks": _check_ids(results, True),
                         "failedChecks": _check_ids(results, False), "erroredChecks": _check_ids(results, False, True)}}
