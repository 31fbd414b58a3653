"""Property values as the engine sends them to check and diff: unknowns at any depth, every number a float; and how
a rejected value is quoted in a message."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN


def unknown() -> Unknown:
    """A value not known yet, as check returns it (the host sends it back to the engine as the unknown sentinel)."""
    make: Callable[[], Unknown] = Unknown  # the SDK's Unknown() has no annotated __init__
    return make()


def is_unknown(value: Any) -> bool:
    """True if `value` (or anything inside it) is not known yet, as during a preview.

    The host hands `check` and `diff` a `pulumi.output.Unknown` instance wherever the engine sent the sentinel string
    `rpc.UNKNOWN` (it deserializes with `keep_unknowns=True`); both are recognized.
    """
    if is_unknown_itself(value):
        return True
    if isinstance(value, dict):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(is_unknown(v) for v in value)
    return False


def is_unknown_itself(value: Any) -> bool:
    """True if `value` as a whole is unknown (not merely something inside it)."""
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


def normalize_numbers(value: Any) -> Any:
    """Whole floats become ints (the engine sends every number as a float), recursively; anything else, unknowns
    included, is returned as is."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: normalize_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalize_numbers(v) for v in value]
    return value


SHOWN_MAX = 80
"""Longest excerpt of a rejected value quoted in a failure message."""


def show(value: Any) -> str:
    """`repr(value)`, cut to SHOWN_MAX characters: a failure stays one short line even for a megabyte of input."""
    return cut(repr(value))


def cut(text: str) -> str:
    """`text`, cut to SHOWN_MAX characters (saying how long it was)."""
    return text if len(text) <= SHOWN_MAX else f"{text[:SHOWN_MAX]}... ({len(text)} characters)"
