"""OpenAI chat messages as Converse's ``system`` blocks and alternating conversation turns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import arguments_object, obj
from ..alternating_turns import Turn, alternating_turns
from .content import blocks, cache_point, text_block

_SYSTEM_ROLES = frozenset({"system", "developer"})
_RESULT_KINDS = ("text", "image", "document", "video")


def system_blocks(messages: list[Any]) -> list[dict[str, Any]]:
    """System and developer messages, from any position: Converse has one top-level ``system``."""
    out: list[dict[str, Any]] = []
    for msg in messages:
        if isinstance(msg, Mapping) and msg.get("role") in _SYSTEM_ROLES:
            content = msg.get("content")
            mine = [b for b in blocks(content) if "text" in b or "cachePoint" in b]
            if mine and isinstance(content, str) and msg.get("cache_control") is not None:
                mine.append(cache_point())
            out += mine
    return out



def _reasoning(block: Mapping[str, Any]) -> dict[str, Any] | None:
    """A thinking block a non-strict client got back earlier (``content_blocks``): Claude wants it
    returned verbatim, signature included, in a tool loop."""
    if block.get("type") == "thinking" and isinstance(block.get("thinking"), str):
        text: dict[str, Any] = {"text": block["thinking"]}
        if block.get("signature"):
            text["signature"] = block["signature"]
        return {"reasoningContent": {"reasoningText": text}}
    if block.get("type") == "redacted_thinking" and block.get("data"):
        return {"reasoningContent": {"redactedContent": block["data"]}}
    return None


def _assistant(msg: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Reasoning and text (``content_blocks`` when present, else ``content``), then one ``toolUse``
    per tool call."""
    given = msg.get("content_blocks")
    out: list[dict[str, Any]] = []
    if isinstance(given, list) and given:
        for item in given:
            if isinstance(item, Mapping):
                block = _reasoning(item) or (text_block(item.get("text")) if item.get("type") == "text" else None)
                if block is not None:
                    out.append(block)
    else:
        out = blocks(msg.get("content"))
    for call in msg.get("tool_calls") or []:
        if isinstance(call, Mapping):
            fn = obj(call.get("function"))
            out.append({"toolUse": {"toolUseId": str(call.get("id") or ""), "name": str(fn.get("name") or ""),
                                    "input": arguments_object(fn.get("arguments"))}})
    return out


def _tool_result(msg: Mapping[str, Any]) -> dict[str, Any]:
    """A tool message -> a ``toolResult`` block (text, images, documents; an empty list is allowed,
    blank text is not)."""
    content = [b for b in blocks(msg.get("content")) if any(kind in b for kind in _RESULT_KINDS)]
    return {"toolResult": {"toolUseId": str(msg.get("tool_call_id") or ""), "content": content}}


def _turn(msg: Mapping[str, Any]) -> Turn | None:
    role = msg.get("role")
    if role == "assistant":
        return "assistant", _assistant(msg)
    if role == "tool":  # a result Converse could not pair with a toolUse is dropped
        return ("user", [_tool_result(msg)]) if msg.get("tool_call_id") else None
    if role == "user":
        return "user", blocks(msg.get("content"))
    return None


def conversation(messages: list[Any]) -> list[dict[str, Any]]:
    """The turns. Consecutive messages of one role share a turn (Converse wants roles to alternate,
    upstream issue #748): parallel tool results land in one user turn, and a user message right
    after tool results joins them. Turns left empty are dropped (Converse rejects them)."""
    return alternating_turns((_turn(msg) for msg in messages if isinstance(msg, Mapping)), "content")


def has_tool_blocks(turns: list[dict[str, Any]]) -> bool:
    return any("toolUse" in b or "toolResult" in b for turn in turns for b in turn["content"])
