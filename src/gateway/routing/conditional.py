"""Conditional routing (reference §4.5): the first condition whose query matches picks the
target named in ``then``; else ``default``. Queries use two-level key paths over
``metadata``, ``params`` and ``url`` and a small Mongo-like operator set."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..errors import RouterError
from ..regexguard import check_pattern

_MISSING = object()


def _lookup(context: Mapping[str, Any], key: str) -> Any:
    root, _, leaf = key.partition(".")
    scope = context.get(root)
    if not leaf or not isinstance(scope, Mapping):
        return _MISSING
    return scope.get(leaf, _MISSING)


def _number(value: Any) -> float:
    """JavaScript's parseFloat, closely enough: a leading number or NaN."""
    if isinstance(value, bool):
        return float("nan")
    if isinstance(value, (int, float)):
        return float(value)
    found = re.match(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?", str(value))
    return float(found.group(0)) if found else float("nan")


def _regex(value: Any, pattern: Any) -> bool:
    check_pattern(str(pattern))  # 400 for a pattern that could freeze the process (ReDoS)
    try:
        return re.search(str(pattern), str(value)) is not None
    except re.error:
        return False


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "bool"
    return "number" if isinstance(value, (int, float)) else type(value).__name__


def strict_equal(left: Any, right: Any) -> bool:
    """JavaScript's ``===`` over JSON values: same kind and equal; 1 and 1.0 are one number."""
    return left is not _MISSING and _kind(left) == _kind(right) and left == right


_COMPARE = {
    "$eq": strict_equal,
    "$ne": lambda v, o: not strict_equal(v, o),
    "$gt": lambda v, o: _number(v) > _number(o),
    "$gte": lambda v, o: _number(v) >= _number(o),
    "$lt": lambda v, o: _number(v) < _number(o),
    "$lte": lambda v, o: _number(v) <= _number(o),
    "$in": lambda v, o: isinstance(o, list) and any(strict_equal(v, x) for x in o),
    "$nin": lambda v, o: isinstance(o, list) and not any(strict_equal(v, x) for x in o),
}


def _check_value(value: Any, expected: Any) -> bool:
    if not isinstance(expected, Mapping):
        return strict_equal(value, expected)
    for op, operand in expected.items():
        if op == "$regex":
            return _regex(value, operand)
        compare = _COMPARE.get(op)
        if compare is None:
            raise RouterError(f"Unsupported operator used in the query router: {op}")
        if not compare(value, operand):
            return False
    return True


def matches(query: Mapping[str, Any], context: Mapping[str, Any]) -> bool:
    for key, expected in query.items():
        if key in ("$and", "$or"):
            parts = expected if isinstance(expected, list) else []
            combine = all if key == "$and" else any
            return combine(matches(part, context) for part in parts if isinstance(part, Mapping))
        if key.startswith("$"):
            raise RouterError(f"Unsupported operator used in the query router: {key}")
        if not _check_value(_lookup(context, key), expected):
            return False
    return True


def choose(strategy: Mapping[str, Any], targets: list[dict[str, Any]],
           context: Mapping[str, Any]) -> int:
    """Index of the target to use, or a RouterError with upstream's message."""
    conditions = strategy.get("conditions")
    if not conditions:
        raise RouterError("No conditions passed in the query router")
    chosen = None
    for condition in conditions:
        if matches(condition.get("query") or {}, context):
            chosen = condition.get("then")
            break
    if chosen is None:
        chosen = strategy.get("default")
    if chosen is None:
        raise RouterError("Query router did not resolve to any valid target")
    for index, target in enumerate(targets):
        if target.get("name") == chosen:
            return index
    raise RouterError(f"Invalid target name found in the query router: {chosen}")
