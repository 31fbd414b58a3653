"""Property values between the engine's protobuf `Struct`s and the plain Python values the lifecycle works with.

The engine encodes what JSON cannot say as objects with a signature key: a secret is `{sig: SECRET, value: ...}`, an
unknown (a preview's value not known yet) is the string `UNKNOWN`. The plugin accepts secrets (`Configure`: the
engine requires it of a plugin that builds components): the lifecycle gets plain values (`from_struct`), and the
server marks secret what arrived secret (`secret_keys`) wherever it answers with it (`Secret`). Numbers arrive as
floats, as JSON has only one kind.
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format, struct_pb2
from pulumi.output import Unknown

from ..provider.values import unknown

SIGNATURE_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIGNATURE = "1b47061264138c4ac30d75fd1eb44270"
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"


class Secret:
    """A value to send to the engine marked secret."""

    def __init__(self, value: Any):
        self.value = value

    def __repr__(self) -> str:  # never print the value
        return "Secret(...)"


def from_struct(struct: struct_pb2.Struct | None) -> dict[str, Any]:
    """The properties of `struct`: unknowns become `pulumi.output.Unknown()` (as check and diff expect them), secrets
    their plain value."""
    if struct is None:
        return {}
    value = _decode(json_format.MessageToDict(struct))
    return value if isinstance(value, dict) else {}


def secret_keys(struct: struct_pb2.Struct | None) -> set[str]:
    """The top-level keys of `struct` whose value is (or holds) a secret."""
    if struct is None:
        return set()
    return {key for key, value in json_format.MessageToDict(struct).items() if SECRET_SIGNATURE in repr(value)}


def _decode(value: Any) -> Any:
    if isinstance(value, str) and value == UNKNOWN:
        return unknown()
    if isinstance(value, list):
        return [_decode(item) for item in value]
    if isinstance(value, dict):
        if value.get(SIGNATURE_KEY) == SECRET_SIGNATURE:
            return _decode(value.get("value"))
        return {key: _decode(item) for key, item in value.items()}
    return value


def to_struct(properties: dict[str, Any]) -> struct_pb2.Struct:
    """`properties` as the engine reads them: `Unknown` as the unknown sentinel, `Secret` wrapped with its signature."""
    struct = struct_pb2.Struct()
    struct.update({key: _encode(value) for key, value in properties.items()})
    return struct


def to_struct_with_secrets(properties: dict[str, Any], secret: set[str]) -> struct_pb2.Struct:
    """`to_struct(properties)`, the values of the keys in `secret` marked secret."""
    return to_struct({key: Secret(value) if key in secret else value for key, value in properties.items()})


def _encode(value: Any) -> Any:
    if isinstance(value, Unknown):
        return UNKNOWN
    if isinstance(value, Secret):
        return {SIGNATURE_KEY: SECRET_SIGNATURE, "value": _encode(value.value)}
    if isinstance(value, dict):
        return {str(key): _encode(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(item) for item in value]
    return value
