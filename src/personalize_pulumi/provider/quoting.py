"""How values and names are quoted in what users read: one short, printable line, whatever the input."""

from __future__ import annotations

from typing import Any

from .values import MAX_DEPTH, depth

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
