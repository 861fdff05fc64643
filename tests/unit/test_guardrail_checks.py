"""Every built-in check against upstream's own test cases (``guardrail_vectors.py``), run as data."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gateway.clock import Clock
from gateway.guardrails.checks import find
from gateway.guardrails.context import AFTER, HookContext
from gateway.guardrails.runner import CheckEnv, CheckResult
from gateway.http import Headers
from gateway.memorystore import MemoryStore
from tests.unit.fakes import FakeTransport, refused
from tests.unit.guardrail_vectors import VECTORS


def context_of(vector: dict[str, Any]) -> HookContext:
    if "text" in vector:
        if vector["event"] == AFTER:
            response = {"choices": [{"message": {"role": "assistant", "content": vector["text"]}}]}
            return HookContext("chatComplete", "openai", {"messages": []}, response_json=response, response_status=200)
        return HookContext("chatComplete", "openai", {"messages": [{"role": "user", "content": vector["text"]}]})
    spec = vector["context"]
    return HookContext(spec.get("requestType", "chatComplete"), "openai", (spec.get("request") or {}).get("json"),
                       Headers(spec.get("headers") or {}), spec.get("metadata") or {},
                       response_json=(spec.get("response") or {}).get("json"), response_status=200)


def env() -> CheckEnv:
    clock = Clock()
    return CheckEnv(FakeTransport(refused), MemoryStore(clock.time), clock, ("127.0.0.1",))


def run(vector: dict[str, Any]) -> CheckResult:
    check = find("default." + vector["check"])
    assert check is not None, vector["check"]
    return asyncio.run(check(context_of(vector), vector["params"], vector["event"], env()))


def value_at(result: CheckResult, path: str) -> Any:
    head, *rest = path.split(".")
    value: Any = getattr(result, head)
    for part in rest:
        if part == "#":
            return len(value)
        value = value[int(part)] if isinstance(value, list) else value[part]
    return value


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_check_matches_upstream(vector: dict[str, Any]) -> None:
    result = run(vector)
    assert result.verdict is vector["verdict"], result.data
    if "error" in vector:
        expected = vector["error"]
        if expected is None:
            assert result.error is None, result.error
        elif expected is True:
            assert result.error
        else:
            assert result.error == expected
    for needle in vector.get("error_contains", ()):
        assert result.error and needle in result.error
    if "data" in vector:
        assert result.data == vector["data"]
    for key, value in (vector.get("data_has") or {}).items():
        assert result.data[key] == value, key
    for key in ("contains", "contains_also"):
        if key in vector:
            assert vector[key] in result.data["explanation"]
    if vector.get("excerpt_truncated"):
        assert len(result.data["textExcerpt"]) <= 103 and result.data["textExcerpt"].endswith("...")
    if "transformed" in vector:
        assert result.transformed is vector["transformed"]
    for path, value in vector.get("check_values", ()):
        assert value_at(result, path) == value, path
    for needle in vector.get("messages_contain", ()):
        assert any(needle in e["message"] for e in result.data["validationErrors"]), needle


def test_every_built_in_check_has_vectors() -> None:
    from gateway.guardrails.catalog import BUILT_IN

    covered = {v["check"] for v in VECTORS} | {"validUrls", "webhook", "log", "jwt"}  # in test_guardrail_checks_io
    assert covered == set(BUILT_IN)
