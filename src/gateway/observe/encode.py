"""JSON pieces written by hand for the per-request records (the live-log summary, the JSON request log,
OTLP spans). Why not ``json.dumps`` of a dict: these records have a fixed shape and are written for every
request; composing them with f-strings and the C string escaper costs a third of building a dict and
encoding it, which is the difference between observability within 10% of "off" and outside it."""

from __future__ import annotations

from json.encoder import encode_basestring  # type: ignore[attr-defined]


def text(value: str | None) -> str:
    """A JSON string (or ``null``), non-ASCII kept as is."""
    return "null" if value is None else encode_basestring(value)


def number(value: float | None, digits: int = 2) -> str:
    if value is None:
        return "null"
    return str(value) if isinstance(value, int) else f"{value:.{digits}f}"


def flag(value: bool) -> str:
    return "true" if value else "false"
