"""The SolutionVersion resource's property names and defaults: the one place Python names map to state keys.

Python arguments are snake_case; state keys are camelCase like every Pulumi AWS resource.
"""

from __future__ import annotations

import textwrap
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

# Set by the resource class, not by users: `project/stack/resource-name`, the seed of the autoname.
NAME_SCOPE = "nameScope"
# Set by the resource class, not by users: the random token of the resource's `<name>-owner` (owner.py), also a seed
# of the autoname, so that stacks of the same names in different backends never share a version.
OWNER_TOKEN = "ownerToken"
# Set by the resource class, not by users: when that token was created, by the service's clock (ISO 8601; None if not
# known). No version this resource trained is older, which bounds the cost of the search for its attempts.
OWNER_CREATED_AT = "ownerCreatedAt"
# The inputs a `<name>-owner` keeps (the engine records them on every `up`), so that destroying it can find and stop
# a training an interrupted `up` started and the stack never recorded: the version's name and where it trains.
OWNER_IDENTITY = ("solutionArn", "name", "trainingMode", "retrainTriggers", "region", "profile", NAME_SCOPE)

T = TypeVar("T")


class StateKey(Generic[T]):
    """A typed attribute of the resource that reads the state key `key` (the engine sets state keys as attributes).
    `described`: the DescribeSolutionVersion field the output copies, if it is one (outputs.py builds them from it)."""

    def __init__(self, key: str, described: str | None = None):
        self.key = key
        self.described = described

    @overload
    def __get__(self, resource: None, owner: type) -> StateKey[T]: ...
    @overload
    def __get__(self, resource: object, owner: type) -> pulumi.Output[T]: ...
    def __get__(self, resource: object | None, owner: type) -> Any:
        return self if resource is None else resource.__dict__[self.key]


class SolutionVersionState:
    """The resource's outputs, declared once: a typed Python attribute for each state key (the table OUTPUTS and the
    resource class both derive from it)."""

    solution_version_arn: StateKey[str] = StateKey("solutionVersionArn", described="solutionVersionArn")
    """ARN of the trained version (also the resource's id)."""
    version_name: StateKey[str] = StateKey("versionName", described="name")
    """Name of the attempt this resource trained: `name`, or `name-2`, `name-3`, ... after failed or stopped ones."""
    status: StateKey[str] = StateKey("status", described="status")
    """ACTIVE after a successful `up`; a refresh may find CREATE FAILED or CREATE STOPPED (the next `up` retrains)."""
    failure_reason: StateKey[str | None] = StateKey("failureReason", described="failureReason")
    """Why the training failed, if it did (seen after a refresh)."""
    training_type: StateKey[str] = StateKey("trainingType", described="trainingType")
    """MANUAL for versions this resource trains (AUTOMATIC ones come from the solution's automatic training)."""
    training_hours: StateKey[float] = StateKey("trainingHours", described="trainingHours")
    """Billed training hours, reported once the version is ACTIVE."""
    recipe_arn: StateKey[str] = StateKey("recipeArn", described="recipeArn")
    """Recipe the solution trains with."""
    dataset_group_arn: StateKey[str] = StateKey("datasetGroupArn", described="datasetGroupArn")
    """Dataset group of the solution."""
    creation_date_time: StateKey[str] = StateKey("creationDateTime", described="creationDateTime")
    """When the training started (ISO 8601)."""
    last_updated_date_time: StateKey[str] = StateKey("lastUpdatedDateTime", described="lastUpdatedDateTime")
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


TrainingMode = Literal["FULL", "UPDATE", "AUTOTRAIN"]
"""CreateSolutionVersion's trainingMode values: type checkers and IDEs offer them, and report a typo."""
TRAINING_MODES: tuple[str, ...] = get_args(TrainingMode)
DEFAULT_TRAINING_MODE: TrainingMode = "FULL"
DEFAULT_WAIT_TIMEOUT_MINUTES = 720.0
"""Twelve hours: real trainings take from ~20 minutes to many hours (about 6 h for 25 M interactions)."""

Change = Literal["replace", "update", "gate", "operational"]
"""What a change of an input means: `replace` trains (or adopts) a new version, create-before-delete; `update` is
applied in place; `gate` judges the version in the stack again (reading metrics only); `operational` is stored with no
AWS call (it changes how the provider works, never the version, so refresh and destroy use the current value)."""


@dataclass(frozen=True)
class Default:
    """What an input is when a program leaves it out: `text` for the docs; `value`, what check fills in (None:
    nothing, the input stays absent)."""

    text: str
    value: Any = None


ValueType = Literal["string", "number", "string-map", "number-map", "any-map"]
"""What an input or output holds, as the package schema (plugin/schema.py) and the SDKs generated from it type it."""


@dataclass(frozen=True)
class Input:
    """One input of SolutionVersion, declared once: the name maps, the change classes, the autoname identity, the
    defaults check fills in, the Args' parameter docs and the docs reference all derive from these."""

    python: str
    """The argument of `SolutionVersionArgs` (snake_case)."""
    key: str
    """The state key (camelCase, as every Pulumi AWS resource)."""
    change: Change
    default: Default
    doc: str
    type: ValueType
    """The parameter's doc line(s), as `SolutionVersionArgs` and the reference show them."""
    names_version: bool = False
    """Part of the derived name's identity: a change also changes a derived name (naming.autoname)."""


SOLUTION_VERSION_INPUTS: tuple[Input, ...] = (
    Input(
        "solution_arn",
        "solutionArn",
        "replace",
        Default("required"),
        doc=(
            "ARN of the Personalize solution to train; it must exist, and `create` waits for it to become ACTIVE."
            " Changing it trains a new version (replace)."
        ),
        names_version=True,
        type="string",
    ),
    Input(
        "name",
        "name",
        "replace",
        Default(
            "`<resource name>-<8 hex>`: a hash of project, stack and resource name, the owner token, solution ARN, "
            "training mode and retrain triggers"
        ),
        doc=(
            "Name of the version, 1-63 characters of letters, digits, '-' and '_'. Default: the resource name "
            "plus a hash of the stack's names, its owner token, the solution ARN, training mode and retrain "
            "triggers, so a retried `pulumi up` finds the version an interrupted one started. After a failed or "
            "stopped training the next attempt is named `<name>-2`, `-3`, ... (output `version_name`). Changing "
            "it trains a new version."
        ),
        type="string",
    ),
    Input(
        "training_mode",
        "trainingMode",
        "replace",
        Default(f"`{DEFAULT_TRAINING_MODE}`", DEFAULT_TRAINING_MODE),
        doc=(
            "FULL (default: train on all data), UPDATE (incremental, needs an ACTIVE FULL version and the "
            "User-Personalization or HRNN-Coldstart recipe; Personalize then stops its automatic updates for that"
            " version) or AUTOTRAIN. Changing it trains a new version."
        ),
        names_version=True,
        type="string",
    ),
    Input(
        "tags",
        "tags",
        "update",
        Default("`{}`", {}),
        doc=(
            "Tags of the version; keys must not start with `aws:`. The version gets the stack's `aws:defaultTags`"
            " overlaid by these (these win on conflicts; at most 49 in all: Personalize allows 50, one is the provider's ownership marker), as pulumi-aws resources do: output "
            "`tags_all`. Changes, and changes of `aws:defaultTags`, apply in place."
        ),
        type="string-map",
    ),
    Input(
        "retrain_triggers",
        "retrainTriggers",
        "replace",
        Default("`{}`", {}),
        doc=("Any values; changing one trains a new version (e.g. a dataset import job ARN)."),
        names_version=True,
        type="any-map",
    ),
    Input(
        "wait_timeout_minutes",
        "waitTimeoutMinutes",
        "operational",
        Default(f"`{DEFAULT_WAIT_TIMEOUT_MINUTES:g}` (12 hours)", DEFAULT_WAIT_TIMEOUT_MINUTES),
        doc=(
            "How long `create` waits for ACTIVE before failing (default 720, i.e. 12 hours). The engine ignores "
            "customTimeouts for dynamic resources, so this is the wait budget. A training still running when it "
            "runs out continues; the next `pulumi up` adopts it."
        ),
        type="number",
    ),
    Input(
        "region",
        "region",
        "operational",
        Default("the solution ARN's region (must agree with it)"),
        doc=("AWS region of the calls; default, and must equal, the solution ARN's region."),
        type="string",
    ),
    Input(
        "profile",
        "profile",
        "operational",
        Default("the stack's `aws:profile`, then the standard AWS credential chain"),
        doc=(
            "AWS shared-config profile for the calls; default the stack's `aws:profile`, then the standard "
            "credential chain."
        ),
        type="string",
    ),
    Input(
        "min_metrics",
        "minMetrics",
        "gate",
        Default("`{}` (no gate)", {}),
        doc=(
            "A quality gate: GetSolutionMetrics names (`[a-z0-9_]+`) mapped to minimum values, e.g. "
            '`{"precision_at_25": 0.2}`. Once the version is ACTIVE, a metric below its minimum (or not reported)'
            " fails the create with one line naming it; the version stays in Personalize, out of the stack (a "
            "retrain that fails leaves the previous version in the stack). Not part of the version's identity: a "
            "change re-judges the version already in the stack on update, changing nothing on the service."
        ),
        type="number-map",
    ),
    Input(
        "existing_version_arn",
        "existingVersionArn",
        "replace",
        Default("none: the resource trains its own version"),
        doc=(
            "Adopt this existing version of `solution_arn` (trained by hand, or by the solution's automatic "
            "training) instead of training one: create waits for it if it is still training, judges it against "
            "`min_metrics`, gives it `tags`, and never calls CreateSolutionVersion. Cannot be combined with "
            "`name`, `training_mode` or `retrain_triggers`. Changing it replaces the resource. (The package's "
            "resource can also be given a version with `pulumi import`; the Python dynamic resource cannot, "
            "pulumi/pulumi#16175.)"
        ),
        type="string",
    ),
)
"""Every input of SolutionVersion, in the order of `SolutionVersionArgs`' parameters (tests/distribution/test_docs.py
checks both, and that each has a doc and a default)."""

INPUTS = {i.python: i.key for i in SOLUTION_VERSION_INPUTS}
"""Python argument name -> state key."""
DEFAULTS = {i.key: i.default for i in SOLUTION_VERSION_INPUTS}
REPLACE_ON_CHANGE = tuple(i.key for i in SOLUTION_VERSION_INPUTS if i.change == "replace")
NAME_IDENTITY = tuple(i.key for i in SOLUTION_VERSION_INPUTS if i.names_version)
"""The inputs a derived name hashes (with the stack's names and the owner token)."""
IDENTITY_CAUSES = (*NAME_IDENTITY, "existingVersionArn")
"""Inputs whose change also changes a derived name, or replaces an adopted version: a reviewer's line names them, not
`name`."""
# `tags` alone changes nothing on the service: the effective set `tagsAll`, computed by check, is what update applies.
UPDATE_IN_PLACE = tuple(
    key
    for i in SOLUTION_VERSION_INPUTS
    if i.change in ("update", "gate")
    for key in ((i.key, TAGS_ALL) if i.key == "tags" else (i.key,))
)
OPERATIONAL = tuple(i.key for i in SOLUTION_VERSION_INPUTS if i.change == "operational")
# Outputs read from the service: Python attribute name -> state key.
OUTPUTS = {
    name: attribute.key
    for name, attribute in vars(SolutionVersionState).items()
    if isinstance(attribute, StateKey) and attribute.key not in INPUTS.values()
}
DESCRIBED_OUTPUTS = {
    attribute.key: attribute.described
    for attribute in vars(SolutionVersionState).values()
    if isinstance(attribute, StateKey) and attribute.described is not None
}
"""Outputs copied from DescribeSolutionVersion: state key -> the field it copies."""
# What identifies an adopted version (`existingVersionArn` set): name, training mode and triggers are the service's.
ADOPTED_IDENTITY = ("solutionArn", "existingVersionArn")
# Inputs that only shape the training; they cannot be combined with `existingVersionArn`.
TRAINING_ONLY = ("name", "trainingMode", "retrainTriggers")


def args_doc(inputs: tuple[Input, ...], own: dict[str, str] | None = None, order: tuple[str, ...] = ()) -> str:
    """`:param name: doc` lines for an Args class: each input's declared doc, or `own[name]` where an Args class means
    something else by it; in `order` (default: the inputs' own)."""
    docs = {i.python: i.doc for i in inputs} | (own or {})
    lines = []
    for name in order or tuple(docs):
        lines.append(textwrap.fill(f":param {name}: {docs[name]}", width=116, subsequent_indent="    "))
    return "\n".join(lines)


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


MAX_TAGS = 50
"""Tags per resource that Personalize allows (the request list allows 200)."""
RESERVED_TAG_PREFIX = "aws:"


def is_reserved_tag(key: str) -> bool:
    """Keys AWS reserves for itself (in any case): the stack never declares, changes or removes them."""
    return key.lower().startswith(RESERVED_TAG_PREFIX)


PROVIDER_KEY = "__provider"
"""The state key the SDK stores the pickled provider under."""
STATE_PATH = "personalize_pulumi.provider.solution_version.SolutionVersionProvider"
"""What every SolutionVersion's state records as its provider's class; it never changes
(tests/provider/test_serialization.py)."""
