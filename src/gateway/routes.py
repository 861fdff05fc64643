"""The route table as data (reference §1.2): method, path pattern, endpoint name (fn) and how
the body is handled. ``json`` bodies are parsed (and mapped per provider); ``raw`` bodies
(multipart uploads) stream through untouched; ``none`` sends no body."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern[str]
    fn: str
    body: str  # "json" | "raw" | "none"


def _route(method: str, path: str, fn: str, body: str) -> Route:
    regex = "^" + re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", path).replace("/*", "/.+") + "$"
    return Route(method, re.compile(regex), fn, body)


_TABLE = (
    ("POST", "/v1/chat/completions", "chatComplete", "json"),
    ("POST", "/v1/completions", "complete", "json"),
    ("POST", "/v1/embeddings", "embed", "json"),
    ("POST", "/v1/messages", "messages", "json"),
    ("POST", "/v1/messages/count_tokens", "messagesCountTokens", "json"),
    ("POST", "/v1/images/generations", "imageGenerate", "json"),
    ("POST", "/v1/images/edits", "imageEdit", "raw"),
    ("POST", "/v1/audio/speech", "createSpeech", "json"),
    ("POST", "/v1/audio/transcriptions", "createTranscription", "raw"),
    ("POST", "/v1/audio/translations", "createTranslation", "raw"),
    ("GET", "/v1/files", "listFiles", "none"),
    ("POST", "/v1/files", "uploadFile", "raw"),
    ("GET", "/v1/files/{id}", "retrieveFile", "none"),
    ("DELETE", "/v1/files/{id}", "deleteFile", "none"),
    ("GET", "/v1/files/{id}/content", "retrieveFileContent", "none"),
    ("GET", "/v1/batches", "listBatches", "none"),
    ("POST", "/v1/batches", "createBatch", "json"),
    ("GET", "/v1/batches/{id}", "retrieveBatch", "none"),
    ("GET", "/v1/batches/{id}/output", "getBatchOutput", "none"),
    ("POST", "/v1/batches/{id}/cancel", "cancelBatch", "none"),
    ("POST", "/v1/responses", "createModelResponse", "json"),
    ("GET", "/v1/responses/{id}", "getModelResponse", "none"),
    ("DELETE", "/v1/responses/{id}", "deleteModelResponse", "none"),
    ("GET", "/v1/responses/{id}/input_items", "listResponseInputItems", "none"),
    ("GET", "/v1/fine_tuning/jobs", "listFinetunes", "none"),
    ("POST", "/v1/fine_tuning/jobs", "createFinetune", "json"),
    ("GET", "/v1/fine_tuning/jobs/{id}", "retrieveFinetune", "none"),
    ("POST", "/v1/fine_tuning/jobs/{id}/cancel", "cancelFinetune", "none"),
    ("GET", "/v1/realtime", "realtime", "none"),
    ("POST", "/v1/prompts/*", "prompts", "none"),
)

ROUTES = tuple(_route(*row) for row in _TABLE)
ROUTE_TABLE = _TABLE
"""(method, path, fn, body) rows, for descriptions of the routes (``gateway.openapi``)."""
PROXY_METHODS = ("GET", "POST", "DELETE")


@dataclass(frozen=True)
class Match:
    fn: str
    body: str
    path_params: dict[str, str]


def match(method: str, path: str) -> Match | None:
    """Find the route for a request; any other ``/v1/*`` GET/POST/DELETE is a passthrough."""
    if path != "/" and path.endswith("/"):
        path = path.rstrip("/")
    for route in ROUTES:
        if route.method == method:
            found = route.pattern.match(path)
            if found:
                return Match(route.fn, route.body, found.groupdict())
    if method in PROXY_METHODS and path.startswith("/v1/"):
        body = "none" if method != "POST" else "raw"
        return Match("proxy", body, {"path": path})
    return None
