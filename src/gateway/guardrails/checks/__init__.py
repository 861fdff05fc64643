"""The built-in ``default.*`` checks (reference §6.3), one module per family, loaded on first use
(a Worker pays for every import at cold start; most configs use two or three checks).

Parameters missing from a check take the defaults upstream's manifest declares (``minWords`` 0,
``operator`` "any", ``timeout`` 3000 ms ...), so a guardrail written with only the bound the user
cares about does what it says rather than erroring (and, errors being lenient, silently passing).
"""

from __future__ import annotations

import importlib
import math
from functools import cache
from typing import Any

from ..runner import CheckFn

_WHERE = {
    "regexMatch": "text", "regexReplace": "text", "sentenceCount": "text", "wordCount": "text",
    "characterCount": "text", "alluppercase": "text", "alllowercase": "text", "endsWith": "text",
    "contains": "text", "containsCode": "text", "notNull": "text",
    "jsonSchema": "json_checks", "jsonKeys": "json_checks",
    "modelWhitelist": "request_checks", "modelRules": "request_checks", "allowedRequestTypes": "request_checks",
    "requiredMetadataKeys": "request_checks", "addPrefix": "request_checks",
    "webhook": "remote", "log": "remote", "validUrls": "remote",
    "jwt": "jwt_check",
}


_WAITING = frozenset({"webhook", "log", "validUrls", "jwt"})


def waits(check_id: str) -> bool:
    """Whether a check may wait on the network (and so is worth running as its own task)."""
    return check_id.partition(".")[2] in _WAITING


@cache
def find(check_id: str) -> CheckFn | None:
    source, _, name = check_id.partition(".")
    module = _WHERE.get(name) if source == "default" else None
    if module is None:
        return None
    found: CheckFn = importlib.import_module(f"{__name__}.{module}").CHECKS[name]
    return found


def truthy(value: Any) -> bool:
    """JavaScript truthiness, which upstream's ``parameters.not || false`` applies."""
    if value is None or value is False or (isinstance(value, str) and not value):
        return False
    if is_number(value):
        return value != 0 and not math.isnan(value)
    return True


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_integer(value: Any) -> bool:
    return is_number(value) and math.isfinite(value) and float(value).is_integer()
