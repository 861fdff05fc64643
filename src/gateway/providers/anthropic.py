"""Anthropic: OpenAI chat (the hub) <-> the Messages API, and legacy completions <-> ``/complete``.

Behaviour follows upstream Portkey's ``providers/anthropic`` (reference §7.3) with deliberate fixes:
a default ``max_tokens`` (Anthropic rejects a body without one), prompt tokens that include cache
tokens (OpenAI counts cached tokens inside ``prompt_tokens``), consecutive tool results merged into
one user turn, stream chunks that carry the message id, and a mid-stream ``error`` event that
becomes a hub error event instead of a fake finish chunk followed by ``[DONE]``.

Native ``/v1/messages`` bodies are not translated, only whitelisted (``MESSAGES``, ``COUNT_TOKENS``).
Every function here is pure and tolerant: odd client input is skipped, never raised on.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from ..transform.events import DONE, Event, MapContext
from ..transform.params import Options, Param, ParamMap
from .base import Provider, Translation

SLUG = "anthropic"
DEFAULT_MAX_TOKENS = 4096
"""Used when the client sends no max_tokens: Anthropic requires one, and 4096 is the largest
output every Claude model accepts."""
DEFAULT_VERSION = "2023-06-01"

_SYSTEM_ROLES = frozenset({"system", "developer"})
_PDF, _TEXT = "application/pdf", "text/plain"
_HUMAN, _ASSISTANT = "\n\nHuman:", "\n\nAssistant:"
_FINISH = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "pause_turn": "stop",
    "tool_use": "tool_calls",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "refusal": "content_filter",
}
_TOOL_EXTRAS = ("defer_loading", "allowed_callers", "input_examples")
_EMPTY: Mapping[str, Any] = MappingProxyType({})


def _plain(*names: str) -> dict[str, Param]:
    return {name: Param(name) for name in names}


MESSAGES: ParamMap = {
    "model": Param("model", required=True),
    **_plain("messages", "max_tokens", "container", "context_management", "mcp_servers", "metadata",
             "service_tier", "stop_sequences", "stream", "system", "temperature", "thinking", "tool_choice",
             "tools", "top_k", "top_p", "output_format", "output_config"),
}
"""Native ``/v1/messages`` whitelist: upstream's list plus the fields Anthropic added since."""

COUNT_TOKENS: ParamMap = {
    "model": Param("model", required=True),
    **_plain("messages", "system", "tools", "tool_choice", "thinking", "mcp_servers", "context_management",
             "output_format", "output_config"),
}


def _headers(options: Options, fn: str) -> dict[str, str]:
    """``x-api-key`` from the provider key or the client's bare header (Claude Code sends that).
    No default ``anthropic-beta``: upstream's stale ``messages-2023-12-15`` enables nothing today."""
    out = {"anthropic-version": str(options.get("anthropic_version") or DEFAULT_VERSION)}
    key = options.get("api_key") or options.get("anthropic_api_key")
    if key:
        out["x-api-key"] = str(key)
    if options.get("anthropic_beta"):
        out["anthropic-beta"] = str(options["anthropic_beta"])
    return out


# ---------------------------------------------------------------- shared helpers


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int(value: Any) -> int:
    """A token count, 0 when absent or not an integer."""
    return value if _is_int(value) else 0


def _obj(value: Any) -> Mapping[str, Any]:
    """``value`` when it is a JSON object, else an empty one: lets lookups chain without checks."""
    return value if isinstance(value, Mapping) else _EMPTY


def _compact(value: Any) -> str:
    """JSON as ``JSON.stringify`` writes it, so tool arguments match upstream byte for byte."""
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _finish(reason: Any, strict: bool) -> str:
    """OpenAI's finish_reason; non-strict clients asked for Anthropic's raw value instead."""
    if not strict and isinstance(reason, str) and reason:
        return reason
    return _FINISH.get(reason, "stop") if isinstance(reason, str) else "stop"


def _envelope(message: str, kind: Any) -> dict[str, Any]:
    error = {"message": message, "type": kind if isinstance(kind, str) else None, "param": None, "code": None}
    return {"error": error, "provider": SLUG}


def _invalid(body: Any) -> dict[str, Any]:
    return _envelope(f"Invalid response received from {SLUG}: {_compact(body)}", None)


def _usage(usage: Any) -> dict[str, Any]:
    """OpenAI usage from Anthropic's. Cache reads and writes are input too, so they count in
    ``prompt_tokens`` (upstream left them out of it but not out of the total)."""
    u = _obj(usage)
    read, made = _int(u.get("cache_read_input_tokens")), _int(u.get("cache_creation_input_tokens"))
    prompt = _int(u.get("input_tokens")) + read + made
    completion = _int(u.get("output_tokens"))
    out: dict[str, Any] = {"prompt_tokens": prompt, "completion_tokens": completion,
                           "total_tokens": prompt + completion, "prompt_tokens_details": {"cached_tokens": read}}
    if read or made:
        out["cache_read_input_tokens"] = read
        out["cache_creation_input_tokens"] = made
    return out


def error_response(status: int, data: Any, text: str, ctx: MapContext) -> dict[str, Any]:
    """Anthropic's ``{"type":"error","error":{type,message}}`` -> the hub envelope; a body that is
    not that shape (HTML from a proxy, plain text) is quoted as it came."""
    error = data.get("error") if isinstance(data, Mapping) else None
    if isinstance(error, Mapping) and isinstance(error.get("message"), str):
        return _envelope(f"{SLUG} error: {error['message']}", error.get("type"))
    return _envelope(f"{SLUG} error: {text}", None)


def _error_event(data: Mapping[str, Any]) -> Event:
    """A mid-stream ``error`` event becomes a hub error event; no ``DONE`` follows it."""
    error = _obj(data.get("error"))
    envelope = _envelope(f"{SLUG} error: {error.get('message', '')}", error.get("type"))
    return Event({"error": envelope["error"]}, "error")


def _sampling(params: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters chat and legacy completions share. Anthropic's temperature range is [0, 1]."""
    out: dict[str, Any] = {}
    temperature = params.get("temperature")
    if isinstance(temperature, (int, float)) and not isinstance(temperature, bool):
        out["temperature"] = min(max(temperature, 0), 1)
    for key in ("top_p", "top_k", "stream"):
        if params.get(key) is not None:
            out[key] = params[key]
    stop = params.get("stop")
    stops = [stop] if isinstance(stop, str) else stop if isinstance(stop, list) else []
    stops = [s for s in stops if isinstance(s, str) and s]
    if stops:
        out["stop_sequences"] = stops
    if isinstance(params.get("user"), str):
        out["metadata"] = {"user_id": params["user"]}
    return out


# ---------------------------------------------------------------- chat request: content parts


def _data_uri(uri: str) -> tuple[str, str] | None:
    """(media type, base64 data) of a ``data:<mime>[;...];base64,<data>`` URI; None otherwise,
    since Anthropic's sources take base64 only."""
    head, comma, data = uri[5:].partition(",")
    if not comma or not data or not head.endswith(";base64"):
        return None
    return head.split(";", 1)[0], data


def _image(image_url: Any) -> dict[str, Any] | None:
    """OpenAI ``image_url`` -> an image block (a PDF data URI -> a document, as upstream)."""
    url = image_url.get("url") if isinstance(image_url, Mapping) else image_url
    if not isinstance(url, str):
        return None
    if url.startswith(("http://", "https://")):
        return {"type": "image", "source": {"type": "url", "url": url}}
    parsed = _data_uri(url) if url.startswith("data:") else None
    if parsed is None:
        return None
    kind = "document" if parsed[0] == _PDF else "image"
    return {"type": kind, "source": {"type": "base64", "media_type": parsed[0], "data": parsed[1]}}


def _decoded_text(data: str) -> str | None:
    """Base64 text as a string (a text source carries text), or None when it is not valid."""
    try:
        return base64.b64decode(data, validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return None


def _inline_file(data: str, mime: Any) -> dict[str, Any] | None:
    """``file_data``: OpenAI sends a data URI, upstream Portkey's clients raw base64 plus
    ``mime_type`` (PDF by default). Plain text becomes a text source, which takes text, not base64."""
    parsed = _data_uri(data) if data.startswith("data:") else None
    if data.startswith("data:") and parsed is None:
        return None
    media = parsed[0] if parsed else mime if isinstance(mime, str) and mime else _PDF
    payload = parsed[1] if parsed else data
    if media == _TEXT:
        text = _decoded_text(payload) if parsed else payload
        return None if text is None else {"type": "document", "source": {"type": "text", "media_type": _TEXT,
                                                                           "data": text}}
    kind = "image" if media.startswith("image/") else "document"
    return {"type": kind, "source": {"type": "base64", "media_type": media, "data": payload}}


def _file(file: Any) -> dict[str, Any] | None:
    """OpenAI ``file`` part -> a document: by URL, inline data, or an Anthropic Files API id."""
    if not isinstance(file, Mapping):
        return None
    if isinstance(file.get("file_url"), str):
        return {"type": "document", "source": {"type": "url", "url": file["file_url"]}}
    if isinstance(file.get("file_data"), str) and file["file_data"]:
        return _inline_file(file["file_data"], file.get("mime_type"))
    if isinstance(file.get("file_id"), str):
        return {"type": "document", "source": {"type": "file", "file_id": file["file_id"]}}
    return None


def _part(part: Any) -> dict[str, Any] | None:
    """One OpenAI content part -> one Anthropic block, ``cache_control`` kept as given (ttl too).
    Unknown parts (audio, refusal...) and empty text (Anthropic rejects it) are skipped."""
    if not isinstance(part, Mapping):
        return None
    kind = part.get("type")
    block: dict[str, Any] | None = None
    if kind == "text" and isinstance(part.get("text"), str) and part["text"]:
        block = {"type": "text", "text": part["text"]}
    elif kind == "image_url":
        block = _image(part.get("image_url"))
    elif kind == "file":
        block = _file(part.get("file"))
    if block is not None and part.get("cache_control") is not None:
        block["cache_control"] = part["cache_control"]
    return block


def _blocks(content: Any) -> list[dict[str, Any]]:
    parts = content if isinstance(content, list) else []
    return [block for block in map(_part, parts) if block is not None]


# ---------------------------------------------------------------- chat request: messages


def _system(messages: list[Any]) -> list[dict[str, Any]]:
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
            out.extend(b for b in _blocks(content) if b["type"] == "text")
    return out


def _arguments(raw: Any) -> dict[str, Any]:
    """A tool call's arguments as the object Anthropic wants; anything unparsable becomes ``{}``."""
    if isinstance(raw, Mapping):
        return dict(raw)
    try:
        value = json.loads(raw) if isinstance(raw, str) and raw else {}
    except (ValueError, RecursionError):
        return {}
    return value if isinstance(value, dict) else {}


def _tool_use(call: Mapping[str, Any]) -> dict[str, Any]:
    fn = _obj(call.get("function"))
    block = {"type": "tool_use", "id": call.get("id") or "", "name": fn.get("name") or "",
             "input": _arguments(fn.get("arguments"))}
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
        out = _blocks(content)
    calls = msg.get("tool_calls")
    if isinstance(calls, list):
        out.extend(_tool_use(call) for call in calls if isinstance(call, Mapping))
    return out


def _tool_result(msg: Mapping[str, Any]) -> dict[str, Any]:
    block: dict[str, Any] = {"type": "tool_result", "tool_use_id": msg["tool_call_id"]}
    content = msg.get("content")
    parts = content if isinstance(content, str) and content else _blocks(content)
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
    blocks = _blocks(content)
    return {"role": "user", "content": blocks} if blocks else None


def _turns(messages: list[Any]) -> list[dict[str, Any]]:
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


# ---------------------------------------------------------------- chat request: tools and the body


def _function_tool(fn: Mapping[str, Any]) -> dict[str, Any]:
    """An OpenAI function -> an Anthropic tool. Anthropic requires ``input_schema`` with
    ``type: object`` even for a tool without parameters, which OpenAI allows."""
    schema = fn.get("parameters")
    if isinstance(schema, Mapping):
        schema = schema if "type" in schema else {"type": "object", **schema}
    else:
        schema = {"type": "object", "properties": {}}
    out = {"name": fn.get("name") or "", "description": fn.get("description") or "", "input_schema": schema}
    out.update((key, fn[key]) for key in _TOOL_EXTRAS if fn.get(key) is not None)
    return out


def _server_tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    """Upstream's shape for Anthropic server tools, ``{type: T, T: {name: <versioned type>, ...}}``
    -> ``{name: T, type: <versioned type>, ...}``; a tool already in Anthropic's shape (no ``T``
    object) passes unchanged."""
    kind = tool["type"]
    spec = tool.get(kind)
    if not isinstance(spec, Mapping):
        return {k: v for k, v in tool.items() if k != "cache_control"}
    out = {**spec, "name": kind}
    out.pop("type", None)
    if spec.get("name") is not None:
        out["type"] = spec["name"]
    return out


def _tool(tool: Any) -> dict[str, Any] | None:
    """One client tool, or None for an entry that is neither a function nor a typed tool."""
    if not isinstance(tool, Mapping):
        return None
    if isinstance(tool.get("function"), Mapping):
        out = _function_tool(tool["function"])
    elif isinstance(tool.get("type"), str):
        out = _server_tool(tool)
    else:
        return None
    if tool.get("cache_control") is not None:
        out["cache_control"] = tool["cache_control"]
    return out


def _tools(tools: Any) -> list[dict[str, Any]]:
    return [t for t in map(_tool, tools) if t is not None] if isinstance(tools, list) else []


def _tool_choice(params: Mapping[str, Any]) -> dict[str, Any] | None:
    """OpenAI's tool_choice; ``parallel_tool_calls: false`` lives inside Anthropic's tool_choice
    (on ``auto`` when the client chose nothing), and cannot go on ``none``."""
    choice = params.get("tool_choice")
    out: dict[str, Any] | None = None
    if choice == "required":
        out = {"type": "any"}
    elif choice in ("auto", "none"):
        out = {"type": choice}
    elif isinstance(choice, Mapping) and isinstance(choice.get("function"), Mapping):
        name = choice["function"].get("name")
        out = {"type": "tool", "name": name} if isinstance(name, str) else None
    if params.get("parallel_tool_calls") is False and (out is None or out["type"] != "none"):
        out = {**(out or {"type": "auto"}), "disable_parallel_tool_use": True}
    return out


def _max_tokens(params: Mapping[str, Any], keys: tuple[str, ...]) -> int:
    """The client's limit, else ``DEFAULT_MAX_TOKENS``; with extended thinking the default sits
    above the thinking budget, since Anthropic requires max_tokens > budget_tokens."""
    for key in keys:
        if _is_int(params.get(key)):
            return int(params[key])
    budget = _int(_obj(params.get("thinking")).get("budget_tokens"))
    return DEFAULT_MAX_TOKENS + max(budget, 0)


def chat_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    """OpenAI chat params -> a Messages body (reference §7.3). Parameters Anthropic has no use
    for (n, seed, response_format, logprobs...) are dropped, as upstream does."""
    messages = params["messages"] if isinstance(params.get("messages"), list) else []
    out: dict[str, Any] = {"model": params["model"]} if "model" in params else {}
    out["messages"] = _turns(messages)
    system = _system(messages)
    if system:
        out["system"] = system
    out["max_tokens"] = _max_tokens(params, ("max_completion_tokens", "max_tokens"))
    out.update(_sampling(params))
    if params.get("thinking") is not None:
        out["thinking"] = params["thinking"]
    tools = _tools(params.get("tools"))
    if tools:
        out["tools"] = tools
        choice = _tool_choice(params)
        if choice is not None:
            out["tool_choice"] = choice
    return out


# ---------------------------------------------------------------- chat response


def _tool_call(block: Mapping[str, Any]) -> dict[str, Any]:
    """A tool_use block -> an OpenAI tool call, whose arguments are a JSON string."""
    arguments = _compact(block.get("input") if block.get("input") is not None else {})
    return {"id": block.get("id"), "type": "function", "function": {"name": block.get("name"), "arguments": arguments}}


def _message(blocks: list[Mapping[str, Any]], strict: bool) -> dict[str, Any]:
    """The assistant message: all text joined; ``content`` is None only when tool calls carry the
    answer, as OpenAI does. Non-strict clients also get every other block (thinking...)."""
    text = "".join(b["text"] for b in blocks if b.get("type") == "text" and isinstance(b.get("text"), str))
    calls = [_tool_call(b) for b in blocks if b.get("type") == "tool_use"]
    message: dict[str, Any] = {"role": "assistant", "content": text if text or not calls else None}
    if calls:
        message["tool_calls"] = calls
    if not strict:
        message["content_blocks"] = [b for b in blocks if b.get("type") != "tool_use"]
    return message


def chat_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """A Messages response -> ``chat.completion``. A 2xx body that is not a message (no ``content``
    list) maps to the hub error envelope instead, so callers check the result for an "error" key."""
    if not isinstance(body, Mapping) or not isinstance(body.get("content"), list):
        return _invalid(body)
    blocks = [b for b in body["content"] if isinstance(b, Mapping)]
    choice = {"index": 0, "logprobs": None, "message": _message(blocks, ctx.strict),
              "finish_reason": _finish(body.get("stop_reason"), ctx.strict)}
    return {"id": body.get("id") or ctx.fallback_id, "object": "chat.completion", "created": ctx.created,
            "model": body.get("model") or ctx.model, "provider": SLUG, "choices": [choice],
            "usage": _usage(body.get("usage"))}


# ---------------------------------------------------------------- chat stream


class ChatStream:
    """Anthropic Messages SSE events -> ``chat.completion.chunk`` events (reference §7.3 table).

    State: the message id, model and input usage from ``message_start`` (every chunk repeats
    them, and the final usage needs them), and Anthropic block index -> OpenAI tool-call index
    (tool calls count from 0 whatever text or thinking blocks precede them)."""

    __slots__ = ("_strict", "_created", "_fallback", "_id", "_model", "_usage", "_tools", "_done")

    def __init__(self, ctx: MapContext) -> None:
        self._strict, self._created, self._fallback = ctx.strict, ctx.created, ctx.fallback_id
        self._id, self._model = ctx.fallback_id, ctx.model or ""
        self._usage: Mapping[str, Any] = {}
        self._tools: dict[Any, int] = {}
        self._done = False

    def feed(self, event: Event) -> list[Event]:
        data = event.data
        if self._done or not isinstance(data, dict):
            return []
        kind = event.name or data.get("type")
        if kind == "content_block_delta":
            return self._block_delta(data)
        if kind == "content_block_start":
            return self._block_start(data)
        if kind == "message_start":
            return self._message_start(data)
        if kind == "message_delta":
            return self._message_delta(data)
        if kind in ("message_stop", "error"):
            self._done = True
            return [Event(DONE)] if kind == "message_stop" else [_error_event(data)]
        return []

    def end(self) -> list[Event]:
        return []

    def _chunk(self, delta: dict[str, Any], finish_reason: str | None = None) -> dict[str, Any]:
        """One ``chat.completion.chunk``; built inline because it runs once per token event."""
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish_reason}
        return {"id": self._id, "object": "chat.completion.chunk", "created": self._created,
                "model": self._model, "provider": SLUG, "choices": [choice]}

    def _message_start(self, data: Mapping[str, Any]) -> list[Event]:
        message = _obj(data.get("message"))
        self._id = message.get("id") or self._fallback
        self._model = message.get("model") or self._model
        self._usage = _obj(message.get("usage"))
        return [Event(self._chunk({"role": "assistant", "content": ""}))]

    def _block_start(self, data: Mapping[str, Any]) -> list[Event]:
        """A tool_use block opens an OpenAI tool call; other blocks say something only when they
        start with text, or to non-strict clients (as a ``content_blocks`` delta)."""
        block = data.get("content_block")
        if not isinstance(block, Mapping):
            return []
        index = data.get("index")
        if block.get("type") == "tool_use":
            k = self._tools[index] = len(self._tools)
            call = {"index": k, "id": block.get("id"), "type": "function",
                    "function": {"name": block.get("name"), "arguments": ""}}
            return [Event(self._chunk({"tool_calls": [call]}))]
        delta: dict[str, Any] = {}
        if block.get("type") == "text" and block.get("text"):
            delta["content"] = block["text"]
        if not self._strict:
            delta["content_blocks"] = [{"index": index, "delta": {k: v for k, v in block.items() if k != "type"}}]
        return [Event(self._chunk(delta))] if delta else []

    def _block_delta(self, data: Mapping[str, Any]) -> list[Event]:
        """Text -> ``content``; JSON of a tool_use block -> argument fragments; thinking, signature
        and citation deltas reach only non-strict clients, as ``content_blocks`` deltas."""
        delta = data.get("delta")
        if not isinstance(delta, Mapping):
            return []
        index, kind = data.get("index"), delta.get("type")
        if kind == "input_json_delta" and index in self._tools:
            fragment = delta.get("partial_json")
            if not fragment:  # Anthropic opens every tool input with an empty fragment
                return []
            call = {"index": self._tools[index], "function": {"arguments": fragment}}
            return [Event(self._chunk({"tool_calls": [call]}))]
        out: dict[str, Any] = {"content": delta.get("text", "")} if kind == "text_delta" else {}
        if not self._strict:
            out["content_blocks"] = [{"index": index, "delta": {k: v for k, v in delta.items() if k != "type"}}]
        return [Event(self._chunk(out))] if out else []

    def _message_delta(self, data: Mapping[str, Any]) -> list[Event]:
        """The final chunk: finish_reason and usage. message_delta's usage is cumulative, so its
        counts (server tools can add input) win over message_start's."""
        delta, late = _obj(data.get("delta")), _obj(data.get("usage"))
        usage = {**self._usage, **{k: v for k, v in late.items() if v is not None}}
        chunk = self._chunk({}, _finish(delta.get("stop_reason"), self._strict))
        chunk["usage"] = _usage(usage)
        return [Event(chunk)]


# ---------------------------------------------------------------- legacy text completions (/complete)


def _legacy_prompt(prompt: Any) -> str:
    """The legacy API wants ``\\n\\nHuman: ...\\n\\nAssistant:``. Upstream always wraps; a prompt
    already in that form is kept (only completed with the Assistant turn it needs) rather than
    nested in a second Human turn. A list of prompts (OpenAI batching) is joined: Anthropic has no n."""
    if isinstance(prompt, list):
        prompt = "\n".join(p for p in prompt if isinstance(p, str))
    text = prompt if isinstance(prompt, str) else ""
    if not text.startswith(_HUMAN):
        return f"{_HUMAN} {text}{_ASSISTANT}"
    return text if _ASSISTANT in text else text + _ASSISTANT


def complete_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    """OpenAI completions params -> a legacy ``/complete`` body."""
    out: dict[str, Any] = {"model": params["model"]} if "model" in params else {}
    out["prompt"] = _legacy_prompt(params.get("prompt"))
    out["max_tokens_to_sample"] = _max_tokens(params, ("max_tokens",))
    out.update(_sampling(params))
    return out


def _text_choice(data: Mapping[str, Any], finish_reason: str | None) -> dict[str, Any]:
    text = data.get("completion") if isinstance(data.get("completion"), str) else ""
    return {"text": text, "index": 0, "logprobs": None, "finish_reason": finish_reason}


def complete_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """A ``/complete`` response -> ``text_completion``; a body without ``completion`` -> the hub
    error envelope (callers check for an "error" key)."""
    if not isinstance(body, Mapping) or not isinstance(body.get("completion"), str):
        return _invalid(body)
    return {"id": body.get("id") or body.get("log_id") or ctx.fallback_id, "object": "text_completion",
            "created": ctx.created, "model": body.get("model") or ctx.model, "provider": SLUG,
            "choices": [_text_choice(body, _finish(body.get("stop_reason"), ctx.strict))]}


class CompleteStream:
    """Legacy ``event: completion`` SSE -> ``text_completion`` chunks. The event carrying a
    stop_reason is the last one, so ``DONE`` follows it; the first id seen labels every chunk."""

    __slots__ = ("_ctx", "_id", "_done")

    def __init__(self, ctx: MapContext) -> None:
        self._ctx, self._id, self._done = ctx, "", False

    def feed(self, event: Event) -> list[Event]:
        data = event.data
        if self._done:
            return []
        if data == DONE:
            self._done = True
            return [Event(DONE)]
        kind = event.name or (data.get("type") if isinstance(data, dict) else None)
        if not isinstance(data, dict) or kind not in ("completion", "error"):
            return []
        if kind == "error":
            self._done = True
            return [_error_event(data)]
        return self._completion(data)

    def end(self) -> list[Event]:
        return []

    def _completion(self, data: Mapping[str, Any]) -> list[Event]:
        self._id = self._id or data.get("id") or data.get("log_id") or self._ctx.fallback_id
        reason = data.get("stop_reason")
        finish = _finish(reason, self._ctx.strict) if reason else None
        chunk = {"id": self._id, "object": "text_completion", "created": self._ctx.created,
                 "model": data.get("model") or self._ctx.model or "", "provider": SLUG,
                 "choices": [_text_choice(data, finish)]}
        if not reason:
            return [Event(chunk)]
        self._done = True
        return [Event(chunk), Event(DONE)]


# ---------------------------------------------------------------- the provider

CHAT = Translation(request=chat_request, response=chat_response, error=error_response, stream=ChatStream)
COMPLETE = Translation(request=complete_request, response=complete_response, error=error_response,
                       stream=CompleteStream)

PROVIDER = Provider(
    slug=SLUG,
    base_url="https://api.anthropic.com/v1",
    endpoints={"chatComplete": "/messages", "complete": "/complete", "messages": "/messages",
               "messagesCountTokens": "/messages/count_tokens"},
    params={"messages": MESSAGES, "messagesCountTokens": COUNT_TOKENS},
    headers=_headers,
    translations={"chatComplete": CHAT, "complete": COMPLETE},
    client_options={"anthropic-beta": "anthropic_beta", "anthropic-version": "anthropic_version",
                    "x-api-key": "anthropic_api_key"},
)
