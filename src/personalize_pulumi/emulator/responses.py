"""Thin request handlers, in moto's layout: read the JSON body, call the backend with keyword arguments, dump the
JSON answer. The one place that maps the API's camelCase names to the backend's parameters."""

from __future__ import annotations

import json
from typing import Any

from moto.personalize.responses import PersonalizeResponse

from . import iam
from .faults import faults
from .models import PersonalizeEmulatorBackend, personalize_emulator_backends


class PersonalizeEmulatorResponse(PersonalizeResponse):
    """moto's Personalize handlers (schemas) plus dataset groups, solutions and solution versions."""

    @property
    def personalize_backend(self) -> PersonalizeEmulatorBackend:
        return personalize_emulator_backends[self.current_account][self.region]

    @property
    def params(self) -> dict[str, Any]:
        params: dict[str, Any] = json.loads(self.body or "{}")
        return params

    def _determine_resource(self) -> str:
        """The resource moto's access control authorizes this call on (`emulator.iam.resource_of`)."""
        return iam.resource_of(self._get_action(), self.params)

    def _authenticate_and_authorize_normal_action(self, resource: str = "*") -> None:
        # moto's check, answered as AWS answers a JSON service (see emulator/iam.py).
        iam.authorize(self, self._get_action(), self.params, resource)

    def create_dataset_group(self) -> str:
        params = self.params
        group = self.personalize_backend.create_dataset_group(
            name=params["name"],
            role_arn=params.get("roleArn"),
            kms_key_arn=params.get("kmsKeyArn"),
            domain=params.get("domain"),
            tags=params.get("tags"),
        )
        body: dict[str, Any] = {"datasetGroupArn": group.arn}
        if group.domain:
            body["domain"] = group.domain
        return json.dumps(body)

    def describe_dataset_group(self) -> str:
        group = self.personalize_backend.describe_dataset_group(dataset_group_arn=self.params["datasetGroupArn"])
        return json.dumps({"datasetGroup": group.to_dict()})

    def create_solution(self) -> str:
        params = self.params
        solution = self.personalize_backend.create_solution(
            name=params["name"],
            dataset_group_arn=params["datasetGroupArn"],
            recipe_arn=params.get("recipeArn"),
            perform_hpo=params.get("performHPO", False),
            perform_automl=params.get("performAutoML", False),
            perform_auto_training=params.get("performAutoTraining", True),
            perform_incremental_update=params.get("performIncrementalUpdate", False),
            event_type=params.get("eventType"),
            solution_config=params.get("solutionConfig"),
            tags=params.get("tags"),
        )
        return json.dumps({"solutionArn": solution.arn})

    def describe_solution(self) -> str:
        solution = self.personalize_backend.describe_solution(solution_arn=self.params["solutionArn"])
        return json.dumps({"solution": solution.to_dict()})

    def list_solutions(self) -> str:
        params = self.params
        solutions, next_token = self.personalize_backend.list_solutions(
            dataset_group_arn=params.get("datasetGroupArn"),
            next_token=params.get("nextToken"),
            max_results=params.get("maxResults"),
        )
        return json.dumps(_page("solutions", [s.summary() for s in solutions], next_token))

    def delete_solution(self) -> str:
        self.personalize_backend.delete_solution(solution_arn=self.params["solutionArn"])
        return "{}"

    def create_solution_version(self) -> str:
        params = self.params
        version = self.personalize_backend.create_solution_version(
            solution_arn=params["solutionArn"],
            name=params.get("name"),
            training_mode=params.get("trainingMode"),
            tags=params.get("tags"),
        )
        faults.fail_training_if_armed(version)
        return json.dumps({"solutionVersionArn": version.arn})

    def describe_solution_version(self) -> str:
        arn = self.params["solutionVersionArn"]
        version = self.personalize_backend.describe_solution_version(solution_version_arn=arn)
        return json.dumps({"solutionVersion": version.to_dict()})

    def list_solution_versions(self) -> str:
        params = self.params
        versions, next_token = self.personalize_backend.list_solution_versions(
            solution_arn=params.get("solutionArn"),
            next_token=params.get("nextToken"),
            max_results=params.get("maxResults"),
        )
        return json.dumps(_page("solutionVersions", [v.summary() for v in versions], next_token))

    def stop_solution_version_creation(self) -> str:
        arn = self.params["solutionVersionArn"]
        self.personalize_backend.stop_solution_version_creation(solution_version_arn=arn)
        return "{}"

    def get_solution_metrics(self) -> str:
        arn = self.params["solutionVersionArn"]
        metrics = self.personalize_backend.get_solution_metrics(solution_version_arn=arn)
        return json.dumps({"solutionVersionArn": arn, "metrics": metrics})

    def tag_resource(self) -> str:
        params = self.params
        self.personalize_backend.tag_resource(resource_arn=params["resourceArn"], tags=params["tags"])
        return "{}"

    def untag_resource(self) -> str:
        params = self.params
        self.personalize_backend.untag_resource(resource_arn=params["resourceArn"], tag_keys=params["tagKeys"])
        return "{}"

    def list_tags_for_resource(self) -> str:
        tags = self.personalize_backend.list_tags_for_resource(resource_arn=self.params["resourceArn"])
        return json.dumps({"tags": tags})


def _page(key: str, items: list[dict[str, Any]], next_token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {key: items}
    if next_token:
        body["nextToken"] = next_token
    return body
