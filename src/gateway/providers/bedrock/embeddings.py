"""OpenAI embeddings <-> Bedrock's embedding models through ``InvokeModel``: Amazon Titan Text
Embeddings (``amazon.titan-embed-*``: one text per call) and Cohere Embed (``cohere.embed-*``:
a list of texts). One translation makes one upstream call, so a list of several inputs for a Titan
model is a 400 that says so (upstream silently embedded only the first)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import GatewayError
from ...transform.events import MapContext
from ...transform.json_values import as_int, is_int
from ...transform.params import Options
from .api import SLUG
from .converse import model_hint
from .errors import invalid
from .models import foundation_id

COHERE_INPUT_TYPE = "search_document"
"""Cohere on Bedrock requires ``input_type``; OpenAI clients never send one."""


def _bad(message: str) -> GatewayError:
    return GatewayError(f"bedrock: {message}", 400, exception=False)


def _texts(value: Any) -> list[str]:
    """OpenAI's ``input`` as texts; token-id inputs have no Bedrock equivalent."""
    items = [value] if isinstance(value, str) else value if isinstance(value, list) else None
    if not items or not all(isinstance(item, str) for item in items):
        raise _bad("embeddings on Bedrock take text input (a string or a list of strings)")
    return list(items)


def embed_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    model = foundation_id(model_hint(params, options) or "")
    texts = _texts(params.get("input"))
    if model.startswith("amazon.titan-embed"):
        if len(texts) != 1:
            raise _bad(f"{model} embeds one input per request; send one string per call")
        out: dict[str, Any] = {"inputText": texts[0]}
        if is_int(params.get("dimensions")):
            out["dimensions"] = params["dimensions"]
        if isinstance(params.get("normalize"), bool):
            out["normalize"] = params["normalize"]
        return out
    if model.startswith("cohere.embed"):
        out = {"texts": texts, "input_type": params.get("input_type") or COHERE_INPUT_TYPE}
        if isinstance(params.get("truncate"), str):
            out["truncate"] = params["truncate"]
        return out
    raise _bad("embeddings support Amazon Titan (amazon.titan-embed-*) and Cohere (cohere.embed-*) models")


def _vectors(body: Mapping[str, Any]) -> list[Any] | None:
    """Titan's ``embedding``; Cohere's ``embeddings`` (a list, or ``{"float": [...]}`` when
    embedding types were asked for)."""
    if isinstance(body.get("embedding"), list):
        return [body["embedding"]]
    vectors = body.get("embeddings")
    if isinstance(vectors, Mapping):
        vectors = vectors.get("float")
    return vectors if isinstance(vectors, list) else None


def embed_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """-> OpenAI's embeddings list. Titan reports its token count in the body; Cohere only in a
    response header a translation does not see, so its usage reads 0."""
    vectors = _vectors(body) if isinstance(body, Mapping) else None
    if vectors is None:
        return invalid(body)
    tokens = as_int(body.get("inputTextTokenCount"))
    data = [{"object": "embedding", "embedding": vector, "index": i} for i, vector in enumerate(vectors)]
    return {"object": "list", "data": data, "model": ctx.model or "", "provider": SLUG,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}
