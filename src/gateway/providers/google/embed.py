"""OpenAI embeddings <-> Gemini ``batchEmbedContents``.

One endpoint for one input or many: the URL is chosen before the body is known, and a batch of
one is a valid batch (upstream calls ``:embedContent`` with every input as parts of ONE content,
which returns a single embedding for a list of inputs)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import GatewayError
from ...transform.events import MapContext
from ...transform.json_values import as_int, is_int, obj
from ...transform.params import Options
from .api import model_resource
from .errors import invalid

_TASK_TYPES = ("task_type", "taskType")


def _inputs(value: Any) -> list[str]:
    """OpenAI's ``input``: a string or a list of strings. Token arrays cannot be embedded by
    Gemini (it takes text), and skipping them would shift every later index, so they are refused."""
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else None
    if not items or not all(isinstance(item, str) for item in items):
        raise GatewayError("google embeddings take a string or a list of strings as input", 400,
                           exception=False)
    return items


def embed_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    """One request per input, each naming the model (Gemini requires it to match the URL's);
    ``dimensions`` -> ``outputDimensionality``; a Gemini ``task_type``/``title`` in the body is kept."""
    model = model_resource(params.get("model"))
    extra: dict[str, Any] = {}
    if is_int(params.get("dimensions")):
        extra["outputDimensionality"] = params["dimensions"]
    for key in _TASK_TYPES:
        if isinstance(params.get(key), str):
            extra["taskType"] = params[key]
    if isinstance(params.get("title"), str):
        extra["title"] = params["title"]
    return {"requests": [{"model": model, "content": {"parts": [{"text": text}]}, **extra}
                         for text in _inputs(params.get("input"))]}


def embed_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """``{"embeddings": [{"values": [...]}]}`` -> OpenAI's list. Gemini reports no token counts
    for embeddings (a ``usageMetadata`` is read if one ever comes), so usage is 0 rather than
    upstream's -1, which would turn a client's cost sums negative. Vectors are always float lists:
    the response mapper does not see ``encoding_format`` (the openai SDKs ask for base64 by
    default and take a list as is)."""
    embeddings = body.get("embeddings") if isinstance(body, Mapping) else None
    if not isinstance(embeddings, list):
        return invalid(body, ctx)
    data = []
    for n, item in enumerate(embeddings):
        values = obj(item).get("values")
        values = [v for v in values if isinstance(v, (int, float))] if isinstance(values, list) else []
        data.append({"object": "embedding", "embedding": values, "index": n})
    usage = obj(body.get("usageMetadata"))
    prompt = as_int(usage.get("promptTokenCount"))
    return {"object": "list", "data": data, "model": ctx.model or "", "provider": ctx.provider,
            "usage": {"prompt_tokens": prompt, "total_tokens": as_int(usage.get("totalTokenCount")) or prompt}}
