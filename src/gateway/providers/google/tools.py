"""OpenAI tools and tool_choice as Gemini's ``tools`` and ``toolConfig``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import obj
from .schema import gemini_schema

_BUILT_IN = {
    "googleSearch": "googleSearch", "google_search": "googleSearch",
    "googleSearchRetrieval": "googleSearchRetrieval", "google_search_retrieval": "googleSearchRetrieval",
    "codeExecution": "codeExecution", "code_execution": "codeExecution",
    "urlContext": "urlContext", "url_context": "urlContext",
    "googleMaps": "googleMaps", "google_maps": "googleMaps",
    "computerUse": "computerUse", "computer_use": "computerUse",
}
"""Gemini's server-side tools, asked for as a function of that name (upstream's convention): the
function's ``parameters`` are the tool's own configuration (e.g. ``timeRangeFilter``), sent as is."""

_MODES = {"auto": "AUTO", "none": "NONE", "required": "ANY"}


def _declaration(fn: Mapping[str, Any]) -> dict[str, Any]:
    """A function declaration. A schema without properties is left out: Gemini rejects an OBJECT
    with empty ``properties``, and a function without parameters is declared by omitting them."""
    out: dict[str, Any] = {"name": fn.get("name") or ""}
    if isinstance(fn.get("description"), str) and fn["description"]:
        out["description"] = fn["description"]
    schema = gemini_schema(fn.get("parameters"))
    if schema.get("properties") or schema.get("type") not in (None, "object", "OBJECT"):
        out["parameters"] = schema
    return out


def tool_list(tools: Any) -> list[dict[str, Any]]:
    """Function tools in one ``functionDeclarations`` entry (after any built-in tools, as upstream)."""
    if not isinstance(tools, list):
        return []
    declarations: list[dict[str, Any]] = []
    built_in: list[dict[str, Any]] = []
    for tool in tools:
        fn = obj(obj(tool).get("function"))
        name = fn.get("name")
        if not isinstance(name, str) or not name:
            continue
        if name in _BUILT_IN:
            built_in.append({_BUILT_IN[name]: dict(obj(fn.get("parameters")))})
        else:
            declarations.append(_declaration(fn))
    return built_in + ([{"functionDeclarations": declarations}] if declarations else [])


def tool_config(choice: Any) -> dict[str, Any] | None:
    """``tool_choice``: auto/none/required -> AUTO/NONE/ANY; a named function -> ANY limited to it."""
    if isinstance(choice, str) and choice in _MODES:
        return {"functionCallingConfig": {"mode": _MODES[choice]}}
    name = obj(obj(choice).get("function")).get("name")
    if isinstance(name, str) and name:
        return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [name]}}
    return None
