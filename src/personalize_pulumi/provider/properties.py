"""The SolutionVersion resource's property names and defaults: the one place Python names map to state keys.

Python arguments are snake_case; state keys are camelCase like every Pulumi AWS resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, Literal, TypeVar, get_args, overload

import pulumi

RESOURCE_MODULE = "personalize"
RESOURCE_NAME = "SolutionVersion"
TYPE_TOKEN = f"pulumi-python:dynamic/{RESOURCE_MODULE}:{RESOURCE_NAME}"
"""Part of every URN: `pulumi.dynamic.Resource` builds it from the module and name the resource class declares."""
OWNER_RESOURCE_NAME = "TrainingOwner"
OWNER_TYPE_TOKEN = f"pulumi-python:dynamic/{RESOURCE_MODULE}:{OWNER_RESOURCE_NAME}"
"""The type of each SolutionVersion's `<name>-owner` resource (owner.py)."""

# Inputs: Python argument name -> state key.
INPUTS = {
    "solution_arn": "solutionArn",
    "name": "name",
    "training_mode": "trainingMode",
    "tags": "tags",
    "retrain_triggers": "retrainTriggers",
    "wait_timeout_minutes": "waitTimeoutMinutes",
    "region": "region",
    "profile": "profile",
    "min_metrics": "minMetrics",
    "existing_version_arn": "existingVersionArn",
}
# Set by the resource class, not by users: `project/stack/resource-name`, the seed of the autoname.
NAME_SCOPE = "nameScope"
# Set by the resource class, not by users: the random token of the resource's `<name>-owner` (owner.py), also a seed
# of the autoname, so that stacks of the same names in different backends never share a version.
OWNER_TOKEN = "ownerToken"
# Set by the resource class, not by users: when that token was created (ISO 8601). No version this resource trained is
# older, which bounds the search for the training an interrupted `pulumi up` started.
OWNER_CREATED_AT = "ownerCreatedAt"
# The inputs a `<name>-owner` keeps (the engine records them on every `up`), so that destroying it can find and stop
# a training an interrupted `up` started and the stack never recorded: the version's name and where it trains.
OWNER_IDENTITY = ("solutionArn", "name", "trainingMode", "retrainTriggers", "region", "profile", NAME_SCOPE)

T = TypeVar("T")


class StateKey(Generic[T]):
    """A typed attribute of the resource that reads the state key `key` (the engine sets state keys as attributes)."""

    def __init__(self, key: str):
        self.key = key

    @overload
    def __get__(self, resource: None, owner: type) -> StateKey[T]: ...
    @overload
    def __get__(self, resource: object, owner: type) -> pulumi.Output[T]: ...
    def __get__(self, resource: object | None, owner: type) -> Any:
        return self if resource is None else resource.__dict__[self.key]


class SolutionVersionState:
    """The resource's outputs, declared once: a typed Python attribute for each state key (the table OUTPUTS and the
    resource class both derive from it)."""

    solution_version_arn: StateKey[str] = StateKey("solutionVersionArn")
    """ARN of the trained version (also the resource's id)."""
    version_name: StateKey[str] = StateKey("versionName")
    """Name of the attempt this resource trained: `name`, or `name-2`, `name-3`, ... after failed or stopped ones."""
    status: StateKey[str] = StateKey("status")
    """ACTIVE after a successful `up`; a refresh may find CREATE FAILED or CREATE STOPPED (the next `up` retrains)."""
    failure_reason: StateKey[str | None] = StateKey("failureReason")
    """Why the training failed, if it did (seen after a refresh)."""
    training_type: StateKey[str] = StateKey("trainingType")
    """MANUAL for versions this resource trains (AUTOMATIC ones come from the solution's automatic training)."""
    training_hours: StateKey[float] = StateKey("trainingHours")
    """Billed training hours, reported once the version is ACTIVE."""
    recipe_arn: StateKey[str] = StateKey("recipeArn")
    """Recipe the solution trains with."""
    dataset_group_arn: StateKey[str] = StateKey("datasetGroupArn")
    """Dataset group of the solution."""
    creation_date_time: StateKey[str] = StateKey("creationDateTime")
    """When the training started (ISO 8601)."""
    last_updated_date_time: StateKey[str] = StateKey("lastUpdatedDateTime")
    """When the status last changed (ISO 8601)."""
    tags_all: StateKey[dict[str, str]] = StateKey("tagsAll")
    """The effective tags, as pulumi-aws's `tagsAll`: the stack's `aws:defaultTags` overlaid by `tags` (the resource's
    win). After `pulumi refresh`, every tag the service reports (except AWS's own `aws:` ones), so tags changed outside
    the stack show up in the next preview as an update back."""
    metrics: StateKey[dict[str, float]] = StateKey("metrics")
    """GetSolutionMetrics of the ACTIVE version, e.g. precision_at_25, normalized_discounted_cumulative_gain_at_10."""
    # Inputs echoed in the state.
    solution_arn: StateKey[str] = StateKey("solutionArn")
    """ARN of the solution the version belongs to."""
    training_mode: StateKey[str] = StateKey("trainingMode")
    """FULL, UPDATE or AUTOTRAIN, as the service reports it."""
    tags: StateKey[dict[str, str]] = StateKey("tags")
    """The tags this resource declares (without the stack's `aws:defaultTags`; `tags_all` has the effective set)."""
    min_metrics: StateKey[dict[str, float]] = StateKey("minMetrics")
    """The quality gate the version passed: metric name -> minimum."""
    existing_version_arn: StateKey[str | None] = StateKey("existingVersionArn")
    """The version this resource adopted instead of training one, if any."""


TAGS_ALL = SolutionVersionState.tags_all.key
"""An output, and also a checked input: `check` computes it from `aws:defaultTags` and `tags`, so previews show it."""
DEFAULT_TAGS_CONFIG = "aws:defaultTags"
"""The stack config pulumi-aws reads for its default tags (`{tags: {key: value}}`); `configure` receives it."""

# Outputs read from the service: Python attribute name -> state key.
OUTPUTS = {
    name: attribute.key
    for name, attribute in vars(SolutionVersionState).items()
    if isinstance(attribute, StateKey) and attribute.key not in INPUTS.values()
}

TrainingMode = Literal["FULL", "UPDATE", "AUTOTRAIN"]
"""CreateSolutionVersion's trainingMode values: type checkers and IDEs offer them, and report a typo."""
TRAINING_MODES: tuple[str, ...] = get_args(TrainingMode)
DEFAULT_TRAINING_MODE: TrainingMode = "FULL"
DEFAULT_WAIT_TIMEOUT_MINUTES = 720.0
"""Twelve hours: real trainings take from ~20 minutes to many hours (about 6 h for 25 M interactions)."""

# Changing one of these trains (or adopts) a new version (replacement, create-before-delete).
REPLACE_ON_CHANGE = ("solutionArn", "name", "trainingMode", "retrainTriggers", "existingVersionArn")
# What identifies an adopted version (`existingVersionArn` set): name, training mode and triggers are the service's.
ADOPTED_IDENTITY = ("solutionArn", "existingVersionArn")
# Inputs that only shape the training; they cannot be combined with `existingVersionArn`.
TRAINING_ONLY = ("name", "trainingMode", "retrainTriggers")
# Changing these is applied in place. `tags` alone changes nothing on the service (the effective set `tagsAll` is what
# update applies). `minMetrics` is not part of the version's identity: a change re-judges the version already in the
# stack and changes nothing on the service.
UPDATE_IN_PLACE = ("tags", TAGS_ALL, "minMetrics")
# Operational inputs: they change how the provider works, never the version itself. A change is an update that only
# stores them (so refresh and destroy use the current values) and calls nothing on the service.
OPERATIONAL = ("waitTimeoutMinutes", "region", "profile")

# Solution version statuses, as the API spells them (with spaces).
PENDING = "CREATE PENDING"
IN_PROGRESS = "CREATE IN_PROGRESS"
ACTIVE = "ACTIVE"
FAILED = "CREATE FAILED"
STOPPING = "CREATE STOPPING"
STOPPED = "CREATE STOPPED"
TRAINING = (PENDING, IN_PROGRESS)
ENDED_UNTRAINED = (FAILED, STOPPING, STOPPED)
"""A version in one of these will never be ACTIVE: the next create starts the next attempt."""


@dataclass(frozen=True)
class Default:
    """What an input is when a program leaves it out: `text` for the docs; `value`, what check fills in (None:
    nothing, the input stays absent)."""

    text: str
    value: Any = None


DEFAULTS: dict[str, Default] = {
    "solutionArn": Default("required"),
    "name": Default(
        "`<resource name>-<8 hex>`: a hash of project, stack and resource name, the owner token, solution ARN, training "
        "mode and retrain triggers"
    ),
    "trainingMode": Default(f"`{DEFAULT_TRAINING_MODE}`", DEFAULT_TRAINING_MODE),
    "tags": Default("`{}`", {}),
    "retrainTriggers": Default("`{}`", {}),
    "waitTimeoutMinutes": Default(f"`{DEFAULT_WAIT_TIMEOUT_MINUTES:g}` (12 hours)", DEFAULT_WAIT_TIMEOUT_MINUTES),
    "region": Default("the solution ARN's region (must agree with it)"),
    "profile": Default("the stack's `aws:profile`, then the standard AWS credential chain"),
    "minMetrics": Default("`{}` (no gate)", {}),
    "existingVersionArn": Default("none: the resource trains its own version"),
}
"""Every input's default, keyed by state key (tests/distribution/test_docs.py fails for an input without one)."""

MAX_TAGS = 50
"""Tags per resource that Personalize allows (the request list allows 200)."""
RESERVED_TAG_PREFIX = "aws:"


def is_reserved_tag(key: str) -> bool:
    """Keys AWS reserves for itself (in any case): the stack never declares, changes or removes them."""
    return key.lower().startswith(RESERVED_TAG_PREFIX)
