"""The plugin's TrainingOwner, in process (see conftest.py): recorded before its version trains, it holds the version's
owner token, and deleting it stops what a killed `up` left training for that version, and nothing else."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime.proto import provider_pb2

from harness.dynamic_host import HostError, to_struct
from harness.plugin_host import owner_urn, urn
from tests.helpers import REGION, active_solution, marked, trainings_started, version_status
from tests.inprocess.test_lifecycle import checked


def owner_of(plugin: Any, version: str, solution: str, **inputs: Any) -> tuple[str, dict[str, Any]]:
    """The owner of the SolutionVersion `version`, checked and created as a TrainedModel registers it."""
    checked_inputs, failures = plugin.check(owner_urn(version), {"solutionArn": solution, "versionName": version})
    assert failures == []
    return plugin.create(owner_urn(version), {**checked_inputs, **inputs})


def test_the_owner_holds_its_versions_token_as_a_secret_and_is_created_with_no_aws_call(plugin, personalize, control):
    solution = active_solution(personalize)
    name, version_inputs = checked(plugin, solution)
    control.clear_requests()

    response = plugin._call(
        "Check",
        provider_pb2.CheckRequest(urn=owner_urn(name), news=to_struct({"solutionArn": solution, "versionName": name})),
    )
    owner_id, outputs = owner_of(plugin, name, solution)

    assert outputs["ownerToken"] == version_inputs["ownerToken"], "the token the version's attempts are marked with"
    assert "1b47061264138c4ac30d75fd1eb44270" in str(response.inputs["ownerToken"]), "recorded as a secret"
    assert owner_id == f"{name}-owner"
    assert control.requests() == [], "check and create make no AWS call"


def test_destroy_after_a_killed_up_stops_the_training_it_left_and_no_other(plugin, personalize, control, restart):
    solution = active_solution(personalize)
    name, inputs = checked(plugin, solution)
    _, owner = owner_of(plugin, name, solution)
    left = personalize.create_solution_version(solutionArn=solution, name=inputs["name"], tags=marked(inputs))
    other_name, other_inputs = checked(plugin, solution)
    others = personalize.create_solution_version(
        solutionArn=solution, name=other_inputs["name"], tags=marked(other_inputs)
    )
    unmarked = personalize.create_solution_version(solutionArn=solution, name=f"{inputs['name']}-2")

    restart(plugin).delete(owner_urn(name), f"{name}-owner", owner)  # the killed `up` recorded only the owner

    assert version_status(personalize, left["solutionVersionArn"]) in ("CREATE STOPPING", "CREATE STOPPED")
    for kept in (others, unmarked):
        assert version_status(personalize, kept["solutionVersionArn"]) in ("CREATE PENDING", "CREATE IN_PROGRESS")
    assert control.count("StopSolutionVersionCreation") == 1
    assert trainings_started(control) == 3, "nothing trained"


def test_the_stop_is_said_on_the_owners_row_naming_the_arn(linked, engine, personalize):
    plugin = linked
    solution = active_solution(personalize)
    name, inputs = checked(plugin, solution)
    _, owner = owner_of(plugin, name, solution)
    left = personalize.create_solution_version(solutionArn=solution, name=inputs["name"], tags=marked(inputs))[
        "solutionVersionArn"
    ]

    plugin.delete(owner_urn(name), f"{name}-owner", owner)

    said = [line.message for line in engine.logged(owner_urn(name))]
    assert any(left in line and "stopped" in line for line in said), said
    assert engine.logged(urn(name)) == [] or all(left not in line.message for line in engine.logged(urn(name)))


def test_deleting_an_owner_whose_version_trained_and_was_recorded_stops_nothing(plugin, personalize, control):
    solution = active_solution(personalize)
    name, inputs = checked(plugin, solution)
    _, owner = owner_of(plugin, name, solution)
    arn, outputs = plugin.create(name, inputs)

    plugin.delete(name, arn, outputs)
    plugin.delete(owner_urn(name), f"{name}-owner", owner)

    assert control.count("StopSolutionVersionCreation") == 0
    assert version_status(personalize, arn) == "ACTIVE"


def test_an_owner_that_cannot_look_fails_in_one_line_naming_the_solution(plugin, personalize, control):
    solution = active_solution(personalize)
    name, _ = checked(plugin, solution)
    _, owner = owner_of(plugin, name, solution)
    control.add_fault(kind="http500", operation="ListSolutionVersions", count=10_000)

    with pytest.raises(HostError) as failed:
        plugin.delete(owner_urn(name), f"{name}-owner", owner)

    line = failed.value.details
    assert "\n" not in line and solution in line and "kept failing" in line, line
    assert "run `pulumi destroy` again" in line


def test_a_changed_solution_or_version_name_replaces_the_owner_and_a_region_updates_it(plugin, personalize):
    solution = active_solution(personalize)
    name, _ = checked(plugin, solution)
    _, owner = owner_of(plugin, name, solution)

    def diff(**changes: Any) -> Any:
        news, failures = plugin.check(owner_urn(name), {**_inputs(owner), **changes}, owner)
        assert failures == []
        return plugin.diff(owner_urn(name), f"{name}-owner", owner, news)

    same = diff()
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE
    moved = diff(solutionArn=active_solution(personalize))
    assert list(moved.replaces) == ["solutionArn"]
    renamed = diff(versionName="another")
    assert list(renamed.replaces) == ["versionName"]
    assert (
        plugin.check(owner_urn(name), {**_inputs(owner), "versionName": "another"}, owner)[0]["ownerToken"]
        != (owner["ownerToken"])
    ), "another version's token"
    regional = diff(region=REGION)
    assert regional.changes == provider_pb2.DiffResponse.DIFF_SOME and list(regional.replaces) == []


def test_bad_owner_inputs_fail_check_in_one_line_each(plugin):
    _, failures = plugin.check(owner_urn("m"), {"solutionArn": "nope"})
    assert len(failures) == 2 and all("\n" not in failure for failure in failures)
    assert any(failure.startswith("solutionArn must be a solution ARN") for failure in failures)
    assert any(failure.startswith("versionName is required") for failure in failures)


def test_an_owner_cannot_be_imported(plugin):
    with pytest.raises(HostError) as failed:
        plugin.read(owner_urn("m"), "m-owner", {}, {})
    assert "cannot be imported" in failed.value.details and "\n" not in failed.value.details


def _inputs(owner: dict[str, Any]) -> dict[str, Any]:
    return {key: owner[key] for key in ("solutionArn", "versionName") if key in owner}
