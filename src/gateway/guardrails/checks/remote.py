"""Checks that call out: webhook (your service decides, and may rewrite the request or answer),
log (posts the context, always passes), validUrls (every URL in the text answers, or resolves).

Deliberate differences from upstream: the context posted to a webhook or log URL never carries the
request headers (upstream's log check sends them, API keys included); every URL passes the SSRF
guard; validUrls does not follow redirects (a redirect counts as an answer) and asks DNS over
HTTPS through the same transport.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, urlsplit

from ... import jsoncodec
from ...http import Headers
from ..context import BEFORE, HookContext, excerpt, text_of
from ..outbound import OutboundError, call, post_json, well_formed
from ..runner import CheckEnv, CheckFn, CheckResult
from . import is_number, truthy

DEFAULT_TIMEOUT_MS = 3000.0
DOH_URL = "https://1.1.1.1/dns-query"
_URLS = re.compile(r"https?://[^\s,\"'{}\[\]]+")


def _timeout(params: Mapping[str, Any]) -> float:
    value: Any = params.get("timeout")
    return float(value) if is_number(value) and value > 0 else DEFAULT_TIMEOUT_MS


def _headers(raw: Any) -> dict[str, str]:
    """Headers as an object or a JSON string of one (upstream accepts both)."""
    if raw is None or raw == "":
        return {}
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise ValueError("Invalid headers format") from None
    if not isinstance(raw, Mapping):
        raise ValueError("Invalid headers format")
    return {str(k): str(v) for k, v in raw.items()}


def _json_body(error: OutboundError) -> Any:
    if "application/json" not in error.content_type:
        return None
    try:
        return json.loads(error.body)
    except ValueError:
        return None


async def webhook(ctx: HookContext, params: Mapping[str, Any], event: str, env: CheckEnv) -> CheckResult:
    url, timeout = params.get("webhookURL"), _timeout(params)
    context = {"timeout": int(timeout) if timeout.is_integer() else timeout}
    try:
        if not url:
            raise ValueError("Missing webhook URL")
        if not well_formed(url):
            raise ValueError("Invalid webhook URL format")
        try:
            headers = _headers(params.get("headers"))
        except ValueError as error:
            raise ValueError(f"Failed to parse headers: {error}") from None
        answer = json.loads(await post_json(env, str(url), jsoncodec.dumps(ctx.payload(event)), headers, timeout))
        if not isinstance(answer, Mapping):
            raise ValueError("the webhook answered something other than a JSON object")
    except (ValueError, OutboundError) as error:
        data: dict[str, Any] = {"explanation": f"Webhook error: {error}", "webhookUrl": url or "No URL provided",
                                "requestContext": context}
        detail = _json_body(error) if isinstance(error, OutboundError) else None
        if detail is not None:
            data["responseData"] = detail
        return CheckResult(False, data, str(error))
    verdict = truthy(answer.get("verdict"))
    result = CheckResult(verdict, {"verdict": verdict, "explanation": "Webhook request succeeded" if verdict else
                                   "Webhook request failed", "webhookUrl": url, "responseData": answer.get("data"),
                                   "requestContext": context})
    _take_transform(result, answer.get("transformedData"), event)
    return result


def _take_transform(result: CheckResult, transformed: Any, event: str) -> None:
    if not isinstance(transformed, Mapping):
        return
    side = "request" if event == BEFORE else "response"
    part = transformed.get(side)
    json_value = part.get("json") if isinstance(part, Mapping) else None
    if json_value:
        result.transformed = True
        if event == BEFORE:
            result.request_json = json_value
        else:
            result.response_json = json_value


async def log(ctx: HookContext, params: Mapping[str, Any], event: str, env: CheckEnv) -> CheckResult:
    url = params.get("logURL")
    try:
        if not well_formed(url):
            raise ValueError("Missing or invalid log URL")
        await post_json(env, str(url), jsoncodec.dumps(ctx.payload(event)), _headers(params.get("headers")),
                        _timeout(params))
    except (ValueError, OutboundError) as error:
        return CheckResult(False, None, str(error))
    return CheckResult(True, {"message": f"Logged the request to {url}"})


# --- validUrls ------------------------------------------------------------------------------------
async def _answers(env: CheckEnv, url: str) -> bool:
    try:
        answer = await call(env, "HEAD", url, Headers({"user-agent": "URLValidator/1.0"}), None,
                            DEFAULT_TIMEOUT_MS, read=False)
    except OutboundError:
        return False
    return 200 <= answer.status < 400


async def _resolves(env: CheckEnv, url: str) -> bool:
    try:
        host = urlsplit(url).hostname
        if not host:
            return False
        answer = await call(env, "GET", f"{DOH_URL}?name={quote(host)}", Headers({"accept": "application/dns-json"}),
                            None, DEFAULT_TIMEOUT_MS)
        data = json.loads(answer.body)
    except (OutboundError, ValueError):
        return False
    return isinstance(data, Mapping) and data.get("Status") == 0 and bool(data.get("Answer"))


async def valid_urls(ctx: HookContext, params: Mapping[str, Any], event: str, env: CheckEnv) -> CheckResult:
    not_, dns = truthy(params.get("not")), truthy(params.get("onlyDNS"))
    method = "DNS lookup" if dns else "HTTP request"
    text = text_of(ctx, event)
    if not text:
        return CheckResult(False, {"explanation": "An error occurred while validating URLs: Missing text to analyze",
                                   "validationMethod": method, "not": not_, "textExcerpt": "No text available"},
                           "Missing text to analyze")
    urls = _URLS.findall(text)
    if not urls:
        return CheckResult(False, {"explanation": "No URLs found in the text.", "urls": [],
                                   "validationMethod": method, "not": not_, "textExcerpt": excerpt(text)})
    probe = _resolves if dns else _answers
    results = await asyncio.gather(*(probe(env, url) for url in urls))
    good = [u for u, ok in zip(urls, results, strict=True) if ok]
    bad = [u for u, ok in zip(urls, results, strict=True) if not ok]
    verdict = (not bad) != not_
    if verdict:
        explanation = (f"All URLs are invalid as expected ({len(bad)} of {len(urls)})." if not_ else
                       f"All URLs are valid ({len(good)} found).")
    else:
        explanation = (f"Some URLs are valid when they should all be invalid ({len(good)} of {len(urls)})." if not_
                       else f"Some URLs are invalid ({len(bad)} of {len(urls)} failed).")
    return CheckResult(verdict, {"verdict": verdict, "not": not_, "explanation": explanation, "validUrls": good,
                                 "invalidUrls": bad, "validationMethod": method, "textExcerpt": excerpt(text)})


CHECKS: dict[str, CheckFn] = {"webhook": webhook, "log": log, "validUrls": valid_urls}
