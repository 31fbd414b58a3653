r"""`check`: fill defaults, normalize and validate SolutionVersion inputs. Pure: no AWS calls, no output.

Every rule the service would enforce is checked here, so a mistake fails at `pulumi preview` with one message per
property instead of after an hour of waiting. Values still unknown during a preview are left alone. A value nested
deeper than `values.MAX_DEPTH` is refused first, on its property, and nothing else looks into it. The rules of
names, ARNs and tags live with them (naming.py, arns.py, tags.py); values as the engine sends them in values.py.
"""

from __future__ import annotations

import copy
import math
import re
from dataclasses import dataclass
from typing import Any

from .arns import (
    ARN_MAX,
    REGION_RE,
    SOLUTION_ARN_RE,
    SOLUTION_ARN_RULE,
    VERSION_ARN_RE,
    VERSION_ARN_RULE,
    location_of,
    region_of,
    region_problem,
)
from .backoff import Polling
from .gate import is_fraction
from .naming import NAME_RULE, autoname, is_name
from .properties import (
    DEFAULTS,
    INPUTS,
    MAX_TAGS,
    NAME_SCOPE,
    OWNER_CREATED_AT,
    OWNER_TOKEN,
    PROVIDER_KEY,
    TAGS_ALL,
    TRAINING_MODES,
    TRAINING_ONLY,
)
from .tags import MAX_USER_TAGS, NO_DEFAULT_TAGS, DefaultTags, effective_tags, tag_problems
from .values import MAX_DEPTH, cut, depth, is_unknown_itself, normalize_numbers, printable, show

METRIC_NAME_RE = re.compile(r"[a-z0-9_]+")
METRIC_NAME_RULE = "lower-case letters, digits and '_'"
ARN_FIX = "check the ARN"


@dataclass(frozen=True)
class Failure:
    """One invalid property and the rule it breaks."""

    property: str
    reason: str

    def sentence(self) -> str:
        """The failure as one sentence that names the property (the provider sends it with no property: see
        `SolutionVersionProvider.check`): the reason, which mostly begins with the property, else prefixed by it."""
        if self.reason.startswith(f"{self.property} ") or self.reason.startswith(f"{self.property}:"):
            return self.reason
        return f"{cut(printable(self.property, mask='?'))}: {self.reason}"


def check_inputs(
    olds: dict[str, Any], news: dict[str, Any], default_tags: DefaultTags = NO_DEFAULT_TAGS
) -> tuple[dict[str, Any], list[Failure]]:
    """Checked inputs (defaults filled, numbers normalized, name chosen, `tagsAll` computed from `default_tags` and
    `tags`) and the failures found."""
    failures: list[Failure] = []
    inputs = {key: value for key, value in news.items() if value is not None and key != TAGS_ALL}
    known_keys = set(INPUTS.values()) | {NAME_SCOPE, OWNER_TOKEN, OWNER_CREATED_AT, TAGS_ALL, PROVIDER_KEY}
    for key in sorted(set(inputs) - known_keys):
        failures.append(
            Failure(key, f"unknown property {show(key)}; valid properties: {', '.join(sorted(INPUTS.values()))}")
        )
    # First, so that nothing below recurses into a value deeper than MAX_DEPTH; the value is not sent back either.
    too_deep = {key: levels for key, value in inputs.items() if (levels := depth(value)) > MAX_DEPTH}
    for key, levels in sorted(too_deep.items()):
        del inputs[key]
        if key in known_keys:
            failures.append(Failure(key, _too_deep(key, levels)))
    reported = len(failures)

    # An adopted version was trained already: inputs that only shape a training cannot go with it.
    adopting = "existingVersionArn" in inputs
    conflicts = _check_adoption_conflicts(inputs) if adopting else []
    conflicting = {failure.property for failure in conflicts}
    failures += conflicts

    for key, default in DEFAULTS.items():
        if default.value is not None and not (adopting and key in TRAINING_ONLY):
            inputs.setdefault(key, copy.deepcopy(default.value))
    if "retrainTriggers" in inputs:
        inputs["retrainTriggers"] = normalize_numbers(inputs["retrainTriggers"])

    failures += _check_solution_arn(inputs.get("solutionArn"))
    if "name" not in conflicting:
        failures += _check_name(inputs.get("name"))
    if "trainingMode" not in conflicting:
        failures += _check_training_mode(inputs.get("trainingMode"))
    failures += _check_tags(inputs["tags"])
    tags_all, tags_all_problems = effective_tags(default_tags, inputs["tags"])
    failures += [Failure(TAGS_ALL, problem) for problem in tags_all_problems]
    if tags_all is not None:
        inputs[TAGS_ALL] = tags_all
    if "retrainTriggers" not in conflicting:
        failures += _check_retrain_triggers(inputs.get("retrainTriggers", {}))
    failures += _check_min_metrics(inputs["minMetrics"])
    failures += _check_existing_version_arn(inputs.get("existingVersionArn"), inputs.get("solutionArn"))
    failures += _check_wait_timeout(inputs["waitTimeoutMinutes"])
    failures += _check_region(inputs.get("region"), inputs.get("solutionArn"))
    failures += _check_optional_string("profile", inputs.get("profile"))
    failures += _check_optional_string(NAME_SCOPE, inputs.get(NAME_SCOPE))
    failures += _check_optional_string(OWNER_TOKEN, inputs.get(OWNER_TOKEN))
    failures += _check_optional_string(OWNER_CREATED_AT, inputs.get(OWNER_CREATED_AT))

    # A value left out for its depth is not missing: its one failure says what is wrong with it.
    failures[reported:] = [f for f in failures[reported:] if f.property.split(".", 1)[0] not in too_deep]
    if "name" not in inputs and not adopting and not failures:
        inputs["name"] = autoname(olds, inputs)
    return inputs, failures


def check_owner_inputs(news: dict[str, Any]) -> tuple[dict[str, Any], list[Failure]]:
    """The checked inputs of a plugin's TrainingOwner (plugin/owner.py: solutionArn, versionName, region, profile)
    and the failures found."""
    inputs = {key: value for key, value in news.items() if value is not None}
    failures = _check_solution_arn(inputs.get("solutionArn"))
    name = inputs.get("versionName")
    if name is None:
        failures.append(Failure("versionName", "versionName is required: the name of the SolutionVersion it owns"))
    else:
        failures += _check_optional_string("versionName", name)
    failures += _check_region(inputs.get("region"), inputs.get("solutionArn"))
    failures += _check_optional_string("profile", inputs.get("profile"))
    return inputs, failures


def _too_deep(key: str, levels: int) -> str:
    return f"{key} may nest maps and lists at most {MAX_DEPTH} levels deep (a limit of this provider); got {levels}"


def _check_solution_arn(value: Any) -> list[Failure]:
    if value is None:
        return [Failure("solutionArn", "solutionArn is required: the ARN of the Personalize solution to train")]
    if is_unknown_itself(value):
        return []
    if not isinstance(value, str) or region_of(value) is None:
        hint = ""
        if isinstance(value, str) and SOLUTION_ARN_RE.fullmatch(value.rsplit("/", 1)[0]):
            hint = " (this looks like a solution version ARN; pass the solution's ARN)"
        return [
            Failure("solutionArn", f"solutionArn must be a solution ARN, {SOLUTION_ARN_RULE}; got {show(value)}{hint}")
        ]
    return _check_location("solutionArn", value)


def _check_location(key: str, arn: str) -> list[Failure]:
    """The partition and region of a well-formed ARN: one where Amazon Personalize is offered (botocore's data)."""
    location = location_of(arn)
    if location is None:
        return []
    problem = region_problem(location[1], location[0], ARN_FIX)
    return [Failure(key, f"{key}: {problem}")] if problem else []


def _is_usable_solution_arn(value: Any) -> bool:
    """A known solution ARN that passes `_check_solution_arn`: its partition and region are Personalize's."""
    return isinstance(value, str) and region_of(value) is not None and not _check_location("solutionArn", value)


def _check_name(value: Any) -> list[Failure]:
    if value is None or is_unknown_itself(value):
        return []
    if not isinstance(value, str) or not is_name(value):
        return [Failure("name", f"name must be {NAME_RULE}; got {show(value)}")]
    return []


def _check_training_mode(value: Any) -> list[Failure]:
    if value is None or is_unknown_itself(value) or value in TRAINING_MODES:
        return []
    return [Failure("trainingMode", f"trainingMode must be one of {', '.join(TRAINING_MODES)}; got {show(value)}")]


def _check_tags(value: Any) -> list[Failure]:
    if is_unknown_itself(value):
        return []
    if not isinstance(value, dict):
        return [Failure("tags", f"tags must be a map of string keys to string values; got {type(value).__name__}")]
    failures = []
    if len(value) > MAX_USER_TAGS:
        failures.append(
            Failure(
                "tags",
                f"tags may hold at most {MAX_USER_TAGS} tags (Personalize allows {MAX_TAGS}, one of them this "
                f"provider's ownership marker); got {len(value)}",
            )
        )
    for key, tag_value in value.items():
        failures += [Failure(f"tags.{key}", problem) for problem in tag_problems(key, tag_value)]
    return failures


def _check_retrain_triggers(value: Any) -> list[Failure]:
    if is_unknown_itself(value):
        return []
    if not isinstance(value, dict):
        return [Failure("retrainTriggers", f"retrainTriggers must be a map (any values); got {type(value).__name__}")]
    path = _non_finite_path(value, "retrainTriggers")
    if path:
        # State is JSON, which has no NaN or infinity; NaN also never equals itself, so it would diff on every run.
        return [Failure("retrainTriggers", f"retrainTriggers values must be JSON: {cut(path)} is not a finite number")]
    return []


def _non_finite_path(value: Any, path: str) -> str | None:
    """Where the first NaN or infinity in `value` is (`retrainTriggers.a[2]`), or None; unknowns are skipped."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{path} ({value})"
    if isinstance(value, dict):
        children = ((f"{path}.{key}", child) for key, child in value.items())
    elif isinstance(value, (list, tuple)):
        children = ((f"{path}[{index}]", child) for index, child in enumerate(value))
    else:
        return None
    for child_path, child in children:
        found = _non_finite_path(child, child_path)
        if found:
            return found
    return None


def _check_min_metrics(value: Any) -> list[Failure]:
    if is_unknown_itself(value):
        return []
    if not isinstance(value, dict):
        rule = "minMetrics must be a map of metric names to minimum values, e.g. {coverage: 0.2}"
        return [Failure("minMetrics", f"{rule}; got {type(value).__name__}")]
    failures = []
    for metric, minimum in value.items():
        where = f"minMetrics.{metric}"
        if not isinstance(metric, str) or not METRIC_NAME_RE.fullmatch(metric):
            rule = f"{METRIC_NAME_RULE}, as GetSolutionMetrics names them (e.g. precision_at_25)"
            failures.append(Failure(where, f"metric name {show(metric)} must be {rule}"))
        elif is_unknown_itself(minimum):
            continue
        elif isinstance(minimum, bool) or not isinstance(minimum, (int, float)) or not math.isfinite(minimum):
            failures.append(Failure(where, f"{where} must be a finite number (the minimum); got {show(minimum)}"))
        elif minimum < 0:
            reason = f"{where} must be 0 or more (a metric is never negative, so {minimum:g} gates nothing)"
            failures.append(Failure(where, reason))
        elif minimum > 1 and is_fraction(metric):
            meant = f"; for {minimum:g} %, write {minimum / 100:g}" if minimum <= 100 else ""
            reason = (
                f"{where} must be at most 1: {metric} is a fraction from 0 to 1, so {minimum:g} can never pass{meant}"
            )
            failures.append(Failure(where, reason))
    return failures


def _check_existing_version_arn(value: Any, solution_arn: Any) -> list[Failure]:
    if value is None or is_unknown_itself(value):
        return []
    if not isinstance(value, str) or len(value) > ARN_MAX or not VERSION_ARN_RE.fullmatch(value):
        hint = ""
        if isinstance(value, str) and region_of(value):
            hint = " (this is a solution ARN; pass the ARN of one of its versions)"
        rule = f"existingVersionArn must be a solution version ARN, {VERSION_ARN_RULE}"
        return [Failure("existingVersionArn", f"{rule}; got {show(value)}{hint}")]
    its_solution = value.rsplit("/", 1)[0]
    if isinstance(solution_arn, str) and region_of(solution_arn):
        # Its region is solutionArn's, checked there.
        if its_solution != solution_arn:
            reason = f"existingVersionArn is a version of {show(its_solution)}, not of solutionArn {show(solution_arn)}"
            return [Failure("existingVersionArn", reason)]
        return []
    return _check_location("existingVersionArn", value)


def _check_adoption_conflicts(inputs: dict[str, Any]) -> list[Failure]:
    """`name`, `trainingMode` and `retrainTriggers` (an empty map is no triggers) next to `existingVersionArn`."""
    failures = []
    for key in TRAINING_ONLY:
        if key not in inputs or (key == "retrainTriggers" and inputs[key] == {}):
            continue
        failures.append(
            Failure(
                key,
                f"{key} cannot be combined with existingVersionArn: an adopted version is trained already (remove "
                f"{key}, or remove existingVersionArn to train a version)",
            )
        )
    return failures


def _check_wait_timeout(value: Any) -> list[Failure]:
    if is_unknown_itself(value):
        return []
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        return [
            Failure(
                "waitTimeoutMinutes",
                f"waitTimeoutMinutes must be a number of minutes greater than 0; got {show(value)}",
            )
        ]
    # A budget that ends before the first status check can never see a training through (the host's environment may
    # shorten that check, as the tests do: see backoff.py).
    first_check = Polling.from_env().initial
    if value * 60 < first_check:
        minimum = _rounded_up(first_check / 60)
        return [
            Failure(
                "waitTimeoutMinutes",
                f"waitTimeoutMinutes must be at least {minimum:g} ({first_check:g} s, the provider's first status "
                f"check after a training starts; real trainings take 20 minutes or more); got {show(value)}",
            )
        ]
    return []


def _rounded_up(value: float, digits: int = 3) -> float:
    """`value` (> 0) rounded up to `digits` significant digits: a minimum quoted that way is itself accepted."""
    scale = 10.0 ** (digits - 1 - math.floor(math.log10(value)))
    return math.ceil(value * scale) / scale


def _check_region(value: Any, solution_arn: Any) -> list[Failure]:
    """A region name; next to a usable solutionArn, its region; else (the ARN unknown in a preview, missing, or
    refused on its own) one where Amazon Personalize is offered in some partition."""
    if value is None or is_unknown_itself(value):
        return []
    if not isinstance(value, str) or not REGION_RE.fullmatch(value):
        return [Failure("region", f"region must be an AWS region name such as us-east-1; got {show(value)}")]
    if not _is_usable_solution_arn(solution_arn):
        problem = region_problem(value, None, "fix region, or omit it to use the solution ARN's")
        return [Failure("region", problem)] if problem else []
    arn_region = region_of(solution_arn)
    if arn_region != value:
        return [
            Failure(
                "region",
                f"region {value!r} contradicts solutionArn, which is in {arn_region!r}; the version trains where its "
                "solution is, so omit region or make them match",
            )
        ]
    return []


def _check_optional_string(key: str, value: Any) -> list[Failure]:
    if value is None or is_unknown_itself(value) or (isinstance(value, str) and value):
        return []
    return [Failure(key, f"{key} must be a non-empty string; got {show(value)}")]
