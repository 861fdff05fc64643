"""OpenAI image generation <-> a Workers AI image model's native ``/run/{model}``.

Only models that answer JSON with a base64 ``result.image`` (the FLUX family) map to OpenAI's
shape, as upstream; models that answer raw PNG bytes are reachable through the ``/v1/*`` proxy."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ...transform.events import MapContext
from ...transform.json_values import obj
from ...transform.params import Options
from ...transform.unstreamed import refuse_stream
from .api import SLUG
from .errors import invalid


def dimensions(size: Any) -> tuple[int, int] | None:
    """OpenAI's ``"WIDTHxHEIGHT"`` as integers; None for ``auto`` or anything unreadable."""
    width, _, height = str(size).lower().partition("x")
    return (int(width), int(height)) if width.isdigit() and height.isdigit() else None


def image_request(params: Mapping[str, Any], options: Options, ctx: MapContext) -> dict[str, Any]:
    """``steps`` goes out under both names the models use (``num_steps`` for Stable Diffusion,
    ``steps`` for FLUX), as upstream sends it."""
    refuse_stream(params, SLUG, "images")
    out: dict[str, Any] = {"prompt": params.get("prompt")}
    for name in ("negative_prompt", "seed", "guidance"):
        if params.get(name) is not None:
            out[name] = params[name]
    if params.get("steps") is not None:
        out["num_steps"] = out["steps"] = params["steps"]
    size = dimensions(params.get("size"))
    if size is not None:
        out["width"], out["height"] = size
    return out


def image_response(body: Any, ctx: MapContext) -> dict[str, Any]:
    image = obj(obj(body).get("result")).get("image")
    if not isinstance(image, str):
        return invalid(body)
    return {"created": ctx.created, "data": [{"b64_json": image}], "provider": SLUG}
