"""Token counts, taken from an answer the gateway is passing on anyway, without parsing it whole.

Why a scan and not ``json.loads``: bodies may be megabytes (embeddings) and streams arrive in
pieces; every shape this gateway answers in names its counts in a ``"usage"`` object (OpenAI chat and
completions, the Responses API, Anthropic's ``message_start`` / ``message_delta``), so finding that key
and decoding only the object after it costs microseconds whatever the size.
"""

from __future__ import annotations

import json

_KEY = b'"usage"'
_CARRY_LIMIT = 4096
_DECODER = json.JSONDecoder()
INPUT_FIELDS = ("prompt_tokens", "input_tokens")
OUTPUT_FIELDS = ("completion_tokens", "output_tokens")


class UsageScan:
    """Feed it the bytes of an answer in order; ``input`` / ``output`` hold the last counts seen."""

    __slots__ = ("input", "output", "_carry", "_tail")

    def __init__(self) -> None:
        self.input: int | None = None
        self.output: int | None = None
        self._carry = b""
        self._tail = b""  # the last bytes seen, in case the key itself is cut in two

    def feed(self, chunk: bytes) -> None:
        tail, edge = self._tail, len(_KEY) - 1
        self._tail = chunk[-edge:] if len(chunk) >= edge else (tail + chunk)[-edge:]
        if self._carry:
            chunk, self._carry = self._carry + chunk, b""
        elif tail and _KEY in tail + chunk[:edge]:
            chunk = tail + chunk
        elif _KEY not in chunk:
            return
        start = chunk.find(_KEY)
        while start >= 0:
            if not self._decode(chunk, start):
                tail = chunk[start:]
                self._carry = tail if len(tail) <= _CARRY_LIMIT else b""
                return
            start = chunk.find(_KEY, start + len(_KEY))

    def scan(self, body: bytes) -> None:
        """A whole answer (not streamed), as ``feed(body)`` on a fresh scan reads it, without the
        bookkeeping for pieces still to come."""
        start = body.find(_KEY)
        while start >= 0 and self._decode(body, start):
            start = body.find(_KEY, start + len(_KEY))

    def _decode(self, data: bytes, start: int) -> bool:
        """Read the object after ``"usage"`` at ``start``; False when it is cut off (wait for more)."""
        end = start + len(_KEY)
        if data[end:end + 2] == b': ' or data[end:end + 2] == b':{':  # the usual shapes: skip the strips
            body = data[end + 1:end + _CARRY_LIMIT].decode("utf-8", "replace").lstrip()
        else:
            stripped = data[end:end + _CARRY_LIMIT].decode("utf-8", "replace").lstrip()
            if not stripped.startswith(":"):
                return bool(stripped)  # not a key after all (or nothing yet)
            body = stripped[1:].lstrip()
        if not body:
            return False
        try:
            value, _ = _DECODER.raw_decode(body)
        except ValueError:
            return len(body) >= _CARRY_LIMIT - 16  # cut off (or garbage too long to wait for)
        if isinstance(value, dict):
            self._take(value)
        return True

    def _take(self, usage: dict[str, object]) -> None:
        for name in INPUT_FIELDS:
            value = usage.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                self.input = value
                break
        for name in OUTPUT_FIELDS:
            value = usage.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                self.output = value
                break
