"""OpenAI: the reference shape every other provider is translated to and from.

Whitelists follow upstream Portkey's openai configs (reference §7.2): unknown keys are dropped,
temperature/top_p/penalties are clamped, ``model`` gets a default only because it is required.
"""

from __future__ import annotations

from ..transform.params import Options, Param, ParamMap
from .base import Provider


def _plain(*names: str) -> dict[str, Param]:
    return {name: Param(name) for name in names}


CHAT: ParamMap = {
    "model": Param("model", default="gpt-3.5-turbo", required=True),
    "messages": Param("messages", default=""),
    "temperature": Param("temperature", min=0, max=2),
    "top_p": Param("top_p", min=0, max=1),
    "presence_penalty": Param("presence_penalty", min=-2, max=2),
    "frequency_penalty": Param("frequency_penalty", min=-2, max=2),
    **_plain(
        "functions", "function_call", "max_tokens", "n", "stream", "stop", "logit_bias", "user",
        "seed", "tools", "tool_choice", "response_format", "logprobs", "top_logprobs",
        "stream_options", "service_tier", "parallel_tool_calls", "max_completion_tokens", "store",
        "metadata", "modalities", "audio", "prediction", "reasoning_effort", "web_search_options",
        "prompt_cache_key", "safety_identifier", "verbosity",
    ),
}

COMPLETE: ParamMap = {
    "model": Param("model", default="gpt-3.5-turbo-instruct", required=True),
    "prompt": Param("prompt", default=""),
    "max_tokens": Param("max_tokens", min=0),
    "temperature": Param("temperature", min=0, max=2),
    "top_p": Param("top_p", min=0, max=1),
    "logprobs": Param("logprobs", max=5),
    "presence_penalty": Param("presence_penalty", min=-2, max=2),
    "frequency_penalty": Param("frequency_penalty", min=-2, max=2),
    **_plain("n", "stream", "echo", "stop", "best_of", "logit_bias", "user", "seed", "suffix",
             "stream_options"),
}

EMBED: ParamMap = {
    "model": Param("model", default="text-embedding-ada-002", required=True),
    "input": Param("input", required=True),
    **_plain("encoding_format", "dimensions", "user"),
}

IMAGE: ParamMap = {
    "prompt": Param("prompt", required=True),
    "model": Param("model", default="dall-e-2", required=True),
    **_plain("n", "quality", "response_format", "size", "style", "user", "background",
             "moderation", "output_compression", "output_format", "partial_images", "stream"),
}

SPEECH: ParamMap = {
    "model": Param("model", default="tts-1", required=True),
    "input": Param("input", required=True),
    "voice": Param("voice", default="alloy", required=True),
    **_plain("response_format", "speed", "instructions", "stream_format"),
}

ENDPOINTS = {
    "chatComplete": "/chat/completions",
    "complete": "/completions",
    "embed": "/embeddings",
    "imageGenerate": "/images/generations",
    "imageEdit": "/images/edits",
    "createSpeech": "/audio/speech",
    "createTranscription": "/audio/transcriptions",
    "createTranslation": "/audio/translations",
    "listFiles": "/files",
    "uploadFile": "/files",
    "retrieveFile": "/files/{id}",
    "deleteFile": "/files/{id}",
    "retrieveFileContent": "/files/{id}/content",
    "createBatch": "/batches",
    "listBatches": "/batches",
    "retrieveBatch": "/batches/{id}",
    "cancelBatch": "/batches/{id}/cancel",
    "getBatchOutput": "/batches/{id}/output",
    "createModelResponse": "/responses",
    "getModelResponse": "/responses/{id}",
    "deleteModelResponse": "/responses/{id}",
    "listResponseInputItems": "/responses/{id}/input_items",
    "createFinetune": "/fine_tuning/jobs",
    "listFinetunes": "/fine_tuning/jobs",
    "retrieveFinetune": "/fine_tuning/jobs/{id}",
    "cancelFinetune": "/fine_tuning/jobs/{id}/cancel",
}

PARAMS: dict[str, ParamMap] = {
    "chatComplete": CHAT,
    "complete": COMPLETE,
    "embed": EMBED,
    "imageGenerate": IMAGE,
    "createSpeech": SPEECH,
}

_OPTION_HEADERS = (
    ("openai_organization", "openai-organization"),
    ("openai_project", "openai-project"),
    ("openai_beta", "openai-beta"),
)


def _headers(options: Options, fn: str) -> dict[str, str]:
    out = {"authorization": f"Bearer {options.get('api_key') or ''}"}
    for option, header in _OPTION_HEADERS:
        if options.get(option):
            out[header] = str(options[option])
    return out


OPTION_HEADERS = (
    ("openai-organization", "openai_organization", False),
    ("openai-project", "openai_project", False),
    ("openai-beta", "openai_beta", True),
)

def realtime_url(options: Options, base: str, query: str) -> str:
    """``/v1/realtime`` keeps the client's query (``?model=...``, ``?call_id=...``) as sent."""
    return f"{base}/realtime" + (f"?{query}" if query else "")


PROVIDER = Provider(
    slug="openai",
    base_url="https://api.openai.com/v1",
    endpoints=ENDPOINTS,
    params=PARAMS,
    headers=_headers,
    option_headers=OPTION_HEADERS,
    realtime=realtime_url,
)
