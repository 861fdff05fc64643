"""OpenAI chat <-> Bytez chat bodies: the request and the (non-streamed) answer."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ...transform.json_values import obj
from ...transform.params import Options
from .api import SLUG
from .errors import invalid

_MEDIA = {"image_url": "image", "input_audio": None, "video_url": "video", "audio_url": "audio"}


def _clamp(value: Any, low: float, high: float | None) -> Any:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return value
    return max(low, value) if high is None else min(max(low, value), high)


def _part(part: Any) -> dict[str, Any] | None:
    """OpenAI's ``image_url: {url}`` -> Bytez's ``{type: image, url}`` (a data URL works too);
    text stays text; parts Bytez has no block for are skipped."""
    if not isinstance(part, Mapping):
        return None
    kind = part.get("type")
    if kind == "text" and isinstance(part.get("text"), str):
        return {"type": "text", "text": part["text"]}
    media = _MEDIA.get(kind) if isinstance(kind, str) else None
    if media is None:
        return None
    value = part.get(kind)  # type: ignore[arg-type]
    url = obj(value).get("url") if isinstance(value, Mapping) else value
    return {"type": media, "url": url} if isinstance(url, str) and url else None


def _message(msg: Any) -> dict[str, Any] | None:
    """Bytez knows the roles system, user and assistant: ``developer`` is a system message; tool
    traffic has no place there and is left out (an assistant turn that only called tools too)."""
    if not isinstance(msg, Mapping):
        return None
    role = "system" if msg.get("role") == "developer" else msg.get("role")
    if role not in ("system", "user", "assistant"):
        return None
    content = msg.get("content")
    if isinstance(content, list):
        content = [p for p in map(_part, content) if p is not None]
    elif not isinstance(content, str):
        content = ""
    if role == "assistant" and not content:
        return None
    return {"role": role, "content": content}


def chat_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    """OpenAI chat params -> a Bytez body; sampling goes in ``params`` under Bytez's names, clamped
    to the ranges upstream uses (temperature [0, 2], top_p [0, 1])."""
    messages = params["messages"] if isinstance(params.get("messages"), list) else []
    sampling: dict[str, Any] = {}
    limit = params.get("max_tokens", params.get("max_completion_tokens"))
    if limit is not None:
        sampling["max_new_tokens"] = _clamp(limit, 0, None)
    if params.get("temperature") is not None:
        sampling["temperature"] = _clamp(params["temperature"], 0, 2)
    if params.get("top_p") is not None:
        sampling["top_p"] = _clamp(params["top_p"], 0, 1)
    out: dict[str, Any] = {"messages": [m for m in map(_message, messages) if m is not None],
                           "stream": params.get("stream") is True}
    if sampling:
        out["params"] = sampling
    return out


def output_text(output: Any) -> str | None:
    """The text of Bytez's ``output``: a message whose content is a string or text blocks, or a
    bare string; None when it is neither."""
    if isinstance(output, str):
        return output
    content = output.get("content") if isinstance(output, Mapping) else None
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(b["text"] for b in content if isinstance(b, Mapping) and isinstance(b.get("text"), str))
    return None


def chat_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """``{error: null, output: {role, content}}`` -> ``chat.completion``. Bytez reports no token
    counts, so there is no ``usage`` (upstream sends -1 for each)."""
    text = output_text(body.get("output")) if isinstance(body, Mapping) and not body.get("error") else None
    if text is None:
        return invalid(body)
    choice = {"index": 0, "message": {"role": "assistant", "content": text}, "logprobs": None,
              "finish_reason": "stop"}
    return {"id": ctx.fallback_id, "object": "chat.completion", "created": ctx.created, "model": ctx.model or "",
            "provider": SLUG, "choices": [choice]}
