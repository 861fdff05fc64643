"""The standard-library JSON Schema validator (draft 2020-12 keywords people use) and the JS-regex
translation the guardrail checks share."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.guardrails.jsonschema import SchemaError, validate
from gateway.guardrails.jsregex import compile_js, js_replace, parse_literal

CASES: list[tuple[str, Any, Any, bool]] = [
    ("boolean true", True, {"a": 1}, True),
    ("boolean false", False, 1, False),
    ("type list", {"type": ["string", "null"]}, None, True),
    ("integer accepts 1.0", {"type": "integer"}, 1.0, True),
    ("integer refuses 1.5", {"type": "integer"}, 1.5, False),
    ("number refuses true", {"type": "number"}, True, False),
    ("const 1 == 1.0", {"const": 1}, 1.0, True),
    ("const true != 1", {"const": True}, 1, False),
    ("enum of objects", {"enum": [{"a": [1, 2]}]}, {"a": [1, 2]}, True),
    ("minLength counts code points", {"minLength": 2}, "👍👍", True),
    ("maxLength", {"maxLength": 2}, "abc", False),
    ("pattern is a search", {"pattern": "b+"}, "abbbc", True),
    ("pattern with JS named group", {"pattern": "^(?<y>\\d{4})$"}, "2024", True),
    ("exclusiveMinimum", {"exclusiveMinimum": 5}, 5, False),
    ("maximum", {"maximum": 5}, 5, True),
    ("multipleOf decimals", {"multipleOf": 0.1}, 0.3, True),
    ("multipleOf refuses", {"multipleOf": 3}, 10, False),
    ("prefixItems then items false", {"prefixItems": [{"type": "string"}], "items": False}, ["a", 1], False),
    ("prefixItems then items ok", {"prefixItems": [{"type": "string"}], "items": {"type": "number"}}, ["a", 1], True),
    ("draft-07 items array", {"items": [{"type": "string"}], "additionalItems": False}, ["a"], True),
    ("contains", {"contains": {"const": 3}}, [1, 2], False),
    ("minContains", {"contains": {"type": "number"}, "minContains": 2}, [1, "a", 2], True),
    ("maxContains", {"contains": {"type": "number"}, "maxContains": 1}, [1, 2], False),
    ("uniqueItems", {"uniqueItems": True}, [{"a": 1}, {"a": 1.0}], False),
    ("uniqueItems true vs 1", {"uniqueItems": True}, [True, 1], True),
    ("minItems", {"minItems": 2}, [1], False),
    ("required", {"required": ["a"]}, {}, False),
    ("additionalProperties false", {"properties": {"a": {}}, "additionalProperties": False}, {"a": 1, "b": 2}, False),
    ("patternProperties", {"patternProperties": {"^x-": {"type": "string"}}, "additionalProperties": False},
     {"x-a": "s"}, True),
    ("propertyNames", {"propertyNames": {"maxLength": 2}}, {"abc": 1}, False),
    ("min/maxProperties", {"minProperties": 1, "maxProperties": 1}, {"a": 1, "b": 2}, False),
    ("dependentRequired", {"dependentRequired": {"card": ["cvv"]}}, {"card": 1}, False),
    ("dependentSchemas", {"dependentSchemas": {"card": {"required": ["cvv"]}}}, {"card": 1, "cvv": 2}, True),
    ("allOf", {"allOf": [{"minimum": 1}, {"maximum": 3}]}, 5, False),
    ("anyOf", {"anyOf": [{"type": "string"}, {"type": "number"}]}, 5, True),
    ("oneOf two matches", {"oneOf": [{"type": "number"}, {"minimum": 0}]}, 5, False),
    ("not", {"not": {"type": "string"}}, "x", False),
    ("if/then", {"if": {"properties": {"a": {"const": 1}}}, "then": {"required": ["b"]}}, {"a": 1}, False),
    ("if/else", {"if": {"properties": {"a": {"const": 1}}, "required": ["a"]}, "else": {"required": ["c"]}},
     {"a": 2, "c": 1}, True),
    ("$ref $defs", {"$defs": {"n": {"type": "number"}}, "properties": {"a": {"$ref": "#/$defs/n"}}}, {"a": "x"}, False),
    ("$ref definitions", {"definitions": {"n": {"type": "number"}}, "items": {"$ref": "#/definitions/n"}}, [1], True),
    ("$ref recursive", {"type": "object", "properties": {"child": {"$ref": "#"}}, "required": ["v"]},
     {"v": 1, "child": {"v": 2, "child": {}}}, False),
    ("$anchor", {"$defs": {"s": {"$anchor": "str", "type": "string"}}, "$ref": "#str"}, "x", True),
    ("unevaluatedProperties", {"allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": False},
     {"a": 1, "b": 2}, False),
    ("unevaluatedProperties seen", {"allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": False},
     {"a": 1}, True),
    ("unevaluatedItems", {"prefixItems": [{}], "unevaluatedItems": False}, [1, 2], False),
    ("format date", {"format": "date"}, "2024-02-30", False),
    ("format date-time", {"format": "date-time"}, "2024-02-03T10:00:00Z", True),
    ("format time needs offset", {"format": "time"}, "10:00:00", False),
    ("format email", {"format": "email"}, "a@b.co", True),
    ("format ipv4", {"format": "ipv4"}, "256.1.1.1", False),
    ("format ipv6", {"format": "ipv6"}, "::1", True),
    ("format uuid", {"format": "uuid"}, "123e4567-e89b-12d3-a456-426614174000", True),
    ("format uri", {"format": "uri"}, "not a uri", False),
    ("format hostname", {"format": "hostname"}, "-bad.example", False),
    ("format duration", {"format": "duration"}, "P1DT2H", True),
    ("unknown format is an annotation", {"format": "color"}, "red", True),
    ("format on a non-string", {"format": "email"}, 5, True),
]


@pytest.mark.parametrize(("schema", "instance", "valid"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_keywords(schema: Any, instance: Any, valid: bool) -> None:
    assert (validate(schema, instance) == []) is valid


def test_every_error_is_reported_with_its_path() -> None:
    failures = validate({"properties": {"a": {"type": "string"}, "b": {"minimum": 3}}, "required": ["c"]},
                        {"a": 1, "b": 2})
    assert [(f.path, f.message) for f in failures] == [
        ("", 'Instance does not have required property "c".'),
        ("", 'Property "a" does not match schema.'),
        ("/a", 'Instance type "integer" is invalid. Expected "string".'),
        ("", 'Property "b" does not match schema.'),
        ("/b", "2 is less than 3."),
    ]


@pytest.mark.parametrize("schema", [{"$ref": "https://example.com/s.json"}, {"$ref": "#/nope"},
                                    {"$dynamicRef": "#x"}, {"pattern": "("}, {"$defs": {"a": {"$ref": "#/$defs/a"}},
                                                                             "$ref": "#/$defs/a"}])
def test_unusable_schemas_raise(schema: Any) -> None:
    with pytest.raises(SchemaError):
        validate(schema, "x")


def test_js_regex_translation() -> None:
    assert compile_js("(?<word>\\w+) \\k<word>").pattern.search("hey hey").group("word") == "hey"
    assert compile_js("\\d").pattern.search("٣") is None  # JS \d is ASCII only
    assert compile_js("a$").pattern.search("a\n") is None  # $ is end of input without the m flag
    assert compile_js("a$", "m").pattern.search("a\nb") is not None
    assert compile_js("[^]").pattern.search("\n") is not None and compile_js("x[]").pattern.search("x") is None
    assert compile_js("\\s").pattern.search("\u00a0") is not None  # JS \s knows no-break space
    assert compile_js("A", "i").pattern.search("a") is not None
    assert parse_literal("/ab+c/gi") == ("ab+c", "gi") and parse_literal("a/b") == ("a/b", "")


def test_js_replace_semantics() -> None:
    first = compile_js("o")
    assert js_replace(first, "foo boo", "0") == "f0o boo"
    every = compile_js("(o)", "g")
    assert js_replace(every, "foo", "[$1$&$$]") == "f[oo$][oo$]"
    named = compile_js("(?<n>\\d+)", "g")
    assert js_replace(named, "a1b22", "<$<n>>") == "a<1>b<22>"
