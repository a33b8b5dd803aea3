"""Checks a fake's answers against the platforms' own API descriptions
(Telegram's api.json, Discord's OpenAPI): no key the platform does not define,
every required one, the right JSON types."""

from __future__ import annotations

import re
from typing import Any

PRIMITIVES: dict[str, tuple[type, ...]] = {
    "Integer": (int,),
    "String": (str,),
    "Boolean": (bool,),
    "True": (bool,),
    "Float": (int, float),
}


def telegram_errors(
    value: Any, types: list[str], api: dict[str, Any], path: str = "result"
) -> list[str]:
    """Why `value` is none of the Bot API `types` ('User', 'Array of Update',
    'Integer'...); [] if it is one."""
    tried = [_telegram_one(value, name, api, path) for name in types]
    return [] if any(not found for found in tried) else min(tried, key=len)


def _telegram_one(value: Any, name: str, api: dict[str, Any], path: str) -> list[str]:
    """Why `value` is not of one Bot API type."""
    if name.startswith("Array of "):
        if not isinstance(value, list):
            return [f"{path}: {name} expected, got {type(value).__name__}"]
        return [
            e
            for i, item in enumerate(value)
            for e in telegram_errors(item, [name[9:]], api, f"{path}[{i}]")
        ]
    if name in PRIMITIVES:
        ok = isinstance(value, PRIMITIVES[name]) and (
            name in ("Boolean", "True") or not isinstance(value, bool)
        )
        return (
            []
            if ok and (name != "True" or value is True)
            else [f"{path}: {name} expected, got {value!r}"]
        )
    spec = api["types"][name]
    if "subtypes" in spec:
        return telegram_errors(value, spec["subtypes"], api, path)
    if not isinstance(value, dict):
        return [f"{path}: {name} object expected"]
    fields = {f["name"]: f for f in spec.get("fields", [])}
    errors = [f"{path}.{key}: not a field of {name}" for key in value if key not in fields]
    errors += [
        f"{path}.{key}: required by {name}"
        for key, f in fields.items()
        if f["required"] and key not in value
    ]
    for key, item in value.items():
        if key in fields:
            errors += telegram_errors(item, fields[key]["types"], api, f"{path}.{key}")
    return errors


def openapi_operation(spec: dict[str, Any], method: str, path: str) -> dict[str, Any] | None:
    """The OpenAPI operation serving a concrete path ('/channels/12/messages'), or None."""
    for template, ops in spec["paths"].items():
        if re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", template), path) and method.lower() in ops:
            return ops[method.lower()]
    return None


def openapi_response_schema(spec: dict[str, Any], operation: dict[str, Any], status: int) -> Any:
    """The JSON schema of an operation's answer with this status (or its 4XX / default entry)."""
    responses = operation.get("responses", {})
    entry = (
        responses.get(str(status))
        or responses.get(f"{str(status)[0]}XX")
        or responses.get("default")
    )
    while entry is not None and "$ref" in entry:
        entry = _resolve(spec, entry["$ref"])
    if entry is None or "content" not in entry:
        return None
    return entry["content"].get("application/json", {}).get("schema")


def schema_errors(value: Any, schema: Any, spec: dict[str, Any], path: str = "$") -> list[str]:
    """Why `value` does not match a JSON schema (the subset Discord's spec uses); [] if it does."""
    if schema is True or schema is None or schema == {}:
        return []
    if "$ref" in schema:
        return schema_errors(value, _resolve(spec, schema["$ref"]), spec, path)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            tried = [schema_errors(value, s, spec, path) for s in schema[key]]
            return [] if any(not t for t in tried) else min(tried, key=len)
    if "allOf" in schema:
        return [e for s in schema["allOf"] for e in schema_errors(value, s, spec, path)]
    errors = _type_errors(value, schema, path)
    if errors:
        return errors
    if isinstance(value, dict):
        errors += _object_errors(value, schema, spec, path)
    if isinstance(value, list) and "items" in schema:
        errors += [
            e
            for i, item in enumerate(value)
            for e in schema_errors(item, schema["items"], spec, f"{path}[{i}]")
        ]
    if "enum" in schema and value not in schema["enum"]:
        errors.append(f"{path}: {value!r} not one of {schema['enum']}")
    return errors


JSON_TYPES = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
    "null": type(None),
}


def _type_errors(value: Any, schema: dict[str, Any], path: str) -> list[str]:
    """The value's JSON type against the schema's `type` (a name or a list of names)."""
    wanted = schema.get("type")
    if wanted is None:
        return []
    names = wanted if isinstance(wanted, list) else [wanted]
    for name in names:
        kind = JSON_TYPES[name]
        if isinstance(value, kind) and not (
            isinstance(value, bool) and name in ("integer", "number")
        ):
            return []
    return [f"{path}: {wanted} expected, got {type(value).__name__} {value!r:.60}"]


def _object_errors(
    value: dict[str, Any], schema: dict[str, Any], spec: dict[str, Any], path: str
) -> list[str]:
    """Unknown and missing keys, and each known key's value."""
    props = schema.get("properties", {})
    extra = schema.get("additionalProperties", props == {})
    errors = [f"{path}.{k}: not in the spec" for k in value if k not in props and extra is False]
    errors += [f"{path}.{k}: required" for k in schema.get("required", []) if k not in value]
    for key, item in value.items():
        sub = props.get(key, extra if isinstance(extra, dict) else None)
        errors += schema_errors(item, sub, spec, f"{path}.{key}")
    return errors


def _resolve(spec: dict[str, Any], ref: str) -> Any:
    """A local $ref ('#/components/schemas/UserResponse')."""
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node
