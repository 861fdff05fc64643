"""A tap on an answer stream in the client's format (OpenAI chunks or Anthropic events): it puts
the answer back together while the bytes flow on, so output guardrails can judge it and the cache
can keep it once the stream has really finished.

Two ways through. With nothing to add at the end, chunks pass on exactly as they came and are
parsed on the side. With something to add (the guardrails' verdict), the stream is cut into its
events, each passed on as it completes, except the terminator (``data: [DONE]`` or
``message_stop``), which is held back so the verdict event can go just before it, or an error
event can replace it when an output guardrail denies. Data that is not JSON passes on untouched.
"""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from .cache.assemble import Assembler
from .transform.events import DONE, Event
from .transform.framing import SseBlocks

log = logging.getLogger("gateway.streamtap")


@dataclass(frozen=True)
class Ending:
    """What goes out when the stream has finished: ``extra`` before the terminator, or
    ``replacement`` instead of it."""

    extra: bytes = b""
    replacement: bytes | None = None


Finish = Callable[[Assembler], Awaitable[Ending]]
Keep = Callable[[dict[str, Any]], Awaitable[None]]


def _event(block: str) -> Event | None:
    name, data = None, []
    for line in block.split("\n"):
        field, _, value = line.partition(":")
        value = value[1:] if value.startswith(" ") else value
        if field == "data":
            data.append(value)
        elif field == "event":
            name = value
    if not data:
        return None
    text = "\n".join(data)
    if text == DONE:
        return Event(DONE, name)
    try:
        return Event(json.loads(text), name)
    except ValueError:
        return None


def is_terminator(event: Event) -> bool:
    data = event.data
    return (data == DONE or event.name == "message_stop"
            or (isinstance(data, dict) and data.get("type") == "message_stop"))


async def tap(body: AsyncIterator[bytes], assembler: Assembler, keep: Keep | None = None,
              finish: Finish | None = None, first: bytes = b"") -> AsyncIterator[bytes]:
    """Pass ``body`` on while ``assembler`` follows it; ``keep`` gets the answer when it completed
    faithfully (before the terminator leaves, so a client that hangs up after it changes nothing);
    ``finish`` decides what ends the stream. ``first`` goes out before anything else."""
    blocks = SseBlocks()
    held: str | None = None
    kept = False
    try:
        if first:
            yield first
        async for chunk in body:
            out: list[str] = []
            for block in blocks.feed(chunk):
                event = _event(block)
                if event is not None:
                    assembler.feed(event)
                if event is not None and finish is not None and is_terminator(event):
                    held = block
                elif finish is not None:
                    out.append(block + "\n\n")
            if assembler.complete and not kept and keep is not None and assembler.faithful:
                kept = True
                await keep(assembler.result())
            if finish is None:
                yield chunk
            elif out:
                yield "".join(out).encode()
        rest = blocks.rest()
        event = _event(rest) if rest.strip() else None
        if event is not None:
            assembler.feed(event)
            if assembler.complete and not kept and keep is not None and assembler.faithful:
                await keep(assembler.result())
        if finish is not None:
            if event is not None and is_terminator(event):
                held = rest.strip("\n")
            elif rest.strip():
                yield rest.encode()
            if held is not None:
                ending = await finish(assembler)
                yield ending.extra + (ending.replacement if ending.replacement is not None
                                      else (held + "\n\n").encode())
    finally:
        closer = getattr(body, "aclose", None)
        if closer is not None:
            await closer()
