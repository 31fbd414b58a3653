"""The shipped IAM policy on the real Pulumi engine, against the emulator checking IAM (`--iam`): a deploy role with
exactly `personalize_pulumi/iam/policy.json` runs a stack's whole life, and one without a permission fails `up` with
one line naming it, in the engine's own display."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import pytest
from pulumi.automation import Deployment

from harness.automation import EngineFailed, EngineStack
from personalize_pulumi import iam
from personalize_pulumi.emulator.launcher import EmulatorProcess
from personalize_pulumi.emulator.timing import SOLUTION_VERSION_MODEL
from tests.e2e.conftest import PROJECT
from tests.helpers import REGION, live_tags, set_transition, trainings_started, unique, version_status, wait_for

TRACEBACK_SIGNS = ("Traceback (most recent call last)", 'File "', "site-packages")
KEYS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")

TWO_MODELS = """
import pulumi
from personalize_pulumi import SolutionVersion, SolutionVersionArgs

config = pulumi.Config()
solution_arn = config.require("solutionArn")
tags = config.get_object("tags") or {}
gate = {"coverage": 0.05}
trained = SolutionVersion("trained", SolutionVersionArgs(solution_arn=solution_arn, tags=tags, min_metrics=gate))
adopted = SolutionVersion(
    "adopted",
    SolutionVersionArgs(
        solution_arn=solution_arn,
        existing_version_arn=config.require("existingVersionArn"),
        tags=tags,
        min_metrics=gate,
    ),
)
pulumi.export("trained", trained.solution_version_arn)
pulumi.export("adopted", adopted.solution_version_arn)
"""
"""A model trained behind the quality gate and an automatic training adopted behind it."""


@pytest.fixture(scope="module")
def emulator_process(iam_emulator_process: EmulatorProcess) -> EmulatorProcess:
    return iam_emulator_process


@pytest.fixture
def deployer(emulator: EmulatorProcess) -> Callable[[dict[str, Any]], dict[str, str]]:
    """`deployer(policy)`: the credentials of a new IAM user with exactly `policy`, as the engine's environment."""

    def credentials(policy: dict[str, Any]) -> dict[str, str]:
        env = emulator.user_env(unique("deployer"), policy)
        return {key: env[key] for key in KEYS}

    return credentials


def _client() -> Any:
    return boto3.client("personalize", region_name=REGION)  # the account's root (the emulator fixture's env)


def _live_tags(arn: str) -> dict[str, str]:
    return live_tags(_client(), arn)


def _state_holds_a_running_training(stack: EngineStack, resource: str, training: str) -> None:
    """Make `resource`'s version in the stack's state `training`, as `pulumi stack export` / `pulumi stack import`
    would: the state a stack has whose version is still training (the engine records a version only once it is
    ACTIVE, so this is the one way to hand destroy a training it must stop)."""
    exported = stack.stack.export_stack()
    for entry in exported.deployment["resources"]:
        if entry["urn"].endswith(f"::{resource}"):
            entry["id"] = training
            entry["outputs"] = {**entry["outputs"], "solutionVersionArn": training, "status": "CREATE PENDING"}
    stack.stack.import_stack(Deployment(version=exported.version, deployment=exported.deployment))


def test_with_exactly_the_policy_up_with_gate_and_adoption_a_tag_update_refresh_and_destroy_succeed(
    emulator, new_stack, control, deployer
):
    stack = new_stack(main=TWO_MODELS, **deployer(iam.policy()))
    automatic = control.start_automatic_training(stack.solution_arn)
    wait_for(lambda: version_status(_client(), automatic), ("ACTIVE",))
    stack.set_config(f"{PROJECT}:existingVersionArn", automatic)

    control.clear_requests()
    assert stack.up().summary.result == "succeeded"
    trained, adopted = stack.outputs()["trained"], stack.outputs()["adopted"]
    assert adopted == automatic and trained.startswith(stack.solution_arn + "/") and trainings_started(control) == 1
    assert version_status(_client(), trained) == "ACTIVE"

    stack.set_config(f"{PROJECT}:tags", {"team": "search"})
    changes = stack.up().summary.resource_changes or {}
    assert changes.get("update") == 2 and "replace" not in changes, changes
    effective = {"managed-by": "pulumi", "repo": "personalize-models", "team": "search"}  # with aws:defaultTags
    assert _live_tags(trained) == _live_tags(adopted) == effective

    assert stack.refresh().summary.result == "succeeded"

    # Destroy of a stack whose training is still running: held in CREATE PENDING (moto's manual progression: no timer
    # to race) until destroy stops it.
    set_transition(emulator.url, SOLUTION_VERSION_MODEL, progression="manual", times=1000)
    try:
        training = _client().create_solution_version(solutionArn=stack.solution_arn)["solutionVersionArn"]
        _state_holds_a_running_training(stack, "trained", training)
        start = len(stack.lines)
        assert stack.destroy().summary.result == "succeeded"
        assert version_status(_client(), training) == "CREATE STOPPED", "destroy stopped the training"
    finally:
        control.set_timing(training_seconds=2.0)  # the emulator's timing again, for every version
    assert stack.resources() == [] and "no API to delete" in stack.output_since(start), "the adopted one is left"
    assert not [line for line in stack.lines if "AccessDenied" in line], "no call of the whole life was refused"


def test_without_create_solution_version_up_fails_with_one_line_naming_it_and_starts_nothing(
    new_stack, control, deployer
):
    stack = new_stack(**deployer(iam.without("personalize:CreateSolutionVersion")))
    control.clear_requests()
    with pytest.raises(EngineFailed) as failed:
        stack.up()
    shown = failed.value.output
    denial = (
        "CreateSolutionVersion answered AccessDeniedException: needs IAM permission "
        f"personalize:CreateSolutionVersion on {stack.solution_arn};"
    )
    errors = [line for line in shown.splitlines() if "error:" in line and denial in line]
    assert errors, shown
    assert all("error: creating Personalize solution version " in line for line in errors), errors
    assert all("`python -m personalize_pulumi.iam`" in line for line in errors)
    assert not [sign for sign in TRACEBACK_SIGNS if sign in shown], shown
    assert trainings_started(control) == 0
    assert _client().list_solution_versions(solutionArn=stack.solution_arn)["solutionVersions"] == []
