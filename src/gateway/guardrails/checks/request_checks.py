"""Checks on the request itself: modelWhitelist, modelRules (metadata-driven model lists),
allowedRequestTypes, requiredMetadataKeys, and the addPrefix transformer."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from ..context import BEFORE, HookContext, content_part, with_texts
from ..runner import CheckEnv, CheckFn, CheckResult
from . import truthy


def _model(ctx: HookContext) -> Any:
    return ctx.request_json.get("model") if isinstance(ctx.request_json, dict) else None


async def model_whitelist(ctx: HookContext, params: Mapping[str, Any], event: str, env: CheckEnv) -> CheckResult:
    models, not_, model = params.get("models"), truthy(params.get("not")), _model(ctx)
    problem = ("Missing or invalid model whitelist" if not isinstance(models, list) else
               "Missing model in request" if not model else None)
    if problem:
        return CheckResult(False, {"explanation": f"An error occurred while checking model whitelist: {problem}",
                                   "requestedModel": model or "No model specified", "not": not_,
                                   "allowedModels": models or []}, problem)
    assert isinstance(models, list)
    verdict = (model in models) != not_
    if verdict:
        explanation = (f'Model "{model}" is not in the allowed list as expected.' if not_ else
                       f'Model "{model}" is allowed.')
    else:
        explanation = (f'Model "{model}" is in the allowed list when it should not be.' if not_ else
                       f'Model "{model}" is not in the allowed list.')
    return CheckResult(verdict, {"verdict": verdict, "not": not_, "explanation": explanation, "requestedModel": model,
                                 "allowedModels": models})


def _rule_models(rules: Mapping[str, Any], metadata: Mapping[str, Any]) -> tuple[list[str], list[str], bool]:
    """(allowed models, the rules that matched, whether the defaults were used)."""
    allowed: list[str] = []
    matched: list[str] = []
    table: Any = rules.get("metadata") if isinstance(rules.get("metadata"), dict) else {}
    for key, mapping in table.items():
        value = metadata.get(key)
        if value is None or not isinstance(mapping, dict):
            continue
        for item in value if isinstance(value, list) else [value]:
            text = str(item).lower() if isinstance(item, bool) else str(item)
            models = mapping.get(text)
            if isinstance(models, list):
                matched.append(f"{key}:{text}")
                allowed += [m for m in models if isinstance(m, str) and m and m not in allowed]
    if allowed:
        return allowed, matched, False
    defaults = rules.get("defaults")
    return [str(m) for m in defaults] if isinstance(defaults, list) else [], matched, True


async def model_rules(ctx: HookContext, params: Mapping[str, Any], event: str, env: CheckEnv) -> CheckResult:
    rules, not_, model = params.get("rules"), truthy(params.get("not")), _model(ctx)
    problem = ("Missing model in request" if not model else
               "Missing rules configuration" if not isinstance(rules, dict) else None)
    allowed: list[str] = []
    matched: list[str] = []
    defaults = False
    if problem is None:
        assert isinstance(rules, dict)
        allowed, matched, defaults = _rule_models(rules, ctx.metadata or {})
        if not allowed:
            problem = "No allowed models resolved from rules"
    if problem:
        return CheckResult(False, {"explanation": f"An error occurred while checking model rules: {problem}"}, problem)
    verdict = (model in allowed) != not_
    if verdict:
        explanation = (f'Model "{model}" is not permitted by rules (blocked list).' if not_ else
                       f'Model "{model}" is allowed by rules.')
        if matched:
            explanation += f" (matched rules: {', '.join(matched)})"
        elif defaults:
            explanation += " (using default models)"
    else:
        explanation = (f'Model "{model}" is permitted by rules (in blocked list).' if not_ else
                       f'Model "{model}" is not allowed by rules.')
    return CheckResult(verdict, {"explanation": explanation})


def _types(value: Any) -> list[str]:
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, str) and value:
        return [part.strip() for part in value.split(",")]
    return []


def _type_lists(params: Mapping[str, Any], metadata: Mapping[str, Any]) -> tuple[list[str], list[str], str]:
    allowed = _types(params.get("allowedTypes")) or _types(metadata.get("supported_endpoints"))
    blocked = _types(params.get("blockedTypes")) or _types(metadata.get("blocked_endpoints"))
    source = ("parameters" if truthy(params.get("allowedTypes")) or truthy(params.get("blockedTypes")) else
              "metadata" if truthy(metadata.get("supported_endpoints")) or truthy(metadata.get("blocked_endpoints"))
              else "default")
    return allowed, blocked, source


def _type_verdict(current: str, allowed: list[str], blocked: list[str]) -> tuple[bool, str, str]:
    if not allowed and not blocked:
        return True, "unrestricted", f'Request type "{current}" is allowed (no restrictions configured).'
    if not allowed:
        verdict = current not in blocked
        return verdict, "blocklist", (f'Request type "{current}" is allowed (not in blocklist).' if verdict else
                                      f'Request type "{current}" is blocked.')
    if not blocked:
        verdict = current in allowed
        return verdict, "allowlist", (f'Request type "{current}" is allowed.' if verdict else
                                      f'Request type "{current}" is not allowed. Allowed types are: '
                                      + ", ".join(allowed))
    if current in blocked:
        return False, "combined", f'Request type "{current}" is explicitly blocked.'
    if current in allowed:
        return True, "combined", f'Request type "{current}" is allowed (in allowlist and not blocked).'
    remaining = ", ".join(t for t in allowed if t not in blocked)
    return False, "combined", (f'Request type "{current}" is not in the allowed list. Allowed types (excluding '
                               f"blocked): {remaining}")


async def allowed_request_types(ctx: HookContext, params: Mapping[str, Any], event: str,
                                env: CheckEnv) -> CheckResult:
    metadata = ctx.metadata or {}
    allowed, blocked, source = _type_lists(params, metadata)
    current = ctx.request_type
    conflicts = [t for t in allowed if t in blocked]
    problem = ("Request type not found in context" if not current else
               f"Conflict detected: The following types appear in both allowedTypes and blockedTypes: "
               f"{', '.join(conflicts)}. Please remove them from one list." if conflicts else None)
    if problem:
        return CheckResult(False, {
            "explanation": f"An error occurred while checking allowed request types: {problem}",
            "currentRequestType": current or "unknown",
            "allowedTypes": params.get("allowedTypes") or metadata.get("supported_endpoints") or [],
            "blockedTypes": params.get("blockedTypes") or metadata.get("blocked_endpoints") or []}, problem)
    verdict, mode, explanation = _type_verdict(current, allowed, blocked)
    data: dict[str, Any] = {"currentRequestType": current}
    if allowed:
        data["allowedTypes"] = allowed
    elif mode == "unrestricted":
        data["allowedTypes"] = ["all"]
    if blocked:
        data["blockedTypes"] = blocked
    data.update(verdict=verdict, explanation=explanation, source=source, mode=mode)
    return CheckResult(verdict, data)


_METADATA_WORDS = {"any": ("At least one metadata key was found.", "No metadata keys were found."),
                   "all": ("All metadata keys were found.", "Some metadata keys were missing."),
                   "none": ("No metadata keys were found.", "Some metadata keys were found.")}


async def required_metadata_keys(ctx: HookContext, params: Mapping[str, Any], event: str,
                                 env: CheckEnv) -> CheckResult:
    keys, operator = params.get("metadataKeys"), params.get("operator", "all")
    problem = ("This plugin only works for before_request_hooks" if event != BEFORE else
               "metadataKeys must be an array and not empty" if not isinstance(keys, list) or not keys else
               "metadataKeys must be an array of strings" if any(not isinstance(k, str) for k in keys) else
               "operator must be one of: all, any, none" if operator not in _METADATA_WORDS else None)
    if problem:
        return CheckResult(True, None, problem)
    assert isinstance(keys, list)
    metadata = ctx.metadata or {}
    found = [k for k in keys if k in metadata]
    missing = [k for k in keys if k not in metadata]
    verdict = {"any": bool(found), "all": not missing, "none": not found}[operator]
    explanation = (f"Check {'passed' if verdict else 'failed'} for '{operator}' metadata keys. "
                   + _METADATA_WORDS[operator][0 if verdict else 1])
    return CheckResult(verdict, {"explanation": explanation, "missing_metadata_keys": missing,
                                 "found_metadata_keys": found, "operator": operator})


# --- addPrefix ----------------------------------------------------------------------------------
def _prefixed(existing: Any, prefix: str) -> Any:
    if existing is None or isinstance(existing, str):
        return f"{prefix}{existing or ''}"
    if isinstance(existing, list):
        if existing and isinstance(existing[0], dict) and existing[0].get("type") == "text":
            cloned = [dict(item) if isinstance(item, dict) else item for item in existing]
            cloned[0]["text"] = f"{prefix}{cloned[0].get('text') or ''}"
            return cloned
        return [{"type": "text", "text": prefix}, *existing]
    return f"{prefix}{existing}"


def _new_message(role: str, prefix: str, request_type: str) -> dict[str, Any]:
    return {"role": role, "content": [{"type": "text", "text": prefix}] if request_type == "messages" else prefix}


def _prefix_chat(ctx: HookContext, params: Mapping[str, Any], prefix: str) -> Any:
    json = copy.deepcopy(dict(ctx.request_json))
    messages = list(json.get("messages") or []) if isinstance(json.get("messages"), list) else []
    role = params.get("applyToRole") or "user"
    index = next((i for i, m in enumerate(messages) if isinstance(m, dict) and m.get("role") == role), -1)
    if index == -1:
        message = _new_message(role, prefix, ctx.request_type)
        messages.insert(0, message) if role == "system" else messages.append(message)
    else:
        content = messages[index].get("content")
        empty = (isinstance(content, str) and not content.strip()) or (isinstance(content, list) and not content)
        if params.get("onlyIfEmpty") is True and not empty:
            return json
        if params.get("addToExisting") is False:
            messages.insert(index, _new_message(role, prefix, ctx.request_type))
        else:  # upstream writes a non-text first part's "text"; a text part is prepended instead
            messages[index] = {**messages[index], "content": _prefixed(content, prefix)}
    json["messages"] = messages
    return json


async def add_prefix(ctx: HookContext, params: Mapping[str, Any], event: str, env: CheckEnv) -> CheckResult:
    if event != BEFORE or ctx.request_type not in ("complete", "chatComplete", "messages"):
        return CheckResult(True)
    prefix = params.get("prefix")
    if not prefix or not isinstance(prefix, str):
        return CheckResult(True, None, "Prefix parameter is required and must be a string")
    if not isinstance(ctx.request_json, dict) or not ctx.request_json:
        return CheckResult(True, None, "Request JSON is empty or missing")
    if ctx.request_type == "complete":
        content, texts = content_part(ctx, BEFORE)
        rewritten = None
        if content:
            rewritten = with_texts(ctx, BEFORE, [f"{prefix}{t or ''}" if i == 0 else t for i, t in enumerate(texts)])
    else:
        rewritten = _prefix_chat(ctx, params, prefix)
    data = {"prefix": prefix, "requestType": ctx.request_type, "applyToRole": params.get("applyToRole") or "user",
            "addToExisting": params.get("addToExisting") is not False, "onlyIfEmpty": params.get("onlyIfEmpty") is True}
    return CheckResult(True, data, request_json=rewritten, transformed=True)


CHECKS: dict[str, CheckFn] = {
    "modelWhitelist": model_whitelist, "modelRules": model_rules, "allowedRequestTypes": allowed_request_types,
    "requiredMetadataKeys": required_metadata_keys, "addPrefix": add_prefix,
}
