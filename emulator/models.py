"""Amazon Personalize resources and their backend, in moto's layout (one backend per account and region).

Extends moto's own Personalize backend (which has schemas only) with dataset groups, solutions and solution versions.
Statuses advance with time through moto's state manager, so they can also be switched to moto's `manual` or
`immediate` progressions over moto's `/moto-api/state-manager/set-transition` endpoint.
"""

from __future__ import annotations

import functools
import hashlib
import random
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, ParamSpec, TypeVar

from moto.core.base_backend import BackendDict
from moto.core.common_models import BaseModel
from moto.core.exceptions import InvalidToken
from moto.core.utils import unix_time
from moto.moto_api import state_manager
from moto.moto_api._internal.managed_state_model import ManagedState
from moto.personalize.models import PersonalizeBackend
from moto.utilities.paginator import paginate
from moto.utilities.tagging_service import TaggingService

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
from .faults import faults

SETUP_MODEL = "personalize::setup"
"""State-manager name for dataset groups and solutions (CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE)."""
TRAINING_MODEL = "personalize::solutionversion"
"""State-manager name for solution versions; each of the two training steps takes `seconds`."""

PENDING = "CREATE PENDING"
IN_PROGRESS = "CREATE IN_PROGRESS"
ACTIVE = "ACTIVE"
FAILED = "CREATE FAILED"
STOPPING = "CREATE STOPPING"
STOPPED = "CREATE STOPPED"
TRAINING = (PENDING, IN_PROGRESS)

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

P = ParamSpec("P")
T = TypeVar("T")

state_manager.register_default_transition(SETUP_MODEL, {"progression": "time", "seconds": 0.5})
state_manager.register_default_transition(TRAINING_MODEL, {"progression": "time", "seconds": 2})

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


def paginate_with_next_token_errors(method: Callable[P, T]) -> Callable[P, T]:
    """moto's `@paginate`, answering every bad `nextToken` with InvalidNextTokenException.

    moto's paginator raises its own `InvalidToken` (a code Personalize does not have) for a token issued for other
    parameters (e.g. another solutionArn) or one whose next item was deleted since; its `fail_on_invalid_token` option
    covers only undecodable tokens.
    """
    paginated = paginate(pagination_model=PAGINATION_MODEL)(method)

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        try:
            return paginated(*args, **kwargs)
        except InvalidToken:
            raise InvalidNextTokenException(f"The token is not valid: {kwargs.get('next_token')}") from None

    return wrapper


class TimedState(ManagedState):
    """moto's ManagedState, except that time progression catches up on every step that is due.

    moto advances at most one step per read, so a version nobody looked at for an hour would still need two more
    intervals to finish; the real service finishes in the background.
    """

    def __init__(self, model_name: str, transitions: list[tuple[str | None, str]]):
        super().__init__(model_name, transitions)
        self.changed_at = datetime.now()

    @property
    def status(self) -> str:
        before = self._status
        config = state_manager.get_transition(self.model_name)
        if config["progression"] == "time":
            step = timedelta(seconds=config["seconds"])
            while self._get_next_status(self._status) != self._status and datetime.now() >= self._time_progressed + step:
                self._status = self._get_next_status(self._status)
                self._time_progressed += step
            if self._status != before:
                self.changed_at = self._time_progressed
        else:
            ManagedState.status.fget(self)  # type: ignore[attr-defined]
            if self._status != before:
                self.changed_at = datetime.now()
        return self._status  # type: ignore[return-value]

    @status.setter
    def status(self, value: str) -> None:
        self._status = value
        self._time_progressed = self.changed_at = datetime.now()

    def restart(self, transitions: list[tuple[str | None, str]]) -> None:
        """Follow a new path from the current status (used when a training is stopped)."""
        self._transitions = transitions
        self._time_progressed = datetime.now()


def _epoch(moment: datetime) -> float:
    return unix_time(moment)


class DatasetGroup(BaseModel):
    def __init__(self, account_id: str, region: str, partition: str, name: str, params: dict[str, Any]):
        self.name = name
        self.arn = f"arn:{partition}:personalize:{region}:{account_id}:dataset-group/{name}"
        self.role_arn = params.get("roleArn")
        self.kms_key_arn = params.get("kmsKeyArn")
        self.domain = params.get("domain")
        self.created = datetime.now()
        self.state = TimedState(SETUP_MODEL, [(PENDING, IN_PROGRESS), (IN_PROGRESS, ACTIVE)])

    def to_dict(self) -> dict[str, Any]:
        data = {
            "name": self.name,
            "datasetGroupArn": self.arn,
            "status": self.state.status,
            "creationDateTime": _epoch(self.created),
            "lastUpdatedDateTime": _epoch(self.state.changed_at),
            "roleArn": self.role_arn,
            "kmsKeyArn": self.kms_key_arn,
            "domain": self.domain,
        }
        return {k: v for k, v in data.items() if v is not None}


class Solution(BaseModel):
    def __init__(self, account_id: str, region: str, partition: str, name: str, params: dict[str, Any]):
        self.name = name
        self.arn = f"arn:{partition}:personalize:{region}:{account_id}:solution/{name}"
        self.dataset_group_arn: str = params["datasetGroupArn"]
        self.recipe_arn: str | None = params.get("recipeArn")
        self.perform_hpo = params.get("performHPO", False)
        self.perform_automl = params.get("performAutoML", False)
        self.perform_auto_training = params.get("performAutoTraining", True)
        self.perform_incremental_update = params.get("performIncrementalUpdate", False)
        self.event_type = params.get("eventType")
        self.solution_config = params.get("solutionConfig")
        self.created = datetime.now()
        self.state = TimedState(SETUP_MODEL, [(PENDING, IN_PROGRESS), (IN_PROGRESS, ACTIVE)])
        self.versions: dict[str, SolutionVersion] = {}

    @property
    def recipe_name(self) -> str:
        return (self.recipe_arn or "").rsplit("/", 1)[-1]

    def summary(self) -> dict[str, Any]:
        data = {
            "name": self.name,
            "solutionArn": self.arn,
            "status": self.state.status,
            "creationDateTime": _epoch(self.created),
            "lastUpdatedDateTime": _epoch(self.state.changed_at),
            "recipeArn": self.recipe_arn,
        }
        return {k: v for k, v in data.items() if v is not None}

    def to_dict(self) -> dict[str, Any]:
        data = self.summary()
        data.update(
            performHPO=self.perform_hpo,
            performAutoML=self.perform_automl,
            performAutoTraining=self.perform_auto_training,
            performIncrementalUpdate=self.perform_incremental_update,
            datasetGroupArn=self.dataset_group_arn,
        )
        if self.event_type is not None:
            data["eventType"] = self.event_type
        if self.solution_config is not None:
            data["solutionConfig"] = self.solution_config
        if self.versions:
            latest = max(self.versions.values(), key=lambda v: v.created)
            data["latestSolutionVersion"] = latest.summary()
        return data


class SolutionVersion(BaseModel):
    def __init__(self, solution: Solution, name: str | None, training_mode: str, failure_reason: str | None):
        self.solution = solution
        self.name = name
        self.arn = f"{solution.arn}/{random.getrandbits(32):08x}"
        self.training_mode = training_mode
        self.created = datetime.now()
        self.failure_reason = failure_reason
        outcome = FAILED if failure_reason else ACTIVE
        self.state = TimedState(TRAINING_MODEL, [(PENDING, IN_PROGRESS), (IN_PROGRESS, outcome)])

    @property
    def status(self) -> str:
        return self.state.status

    def stop(self) -> None:
        """CREATE PENDING stops at once; CREATE IN_PROGRESS goes through CREATE STOPPING."""
        status = self.status
        if status == PENDING:
            self.state.status = STOPPED
        elif status == IN_PROGRESS:
            self.state.status = STOPPING
            self.state.restart([(STOPPING, STOPPED)])
        else:
            raise ResourceInUseException(
                f"Solution version {self.arn} is in status {status}; only a version in CREATE PENDING or "
                "CREATE IN_PROGRESS can be stopped."
            )

    def training_hours(self) -> float | None:
        if self.status != ACTIVE:
            return None
        return round((self.state.changed_at - self.created).total_seconds() / 3600, 6)

    def metrics(self) -> dict[str, float]:
        # Deterministic per version, so repeated reads agree.
        seed = int(hashlib.sha256(self.arn.encode()).hexdigest()[:8], 16)
        rng = random.Random(seed)
        return {name: round(rng.uniform(0.05, 0.95), 4) for name in METRIC_NAMES}

    def summary(self) -> dict[str, Any]:
        data = {
            "solutionVersionArn": self.arn,
            "status": self.status,
            "trainingMode": self.training_mode,
            "trainingType": "MANUAL",
            "creationDateTime": _epoch(self.created),
            "lastUpdatedDateTime": _epoch(self.state.changed_at),
        }
        if data["status"] == FAILED:
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
        for key, value in (
            ("name", self.name),
            ("recipeArn", solution.recipe_arn),
            ("eventType", solution.event_type),
            ("solutionConfig", solution.solution_config),
            ("trainingHours", self.training_hours()),
        ):
            if value is not None:
                data[key] = value
        return data


class PersonalizeEmulatorBackend(PersonalizeBackend):
    """moto's Personalize backend plus the dataset group, solution and solution version operations."""

    def __init__(self, region_name: str, account_id: str):
        super().__init__(region_name, account_id)
        self.dataset_groups: dict[str, DatasetGroup] = {}
        self.solutions: dict[str, Solution] = {}
        self.tagger = TaggingService(tag_name="tags", key_name="tagKey", value_name="tagValue")

    # Dataset groups

    def create_dataset_group(self, params: dict[str, Any]) -> DatasetGroup:
        name = params["name"]
        if any(g.name == name for g in self.dataset_groups.values()):
            raise ResourceAlreadyExistsException(f"Dataset group {name} already exists.")
        self._check_new_tags(params.get("tags"))
        group = DatasetGroup(self.account_id, self.region_name, self.partition, name, params)
        self.dataset_groups[group.arn] = group
        self.tagger.tag_resource(group.arn, params.get("tags"))
        return group

    def describe_dataset_group(self, arn: str) -> DatasetGroup:
        if arn not in self.dataset_groups:
            raise ResourceNotFoundException(arn)
        return self.dataset_groups[arn]

    # Solutions

    def create_solution(self, params: dict[str, Any]) -> Solution:
        name = params["name"]
        group = self.describe_dataset_group(params["datasetGroupArn"])
        if group.state.status != ACTIVE:
            raise ResourceInUseException(f"Dataset group {group.arn} is not ACTIVE (status {group.state.status}).")
        if any(s.name == name for s in self.solutions.values()):
            raise ResourceAlreadyExistsException(f"Solution {name} already exists.")
        recipe_arn = params.get("recipeArn")
        if not recipe_arn and not params.get("performAutoML"):
            raise InvalidInputException("Provide a recipeArn, or set performAutoML to true.")
        if recipe_arn and recipe_arn.rsplit("/", 1)[-1] not in KNOWN_RECIPES:
            raise ResourceNotFoundException(recipe_arn)
        self._check_new_tags(params.get("tags"))
        solution = Solution(self.account_id, self.region_name, self.partition, name, params)
        self.solutions[solution.arn] = solution
        self.tagger.tag_resource(solution.arn, params.get("tags"))
        return solution

    def describe_solution(self, arn: str) -> Solution:
        if arn not in self.solutions:
            raise ResourceNotFoundException(arn)
        return self.solutions[arn]

    @paginate_with_next_token_errors
    def list_solutions(self, dataset_group_arn: str | None = None) -> list[Solution]:
        # ListSolutions has no ResourceNotFoundException in the model: an unknown dataset group lists nothing.
        return [s for s in self.solutions.values() if dataset_group_arn in (None, s.dataset_group_arn)]

    def delete_solution(self, arn: str) -> None:
        solution = self.describe_solution(arn)
        training = [v.arn for v in solution.versions.values() if v.status in TRAINING + (STOPPING,)]
        if training:
            raise ResourceInUseException(
                f"Solution {arn} has a solution version in progress ({training[0]}); stop it or wait for it to finish."
            )
        for version_arn in solution.versions:
            self.tagger.delete_all_tags_for_resource(version_arn)
        self.tagger.delete_all_tags_for_resource(arn)
        del self.solutions[arn]

    # Solution versions

    def create_solution_version(self, params: dict[str, Any]) -> SolutionVersion:
        solution = self.describe_solution(params["solutionArn"])
        if solution.state.status != ACTIVE:
            raise ResourceInUseException(
                f"Solution {solution.arn} is not ACTIVE (status {solution.state.status}); wait for it to become ACTIVE."
            )
        name = params.get("name")
        if name is not None and any(v.name == name for v in solution.versions.values()):
            raise ResourceAlreadyExistsException(f"Solution version {name} already exists for solution {solution.arn}.")
        mode = params.get("trainingMode", "FULL")
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
        self._check_new_tags(params.get("tags"))
        training = sum(v.status in TRAINING for s in self.solutions.values() for v in s.versions.values())
        if training >= MAX_TRAININGS_PER_REGION:
            raise LimitExceededException(
                f"You have reached the limit of {MAX_TRAININGS_PER_REGION} solution versions in CREATE PENDING or "
                f"CREATE IN_PROGRESS in {self.region_name}."
            )
        version = SolutionVersion(solution, name, mode, faults.take_training_failure(solution.arn))
        solution.versions[version.arn] = version
        self.tagger.tag_resource(version.arn, params.get("tags"))
        return version

    def describe_solution_version(self, arn: str) -> SolutionVersion:
        solution_arn = arn.rsplit("/", 1)[0]
        solution = self.solutions.get(solution_arn)
        if solution is None or arn not in solution.versions:
            raise ResourceNotFoundException(arn)
        return solution.versions[arn]

    @paginate_with_next_token_errors
    def list_solution_versions(self, solution_arn: str | None = None) -> list[SolutionVersion]:
        if solution_arn:
            solutions = [self.describe_solution(solution_arn)]
        else:
            solutions = list(self.solutions.values())
        versions = [v for s in solutions for v in s.versions.values()]
        return sorted(versions, key=lambda v: v.created, reverse=True)

    def stop_solution_version_creation(self, arn: str) -> None:
        self.describe_solution_version(arn).stop()

    def get_solution_metrics(self, arn: str) -> dict[str, float]:
        version = self.describe_solution_version(arn)
        if version.status != ACTIVE:
            raise ResourceInUseException(f"Solution version {arn} is not ACTIVE (status {version.status}).")
        return version.metrics()

    # Tags

    def tag_resource(self, arn: str, tags: list[dict[str, str]]) -> None:
        self._check_taggable(arn)
        self._check_reserved([t["tagKey"] for t in tags])
        merged = self.tagger.get_tag_dict_for_resource(arn) | {t["tagKey"]: t["tagValue"] for t in tags}
        if len(merged) > MAX_TAGS:
            raise TooManyTagsException(f"A resource can have at most {MAX_TAGS} tags; this request would give {arn} {len(merged)}.")
        self.tagger.tag_resource(arn, tags)

    def untag_resource(self, arn: str, keys: list[str]) -> None:
        self._check_taggable(arn)
        self._check_reserved(keys)
        if len(set(keys)) > MAX_TAGS:
            raise TooManyTagKeysException(
                f"The request contains {len(set(keys))} tag keys; a resource can have at most {MAX_TAGS} tags."
            )
        self.tagger.untag_resource_using_names(arn, keys)

    def list_tags_for_resource(self, arn: str) -> list[dict[str, str]]:
        self._check_taggable(arn)
        return self.tagger.list_tags_for_resource(arn)["tags"]

    def _check_taggable(self, arn: str) -> None:
        if arn in self.dataset_groups or arn in self.solutions or arn in self.schemas:
            return
        self.describe_solution_version(arn)

    def _check_new_tags(self, tags: list[dict[str, str]] | None) -> None:
        if not tags:
            return
        self._check_reserved([t["tagKey"] for t in tags])
        if len({t["tagKey"] for t in tags}) > MAX_TAGS:
            raise TooManyTagsException(f"A resource can have at most {MAX_TAGS} tags; the request has {len(tags)}.")

    @staticmethod
    def _check_reserved(keys: list[str]) -> None:
        reserved = [k for k in keys if k.lower().startswith("aws:")]
        if reserved:
            raise InvalidInputException(f"Tag keys starting with 'aws:' are reserved for AWS use: {', '.join(reserved)}.")


personalize_emulator_backends = BackendDict(PersonalizeEmulatorBackend, "personalize")
"""All emulated accounts and regions; installed into moto's server by `emulator.server`."""
