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
from .base import ConfigRule, Provider, UrlBuilder, always, render_path
from .developer_role import developer_as_system
from .proxy_path import proxy_url

CHAT, COMPLETE, EMBED, IMAGE, SPEECH = "chatComplete", "complete", "embed", "imageGenerate", "createSpeech"
AUDIO_IN = ("createTranscription", "createTranslation")


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
    return {**spec, "messages": Param("messages", default="", transform=developer_as_system),
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
    "ai21": ("https://api.ai21.com/studio/v1", "", (CHAT,)),
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
    # The OpenAI-shaped part of providers whose own module adds the rest (a base URL from options,
    # translated endpoints): workers_ai/, huggingface.py.
    "workers-ai": ("", "/v1", (CHAT, EMBED)),
    "huggingface": ("https://router.huggingface.co", "/v1", (CHAT, COMPLETE)),
    # Proxy-only: no unified endpoint, any /v1/* request passes through with the provider's auth.
    "replicate": ("https://api.replicate.com/v1", "", ()),
    "tripo3d": ("https://api.tripo3d.ai/v2/openapi", "", ()),
    "milvus": ("", "", ()),
}

def _mistral_tool_choice(params: Mapping[str, Any], options: Options) -> Any:
    """OpenAI's ``required`` is Mistral's ``any`` (upstream maps it; older Mistral models know no other)."""
    choice = params.get("tool_choice")
    return "any" if choice == "required" else choice


def _openrouter_reasoning(params: Mapping[str, Any], options: Options) -> Any:
    """OpenRouter's ``reasoning`` object, with OpenAI's ``reasoning_effort`` folded in as its ``effort``."""
    reasoning = dict(params["reasoning"]) if isinstance(params.get("reasoning"), Mapping) else {}
    if params.get("reasoning_effort"):
        reasoning["effort"] = params["reasoning_effort"]
    return reasoning or None


def _openrouter_usage(params: Mapping[str, Any], options: Options) -> Any:
    """OpenRouter's ``usage: {include}`` (usage accounting), from itself or OpenAI's ``stream_options``."""
    usage = dict(params["usage"]) if isinstance(params.get("usage"), Mapping) else {}
    stream_options = params.get("stream_options")
    if isinstance(stream_options, Mapping) and stream_options.get("include_usage"):
        usage["include"] = True
    return usage or None


def _plain(*names: str) -> dict[str, Param | None]:
    return {name: Param(name) for name in names}


# Chat parameters a provider names differently, adds or rejects (None drops the key), per upstream's configs.
_CHAT_TWEAKS: dict[str, dict[str, Param | None]] = {
    "mistral-ai": {"seed": Param("random_seed"), "tool_choice": Param("tool_choice", transform=_mistral_tool_choice),
                   "safe_mode": Param("safe_prompt"), **_plain("safe_prompt", "prompt", "suffix")},
    "groq": {"logprobs": None, "top_logprobs": None, "logit_bias": None},
    "together-ai": _plain("top_k", "repetition_penalty"),
    "fireworks-ai": _plain("top_k", "prompt_truncate_len", "context_length_exceeded_behavior"),
    "perplexity-ai": _plain("top_k", "search_domain_filter", "search_recency_filter", "search_mode",
                            "search_after_date_filter", "search_before_date_filter", "last_updated_after_filter",
                            "last_updated_before_filter", "return_images", "return_related_questions",
                            "disable_search", "enable_search_classifier"),
    "openrouter": {"reasoning": Param("reasoning", transform=_openrouter_reasoning),
                   "reasoning_effort": Param("reasoning", transform=_openrouter_reasoning),
                   "usage": Param("usage", transform=_openrouter_usage),
                   "stream_options": Param("usage", transform=_openrouter_usage),
                   **_plain("transforms", "provider", "models")},
    "ai21": _plain("documents"),
    # upstream's azure-ai-inference config (github's too) keeps max_completion_tokens: o-series models need it
    "github": {"max_completion_tokens": Param("max_completion_tokens", min=0)},
}
_COMPLETE_TWEAKS: dict[str, dict[str, Param | None]] = {
    "together-ai": _plain("top_k", "repetition_penalty"),
    "fireworks-ai": _plain("top_k", "context_length_exceeded_behavior"),
}

# Embedding APIs with their own extra fields (input_type, task, ...): bodies pass unchanged.
_BODY_AS_IS = frozenset({"jina", "voyage"})

_EXTRA_HEADERS = {"openrouter": {"http-referer": "https://portkey.ai/", "x-title": "portkey"},
                  "github": {"extra-parameters": "drop"}}  # as upstream's azure-ai-inference headers


def _mistral_url(provider: Provider, options: Options, fn: str, base: str, path_params: Mapping[str, str],
                 query: str) -> str:
    """Codestral's fill-in-the-middle: with ``mistral_fim_completion: "true"``
    (``x-portkey-mistral-fim-completion``) a chat request (``prompt``, ``suffix``) goes to
    ``/fim/completions``, as upstream sends it; a proxied call keeps its own path and query."""
    if fn == "proxy":
        return proxy_url(base, path_params, query)
    if fn == CHAT and str(options.get("mistral_fim_completion")).lower() == "true":
        return base + "/fim/completions"
    return base + render_path(provider.endpoints[fn], path_params, options)


# slug: (URL builder, header-mode option headers)
_URL_OPTIONS: dict[str, tuple[UrlBuilder, tuple[tuple[str, str, bool], ...]]] = {
    "mistral-ai": (_mistral_url, (("mistral-fim-completion", "mistral_fim_completion", False),)),
}


# Self-hosted servers: upstream's schema accepts a config naming them without an api_key.
_KEYLESS = frozenset({"ollama"})


def build(slug: str) -> Provider:
    base, prefix, fns = TABLE[slug]
    endpoints = {fn: prefix + openai.ENDPOINTS[fn] for fn in fns}
    params = {} if slug in _BODY_AS_IS else {fn: _MAPS[fn] for fn in fns if fn in _MAPS}
    for fn, tweaks in ((CHAT, _CHAT_TWEAKS), (COMPLETE, _COMPLETE_TWEAKS)):
        if slug in tweaks and fn in params:
            tweaked = {**params[fn], **tweaks[slug]}
            params[fn] = {key: rule for key, rule in tweaked.items() if rule is not None}
    provider = Provider(slug=slug, base_url=base, endpoints=endpoints, params=params)
    if slug in _URL_OPTIONS:
        url, option_headers = _URL_OPTIONS[slug]
        provider = replace(provider, build_url=url, option_headers=option_headers)
    if slug in _KEYLESS:
        provider = replace(provider, config_rule=ConfigRule(keyless=always))
    extra = _EXTRA_HEADERS.get(slug)
    return replace(provider, extra_headers=extra) if extra else provider
