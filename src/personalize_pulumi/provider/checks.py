r"""`check`: fill defaults, normalize and validate SolutionVersion inputs. Pure: no AWS calls, no output.

Every rule the service would enforce is checked here, so a mistake fails at `pulumi preview` with one message per
property instead of after an hour of waiting. Values still unknown during a preview are left alone.

Every pattern spells its digit and letter classes out in ASCII (`[0-9]`, never `\d`, which in Python matches any
Unicode digit such as Arabic-Indic ones): the service's patterns mean ASCII. The tag pattern is the exception: the
service's own tagKey/tagValue pattern (botocore's model) allows any Unicode letter, space and number.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import regex
from pulumi.output import Unknown
from pulumi.runtime.rpc import UNKNOWN

from .properties import (
    DEFAULT_TAGS_CONFIG,
    DEFAULT_TRAINING_MODE,
    DEFAULT_WAIT_TIMEOUT_MINUTES,
    INPUTS,
    MAX_TAGS,
    NAME_SCOPE,
    OWNER_TOKEN,
    TAGS_ALL,
    TRAINING_MODES,
    TRAINING_ONLY,
    is_reserved_tag,
)
from .provider_path import PROVIDER_KEY

NAME_MAX = 63
NAME_RULE = "1-63 characters: letters, digits, '-' and '_', starting with a letter or digit"
NAME_RE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9\-_]*")
ARN_MAX = 256
SOLUTION_ARN_RE = re.compile(
    r"arn:(?P<partition>[a-z0-9-]+):personalize:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):solution/"
    r"(?P<name>[a-zA-Z0-9][a-zA-Z0-9\-_]*)"
)
SOLUTION_ARN_RULE = "arn:PARTITION:personalize:REGION:ACCOUNT:solution/NAME, at most 256 characters"
VERSION_ARN_RE = re.compile(SOLUTION_ARN_RE.pattern + r"/(?P<id>[a-zA-Z0-9]+)")
VERSION_ARN_RULE = "arn:PARTITION:personalize:REGION:ACCOUNT:solution/NAME/ID, at most 256 characters"
METRIC_NAME_RE = re.compile(r"[a-z0-9_]+")
METRIC_NAME_RULE = "lower-case letters, digits and '_'"
REGION_RE = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")
TAG_KEY_MAX = 128
TAG_VALUE_MAX = 256
TAG_RE = regex.compile(r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*")
TAG_CHARS = "letters, digits, spaces and _ . : / = + - @"
AUTONAME_HASH_LENGTH = 8
SHOWN_MAX = 80
"""Longest excerpt of a rejected value quoted in a failure message."""


@dataclass(frozen=True)
class Failure:
    """One invalid property and the rule it breaks."""

    property: str
    reason: str


@dataclass(frozen=True)
class DefaultTags:
    """The stack's `aws:defaultTags` as `configure` received them: the tags, or the one line saying why they cannot be
    used (reported by `check`, so a malformed config fails the preview of every SolutionVersion, naming the key)."""

    tags: dict[str, str] = field(default_factory=dict)
    problem: str | None = None

    @classmethod
    def from_config(cls, raw: Any) -> DefaultTags:
        try:
            return cls(tags=parse_default_tags(raw))
        except ValueError as error:
            return cls(problem=str(error))


NO_DEFAULT_TAGS = DefaultTags()


def parse_default_tags(raw: Any) -> dict[str, str]:
    """The `tags` map of `aws:defaultTags` (JSON text, as stack config holds it, or the parsed object); {} if unset.

    A malformed value raises ValueError with one line naming the config key.
    """
    rule = f"config {DEFAULT_TAGS_CONFIG!r} must be an object like {{tags: {{team: ml}}}} with string values"
    if raw is None or raw == "":
        return {}
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except ValueError as error:
            raise ValueError(f"{rule}; it is not JSON ({error})") from None
    tags = value.get("tags") if isinstance(value, dict) else None
    if (
        not isinstance(value, dict)
        or set(value) - {"tags"}
        or not isinstance(tags, (dict, type(None)))
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in (tags or {}).items())
    ):
        raise ValueError(f"{rule}; got {_show(value)}")
    return dict(tags or {})


def unknown() -> Unknown:
    """A value not known yet, as check returns it (the host sends it back to the engine as the unknown sentinel)."""
    make: Callable[[], Unknown] = Unknown  # the SDK's Unknown() has no annotated __init__
    return make()


def is_unknown(value: Any) -> bool:
    """True if `value` (or anything inside it) is not known yet, as during a preview.

    The host hands `check` and `diff` a `pulumi.output.Unknown` instance wherever the engine sent the sentinel string
    `rpc.UNKNOWN` (it deserializes with `keep_unknowns=True`); both are recognized.
    """
    if _unknown_itself(value):
        return True
    if isinstance(value, dict):
        return any(is_unknown(v) for v in value.values())
    if isinstance(value, (list, tuple)):
        return any(is_unknown(v) for v in value)
    return False


def _unknown_itself(value: Any) -> bool:
    """True if `value` as a whole is unknown (not merely something inside it)."""
    return isinstance(value, Unknown) or (isinstance(value, str) and value == UNKNOWN)


def region_of(solution_arn: str) -> str | None:
    """The region an ARN names (where API calls about it must go), or None if it is not a solution ARN."""
    match = SOLUTION_ARN_RE.fullmatch(solution_arn) if len(solution_arn) <= ARN_MAX else None
    return match["region"] if match else None


def check_inputs(
    olds: dict[str, Any], news: dict[str, Any], default_tags: DefaultTags = NO_DEFAULT_TAGS
) -> tuple[dict[str, Any], list[Failure]]:
    """Checked inputs (defaults filled, numbers normalized, name chosen, `tagsAll` computed from `default_tags` and
    `tags`) and the failures found."""
    failures: list[Failure] = []
    inputs = {key: value for key, value in news.items() if value is not None and key != TAGS_ALL}
    known_keys = set(INPUTS.values()) | {NAME_SCOPE, OWNER_TOKEN, TAGS_ALL, PROVIDER_KEY}
    for key in sorted(set(inputs) - known_keys):
        failures.append(
            Failure(key, f"unknown property {_show(key)}; valid properties: {', '.join(sorted(INPUTS.values()))}")
        )

    # An adopted version was trained already: inputs that only shape a training cannot go with it.
    adopting = "existingVersionArn" in inputs
    conflicts = _check_adoption_conflicts(inputs) if adopting else []
    conflicting = {failure.property for failure in conflicts}
    failures += conflicts

    if not adopting:
        inputs.setdefault("trainingMode", DEFAULT_TRAINING_MODE)
        inputs.setdefault("retrainTriggers", {})
    inputs.setdefault("waitTimeoutMinutes", DEFAULT_WAIT_TIMEOUT_MINUTES)
    inputs.setdefault("tags", {})
    inputs.setdefault("minMetrics", {})
    if "retrainTriggers" in inputs:
        inputs["retrainTriggers"] = normalize_numbers(inputs["retrainTriggers"])

    failures += _check_solution_arn(inputs.get("solutionArn"))
    if "name" not in conflicting:
        failures += _check_name(inputs.get("name"))
    if "trainingMode" not in conflicting:
        failures += _check_training_mode(inputs.get("trainingMode"))
    failures += _check_tags(inputs["tags"])
    tags_all, tags_all_failures = effective_tags(default_tags, inputs["tags"])
    failures += tags_all_failures
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

    if "name" not in inputs and not adopting and not failures:
        inputs["name"] = autoname(olds, inputs)
    return inputs, failures


def autoname(olds: dict[str, Any], inputs: dict[str, Any]) -> str | Unknown:
    """A version name derived only from stable inputs, so a retried `pulumi up` finds the version it started, and no
    other stack's.

    `<resource name>-<8 hex>`, the hash covering project/stack/resource name, the stack's own owner token (see
    owner.py: two stacks with the same names in different backends get different names), solution ARN, training mode
    and retrain triggers. A name from the previous check is kept while none of solution ARN, training mode and
    triggers differ (so neither aliases nor a new owner token rename a version in the stack). While an input of a new
    name is unknown (a preview), so is the name: `Unknown()`, which the host sends back to the engine as the unknown
    sentinel.
    """
    identity = ("solutionArn", "trainingMode", "retrainTriggers")
    old_name = olds.get("name")
    if isinstance(old_name, str) and _is_name(old_name) and all(olds.get(k) == inputs.get(k) for k in identity):
        return old_name
    seeds = (NAME_SCOPE, OWNER_TOKEN, *identity)
    if any(is_unknown(inputs.get(k)) for k in seeds):
        return unknown()
    scope = inputs.get(NAME_SCOPE) or "solution-version"
    seed = json.dumps([scope, *(inputs.get(k) for k in identity)], sort_keys=True, separators=(",", ":"))
    if inputs.get(OWNER_TOKEN):
        seed += "|" + inputs[OWNER_TOKEN]
    digest = hashlib.sha256(seed.encode()).hexdigest()[:AUTONAME_HASH_LENGTH]
    base = re.sub(r"[^a-zA-Z0-9\-_]", "-", scope.rsplit("/", 1)[-1])
    if not base or not base[0].isalnum():
        base = "v" + base
    return f"{base[: NAME_MAX - AUTONAME_HASH_LENGTH - 1]}-{digest}"


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


def _check_solution_arn(value: Any) -> list[Failure]:
    if value is None:
        return [Failure("solutionArn", "solutionArn is required: the ARN of the Personalize solution to train")]
    if _unknown_itself(value):
        return []
    if not isinstance(value, str) or region_of(value) is None:
        hint = ""
        if isinstance(value, str) and SOLUTION_ARN_RE.fullmatch(value.rsplit("/", 1)[0]):
            hint = " (this looks like a solution version ARN; pass the solution's ARN)"
        return [
            Failure("solutionArn", f"solutionArn must be a solution ARN, {SOLUTION_ARN_RULE}; got {_show(value)}{hint}")
        ]
    return []


def _check_name(value: Any) -> list[Failure]:
    if value is None or _unknown_itself(value):
        return []
    if not isinstance(value, str) or not _is_name(value):
        return [Failure("name", f"name must be {NAME_RULE}; got {_show(value)}")]
    return []


def _is_name(value: str) -> bool:
    return 1 <= len(value) <= NAME_MAX and NAME_RE.fullmatch(value) is not None


def _check_training_mode(value: Any) -> list[Failure]:
    if value is None or _unknown_itself(value) or value in TRAINING_MODES:
        return []
    return [Failure("trainingMode", f"trainingMode must be one of {', '.join(TRAINING_MODES)}; got {_show(value)}")]


def _check_tags(value: Any) -> list[Failure]:
    if _unknown_itself(value):
        return []
    if not isinstance(value, dict):
        return [Failure("tags", f"tags must be a map of string keys to string values; got {type(value).__name__}")]
    failures = []
    if len(value) > MAX_TAGS:
        failures.append(
            Failure("tags", f"tags may hold at most {MAX_TAGS} tags (a Personalize limit); got {len(value)}")
        )
    for key, tag_value in value.items():
        failures += [Failure(f"tags.{key}", problem) for problem in _tag_problems(key, tag_value)]
    return failures


def effective_tags(defaults: DefaultTags, tags: Any) -> tuple[dict[str, Any] | Unknown | None, list[Failure]]:
    """`tagsAll`, as pulumi-aws computes it: the stack's default tags overlaid by the declared `tags` (which win), and
    what is wrong with it that `tags` alone does not show (the default tags' own keys and values, the 50-tag limit on
    the whole set). Unknown while `tags` as a whole is; a declared value not known yet is unknown in `tagsAll` too.
    None when there is no effective set to compute (a malformed config, or `tags` not a map)."""
    if defaults.problem is not None:
        return None, [Failure(TAGS_ALL, defaults.problem)]
    failures = [
        Failure(TAGS_ALL, f"{DEFAULT_TAGS_CONFIG}: {problem}")
        for key, value in defaults.tags.items()
        for problem in _tag_problems(key, value)
    ]
    if _unknown_itself(tags):
        merged: dict[str, Any] | Unknown | None = unknown()
        count, declared = len(defaults.tags), "an unknown number"  # at least that many
    elif isinstance(tags, dict):
        merged = {**defaults.tags, **tags}
        count, declared = len(merged), str(len(tags))
    else:
        merged, count, declared = None, 0, ""
    too_many_declared = isinstance(tags, dict) and len(tags) > MAX_TAGS  # fails on `tags` already
    if count > MAX_TAGS and not too_many_declared:
        failures.append(
            Failure(
                TAGS_ALL,
                f"tagsAll (the stack's {DEFAULT_TAGS_CONFIG} overlaid by tags) may hold at most {MAX_TAGS} tags (a "
                f"Personalize limit); got {count}: {len(defaults.tags)} from {DEFAULT_TAGS_CONFIG}, {declared} from tags",
            )
        )
    return merged, failures


def _tag_problems(key: Any, value: Any) -> list[str]:
    """What the service would refuse about one tag (nothing about a key or value not known yet)."""
    if _unknown_itself(key) or _unknown_itself(value):
        return []
    problems, shown = [], _show(key)
    if not isinstance(key, str) or not 1 <= len(key) <= TAG_KEY_MAX or not TAG_RE.fullmatch(key):
        problems.append(f"tag key {shown} must be 1-{TAG_KEY_MAX} characters of {TAG_CHARS}")
    elif is_reserved_tag(key):
        problems.append(f"tag key {shown} starts with 'aws:', which is reserved for AWS")
    if not isinstance(value, str):
        problems.append(f"tag {shown} must have a string value; got {type(value).__name__}")
    elif len(value) > TAG_VALUE_MAX or not TAG_RE.fullmatch(value):
        problems.append(f"tag {shown} value must be 0-{TAG_VALUE_MAX} characters of {TAG_CHARS}")
    return problems


def _check_retrain_triggers(value: Any) -> list[Failure]:
    if _unknown_itself(value):
        return []
    if not isinstance(value, dict):
        return [Failure("retrainTriggers", f"retrainTriggers must be a map (any values); got {type(value).__name__}")]
    path = _non_finite_path(value, "retrainTriggers")
    if path:
        # State is JSON, which has no NaN or infinity; NaN also never equals itself, so it would diff on every run.
        return [Failure("retrainTriggers", f"retrainTriggers values must be JSON: {_cut(path)} is not a finite number")]
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
    if _unknown_itself(value):
        return []
    if not isinstance(value, dict):
        rule = "minMetrics must be a map of metric names to minimum values, e.g. {coverage: 0.2}"
        return [Failure("minMetrics", f"{rule}; got {type(value).__name__}")]
    failures = []
    for metric, minimum in value.items():
        where = f"minMetrics.{metric}"
        if not isinstance(metric, str) or not METRIC_NAME_RE.fullmatch(metric):
            rule = f"{METRIC_NAME_RULE}, as GetSolutionMetrics names them (e.g. precision_at_25)"
            failures.append(Failure(where, f"metric name {_show(metric)} must be {rule}"))
        elif _unknown_itself(minimum):
            continue
        elif isinstance(minimum, bool) or not isinstance(minimum, (int, float)) or not math.isfinite(minimum):
            failures.append(Failure(where, f"{where} must be a finite number (the minimum); got {_show(minimum)}"))
    return failures


def _check_existing_version_arn(value: Any, solution_arn: Any) -> list[Failure]:
    if value is None or _unknown_itself(value):
        return []
    if not isinstance(value, str) or len(value) > ARN_MAX or not VERSION_ARN_RE.fullmatch(value):
        hint = ""
        if isinstance(value, str) and region_of(value):
            hint = " (this is a solution ARN; pass the ARN of one of its versions)"
        rule = f"existingVersionArn must be a solution version ARN, {VERSION_ARN_RULE}"
        return [Failure("existingVersionArn", f"{rule}; got {_show(value)}{hint}")]
    its_solution = value.rsplit("/", 1)[0]
    if isinstance(solution_arn, str) and region_of(solution_arn) and its_solution != solution_arn:
        reason = f"existingVersionArn is a version of {_show(its_solution)}, not of solutionArn {_show(solution_arn)}"
        return [Failure("existingVersionArn", reason)]
    return []


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
    if _unknown_itself(value):
        return []
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value <= 0:
        return [
            Failure(
                "waitTimeoutMinutes",
                f"waitTimeoutMinutes must be a number of minutes greater than 0; got {_show(value)}",
            )
        ]
    return []


def _check_region(value: Any, solution_arn: Any) -> list[Failure]:
    if value is None or _unknown_itself(value):
        return []
    if not isinstance(value, str) or not REGION_RE.fullmatch(value):
        return [Failure("region", f"region must be an AWS region name such as us-east-1; got {_show(value)}")]
    arn_region = region_of(solution_arn) if isinstance(solution_arn, str) else None
    if arn_region and arn_region != value:
        return [
            Failure(
                "region",
                f"region {value!r} contradicts solutionArn, which is in {arn_region!r}; the version trains where its "
                "solution is, so omit region or make them match",
            )
        ]
    return []


def _check_optional_string(key: str, value: Any) -> list[Failure]:
    if value is None or _unknown_itself(value) or (isinstance(value, str) and value):
        return []
    return [Failure(key, f"{key} must be a non-empty string; got {_show(value)}")]


def _show(value: Any) -> str:
    """`repr(value)`, cut to SHOWN_MAX characters: a failure stays one short line even for a megabyte of input."""
    return _cut(repr(value))


def _cut(text: str) -> str:
    return text if len(text) <= SHOWN_MAX else f"{text[:SHOWN_MAX]}... ({len(text)} characters)"
