"""Server-side configs, credential references and gateway tokens (issue 12), without a server."""

from __future__ import annotations

import json

import pytest

from gateway.access import hash_token, parse_token_hash, presented_token, require_token
from gateway.errors import GatewayError
from gateway.http import Headers
from gateway.serverconfig import ServerConfigError, load
from gateway.settings import Settings

TRUSTED = ("127.0.0.1", "localhost")
TOKEN_HASH = parse_token_hash(hash_token("gw-secret-token"))


def _load(doc: object, env: dict[str, str] | None = None, fmt: str = "json") -> object:
    text = doc if isinstance(doc, str) else json.dumps(doc)
    return load(text, fmt, env or {}, TRUSTED, (TOKEN_HASH,))


def test_named_configs_and_env_references_resolve() -> None:
    doc = {"configs": {"default": {"provider": "openai", "api_key": "env:OPENAI_KEY"},
                       "open": {"provider": "groq", "api_key": ""}},
           "providers": {"anthropic": {"api_key": "env:ANT_KEY"}, "groq": {}}}
    server = _load(doc, {"OPENAI_KEY": "sk-server-openai", "ANT_KEY": "sk-ant-server"})
    assert server.configs["default"]["api_key"] == "sk-server-openai"  # type: ignore[attr-defined]
    assert server.keyed == frozenset({"default"})  # type: ignore[attr-defined]
    assert set(server.secrets) == {"sk-server-openai", "sk-ant-server"}  # type: ignore[attr-defined]


def test_toml_is_accepted() -> None:
    toml = '[configs.default]\nprovider = "openai"\napi_key = "env:K"\n[providers.groq]\napi_key = "env:K"\n'
    server = _load(toml, {"K": "sk-from-env-1234"}, fmt="toml")
    assert server.providers["groq"]["api_key"] == "sk-from-env-1234"  # type: ignore[attr-defined]


@pytest.mark.parametrize(("doc", "env", "message"), [
    ({"configs": {"default": {"provider": "openai", "api_key": "env:MISSING"}}}, {},
     "config 'default': 'api_key' refers to the environment variable MISSING, which is not set"),
    ({"configs": {"bad": {"strategy": {"mode": "nope"}, "targets": [{"provider": "openai", "api_key": "k"}]}}}, {},
     "config 'bad': Invalid config passed: path: strategy,mode, message: Invalid 'mode' value"),
    ({"configs": {"x": {"retry": {"attempts": 2}}}}, {}, "config 'x': a server-side config needs a 'provider'"),
    ({"providers": {"not-a-provider": {}}}, {}, "providers: 'not-a-provider' is not a known provider slug"),
    ({"configs": [1, 2]}, {}, "'configs' must be an object keyed by name"),
    ({"extra": 1}, {}, "unknown sections: extra"),
    ("{not json", {}, "not valid JSON"),
])
def test_invalid_documents_say_why(doc: object, env: dict[str, str], message: str) -> None:
    with pytest.raises(ServerConfigError) as caught:
        _load(doc, env)
    assert message in str(caught.value)


def test_keys_on_the_server_need_gateway_tokens() -> None:
    doc = json.dumps({"providers": {"openai": {"api_key": "sk-inline-key-123"}}})
    with pytest.raises(ServerConfigError, match="needs gateway tokens"):
        load(doc, "json", {}, TRUSTED)
    load(json.dumps({"providers": {"groq": {}}}), "json", {}, TRUSTED)  # no keys held: no token needed


def test_settings_read_configs_and_tokens_from_variables() -> None:
    env = {"GATEWAY_CONFIGS": json.dumps({"configs": {"default": {"provider": "openai", "api_key": "env:K"}}}),
           "K": "sk-key-from-env", "GATEWAY_TOKENS": f"{hash_token('a')}, {hash_token('b')}", "MODEL_ROUTING": "off"}
    settings = Settings.from_mapping(env)
    assert len(settings.server.token_hashes) == 2 and not settings.model_routing
    with pytest.raises(ServerConfigError, match="sha256:<64 hex digits>"):
        Settings.from_mapping({"GATEWAY_TOKENS": "plain-token"})


def test_tokens_are_checked_from_each_header_form() -> None:
    for headers in ({"authorization": "Bearer gw-secret-token"}, {"x-portkey-api-key": "gw-secret-token"},
                    {"x-api-key": "gw-secret-token"}):
        require_token(Headers(headers), (TOKEN_HASH,))
    assert presented_token(Headers({"x-portkey-api-key": "a", "authorization": "Bearer b"})) == "a"
    for headers, message in (({}, "A gateway token is required"),
                             ({"authorization": "Bearer wrong"}, "Invalid gateway token")):
        with pytest.raises(GatewayError) as caught:
            require_token(Headers(headers), (TOKEN_HASH,))
        assert caught.value.status == 401 and message in caught.value.message


def test_server_secrets_are_scrubbed_from_error_bodies_only() -> None:
    from gateway.redaction import redact
    from gateway.routing.context import Outcome

    secret = "sk-server-openai-key"
    echoed = Outcome(401, Headers(), f'{{"error":{{"message":"Incorrect API key provided: {secret}"}}}}'.encode())
    assert redact(echoed, (secret, "short")).body == b'{"error":{"message":"Incorrect API key provided: [redacted]"}}'
    fine = Outcome(200, Headers(), secret.encode())
    assert redact(fine, (secret,)).body == secret.encode()
