"""The hook model and runner (reference §6.1): shorthand conversion, validation before any upstream
call, inheritance through targets (§4.1), parallel and sequential checks, verdicts, feedback."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from gateway.clock import Clock
from gateway.errors import GatewayError
from gateway.guardrails.context import AFTER, BEFORE, HookContext
from gateway.guardrails.model import check_config_hooks, default_guardrails, from_shorthand, own_hooks, parse_hooks
from gateway.guardrails.runner import CheckEnv, HooksRun, run_hooks
from gateway.memorystore import MemoryStore
from gateway.routing.targets import inherit
from tests.unit.fakes import FakeTransport, refused


def test_shorthand_becomes_a_full_hook() -> None:
    hook = from_shorthand({"deny": True, "on_fail": {"feedback": {"value": -1}}, "regexMatch": {"rule": "x"},
                           "portkey.pii": {"id": "default.wordCount", "maxWords": 3}}, "input", "guardrail")
    assert hook["type"] == "guardrail" and hook["deny"] is True and hook["on_fail"] == {"feedback": {"value": -1}}
    assert [c["id"] for c in hook["checks"]] == ["default.regexMatch", "default.wordCount"]
    assert hook["checks"][0]["parameters"] == {"rule": "x"}
    assert hook["id"].startswith("input_guardrail_") and len(hook["id"]) == len("input_guardrail_") + 3
    assert from_shorthand({"regexMatch": {"rule": "x"}}, "input", "guardrail")["id"] == \
        from_shorthand({"regexMatch": {"rule": "x"}}, "input", "guardrail")["id"]  # stable across requests


def test_a_node_declaring_guardrails_stops_inheriting_its_parents_hooks() -> None:
    parent = inherit({}, {"before_request_hooks": [{"id": "p", "checks": []}],
                          "after_request_hooks": [{"id": "pa", "checks": []}]})
    child = inherit(parent, {"provider": "openai", "input_guardrails": [{"wordCount": {"maxWords": 3}}]})
    assert [h["id"][:16] for h in child["before_request_hooks"]] == ["input_guardrail_"]
    assert [h["id"] for h in child["after_request_hooks"]] == ["pa"]  # the other list is still inherited
    both = own_hooks({"before_request_hooks": [{"id": "own", "checks": []}], "input_guardrails": [{"contains": {}}]})
    assert [h["id"][:5] for h in both["before_request_hooks"]] == ["own", "input"]
    assert inherit(parent, {"before_request_hooks": []})["before_request_hooks"] == []


@pytest.mark.parametrize(("config", "status", "needle"), [
    ({"input_guardrails": ["pg-abc"]}, 501, "pg-abc"),
    ({"output_guardrails": [{"portkey.pii": {}}]}, 501, "portkey.pii"),
    ({"targets": [{"before_request_hooks": [{"checks": [{"id": "default.nope"}]}]}]}, 400, "default.nope"),
    ({"before_request_hooks": [{"checks": [{"id": "acme.thing"}]}]}, 400, "acme.thing"),
    ({"before_request_hooks": [{"type": "validator", "checks": []}]}, 400, "'type'"),
    ({"before_request_hooks": [{"checks": "x"}]}, 400, "'checks' must be a list"),
    ({"input_guardrails": [{"regexMatch": "x"}]}, 400, "object of parameters"),
    ({"input_guardrails": {"regexMatch": {}}}, 400, "must be a list"),
], ids=["hosted id", "vendor plugin", "unknown default", "unknown source", "bad type", "checks", "params", "list"])
def test_bad_hooks_are_refused(config: dict[str, Any], status: int, needle: str) -> None:
    with pytest.raises(GatewayError) as raised:
        check_config_hooks(config)
    assert raised.value.status == status and needle in raised.value.message


def test_default_guardrail_headers() -> None:
    hooks = default_guardrails('[{"wordCount": {"maxWords": 5}, "deny": true}]', "x-h", "output")
    assert hooks[0]["deny"] is True and hooks[0]["id"].startswith("output_guardrail_")
    assert default_guardrails("", "x-h", "input") == ()
    for bad in ("[]x", '{"a": 1}', '[{"wordCount": 3}]'):
        with pytest.raises(GatewayError) as raised:
            default_guardrails(bad, "x-h", "input")
        assert raised.value.status == 400 and "x-h" in raised.value.message


# --- the runner ------------------------------------------------------------------------------------
def env() -> CheckEnv:
    clock = Clock(time=lambda: 1700000000.0)
    return CheckEnv(FakeTransport(refused), MemoryStore(clock.time), clock)


def ctx(text: str = "hello world", request_type: str = "chatComplete", status: int | None = 200) -> HookContext:
    return HookContext(request_type, "openai", {"model": "m", "messages": [{"role": "user", "content": text}]},
                       response_json={"choices": [{"message": {"role": "assistant", "content": text}}]},
                       response_status=status)


def run(hooks: list[dict[str, Any]], context: HookContext | None = None, event: str = BEFORE) -> HooksRun:
    return asyncio.run(run_hooks(parse_hooks(hooks), context or ctx(), event, env()))


def hook(*checks: tuple[str, dict[str, Any]], **fields: Any) -> dict[str, Any]:
    return {"id": "h", "type": "guardrail", **fields,
            "checks": [{"id": f"default.{name}", "parameters": params} for name, params in checks]}


def test_verdicts_deny_and_result_shape() -> None:
    passed = run([hook(("wordCount", {"maxWords": 5}))])
    assert not passed.deny and not passed.failed
    result = passed.results[0]
    assert set(result) == {"verdict", "id", "transformed", "checks", "feedback", "execution_time", "async", "type",
                           "created_at", "deny"}
    assert result["created_at"] == "2023-11-14T22:13:20.000Z" and result["deny"] is False
    assert set(result["checks"][0]) == {"verdict", "data", "id", "execution_time", "transformed", "created_at", "log",
                                        "fail_on_error"}
    failed = run([hook(("wordCount", {"maxWords": 1}), deny=True)])
    assert failed.deny and failed.results[0]["deny"] is True and failed.results[0]["verdict"] is False
    soft = run([hook(("wordCount", {"maxWords": 1}))])
    assert not soft.deny and soft.failed


def test_an_erroring_check_is_lenient_unless_fail_on_error() -> None:
    lenient = run([hook(("endsWith", {}), deny=True)])  # no suffix: the check errors
    assert lenient.results[0]["verdict"] is True and "error" in lenient.results[0]["checks"][0]
    strict = run([hook(("endsWith", {"failOnError": True}), deny=True)])
    assert strict.deny and strict.results[0]["checks"][0]["fail_on_error"] is True
    on_check = run([{"id": "h", "deny": True, "checks": [{"id": "default.endsWith", "fail_on_error": True}]}])
    assert on_check.deny


def test_feedback_names_the_checks() -> None:
    hooks = [hook(("wordCount", {"maxWords": 5}), ("wordCount", {"maxWords": 1}), ("endsWith", {}),
                  on_fail={"feedback": {"value": -10, "weight": 1, "metadata": {"team": "a"}}},
                  on_success={"feedback": {"value": 1}})]
    feedback = run(hooks).results[0]["feedback"]
    assert feedback == {"value": -10, "weight": 1, "metadata": {
        "team": "a", "successfulChecks": "default.wordCount", "failedChecks": "default.wordCount",
        "erroredChecks": "default.endsWith"}}
    assert run([hook(("wordCount", {"maxWords": 5}), on_success={"feedback": {"value": 1}})]).results[0][
        "feedback"]["value"] == 1


def test_mutators_and_sequential_checks_see_each_others_rewrites() -> None:
    context = ctx("my card 4111 1111 1111 1111")
    mutator = {"id": "m", "type": "mutator", "checks": [
        {"id": "default.regexReplace", "parameters": {"rule": "/\\d{4}/g", "redactText": "####"}},
        {"id": "default.regexMatch", "parameters": {"rule": "####", "not": False}}]}
    result = run([mutator], context)
    assert context.request_json["messages"][-1]["content"] == "my card #### #### #### ####"
    assert result.results[0]["checks"][1]["verdict"] is True and result.results[0]["transformed"] is True
    parallel = ctx("my card 4111")
    run([hook(("regexReplace", {"rule": "\\d+"}), ("regexMatch", {"rule": "REDACTED"}))], parallel)
    assert parallel.request_json["messages"][-1]["content"] == "my card [REDACTED]"  # both ran on the original


def test_hooks_are_skipped_where_upstream_skips_them() -> None:
    assert run([hook(("wordCount", {"maxWords": 1}))], ctx(request_type="imageGenerate")).results == []
    assert run([hook(("wordCount", {"maxWords": 1}))], ctx(status=500), AFTER).results == []
    assert run([hook(("wordCount", {"maxWords": 1}), **{"async": True})]).results == []
    embed = HookContext("embed", "openai", {"input": "one two three"})
    assert run([hook(("wordCount", {"maxWords": 1}))], embed).failed
    assert run([{"id": "m", "type": "mutator", "checks": []}], embed).results == []


def test_disabled_checks_do_not_run_and_a_crashing_check_is_an_error() -> None:
    disabled = run([{"id": "h", "checks": [{"id": "default.wordCount", "parameters": {"maxWords": 1},
                                            "is_enabled": False}]}])
    assert disabled.results[0]["checks"] == [] and disabled.results[0]["verdict"] is True
    crashing = run([hook(("jsonKeys", {"keys": [{"unhashable": 1}]}), deny=True)], ctx('{"a": 1}'), AFTER)
    check = crashing.results[0]["checks"][0]
    assert check["verdict"] is False and check["error"] == {"name": "Check error",
                                                            "message": "Error executing check: TypeError"}
    assert not crashing.deny  # lenient: an error is not a failure


def test_server_side_configs_with_bad_hooks_stop_start_up() -> None:
    from gateway.serverconfig import ServerConfigError, load

    good = '{"configs": {"default": {"provider": "openai", "input_guardrails": [{"wordCount": {"maxWords": 9}}]}}}'
    assert load(good, "json", {}, ()).configs["default"]["input_guardrails"]
    import json

    for bad, needle in (({"default.nope": {}}, "default.nope"), ({"portkey.pii": {}}, "portkey.pii")):
        text = json.dumps({"configs": {"default": {"provider": "openai", "input_guardrails": [bad]}}})
        with pytest.raises(ServerConfigError) as raised:
            load(text, "json", {}, ())
        assert needle in str(raised.value) and "config 'default'" in str(raised.value)
