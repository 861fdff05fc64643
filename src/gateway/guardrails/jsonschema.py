"""A JSON Schema (draft 2020-12) validator for the keywords people use, in the standard library.

Why not a library: the core must stay standard library only and load fast in Pyodide; the
``jsonschema`` package pulls ``referencing``, ``rpds-py`` (compiled Rust) and ``attrs``. Upstream's
``@cfworker/json-schema`` reports every error (``shortCircuit: false``), and so does this, with
the same message style ('Instance does not have required property "number".').

Covered: boolean schemas, ``type``, ``enum``, ``const``, the numeric, string, array and object
keywords (``prefixItems``/``items``, ``contains`` with ``minContains``/``maxContains``,
``uniqueItems``, ``properties``, ``patternProperties``, ``additionalProperties``,
``propertyNames``, ``dependentRequired``, ``dependentSchemas``, ``unevaluatedProperties``,
``unevaluatedItems``), ``allOf``/``anyOf``/``oneOf``/``not``, ``if``/``then``/``else``, local
``$ref`` (``#``, ``#/$defs/...``, ``#/definitions/...``, ``#anchor``), draft-07 array ``items`` +
``additionalItems``, and ``format`` (date, time, date-time, duration, email, hostname, ipv4, ipv6,
uri, uri-reference, uuid, regex, json-pointer; others are annotations). Not covered, with a
``SchemaError``: remote ``$ref`` and ``$dynamicRef``. ``pattern`` uses ECMA-262 semantics via the
same translation as the regex checks.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any
from urllib.parse import unquote

from .jsregex import compile_js

MAX_DEPTH = 64
MAX_ERRORS = 100


class SchemaError(ValueError):
    """The schema itself cannot be used (a remote ``$ref``, a bad pattern, endless recursion)."""


@dataclass(frozen=True)
class Failure:
    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


Result = tuple[list[Failure], set[str], set[int]]


def validate(schema: Any, instance: Any) -> list[Failure]:
    """Every failure of ``instance`` against ``schema`` (empty when valid)."""
    return _Validator(schema).check(schema, instance, "", 0)[0][:MAX_ERRORS]


# --- JSON values ------------------------------------------------------------------------------
def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if _number(value):
        return "integer" if float(value).is_integer() else "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object" if isinstance(value, Mapping) else "unknown"


def json_equal(a: Any, b: Any) -> bool:
    """JSON equality: 1 equals 1.0, but true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if _number(a) and _number(b):
        return bool(a == b)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(json_equal(a[k], b[k]) for k in a)
    return type(a) is type(b) and bool(a == b)


def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _num(value: Any) -> str:
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _pointer(path: str, key: str | int) -> str:
    return f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}"


# --- formats ----------------------------------------------------------------------------------
_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_TIME = re.compile(r"^(\d{2}):(\d{2}):(\d{2})(\.\d+)?(z|[+-]\d{2}:\d{2})$", re.ASCII | re.I)
_DURATION = re.compile(r"^P(?!$)((\d+Y)?(\d+M)?(\d+W)?(\d+D)?)(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$", re.ASCII)
_EMAIL = re.compile(r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                    r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$", re.ASCII)
_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$", re.ASCII)
_UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.I | re.ASCII)
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]*$", re.ASCII)
_POINTER = re.compile(r"^(/([^~/]|~[01])*)*$")


def _is_date(text: str) -> bool:
    found = _DATE.match(text)
    if not found:
        return False
    try:
        date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return False
    return True


def _is_time(text: str) -> bool:
    found = _TIME.match(text)
    if not found:
        return False
    hour, minute, second = int(found.group(1)), int(found.group(2)), int(found.group(3))
    return hour < 24 and minute < 60 and second < 61


def _is_date_time(text: str) -> bool:
    parts = re.split("[Tt]", text, maxsplit=1)
    return len(parts) == 2 and _is_date(parts[0]) and _is_time(parts[1])


def _is_hostname(text: str) -> bool:
    name = text[:-1] if text.endswith(".") else text
    return 0 < len(name) <= 253 and all(_LABEL.match(label) for label in name.split("."))


def _is_ip(text: str, version: int) -> bool:
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return False
    return address.version == version


def _is_regex(text: str) -> bool:
    try:
        compile_js(text, "u")
    except (re.error, ValueError, OverflowError):
        return False
    return True


_FORMATS = {
    "date": _is_date, "time": _is_time, "date-time": _is_date_time,
    "duration": lambda t: bool(_DURATION.match(t)), "email": lambda t: bool(_EMAIL.match(t)),
    "hostname": _is_hostname, "ipv4": lambda t: _is_ip(t, 4), "ipv6": lambda t: _is_ip(t, 6),
    "uri": lambda t: bool(_URI.match(t)), "uri-reference": lambda t: not re.search(r"\s", t),
    "uuid": lambda t: bool(_UUID.match(t)), "regex": _is_regex, "json-pointer": lambda t: bool(_POINTER.match(t)),
}


def _pattern(source: str) -> re.Pattern[str]:
    try:
        return compile_js(source, "u").pattern
    except (re.error, ValueError, OverflowError) as error:
        raise SchemaError(f"invalid pattern {source!r}: {error}") from None


# --- the validator ----------------------------------------------------------------------------
class _Validator:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.anchors: dict[str, Any] = {}
        self._collect_anchors(root)

    def _collect_anchors(self, node: Any) -> None:
        if isinstance(node, Mapping):
            if isinstance(node.get("$anchor"), str):
                self.anchors[node["$anchor"]] = node
            for value in node.values():
                self._collect_anchors(value)
        elif isinstance(node, list):
            for value in node:
                self._collect_anchors(value)

    def resolve(self, ref: str) -> Any:
        if not ref.startswith("#"):
            raise SchemaError(f"only local references are supported, not {ref!r}")
        fragment = unquote(ref[1:])
        if fragment and not fragment.startswith("/"):
            if fragment not in self.anchors:
                raise SchemaError(f"unknown anchor {ref!r}")
            return self.anchors[fragment]
        node = self.root
        for part in fragment.split("/")[1:]:
            key = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            elif isinstance(node, Mapping) and key in node:
                node = node[key]
            else:
                raise SchemaError(f"cannot resolve {ref!r}")
        return node

    def check(self, schema: Any, value: Any, path: str, depth: int) -> Result:
        if depth > MAX_DEPTH:
            raise SchemaError("the schema recurses too deeply")
        if schema is True or schema == {}:
            return [], set(), set()
        if schema is False:
            return [Failure(path, "False boolean schema.")], set(), set()
        if not isinstance(schema, Mapping):
            raise SchemaError("a schema must be an object or a boolean")
        if "$dynamicRef" in schema:
            raise SchemaError("$dynamicRef is not supported")
        errors: list[Failure] = []
        props: set[str] = set()
        items: set[int] = set()
        for keyword_group in (self._ref, _generic, self._combinators, self._conditional):
            found, p, i = keyword_group(schema, value, path, depth)
            errors += found
            props |= p
            items |= i
        if isinstance(value, Mapping):
            found, p = self._object(schema, value, path, depth, props)
            errors += found
            props |= p
        elif isinstance(value, list):
            found, i = self._array(schema, value, path, depth, items)
            errors += found
            items |= i
        elif isinstance(value, str):
            errors += _string(schema, value, path)
        elif _number(value):
            errors += _numeric(schema, value, path)
        return errors, props, items

    def _ref(self, schema: Mapping[str, Any], value: Any, path: str, depth: int) -> Result:
        ref = schema.get("$ref")
        if not isinstance(ref, str):
            return [], set(), set()
        return self.check(self.resolve(ref), value, path, depth + 1)

    def _combinators(self, schema: Mapping[str, Any], value: Any, path: str, depth: int) -> Result:
        errors: list[Failure] = []
        props: set[str] = set()
        items: set[int] = set()
        if isinstance(schema.get("allOf"), list):
            runs = [self.check(s, value, path, depth + 1) for s in schema["allOf"]]
            failed = [e for r in runs for e in r[0]]
            if failed:
                errors += [Failure(path, "Instance does not match every subschema."), *failed]
            for _, p, i in runs:
                props |= p
                items |= i
        if isinstance(schema.get("anyOf"), list):
            runs = [self.check(s, value, path, depth + 1) for s in schema["anyOf"]]
            good = [r for r in runs if not r[0]]
            if not good:
                errors += [Failure(path, "Instance does not match any subschemas."), *[e for r in runs for e in r[0]]]
            for _, p, i in good:
                props |= p
                items |= i
        if isinstance(schema.get("oneOf"), list):
            runs = [self.check(s, value, path, depth + 1) for s in schema["oneOf"]]
            good = [r for r in runs if not r[0]]
            if len(good) != 1:
                errors.append(Failure(path, f"Instance does not match exactly one subschema ({len(good)} matches)."))
                if not good:
                    errors += [e for r in runs for e in r[0]]
            else:
                props |= good[0][1]
                items |= good[0][2]
        if "not" in schema and not self.check(schema["not"], value, path, depth + 1)[0]:
            errors.append(Failure(path, 'Instance matched "not" schema.'))
        return errors, props, items

    def _conditional(self, schema: Mapping[str, Any], value: Any, path: str, depth: int) -> Result:
        errors: list[Failure] = []
        props: set[str] = set()
        items: set[int] = set()
        if "if" in schema:
            condition = self.check(schema["if"], value, path, depth + 1)
            branch = "then" if not condition[0] else "else"
            if not condition[0]:
                props |= condition[1]
                items |= condition[2]
            if branch in schema:
                found, p, i = self.check(schema[branch], value, path, depth + 1)
                if found:
                    errors += [Failure(path, f'Instance does not match "{branch}" schema.'), *found]
                props |= p
                items |= i
        if isinstance(value, Mapping) and isinstance(schema.get("dependentSchemas"), Mapping):
            for key, sub in schema["dependentSchemas"].items():
                if key in value:
                    found, p, _ = self.check(sub, value, path, depth + 1)
                    if found:
                        errors += [Failure(path, f'Instance has "{key}" but does not match dependent schema.'), *found]
                    props |= p
        return errors, props, items

    def _object(self, schema: Mapping[str, Any], value: Mapping[str, Any], path: str, depth: int,
                seen: set[str]) -> tuple[list[Failure], set[str]]:
        errors = _object_counts(schema, value, path)
        evaluated: set[str] = set()
        properties: Any = schema.get("properties") if isinstance(schema.get("properties"), Mapping) else {}
        patterns = [(p, _pattern(p), s) for p, s in (schema.get("patternProperties") or {}).items()]
        for key, item in value.items():
            where = _pointer(path, key)
            matched = False
            if key in properties:
                matched = True
                found = self.check(properties[key], item, where, depth + 1)[0]
                if found:
                    errors += [Failure(path, f'Property "{key}" does not match schema.'), *found]
            for source, regex, sub in patterns:
                if regex.search(key):
                    matched = True
                    found = self.check(sub, item, where, depth + 1)[0]
                    if found:
                        errors += [Failure(path, f'Property "{key}" matches pattern "{source}" but does not match '
                                                 "associated schema."), *found]
            if not matched and "additionalProperties" in schema:
                found = self.check(schema["additionalProperties"], item, where, depth + 1)[0]
                if found:
                    errors += [Failure(path, f'Property "{key}" does not match additional properties schema.'), *found]
                matched = True
            if matched:
                evaluated.add(key)
            if "propertyNames" in schema and self.check(schema["propertyNames"], key, where, depth + 1)[0]:
                errors.append(Failure(path, f'Property name "{key}" does not match schema.'))
        if "unevaluatedProperties" in schema:
            for key in value:
                if key not in evaluated and key not in seen:
                    found = self.check(schema["unevaluatedProperties"], value[key], _pointer(path, key), depth + 1)[0]
                    if found:
                        errors += [Failure(path, f'Property "{key}" does not match unevaluated properties schema.'),
                                   *found]
                    evaluated.add(key)
        return errors, evaluated

    def _array(self, schema: Mapping[str, Any], value: list[Any], path: str, depth: int,
               seen: set[int]) -> tuple[list[Failure], set[int]]:
        errors = _array_counts(schema, value, path)
        evaluated: set[int] = set()
        prefix = schema.get("prefixItems")
        rest = schema.get("items")
        if isinstance(rest, list):  # draft-07 tuple form
            prefix, rest = rest, schema.get("additionalItems")
        prefix = prefix if isinstance(prefix, list) else []
        for index, item in enumerate(value):
            sub = prefix[index] if index < len(prefix) else rest
            if sub is None:
                continue
            evaluated.add(index)
            found = self.check(sub, item, _pointer(path, index), depth + 1)[0]
            if found:
                errors += [Failure(path, f"Item at index {index} does not match schema."), *found]
        errors += self._contains(schema, value, path, depth, evaluated)
        if "unevaluatedItems" in schema:
            for index, item in enumerate(value):
                if index not in evaluated and index not in seen:
                    found = self.check(schema["unevaluatedItems"], item, _pointer(path, index), depth + 1)[0]
                    if found:
                        errors += [Failure(path, f"Item at index {index} does not match unevaluated items schema."),
                                   *found]
                    evaluated.add(index)
        return errors, evaluated

    def _contains(self, schema: Mapping[str, Any], value: list[Any], path: str, depth: int,
                  evaluated: set[int]) -> list[Failure]:
        if "contains" not in schema:
            return []
        matching = [i for i, item in enumerate(value)
                    if not self.check(schema["contains"], item, _pointer(path, i), depth + 1)[0]]
        evaluated.update(matching)
        low = schema.get("minContains", 1)
        high: Any = schema.get("maxContains")
        if len(matching) < low:
            return [Failure(path, "Array does not contain item matching schema." if low == 1 else
                            f"Array has less than {_num(low)} items matching schema.")]
        if _number(high) and len(matching) > high:
            return [Failure(path, f"Array has more than {_num(high)} items matching schema.")]
        return []


def _generic(schema: Mapping[str, Any], value: Any, path: str, depth: int) -> Result:
    errors: list[Failure] = []
    expected = schema.get("type")
    if expected is not None:
        types = expected if isinstance(expected, list) else [expected]
        actual = json_type(value)
        if not any(t == actual or (t == "number" and actual == "integer") for t in types):
            wanted = '", "'.join(map(str, types))
            errors.append(Failure(path, f'Instance type "{actual}" is invalid. Expected "{wanted}".'))
    if "const" in schema and not json_equal(value, schema["const"]):
        errors.append(Failure(path, f"Instance does not match {_dumps(schema['const'])}."))
    if isinstance(schema.get("enum"), list) and not any(json_equal(value, v) for v in schema["enum"]):
        errors.append(Failure(path, f"Instance does not match any of {_dumps(schema['enum'])}."))
    fmt = schema.get("format")
    if isinstance(value, str) and isinstance(fmt, str) and fmt in _FORMATS and not _FORMATS[fmt](value):
        errors.append(Failure(path, f'Instance does not match format "{fmt}".'))
    return errors, set(), set()


def _string(schema: Mapping[str, Any], value: str, path: str) -> list[Failure]:
    errors = []
    length = len(value)
    if _number(schema.get("minLength")) and length < schema["minLength"]:
        errors.append(Failure(path, f"String is too short ({length} < {_num(schema['minLength'])})."))
    if _number(schema.get("maxLength")) and length > schema["maxLength"]:
        errors.append(Failure(path, f"String is too long ({length} > {_num(schema['maxLength'])})."))
    if isinstance(schema.get("pattern"), str) and not _pattern(schema["pattern"]).search(value):
        errors.append(Failure(path, f'String does not match pattern "{schema["pattern"]}".'))
    return errors


def _multiple(value: float, step: float) -> bool:
    if step <= 0 or math.isinf(value):
        return False
    return Fraction(str(value)) % Fraction(str(step)) == 0


def _numeric(schema: Mapping[str, Any], value: float, path: str) -> list[Failure]:
    errors = []
    checks = (("minimum", lambda b: value < b, "is less than"),
              ("exclusiveMinimum", lambda b: value <= b, "is less than or equal to"),
              ("maximum", lambda b: value > b, "is greater than"),
              ("exclusiveMaximum", lambda b: value >= b, "is greater than or equal to"))
    for keyword, broken, words in checks:
        bound = schema.get(keyword)
        if _number(bound) and broken(bound):
            errors.append(Failure(path, f"{_num(value)} {words} {_num(bound)}."))
    step: Any = schema.get("multipleOf")
    if _number(step) and not _multiple(value, step):
        errors.append(Failure(path, f"{_num(value)} is not a multiple of {_num(step)}."))
    return errors


def _object_counts(schema: Mapping[str, Any], value: Mapping[str, Any], path: str) -> list[Failure]:
    errors = []
    for key in schema.get("required") or ():
        if key not in value:
            errors.append(Failure(path, f'Instance does not have required property "{key}".'))
    if _number(schema.get("minProperties")) and len(value) < schema["minProperties"]:
        errors.append(Failure(path, f"Instance does not have at least {_num(schema['minProperties'])} properties."))
    if _number(schema.get("maxProperties")) and len(value) > schema["maxProperties"]:
        errors.append(Failure(path, f"Instance has more than {_num(schema['maxProperties'])} properties."))
    dependent = schema.get("dependentRequired")
    if isinstance(dependent, Mapping):
        for key, needed in dependent.items():
            if key in value:
                errors += [Failure(path, f'Instance has "{key}" but does not have "{dep}".')
                           for dep in needed or () if dep not in value]
    return errors


def _array_counts(schema: Mapping[str, Any], value: list[Any], path: str) -> list[Failure]:
    errors = []
    if _number(schema.get("minItems")) and len(value) < schema["minItems"]:
        errors.append(Failure(path, f"Array has too few items ({len(value)} < {_num(schema['minItems'])})."))
    if _number(schema.get("maxItems")) and len(value) > schema["maxItems"]:
        errors.append(Failure(path, f"Array has too many items ({len(value)} > {_num(schema['maxItems'])})."))
    if schema.get("uniqueItems") is True:
        for j in range(len(value)):
            duplicate = next((i for i in range(j) if json_equal(value[i], value[j])), None)
            if duplicate is not None:
                errors.append(Failure(path, f"Duplicate items at indexes {duplicate} and {j}."))
                break
    return errors
