"""Bridges between JS ``ReadableStream`` and Python async iterators of bytes.

Why: the core speaks ``AsyncIterator[bytes]`` for every streamed body (SSE out, uploads in);
the Workers runtime speaks ``ReadableStream``. Both directions pull, so nothing is buffered:
a chunk reaches the client when the upstream produces it, and a client that goes away cancels
the stream, which closes the iterator and (through ``on_close``) the upstream fetch.
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import AsyncIterator, Callable
from typing import Any

from js import Object, ReadableStream
from pyodide.ffi import JsException, create_proxy, to_js


async def iter_readable_stream(
    stream: Any, on_error: Callable[[JsException], Exception] | None = None
) -> AsyncIterator[bytes]:
    """Yield the chunks of a JS ``ReadableStream`` as bytes, one ``reader.read()`` at a time.

    ``on_error`` translates a JS failure mid-stream into the caller's exception type, so no
    ``JsException`` escapes the adapter. Closing the iterator early cancels the JS stream.
    """
    reader = stream.getReader()
    finished = False
    try:
        while True:
            try:
                result = await reader.read()
            except JsException as exc:
                finished = True
                if on_error is None:
                    raise
                raise on_error(exc) from None
            if result.done:
                finished = True
                return
            chunk = result.value.to_bytes()
            if chunk:
                yield chunk
    finally:
        if not finished:
            # Consumer stopped early (client gone, task cancelled): release the source.
            try:
                reader.cancel()
            except JsException:
                pass


def readable_stream_from(
    chunks: AsyncIterator[bytes],
    on_close: Callable[[], object] | None = None,
) -> Any:
    """Wrap an async iterator of bytes in a JS ``ReadableStream`` with a pull source.

    ``pull`` is async: the runtime awaits the returned promise before asking again, so one
    upstream chunk becomes one enqueue and is flushed to the client straight away. ``on_close``
    runs exactly once: at end of stream, on error, or when the consumer cancels.
    """
    state = {"done": False}
    proxies: list[Any] = []

    async def finish() -> None:
        if state["done"]:
            return
        state["done"] = True
        try:
            aclose = getattr(chunks, "aclose", None)
            if aclose is not None:
                await aclose()
        finally:
            if on_close is not None:
                outcome = on_close()
                if inspect.isawaitable(outcome):
                    await outcome
            # Release the JS->Python callbacks once the stream can no longer call them.
            asyncio.get_event_loop().call_soon(_destroy, proxies)

    async def pull(controller: Any) -> None:
        try:
            while True:
                chunk = await chunks.__anext__()
                if chunk:
                    break
        except StopAsyncIteration:
            controller.close()
            await finish()
            return
        except Exception as exc:  # surface to the client as a broken stream, then clean up
            controller.error(to_js(str(exc)))
            await finish()
            return
        controller.enqueue(to_js(bytes(chunk)))

    async def cancel(_reason: Any = None) -> None:
        await finish()

    proxies.extend([create_proxy(pull), create_proxy(cancel)])
    source = to_js({"pull": proxies[0], "cancel": proxies[1]}, dict_converter=Object.fromEntries)
    return ReadableStream.new(source)


def _destroy(proxies: list[Any]) -> None:
    for proxy in proxies:
        try:
            proxy.destroy()
        except Exception:
            pass
    proxies.clear()
