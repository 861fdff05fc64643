"""Validation of an `x-portkey-config` object, reproducing upstream's zod errors.

Upstream (src/middlewares/requestValidator/schema/config.ts, zod 3.25) answers a bad
config with `errors: ["path: <segments joined by ','>, message: <msg>", ...]`, and
clients match on those strings, so this module mimics the zod semantics that shape them:

* issues come out in schema declaration order, depth first;
* a wrong type (or a missing required key, "Required") *aborts* its parent, and an
  object whose field aborted never runs its own `.refine` checks;
* a failed `.refine` only makes the result *dirty*: later refinements still run;
* unknown keys pass (zod's default "strip" objects).

A tiny combinator set (typed, array, object, union, refine, optional) models that.
"""

import math
from collections.abc import Callable
from dataclasses import dataclass
from enum import IntEnum

from gateway.customhost import is_valid_custom_host
from gateway.providers import get_provider
from gateway.providers.base import ConfigRule
from gateway.providers.catalog import VALID_PROVIDERS, VALID_PROVIDERS_ORDERED
from gateway.transform.json_values import js_truthy

Path = tuple[str | int, ...]

MODES = ("single", "loadbalance", "fallback", "conditional")
CACHE_MODES = ("simple", "semantic")
FORWARD_HEADERS_KEY = "x-portkey-forward-headers"

MSG_MODE = "Invalid 'mode' value. Must be one of: " + ", ".join(MODES)
MSG_PROVIDER = "Invalid 'provider' value. Must be one of: " + ", ".join(VALID_PROVIDERS_ORDERED)
MSG_CACHE_MODE = "Invalid 'cache.mode' value. Must be one of: " + ", ".join(CACHE_MODES)
MSG_FORWARD = f"forward_headers must not contain the '{FORWARD_HEADERS_KEY}' header"
MSG_SHAPE = (
    "Invalid configuration. It must have either 'provider' and 'api_key', or 'strategy' and"
    " 'targets', or 'cache', or 'retry', or 'request_timeout'"
)
MSG_CUSTOM_HOST = "Invalid custom host"
MSG_TOO_DEEP = "Config is nested too deeply"  # port-only: upstream has no such message


def validate_config(config: object, trusted_hosts: tuple[str, ...]) -> list[str]:
    """Upstream's zod error strings for `config` (parsed JSON); `[]` means valid.

    `trusted_hosts` feeds the `custom_host` SSRF check (see gateway.customhost).
    Never raises: a non-object config yields "Expected object, received ...", and
    nesting deep enough to exhaust the Python stack yields MSG_TOO_DEEP.
    """
    ctx = _Ctx(issues=[], trusted_hosts=trusted_hosts)
    try:
        _config(config, (), ctx)
    except RecursionError:  # absurdly deep `targets`; zod would overflow its stack too
        ctx.issues.append(((), MSG_TOO_DEEP))
    return [f"path: {','.join(map(str, path))}, message: {msg}" for path, msg in ctx.issues]


class _St(IntEnum):
    """zod parse status; the worst status of the children wins."""

    VALID = 0
    DIRTY = 1
    ABORTED = 2


@dataclass
class _Ctx:
    issues: list[tuple[Path, str]]
    trusted_hosts: tuple[str, ...]


Validator = Callable[[object, Path, _Ctx], _St]
_MISSING = object()  # an absent key: zod sees `undefined`


def _type_name(value: object) -> str:
    """zod's getParsedType for JSON values (bool before int: bool is an int here)."""
    if value is _MISSING:
        return "undefined"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "nan" if isinstance(value, float) and math.isnan(value) else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list | tuple):
        return "array"
    return "object" if isinstance(value, dict) else "unknown"


def _js_truthy(value: object) -> bool:
    """JavaScript truthiness; an absent key is ``undefined``."""
    return value is not _MISSING and js_truthy(value)


# --- combinators -----------------------------------------------------------------------


def _typed(expected: str) -> Validator:
    """z.string() / z.number() / z.boolean(): a mismatch is an aborting issue."""

    def check(value: object, path: Path, ctx: _Ctx) -> _St:
        got = _type_name(value)
        if got == expected:
            return _St.VALID
        msg = "Required" if got == "undefined" else f"Expected {expected}, received {got}"
        ctx.issues.append((path, msg))
        return _St.ABORTED

    return check


def _optional(inner: Validator) -> Validator:
    """.optional(): an absent key is fine; a present one (even null) must parse."""

    def check(value: object, path: Path, ctx: _Ctx) -> _St:
        return _St.VALID if value is _MISSING else inner(value, path, ctx)

    return check


def _refine(inner: Validator, ok: Callable[[object, _Ctx], bool],
            message: str | Callable[[object], str]) -> Validator:
    """.refine(): runs only when `inner` did not abort; a failure leaves the value dirty."""

    def check(value: object, path: Path, ctx: _Ctx) -> _St:
        status = inner(value, path, ctx)
        if status is _St.ABORTED:
            return status
        if not ok(value, ctx):
            ctx.issues.append((path, message if isinstance(message, str) else message(value)))
            return _St.DIRTY
        return status

    return check


_array_type = _typed("array")
_object_type = _typed("object")


def _array(item: Validator) -> Validator:
    """z.array(item): every element is checked (all issues reported) before merging."""

    def check(value: object, path: Path, ctx: _Ctx) -> _St:
        if _array_type(value, path, ctx) is _St.ABORTED or not isinstance(value, list | tuple):
            return _St.ABORTED
        statuses = [item(v, (*path, i), ctx) for i, v in enumerate(value)]
        return max(statuses, default=_St.VALID)

    return check


def _object(shape: dict[str, Validator], catchall: Validator | None = None) -> Validator:
    """z.object(shape) (strip mode), optionally .catchall(): fields in declaration order."""

    def check(value: object, path: Path, ctx: _Ctx) -> _St:
        if _object_type(value, path, ctx) is _St.ABORTED or not isinstance(value, dict):
            return _St.ABORTED
        statuses = [v(value.get(k, _MISSING), (*path, k), ctx) for k, v in shape.items()]
        if catchall is not None:
            extra = [k for k in _js_key_order(value) if k not in shape]
            statuses += [catchall(value[k], (*path, k), ctx) for k in extra]
        return max(statuses, default=_St.VALID)

    return check


def _js_key_order(obj: dict) -> list:
    """Object.keys order: array-index keys ascending first, then insertion order."""

    def is_index(key: object) -> bool:
        return (
            isinstance(key, str) and key.isascii() and key.isdigit()
            and (key == "0" or not key.startswith("0")) and int(key) < 2**32 - 1
        )  # fmt: skip

    return sorted((k for k in obj if is_index(k)), key=int) + [k for k in obj if not is_index(k)]


def _union(*options: Validator) -> Validator:
    """z.union: first clean match wins, else the first dirty one's issues, else 'Invalid input'."""

    def check(value: object, path: Path, ctx: _Ctx) -> _St:
        dirty: list[tuple[Path, str]] | None = None
        for option in options:
            scratch = _Ctx(issues=[], trusted_hosts=ctx.trusted_hosts)
            status = option(value, path, scratch)
            if status is _St.VALID:
                return status
            if status is _St.DIRTY and dirty is None:
                dirty = scratch.issues
        if dirty is not None:
            ctx.issues.extend(dirty)
            return _St.DIRTY
        ctx.issues.append((path, "Invalid input"))
        return _St.ABORTED

    return check


# --- the schema ------------------------------------------------------------------------


def _one_of(choices: tuple[str, ...]) -> Callable[[object, _Ctx], bool]:
    return lambda value, _ctx: value in choices


_STRING = _typed("string")
_NUMBER = _typed("number")
_BOOLEAN = _typed("boolean")
_OPT_STRING = _optional(_STRING)
_OPT_NUMBER = _optional(_NUMBER)
_OPT_NUMBERS = _optional(_array(_NUMBER))
_ANY_OBJECT = _object({})  # z.object({}) and z.object({}).catchall(z.any()) only type-check
_OPT_HOOKS = _optional(_array(_ANY_OBJECT))
_OPT_GUARDRAILS = _optional(_union(_array(_STRING), _array(_ANY_OBJECT)))

_STRATEGY = _object(
    {
        "mode": _refine(_STRING, _one_of(MODES), MSG_MODE),
        "on_status_codes": _OPT_NUMBERS,
        "conditions": _optional(_array(_object({"query": _ANY_OBJECT, "then": _STRING}))),
        "default": _OPT_STRING,
    }
)
# The outer refines are unreachable in practice (a missing `mode`/`attempts` aborts the
# object first, so they never run) but are kept so the message table matches upstream.
_CACHE = _refine(
    _object(
        {
            "mode": _refine(_STRING, _one_of(CACHE_MODES), MSG_CACHE_MODE),
            "max_age": _OPT_NUMBER,
        }
    ),
    lambda value, _ctx: isinstance(value, dict) and "mode" in value,
    "'cache.mode' must be defined",
)
_RETRY = _refine(
    _object(
        {
            "attempts": _NUMBER,
            "on_status_codes": _OPT_NUMBERS,
            "use_retry_after_header": _optional(_BOOLEAN),
        }
    ),
    lambda value, _ctx: isinstance(value, dict) and "attempts" in value,
    "'retry.attempts' must be defined",
)
_FORWARD_HEADERS = _refine(
    _array(_STRING),
    lambda value, _ctx: (
        isinstance(value, list | tuple) and all(str(h).lower() != FORWARD_HEADERS_KEY for h in value)
    ),
    MSG_FORWARD,
)


def _target(value: object, path: Path, ctx: _Ctx) -> _St:
    """z.lazy(() => configSchema): each target is a full config, refinements included."""
    return _config(value, path, ctx)


_CONFIG_FIELDS = _object(
    {
        "strategy": _optional(_STRATEGY),
        "provider": _optional(_refine(_STRING, lambda v, _c: v in VALID_PROVIDERS, MSG_PROVIDER)),
        "api_key": _OPT_STRING,
        "aws_secret_access_key": _OPT_STRING,
        "aws_access_key_id": _OPT_STRING,
        "aws_session_token": _OPT_STRING,
        "aws_region": _OPT_STRING,
        "cache": _optional(_CACHE),
        "retry": _optional(_RETRY),
        "weight": _OPT_NUMBER,
        "on_status_codes": _OPT_NUMBERS,
        "targets": _optional(_array(_target)),
        "request_timeout": _OPT_NUMBER,
        "custom_host": _OPT_STRING,
        "forward_headers": _optional(_FORWARD_HEADERS),
        "vertex_project_id": _OPT_STRING,
        "vertex_region": _OPT_STRING,
        "after_request_hooks": _OPT_HOOKS,
        "before_request_hooks": _OPT_HOOKS,
        "input_guardrails": _OPT_GUARDRAILS,
        "output_guardrails": _OPT_GUARDRAILS,
        "vertex_service_account_json": _optional(_object({}, catchall=_STRING)),
        "openai_project": _OPT_STRING,
        "openai_organization": _OPT_STRING,
        "azure_model_name": _OPT_STRING,
        "azure_auth_mode": _OPT_STRING,
        "strict_open_ai_compliance": _optional(_BOOLEAN),
        # Not in upstream's schema (JS spreads a non-object into {} and goes on); merging one here
        # would fail mid-walk, so a non-object answers this 400 instead.
        "override_params": _optional(_ANY_OBJECT),
    }
)


def _field(config: dict, key: str) -> object:
    return config.get(key, _MISSING)


_ROUTE_KEYS = (
    "cache", "retry", "request_timeout", "after_request_hooks",
    "before_request_hooks", "input_guardrails", "output_guardrails",
)  # fmt: skip


def _has_route(config: object, _ctx: _Ctx) -> bool:
    """Upstream's first refine: the config must say how to reach *some* provider."""
    assert isinstance(config, dict)
    keyless = _rule(config).keyless
    return (
        ("provider" in config and "api_key" in config)
        or ("strategy" in config and "targets" in config)
        or any(_js_truthy(_field(config, k)) for k in _ROUTE_KEYS)
        or (_js_truthy(_field(config, "aws_access_key_id"))
            and _js_truthy(_field(config, "aws_secret_access_key")))
        or (keyless is not None and keyless(config))
    )  # fmt: skip


def _rule(config: dict) -> ConfigRule:
    """The named provider's own config requirements (provider data, see ``ConfigRule``)."""
    slug = config.get("provider")
    found = get_provider(slug) if isinstance(slug, str) and slug in VALID_PROVIDERS else None
    return found.config_rule if found is not None else ConfigRule()


def _custom_host_ok(config: object, ctx: _Ctx) -> bool:
    """An empty custom_host is ignored, as upstream's `customHost && ...` does."""
    assert isinstance(config, dict)
    host = _field(config, "custom_host")
    return not isinstance(host, str) or not host or is_valid_custom_host(host, ctx.trusted_hosts)


def _provider_ok(config: object, _ctx: _Ctx) -> bool:
    assert isinstance(config, dict)
    required = _rule(config).required
    return required is None or required(config)


def _provider_message(config: object) -> str:
    assert isinstance(config, dict)
    return _rule(config).message


_config: Validator = _refine(
    _refine(_refine(_CONFIG_FIELDS, _has_route, MSG_SHAPE), _custom_host_ok, MSG_CUSTOM_HOST),
    _provider_ok,
    _provider_message,
)
