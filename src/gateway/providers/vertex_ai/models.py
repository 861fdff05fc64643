"""Which of Vertex AI's three wire formats a model speaks, and where it lives.

Vertex hosts several publishers behind one project/region: Google's Gemini (``generateContent``),
Anthropic's Claude (the Messages API through ``rawPredict``) and open models behind an
OpenAI-compatible endpoint. The model string decides, as upstream Portkey does with a
``publisher.`` prefix (``anthropic.claude-sonnet-4@20250514``, ``meta.llama-3.3-70b-instruct-maas``,
``mistralai.mistral-large-2411``, ``endpoints.<id>``, ``google.gemini-2.5-pro``); any other name is
a Gemini model. Two conveniences upstream lacks: a bare ``claude-*`` name is Claude (the names
Google's and Anthropic's docs use), and a ``publisher/model`` name (``meta/llama-4-maverick...``,
``qwen/...``) goes to the OpenAI-compatible endpoint unchanged, which is the form that endpoint takes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...errors import GatewayError

GEMINI, CLAUDE, OPENAI = "gemini", "claude", "openai"
"""The three body formats: Gemini's generateContent, Anthropic Messages, OpenAI chat."""


@dataclass(frozen=True, slots=True)
class ModelRoute:
    """``family``: the body format; ``publisher``: the URL's publisher (``openapi`` for the shared
    OpenAI-compatible endpoint, ``endpoints`` for a dedicated one); ``model``: the name in the URL
    (or, for OpenAI-shaped bodies, in the body)."""

    family: str
    publisher: str
    model: str


def route(model: Any) -> ModelRoute:
    """The route of a request's ``model``; a missing model is the client's error (upstream: 400)."""
    if not isinstance(model, str) or not model.strip():
        raise GatewayError("vertex-ai: model is required", 400, exception=False)
    model = model.strip()
    prefix, dot, rest = model.partition(".")
    if dot and rest:
        if prefix == "google":
            return ModelRoute(GEMINI, "google", rest)
        if prefix == "anthropic":
            return ModelRoute(CLAUDE, "anthropic", rest)
        if prefix == "meta":
            return ModelRoute(OPENAI, "openapi", f"meta/{rest}")
        if prefix == "mistralai":
            return ModelRoute(OPENAI, "mistralai", rest)
        if prefix == "endpoints":
            return ModelRoute(OPENAI, "endpoints", rest)
    if model.startswith("claude-"):
        return ModelRoute(CLAUDE, "anthropic", model)
    if "/" in model:
        return ModelRoute(OPENAI, "openapi", model)
    return ModelRoute(GEMINI, "google", model)


def family(model: Any) -> str | None:
    """The body format of ``model``, None when there is no usable model (the URL step reports it)."""
    try:
        return route(model).family
    except GatewayError:
        return None
