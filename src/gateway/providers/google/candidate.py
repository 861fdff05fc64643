"""The pieces of a Gemini candidate's ``parts`` that both the whole answer and the stream map:
a function call as an OpenAI tool call, and any part as a non-strict ``content_blocks`` entry."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.json_values import compact, obj


def tool_call(part: Mapping[str, Any], call_id: str, strict: bool) -> dict[str, Any]:
    """A ``functionCall`` part -> an OpenAI tool call (arguments as a JSON string). Gemini's own
    call id is used when it sends one, else ``call_id``. The part's thought signature, which
    Gemini 3 wants back with the call, reaches non-strict clients as ``function.thought_signature``."""
    call = obj(part.get("functionCall"))
    args = call.get("args") if isinstance(call.get("args"), Mapping) else {}
    fn: dict[str, Any] = {"name": call.get("name") or "", "arguments": compact(args)}
    if not strict and isinstance(part.get("thoughtSignature"), str):
        fn["thought_signature"] = part["thoughtSignature"]
    own_id = call.get("id")
    return {"id": own_id if isinstance(own_id, str) and own_id else call_id, "type": "function", "function": fn}


def block(part: Mapping[str, Any]) -> dict[str, Any] | None:
    """A part as a ``content_blocks`` entry: a thought -> ``thinking``, text -> ``text``, inline
    data (an image Gemini drew) -> ``image_url``; a thought signature rides along as ``signature``."""
    text = part.get("text")
    out: dict[str, Any] | None = None
    if isinstance(text, str):
        out = {"type": "thinking", "thinking": text} if part.get("thought") is True else {"type": "text", "text": text}
    elif isinstance(part.get("inlineData"), Mapping):
        data = part["inlineData"]
        out = {"type": "image_url", "image_url": {"url": f"data:{data.get('mimeType')};base64,{data.get('data')}"}}
    if out is not None and isinstance(part.get("thoughtSignature"), str):
        out["signature"] = part["thoughtSignature"]
    return out


def answer_text(parts: list[Any]) -> str:
    """The visible text: every text part that is not a thought, joined."""
    return "".join(p["text"] for p in parts
                   if isinstance(p, dict) and isinstance(p.get("text"), str) and p.get("thought") is not True)


def logprobs(candidate: Mapping[str, Any]) -> dict[str, Any] | None:
    """``logprobsResult`` (chosen token per step, top alternatives per step) as OpenAI's
    ``logprobs.content``; ``bytes`` are the token's UTF-8 bytes, as OpenAI defines them."""
    result = obj(candidate.get("logprobsResult"))
    chosen = result.get("chosenCandidates")
    if not isinstance(chosen, list):
        return None
    top = result.get("topCandidates")
    tops: list[Any] = top if isinstance(top, list) else []
    content = []
    for step, item in enumerate(chosen):
        alternatives = obj(tops[step]).get("candidates") if step < len(tops) else None
        entry = _token(item)
        entry["top_logprobs"] = [_token(a) for a in alternatives] if isinstance(alternatives, list) else []
        content.append(entry)
    return {"content": content}


def _token(item: Any) -> dict[str, Any]:
    token = obj(item).get("token")
    token = token if isinstance(token, str) else ""
    value = obj(item).get("logProbability")
    return {"token": token, "logprob": value if isinstance(value, (int, float)) else 0,
            "bytes": list(token.encode("utf-8"))}
