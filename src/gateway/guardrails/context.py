"""What a check sees (upstream's hook span context) and where its text comes from (§6.1, §8).

The request is the client's body (with ``override_params``) in the client's own format, so a
check reads Anthropic Messages on ``/v1/messages`` and OpenAI chat on ``/v1/chat/completions``
whichever provider answers; the response is the answer in the client's format too.

Text, as upstream's ``getCurrentContentPart``: the request's last message (its text parts), the
``prompt`` of a completion or the ``input`` of an embedding; the response's first choice (chat,
completion) or its text blocks (Messages).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .. import jsoncodec
from ..http import Headers

BEFORE = "beforeRequestHook"
AFTER = "afterRequestHook"


@dataclass
class HookContext:
    request_type: str
    provider: str
    request_json: Any
    headers: Headers = field(default_factory=Headers)
    metadata: Mapping[str, Any] = field(default_factory=dict)
    streaming: bool = False
    response_json: Any = None
    response_status: int | None = None
    request_transformed: bool = False
    response_transformed: bool = False

    def apply(self, request_json: Any, response_json: Any) -> None:
        """A check's transformed request or response becomes what later checks and the upstream see."""
        if request_json:
            self.request_json = request_json
            self.request_transformed = True
        if response_json:
            self.response_json = response_json
            self.response_transformed = True

    def payload(self, event: str) -> dict[str, Any]:
        """The context as upstream posts it to a webhook or log URL, without the request headers
        (they carry credentials)."""
        return {
            "request": {"json": self.request_json, "text": text_of(self, BEFORE), "isStreamingRequest": self.streaming,
                        "isTransformed": self.request_transformed},
            "response": {"json": self.response_json, "text": text_of(self, AFTER) if self.response_json else "",
                         "statusCode": self.response_status, "isTransformed": self.response_transformed},
            "provider": self.provider, "requestType": self.request_type, "metadata": dict(self.metadata),
            "eventType": event,
        }


def _as_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if value is None:
        return ""
    return jsoncodec.dumps(value).decode() if isinstance(value, (dict, list)) else str(value)


def _parts_text(content: Any) -> list[Any]:
    if isinstance(content, list):
        return [item.get("text") or "" if isinstance(item, dict) else _as_text(item) for item in content]
    return [content]


def _last_message(json: Any) -> Any:
    messages = json.get("messages") if isinstance(json, dict) else None
    if not isinstance(messages, list) or not messages or not isinstance(messages[-1], dict):
        return None
    return messages[-1]


def _request_part(json: Any, request_type: str) -> tuple[Any, list[Any]]:
    if not isinstance(json, dict):
        return None, []
    if request_type in ("chatComplete", "messages"):
        last = _last_message(json)
        content = last.get("content") if last is not None else None
        return content, _parts_text(content) if last is not None else []
    if request_type in ("complete", "embed"):
        content = json.get("prompt" if request_type == "complete" else "input")
        return content, list(content) if isinstance(content, list) else [content]
    return None, []


def _first_choice(json: Mapping[str, Any]) -> Mapping[str, Any] | None:
    choices = json.get("choices")
    if isinstance(choices, list) and choices and isinstance(choices[0], dict):
        return choices[0]
    return None


def _response_part(json: Any, request_type: str) -> tuple[Any, list[Any]]:
    if not isinstance(json, dict):
        return None, []
    if request_type in ("chatComplete", "complete"):
        choice = _first_choice(json)
        if choice is None:
            return None, []
        if request_type == "complete":
            return choice.get("text"), [choice.get("text")]
        message = choice.get("message")
        content = message.get("content") if isinstance(message, dict) else None
        return content, _parts_text(content) if isinstance(content, list) else [content]
    if request_type == "messages":
        content = json.get("content")
        return content, _parts_text(content) if isinstance(content, list) else []
    return None, []


def content_part(ctx: HookContext, event: str) -> tuple[Any, list[Any]]:
    """(the raw content, its texts) of the request (before hooks) or the response (after hooks)."""
    if event == BEFORE:
        return _request_part(ctx.request_json, ctx.request_type)
    return _response_part(ctx.response_json, ctx.request_type)


def text_of(ctx: HookContext, event: str) -> str:
    """The texts joined by newlines, empty ones left out (upstream ``getText``)."""
    return "\n".join(_as_text(t) for t in content_part(ctx, event)[1] if t)


def excerpt(text: str) -> str:
    return text[:100] + "..." if len(text) > 100 else text


# --- writing text back (mutators, regexReplace, addPrefix) ------------------------------------
def with_texts(ctx: HookContext, event: str, texts: list[str | None]) -> Any:
    """A copy of the request or response JSON with its current texts replaced by ``texts`` (an
    empty or missing text keeps the original), or None when there is nothing to write."""
    if not texts:
        return None
    source = ctx.request_json if event == BEFORE else ctx.response_json
    if not isinstance(source, dict):
        return None
    json = copy.deepcopy(dict(source))
    if event == BEFORE:
        _set_request(json, ctx.request_type, texts)
    else:
        _set_response(json, ctx.request_type, texts)
    return json


def _replace_parts(content: Any, texts: list[str | None]) -> Any:
    if isinstance(content, list):
        out = []
        for index, item in enumerate(content):
            text = texts[index] if index < len(texts) else None
            if isinstance(item, dict) and text:
                item = {**item, "text": text}
            out.append(item)
        return out
    return texts[0] or content


def _set_request(json: dict[str, Any], request_type: str, texts: list[str | None]) -> None:
    if request_type in ("chatComplete", "messages"):
        last = _last_message(json)
        if last is not None:
            json["messages"][-1] = {**last, "content": _replace_parts(last.get("content"), texts)}
    elif request_type == "complete":
        prompt = json.get("prompt")
        if isinstance(prompt, list):
            json["prompt"] = [texts[i] if i < len(texts) and texts[i] else p for i, p in enumerate(prompt)]
        else:
            json["prompt"] = texts[0]


def _set_response(json: dict[str, Any], request_type: str, texts: list[str | None]) -> None:
    if request_type in ("chatComplete", "complete"):
        choice = _first_choice(json)
        if choice is None:
            return
        if request_type == "complete":
            json["choices"][0] = {**choice, "text": texts[0] or choice.get("text")}
        else:
            message = dict(choice.get("message") or {})
            message["content"] = _replace_parts(message.get("content"), texts)
            json["choices"][0] = {**choice, "message": message}
    elif request_type == "messages" and isinstance(json.get("content"), list):
        json["content"] = _replace_parts(json["content"], texts)  # blocks keep their shape (upstream: strings)
