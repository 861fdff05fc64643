"""The target walk (reference §4.1): each level inherits settings from its parent, then its
strategy picks which child (or children, for fallback) to try. A leaf goes upstream."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from ..clock import Clock
from ..errors import GatewayError, RouterError
from ..guardrails.model import own_hooks
from . import conditional
from .context import Call, Outcome

Leaf = Callable[[dict[str, Any], dict[str, Any], str], Awaitable[Outcome]]

_REPLACED = ("retry", "cache", "request_timeout", "custom_host", "forward_headers",
             "strict_open_ai_compliance", "before_request_hooks", "after_request_hooks")


def inherit(parent: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    """Child settings win; ``override_params`` merge shallowly parent-then-child."""
    merged = dict(parent)
    for key in _REPLACED:
        if node.get(key) is not None:
            merged[key] = node[key]
    if node.get("override_params"):
        merged["override_params"] = {**(parent.get("override_params") or {}),
                                     **node["override_params"]}
    merged.update(own_hooks(node))  # a node's guardrail shorthands join its own hooks (§4.1)
    return merged


def pick_weighted(targets: list[dict[str, Any]], draw: float) -> int:
    """One draw over the weights (missing = 1); a weight-0 target is never chosen."""
    weights = [float(t.get("weight", 1) if t.get("weight") is not None else 1) for t in targets]
    total = sum(w for w in weights if w > 0)
    if total <= 0:
        raise RouterError("Load balancing needs at least one target with a weight above 0")
    point = draw * total
    for index, weight in enumerate(weights):
        if weight <= 0:
            continue
        if point < weight:
            return index
        point -= weight
    return max(i for i, w in enumerate(weights) if w > 0)


def _should_stop(outcome: Outcome, codes: list[int] | None) -> bool:
    if outcome.exception:
        return True
    if codes is not None:
        return outcome.status not in codes
    return 200 <= outcome.status < 300


class Router:
    """Walks a config tree for one call. ``leaf`` performs the upstream request."""

    def __init__(self, call: Call, leaf: Leaf, clock: Clock) -> None:
        self.call = call
        self.leaf = leaf
        self.clock = clock

    async def walk(self, node: dict[str, Any], inherited: dict[str, Any], path: str) -> Outcome:
        settings = inherit(inherited, node)
        mode = (node.get("strategy") or {}).get("mode")
        targets = node.get("targets") or []
        if not mode:
            if targets:
                raise GatewayError("A config with 'targets' needs a 'strategy' with a 'mode'",
                                   400, exception=False)
            return await self.leaf(node, settings, path)
        if not targets:
            raise GatewayError(f"Strategy '{mode}' needs a non-empty 'targets' list", 400,
                               exception=False)
        if mode == "fallback":
            return await self._fallback(node, targets, settings, path)
        if mode == "loadbalance":
            index = pick_weighted(targets, self.clock.random())
        elif mode == "conditional":
            index = conditional.choose(node["strategy"], targets, self._context())
        else:
            index = 0
        return await self.walk(targets[index], settings, f"{path}.targets[{index}]")

    async def _fallback(self, node: dict[str, Any], targets: list[dict[str, Any]],
                        settings: dict[str, Any], path: str) -> Outcome:
        codes = node["strategy"].get("on_status_codes")
        outcome: Outcome | None = None
        for index, target in enumerate(targets):
            if outcome is not None:
                await outcome.discard()
            try:
                outcome = await self.walk(target, settings, f"{path}.targets[{index}]")
            except GatewayError as error:
                if error.exception or isinstance(error, RouterError):
                    raise
                answer = error.to_response()
                outcome = Outcome(error.status, answer.headers, answer.body,
                                  target.get("provider"), f"{path}.targets[{index}]")
            if _should_stop(outcome, codes):
                return outcome
        assert outcome is not None
        return outcome

    def _context(self) -> dict[str, Any]:
        call = self.call
        return {"metadata": call.metadata, "params": call.params, "url": {"pathname": call.path}}
