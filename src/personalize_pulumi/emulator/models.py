"""Amazon Personalize resources and their backend, in moto's layout (one backend per account and region).

Extends moto's own Personalize backend (which has schemas only) with dataset groups, solutions and solution versions.
The backend's methods take the API's parameters as keyword arguments (`responses.py` maps the JSON names). Statuses
move through moto's state manager (`state.py`): with time by default, or by moto's `manual` and `immediate`
progressions; the Describe calls advance them, as moto's backends do. Whether CreateSolutionVersion refuses a name
already used in the solution is a switch (`settings.py`): no source confirms that the service does. So are the
service's clock (`clockOffsetSeconds`, applied by `timing.utcnow`) and how long a new version stays out of
ListSolutionVersions (`listingLagSeconds`).
"""

from __future__ import annotations

import functools
import hashlib
import random
import threading
from collections.abc import Callable
from datetime import timedelta
from typing import Any, TypeVar

from moto.core.base_backend import BackendDict
from moto.core.common_models import BaseModel
from moto.core.exceptions import InvalidToken
from moto.personalize.models import PersonalizeBackend
from moto.utilities.paginator import paginate
from moto.utilities.tagging_service import TaggingService

from . import defaults
from .exceptions import (
    InvalidInputException,
    InvalidNextTokenException,
    LimitExceededException,
    ResourceAlreadyExistsException,
    ResourceInUseException,
    ResourceNotFoundException,
    TooManyTagKeysException,
    TooManyTagsException,
)
from .settings import settings
from .timing import (
    DATASET_GROUP_MODEL,
    SOLUTION_MODEL,
    SOLUTION_VERSION_MODEL,
    TimedState,
    Transitions,
    epoch_seconds,
    machine_now,
    utcnow,
)

PENDING = "CREATE PENDING"
IN_PROGRESS = "CREATE IN_PROGRESS"
ACTIVE = "ACTIVE"
FAILED = "CREATE FAILED"
STOPPING = "CREATE STOPPING"
STOPPED = "CREATE STOPPED"
TRAINING = (PENDING, IN_PROGRESS)
SETUP_PATH: Transitions = [(PENDING, IN_PROGRESS), (IN_PROGRESS, ACTIVE)]

Tags = list[dict[str, str]]

# The emulator states the service's facts itself (statuses, the tag limit, reserved `aws:` keys), apart from the
# provider's own copies in personalize_pulumi.provider.properties: it stands for the service the provider is tested
# against, so a mistake in the provider's copy must not be mirrored here.
MAX_TAGS = 50
MAX_TRAININGS_PER_REGION = 20
# Only these recipes support incremental (trainingMode=UPDATE) training.
INCREMENTAL_RECIPES = ("aws-user-personalization", "aws-hrnn-coldstart")
KNOWN_RECIPES = (
    "aws-user-personalization",
    "aws-user-personalization-v2",
    "aws-hrnn-coldstart",
    "aws-hrnn",
    "aws-hrnn-metadata",
    "aws-personalized-ranking",
    "aws-personalized-ranking-v2",
    "aws-popularity-count",
    "aws-trending-now",
    "aws-similar-items",
    "aws-sims",
    "aws-next-best-action",
    "aws-item-attribute-affinity",
    "aws-item-attribute-affinity-v2",
)
METRIC_NAMES = (
    "coverage",
    "mean_reciprocal_rank_at_25",
    "normalized_discounted_cumulative_gain_at_5",
    "normalized_discounted_cumulative_gain_at_10",
    "normalized_discounted_cumulative_gain_at_25",
    "precision_at_5",
    "precision_at_10",
    "precision_at_25",
)

T = TypeVar("T")
R = TypeVar("R", "DatasetGroup", "Solution", "SolutionVersion")

PAGINATION_MODEL = {
    "list_solutions": {
        "input_token": "next_token",
        "limit_key": "max_results",
        "limit_default": 100,
        "unique_attribute": "arn",
    },
    "list_solution_versions": {
        "input_token": "next_token",
        "limit_key": "max_results",
        "limit_default": 100,
        "unique_attribute": "arn",
    },
}


Page = tuple[list[T], str | None]
"""One page of a List call: the items and the next token (None on the last page)."""


def paginate_with_next_token_errors(method: Callable[..., list[T]]) -> Callable[..., Page[T]]:
    """moto's `@paginate`: the method also takes `next_token` and `max_results`, and returns a `Page`. Every bad
    `nextToken` is answered with InvalidNextTokenException.

    moto's paginator raises its own `InvalidToken` (a code Personalize does not have) for a token issued for other
    parameters (e.g. another solutionArn) or one whose next item was deleted since; its `fail_on_invalid_token` option
    covers only undecodable tokens.
    """
    paginated: Callable[..., Page[T]] = paginate(pagination_model=PAGINATION_MODEL)(method)

    @functools.wraps(method)
    def wrapper(*args: Any, **kwargs: Any) -> Page[T]:
        try:
            return paginated(*args, **kwargs)
        except InvalidToken:
            raise InvalidNextTokenException(f"The token is not valid: {kwargs.get('next_token')}") from None

    return wrapper


def _without_none(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not None}


def _found(table: dict[str, R], arn: str) -> R:
    """`table[arn]`, or the service's ResourceNotFoundException."""
    if arn not in table:
        raise ResourceNotFoundException(arn)
    return table[arn]


class DatasetGroup(BaseModel):
    def __init__(
        self,
        arn: str,
        name: str,
        role_arn: str | None = None,
        kms_key_arn: str | None = None,
        domain: str | None = None,
    ):
        self.name = name
        self.arn = arn
        self.role_arn = role_arn
        self.kms_key_arn = kms_key_arn
        self.domain = domain
        self.created = utcnow()
        self.state = TimedState(DATASET_GROUP_MODEL, SETUP_PATH)

    def to_dict(self) -> dict[str, Any]:
        return _without_none(
            {
                "name": self.name,
                "datasetGroupArn": self.arn,
                "status": self.state.status,
                "creationDateTime": epoch_seconds(self.created),
                "lastUpdatedDateTime": epoch_seconds(self.state.changed_at),
                "roleArn": self.role_arn,
                "kmsKeyArn": self.kms_key_arn,
                "domain": self.domain,
            }
        )


class Solution(BaseModel):
    def __init__(
        self,
        arn: str,
        name: str,
        dataset_group_arn: str,
        recipe_arn: str | None = None,
        perform_hpo: bool = False,
        perform_automl: bool = False,
        perform_auto_training: bool = True,
        perform_incremental_update: bool = False,
        event_type: str | None = None,
        solution_config: dict[str, Any] | None = None,
    ):
        self.name = name
        self.arn = arn
        self.dataset_group_arn = dataset_group_arn
        self.recipe_arn = recipe_arn
        self.perform_hpo = perform_hpo
        self.perform_automl = perform_automl
        self.perform_auto_training = perform_auto_training
        self.perform_incremental_update = perform_incremental_update
        self.event_type = event_type
        self.solution_config = solution_config
        self.created = utcnow()
        self.state = TimedState(SOLUTION_MODEL, SETUP_PATH)
        self.versions: dict[str, SolutionVersion] = {}

    @property
    def recipe_name(self) -> str:
        return (self.recipe_arn or "").rsplit("/", 1)[-1]

    def summary(self) -> dict[str, Any]:
        return _without_none(
            {
                "name": self.name,
                "solutionArn": self.arn,
                "status": self.state.status,
                "creationDateTime": epoch_seconds(self.created),
                "lastUpdatedDateTime": epoch_seconds(self.state.changed_at),
                "recipeArn": self.recipe_arn,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        data = self.summary()
        data.update(
            performHPO=self.perform_hpo,
            performAutoML=self.perform_automl,
            performAutoTraining=self.perform_auto_training,
            performIncrementalUpdate=self.perform_incremental_update,
            datasetGroupArn=self.dataset_group_arn,
        )
        data.update(_without_none({"eventType": self.event_type, "solutionConfig": self.solution_config}))
        if self.versions:  # every version, at once: only ListSolutionVersions lags (`listingLagSeconds`)
            latest = max(self.versions.values(), key=lambda v: v.created_on_machine)
            data["latestSolutionVersion"] = latest.summary()
        return data


class SolutionVersion(BaseModel):
    def __init__(self, solution: Solution, name: str | None, training_mode: str, training_type: str = "MANUAL"):
        self.solution = solution
        self.name = name
        self.arn = f"{solution.arn}/{random.getrandbits(32):08x}"
        self.training_mode = training_mode
        self.training_type = training_type
        """MANUAL (CreateSolutionVersion) or AUTOMATIC (the solution's automatic training)."""
        self.created = utcnow()
        self.created_on_machine = machine_now()
        """When it was created on the machine's clock, which the offset does not move: for the versions' order, the
        listing lag and trainingHours."""
        self.failure_reason: str | None = None
        self.state = TimedState(SOLUTION_VERSION_MODEL, [(PENDING, IN_PROGRESS), (IN_PROGRESS, ACTIVE)])

    @property
    def status(self) -> str:
        return self.state.status

    def listed(self) -> bool:
        """Whether ListSolutionVersions shows it yet: created at least `listingLagSeconds` ago."""
        age = machine_now() - self.created_on_machine
        return age >= timedelta(seconds=settings.current.listing_lag_seconds)

    def fail_training(self, reason: str) -> None:
        """End this training in CREATE FAILED with `reason` instead of ACTIVE, on the same schedule."""
        self.failure_reason = reason
        self.state.follow([(PENDING, IN_PROGRESS), (IN_PROGRESS, FAILED)], restart_clock=False)

    def stop(self) -> None:
        """CREATE PENDING stops at once; CREATE IN_PROGRESS goes through CREATE STOPPING."""
        status = self.status
        if status == PENDING:
            self.state.status = STOPPED
        elif status == IN_PROGRESS:
            self.state.status = STOPPING
            self.state.follow([(STOPPING, STOPPED)])
        else:
            raise ResourceInUseException(
                f"Solution version {self.arn} is in status {status}; only a version in CREATE PENDING or "
                "CREATE IN_PROGRESS can be stopped."
            )

    def metrics(self) -> dict[str, float]:
        # Deterministic per version, so repeated reads agree.
        seed = int(hashlib.sha256(self.arn.encode()).hexdigest()[:8], 16)
        rng = random.Random(seed)
        return {name: round(rng.uniform(*defaults.METRIC_RANGE), 4) for name in METRIC_NAMES}

    def summary(self) -> dict[str, Any]:
        status = self.status  # read once: every field below describes the same moment
        data = {
            "solutionVersionArn": self.arn,
            "status": status,
            "trainingMode": self.training_mode,
            "trainingType": self.training_type,
            "creationDateTime": epoch_seconds(self.created),
            "lastUpdatedDateTime": epoch_seconds(self.state.changed_at),
        }
        if status == FAILED:
            data["failureReason"] = self.failure_reason
        return data

    def to_dict(self) -> dict[str, Any]:
        data = self.summary()
        solution = self.solution
        data.update(
            solutionArn=solution.arn,
            performHPO=solution.perform_hpo,
            performAutoML=solution.perform_automl,
            performIncrementalUpdate=solution.perform_incremental_update,
            datasetGroupArn=solution.dataset_group_arn,
        )
        training_hours = None
        if data["status"] == ACTIVE:
            trained = self.state.changed_on_machine - self.created_on_machine
            training_hours = round(trained.total_seconds() / 3600, 6)
        data.update(
            _without_none(
                {
                    "name": self.name,
                    "recipeArn": solution.recipe_arn,
                    "eventType": solution.event_type,
                    "solutionConfig": solution.solution_config,
                    "trainingHours": training_hours,
                }
            )
        )
        return data


_CREATES = threading.RLock()
"""The server answers on a thread per request: a create checks a rule (a name not taken, the quota of trainings) and
then adds the resource, which two creates at once must not interleave (the service refuses a taken name however close
together the calls come)."""

F = TypeVar("F", bound=Callable[..., Any])


def _one_at_a_time(create: F) -> F:
    @functools.wraps(create)
    def serialized(*args: Any, **kwargs: Any) -> Any:
        with _CREATES:
            return create(*args, **kwargs)

    return serialized  # type: ignore[return-value]


class PersonalizeEmulatorBackend(PersonalizeBackend):
    """moto's Personalize backend plus the dataset group, solution and solution version operations."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.dataset_groups: dict[str, DatasetGroup] = {}
        self.solutions: dict[str, Solution] = {}
        self.tagger = TaggingService(tag_name="tags", key_name="tagKey", value_name="tagValue")

    # Dataset groups

    @_one_at_a_time
    def create_dataset_group(
        self,
        name: str,
        role_arn: str | None = None,
        kms_key_arn: str | None = None,
        domain: str | None = None,
        tags: Tags | None = None,
    ) -> DatasetGroup:
        if any(g.name == name for g in self.dataset_groups.values()):
            raise ResourceAlreadyExistsException(f"Dataset group {name} already exists.")
        self._check_new_tags(tags)
        group = DatasetGroup(self._arn("dataset-group", name), name, role_arn, kms_key_arn, domain)
        return self._added(self.dataset_groups, group, tags)

    def describe_dataset_group(self, dataset_group_arn: str) -> DatasetGroup:
        group = self._dataset_group(dataset_group_arn)
        group.state.advance()
        return group

    # Solutions

    @_one_at_a_time
    def create_solution(
        self,
        name: str,
        dataset_group_arn: str,
        recipe_arn: str | None = None,
        perform_hpo: bool = False,
        perform_automl: bool = False,
        perform_auto_training: bool = True,
        perform_incremental_update: bool = False,
        event_type: str | None = None,
        solution_config: dict[str, Any] | None = None,
        tags: Tags | None = None,
    ) -> Solution:
        group = self._dataset_group(dataset_group_arn)
        if group.state.status != ACTIVE:
            raise ResourceInUseException(f"Dataset group {group.arn} is not ACTIVE (status {group.state.status}).")
        if any(s.name == name for s in self.solutions.values()):
            raise ResourceAlreadyExistsException(f"Solution {name} already exists.")
        if not recipe_arn and not perform_automl:
            raise InvalidInputException("Provide a recipeArn, or set performAutoML to true.")
        if recipe_arn and recipe_arn.rsplit("/", 1)[-1] not in KNOWN_RECIPES:
            raise ResourceNotFoundException(recipe_arn)
        self._check_new_tags(tags)
        solution = Solution(
            self._arn("solution", name),
            name,
            dataset_group_arn=dataset_group_arn,
            recipe_arn=recipe_arn,
            perform_hpo=perform_hpo,
            perform_automl=perform_automl,
            perform_auto_training=perform_auto_training,
            perform_incremental_update=perform_incremental_update,
            event_type=event_type,
            solution_config=solution_config,
        )
        return self._added(self.solutions, solution, tags)

    def describe_solution(self, solution_arn: str) -> Solution:
        solution = self._solution(solution_arn)
        solution.state.advance()
        return solution

    @paginate_with_next_token_errors
    def list_solutions(self, dataset_group_arn: str | None = None) -> list[Solution]:
        # ListSolutions has no ResourceNotFoundException in the model: an unknown dataset group lists nothing.
        return [s for s in self.solutions.values() if dataset_group_arn in (None, s.dataset_group_arn)]

    def delete_solution(self, solution_arn: str) -> None:
        solution = self._solution(solution_arn)
        training = [v.arn for v in solution.versions.values() if v.status in TRAINING + (STOPPING,)]
        if training:
            raise ResourceInUseException(
                f"Solution {solution_arn} has a solution version in progress ({training[0]}); stop it or wait for it "
                "to finish."
            )
        for version_arn in solution.versions:
            self.tagger.delete_all_tags_for_resource(version_arn)
        self.tagger.delete_all_tags_for_resource(solution_arn)
        del self.solutions[solution_arn]

    # Solution versions

    @_one_at_a_time
    def create_solution_version(
        self,
        solution_arn: str,
        name: str | None = None,
        training_mode: str | None = None,
        tags: Tags | None = None,
    ) -> SolutionVersion:
        solution = self._trainable_solution(solution_arn)
        duplicate = name is not None and any(v.name == name for v in solution.versions.values())
        if duplicate and not settings.current.accept_duplicate_names:
            raise ResourceAlreadyExistsException(f"Solution version {name} already exists for solution {solution.arn}.")
        mode = training_mode or "FULL"
        if mode == "UPDATE":
            if solution.recipe_name not in INCREMENTAL_RECIPES:
                raise InvalidInputException(
                    f"trainingMode UPDATE is only supported for the User-Personalization and HRNN-Coldstart recipes; "
                    f"solution {solution.arn} uses {solution.recipe_arn}."
                )
            if not any(v.training_mode == "FULL" and v.status == ACTIVE for v in solution.versions.values()):
                raise InvalidInputException(
                    f"trainingMode UPDATE needs an ACTIVE solution version of {solution.arn} trained with trainingMode FULL."
                )
        self._check_new_tags(tags)
        return self._train(SolutionVersion(solution, name, mode), tags)

    @_one_at_a_time
    def start_automatic_training(self, solution_arn: str) -> SolutionVersion:
        """What the solution's automatic training (performAutoTraining) starts on its schedule, on demand: a version
        with trainingType AUTOMATIC, no name (the service names none; DescribeSolutionVersion's `name` is optional),
        trainingMode FULL and no tags. Not an API operation: the control API's `POST /_emulator/automatic-training`.
        The same rules as CreateSolutionVersion: the solution must be ACTIVE, and the trainings count toward the
        20 per region."""
        solution = self._trainable_solution(solution_arn)
        if not solution.perform_auto_training:
            raise InvalidInputException(
                f"Solution {solution.arn} has performAutoTraining false; it trains no version automatically."
            )
        return self._train(SolutionVersion(solution, None, "FULL", training_type="AUTOMATIC"), None)

    def describe_solution_version(self, solution_version_arn: str) -> SolutionVersion:
        version = self._solution_version(solution_version_arn)
        version.state.advance()
        return version

    @paginate_with_next_token_errors
    def list_solution_versions(self, solution_arn: str | None = None) -> list[SolutionVersion]:
        """Newest first, without the versions created less than `listingLagSeconds` ago. Those are the newest, so a
        page token names a version that stays listed: the pages go on as if the hidden versions did not exist."""
        solutions = [self._solution(solution_arn)] if solution_arn else list(self.solutions.values())
        versions = [v for s in solutions for v in s.versions.values() if v.listed()]
        return sorted(versions, key=lambda v: v.created_on_machine, reverse=True)

    def stop_solution_version_creation(self, solution_version_arn: str) -> None:
        self._solution_version(solution_version_arn).stop()

    def get_solution_metrics(self, solution_version_arn: str) -> dict[str, float]:
        version = self._solution_version(solution_version_arn)
        status = version.status
        if status != ACTIVE:
            raise ResourceInUseException(f"Solution version {solution_version_arn} is not ACTIVE (status {status}).")
        return version.metrics()

    def _trainable_solution(self, arn: str) -> Solution:
        """The solution a training is asked of: it must be ACTIVE."""
        solution = self._solution(arn)
        if solution.state.status != ACTIVE:
            raise ResourceInUseException(
                f"Solution {solution.arn} is not ACTIVE (status {solution.state.status}); wait for it to become ACTIVE."
            )
        return solution

    def _train(self, version: SolutionVersion, tags: Tags | None) -> SolutionVersion:
        """Start `version`'s training, within the region's quota of trainings at once."""
        training = sum(v.status in TRAINING for s in self.solutions.values() for v in s.versions.values())
        if training >= MAX_TRAININGS_PER_REGION:
            raise LimitExceededException(
                f"You have reached the limit of {MAX_TRAININGS_PER_REGION} solution versions in CREATE PENDING or "
                f"CREATE IN_PROGRESS in {self.region_name}."
            )
        return self._added(version.solution.versions, version, tags)

    def _arn(self, kind: str, name: str) -> str:
        return f"arn:{self.partition}:personalize:{self.region_name}:{self.account_id}:{kind}/{name}"

    def _added(self, table: dict[str, R], resource: R, tags: Tags | None) -> R:
        """`resource`, now in `table` under its ARN and tagged."""
        table[resource.arn] = resource
        self.tagger.tag_resource(resource.arn, tags)
        return resource

    # Tags

    def tag_resource(self, resource_arn: str, tags: Tags) -> None:
        self._check_taggable(resource_arn)
        self._check_reserved([t["tagKey"] for t in tags])
        merged = self.tagger.get_tag_dict_for_resource(resource_arn) | {t["tagKey"]: t["tagValue"] for t in tags}
        if len(merged) > MAX_TAGS:
            raise TooManyTagsException(
                f"A resource can have at most {MAX_TAGS} tags; this request would give {resource_arn} {len(merged)}."
            )
        self.tagger.tag_resource(resource_arn, tags)

    def untag_resource(self, resource_arn: str, tag_keys: list[str]) -> None:
        self._check_taggable(resource_arn)
        self._check_reserved(tag_keys)
        if len(set(tag_keys)) > MAX_TAGS:
            raise TooManyTagKeysException(
                f"The request contains {len(set(tag_keys))} tag keys; a resource can have at most {MAX_TAGS} tags."
            )
        self.tagger.untag_resource_using_names(resource_arn, tag_keys)

    def list_tags_for_resource(self, resource_arn: str) -> Tags:
        self._check_taggable(resource_arn)
        return self.tagger.list_tags_for_resource(resource_arn)["tags"]

    # Finders: look a resource up without counting as a Describe call (which advances `manual` progressions).

    def _dataset_group(self, arn: str) -> DatasetGroup:
        return _found(self.dataset_groups, arn)

    def _solution(self, arn: str) -> Solution:
        return _found(self.solutions, arn)

    def _solution_version(self, arn: str) -> SolutionVersion:
        solution = self.solutions.get(arn.rsplit("/", 1)[0])
        return _found(solution.versions if solution is not None else {}, arn)

    def _check_taggable(self, arn: str) -> None:
        if arn in self.dataset_groups or arn in self.solutions or arn in self.schemas:
            return
        self._solution_version(arn)

    def _check_new_tags(self, tags: Tags | None) -> None:
        if not tags:
            return
        self._check_reserved([t["tagKey"] for t in tags])
        if len({t["tagKey"] for t in tags}) > MAX_TAGS:
            raise TooManyTagsException(f"A resource can have at most {MAX_TAGS} tags; the request has {len(tags)}.")

    @staticmethod
    def _check_reserved(keys: list[str]) -> None:
        reserved = [k for k in keys if k.lower().startswith("aws:")]
        if reserved:
            raise InvalidInputException(
                f"Tag keys starting with 'aws:' are reserved for AWS use: {', '.join(reserved)}."
            )


personalize_emulator_backends = BackendDict(PersonalizeEmulatorBackend, "personalize")
"""All emulated accounts and regions; installed into moto's server by `emulator.server`."""
