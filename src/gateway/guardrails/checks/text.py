"""Checks on the text of the request or the answer: regexMatch, regexReplace, sentenceCount,
wordCount, characterCount, alluppercase, alllowercase, endsWith, contains, containsCode, notNull.

Explanations and ``data`` keep upstream's wording and shape (its tests pin them). Deliberate
difference: characters are counted in code points, where JavaScript counts UTF-16 units (an emoji
is 1 character here, 2 there).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ..context import BEFORE, HookContext, content_part, excerpt, text_of, with_texts
from ..jsregex import compile_js, js_replace, parse_literal
from ..runner import CheckEnv, CheckFn, CheckResult
from . import is_integer, is_number, truthy

Params = Mapping[str, Any]


class Problem(Exception):
    """A check cannot decide (bad parameters, no text): an errored check."""


def num(value: Any) -> str:
    """A number as JavaScript prints it in a template string (2, not 2.0)."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _given(params: Params, *names: str) -> dict[str, Any]:
    return {name: params[name] for name in names if name in params}


def _regex(rule: str, flags: str = "") -> Any:
    try:
        return compile_js(rule, flags)
    except (re.error, ValueError, OverflowError) as error:
        raise Problem(f"Invalid regular expression: /{rule}/: {error}") from None


# --- regexMatch / regexReplace ----------------------------------------------------------------
async def regex_match(ctx: HookContext, params: Params, event: str, env: CheckEnv) -> CheckResult:
    rule, not_ = params.get("rule"), truthy(params.get("not"))
    text = text_of(ctx, event)
    try:
        if not rule:
            raise Problem("Missing regex pattern")
        if not text:
            raise Problem("Missing text to match")
        match = _regex(str(rule)).pattern.search(text)
    except Problem as problem:
        return CheckResult(False, {"explanation": f"An error occurred while processing the regex: {problem}",
                                   "regexPattern": rule, "not": not_,
                                   "textExcerpt": excerpt(text) or "No text available"},
                           str(problem))
    verdict = (match is not None) != not_
    if verdict:
        explanation = (f"The regex pattern '{rule}' did not match the text as expected." if not_ else
                       f"The regex pattern '{rule}' successfully matched the text.")
    else:
        explanation = (f"The regex pattern '{rule}' matched the text when it should not have." if not_ else
                       f"The regex pattern '{rule}' did not match the text.")
    details = None if match is None else {"matchedText": match.group(0), "index": match.start(),
                                          "groups": match.groupdict(), "captures": list(match.groups())}
    return CheckResult(verdict, {"regexPattern": rule, "not": not_, "verdict": verdict, "explanation": explanation,
                                 "matchDetails": details, "textExcerpt": excerpt(text)})


async def regex_replace(ctx: HookContext, params: Params, event: str, env: CheckEnv) -> CheckResult:
    rule = params.get("rule")
    redact = params.get("redactText") or "[REDACTED]"
    content, texts = content_part(ctx, event)
    try:
        if not rule:
            raise Problem("Missing regex pattern")
        if not content:
            raise Problem("Missing text to match")
        regex = _regex(*parse_literal(str(rule)))
    except Problem as problem:
        return CheckResult(True, {"explanation": f"An error occurred while processing the regex: {problem}",
                                  "regexPattern": rule}, str(problem))
    found, mapped = False, list[str | None]()
    for text in texts:
        if not isinstance(text, str) or not text:
            mapped.append(None)
            continue
        found = found or regex.pattern.search(text) is not None
        mapped.append(js_replace(regex, text, str(redact)))
    rewritten = with_texts(ctx, event, mapped) if found else None
    verdict = not (truthy(params.get("failOnDetection")) and found)
    explanation = (f"Pattern '{rule}' matched and was replaced with '{redact}'" if found else
                   f"The regex pattern '{rule}' did not match any text.")
    result = CheckResult(verdict, {"regexPattern": rule, "verdict": verdict, "explanation": explanation},
                         transformed=found)
    if event == BEFORE:
        result.request_json = rewritten
    else:
        result.response_json = rewritten
    return result


# --- counts -----------------------------------------------------------------------------------
def _range_words(count: int, low: Any, high: Any, unit: str, verdict: bool, not_: bool) -> str:
    within = f"within the specified range of {num(low)}-{num(high)} {unit}"
    outside = f"outside the specified range of {num(low)}-{num(high)} {unit}"
    head = f"The text contains {count} {unit}, which is "
    if verdict:
        return head + (f"{outside} as expected." if not_ else f"{within}.")
    return head + (f"{within} when it should not be." if not_ else f"{outside}.")


async def sentence_count(ctx: HookContext, params: Params, event: str, env: CheckEnv) -> CheckResult:
    low, high = params.get("minSentences", 0), params.get("maxSentences", 99999)
    not_ = truthy(params.get("not"))
    text = text_of(ctx, event)
    if not is_number(low) or not is_number(high):
        return CheckResult(False, {"explanation": "An error occurred: Missing sentence count range",
                                   **{short: params[name] for short, name in (("minCount", "minSentences"),
                                                                              ("maxCount", "maxSentences"))
                                      if name in params},
                                   "not": not_, "textExcerpt": excerpt(text or "No text available")},
                           "Missing sentence count range")
    count = sum(text.count(mark) for mark in ".!?")
    verdict = (low <= count <= high) != not_
    span = f"the specified range of {num(low)} to {num(high)}"
    if verdict:
        explanation = (f"The sentence count ({count}) is outside {span} as expected." if not_ else
                       f"The sentence count ({count}) is within {span}.")
    else:
        explanation = (f"The sentence count ({count}) is within {span} when it should not be." if not_ else
                       f"The sentence count ({count}) is outside {span}.")
    return CheckResult(verdict, {"sentenceCount": count, "minCount": low, "maxCount": high, "not": not_,
                                 "verdict": verdict, "explanation": explanation, "textExcerpt": excerpt(text)})


async def word_count(ctx: HookContext, params: Params, event: str, env: CheckEnv) -> CheckResult:
    low, high = params.get("minWords", 0), params.get("maxWords", 99999)
    not_ = truthy(params.get("not"))
    raw = text_of(ctx, event)
    text = raw.strip()
    problem = ("Missing text to analyze" if not text else
               "Invalid or missing word count range" if not (is_integer(low) and is_integer(high)) else None)
    if problem:
        return CheckResult(False, {"explanation": f"An error occurred while processing word count: {problem}",
                                   **_given(params, "minWords", "maxWords"), "not": not_,
                                   "textExcerpt": excerpt(raw) or "No text available"}, problem)
    count = len(text.split())
    verdict = (low <= count <= high) != not_
    return CheckResult(verdict, {"wordCount": count, "minWords": low, "maxWords": high, "not": not_,
                                 "verdict": verdict,
                                 "explanation": _range_words(count, low, high, "words", verdict, not_),
                                 "textExcerpt": excerpt(text)})


async def character_count(ctx: HookContext, params: Params, event: str, env: CheckEnv) -> CheckResult:
    low, high = params.get("minCharacters", 0), params.get("maxCharacters", 9999999)
    not_ = truthy(params.get("not"))
    text = text_of(ctx, event)
    problem = ("Missing text to analyze" if not text else
               "Invalid or missing character count range" if not (is_integer(low) and is_integer(high)) else None)
    if problem:
        return CheckResult(False, {"explanation": f"An error occurred while counting characters: {problem}",
                                   **_given(params, "minCharacters", "maxCharacters"), "not": not_,
                                   "textExcerpt": excerpt(text) or "No text available"}, problem)
    count = len(text)
    verdict = (low <= count <= high) != not_
    return CheckResult(verdict, {"characterCount": count, "minCharacters": low, "maxCharacters": high, "not": not_,
                                 "verdict": verdict,
                                 "explanation": _range_words(count, low, high, "characters", verdict, not_),
                                 "textExcerpt": excerpt(text)})


# --- case and suffix --------------------------------------------------------------------------
def _case_check(upper: bool) -> CheckFn:
    word, other = ("uppercase", "lowercase") if upper else ("lowercase", "uppercase")

    async def check(ctx: HookContext, params: Params, event: str, env: CheckEnv) -> CheckResult:
        not_ = truthy(params.get("not"))
        text = text_of(ctx, event)
        if not text:
            missing = "Missing text to analyze"
            return CheckResult(False, {"explanation": f"An error occurred while checking {word}: {missing}",
                                       "not": not_, "textExcerpt": "No text available"}, missing)
        letters = re.sub("[^a-zA-Z]", "", text)
        same = letters == (letters.upper() if upper else letters.lower())
        verdict = same != not_
        if verdict:
            explanation = (f"The text contains {other} characters as expected." if not_ else
                           f"All alphabetic characters in the text are {word}.")
        else:
            explanation = (f"All alphabetic characters in the text are {word} when they should not be." if not_ else
                           f"The text contains {other} characters.")
        return CheckResult(verdict, {"verdict": verdict, "not": not_, "explanation": explanation,
                                     "textExcerpt": excerpt(text)})

    return check


async def ends_with(ctx: HookContext, params: Params, event: str, env: CheckEnv) -> CheckResult:
    suffix, not_ = params.get("suffix"), truthy(params.get("not"))
    text = text_of(ctx, event)
    problem = "Missing text to analyze" if not text else "Missing or empty suffix" if not suffix else None
    if problem:
        return CheckResult(False, {"explanation": f"An error occurred while checking suffix: {problem}",
                                   **_given(params, "suffix"), "not": not_,
                                   "textExcerpt": excerpt(text) or "No text available"}, problem)
    suffix = str(suffix)
    with_period = text.endswith(f"{suffix}.")
    verdict = (text.endswith(suffix) or with_period) != not_
    if verdict:
        explanation = (f'The text does not end with "{suffix}" as expected.' if not_ else
                       f'The text ends with "{suffix}"{" (including trailing period)" if with_period else ""}.')
    else:
        explanation = (f'The text ends with "{suffix}" when it should not.' if not_ else
                       f'The text does not end with "{suffix}".')
    return CheckResult(verdict, {"suffix": suffix, "not": not_, "verdict": verdict, "explanation": explanation,
                                 "textExcerpt": excerpt(text)})


# --- words and code ---------------------------------------------------------------------------
_OPERATOR_WORDS = {"any": ("At least one word was found.", "No words were found."),
                   "all": ("All words were found.", "Some words were missing."),
                   "none": ("No words were found.", "Some words were found.")}


async def contains(ctx: HookContext, params: Params, event: str, env: CheckEnv) -> CheckResult:
    words, operator = params.get("words"), params.get("operator", "any")
    if not isinstance(words, list):
        return CheckResult(False, {"explanation": "An error occurred while processing the text.",
                                   "error": "Missing or invalid words array"}, "Missing or invalid words array")
    text = text_of(ctx, event)
    found = [w for w in words if str(w) in text]
    missing = [w for w in words if str(w) not in text]
    verdict = {"any": bool(found), "all": not missing, "none": not found}.get(operator, False)
    explanation = f"Check {'passed' if verdict else 'failed'} for '{operator}' words."
    if operator in _OPERATOR_WORDS:
        explanation += " " + _OPERATOR_WORDS[operator][0 if verdict else 1]
    return CheckResult(verdict, {"explanation": explanation, "foundWords": found, "missingWords": missing,
                                 "operator": operator})


_LANGUAGES = {
    "sql": "SQL", "py": "Python", "python": "Python", "gyp": "Python", "ts": "TypeScript", "tsx": "TypeScript",
    "typescript": "TypeScript", "js": "JavaScript", "jsx": "JavaScript", "javascript": "JavaScript",
    "java": "Java", "cs": "C#", "cpp": "C++", "c": "C", "rb": "Ruby", "php": "PHP", "swift": "Swift",
    "kt": "Kotlin", "go": "Go", "rs": "Rust", "scala": "Scala", "r": "R", "pl": "Perl", "sh": "Shell",
    "html": "HTML", "css": "CSS", "xml": "XML", "json": "JSON", "yml": "YAML", "md": "Markdown",
    "dockerfile": "Dockerfile",
}
_CODE_BLOCK = re.compile(r"```(\w+)\n[\s\S]*?\n```", re.ASCII)


async def contains_code(ctx: HookContext, params: Params, event: str, env: CheckEnv) -> CheckResult:
    fmt, not_ = params.get("format"), truthy(params.get("not"))
    text = text_of(ctx, event)
    problem = "Missing required parameter: format" if not fmt else "No text content to analyze" if not text else None
    if problem:
        return CheckResult(False, {"explanation": f"Error while checking for code blocks: {problem}",
                                   **({"searchedFormat": fmt} if "format" in params else {}), "not": not_,
                                   "textExcerpt": excerpt(text) or
                                   "No text available"}, problem)
    found = [_LANGUAGES.get(m.group(1).lower(), m.group(1).lower()) for m in _CODE_BLOCK.finditer(text)]
    if not found:
        return CheckResult(not_, {"explanation": "No code blocks found in the text", "searchedFormat": fmt,
                                  "not": not_, "foundFormats": [], "textExcerpt": excerpt(text)})
    verdict = (fmt in found) != not_
    if verdict:
        explanation = (f"No code blocks in {fmt} format found as expected" if not_ else
                       f"Found code block(s) in {fmt} format")
    else:
        explanation = (f"Found code block(s) in {fmt} format when none were expected" if not_ else
                       f"No code blocks in {fmt} format found")
    return CheckResult(verdict, {"explanation": explanation, "searchedFormat": fmt, "not": not_,
                                 "foundFormats": found, "textExcerpt": excerpt(text)})


def _js_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "number"
    return "string" if isinstance(value, str) else "object"


async def not_null(ctx: HookContext, params: Params, event: str, env: CheckEnv) -> CheckResult:
    not_ = truthy(params.get("not"))
    content, texts = content_part(ctx, event)
    empty = (content is None or (isinstance(content, str) and not content.strip())
             or (isinstance(content, list) and not content)
             or all(not t or (isinstance(t, str) and not t.strip()) for t in texts))
    verdict = empty if not_ else not empty
    return CheckResult(verdict, {
        "isNull": empty, "contentType": _js_type(content), "textArrayLength": len(texts),
        "explanation": "Content is null, undefined, or empty." if empty else "Content exists and is not null.",
        "verdict": "passed" if verdict else "failed"})


CHECKS: dict[str, CheckFn] = {
    "regexMatch": regex_match, "regexReplace": regex_replace, "sentenceCount": sentence_count,
    "wordCount": word_count, "characterCount": character_count, "alluppercase": _case_check(True),
    "alllowercase": _case_check(False), "endsWith": ends_with, "contains": contains,
    "containsCode": contains_code, "notNull": not_null,
}
