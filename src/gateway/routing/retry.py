"""Retries at a leaf (reference §4.2): ``attempts`` extra tries on listed statuses (default
429/500/502/503/504, and 529) and on network errors, exponential back-off 1 s, 2 s, 4 s... through the
injected sleep, and optionally the provider's Retry-After within a 60 s budget."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..clock import Clock
from ..http import Headers
from ..ports import TransportError
from .context import Outcome

DEFAULT_STATUSES = (429, 500, 502, 503, 504, 529)
"""Upstream's list plus 529, Anthropic's "overloaded", which its own SDKs retry."""
RETRY_AFTER_BUDGET_MS = 60_000


def retry_after_ms(headers: Headers) -> float | None:
    """The first of retry-after-ms, x-ms-retry-after-ms, retry-after (seconds) that parses."""
    for name, scale in (("retry-after-ms", 1), ("x-ms-retry-after-ms", 1), ("retry-after", 1000)):
        raw = headers.get(name)
        if raw is None:
            continue
        try:
            return float(raw) * scale
        except ValueError:
            continue
    return None


def _is_success(status: int) -> bool:
    return 200 <= status <= 204


async def with_retry(send: Callable[[], Awaitable[Outcome]], retry: dict[str, Any] | None,
                     clock: Clock, on_network_error: Callable[[TransportError], Outcome]) -> Outcome:
    """Call ``send`` until it succeeds, fails for good, or the attempts run out."""
    attempts = int((retry or {}).get("attempts") or 0)
    statuses = (retry or {}).get("on_status_codes") or DEFAULT_STATUSES
    honour_retry_after = bool((retry or {}).get("use_retry_after_header"))
    budget: float = RETRY_AFTER_BUDGET_MS
    for attempt in range(attempts + 1):
        try:
            outcome = await send()
        except TransportError as error:
            outcome = on_network_error(error)
            retriable = True
        else:
            retriable = not _is_success(outcome.status) and outcome.status in statuses
        if not retriable or attempts == 0:
            outcome.retry_count = attempt
            return outcome
        if attempt == attempts:
            outcome.retry_count = -1
            return outcome
        wait_ms: float = 1000.0 * (2**attempt)
        if honour_retry_after and outcome.status == 429:
            hinted = retry_after_ms(outcome.headers)
            if hinted is not None:
                if hinted >= RETRY_AFTER_BUDGET_MS or hinted > budget:
                    outcome.retry_count = -1
                    return outcome
                budget -= hinted
                wait_ms = hinted
        await outcome.discard()
        await clock.sleep(wait_ms / 1000)
    raise AssertionError("unreachable")  # pragma: no cover
