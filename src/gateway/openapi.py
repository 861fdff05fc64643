"""An OpenAPI 3.1 description of the gateway's HTTP routes and headers, served at ``GET /openapi.json``.

Why generated: the routes come from the route table (``routes.ROUTE_TABLE``) and each JSON body
from the validator's rules (``requestschema.BODIES``), so the document a client generator or a
fuzzer (schemathesis, in the test suite) reads is the contract the gateway enforces, not a copy
that drifts. Built per request (it is asked for rarely) so the core keeps no module state.

Left out: ``/v1/realtime`` (a WebSocket, which OpenAPI cannot describe; a plain GET answers 426)
and ``/v1/prompts/*`` (answers 501), and the ``/v1/*`` passthrough to the provider (any path).
"""

from __future__ import annotations

from typing import Any

from . import jsoncodec
from .http import Headers, Response
from .requestschema import BODIES, Rule

PATH = "/openapi.json"
_LEFT_OUT = ("realtime", "prompts")
_STREAMED = ("chatComplete", "complete", "messages", "createModelResponse")


def schema_of(rule: Rule) -> dict[str, Any]:
    """A validator rule as JSON Schema (2020-12, as OpenAPI 3.1 uses)."""
    schema: dict[str, Any] = {"type": rule.types[0] if len(rule.types) == 1 else list(rule.types)}
    if rule.items is not None:
        schema["items"] = schema_of(rule.items)
    if rule.fields:
        schema["properties"] = {name: schema_of(sub) for name, sub in rule.fields.items()}
        required = [name for name, sub in rule.fields.items() if sub.required]
        if required:
            schema["required"] = required
    return schema


def _body_schema(fn: str) -> dict[str, Any]:
    rules = BODIES.get(fn, {})
    schema: dict[str, Any] = {"type": "object", "properties": {n: schema_of(r) for n, r in rules.items()}}
    required = [name for name, rule in rules.items() if rule.required]
    if required:
        schema["required"] = required
    return schema


def _header(name: str, description: str, **schema: Any) -> dict[str, Any]:
    return {"name": name, "in": "header", "required": False, "description": description,
            "schema": {"type": "string", **schema}}


def _routing_headers() -> list[dict[str, Any]]:
    from .providers.catalog import VALID_PROVIDERS_ORDERED
    from .providers.unserved import REASONS

    served = [slug for slug in VALID_PROVIDERS_ORDERED if slug not in REASONS]
    return [
        _header("x-portkey-provider", "The provider of a single-target request.", enum=served),
        _header("x-portkey-config", "A JSON routing config (fallback, loadbalance, conditional, retry...), "
                "or the name of a server-side config."),
        _header("authorization", "`Bearer <provider key>`, or a gateway token for server-held keys."),
        _header("x-api-key", "The provider key as Anthropic clients send it."),
        _header("x-portkey-custom-host", "Base URL to send the request to instead of the provider's."),
        _header("x-portkey-request-timeout", "Milliseconds before an attempt is abandoned (408).",
                pattern="^[0-9]{1,7}$"),
        _header("x-portkey-trace-id", "Echoed in the answer's headers."),
        _header("x-portkey-metadata", "A JSON object of request metadata."),
        _header("x-portkey-forward-headers", "Comma list of client headers to send to the provider."),
        _header("x-portkey-strict-open-ai-compliance", "`false` adds provider extras to translated answers.",
                enum=["true", "false"]),
    ]


def _error(description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {"type": "object"}}}}


_RESPONSES = {
    "400": _error("Invalid headers, config or body (the message names the field)"),
    "401": _error("A missing or wrong gateway token, or the provider refused the key"),
    "408": _error("`request_timeout` expired"),
    "413": _error("The body is larger than the gateway accepts"),
    "431": _error("Too many or too large request headers, or an oversized `x-portkey-config`"),
    "502": _error("The provider's answer was broken (named in the message)"),
    "503": _error("The provider could not be reached"),
}


def _operation(method: str, path: str, fn: str, body: str, routing: list[dict[str, Any]]) -> dict[str, Any]:
    params = [{"name": name, "in": "path", "required": True, "schema": {"type": "string", "minLength": 1,
                                                                       "pattern": "^[A-Za-z0-9_.-]+$"}}
              for name in _path_params(path)]
    ok: dict[str, Any] = {"application/json": {"schema": {}}}
    if fn in _STREAMED:
        ok["text/event-stream"] = {"schema": {"type": "string"}}
    operation: dict[str, Any] = {"operationId": fn, "parameters": params + routing,
                                 "responses": {"200": {"description": "The provider's answer", "content": ok},
                                               **_RESPONSES}}
    if body == "json":
        operation["requestBody"] = {"required": True,
                                    "content": {"application/json": {"schema": _body_schema(fn)}}}
    elif body == "raw" and method == "POST":
        upload = {"type": "object", "properties": {"file": {"type": "string", "format": "binary"},
                                                   "model": {"type": "string"}, "purpose": {"type": "string"}}}
        operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": upload}}}
    return operation


def _path_params(path: str) -> list[str]:
    return [part[1:-1] for part in path.split("/") if part.startswith("{") and part.endswith("}")]


def document() -> dict[str, Any]:
    from .routes import ROUTE_TABLE

    routing = _routing_headers()
    paths: dict[str, dict[str, Any]] = {
        "/": {"get": {"operationId": "health", "responses": {"200": {"description": "AI Gateway says hey!",
                                                                    "content": {"text/plain": {}}}}}},
        PATH: {"get": {"operationId": "openapi", "responses": {"200": {"description": "This document"}}}},
    }
    for method, path, fn, body in ROUTE_TABLE:
        if fn in _LEFT_OUT:
            continue
        paths.setdefault(path, {})[method.lower()] = _operation(method, path, fn, body, routing)
    return {
        "openapi": "3.1.0",
        "info": {"title": "portkey-py-gateway", "version": "1",
                 "description": "A Portkey-compatible AI gateway. Any other GET/POST/DELETE /v1/* path is "
                                "passed through to the provider; /v1/realtime is a WebSocket."},
        "paths": paths,
    }


def openapi_response() -> Response:
    return Response(200, Headers({"content-type": "application/json"}), jsoncodec.dumps(document()))
