"""Checks on JSON inside the answer: jsonSchema (valid against a draft 2020-12 schema) and jsonKeys
(which keys are present).

JSON is looked for as upstream does, in fenced code blocks first; outside them, every balanced
``{...}`` object is a candidate. Deliberate difference: upstream's candidates outside code blocks
end at the first ``}``, so a nested object there never parses; here it does.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any

from ..context import HookContext, excerpt, text_of
from ..jsonschema import SchemaError, validate
from ..runner import CheckEnv, CheckFn, CheckResult
from . import truthy

_CODE_BLOCK = re.compile(r"```+(?:json)?\s*([\s\S]*?)```+")
_DECODER = json.JSONDecoder()


def code_blocks(text: str) -> list[str]:
    return [m.group(1).strip() for m in _CODE_BLOCK.finditer(text)]


def objects(text: str) -> list[Any]:
    """Every JSON object that starts at a ``{`` and parses, left to right, not nested twice."""
    found, at = [], text.find("{")
    while at != -1:
        try:
            value, end = _DECODER.raw_decode(text, at)
        except ValueError:
            at = text.find("{", at + 1)
            continue
        found.append(value)
        at = text.find("{", end)
    return found


def _parsed(candidates: list[str]) -> list[Any]:
    out = []
    for candidate in candidates:
        try:
            out.append(json.loads(candidate))
        except ValueError:
            continue
    return out


async def json_schema(ctx: HookContext, params: Mapping[str, Any], event: str, env: CheckEnv) -> CheckResult:
    schema, not_ = params.get("schema"), truthy(params.get("not"))
    if not isinstance(schema, dict):
        return _schema_error("Missing or invalid JSON schema", not_)
    text = text_of(ctx, event)
    blocks = code_blocks(text)
    candidates = _parsed(blocks) if blocks else objects(text)
    best: tuple[Any, list[dict[str, str]], bool] | None = None
    try:
        for candidate in candidates:
            failures = validate(schema, candidate)
            if not failures or best is None:
                best = (candidate, [f.as_dict() for f in failures], not failures)
            if not failures:
                break
    except SchemaError as error:
        return _schema_error(str(error), not_)
    if best is None:
        return CheckResult(False, {"explanation": "No valid JSON found in the response.", "not": not_})
    matched, reported, valid = best
    verdict = valid != not_
    if verdict:
        explanation = ("Successfully validated JSON does not match the schema as expected." if not_ else
                       "Successfully validated JSON against the provided schema.")
    else:
        explanation = ("JSON matches the schema when it should not." if not_ else
                       "Failed to validate JSON against the provided schema.")
    return CheckResult(verdict, {"matchedJson": matched, "not": not_, "explanation": explanation,
                                 "validationErrors": reported})


def _schema_error(message: str, not_: bool) -> CheckResult:
    return CheckResult(False, {"explanation": "An error occurred while processing the JSON.", "error": message,
                               "not": not_}, message)


def _keys_explanation(operator: str, present: list[str], missing: list[str], verdict: bool) -> str:
    found = f"Found keys: [{', '.join(present)}]" if present else "No matching keys found"
    absent = f"Missing keys: [{', '.join(missing)}]" if missing else "No missing keys"
    if operator == "any":
        return (f"Successfully found at least one required key. {found}." if verdict else
                f"Failed to find any required keys. {absent}.")
    if operator == "all":
        return (f"Successfully found all required keys. {found}." if verdict else
                f"Failed to find all required keys. {absent}.")
    return (f"Successfully verified no required keys are present. {absent}." if verdict else
            f"Found some keys that should not be present. {found}.")


async def json_keys(ctx: HookContext, params: Mapping[str, Any], event: str, env: CheckEnv) -> CheckResult:
    keys, operator = params.get("keys"), params.get("operator", "any")
    text = text_of(ctx, event)
    problem = ("Missing text to analyze" if not text else
               "Missing or invalid keys array" if not isinstance(keys, list) or not keys else
               'Invalid or missing operator (must be "any", "all", or "none")'
               if operator not in ("any", "all", "none") else None)
    if problem:
        data = {"explanation": f"An error occurred while processing JSON: {problem}",
                "operator": params.get("operator"), "requiredKeys": params.get("keys"),
                "textExcerpt": excerpt(text) or "No text available"}
        return CheckResult(False, data, problem)
    assert isinstance(keys, list)
    candidates = _parsed(code_blocks(text)) + objects(text)
    if not candidates:
        return CheckResult(False, {"explanation": "No valid JSON found in the text.", "requiredKeys": keys,
                                   "operator": operator, "textExcerpt": excerpt(text)})
    best: dict[str, Any] = {"json": None, "present": [], "missing": keys, "verdict": False}
    for candidate in candidates:
        present = [k for k in keys if isinstance(candidate, dict) and k in candidate]
        missing = [k for k in keys if k not in present]
        verdict = {"any": bool(present), "all": not missing, "none": not present}[operator]
        if verdict or len(present) > len(best["present"]):
            best = {"json": candidate, "present": present, "missing": missing, "verdict": verdict}
        if verdict:
            break
    return CheckResult(best["verdict"], {
        "matchedJson": best["json"], "verdict": best["verdict"],
        "explanation": _keys_explanation(operator, best["present"], best["missing"], best["verdict"]),
        "presentKeys": best["present"], "missingKeys": best["missing"], "operator": operator,
        "textExcerpt": excerpt(text)})


CHECKS: dict[str, CheckFn] = {"jsonSchema": json_schema, "jsonKeys": json_keys}
