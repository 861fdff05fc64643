"""OpenAI tools, tool_choice and response_format as OCI's GENERIC request fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import obj


def oci_tools(tools: Any) -> list[dict[str, Any]]:
    out = []
    for tool in tools if isinstance(tools, list) else []:
        fn = obj(tool.get("function")) if isinstance(tool, Mapping) else obj(None)
        if not isinstance(fn.get("name"), str):
            continue
        entry: dict[str, Any] = {"type": "FUNCTION", "name": fn["name"]}
        if isinstance(fn.get("description"), str):
            entry["description"] = fn["description"]
        if isinstance(fn.get("parameters"), Mapping):
            entry["parameters"] = fn["parameters"]
        out.append(entry)
    return out


def oci_tool_choice(choice: Any) -> dict[str, Any] | None:
    """``auto``/``none``/``required`` -> ``{type: AUTO|NONE|REQUIRED}``; a named function ->
    ``{type: FUNCTION, name}``."""
    if isinstance(choice, str) and choice in ("auto", "none", "required"):
        return {"type": choice.upper()}
    name = obj(obj(choice).get("function")).get("name")
    return {"type": "FUNCTION", "name": name} if isinstance(name, str) else None


def oci_response_format(value: Any) -> dict[str, Any] | None:
    """``text``/``json_object`` -> ``TEXT``/``JSON_OBJECT``; ``json_schema`` -> ``JSON_SCHEMA`` with
    OCI's camel-case ``jsonSchema`` (``strict`` is ``isStrict``)."""
    kind = obj(value).get("type")
    if kind in ("text", "json_object"):
        return {"type": str(kind).upper()}
    if kind != "json_schema":
        return None
    spec = obj(obj(value).get("json_schema"))
    schema: dict[str, Any] = {"name": spec.get("name") or "response"}
    for key, renamed in (("description", "description"), ("schema", "schema"), ("strict", "isStrict")):
        if spec.get(key) is not None:
            schema[renamed] = spec[key]
    return {"type": "JSON_SCHEMA", "jsonSchema": schema}
