"""OpenAI embeddings <-> Cohere ``/v2/embed``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ...transform.json_values import as_int, is_int, obj
from ...transform.params import Options
from ...transform.unstreamed import refuse_stream
from .api import SLUG
from .errors import invalid

DEFAULT_INPUT_TYPE = "search_document"
"""v2 requires ``input_type``; OpenAI clients have no such notion and mostly embed documents to
store. A query-side client sends Cohere's own ``input_type: search_query``."""


def _inputs(value: Any) -> tuple[list[str], list[str]]:
    """Texts (strings, or ``{text}`` items) and images (``{image: {base64: <data URI>}}`` items,
    upstream's shape). Token-id inputs have no Cohere equivalent and are skipped."""
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
    texts: list[str] = []
    images: list[str] = []
    for item in items:
        if isinstance(item, str):
            texts.append(item)
        elif isinstance(item, Mapping) and isinstance(item.get("text"), str):
            texts.append(item["text"])
        elif isinstance(item, Mapping) and isinstance(obj(item.get("image")).get("base64"), str):
            images.append(item["image"]["base64"])
    return texts, images


def embed_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    """``input`` -> ``texts``/``images``; ``encoding_format`` -> ``embedding_types`` (``base64`` is
    a type of Cohere's own, float32 bytes like OpenAI's; anything else asks for floats);
    ``dimensions`` -> ``output_dimension``; Cohere's ``input_type`` and ``truncate`` pass through."""
    refuse_stream(params, SLUG, "embeddings")
    out: dict[str, Any] = {"model": params["model"]} if "model" in params else {}
    texts, images = _inputs(params.get("input"))
    if texts:
        out["texts"] = texts
    if images:
        out["images"] = images
    given = params.get("input_type")
    out["input_type"] = given if isinstance(given, str) else "image" if images and not texts else DEFAULT_INPUT_TYPE
    out["embedding_types"] = ["base64" if params.get("encoding_format") == "base64" else "float"]
    if is_int(params.get("dimensions")):
        out["output_dimension"] = params["dimensions"]
    if isinstance(params.get("truncate"), str):
        out["truncate"] = params["truncate"]
    return out


def _vectors(embeddings: Any) -> list[Any] | None:
    """The embeddings by type (v2: ``{float: [...]}`` or ``{base64: [...]}``), or v1's bare list."""
    if isinstance(embeddings, list):
        return embeddings
    by_type = obj(embeddings)
    for kind in ("float", "base64"):
        if isinstance(by_type.get(kind), list):
            return list(by_type[kind])
    return None


def embed_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """A v2 embed response -> OpenAI's embeddings list; usage from ``meta`` (tokens, else billed)."""
    vectors = _vectors(body.get("embeddings")) if isinstance(body, Mapping) else None
    if vectors is None:
        return invalid(body)
    meta = obj(body.get("meta"))
    tokens = obj(meta.get("tokens")).get("input_tokens")
    prompt = tokens if is_int(tokens) else as_int(obj(meta.get("billed_units")).get("input_tokens"))
    data = [{"object": "embedding", "embedding": vector, "index": i} for i, vector in enumerate(vectors)]
    return {"object": "list", "data": data, "model": ctx.model or "", "provider": SLUG,
            "usage": {"prompt_tokens": prompt, "total_tokens": prompt}}
