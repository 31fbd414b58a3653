"""Property values as the engine sends them to check and diff: unknowns at any depth, every number a float, maps and
lists nested as deeply as the program made them, and how a value is quoted in what users read: one short, printable
line, whatever the input."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

MAX_DEPTH = 32
"""How deeply maps and lists may nest in one input (`{"a": [1]}` is 2 levels). `check` refuses a deeper value up front,
on its property, before anything else looks at it: everything after it (finding unknowns, normalizing numbers, the
autoname hash, quoting a value, diff, the host sending the inputs back) recurses into values, and Python's recursion
limit (1,000 frames) stops all of that a few hundred levels down, with a traceback of thousands of lines. No JSON
configuration needs 32 levels. (A value deeper than about 490 levels never reaches the provider: the SDK's host fails
to deserialize the request first, with its own traceback.)"""


def depth(value: Any) -> int:
    """How many levels of maps and lists `value` has (0 for anything else). Counted without recursion, so it measures
    any value the host could deserialize."""
    deepest = 0
    pending = [(value, 1)]
    while pending:
        item, level = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, (list, tuple)):
            children = item
        else:
            continue
        deepest = max(deepest, level)
        pending.extend((child, level + 1) for child in children)
    return deepest


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
    """`repr(value)`, cut to SHOWN_MAX characters: a failure stays one short line even for a megabyte of input (and a
    value nested deeper than MAX_DEPTH, which repr could not print, is described instead)."""
    levels = depth(value)
    if levels > MAX_DEPTH:
        return f"a value nested {levels} levels deep"
    return cut(repr(value))


def cut(text: str) -> str:
    """`text`, cut to SHOWN_MAX characters (saying how long it was)."""
    return text if len(text) <= SHOWN_MAX else f"{text[:SHOWN_MAX]}... ({len(text)} characters)"


def printable(text: str, limit: int | None = None, mask: str = "") -> str:
    """`text` as one line: control characters dropped (or each replaced by `mask`), cut to `limit` characters with
    "..." if given."""
    line = "".join(c if c.isprintable() else mask for c in text)
    return line if limit is None or len(line) <= limit else line[: limit - 3] + "..."
