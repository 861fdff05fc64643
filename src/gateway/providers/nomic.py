"""Nomic Atlas embeddings: OpenAI embeddings <-> ``POST /v1/embedding/text`` (``texts`` in,
``embeddings`` out), as upstream. OpenAI's ``dimensions`` becomes Nomic's ``dimensionality``
(Matryoshka sizes of nomic-embed-text-v1.5; upstream drops it). Embeddings come back as float
lists whatever ``encoding_format`` asked: Nomic has no base64 output (the openai SDK takes floats)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..transform.events import MapContext
from ..transform.json_values import as_int, dicts, obj
from ..transform.params import Options, Param, ParamMap, map_params
from ..transform.unstreamed import no_stream, refuse_stream
from .base import Provider, Translation
from .hub_error import hub_error, invalid_response

SLUG = "nomic"


def _texts(params: Mapping[str, Any], options: Options) -> Any:
    value = params.get("input")
    return value if isinstance(value, list) else [value]


EMBED: ParamMap = {
    "model": Param("model", default="nomic-embed-text-v1", required=True),
    "input": Param("texts", required=True, transform=_texts),
    "task_type": Param("task_type"),
    "dimensions": Param("dimensionality"),
    "long_text_mode": Param("long_text_mode"),
}


def _envelope(message: str, kind: Any = None) -> dict[str, Any]:
    return hub_error(SLUG, message, kind)


def embed_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    refuse_stream(params, SLUG, "embeddings")
    return map_params(EMBED, params, options)


def embed_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    data = obj(body)
    vectors = data.get("embeddings")
    if not isinstance(vectors, list):
        return invalid_response(SLUG, body)
    usage = obj(data.get("usage"))
    return {"object": "list",
            "data": [{"object": "embedding", "embedding": vector, "index": i} for i, vector in enumerate(vectors)],
            "model": data.get("model") or ctx.model or "",
            "usage": {"prompt_tokens": as_int(usage.get("prompt_tokens")),
                      "total_tokens": as_int(usage.get("total_tokens"))},
            "provider": SLUG}


def error_response(status: int, data: Any, text: str, ctx: MapContext) -> dict[str, Any]:
    """FastAPI's ``{"detail": "<message>"}`` or its validation list ``{"detail": [{loc, msg, type}]}``
    (the first entry, prefixed with its location as upstream does); any other body is quoted."""
    detail = obj(data).get("detail")
    if isinstance(detail, str):
        return _envelope(f"{SLUG} error: {detail}")
    first = dicts(detail)[:1]
    if first:
        location = ".".join(str(part) for part in first[0].get("loc") or [])
        prefix = f"{location}: " if location else ""
        return _envelope(f"{SLUG} error: {prefix}{first[0].get('msg')}", first[0].get("type"))
    return _envelope(f"{SLUG} error: {text}")


PROVIDER = Provider(
    slug=SLUG,
    base_url="https://api-atlas.nomic.ai/v1",
    endpoints={"embed": "/embedding/text"},
    translations={"embed": Translation(request=embed_request, response=embed_response, error=error_response,
                                       stream=no_stream)},
)
