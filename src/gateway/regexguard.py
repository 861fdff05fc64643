"""Refuse client regular expressions that can take exponential time (ReDoS).

Why: a conditional routing config's ``$regex`` is the client's pattern run against the client's own
values, on the event loop. ``(a+)+$`` against thirty ``a`` and a ``!`` backtracks 2^30 times: one
request would freeze the process for every other client, and Python's ``re`` has no timeout. The
classic exponential form is a repetition inside a repetition, so such patterns (and absurdly long
ones) are refused with a 400 before they run. Alternation inside a repetition (``(a|aa)*``) can be
slow too but is also how ordinary patterns look (``(gpt|o)[0-9]+``), so it is left alone.
"""

from __future__ import annotations

from typing import Any

from .errors import RouterError

MAX_PATTERN = 1000
_REPEATS = ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT")
_BOUNDED = 16
"""An outer repetition of at most this many rounds (``(ab+c){2}``) costs polynomial time, not exponential."""


def _parse(pattern: str) -> Any:
    import re._parser as parser  # the stdlib's own parser (private, stable since 3.11; Pyodide's too)

    return parser.parse(pattern)


def _repeats(items: Any, inside: bool) -> bool:
    """Whether a repeat that can match more than once sits inside an unbounded (or long) one."""
    for op, arg in items:
        name = str(op)
        if name in _REPEATS:
            _low, high, sub = arg
            if high > 1 and inside:
                return True
            if _repeats(sub, inside or high > _BOUNDED):
                return True
        elif name in ("SUBPATTERN", "ATOMIC_GROUP", "ASSERT", "ASSERT_NOT"):
            if _repeats(arg[-1], inside):
                return True
        elif name == "BRANCH":
            if any(_repeats(branch, inside) for branch in arg[1]):
                return True
        elif name == "GROUPREF_EXISTS":
            if any(branch is not None and _repeats(branch, inside) for branch in arg[1:]):
                return True
    return False


def check_pattern(pattern: str) -> None:
    """Raise a 400 for a pattern that could run for exponential time; invalid patterns pass (the
    caller treats them as not matching)."""
    if len(pattern) > MAX_PATTERN:
        raise RouterError(f"Regular expression longer than {MAX_PATTERN} characters refused")
    try:
        parsed = _parse(pattern)
    except Exception:  # noqa: BLE001 - re.error, or a parser this Python lacks: nothing to judge
        return
    if _repeats(parsed, False):
        raise RouterError("Regular expression with a repetition inside a repetition (like (a+)+) refused: "
                          "it can take exponential time")
