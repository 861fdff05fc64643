"""The JSON body contract of each route, as data, and the validator that enforces it.

Why: a body whose fields have the wrong types (``messages`` a string, ``model`` a number) must
answer 400 naming the field before anything goes upstream, not a 500 from a mapper that trusted
it nor a provider's confusing error after a paid round trip. Only types are checked: the fields
each route's mappers read, with the JSON types the OpenAI and Anthropic APIs accept for them
(``null`` too where an SDK may send it for "unset"). Unknown fields pass (providers add new
ones every month); values are never checked beyond their type (the provider judges those).

The same rules describe the routes in the OpenAPI document (``gateway.openapi``), so the
description a fuzzer is driven from and the gateway's own checks cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import ValidationError


@dataclass(frozen=True)
class Rule:
    """One value: its JSON types (``string``, ``integer``, ``number``, ``boolean``, ``object``,
    ``array``, ``null``), whether it must be present, and rules for its elements or fields."""

    types: tuple[str, ...]
    required: bool = False
    items: Rule | None = None
    fields: Mapping[str, Rule] = field(default_factory=dict)
    needed: tuple[str, ...] = ()
    """The names in ``fields`` that are required (derived, so the fast check need not look)."""


def _r(*types: str, required: bool = False, items: Rule | None = None,
       fields: Mapping[str, Rule] | None = None) -> Rule:
    fields = fields or {}
    return Rule(types, required, items, fields, tuple(name for name, rule in fields.items() if rule.required))


STRING = _r("string")
OPT_STRING = _r("string", "null")
INTEGER = _r("integer", "null")
NUMBER = _r("number", "null")
BOOLEAN = _r("boolean", "null")
OBJECT = _r("object", "null")
ARRAY = _r("array", "null")
PART = _r("object")
"""A content part or block: always an object (``{"type": "text", ...}``)."""

_SAMPLING = {
    "max_tokens": INTEGER, "max_completion_tokens": INTEGER, "n": INTEGER, "seed": INTEGER,
    "temperature": NUMBER, "top_p": NUMBER, "presence_penalty": NUMBER, "frequency_penalty": NUMBER,
    "stop": _r("string", "array", "null"), "stream": BOOLEAN, "stream_options": OBJECT, "user": OPT_STRING,
    "logprobs": BOOLEAN, "top_logprobs": INTEGER, "logit_bias": OBJECT, "metadata": OBJECT,
}
_CHAT_MESSAGE = _r("object", fields={
    "role": _r("string", required=True),
    "content": _r("string", "array", "null", items=PART),
    "name": OPT_STRING,
    "tool_calls": _r("array", "null", items=_r("object", fields={"function": OBJECT, "id": OPT_STRING})),
    "tool_call_id": OPT_STRING,
})
_TOOL = _r("object", fields={"type": OPT_STRING, "function": OBJECT})
CHAT = {
    "model": STRING,
    "messages": _r("array", items=_CHAT_MESSAGE),  # absent in Mistral's FIM requests (prompt + suffix)
    **_SAMPLING,
    "tools": _r("array", "null", items=_TOOL),
    "tool_choice": _r("string", "object", "null"),
    "parallel_tool_calls": BOOLEAN,
    "response_format": OBJECT,
    "reasoning_effort": OPT_STRING,
}
COMPLETE = {"model": STRING, "prompt": _r("string", "array", "null"), "suffix": OPT_STRING, "echo": BOOLEAN,
            "best_of": INTEGER, **_SAMPLING}
EMBED = {"model": STRING, "input": _r("string", "array", required=True), "dimensions": INTEGER,
         "encoding_format": OPT_STRING, "user": OPT_STRING}
_MESSAGES_TURN = _r("object", fields={
    "role": _r("string", required=True),
    "content": _r("string", "array", required=True, items=PART),
})
_MESSAGES_COMMON = {
    "model": STRING,
    "messages": _r("array", required=True, items=_MESSAGES_TURN),
    "system": _r("string", "array", "null", items=PART),
    "tools": _r("array", "null", items=PART),
    "tool_choice": OBJECT,
    "thinking": OBJECT,
}
MESSAGES = {
    **_MESSAGES_COMMON,
    "max_tokens": INTEGER, "stream": BOOLEAN, "temperature": NUMBER, "top_p": NUMBER, "top_k": INTEGER,
    "stop_sequences": _r("array", "null", items=STRING), "metadata": OBJECT,
}
IMAGES = {"prompt": STRING, "model": STRING, "n": INTEGER, "size": OPT_STRING, "quality": OPT_STRING,
          "response_format": OPT_STRING, "style": OPT_STRING, "user": OPT_STRING}
SPEECH = {"model": STRING, "input": STRING, "voice": _r("string", "object"), "response_format": OPT_STRING,
          "speed": NUMBER, "instructions": OPT_STRING}
BATCH = {"input_file_id": STRING, "endpoint": STRING, "completion_window": STRING, "metadata": OBJECT}
RESPONSES = {"model": STRING, "input": _r("string", "array", "null"), "instructions": OPT_STRING,
             "stream": BOOLEAN, "tools": ARRAY, "max_output_tokens": INTEGER, "temperature": NUMBER,
             "top_p": NUMBER, "metadata": OBJECT, "previous_response_id": OPT_STRING}
FINETUNE = {"model": STRING, "training_file": STRING, "validation_file": OPT_STRING, "suffix": OPT_STRING,
            "hyperparameters": OBJECT}

BODIES: Mapping[str, Mapping[str, Rule]] = {
    "chatComplete": CHAT,
    "complete": COMPLETE,
    "embed": EMBED,
    "messages": MESSAGES,
    "messagesCountTokens": _MESSAGES_COMMON,
    "imageGenerate": IMAGES,
    "createSpeech": SPEECH,
    "createBatch": BATCH,
    "createModelResponse": RESPONSES,
    "createFinetune": FINETUNE,
}
"""Route endpoint name (``routes.py``'s ``fn``) -> the rules of its JSON body's top-level fields."""
_NEEDED = {fn: tuple(name for name, rule in rules.items() if rule.required) for fn, rules in BODIES.items()}


def type_of(value: Any) -> str:
    """The JSON type name of a parsed value (an integral float counts as an integer, as JSON
    has one number type and clients write ``1.0``)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _accepts(rule: Rule, kind: str) -> bool:
    return kind in rule.types or (kind == "integer" and "number" in rule.types)


_KINDS = {str: "string", int: "integer", bool: "boolean", list: "array", dict: "object", type(None): "null"}


def _ok(value: Any, rule: Rule) -> bool:
    """The fast pass: whether ``value`` satisfies ``rule``, with no paths or messages built (about
    0.5 µs a chat message); only a body that fails it is walked again by ``_check`` for the words."""
    kind = _KINDS.get(type(value)) or type_of(value)
    if kind not in rule.types and not _accepts(rule, kind):
        return False
    if rule.items is not None and kind == "array":
        item = rule.items
        return all(_ok(element, item) for element in value)
    if rule.fields and kind == "object":
        return _fields_ok(value, rule.fields, rule.needed)
    return True


def _fields_ok(body: Mapping[str, Any], rules: Mapping[str, Rule], needed: tuple[str, ...]) -> bool:
    for name in needed:
        if name not in body:
            return False
    for name, value in body.items():
        rule = rules.get(name)
        if rule is not None and not _ok(value, rule):
            return False
    return True


_ARTICLES = {"array": "an array", "object": "an object", "integer": "an integer", "null": "null"}


def _expected(rule: Rule) -> str:
    names = [_ARTICLES.get(t, f"a {t}") for t in rule.types]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _check(value: Any, rule: Rule, path: str, errors: list[str]) -> None:
    kind = type_of(value)
    if not _accepts(rule, kind):
        errors.append(f"'{path}' must be {_expected(rule)}, not {_ARTICLES.get(kind, 'a ' + kind)}")
        return
    if kind == "array" and rule.items is not None:
        for index, item in enumerate(value):
            _check(item, rule.items, f"{path}[{index}]", errors)
            if len(errors) >= 5:
                return
    elif kind == "object" and rule.fields:
        _check_fields(value, rule.fields, path + ".", errors)


def _check_fields(body: Mapping[str, Any], rules: Mapping[str, Rule], prefix: str, errors: list[str]) -> None:
    for name, rule in rules.items():
        if name in body:
            _check(body[name], rule, prefix + name, errors)
        elif rule.required:
            errors.append(f"'{prefix}{name}' is required")
        if len(errors) >= 5:
            return


def validate_body(fn: str, body: Mapping[str, Any]) -> None:
    """Raise a 400 naming the first fields whose types are wrong for route ``fn`` (at most five
    are listed, so a hostile body cannot make the answer large)."""
    rules = BODIES.get(fn)
    if rules is None or _fields_ok(body, rules, _NEEDED.get(fn, ())):
        return
    errors: list[str] = []
    _check_fields(body, rules, "", errors)
    if errors:
        raise ValidationError(f"Invalid request body: {errors[0]}", errors)
