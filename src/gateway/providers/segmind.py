"""Segmind image generation: OpenAI images <-> ``POST https://api.segmind.com/v1/{model}`` with the
key in ``x-api-key``, as upstream: its parameter map (``n`` -> ``samples``, ``size`` -> width and
height, Stable Diffusion's own knobs passed through) and ``base64: true`` forced, so every model
answers JSON (``{"image": "<base64>"}`` or a list) that maps to ``data[].b64_json``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..transform.events import MapContext
from ..transform.json_values import obj
from ..transform.params import Options, Param, ParamMap, map_params
from ..transform.unstreamed import no_stream, refuse_stream
from .base import Provider, Translation
from .hub_error import hub_error, invalid_response

SLUG = "segmind"


def _side(index: int) -> Any:
    """One side of OpenAI's ``"WIDTHxHEIGHT"`` (0 width, 1 height); None for ``auto`` or nonsense."""

    def side(params: Mapping[str, Any], options: Options) -> Any:
        parts = str(params.get("size")).lower().split("x")
        return int(parts[index]) if len(parts) == 2 and parts[index].isdigit() else None

    return side


def _plain(*names: str) -> dict[str, Param]:
    return {name: Param(name) for name in names}


IMAGE: ParamMap = {
    "prompt": Param("prompt", required=True),
    "n": Param("samples", min=1, max=10),
    "size": (Param("img_height", transform=_side(1)), Param("img_width", transform=_side(0))),
    "steps": Param("num_inference_steps", default=20, required=True),
    "base64": Param("base64", default=True, required=True, transform=lambda params, options: True),
    "qr_size": Param("size"),
    **_plain("style", "negative_prompt", "scheduler", "guidance_scale", "seed", "strength", "refiner",
             "high_noise_fraction", "control_scale", "control_start", "control_end", "qr_text", "invert"),
}


def _envelope(message: str) -> dict[str, Any]:
    return hub_error(SLUG, message)


def image_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    refuse_stream(params, SLUG, "images")
    return {key: value for key, value in map_params(IMAGE, params, options).items() if value is not None}


def image_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    image = obj(body).get("image")
    images = image if isinstance(image, list) else [image]
    if not images or not all(isinstance(item, str) for item in images):
        return invalid_response(SLUG, body)
    return {"created": ctx.created, "data": [{"b64_json": item} for item in images], "provider": SLUG}


def error_response(status: int, data: Any, text: str, ctx: MapContext) -> dict[str, Any]:
    """Segmind's ``{"error": "<message>"}``; any other body (an HTML page) is quoted as it came."""
    message = obj(data).get("error")
    return _envelope(f"{SLUG} error: {message if isinstance(message, str) else text}")


def _headers(options: Options, fn: str) -> dict[str, str]:
    key = options.get("api_key")
    return {"x-api-key": str(key)} if key else {}


PROVIDER = Provider(
    slug=SLUG,
    base_url="https://api.segmind.com/v1",
    endpoints={"imageGenerate": "/{model}"},
    headers=_headers,
    translations={"imageGenerate": Translation(request=image_request, response=image_response,
                                               error=error_response, stream=no_stream)},
)
