"""Validate JSON documents against botocore's Personalize service model.

botocore validates only required members, types and minimums on the client side; the service also enforces maximum
lengths, patterns and enums. The emulator checks requests with this module the way the service does, and the tests use
the same function to check every response against the model's output shapes.
"""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

import botocore.session
import regex
from botocore.model import OperationModel, ServiceModel, Shape


@lru_cache(maxsize=1)
def service_model() -> ServiceModel:
    """The Personalize model that ships with the installed botocore."""
    return botocore.session.get_session().get_service_model("personalize")


def operation_model(operation: str) -> OperationModel:
    """The model of one operation, e.g. `CreateSolutionVersion`."""
    return service_model().operation_model(operation)


@cache
def _compiled(pattern: str) -> regex.Pattern[str]:
    # Smithy patterns are not anchored implicitly, but every Personalize pattern describes the whole value (the real
    # service rejects `my model` for `^[a-zA-Z0-9][a-zA-Z0-9\-_]*`), so match the whole value. `regex` knows \p{L}.
    return regex.compile(pattern)


def _pattern_ok(pattern: str, value: str) -> bool:
    return _compiled(pattern).fullmatch(value) is not None


def validate(shape: Shape | None, value: Any, path: str = "") -> list[str]:
    """All constraint violations of `value` against `shape`, phrased like the service's validation messages."""
    if shape is None:
        return [] if value in (None, {}) else [f"Value at '{path or '.'}' is not allowed: the operation has no body."]
    errors: list[str] = []
    meta = shape.metadata
    where = path or "."
    kind = shape.type_name
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"Value at '{where}' must be an object."]
        for member in shape.required_members:
            if member not in value:
                errors.append(
                    f"Value null at '{_join(path, member)}' failed to satisfy constraint: Member must not be null"
                )
        for key, item in value.items():
            if key not in shape.members:
                errors.append(f"Unknown member '{_join(path, key)}'.")
                continue
            errors.extend(validate(shape.members[key], item, _join(path, key)))
        return errors
    if kind == "list":
        if not isinstance(value, list):
            return [f"Value at '{where}' must be a list."]
        errors.extend(_length(meta, len(value), where, "Member must have length"))
        for index, item in enumerate(value):
            errors.extend(validate(shape.member, item, f"{where}.{index + 1}.member"))
        return errors
    if kind == "map":
        if not isinstance(value, dict):
            return [f"Value at '{where}' must be a map."]
        errors.extend(_length(meta, len(value), where, "Member must have length"))
        for key, item in value.items():
            errors.extend(validate(shape.key, key, f"{where}.key"))
            errors.extend(validate(shape.value, item, f"{where}.{key}"))
        return errors
    if kind == "string":
        if not isinstance(value, str):
            return [f"Value at '{where}' must be a string."]
        errors.extend(_length(meta, len(value), where, "Member must have length"))
        if "enum" in meta and value not in meta["enum"]:
            errors.append(
                f"Value '{value}' at '{where}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(meta['enum'])}]"
            )
        if "pattern" in meta and not _pattern_ok(meta["pattern"], value):
            errors.append(
                f"Value '{value}' at '{where}' failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {meta['pattern']}"
            )
        return errors
    if kind in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            return [f"Value at '{where}' must be an integer."]
        return _range(meta, value, where)
    if kind in ("double", "float"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return [f"Value at '{where}' must be a number."]
        return _range(meta, value, where)
    if kind == "boolean":
        return [] if isinstance(value, bool) else [f"Value at '{where}' must be a boolean."]
    if kind == "timestamp":
        # AWS JSON 1.1 sends timestamps as epoch seconds.
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        return [] if ok else [f"Value at '{where}' must be epoch seconds."]
    return []


def validate_input(operation: str, params: dict[str, Any]) -> list[str]:
    """Violations of a request body against the operation's input shape."""
    return validate(operation_model(operation).input_shape, params)


def validate_output(operation: str, body: dict[str, Any]) -> list[str]:
    """Violations of a response body against the operation's output shape."""
    return validate(operation_model(operation).output_shape, body)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


def _length(meta: dict[str, Any], size: int, where: str, what: str) -> list[str]:
    errors = []
    if "min" in meta and size < meta["min"]:
        errors.append(f"Value at '{where}' failed to satisfy constraint: {what} greater than or equal to {meta['min']}")
    if "max" in meta and size > meta["max"]:
        errors.append(f"Value at '{where}' failed to satisfy constraint: {what} less than or equal to {meta['max']}")
    return errors


def _range(meta: dict[str, Any], number: float, where: str) -> list[str]:
    errors = []
    if "min" in meta and number < meta["min"]:
        errors.append(
            f"Value '{number}' at '{where}' failed to satisfy constraint: Member must have value greater than or equal to {meta['min']}"
        )
    if "max" in meta and number > meta["max"]:
        errors.append(
            f"Value '{number}' at '{where}' failed to satisfy constraint: Member must have value less than or equal to {meta['max']}"
        )
    return errors
