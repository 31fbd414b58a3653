"""Thin request handlers: parse the JSON body, call the backend, dump the JSON answer (moto's layout)."""

from __future__ import annotations

import json
from typing import Any

from moto.personalize.responses import PersonalizeResponse

from .models import PersonalizeEmulatorBackend, personalize_emulator_backends


class PersonalizeEmulatorResponse(PersonalizeResponse):
    """moto's Personalize handlers (schemas) plus dataset groups, solutions and solution versions."""

    @property
    def personalize_backend(self) -> PersonalizeEmulatorBackend:  # type: ignore[override]
        return personalize_emulator_backends[self.current_account][self.region]

    @property
    def params(self) -> dict[str, Any]:
        return json.loads(self.body or "{}")

    def create_dataset_group(self) -> str:
        group = self.personalize_backend.create_dataset_group(self.params)
        body: dict[str, Any] = {"datasetGroupArn": group.arn}
        if group.domain:
            body["domain"] = group.domain
        return json.dumps(body)

    def describe_dataset_group(self) -> str:
        group = self.personalize_backend.describe_dataset_group(self.params["datasetGroupArn"])
        return json.dumps({"datasetGroup": group.to_dict()})

    def create_solution(self) -> str:
        solution = self.personalize_backend.create_solution(self.params)
        return json.dumps({"solutionArn": solution.arn})

    def describe_solution(self) -> str:
        solution = self.personalize_backend.describe_solution(self.params["solutionArn"])
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
        self.personalize_backend.delete_solution(self.params["solutionArn"])
        return "{}"

    def create_solution_version(self) -> str:
        version = self.personalize_backend.create_solution_version(self.params)
        return json.dumps({"solutionVersionArn": version.arn})

    def describe_solution_version(self) -> str:
        version = self.personalize_backend.describe_solution_version(self.params["solutionVersionArn"])
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
        self.personalize_backend.stop_solution_version_creation(self.params["solutionVersionArn"])
        return "{}"

    def get_solution_metrics(self) -> str:
        arn = self.params["solutionVersionArn"]
        metrics = self.personalize_backend.get_solution_metrics(arn)
        return json.dumps({"solutionVersionArn": arn, "metrics": metrics})

    def tag_resource(self) -> str:
        params = self.params
        self.personalize_backend.tag_resource(params["resourceArn"], params["tags"])
        return "{}"

    def untag_resource(self) -> str:
        params = self.params
        self.personalize_backend.untag_resource(params["resourceArn"], params["tagKeys"])
        return "{}"

    def list_tags_for_resource(self) -> str:
        tags = self.personalize_backend.list_tags_for_resource(self.params["resourceArn"])
        return json.dumps({"tags": tags})


def _page(key: str, items: list[dict[str, Any]], next_token: str | None) -> dict[str, Any]:
    body: dict[str, Any] = {key: items}
    if next_token:
        body["nextToken"] = next_token
    return body
