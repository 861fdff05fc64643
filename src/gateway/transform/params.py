"""The parameter-mapping engine (reference §7.1).

A provider declares, per endpoint, which client parameters it accepts and how each maps
upstream. Only declared keys are sent (a whitelist, as upstream Portkey does); a missing key
gets its default only when marked ``required``; numbers are clamped to ``min``/``max``;
``"portkey-default"`` selects the declared default; ``param`` may be a dotted path.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Options = Mapping[str, Any]
Transform = Callable[[Mapping[str, Any], Options], Any]


@dataclass(frozen=True)
class Param:
    param: str
    default: Any = None
    min: float | None = None
    max: float | None = None
    required: bool = False
    transform: Transform | None = None


ParamSpec = Param | tuple[Param, ...]
ParamMap = Mapping[str, ParamSpec]


def _clamp(value: Any, rule: Param) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    if rule.min is not None and value < rule.min:
        return rule.min
    if rule.max is not None and value > rule.max:
        return rule.max
    return value


def _put(target: dict[str, Any], path: str, value: Any) -> None:
    *parents, leaf = path.split(".")
    for part in parents:
        target = target.setdefault(part, {})
    target[leaf] = value


def map_params(spec: ParamMap, params: Mapping[str, Any], options: Options) -> dict[str, Any]:
    """Build the provider body from the client's params according to ``spec``."""
    out: dict[str, Any] = {}
    for key, rules in spec.items():
        for rule in rules if isinstance(rules, tuple) else (rules,):
            if key in params:
                value = rule.transform(params, options) if rule.transform else params[key]
                if value == "portkey-default":
                    value = rule.default
                _put(out, rule.param, _clamp(value, rule))
            elif rule.required and rule.default is not None:
                _put(out, rule.param, rule.default)
    return out
