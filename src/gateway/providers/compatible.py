"""The long tail of providers that speak OpenAI's wire format, declared as data.

Each row: base URL (what ``custom_host`` replaces), the path prefix upstream Portkey puts in
front of OpenAI's endpoint paths, and the endpoints the provider serves. Bodies go through
OpenAI's parameter maps without OpenAI's model defaults (a default model name of another
vendor would be wrong), and chat rewrites the ``developer`` role to ``system`` as upstream's
open-ai-base does, since most of these servers reject it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..transform.params import Options, Param, ParamMap
from . import openai
from .base import Provider

CHAT, COMPLETE, EMBED, IMAGE, SPEECH = "chatComplete", "complete", "embed", "imageGenerate", "createSpeech"
AUDIO_IN = ("createTranscription", "createTranslation")


def _system_role(params: Mapping[str, Any], options: Options) -> Any:
    messages = params.get("messages")
    if not isinstance(messages, list):
        return messages
    return [{**m, "role": "system"} if isinstance(m, dict) and m.get("role") == "developer" else m
            for m in messages]


def _without_model_default(spec: ParamMap) -> dict[str, Any]:
    out = dict(spec)
    out["model"] = Param("model", required=True)
    return out


def _max_tokens(params: Mapping[str, Any], options: Options) -> Any:
    """OpenAI's newer ``max_completion_tokens`` (the hub's name) becomes ``max_tokens``, which
    every OpenAI-compatible server accepts; an explicit ``max_tokens`` wins."""
    return params["max_tokens"] if "max_tokens" in params else params.get("max_completion_tokens")


def _chat_map() -> dict[str, Any]:
    spec = {key: rule for key, rule in _without_model_default(openai.CHAT).items()
            if key not in ("max_tokens", "max_completion_tokens")}
    limit = Param("max_tokens", transform=_max_tokens)
    return {**spec, "messages": Param("messages", default="", transform=_system_role),
            "max_tokens": limit, "max_completion_tokens": limit}


_CHAT = _chat_map()
_MAPS: dict[str, ParamMap] = {
    CHAT: _CHAT,
    COMPLETE: _without_model_default(openai.COMPLETE),
    EMBED: _without_model_default(openai.EMBED),
    IMAGE: _without_model_default(openai.IMAGE),
    SPEECH: _without_model_default(openai.SPEECH),
}

# slug: (base URL, path prefix, endpoints)
TABLE: dict[str, tuple[str, str, tuple[str, ...]]] = {
    "groq": ("https://api.groq.com/openai/v1", "", (CHAT, SPEECH, *AUDIO_IN, "createModelResponse")),
    "together-ai": ("https://api.together.xyz", "/v1", (CHAT, COMPLETE, EMBED)),
    "fireworks-ai": ("https://api.fireworks.ai/inference/v1", "", (CHAT, COMPLETE, EMBED)),
    "deepseek": ("https://api.deepseek.com", "/v1", (CHAT,)),
    "openrouter": ("https://openrouter.ai/api", "/v1", (CHAT,)),
    "perplexity-ai": ("https://api.perplexity.ai", "", (CHAT,)),
    "x-ai": ("https://api.x.ai/v1", "", (CHAT, COMPLETE, EMBED)),
    "mistral-ai": ("https://api.mistral.ai/v1", "", (CHAT, EMBED)),
    "ollama": ("", "/v1", (CHAT, COMPLETE, EMBED)),
    "deepinfra": ("https://api.deepinfra.com/v1/openai", "", (CHAT, COMPLETE, EMBED)),
    "cerebras": ("https://api.cerebras.ai/v1", "", (CHAT,)),
    "sambanova": ("https://api.sambanova.ai", "/v1", (CHAT,)),
    "nebius": ("https://api.studio.nebius.ai/v1", "", (CHAT, COMPLETE, EMBED)),
    "hyperbolic": ("https://api.hyperbolic.xyz", "/v1", (CHAT,)),
    "novita-ai": ("https://api.novita.ai/v3/openai", "", (CHAT, COMPLETE)),
    "moonshot": ("https://api.moonshot.cn", "/v1", (CHAT,)),
    "siliconflow": ("https://api.siliconflow.cn/v1", "", (CHAT, EMBED, IMAGE)),
    "lambda": ("https://api.lambdalabs.com/v1", "", (CHAT, COMPLETE)),
    "lepton": ("https://api.lepton.ai", "/api/v1", (CHAT, COMPLETE, "createTranscription")),
    "inference-net": ("https://api.inference.net/v1", "", (CHAT,)),
    "kluster-ai": ("https://api.kluster.ai/v1", "", (CHAT, EMBED)),
    "nscale": ("https://inference.api.nscale.com/v1", "", (CHAT, IMAGE)),
    "featherless-ai": ("https://api.featherless.ai/v1", "", (CHAT, COMPLETE)),
    "upstage": ("https://api.upstage.ai/v1/solar", "", (CHAT, EMBED)),
    "lingyi": ("https://api.lingyiwanwu.com", "/v1", (CHAT,)),
    "zhipu": ("https://open.bigmodel.cn/api/paas/v4", "", (CHAT, EMBED)),
    "dashscope": ("https://dashscope-intl.aliyuncs.com/compatible-mode/v1", "", (CHAT, EMBED)),
    "302ai": ("https://api.302.ai", "/v1", (CHAT,)),
    "cometapi": ("https://api.cometapi.com/v1", "", (CHAT, EMBED)),
    "z-ai": ("https://api.z.ai/api/paas/v4", "", (CHAT,)),
    "anyscale": ("https://api.endpoints.anyscale.com/v1", "", (CHAT, COMPLETE, EMBED)),
    "deepbricks": ("https://api.deepbricks.ai/v1", "", (CHAT, IMAGE)),
    "ncompass": ("https://api.ncompass.tech/v1", "", (CHAT,)),
    "iointelligence": ("https://api.intelligence.io.solutions/api/v1", "",
                       (CHAT, EMBED, "createModelResponse")),
    "aibadgr": ("https://aibadgr.com/api/v1", "", (CHAT,)),
    "ovhcloud": ("https://oai.endpoints.kepler.ai.cloud.ovh.net/v1", "", (CHAT,)),
    "lemonfox-ai": ("https://api.lemonfox.ai/v1", "", (CHAT, IMAGE, "createTranscription")),
    "krutrim": ("https://cloud.olakrutrim.com/v1", "", (CHAT,)),
    "monsterapi": ("https://llm.monsterapi.ai/v1", "", (CHAT,)),
    "github": ("https://models.inference.ai.azure.com", "", (CHAT, COMPLETE, EMBED)),
    "matterai": ("https://api.matterai.so/v1", "", (CHAT,)),
    "nextbit": ("https://api.nextbit256.com/v1", "", (CHAT, COMPLETE)),
    "modal": ("https://api.modal.com/v1", "", (CHAT,)),
    "jina": ("https://api.jina.ai/v1", "", (EMBED,)),
    "voyage": ("https://api.voyageai.com/v1", "", (EMBED,)),
    "recraft-ai": ("https://external.api.recraft.ai/v1", "", (IMAGE,)),
    # Proxy-only: no unified endpoint, any /v1/* request passes through with the provider's auth.
    "replicate": ("https://api.replicate.com/v1", "", ()),
    "tripo3d": ("https://api.tripo3d.ai/v2/openapi", "", ()),
    "milvus": ("", "", ()),
}

# Chat parameters a provider names differently or rejects (None drops the key), per upstream's configs.
_CHAT_TWEAKS: dict[str, dict[str, Param | None]] = {
    "mistral-ai": {"seed": Param("random_seed")},
    "groq": {"logprobs": None, "top_logprobs": None},
}

# Embedding APIs with their own extra fields (input_type, task, ...): bodies pass unchanged.
_BODY_AS_IS = frozenset({"jina", "voyage"})

_EXTRA_HEADERS = {"openrouter": {"http-referer": "https://portkey.ai/", "x-title": "portkey"}}


def build(slug: str) -> Provider:
    base, prefix, fns = TABLE[slug]
    endpoints = {fn: prefix + openai.ENDPOINTS[fn] for fn in fns}
    params = {} if slug in _BODY_AS_IS else {fn: _MAPS[fn] for fn in fns if fn in _MAPS}
    if slug in _CHAT_TWEAKS:
        chat = {**params[CHAT], **_CHAT_TWEAKS[slug]}
        params[CHAT] = {key: rule for key, rule in chat.items() if rule is not None}
    provider = Provider(slug=slug, base_url=base, endpoints=endpoints, params=params)
    extra = _EXTRA_HEADERS.get(slug)
    return replace(provider, extra_headers=extra) if extra else provider
