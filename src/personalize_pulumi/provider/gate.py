"""The quality gate: a version's GetSolutionMetrics judged against `minMetrics`. Pure: no AWS calls, no output.

A metric passes when its value is at least its minimum; a metric the version does not report fails. The verdict
depends only on the version and the minimums, so judging the same version again gives the same answer.

Before a training starts, the names in `minMetrics` are judged against what the solution reports (`unreportable`),
so a typo fails in seconds instead of after hours of training.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard


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


def _is_number(value: Any) -> TypeGuard[float]:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


STANDARD_METRICS = frozenset(
    {
        "coverage",
        "mean_reciprocal_rank_at_25",
        "normalized_discounted_cumulative_gain_at_5",
        "normalized_discounted_cumulative_gain_at_10",
        "normalized_discounted_cumulative_gain_at_25",
        "precision_at_5",
        "precision_at_10",
        "precision_at_25",
    }
)
"""What GetSolutionMetrics reports for a solution with no optimization objective and no events configuration
(developer guide, "Evaluating a solution version"); recipes and configurations that add others are not guessed."""


def documented_metric_names(solution: Mapping[str, Any]) -> frozenset[str] | None:
    """The metric names a described solution's versions report, where the documentation says so; else None."""
    config = solution.get("solutionConfig") or {}
    if config.get("optimizationObjective") or config.get("eventsConfig"):
        return None
    if solution.get("recipeArn") in ("arn:aws:personalize:::recipe/aws-next-best-action",):
        return None
    return STANDARD_METRICS


def unreportable(minimums: Mapping[str, Any] | None, reported: frozenset[str]) -> list[str]:
    """The `minMetrics` names a solution reporting `reported` never reports, sorted."""
    return sorted(set(minimums or {}) - reported)


FRACTION_METRICS = re.compile(
    r"coverage"
    r"|mean_reciprocal_rank_at_25"
    r"|recall_at_1_percent"
    r"|average_rewards_at_(k|\d+)"
    r"|(precision|normalized_discounted_cumulative_gain)(_with_event_weights)?_at_(k|\d+)"
    r"|(precision|normalized_discounted_cumulative_gain)_at_(k|\d+)_with_event_weights"
)
"""The metrics that are fractions, from 0 to 1, so a minimum above 1 can never pass (`coverage: 30` meant 30 %):
coverage, precision_at_K, normalized_discounted_cumulative_gain_at_K (and its `_with_event_weights` form),
mean_reciprocal_rank_at_25, recall_at_1_percent, average_rewards_at_k ("at most 1"). Source: the developer guide's
"Evaluating a solution version" and the user-segmentation sample, as summarized in the project's notes on Personalize
(personalize.md, "Metrics are not all fractions"). Any other metric may be a count (`hits_at_1_percent` was observed at
19.76): it keeps any minimum that is not negative."""


def is_fraction(metric: str) -> bool:
    """Whether `metric` is known to be a fraction from 0 to 1 (`FRACTION_METRICS`)."""
    return FRACTION_METRICS.fullmatch(metric) is not None
