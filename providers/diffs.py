"""`diff`: decide replace / update / nothing for a SolutionVersion. Pure: no AWS calls, no output.

`olds` are the previous outputs (which carry the checked inputs), `news` the new checked inputs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .checks import normalize_numbers
from .properties import ACTIVE, REPLACE_ON_CHANGE, UPDATE_IN_PLACE


@dataclass(frozen=True)
class Decision:
    """Which properties changed, and which of those force a new training."""

    changes: list[str]
    replaces: list[str]


def decide(olds: dict[str, Any], news: dict[str, Any]) -> Decision:
    """Replace when an identity input changed (or the live version is no longer ACTIVE); update when only tags did."""
    replaces = [key for key in REPLACE_ON_CHANGE if _differs(olds.get(key), news.get(key))]
    # A refresh that found the version stopped or failed out of band: the next `up` trains a new one.
    status = olds.get("status")
    if status is not None and status != ACTIVE:
        replaces.append("status")
    updates = [key for key in UPDATE_IN_PLACE if _differs(olds.get(key) or {}, news.get(key) or {})]
    return Decision(changes=replaces + updates, replaces=replaces)


def _differs(old: Any, new: Any) -> bool:
    # Numbers come back from state as floats; 3 and 3.0 are the same input.
    return normalize_numbers(old) != normalize_numbers(new)
