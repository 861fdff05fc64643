"""The hook model (reference §6.1): full-form hooks, the shorthand that turns into them, and the
checks they hold; validated once per request so that a config that cannot work answers before any
upstream call.

Full form: ``{id, type: guardrail|mutator, deny, async, sequential, on_fail, on_success,
checks: [{id: "default.wordCount", parameters: {...}, is_enabled}]}``. Shorthand (the
``input_guardrails`` / ``output_guardrails`` / ``*_mutators`` keys and the default-guardrail
headers): the hook keys go onto the hook and every other key is a check whose parameters are its
value (``default.`` is prepended to an id without a dot). Shorthand ids are derived from the
content (``input_guardrail_k3x``), so they are stable across retries, requests and processes.
"""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..errors import GatewayError, ValidationError
from .catalog import BUILT_IN, known_vendor_check

HOOK_FIELDS = ("deny", "on_fail", "on_success", "async", "id", "type", "guardrail_version_id", "sequential")
SHORTHANDS = (("input_guardrails", "before_request_hooks", "input", "guardrail"),
              ("output_guardrails", "after_request_hooks", "output", "guardrail"),
              ("input_mutators", "before_request_hooks", "input", "mutator"),
              ("output_mutators", "after_request_hooks", "output", "mutator"))
HOOK_LISTS = ("before_request_hooks", "after_request_hooks")
HOOK_TYPES = ("guardrail", "mutator")


@dataclass(frozen=True)
class Check:
    id: str
    parameters: Mapping[str, Any]
    enabled: bool = True
    strict: bool = False
    """``fail_on_error`` written on the check itself rather than in its parameters."""

    @property
    def fail_on_error(self) -> bool:
        return self.strict or bool(self.parameters.get("failOnError") or self.parameters.get("fail_on_error"))


@dataclass(frozen=True)
class Hook:
    id: str
    type: str
    checks: tuple[Check, ...]
    deny: bool = False
    is_async: bool = False
    sequential: bool = False
    on_fail: Mapping[str, Any] | None = None
    on_success: Mapping[str, Any] | None = None


@dataclass(frozen=True)
class HookLists:
    """The hooks one leaf runs: its own (or inherited) ones, then the default-guardrail headers'."""

    before: tuple[Hook, ...] = ()
    after: tuple[Hook, ...] = ()
    defaults: tuple[tuple[Hook, ...], tuple[Hook, ...]] = field(default=((), ()))

    def __bool__(self) -> bool:
        return bool(self.before or self.after)


# --- shorthand -> full form ------------------------------------------------------------------
def _short_id(kind: str, item: Mapping[str, Any]) -> str:
    number = zlib.crc32(repr(item).encode())  # repr: deterministic for JSON values, and cheap
    chars = "0123456789abcdefghijklmnopqrstuvwxyz"
    return f"{kind}_guardrail_" + "".join(chars[(number >> (5 * i)) % 36] for i in range(3))


def from_shorthand(item: Mapping[str, Any], kind: str, hook_type: str) -> dict[str, Any]:
    """One shorthand object as a full-form hook (upstream ``convertHooksShorthand``)."""
    hook: dict[str, Any] = {"type": hook_type, "id": _short_id(kind, item)}
    checks = []
    for key, value in item.items():
        if key in HOOK_FIELDS:
            hook[key] = value
            continue
        params = value if isinstance(value, dict) else {}
        check_id = str(params.get("id") or key)
        checks.append({"id": check_id if "." in check_id else f"default.{check_id}", "parameters": dict(params),
                       "is_enabled": params.get("is_enabled")})
    hook["checks"] = checks
    return hook


def own_hooks(node: Mapping[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """A config node's hook lists in full form: its ``*_request_hooks`` followed by its converted
    shorthands. A list appears only when the node declares one (§4.1: a child that declares
    guardrails stops inheriting its parent's hooks)."""
    out: dict[str, list[dict[str, Any]]] = {}
    for name in HOOK_LISTS:
        if node.get(name) is not None:
            out[name] = list(node[name])
    for short, target, kind, hook_type in SHORTHANDS:
        items = node.get(short)
        if items:
            converted = [from_shorthand(item, kind, hook_type) for item in items if isinstance(item, dict)]
            out[target] = out.get(target, []) + converted
    return out


# --- parsing (after validation: never fails on a validated config) ---------------------------
def _get(raw: Mapping[str, Any], snake: str, camel: str) -> Any:
    return raw.get(snake) if snake in raw else raw.get(camel)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def parse_hook(raw: Mapping[str, Any]) -> Hook:
    checks = tuple(Check(str(c.get("id")), _mapping(c.get("parameters")),
                         c.get("is_enabled", c.get("isEnabled")) is not False,
                         bool(c.get("fail_on_error") or c.get("failOnError")))
                   for c in raw.get("checks") or () if isinstance(c, dict))
    on_fail, on_success = _get(raw, "on_fail", "onFail"), _get(raw, "on_success", "onSuccess")
    return Hook(str(raw.get("id") or "hook"), str(raw.get("type") or "guardrail"), checks, raw.get("deny") is True,
                raw.get("async") is True, raw.get("sequential") is True,
                on_fail if isinstance(on_fail, dict) else None,
                on_success if isinstance(on_success, dict) else None)


def parse_hooks(raw: Any) -> tuple[Hook, ...]:
    return tuple(parse_hook(item) for item in raw or () if isinstance(item, dict))


# --- validation --------------------------------------------------------------------------------
def _check_id_problem(check_id: Any, where: str) -> None:
    if not isinstance(check_id, str) or not check_id:
        raise ValidationError(f"{where}: a check needs an 'id' such as 'default.regexMatch'")
    source, _, name = check_id.partition(".")
    if source == "default":
        if name not in BUILT_IN:
            raise ValidationError(f"{where}: unknown guardrail check '{check_id}'; the built-in checks are "
                                  + ", ".join(f"default.{n}" for n in sorted(BUILT_IN)))
        return
    if known_vendor_check(check_id):
        raise GatewayError(f"{where}: the guardrail check '{check_id}' calls a vendor's service and is not "
                           "implemented by this gateway; use the built-in default.* checks, or default.webhook "
                           "to call your own service", 501, exception=False)
    raise ValidationError(f"{where}: unknown guardrail check '{check_id}'")


def _check_hook(raw: Any, where: str) -> None:
    if not isinstance(raw, dict):
        raise ValidationError(f"{where}: a hook must be an object")
    kind = raw.get("type", "guardrail")
    if kind not in HOOK_TYPES:
        raise ValidationError(f"{where}: 'type' must be 'guardrail' or 'mutator'")
    checks = raw.get("checks")
    if not isinstance(checks, list):
        raise ValidationError(f"{where}: 'checks' must be a list")
    for index, check in enumerate(checks):
        if not isinstance(check, dict):
            raise ValidationError(f"{where}.checks[{index}]: a check must be an object")
        params = check.get("parameters", {})
        if params is not None and not isinstance(params, dict):
            raise ValidationError(f"{where}.checks[{index}]: 'parameters' must be an object")
        _check_id_problem(check.get("id"), f"{where}.checks[{index}]")


def _check_shorthand(item: Any, where: str) -> None:
    if isinstance(item, str):
        raise GatewayError(f"{where}: '{item}' names a guardrail saved in Portkey's hosted app; this gateway has "
                           "no guardrail store, so write its checks inline", 501, exception=False)
    if not isinstance(item, dict):
        raise ValidationError(f"{where}: a guardrail must be an object of checks")
    if item.get("type", "guardrail") not in HOOK_TYPES:
        raise ValidationError(f"{where}: 'type' must be 'guardrail' or 'mutator'")
    for key, value in item.items():
        if key in HOOK_FIELDS:
            continue
        if not isinstance(value, dict):
            raise ValidationError(f"{where}.{key}: a check's value must be an object of parameters")
        check_id = str(value.get("id") or key)
        _check_id_problem(check_id if "." in check_id else f"default.{check_id}", f"{where}.{key}")


def _nodes(node: Any, where: str) -> Iterator[tuple[Mapping[str, Any], str]]:
    stack = [(node, where)]
    while stack:
        current, path = stack.pop()
        if isinstance(current, dict):
            yield current, path
            for index, child in enumerate(current.get("targets") or ()):
                stack.append((child, f"{path}.targets[{index}]" if path else f"targets[{index}]"))


def check_config_hooks(root: Any) -> None:
    """Raise a 400 (or a 501 for what this gateway does not build) for the first bad hook."""
    for node, path in _nodes(root, ""):
        prefix = f"{path}." if path else ""
        for name in HOOK_LISTS:
            for index, raw in enumerate(node.get(name) or ()):
                _check_hook(raw, f"{prefix}{name}[{index}]")
        for short, *_ in SHORTHANDS:
            items = node.get(short)
            if items is None:
                continue
            if not isinstance(items, list):
                raise ValidationError(f"{prefix}{short}: must be a list")
            for index, item in enumerate(items):
                _check_shorthand(item, f"{prefix}{short}[{index}]")


def default_guardrails(raw: str | None, header: str, kind: str) -> tuple[dict[str, Any], ...]:
    """An ``x-portkey-default-*-guardrails`` header (a JSON list of shorthand objects) as full-form
    hooks. Upstream answers a bad value with a bare 500; this says what is wrong (400)."""
    if raw is None or not raw.strip():
        return ()
    try:
        items = json.loads(raw)
    except ValueError:
        raise ValidationError(f"{header} must be a JSON list of guardrails") from None
    if not isinstance(items, list):
        raise ValidationError(f"{header} must be a JSON list of guardrails")
    hooks = []
    for index, item in enumerate(items):
        _check_shorthand(item, f"{header}[{index}]")
        hooks.append(from_shorthand(item, kind, "guardrail"))
    return tuple(hooks)
