"""Anthropic Messages as a client format: ``/v1/messages`` on every chat provider.

An Anthropic SDK (or Claude Code) posts a Messages request. A provider without a Messages API is
reached through the hub (OpenAI chat), so this module maps the request to chat params, and the
chat answer, its errors and its chunk stream back to Anthropic's Message, error body and named
SSE events. Everything is pure: no I/O, no module state; the stream mapper is one small object
per stream.

What chat cannot express is dropped, never refused: ``cache_control``, Anthropic's server tools
(web search, bash, code execution ...), thinking blocks in the history, ``service_tier``,
``container``, ``mcp_servers``, ``context_management`` and fields this module does not know.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Mapping
from typing import Any

from ..transform.events import DONE, Event, MapContext
from . import ClientFormat

# Separate blocks of a user or system turn are separate paragraphs to the model.
_PARAGRAPH = "\n\n"
_RENAMES = (("max_tokens", "max_completion_tokens"), ("stop_sequences", "stop"), ("temperature", "temperature"),
            ("top_p", "top_p"), ("top_k", "top_k"))
_TOOL_CHOICES = {"auto": "auto", "any": "required", "none": "none"}
# ``output_config.effort``: chat's reasoning_effort stops at "high" on most providers.
_EFFORTS = {"low": "low", "medium": "medium", "high": "high", "xhigh": "high", "max": "high"}
_STOP_REASONS = {"stop": "end_turn", "length": "max_tokens", "tool_calls": "tool_use",
                 "function_call": "tool_use", "content_filter": "refusal"}
_ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 402: "billing_error",
                403: "permission_error", 404: "not_found_error", 408: "timeout_error", 413: "request_too_large",
                429: "rate_limit_error", 504: "timeout_error", 529: "overloaded_error"}
# Token estimate (count_tokens without a counting API): ~4 characters a token, plus fixed costs.
_CHARS_PER_TOKEN = 4
_MESSAGE_TOKENS = 4  # role and turn markers, as OpenAI's and Anthropic's chat templates add
_IMAGE_TOKENS = 1600  # Anthropic's documented cost of a full-size image (~1.15 megapixels / 750)
_PAGE_TOKENS = 2250  # Anthropic documents 1,500-3,000 tokens for a PDF page (text + page image)
_PDF_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


# --- small readers -----------------------------------------------------------------------------
def _dicts(value: Any) -> list[dict[str, Any]]:
    """The dict items of a list (a client may send anything; a non-dict block is skipped)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _int(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def _texts(content: Any) -> list[str]:
    """The text of a string or of content blocks. A non-text block leaves a short placeholder,
    so the model still knows something was there (chat has no place for it)."""
    if isinstance(content, str):
        return [content]
    return [block["text"] if block.get("type") == "text" and isinstance(block.get("text"), str)
            else f"[{block.get('type')} omitted]" for block in _dicts(content)]


# --- request: Anthropic Messages -> hub params ---------------------------------------------------
def request(body: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
    """The client's Messages body as chat params. The hub provider's own parameter map then
    whitelists and renames them (``top_k``, ``thinking`` survive only where a provider takes them)."""
    out: dict[str, Any] = {"model": body["model"]} if "model" in body else {}
    out["messages"] = _system_messages(body.get("system")) + _chat_messages(body.get("messages"))
    for name, hub_name in _RENAMES:
        if body.get(name) not in (None, []):
            out[hub_name] = body[name]
    user_id = _dict(body.get("metadata")).get("user_id")
    if isinstance(user_id, str):
        out["user"] = user_id
    if body.get("stream") is True:
        # include_usage: the usage chunk is where message_delta's token counts come from.
        out.update(stream=True, stream_options={"include_usage": True})
    out.update(_tools(body.get("tools"), body.get("tool_choice")))
    out.update(_reasoning(body.get("thinking"), body.get("output_config")))
    out.update(_response_format(body.get("output_config")))
    return out


def _system_messages(system: Any) -> list[dict[str, Any]]:
    """Anthropic's top-level system prompt is chat's leading system message."""
    text = _PARAGRAPH.join(_texts(system))
    return [{"role": "system", "content": text}] if text else []


def _chat_messages(messages: Any) -> list[dict[str, Any]]:
    """Each Anthropic turn becomes one or more chat messages (tool results become ``tool``
    messages of their own)."""
    out: list[dict[str, Any]] = []
    for message in _dicts(messages):
        if message.get("role") == "assistant":
            out += _assistant_messages(message.get("content"))
        elif message.get("role") == "user":
            out += _user_messages(message.get("content"))
    return out


def _user_messages(content: Any) -> list[dict[str, Any]]:
    """Tool results go first: chat wants every ``tool`` message right after the assistant's
    ``tool_calls``, so the rest of the turn follows them as one user message."""
    if isinstance(content, str):
        return [{"role": "user", "content": content}]
    blocks = _dicts(content)
    out = [_tool_message(block) for block in blocks if block.get("type") == "tool_result"]
    parts = [part for block in blocks if block.get("type") != "tool_result" for part in _user_parts(block)]
    if parts:
        out.append({"role": "user", "content": _collapse(parts)})
    return out


def _collapse(parts: list[dict[str, Any]]) -> Any:
    """All-text content becomes a plain string: many OpenAI-shaped servers (DeepSeek, several
    Groq and Ollama models) reject a list of parts, and Claude Code always sends lists."""
    if all(part["type"] == "text" for part in parts):
        return _PARAGRAPH.join(part["text"] for part in parts)
    return parts


def _user_parts(block: dict[str, Any]) -> list[dict[str, Any]]:
    """One user block as chat content parts (none when chat has no equivalent)."""
    kind = block.get("type")
    if kind == "text":
        return [{"type": "text", "text": block["text"]}] if isinstance(block.get("text"), str) else []
    if kind == "image":
        return _image_parts(_dict(block.get("source")))
    if kind == "document":
        return _document_parts(block)
    return []


def _image_parts(source: dict[str, Any]) -> list[dict[str, Any]]:
    """base64 becomes a data URL, a URL stays one; a Files API id means nothing elsewhere."""
    if source.get("type") == "base64":
        url = f"data:{source.get('media_type') or 'image/png'};base64,{_text(source.get('data'))}"
    elif source.get("type") == "url" and isinstance(source.get("url"), str):
        url = source["url"]
    else:
        return []
    return [{"type": "image_url", "image_url": {"url": url}}]


def _document_parts(block: dict[str, Any]) -> list[dict[str, Any]]:
    """A PDF is chat's ``file`` part; a text document is its text."""
    source = _dict(block.get("source"))
    kind = source.get("type")
    if kind == "base64":
        data = f"data:{source.get('media_type') or 'application/pdf'};base64,{_text(source.get('data'))}"
        name = block.get("title") if isinstance(block.get("title"), str) and block["title"] else "document.pdf"
        return [{"type": "file", "file": {"file_data": data, "filename": name}}]
    if kind == "text":
        return [{"type": "text", "text": _text(source.get("data"))}]
    if kind == "content":
        return [{"type": "text", "text": _PARAGRAPH.join(_texts(source.get("content")))}]
    if kind == "url":
        # Chat's file part takes inline data or an OpenAI file id, never a URL: name the URL instead.
        return [{"type": "text", "text": f"Document: {_text(source.get('url'))}"}]
    return []


def _tool_message(block: dict[str, Any]) -> dict[str, Any]:
    """A tool result as chat's ``tool`` message, which holds text only."""
    text = _PARAGRAPH.join(_texts(block.get("content")))
    if block.get("is_error") is True:
        text = f"Error: {text}"
    return {"role": "tool", "tool_call_id": block.get("tool_use_id"), "content": text}


def _assistant_messages(content: Any) -> list[dict[str, Any]]:
    """Text blocks are joined with nothing between them: Anthropic splits one answer into
    several text blocks at citation boundaries. Thinking blocks are Claude-signed and dropped."""
    if isinstance(content, str):
        return [{"role": "assistant", "content": content}]
    blocks = _dicts(content)
    texts = [block["text"] for block in blocks if block.get("type") == "text" and isinstance(block.get("text"), str)]
    calls = [_tool_call(block) for block in blocks if block.get("type") == "tool_use"]
    if not texts and not calls:
        return []
    message: dict[str, Any] = {"role": "assistant", "content": "".join(texts) if texts else None}
    if calls:
        message["tool_calls"] = calls
    return [message]


def _tool_call(block: dict[str, Any]) -> dict[str, Any]:
    arguments = json.dumps(block.get("input") if block.get("input") is not None else {}, ensure_ascii=False)
    return {"id": block.get("id"), "type": "function", "function": {"name": block.get("name"), "arguments": arguments}}


def _tools(tools: Any, choice: Any) -> dict[str, Any]:
    """Custom tools become functions; server tools (``web_search_*``, ``bash_*`` ...) run on
    Anthropic's side and have no chat equivalent. Without tools left, chat rejects a tool_choice."""
    functions = [_function(tool) for tool in _dicts(tools)
                 if tool.get("type") in (None, "custom") and isinstance(tool.get("name"), str)]
    if not functions:
        return {}
    out: dict[str, Any] = {"tools": functions}
    choice = _dict(choice)
    if choice.get("type") in _TOOL_CHOICES:
        out["tool_choice"] = _TOOL_CHOICES[choice["type"]]
    elif choice.get("type") == "tool":
        out["tool_choice"] = {"type": "function", "function": {"name": choice.get("name")}}
    if choice.get("disable_parallel_tool_use") is True:
        out["parallel_tool_calls"] = False
    return out


def _function(tool: dict[str, Any]) -> dict[str, Any]:
    function: dict[str, Any] = {"name": tool["name"]}
    if isinstance(tool.get("description"), str):
        function["description"] = tool["description"]
    function["parameters"] = tool.get("input_schema") or {"type": "object", "properties": {}}
    if isinstance(tool.get("strict"), bool):
        function["strict"] = tool["strict"]
    return {"type": "function", "function": function}


def _reasoning(thinking: Any, output_config: Any) -> dict[str, Any]:
    """Thinking as chat's ``reasoning_effort``; ``thinking`` itself stays for a hub provider that
    speaks it (Claude behind a translation), OpenAI-shaped whitelists drop it. An explicit
    ``output_config.effort`` is the better signal and wins over a budget."""
    out: dict[str, Any] = {}
    thinking = _dict(thinking)
    if thinking.get("type") not in (None, "disabled"):
        out["thinking"] = dict(thinking)
        budget = thinking.get("budget_tokens")
        if thinking["type"] == "enabled" and isinstance(budget, int):
            out["reasoning_effort"] = "low" if budget < 4096 else "medium" if budget < 16384 else "high"
    effort = _dict(output_config).get("effort")
    if isinstance(effort, str) and effort in _EFFORTS:
        out["reasoning_effort"] = _EFFORTS[effort]
    return out


def _response_format(output_config: Any) -> dict[str, Any]:
    """Structured outputs: Anthropic's ``output_config.format`` is chat's json_schema format."""
    fmt = _dict(_dict(output_config).get("format"))
    if fmt.get("type") != "json_schema" or not isinstance(fmt.get("schema"), dict):
        return {}
    return {"response_format": {"type": "json_schema", "json_schema": {"name": "response", "schema": fmt["schema"]}}}


# --- response: hub chat.completion -> Anthropic Message ------------------------------------------
def response(hub: Mapping[str, Any], ctx: MapContext) -> dict[str, Any]:
    """The hub's completion as an Anthropic Message. No output at all gives ``content: []``, as
    Anthropic's API itself does (the SDKs and Claude Code handle it; an empty text block would
    be rejected by Anthropic if the client sent this turn back)."""
    choice = _choice(hub.get("choices"))
    message = _dict(choice.get("message"))
    msg_id = _message_id(hub.get("id"), ctx)
    text = _message_text(message.get("content"))
    refused = not text and isinstance(message.get("refusal"), str) and bool(message["refusal"])
    content = _thinking_blocks(message) + _text_blocks(message["refusal"] if refused else text)
    tools = _tool_use_blocks(message, msg_id)
    return {
        "id": msg_id, "type": "message", "role": "assistant", "model": hub.get("model") or ctx.model or "",
        "content": content + tools,
        "stop_reason": "refusal" if refused else _stop_reason(choice.get("finish_reason"), bool(tools)),
        "stop_sequence": None, "usage": _usage(hub.get("usage")),
    }


def _choice(choices: Any) -> dict[str, Any]:
    """Choice 0: a Message has one answer (``n`` does not exist in Anthropic's API)."""
    if isinstance(choices, list) and choices and isinstance(choices[0], dict) and choices[0].get("index", 0) == 0:
        return choices[0]  # every chunk of a stream: skip the search
    found = _dicts(choices)
    return next((choice for choice in found if choice.get("index", 0) == 0), found[0] if found else {})


def _message_id(raw: Any, ctx: MapContext) -> str:
    """Anthropic ids start with ``msg_``; a hub id that does not gets the prefix."""
    raw = raw if isinstance(raw, str) and raw else ctx.fallback_id
    return raw if raw.startswith("msg_") else f"msg_{raw}"


def _reasoning_text(source: dict[str, Any]) -> str:
    """Visible reasoning: ``reasoning_content`` (DeepSeek, vLLM) or ``reasoning`` (Groq, OpenRouter)."""
    for key in ("reasoning_content", "reasoning"):
        if isinstance(source.get(key), str) and source[key]:
            return str(source[key])
    return ""


def _message_text(content: Any) -> str:
    if isinstance(content, list):
        return "".join(_text(part.get("text")) for part in _dicts(content) if part.get("type") == "text")
    return _text(content)


def _thinking_blocks(message: dict[str, Any]) -> list[dict[str, Any]]:
    """The signature is empty: only Anthropic can sign, and this turn's thinking is dropped
    anyway when the client sends the history back."""
    reasoning = _reasoning_text(message)
    return [{"type": "thinking", "thinking": reasoning, "signature": ""}] if reasoning else []


def _text_blocks(text: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": text}] if text else []


def _tool_use_blocks(message: dict[str, Any], msg_id: str) -> list[dict[str, Any]]:
    """One tool_use block per tool call (legacy ``function_call`` too). A call without an id gets
    one derived from the message id, so the client's tool_result can still refer to it."""
    calls = _dicts(message.get("tool_calls"))
    if isinstance(message.get("function_call"), dict):
        calls.append({"function": message["function_call"]})
    blocks = []
    for n, call in enumerate(calls):
        function = _dict(call.get("function"))
        call_id = call.get("id") if isinstance(call.get("id"), str) and call["id"] else f"toolu_{msg_id[4:]}_{n}"
        blocks.append({"type": "tool_use", "id": call_id, "name": _text(function.get("name")),
                       "input": _tool_input(function.get("arguments"))})
    return blocks


def _tool_input(arguments: Any) -> dict[str, Any]:
    """Anthropic's ``input`` is an object. Arguments that are not a JSON object (a model's broken
    JSON) become ``{}``: the client's tool then reports missing parameters and the model retries."""
    if isinstance(arguments, dict):
        return arguments
    try:
        parsed = json.loads(arguments) if isinstance(arguments, str) and arguments else {}
    except ValueError:
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _stop_reason(finish: Any, has_tools: bool) -> str:
    """Some servers (older Ollama, vLLM) say ``stop`` after tool calls: they are still tool_use,
    which is what Anthropic clients loop on."""
    if has_tools and finish in (None, "stop"):
        return "tool_use"
    return _STOP_REASONS.get(finish, "end_turn") if isinstance(finish, str) else "end_turn"


def _usage(usage: Any) -> dict[str, int]:
    """Anthropic counts cached input apart from ``input_tokens``; chat counts it inside
    ``prompt_tokens`` (``prompt_cache_hit_tokens`` is DeepSeek's older name for it)."""
    usage = _dict(usage)
    cached = _int(_dict(usage.get("prompt_tokens_details")).get("cached_tokens"))
    cached = cached or _int(usage.get("prompt_cache_hit_tokens"))
    return {"input_tokens": max(_int(usage.get("prompt_tokens")) - cached, 0),
            "output_tokens": _int(usage.get("completion_tokens")),
            "cache_creation_input_tokens": _int(usage.get("cache_creation_input_tokens")),
            "cache_read_input_tokens": cached}


# --- errors --------------------------------------------------------------------------------------
def error(status: int, envelope: Mapping[str, Any]) -> dict[str, Any]:
    """A hub error envelope as Anthropic's error body, which the SDKs map to their exception
    classes by status and Claude Code reads by ``error.type``."""
    envelope = _dict(envelope)
    kind = _error_type(status, envelope)
    body: dict[str, Any] = {"type": "error", "error": {"type": kind, "message": _error_message(envelope)}}
    if envelope.get("provider"):
        body["provider"] = envelope["provider"]
    return body


def _error_type(status: int, envelope: dict[str, Any]) -> str:
    """By status, as Anthropic's API does; an overloaded provider (often a 503) is
    ``overloaded_error``, which Claude Code retries."""
    if _overloaded(envelope):
        return "overloaded_error"
    if status in _ERROR_TYPES:
        return _ERROR_TYPES[status]
    return "invalid_request_error" if 400 <= status < 500 else "api_error"


def _overloaded(envelope: dict[str, Any]) -> bool:
    return "overloaded" in str(_dict(envelope.get("error")).get("type") or "")


def _error_message(envelope: dict[str, Any]) -> str:
    """The message wherever the envelope keeps it: OpenAI's ``error.message``, the gateway's
    ``{"status": "failure", "message"}``, a non-JSON upstream's ``html-message``; else the JSON."""
    inner = envelope.get("error")
    if isinstance(inner, dict) and isinstance(inner.get("message"), str):
        return inner["message"]
    if isinstance(inner, str):
        return inner
    for key in ("message", "html-message"):
        if isinstance(envelope.get(key), str):
            return str(envelope[key])
    return json.dumps(envelope, ensure_ascii=False)


# --- stream: hub chunks -> Anthropic events ------------------------------------------------------
def _event(data: dict[str, Any]) -> Event:
    return Event(data, data["type"])


def _block_delta(index: int, delta: dict[str, Any]) -> Event:
    return Event({"type": "content_block_delta", "index": index, "delta": delta}, "content_block_delta")


def _block_stop(index: int) -> Event:
    return Event({"type": "content_block_stop", "index": index}, "content_block_stop")


class _Tool:
    """One streamed tool call: its chat id, its Anthropic block index, its argument fragments."""

    __slots__ = ("call_id", "index", "fragments")

    def __init__(self, call_id: str | None, index: int) -> None:
        self.call_id = call_id
        self.index = index
        self.fragments: list[str] = []

    def finished(self) -> bool:
        """Whether the arguments so far are a whole JSON value (so no fragment is still owed)."""
        try:
            json.loads("".join(self.fragments))
        except ValueError:
            return False
        return True


class MessagesStream:
    """Hub chunks -> Anthropic's event sequence: ``message_start``, content blocks (start, deltas,
    stop) numbered from 0, then ``message_delta`` and ``message_stop`` on the hub's DONE.

    Anthropic streams one block at a time; chat may interleave tool-call fragments by tool index.
    A change of kind closes the open block. A new tool call closes the earlier tool blocks whose
    arguments are already whole JSON (the usual case: blocks come out one after another, as
    Anthropic's do) and leaves the others open, so a late fragment never lands on a stopped block
    (a client may finish a block, and parse a tool's input, at its ``content_block_stop``)."""

    __slots__ = ("_ctx", "_started", "_over", "_id", "_kind", "_index", "_next", "_tools", "_open_tools",
                 "_finish", "_refused", "_usage")

    def __init__(self, ctx: MapContext) -> None:
        self._ctx = ctx
        self._started = False
        self._over = False  # after DONE or an error nothing more is emitted
        self._id = ""
        self._kind: str | None = None  # the open text or thinking block, if any
        self._index = -1  # its Anthropic index
        self._next = 0
        self._tools: dict[int, _Tool] = {}  # chat tool index -> the tool call it streams now
        self._open_tools: list[_Tool] = []  # tool blocks not yet stopped, in block order
        self._finish: Any = None
        self._refused = False  # OpenAI's structured-output refusal, streamed as delta.refusal
        self._usage: dict[str, Any] | None = None

    def feed(self, event: Event) -> list[Event]:
        if self._over:
            return []
        data = event.data
        if event.name == "error" or (isinstance(data, dict) and "error" in data and "choices" not in data):
            self._over = True
            return [_error_event(data)]
        if data == DONE:
            self._over = True
            return self._done()
        return self._chunk(data) if isinstance(data, dict) else []

    def end(self) -> list[Event]:
        """Nothing owed: whether the stream completed is the core's call (DONE already closed it)."""
        return []

    def _chunk(self, chunk: dict[str, Any]) -> list[Event]:
        usage = chunk.get("usage")
        if isinstance(usage, dict):
            self._usage = usage
        choice = _choice(chunk.get("choices"))
        if not choice and not isinstance(usage, dict):
            return []  # Azure's prompt-filter chunk, keep-alives: nothing to say yet
        out = self._start(chunk)
        delta = _dict(choice.get("delta"))
        reasoning = _reasoning_text(delta)
        if reasoning:
            out += self._text_delta("thinking", reasoning)
        if isinstance(delta.get("content"), str) and delta["content"]:
            out += self._text_delta("text", delta["content"])
        if isinstance(delta.get("refusal"), str) and delta["refusal"]:
            self._refused = True
            out += self._text_delta("text", delta["refusal"])
        for position, call in enumerate(_dicts(delta.get("tool_calls"))):
            out += self._tool_delta(call, position)
        if choice.get("finish_reason"):
            self._finish = choice["finish_reason"]
        return out

    def _start(self, chunk: dict[str, Any] | None) -> list[Event]:
        if self._started:
            return []
        self._started = True
        chunk = chunk or {}
        self._id = _message_id(chunk.get("id"), self._ctx)
        message: dict[str, Any] = {
            "id": self._id, "type": "message", "role": "assistant",
            "model": chunk.get("model") or self._ctx.model or "", "content": [], "stop_reason": None,
            "stop_sequence": None, "usage": {"input_tokens": 0, "output_tokens": 0}}
        return [_event({"type": "message_start", "message": message})]

    def _close(self, keep_unfinished: bool = False) -> list[Event]:
        """Stop the open text or thinking block and the tool blocks (but those whose arguments
        are still incomplete when ``keep_unfinished``). A thinking block gets an empty signature
        first: Anthropic always sends one before the stop, and the SDKs store it."""
        out: list[Event] = []
        if self._kind == "thinking":
            out.append(_block_delta(self._index, {"type": "signature_delta", "signature": ""}))
        if self._kind is not None:
            out.append(_block_stop(self._index))
            self._kind = None
        kept = [tool for tool in self._open_tools if keep_unfinished and not tool.finished()]
        out += [_block_stop(tool.index) for tool in self._open_tools if tool not in kept]
        self._open_tools = kept
        return out

    def _text_delta(self, kind: str, text: str) -> list[Event]:
        """A text or thinking fragment: ``{"type": "text_delta", "text": ...}`` and likewise."""
        out: list[Event] = []
        if self._kind != kind:
            out = self._close()
            block = {"type": kind, kind: "", "signature": ""} if kind == "thinking" else {"type": kind, kind: ""}
            self._kind, self._index = kind, self._new_block(out, block)
        out.append(_block_delta(self._index, {"type": f"{kind}_delta", kind: text}))
        return out

    def _new_block(self, out: list[Event], block: dict[str, Any]) -> int:
        index, self._next = self._next, self._next + 1
        out.append(_event({"type": "content_block_start", "index": index, "content_block": block}))
        return index

    def _tool_delta(self, call: dict[str, Any], position: int) -> list[Event]:
        """A tool-call fragment. A new chat tool index opens a tool_use block; so does a known
        index with another id (servers that number every call 0)."""
        key = call["index"] if isinstance(call.get("index"), int) else position
        function = _dict(call.get("function"))
        call_id = call.get("id") if isinstance(call.get("id"), str) and call["id"] else None
        tool = self._tools.get(key)
        out: list[Event] = []
        if tool is None or (call_id is not None and tool.call_id is not None and call_id != tool.call_id):
            tool = self._open_tool(out, key, call_id, _text(function.get("name")))
        arguments = function.get("arguments")
        if isinstance(arguments, dict):  # a few servers send the object itself
            arguments = json.dumps(arguments, ensure_ascii=False)
        if isinstance(arguments, str) and arguments:
            tool.fragments.append(arguments)
            out.append(_block_delta(tool.index, {"type": "input_json_delta", "partial_json": arguments}))
        return out

    def _open_tool(self, out: list[Event], key: int, call_id: str | None, name: str) -> _Tool:
        out += self._close(keep_unfinished=True)
        block_id = call_id or f"toolu_{self._id[4:]}_{self._next}"
        block = {"type": "tool_use", "id": block_id, "name": name, "input": {}}
        tool = self._tools[key] = _Tool(call_id, self._new_block(out, block))
        self._open_tools.append(tool)
        return tool

    def _done(self) -> list[Event]:
        out = self._start(None) + self._close()
        usage = _usage(self._usage) if self._usage is not None else {"output_tokens": 0}
        reason = "refusal" if self._refused else _stop_reason(self._finish, bool(self._tools))
        out.append(_event({"type": "message_delta", "delta": {"stop_reason": reason, "stop_sequence": None},
                           "usage": usage}))
        out.append(_event({"type": "message_stop"}))
        return out


def _error_event(data: Any) -> Event:
    """A hub error as Anthropic's ``error`` event, on which the SDKs raise."""
    envelope = _dict(data)
    kind = "overloaded_error" if _overloaded(envelope) else "api_error"
    return Event({"type": "error", "error": {"type": kind, "message": _error_message(envelope)}}, "error")


def stream(ctx: MapContext) -> MessagesStream:
    return MessagesStream(ctx)


# --- count_tokens estimate -----------------------------------------------------------------------
def estimate(body: Mapping[str, Any]) -> int:
    """An estimate, not a count, for ``/v1/messages/count_tokens`` on providers that cannot
    count: about four characters a token over the system prompt, message content, tool inputs,
    tool results and tool definitions, plus a few tokens a message and fixed costs for images
    and PDF pages. Good enough for a client's context-window bookkeeping; at least 1."""
    chars, tokens = _content_cost(body.get("system"))
    for message in _dicts(body.get("messages")):
        message_chars, message_tokens = _content_cost(message.get("content"))
        chars += message_chars
        tokens += message_tokens + _MESSAGE_TOKENS
    tools = _dicts(body.get("tools"))
    if tools:
        chars += len(json.dumps(tools, ensure_ascii=False))
    return max(1, chars // _CHARS_PER_TOKEN + tokens)


def _content_cost(content: Any) -> tuple[int, int]:
    """(characters, fixed tokens) of a string or of content blocks."""
    if isinstance(content, str):
        return len(content), 0
    chars = tokens = 0
    for block in _dicts(content):
        block_chars, block_tokens = _block_cost(block)
        chars += block_chars
        tokens += block_tokens
    return chars, tokens


def _block_cost(block: dict[str, Any]) -> tuple[int, int]:
    kind = block.get("type")
    if kind == "text":
        return len(_text(block.get("text"))), 0
    if kind == "image":
        return 0, _IMAGE_TOKENS
    if kind == "document":
        return _document_cost(_dict(block.get("source")))
    if kind == "tool_use":
        return len(_text(block.get("name"))) + len(json.dumps(block.get("input"), ensure_ascii=False)), 0
    if kind == "tool_result":
        return _content_cost(block.get("content"))
    if kind in ("thinking", "redacted_thinking"):
        return 0, 0  # not sent on (and Anthropic does not count earlier turns' thinking either)
    return len(json.dumps(block, ensure_ascii=False)), 0


def _document_cost(source: dict[str, Any]) -> tuple[int, int]:
    if source.get("type") == "text":
        return len(_text(source.get("data"))), 0
    if source.get("type") == "content":
        return _content_cost(source.get("content"))
    if source.get("type") == "base64":
        return 0, _PAGE_TOKENS * _pdf_pages(source.get("data"))
    return 0, _PAGE_TOKENS  # a URL or file id: its size is unknown here, guess one page


def _pdf_pages(data: Any) -> int:
    """Page objects in the PDF (at least 1: compressed object streams hide them)."""
    try:
        raw = base64.b64decode(_text(data))
    except (binascii.Error, ValueError):
        return 1
    return max(1, len(_PDF_PAGE.findall(raw)))


FORMAT = ClientFormat(hub_fn="chatComplete", request=request, response=response, error=error, stream=stream,
                      framing="named-sse", count_fn="messagesCountTokens", estimate=estimate)
