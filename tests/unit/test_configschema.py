"""validate_config: upstream's zod error strings, rule by rule.

The expected strings were cross-checked against upstream's schema run under zod 3.25.76.
"""

import pytest

from gateway.configschema import (
    MSG_CACHE_MODE,
    MSG_FORWARD,
    MSG_MODE,
    MSG_PROVIDER,
    MSG_SHAPE,
    MSG_TOO_DEEP,
    validate_config,
)
from gateway.providers.catalog import VALID_PROVIDERS, VALID_PROVIDERS_ORDERED
from gateway.providers.vertex_ai import CONFIG_MESSAGE as MSG_VERTEX

TRUSTED = ("localhost", "127.0.0.1", "::1", "host.docker.internal")
LEAF = {"provider": "openai", "api_key": "sk-test"}


def errors(config: object) -> list[str]:
    return validate_config(config, TRUSTED)


def err(path: str, message: str) -> str:
    return f"path: {path}, message: {message}"


def test_catalog_matches_upstream_shape() -> None:
    assert len(VALID_PROVIDERS_ORDERED) == 74 == len(VALID_PROVIDERS)
    assert {"openai", "anthropic", "vertex-ai", "portkey", "ovhcloud"} <= VALID_PROVIDERS
    assert MSG_PROVIDER.startswith("Invalid 'provider' value. Must be one of: anthropic, ")
    assert MSG_PROVIDER.endswith(", aibadgr, ovhcloud")


def test_message_texts_match_upstream() -> None:
    assert MSG_MODE == ("Invalid 'mode' value. Must be one of: single, loadbalance, fallback, conditional")
    assert MSG_CACHE_MODE == "Invalid 'cache.mode' value. Must be one of: simple, semantic"
    assert MSG_FORWARD == ("forward_headers must not contain the 'x-portkey-forward-headers' header")
    assert MSG_SHAPE.startswith("Invalid configuration. It must have either 'provider'")


@pytest.mark.parametrize(
    "config",
    [
        LEAF,
        {"provider": "openai", "api_key": ""},  # `!== undefined`, not truthiness
        {"strategy": {"mode": "fallback"}, "targets": [LEAF, LEAF]},
        {"strategy": {"mode": "single"}, "targets": []},
        {"cache": {"mode": "simple", "max_age": 60}},
        {"cache": {"mode": "semantic"}},
        {"retry": {"attempts": 3, "on_status_codes": [429], "use_retry_after_header": True}},
        {"request_timeout": 1000},
        {"provider": "ollama"},
        {"provider": "triton"},
        {"provider": "bedrock", "aws_access_key_id": "a", "aws_secret_access_key": "b"},
        {"provider": "vertex-ai", "vertex_region": "us", "vertex_project_id": "p"},
        {"provider": "vertex-ai", "vertex_region": "us", "vertex_service_account_json": {}},
        {"provider": "azure-openai", "azure_auth_mode": "entra"},
        {"after_request_hooks": []},
        {"before_request_hooks": [{"type": "guardrail"}]},
        {"input_guardrails": ["pg-123"]},
        {"output_guardrails": [{"default.contains": {"words": ["x"]}}]},
        {**LEAF, "custom_host": "https://api.openai.com/v1"},
        {**LEAF, "custom_host": "http://localhost:8080"},
        {**LEAF, "custom_host": ""},  # empty host is skipped
        {**LEAF, "forward_headers": ["x-custom"], "weight": 2, "on_status_codes": [500]},
        {**LEAF, "unknown_key": {"anything": 1}, "override_params": {"model": "x"}},
        {
            "strategy": {
                "mode": "conditional",
                "conditions": [{"query": {"metadata.tier": {"$eq": "pro"}}, "then": "a"}],
                "default": "a",
            },
            "targets": [{**LEAF, "name": "a"}],
        },
    ],
)
def test_valid_configs(config: object) -> None:
    assert errors(config) == []


def test_provider_alone_is_invalid() -> None:
    assert errors({"provider": "openai"}) == [err("", MSG_SHAPE)]


@pytest.mark.parametrize(
    "config",
    [
        {},
        {"request_timeout": 0},  # JS-falsy
        {"provider": "bedrock", "aws_access_key_id": "a", "aws_secret_access_key": ""},
        {"provider": "azure-openai", "azure_auth_mode": ""},
        {"provider": "azure-openai"},
        {"targets": [LEAF]},  # targets without strategy
        {"strategy": {"mode": "fallback"}},
    ],
)
def test_shape_refine_alternatives_missing(config: object) -> None:
    assert errors(config) == [err("", MSG_SHAPE)]


@pytest.mark.parametrize(
    ("config", "received"),
    [([], "array"), ("x", "string"), (5, "number"), (None, "null"), (True, "boolean")],
)
def test_non_object_config(config: object, received: str) -> None:
    assert errors(config) == [err("", f"Expected object, received {received}")]


def test_strategy_mode_enum() -> None:
    config = {"strategy": {"mode": "round-robin"}, "targets": [LEAF]}
    assert errors(config) == [err("strategy,mode", MSG_MODE)]


def test_strategy_type_errors() -> None:
    assert errors({"strategy": "fallback", "targets": []}) == [
        err("strategy", "Expected object, received string")
    ]
    assert errors({"strategy": {}, "targets": []}) == [err("strategy,mode", "Required")]
    config = {"strategy": {"mode": "fallback", "on_status_codes": [429, "500"]}}
    assert errors(config) == [err("strategy,on_status_codes,1", "Expected number, received string")]


def test_conditions_shape() -> None:
    strategy = {"mode": "conditional", "conditions": [{"query": [], "then": 1}, "x"]}
    assert errors({"strategy": strategy, "targets": []}) == [
        err("strategy,conditions,0,query", "Expected object, received array"),
        err("strategy,conditions,0,then", "Expected string, received number"),
        err("strategy,conditions,1", "Expected object, received string"),
    ]
    missing = {"mode": "conditional", "conditions": [{}], "default": 1}
    assert errors({"strategy": missing, "targets": []}) == [
        err("strategy,conditions,0,query", "Required"),
        err("strategy,conditions,0,then", "Required"),
        err("strategy,default", "Expected string, received number"),
    ]


def test_provider_not_in_catalog() -> None:
    assert errors({"provider": "nope", "api_key": "k"}) == [err("provider", MSG_PROVIDER)]
    assert errors({"provider": "OpenAI", "api_key": "k"}) == [err("provider", MSG_PROVIDER)]


def test_provider_enum_failure_is_dirty_so_object_refines_still_run() -> None:
    assert errors({"provider": "nope"}) == [err("provider", MSG_PROVIDER), err("", MSG_SHAPE)]


def test_cache_rules() -> None:
    assert errors({"cache": {"mode": "x"}}) == [err("cache,mode", MSG_CACHE_MODE)]
    assert errors({"cache": {}}) == [err("cache,mode", "Required")]
    assert errors({"cache": "simple"}) == [err("cache", "Expected object, received string")]
    assert errors({"cache": {"mode": "simple", "max_age": "60"}}) == [
        err("cache,max_age", "Expected number, received string")
    ]


def test_retry_rules() -> None:
    assert errors({"retry": {}}) == [err("retry,attempts", "Required")]
    assert errors({"retry": {"attempts": "3"}}) == [err("retry,attempts", "Expected number, received string")]
    assert errors({"retry": {"attempts": 3, "use_retry_after_header": "yes"}}) == [
        err("retry,use_retry_after_header", "Expected boolean, received string")
    ]


def test_forward_headers() -> None:
    config = {**LEAF, "forward_headers": ["a", "X-Portkey-Forward-Headers"]}
    assert errors(config) == [err("forward_headers", MSG_FORWARD)]
    assert errors({**LEAF, "forward_headers": "a"}) == [
        err("forward_headers", "Expected array, received string")
    ]
    assert errors({**LEAF, "forward_headers": ["a", 1]}) == [
        err("forward_headers,1", "Expected string, received number")
    ]


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("api_key", 1, "Expected string, received number"),
        ("aws_region", None, "Expected string, received null"),
        ("weight", "1", "Expected number, received string"),
        ("on_status_codes", {}, "Expected array, received object"),
        ("request_timeout", True, "Expected number, received boolean"),
        ("custom_host", 5, "Expected string, received number"),
        ("openai_project", [], "Expected string, received array"),
        ("azure_model_name", {}, "Expected string, received object"),
        ("strict_open_ai_compliance", "false", "Expected boolean, received string"),
        ("vertex_service_account_json", "x", "Expected object, received string"),
        ("after_request_hooks", {}, "Expected array, received object"),
        ("input_guardrails", "x", "Invalid input"),
        ("output_guardrails", ["a", {"b": 1}], "Invalid input"),
    ],
)
def test_field_type_errors_suppress_object_refines(key: str, value: object, message: str) -> None:
    # `{"provider": "vertex-ai"}` alone would fail two refines; the type error aborts them.
    assert errors({"provider": "vertex-ai", key: value}) == [err(key, message)]


def test_hook_elements_must_be_objects() -> None:
    assert errors({"before_request_hooks": [{}, "x", []]}) == [
        err("before_request_hooks,1", "Expected object, received string"),
        err("before_request_hooks,2", "Expected object, received array"),
    ]


def test_service_account_values_must_be_strings_in_js_key_order() -> None:
    sa = {"b": 1, "2": True, "1": "ok", "a": "ok"}
    config = {"provider": "vertex-ai", "vertex_region": "r", "vertex_service_account_json": sa}
    assert errors(config) == [
        err("vertex_service_account_json,2", "Expected string, received boolean"),
        err("vertex_service_account_json,b", "Expected string, received number"),
    ]


def test_custom_host_rule() -> None:
    config = {**LEAF, "custom_host": "http://169.254.169.254/v1"}
    assert errors(config) == [err("", "Invalid custom host")]
    assert validate_config({**LEAF, "custom_host": "http://localhost"}, ()) == [
        err("", "Invalid custom host")
    ]


def test_vertex_rule() -> None:
    assert errors({"provider": "vertex-ai", "api_key": "k"}) == [err("", MSG_VERTEX)]
    assert errors({"provider": "vertex-ai", "vertex_region": "r"}) == [
        err("", MSG_SHAPE),
        err("", MSG_VERTEX),
    ]
    config = {"provider": "vertex-ai", "vertex_region": "r", "vertex_project_id": ""}
    assert errors({**config, "retry": {"attempts": 1}}) == [err("", MSG_VERTEX)]


def test_all_three_object_refines_report_in_order() -> None:
    config = {"provider": "vertex-ai", "custom_host": "http://10.0.0.1"}
    assert errors(config) == [
        err("", MSG_SHAPE),
        err("", "Invalid custom host"),
        err("", MSG_VERTEX),
    ]


def test_nested_targets_report_with_their_path() -> None:
    config = {
        "strategy": {"mode": "loadbalance"},
        "targets": [
            {"provider": "openai"},
            LEAF,
            {"strategy": {"mode": "fallback"}, "targets": [{"provider": "vertex-ai"}]},
        ],
    }
    assert errors(config) == [
        err("targets,0", MSG_SHAPE),
        err("targets,2,targets,0", MSG_SHAPE),
        err("targets,2,targets,0", MSG_VERTEX),
    ]


def test_nested_type_error_suppresses_parent_refines_only() -> None:
    config = {"strategy": {"mode": "bad"}, "targets": [{"provider": "openai", "api_key": 5}]}
    assert errors(config) == [
        err("strategy,mode", MSG_MODE),
        err("targets,0,api_key", "Expected string, received number"),
    ]
    # the same target merely dirty: the parent's refines would run (and here pass)
    config = {"strategy": {"mode": "bad"}, "targets": [{"provider": "openai"}]}
    assert errors(config) == [err("strategy,mode", MSG_MODE), err("targets,0", MSG_SHAPE)]


def test_targets_type_errors() -> None:
    assert errors({"strategy": {"mode": "single"}, "targets": {}}) == [
        err("targets", "Expected array, received object")
    ]
    assert errors({"strategy": {"mode": "single"}, "targets": [LEAF, "x"]}) == [
        err("targets,1", "Expected object, received string")
    ]


def test_issues_follow_schema_declaration_order() -> None:
    config = {"strict_open_ai_compliance": 1, "weight": "x", "strategy": {"mode": "no"}}
    assert errors(config) == [
        err("strategy,mode", MSG_MODE),
        err("weight", "Expected number, received string"),
        err("strict_open_ai_compliance", "Expected boolean, received number"),
    ]


def test_nan_is_reported_like_zod() -> None:
    assert errors({"request_timeout": float("nan")}) == [
        err("request_timeout", "Expected number, received nan")
    ]


def test_absurd_nesting_does_not_raise() -> None:
    config: dict = LEAF
    for _ in range(5000):
        config = {"strategy": {"mode": "fallback"}, "targets": [config]}
    assert errors(config)[-1] == err("", MSG_TOO_DEEP)
