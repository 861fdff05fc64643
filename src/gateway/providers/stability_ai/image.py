"""OpenAI image generation <-> Stability's v1 (JSON) and v2beta (form) text-to-image."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ...transform.json_values import compact
from ...transform.params import Options
from ...transform.unstreamed import refuse_stream
from .api import SLUG, is_v1
from .errors import invalid
from .multipart import form_data

_V1_SAME_NAME = ("cfg_scale", "clip_guidance_preset", "sampler", "seed", "steps", "extras")
_V2_FIELDS = ("prompt", "negative_prompt", "aspect_ratio", "seed", "style_preset", "mode", "output_format",
              "image", "strength")
_OPENAI_STYLES = frozenset({"vivid", "natural"})
"""OpenAI's own ``style`` values, which name no Stability style preset (Stability would reject them)."""


def _dimensions(size: Any) -> tuple[int, int] | None:
    """``"1024x768"`` -> (1024, 768); anything else (``auto``, junk) -> None."""
    if not isinstance(size, str):
        return None
    width, _, height = size.lower().partition("x")
    if not (width.isdigit() and height.isdigit()):
        return None
    return int(width), int(height)


def _v1_request(params: Mapping[str, Any]) -> dict[str, Any]:
    """Upstream's v1 map: the prompt as one weighted text prompt, ``n`` as samples (1-10), ``size``
    as height and width (at least 320), ``style`` as the style preset."""
    out: dict[str, Any] = {"text_prompts": [{"text": params.get("prompt") or "", "weight": 1}]}
    n = params.get("n")
    if isinstance(n, int) and not isinstance(n, bool):
        out["samples"] = min(max(n, 1), 10)
    dimensions = _dimensions(params.get("size"))
    if dimensions is not None:
        out["height"], out["width"] = max(dimensions[1], 320), max(dimensions[0], 320)
    style = params.get("style_preset", params.get("style"))
    if isinstance(style, str) and style not in _OPENAI_STYLES:
        out["style_preset"] = style
    out.update((key, params[key]) for key in _V1_SAME_NAME if params.get(key) is not None)
    return out


def image_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    """The fields of either API's request; ``encode`` decides their wire form. v2beta takes
    upstream's list of its form fields and nothing else (``n`` and ``size`` have no place there).
    Stability does not stream images: ``stream: true`` is refused before any upstream call."""
    refuse_stream(params, SLUG, "images")
    if is_v1(params.get("model")):
        return _v1_request(params)
    return {key: params[key] for key in _V2_FIELDS if params.get(key) is not None}


def encode(fields: dict[str, Any]) -> tuple[bytes, str]:
    """v1 bodies (``text_prompts``) are JSON; v2beta bodies are form data."""
    if "text_prompts" in fields:
        return compact(fields).encode(), "application/json"
    return form_data(fields)


def image_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    """v1 ``{artifacts: [{base64, finishReason, seed}]}`` or v2beta ``{image, finish_reason, seed}``
    -> ``{created, data: [{b64_json}]}``."""
    if isinstance(body, Mapping) and isinstance(body.get("artifacts"), list):
        images = [a.get("base64") for a in body["artifacts"] if isinstance(a, Mapping)]
    elif isinstance(body, Mapping) and isinstance(body.get("image"), str):
        images = [body["image"]]
    else:
        return invalid(body)
    return {"created": ctx.created, "data": [{"b64_json": image} for image in images], "provider": SLUG}
