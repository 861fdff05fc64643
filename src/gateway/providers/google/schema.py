"""JSON Schema (as OpenAI tools and structured outputs carry it) as Gemini's ``Schema``.

Gemini's ``Schema`` is a subset of OpenAPI 3.0 parsed into a protobuf: an unknown key is a 400
("Unknown name additionalProperties"), ``type`` cannot be a list, and ``$ref`` does not exist. So the
schema is rebuilt from a whitelist rather than cleaned of a blacklist (upstream deletes
``additionalProperties``, ``$schema`` and ``strict`` only, and any other JSON Schema keyword, e.g.
``const`` or ``exclusiveMinimum``, still fails there):
  * ``$ref`` to ``#/$defs/...`` (or ``#/definitions/...``) is inlined; a recursive reference
    (which Gemini's Schema cannot express) becomes an open object;
  * ``type: [T, "null"]``, ``anyOf``/``oneOf`` with a ``{"type": "null"}`` member and a ``null``
    in ``enum`` become ``nullable: true``; ``oneOf`` is read as ``anyOf``; ``const`` becomes a one-value ``enum``;
  * every other key Gemini does not know is dropped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

_KEEP = frozenset({"type", "format", "title", "description", "nullable", "enum", "maxItems", "minItems",
                   "required", "minProperties", "maxProperties", "minLength", "maxLength", "pattern", "example",
                   "propertyOrdering", "default", "minimum", "maximum"})
_MAX_DEPTH = 64


def _definitions(schema: Mapping[str, Any]) -> dict[str, Any]:
    defs: dict[str, Any] = {}
    for key in ("definitions", "$defs"):
        if isinstance(schema.get(key), Mapping):
            defs.update({f"#/{key}/{name}": value for name, value in schema[key].items()})
    return defs


class _Converter:
    """One conversion: the root's definitions and the references being expanded (a cycle guard)."""

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.expanding: set[str] = set()

    def node(self, schema: Any, depth: int = 0) -> Any:
        if not isinstance(schema, Mapping) or depth > _MAX_DEPTH:
            return {}
        ref = schema.get("$ref")
        if isinstance(ref, str):
            return self._ref(ref, schema, depth)
        out: dict[str, Any] = {}
        for key, value in schema.items():
            if key in _KEEP:
                out[key] = value
            elif key == "properties" and isinstance(value, Mapping):
                out[key] = {name: self.node(sub, depth + 1) for name, sub in value.items()}
            elif key == "items" and isinstance(value, Mapping):
                out[key] = self.node(value, depth + 1)
            elif key in ("anyOf", "oneOf") and isinstance(value, list):
                self._union(out, value, depth)
            elif key == "const" and value is not None:
                out["enum"] = [value]
        _nullable_type(out)
        if isinstance(out.get("enum"), list) and None in out["enum"]:  # JSON Schema's nullable enum
            out["enum"] = [value for value in out["enum"] if value is not None]
            out["nullable"] = True
        if out.get("enum") is not None and "type" not in out:
            out["type"] = "string"  # Gemini's enum is a string format and needs its type
        return out

    def _ref(self, ref: str, schema: Mapping[str, Any], depth: int) -> dict[str, Any]:
        target = self.defs.get(ref)
        if target is None or ref in self.expanding:
            return {"type": "object"}
        self.expanding.add(ref)
        try:
            resolved = self.node(target, depth + 1)
        finally:
            self.expanding.discard(ref)
        siblings = self.node({k: v for k, v in schema.items() if k != "$ref"}, depth + 1)
        return {**resolved, **siblings}

    def _union(self, out: dict[str, Any], members: list[Any], depth: int) -> None:
        kept = [m for m in members if not (isinstance(m, Mapping) and m.get("type") == "null")]
        if len(kept) < len(members):
            out["nullable"] = True
        if len(kept) == 1:
            out.update({k: v for k, v in self.node(kept[0], depth + 1).items() if k not in out})
        elif kept:
            out["anyOf"] = [self.node(m, depth + 1) for m in kept]


def _nullable_type(out: dict[str, Any]) -> None:
    """``type: ["string", "null"]`` -> ``type: "string", nullable: true``; a list of several real
    types becomes ``anyOf`` (Gemini's ``type`` is a single enum value)."""
    kinds = out.get("type")
    if not isinstance(kinds, list):
        return
    real = [k for k in kinds if isinstance(k, str) and k != "null"]
    if len(real) < len(kinds):
        out["nullable"] = True
    del out["type"]
    if len(real) == 1:
        out["type"] = real[0]
    elif real:
        out["anyOf"] = [{"type": k} for k in real]


def gemini_schema(schema: Any) -> dict[str, Any]:
    """A JSON Schema as Gemini's ``Schema`` (see the module docstring); never edits its input."""
    if not isinstance(schema, Mapping):
        return {}
    return dict(_Converter(_definitions(schema)).node(schema))
