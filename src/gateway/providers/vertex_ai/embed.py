"""OpenAI embeddings <-> Vertex AI's ``:predict`` for Google's embedding models
(``text-embedding-005``, ``gemini-embedding-001``, ``multimodalembedding@001``).

Vertex's format is its own (``instances``/``predictions``), not the Gemini API's
``batchEmbedContents``, so this does not reuse the ``google`` provider's embed translation.
A text input becomes ``{"content", "task_type"?}``; an object input (upstream's multimodal form)
becomes ``{"text"?, "image"?, "video"?}`` with ``url`` -> ``gcsUri`` and ``base64`` ->
``bytesBase64Encoded``. ``dimensions`` -> ``parameters.outputDimensionality``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...errors import GatewayError
from ...transform.events import MapContext
from ...transform.json_values import as_int, is_int, obj
from ...transform.params import Options
from ...transform.unstreamed import no_stream
from ..base import Translation
from ..hub_error import invalid_response
from .errors import error_response


def _media(value: Any) -> dict[str, Any]:
    media = obj(value)
    out = {"gcsUri": media.get("url"), "bytesBase64Encoded": media.get("base64")}
    segment = {"startOffsetSec": media.get("start_offset"), "endOffsetSec": media.get("end_offset"),
               "intervalSec": media.get("interval")}
    if any(v is not None for v in segment.values()):
        out["videoSegmentConfig"] = {k: v for k, v in segment.items() if v is not None}
    return {k: v for k, v in out.items() if v is not None}


def _instance(item: Any, task_type: Any) -> dict[str, Any]:
    if isinstance(item, str):
        return {"content": item, "task_type": task_type} if isinstance(task_type, str) else {"content": item}
    if isinstance(item, Mapping):
        out: dict[str, Any] = {"text": item["text"]} if isinstance(item.get("text"), str) else {}
        for kind in ("image", "video"):
            if item.get(kind) is not None:
                out[kind] = _media(item[kind])
        return out
    raise GatewayError("vertex-ai: embeddings input must be text, a list of texts, or objects with "
                       "text/image/video (token arrays are not supported)", 400, exception=False)


def embed_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    inputs = params.get("input")
    items = inputs if isinstance(inputs, list) else [inputs]
    body: dict[str, Any] = {"instances": [_instance(item, params.get("task_type")) for item in items]}
    parameters = dict(params["parameters"]) if isinstance(params.get("parameters"), Mapping) else {}
    if is_int(params.get("dimensions")):
        parameters["outputDimensionality"] = params["dimensions"]
    if parameters:
        body["parameters"] = parameters
    return body


def _embedding(prediction: Mapping[str, Any], index: int) -> dict[str, Any]:
    """Text models answer ``embeddings.values``; the multimodal model ``textEmbedding`` /
    ``imageEmbedding`` / ``videoEmbeddings`` (kept as extra fields, as upstream does)."""
    values = obj(prediction.get("embeddings")).get("values", prediction.get("textEmbedding"))
    out: dict[str, Any] = {"object": "embedding", "index": index}
    if values is not None:
        out["embedding"] = values
    if prediction.get("imageEmbedding") is not None:
        out["image_embedding"] = prediction["imageEmbedding"]
    videos = prediction.get("videoEmbeddings")
    if isinstance(videos, list):
        out["video_embeddings"] = [
            {"object": "embedding", "embedding": obj(v).get("embedding"), "index": i,
             "start_offset": obj(v).get("startOffsetSec"), "end_offset": obj(v).get("endOffsetSec")}
            for i, v in enumerate(videos)]
    return out


def embed_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    predictions = body.get("predictions") if isinstance(body, Mapping) else None
    if not isinstance(predictions, list):
        return invalid_response(ctx.provider, body)
    items = [obj(p) for p in predictions]
    tokens = sum(as_int(obj(obj(p.get("embeddings")).get("statistics")).get("token_count")) for p in items)
    return {"object": "list", "data": [_embedding(p, i) for i, p in enumerate(items)], "model": ctx.model or "",
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens}}


EMBED = Translation(request=embed_request, response=embed_response, error=error_response, stream=no_stream)
