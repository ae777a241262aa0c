"""The published OpenAPI document, walked by the API contract tests: the operations, a valid
placeholder for any schema, every integer a client can send, and a small JSON Schema validator
for the subset django-ninja emits (no third-party validator is installed)."""

from __future__ import annotations

import datetime as dt
import json
import re
from functools import cache

from liuzhuan.api import api

METHODS = ("get", "post", "put", "patch", "delete")


@cache
def document() -> dict:
    """The document as clients read it (JSON: status codes are string keys)."""
    return json.loads(json.dumps(api.get_openapi_schema()))


def operations() -> list[tuple[str, str, dict]]:
    """(method, path, operation) of every documented operation, in document order."""
    return [(method, path, op) for path, item in document()["paths"].items() for method, op in item.items() if method in METHODS]


def resolve(schema: dict) -> dict:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = document()["components"]["schemas"][name]
    return schema


def non_null(schema: dict) -> dict:
    """The schema itself, or the non-null branch of an optional (``anyOf: [X, null]``)."""
    schema = resolve(schema)
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [resolve(s) for s in schema[key] if resolve(s).get("type") != "null"]
            return non_null(options[0])
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return non_null(schema["allOf"][0])
    return schema


def sample(schema: dict):
    """A value the schema accepts (required fields only); dates are in the near future."""
    schema = non_null(schema)
    if "enum" in schema:
        return schema["enum"][0]
    if "const" in schema:
        return schema["const"]
    kind = schema.get("type")
    if kind == "integer":
        return max(schema.get("minimum", 1), 1) if schema.get("maximum", 1) >= 1 else schema["maximum"]
    if kind == "number":
        return 1
    if kind == "boolean":
        return True
    if kind == "string":
        if schema.get("format") == "date":
            return (dt.date.today() + dt.timedelta(days=30)).isoformat()
        if schema.get("format") == "date-time":
            return dt.datetime.now(dt.UTC).isoformat()
        return "x" * max(schema.get("minLength", 1), 1)
    if kind == "array":
        return [sample(schema["items"]) for _ in range(schema.get("minItems", 0))]
    if kind == "object":
        props = schema.get("properties", {})
        return {name: sample(props[name]) for name in schema.get("required", []) if name in props}
    return "x"


def integer_targets(schema: dict, path: tuple = ()) -> list[tuple[tuple, dict]]:
    """Every integer inside a body schema: (path of keys and list indexes, the integer's schema)."""
    schema = non_null(schema)
    kind = schema.get("type")
    if kind == "integer":
        return [(path, schema)]
    if kind == "array" and "items" in schema:
        return integer_targets(schema["items"], (*path, 0))
    if kind == "object":
        return [t for name, sub in schema.get("properties", {}).items() for t in integer_targets(sub, (*path, name))]
    return []


def sample_with(schema: dict, path: tuple, value):
    """``sample(schema)`` with ``value`` placed at ``path`` (creating the containers on the way)."""
    if not path:
        return value
    schema = non_null(schema)
    head, rest = path[0], path[1:]
    if schema.get("type") == "array":
        return [sample_with(schema["items"], rest, value)]
    data = sample(schema)
    data[head] = sample_with(schema["properties"][head], rest, value)
    return data


def field_name(path: tuple) -> str:
    """How the API names a body field in errors: ``items[0].amount_fen``."""
    name = ""
    for part in path:
        name += f"[{part}]" if isinstance(part, int) else f".{part}" if name else part
    return name


# --- validation --------------------------------------------------------------------------------

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")
_TYPES = {
    "string": str, "boolean": bool, "object": dict, "array": list, "null": type(None),
    "integer": int, "number": (int, float),
}


def validate(value, schema: dict, where: str = "$") -> list[str]:
    """Where ``value`` breaks ``schema`` (empty when it conforms)."""
    schema = resolve(schema)
    if "anyOf" in schema or "oneOf" in schema:
        options = schema.get("anyOf") or schema["oneOf"]
        tried = [validate(value, option, where) for option in options]
        return [] if any(not t for t in tried) else [f"{where}: matches none of {len(options)} options: {tried}"]
    problems = [p for sub in schema.get("allOf", []) for p in validate(value, sub, where)]
    if "enum" in schema and value not in schema["enum"]:
        problems.append(f"{where}: {value!r} not in {schema['enum']}")
    if "const" in schema and value != schema["const"]:
        problems.append(f"{where}: {value!r} != {schema['const']!r}")
    kind = schema.get("type")
    if kind is None:
        return problems
    kinds = kind if isinstance(kind, list) else [kind]
    if not any(isinstance(value, _TYPES[k]) and not (k in ("integer", "number") and isinstance(value, bool)) for k in kinds):
        return [*problems, f"{where}: {value!r} is not {kind}"]
    if isinstance(value, str):
        fmt = schema.get("format")
        if fmt == "date" and not _DATE.match(value):
            problems.append(f"{where}: {value!r} is not a date")
        if fmt == "date-time" and not _DATETIME.match(value):
            problems.append(f"{where}: {value!r} is not a date-time")
    if isinstance(value, dict):
        props = schema.get("properties", {})
        problems += [f"{where}: {name} missing" for name in schema.get("required", []) if name not in value]
        extra = schema.get("additionalProperties", True)
        for name, item in value.items():
            if name in props:
                problems += validate(item, props[name], f"{where}.{name}")
            elif extra is False:
                problems.append(f"{where}: undocumented field {name}")
            elif isinstance(extra, dict):
                problems += validate(item, extra, f"{where}.{name}")
    if isinstance(value, list):
        prefix = schema.get("prefixItems", [])
        for i, item in enumerate(value):
            sub = prefix[i] if i < len(prefix) else schema.get("items")
            if sub is not None:
                problems += validate(item, sub, f"{where}[{i}]")
    return problems
