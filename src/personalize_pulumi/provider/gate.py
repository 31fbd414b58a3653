"""The quality gate: a version's GetSolutionMetrics judged against `minMetrics`. Pure: no AWS calls, no output.

A metric passes when its value is at least its minimum; a metric the version does not report fails. The verdict
depends only on the version and the minimums, so judging the same version again gives the same answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Shortfall:
    """One minimum a version misses: its value is below `minimum`, or it has none (`value` is None)."""

    metric: str
    minimum: float
    value: float | None


def shortfalls(metrics: Mapping[str, Any] | None, minimums: Mapping[str, Any] | None) -> list[Shortfall]:
    """Every minimum in `minimums` that `metrics` miss, by metric name."""
    metrics = metrics or {}
    missed = []
    for metric, minimum in sorted((minimums or {}).items()):
        value = metrics.get(metric)
        if not _is_number(value):
            missed.append(Shortfall(metric, float(minimum), None))
        elif value < minimum:
            missed.append(Shortfall(metric, float(minimum), float(value)))
    return missed


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
