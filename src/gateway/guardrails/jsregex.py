"""JavaScript regular expressions on Python's ``re``: guardrail rules are written for upstream's
``new RegExp(rule)`` (reference §6.3), so ``(?<name>...)``, ``\\k<name>``, ``/rule/flags`` and JS's
ASCII ``\\d``/``\\w``/``\\b`` must mean here what they mean there.

What is translated: named groups and back-references, ``$`` (end of input unless ``m``), ``\\s``
(JS's Unicode whitespace set), ``[^]`` and ``[]``, ``\\u{...}``; the flags ``i``, ``m``, ``s``
(``g`` is reported to the caller, ``u``, ``y`` and ``d`` change nothing here). What is not: a
lookbehind of variable width (Python refuses it: the check then reports an error) and Unicode case
folding beyond ASCII under ``i``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

_LITERAL = re.compile(r"^/(.+?)/([gimsuyd]*)$", re.S)
_JS_SPACE = "\\t\\n\\x0b\\x0c\\r \\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff"
_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}


@dataclass(frozen=True)
class JsRegex:
    pattern: re.Pattern[str]
    global_: bool
    source: str


def parse_literal(text: str) -> tuple[str, str]:
    """``/rule/flags`` -> (rule, flags); any other text is a bare rule without flags."""
    found = _LITERAL.match(text)
    return (found.group(1), found.group(2)) if found else (text, "")


@lru_cache(maxsize=256)
def compile_js(source: str, flags: str = "") -> JsRegex:
    """Compile a JS pattern; raises ``re.error`` (with Python's message) when it is invalid."""
    python_flags = re.ASCII
    for flag in flags:
        python_flags |= _FLAGS.get(flag, 0)
    translated = _translate(source, multiline="m" in flags)
    return JsRegex(re.compile(translated, python_flags), "g" in flags, source)


def _translate(source: str, multiline: bool) -> str:
    out: list[str] = []
    i, in_class = 0, False
    while i < len(source):
        char = source[i]
        if char == "\\" and i + 1 < len(source):
            piece, i = _escape(source, i, in_class)
            out.append(piece)
            continue
        if in_class:
            in_class = char != "]"
            out.append(char)
        elif char == "[":
            piece, i, in_class = _class_start(source, i)
            out.append(piece)
            continue
        elif char == "(" and source.startswith("(?<", i) and source[i + 3:i + 4] not in ("=", "!"):
            out.append("(?P<")
            i += 3
            continue
        elif char == "$" and not multiline:
            out.append(r"\Z")
        else:
            out.append(char)
        i += 1
    return "".join(out)


def _class_start(source: str, i: int) -> tuple[str, int, bool]:
    """``[^]`` (anything) and ``[]`` (nothing) are JS-only; other classes open normally."""
    if source.startswith("[^]", i):
        return r"[\s\S]", i + 3, False
    if source.startswith("[]", i):
        return "(?!)", i + 2, False
    return "[", i + 1, True


def _escape(source: str, i: int, in_class: bool) -> tuple[str, int]:
    nxt = source[i + 1]
    if nxt == "k" and source.startswith("<", i + 2):
        end = source.find(">", i + 3)
        if end > 0:
            return f"(?P={source[i + 3:end]})", end + 1
    if nxt == "u" and source.startswith("{", i + 2):
        end = source.find("}", i + 3)
        if end > 0:
            return f"\\U{int(source[i + 3:end], 16):08x}", end + 1
    if nxt in "sS":
        if in_class:
            return (_JS_SPACE if nxt == "s" else "\\S"), i + 2
        return (f"[{_JS_SPACE}]" if nxt == "s" else f"[^{_JS_SPACE}]"), i + 2
    if nxt == "/":
        return "/", i + 2
    return source[i:i + 2], i + 2


def js_replace(regex: JsRegex, text: str, replacement: str) -> str:
    """``String.prototype.replace``: every match with ``g``, else the first; ``$&``, ``$1``,
    ``$<name>`` and ``$$`` in the replacement mean what they mean in JS."""
    return regex.pattern.sub(_expander(replacement), text, count=0 if regex.global_ else 1)


def _expander(replacement: str) -> Callable[[re.Match[str]], str]:
    if "$" not in replacement:
        return lambda _match: replacement

    def expand(match: re.Match[str]) -> str:
        out, i = [], 0
        while i < len(replacement):
            char = replacement[i]
            if char != "$" or i + 1 >= len(replacement):
                out.append(char)
                i += 1
                continue
            piece, i = _dollar(replacement, i, match)
            out.append(piece)
        return "".join(out)

    return expand


def _dollar(replacement: str, i: int, match: re.Match[str]) -> tuple[str, int]:
    nxt = replacement[i + 1]
    if nxt == "$":
        return "$", i + 2
    if nxt == "&":
        return match.group(0), i + 2
    if nxt == "`":
        return match.string[:match.start()], i + 2
    if nxt == "'":
        return match.string[match.end():], i + 2
    if nxt == "<" and match.re.groupindex:
        end = replacement.find(">", i + 2)
        if end > 0:
            return match.groupdict().get(replacement[i + 2:end]) or "", end + 1
    if nxt.isdigit():
        for width in (2, 1):
            digits = replacement[i + 1:i + 1 + width]
            if digits.isdigit() and 0 < int(digits) <= match.re.groups:
                return match.group(int(digits)) or "", i + 1 + width
    return "$", i + 1
