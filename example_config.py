"""The example stack's config, read and checked in one place so a mistake is one line naming the key."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, cast

import pulumi

from personalize_pulumi.provider.checks import METRIC_NAME_RE, METRIC_NAME_RULE
from personalize_pulumi.provider.properties import (
    DEFAULT_TAGS_CONFIG,
    DEFAULT_TRAINING_MODE,
    TRAINING_MODES,
    TrainingMode,
)
from personalize_pulumi.provider.tags import parse_default_tags


@dataclass(frozen=True)
class ExampleConfig:
    """`<project>:solutionArn` (required), `trainingMode`, `tags`, `retrainTrigger`, `waitTimeoutMinutes`,
    `minMetrics`, `existingVersionArn` (adopt that version instead of training one); and `aws:defaultTags`, which the provider merges into every model's tags (checked here too, so a
    malformed value stops the program before it declares anything)."""

    solution_arn: str
    training_mode: TrainingMode
    tags: dict[str, str]
    retrain_trigger: str | None
    wait_timeout_minutes: float | None
    min_metrics: dict[str, float]
    existing_version_arn: str | None = None

    @classmethod
    def load(cls) -> ExampleConfig:
        config = pulumi.Config()

        def key(name: str) -> str:
            return f"{config.name}:{name}"

        solution_arn = config.get("solutionArn")
        if not solution_arn:
            raise pulumi.RunError(
                f"missing config '{key('solutionArn')}': the ARN of the Personalize solution to train "
                "(pulumi config set solutionArn arn:aws:personalize:REGION:ACCOUNT:solution/NAME)"
            )
        training_mode = config.get("trainingMode") or DEFAULT_TRAINING_MODE
        if training_mode not in TRAINING_MODES:
            raise pulumi.RunError(
                f"config '{key('trainingMode')}' must be one of {', '.join(TRAINING_MODES)}; got {training_mode!r}"
            )
        tags = _object(config, "tags", key)
        if not all(isinstance(v, str) for v in tags.values()):
            raise pulumi.RunError(f"config '{key('tags')}' must map tag keys to strings (quote numbers: \"4711\")")
        wait = config.get("waitTimeoutMinutes")
        try:
            wait_minutes = float(wait) if wait is not None else None
        except ValueError:
            wait_minutes = -1.0
        if wait_minutes is not None and wait_minutes <= 0:
            raise pulumi.RunError(f"config '{key('waitTimeoutMinutes')}' must be a number of minutes > 0; got {wait!r}")
        min_metrics = _object(config, "minMetrics", key)
        if not all(METRIC_NAME_RE.fullmatch(name) and _is_number(value) for name, value in min_metrics.items()):
            rule = f"metric names ({METRIC_NAME_RULE}) to numbers, e.g. {{coverage: 0.2}}"
            raise pulumi.RunError(f"config '{key('minMetrics')}' must map {rule}")
        try:
            namespace, name = DEFAULT_TAGS_CONFIG.split(":")
            parse_default_tags(pulumi.Config(namespace).get(name))
        except ValueError as error:
            raise pulumi.RunError(str(error)) from None
        return cls(
            solution_arn,
            cast(TrainingMode, training_mode),
            tags,
            config.get("retrainTrigger"),
            wait_minutes,
            min_metrics,
            config.get("existingVersionArn"),
        )


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _object(config: pulumi.Config, name: str, key: Any) -> dict[str, Any]:
    try:
        value = config.get_object(name)
    except Exception:  # pulumi raises a bare JSON error
        raise pulumi.RunError(f"config '{key(name)}' must be an object (key: value pairs)") from None
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise pulumi.RunError(f"config '{key(name)}' must be an object (key: value pairs); got {value!r}")
    return value
