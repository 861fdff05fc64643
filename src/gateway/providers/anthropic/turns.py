"""OpenAI chat messages as Anthropic's top-level system blocks and conversation turns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import arguments_object, obj
from .content import content_blocks

_SYSTEM_ROLES = frozenset({"system", "developer"})


def system_blocks(messages: list[Any]) -> list[dict[str, Any]]:
    """System and developer messages, in order and from any position: Anthropic has one top-level
    ``system`` and no system role in ``messages``."""
    out: list[dict[str, Any]] = []
    for msg in messages:
        if not isinstance(msg, Mapping) or msg.get("role") not in _SYSTEM_ROLES:
            continue
        content = msg.get("content")
        if isinstance(content, str) and content:
            block = {"type": "text", "text": content}
            if msg.get("cache_control") is not None:
                block["cache_control"] = msg["cache_control"]
            out.append(block)
        else:
            out.extend(b for b in content_blocks(content) if b["type"] == "text")
    return out



def _tool_use(call: Mapping[str, Any]) -> dict[str, Any]:
    fn = obj(call.get("function"))
    block = {"type": "tool_use", "id": call.get("id") or "", "name": fn.get("name") or "",
             "input": arguments_object(fn.get("arguments"))}
    if call.get("cache_control") is not None:
        block["cache_control"] = call["cache_control"]
    return block


def _assistant(msg: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Text (or ``content_blocks``, which carry thinking blocks Anthropic wants back verbatim in
    tool loops) followed by one ``tool_use`` per call."""
    blocks_in = msg.get("content_blocks")
    content = msg.get("content")
    if isinstance(blocks_in, list) and blocks_in:
        out = [dict(b) for b in blocks_in if isinstance(b, Mapping) and b.get("type") != "tool_use"]
    elif isinstance(content, str):
        out = [{"type": "text", "text": content}] if content else []
    else:
        out = content_blocks(content)
    calls = msg.get("tool_calls")
    if isinstance(calls, list):
        out.extend(_tool_use(call) for call in calls if isinstance(call, Mapping))
    return out


def _tool_result(msg: Mapping[str, Any]) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": msg["tool_call_id"]}
    content = msg.get("content")
    parts = content if isinstance(content, str) and content else content_blocks(content)
    if parts:
        block["content"] = parts
    if msg.get("cache_control") is not None:
        block["cache_control"] = msg["cache_control"]
    return block


def _turn(msg: Mapping[str, Any]) -> dict[str, Any] | None:
    """A user or assistant message -> a turn; None when nothing sendable is left (Anthropic
    rejects empty content) or the role has no Anthropic meaning."""
    role, content = msg.get("role"), msg.get("content")
    if role == "assistant":
        blocks = _assistant(msg)
        return {"role": "assistant", "content": blocks} if blocks else None
    if role != "user":
        return None
    if isinstance(content, str):
        return {"role": "user", "content": content} if content else None
    blocks = content_blocks(content)
    return {"role": "user", "content": blocks} if blocks else None


def conversation_turns(messages: list[Any]) -> list[dict[str, Any]]:
    """Conversation turns. Consecutive tool messages share one user turn: Anthropic wants every
    result of a parallel tool call in the turn right after the assistant's ``tool_use`` blocks."""
    turns: list[dict[str, Any]] = []
    results: list[dict[str, Any]] | None = None
    for msg in messages:
        if not isinstance(msg, Mapping) or msg.get("role") in _SYSTEM_ROLES:
            continue
        if msg.get("role") == "tool":
            if not msg.get("tool_call_id"):  # a result Anthropic could not pair with a tool_use
                continue
            if results is None:
                results = []
                turns.append({"role": "user", "content": results})
            results.append(_tool_result(msg))
            continue
        turn = _turn(msg)
        if turn is not None:
            turns.append(turn)
            results = None
    return turns
