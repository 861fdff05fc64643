"""Azure AI Foundry (upstream's ``azure-ai-inference``): OpenAI's wire format on a deployment URL
given in the options, so every endpoint passes through. Bodies use OpenAI's parameter maps without
OpenAI's model defaults (the deployment decides), with the ``developer`` role sent as ``system`` as
upstream does (not every Foundry model knows it); ``max_completion_tokens`` stays as it is, since
Azure's reasoning models need it.

Not served, unlike upstream: fine-tuning (upstream maps it to no path at all), ``getBatchOutput``
(a two-call handler upstream), and Claude on Foundry, which speaks Anthropic's API and is
served by provider ``anthropic`` with the Foundry URL as ``custom_host`` (``/v1/messages`` native,
chat translated). ``/v1/messages`` on this provider goes through the hub to chat."""

from __future__ import annotations

from typing import Any

from ...transform.params import Param, ParamMap
from .. import openai
from ..base import Provider
from ..developer_role import developer_as_system
from .api import FILES_AND_BATCHES, OPTION_HEADERS, SLUG, base, headers, realtime_url, url


def _deployment_decides(spec: ParamMap) -> dict[str, Any]:
    return {**spec, "model": Param("model")}


PARAMS: dict[str, ParamMap] = {fn: _deployment_decides(spec) for fn, spec in openai.PARAMS.items()}
PARAMS["chatComplete"] = {**PARAMS["chatComplete"],
                          "messages": Param("messages", default="", transform=developer_as_system)}

ENDPOINTS = {fn: openai.ENDPOINTS[fn] for fn in (
    "chatComplete", "complete", "embed", "imageGenerate", "imageEdit", "createSpeech", "createTranscription",
    "createTranslation", *sorted(FILES_AND_BATCHES))}

PROVIDER = Provider(
    slug=SLUG,
    base_url="",
    endpoints=ENDPOINTS,
    params=PARAMS,
    headers=headers,
    build_url=url,
    dynamic_base=base,
    option_headers=OPTION_HEADERS,
    realtime=realtime_url,
)
