"""OpenAI chat messages as Gemini's ``systemInstruction`` and ``contents`` turns."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import arguments_object, obj
from ..alternating_turns import Turn, alternating_turns
from .parts import content_parts, media_part, text_of

_SYSTEM_ROLES = frozenset({"system", "developer"})


def system_instruction(messages: list[Any]) -> dict[str, Any] | None:
    """Every system and developer message, in order and from any position, as the text parts of
    one ``systemInstruction`` (upstream takes only a leading one and drops the rest silently)."""
    parts: list[dict[str, Any]] = []
    for msg in messages:
        if isinstance(msg, Mapping) and msg.get("role") in _SYSTEM_ROLES:
            parts.extend(p for p in content_parts(msg.get("content")) if "text" in p)
    return {"parts": parts} if parts else None



def thought_signature(call: Mapping[str, Any]) -> str | None:
    """A tool call's Gemini thought signature, which Gemini 3 requires back with the call: where
    this gateway puts it (``function.thought_signature``, non-strict) or where Google's own OpenAI
    endpoint does (``extra_content.google.thought_signature``)."""
    for source in (obj(call.get("function")), obj(obj(call.get("extra_content")).get("google"))):
        signature = source.get("thought_signature")
        if isinstance(signature, str) and signature:
            return signature
    return None


def _function_call(call: Mapping[str, Any]) -> dict[str, Any]:
    fn = obj(call.get("function"))
    call_part = {"name": fn.get("name") or "", "args": arguments_object(fn.get("arguments"))}
    out: dict[str, Any] = {"functionCall": call_part}
    signature = thought_signature(call)
    if signature:
        out["thoughtSignature"] = signature
    return out


def _block_part(block: Mapping[str, Any]) -> dict[str, Any] | None:
    """A non-strict ``content_blocks`` entry from an earlier answer of this gateway, back as the
    part it came from, so thoughts keep their signatures across turns."""
    kind = block.get("type")
    out: dict[str, Any] | None = None
    if kind == "thinking" and isinstance(block.get("thinking"), str):
        out = {"text": block["thinking"], "thought": True}
    elif kind == "text" and isinstance(block.get("text"), str) and block["text"]:
        out = {"text": block["text"]}
    elif kind == "image_url":
        out = media_part(obj(block.get("image_url")).get("url"))
    signature = block.get("signature") or block.get("thought_signature")
    if out is not None and isinstance(signature, str) and signature:
        out["thoughtSignature"] = signature
    return out


def _assistant_parts(msg: Mapping[str, Any]) -> list[dict[str, Any]]:
    blocks = msg.get("content_blocks")
    if isinstance(blocks, list) and blocks:
        parts = [p for p in (_block_part(b) for b in blocks if isinstance(b, Mapping)) if p is not None]
    else:
        parts = content_parts(msg.get("content"))
    calls = msg.get("tool_calls")
    if isinstance(calls, list):
        parts.extend(_function_call(call) for call in calls if isinstance(call, Mapping))
    return parts


def _call_names(messages: list[Any]) -> dict[str, str]:
    """tool_call_id -> function name: Gemini pairs a ``functionResponse`` with its call by name,
    and OpenAI's tool messages carry only the id."""
    names: dict[str, str] = {}
    for msg in messages:
        if isinstance(msg, Mapping) and msg.get("role") == "assistant" and isinstance(msg.get("tool_calls"), list):
            for call in msg["tool_calls"]:
                name = obj(obj(call).get("function")).get("name")
                if isinstance(obj(call).get("id"), str) and isinstance(name, str):
                    names[call["id"]] = name
    return names


def _function_response(msg: Mapping[str, Any], names: Mapping[str, str]) -> dict[str, Any]:
    """A tool result; Gemini's ``response`` must be an object, so the text goes in ``output``."""
    name = names.get(msg.get("tool_call_id")) or msg.get("name")  # type: ignore[arg-type]
    return {"functionResponse": {"name": name if isinstance(name, str) and name else "unknown",
                                 "response": {"output": text_of(msg.get("content"))}}}


def _turn(msg: Mapping[str, Any], names: Mapping[str, str]) -> Turn | None:
    role = msg.get("role")
    if role == "assistant":
        return "model", _assistant_parts(msg)
    if role in ("tool", "function"):  # "function": OpenAI's deprecated tool results, named by ``name``
        return "user", [_function_response(msg, names)]
    if role == "user":
        return "user", content_parts(msg.get("content"))
    return None


def contents(messages: list[Any]) -> list[dict[str, Any]]:
    """The conversation: assistant -> ``model``, user and tool results -> ``user``. Adjacent turns
    of one role are merged (Gemini wants roles to alternate, and all results of a parallel call in
    the one turn after it); a message with nothing sendable is left out (Gemini rejects empty parts)."""
    names = _call_names(messages)
    turns = (_turn(msg, names) for msg in messages if isinstance(msg, Mapping) and msg.get("role") not in _SYSTEM_ROLES)
    return alternating_turns(turns, "parts")
