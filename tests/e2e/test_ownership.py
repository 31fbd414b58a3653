"""On the real engine: a stack adopts, retags or stops only a version it can prove it started (its marker).

What an adversarial run found, one test each: another stack's training under a shared explicit name, a version whose
name only looks like an attempt, a retrain of a targeted `up` left behind by an interrupt, a CreateSolutionVersion
whose answer was lost. Each runs with the service's clock two hours behind the machine's, in the emulator's default
duplicate-name mode; both modes, and a listing that does not show a new version yet, are run in process
(tests/inprocess/test_ownership.py), on a fake clock.
"""

from __future__ import annotations

import signal
from typing import Any

import boto3
import pytest

from harness.automation import EngineFailed
from tests.e2e.conftest import PROJECT, BackgroundOperation, up_until_training, wait_until
from tests.helpers import HELD, REGION, marker_of, trainings_started, unique

NAMED_PROGRAM = """
import pulumi
from personalize_pulumi import SolutionVersion, SolutionVersionArgs

config = pulumi.Config()
model = SolutionVersion(
    "model",
    SolutionVersionArgs(
        solution_arn=config.require("solutionArn"),
        name=config.require("versionName"),
        retrain_triggers={"data": config.get("retrainTrigger") or "first"},
    ),
)
pulumi.export("solutionVersionArn", model.id)
pulumi.export("status", model.status)
"""
"""A model with an explicit version name, as two projects sharing a solution might both write."""


def _client() -> Any:
    return boto3.client("personalize", region_name=REGION)


def _status(arn: str) -> str:
    return str(_client().describe_solution_version(solutionVersionArn=arn)["solutionVersion"]["status"])


def _versions(solution_arn: str) -> list[str]:
    summaries = _client().list_solution_versions(solutionArn=solution_arn)["solutionVersions"]
    return [summary["solutionVersionArn"] for summary in summaries]


def _stopped(control: Any) -> list[str]:
    return [entry["params"]["solutionVersionArn"] for entry in control.requests("StopSolutionVersionCreation")]


def _named_stack(new_stack: Any, name: str, solution_arn: str | None = None) -> Any:
    stack = new_stack(main=NAMED_PROGRAM)
    if solution_arn is not None:
        stack.set_config(f"{PROJECT}:solutionArn", solution_arn)
        stack.solution_arn = solution_arn
    stack.set_config(f"{PROJECT}:versionName", name)
    return stack


@pytest.mark.usefixtures("skewed_clock")
def test_another_stacks_training_under_the_same_explicit_name_is_never_adopted_retagged_or_stopped(
    new_stack, control, duplicate_names
):
    name = unique("recs")
    first = _named_stack(new_stack, name)
    second = _named_stack(new_stack, name, first.solution_arn)
    running = up_until_training(first, control, training_seconds=HELD)
    [theirs] = _versions(first.solution_arn)
    wait_until(lambda: theirs in running.output, 60, "the first stack's ARN to be shown", running)
    their_marker = marker_of(_client(), theirs)

    start = len(second.lines)
    if duplicate_names:  # the service trains a second version under the name: the second stack's own
        other = BackgroundOperation(second, "up")
        wait_until(lambda: trainings_started(control) == 2, 90, "the second stack's own training", other)
        [ours] = [arn for arn in _versions(first.solution_arn) if arn != theirs]
        wait_until(lambda: ours in other.output, 60, "the second stack's ARN to be shown", other)
        other.signal_cli(signal.SIGINT)
        code, shown = other.finish(timeout=90)
        assert code != 0 and theirs not in shown, "the second stack never took the first one's training"
    else:  # the service refuses the name: the second stack fails at once, naming the version, training nothing
        with pytest.raises(EngineFailed):
            second.up()
        shown = second.output_since(start)
        lines = [line for line in shown.splitlines() if theirs in line and "not this stack's" in line]
        assert lines and "no training was started" in lines[0], shown
        assert trainings_started(control) == 1

    second.destroy()
    assert theirs not in _stopped(control), "the second stack's destroy left the first stack's training alone"
    assert _status(theirs) in ("CREATE PENDING", "CREATE IN_PROGRESS")
    assert marker_of(_client(), theirs) == their_marker, "never retagged"
    if duplicate_names:
        assert _stopped(control) == [ours], "the second stack's destroy stopped its own training"

    control.set_timing(training_seconds=1.0, setup_seconds=0.5)
    code, shown = running.finish(timeout=120)
    assert code == 0, shown
    assert first.outputs()["solutionVersionArn"] == theirs and first.outputs()["status"] == "ACTIVE"


def test_destroy_never_stops_a_version_whose_name_only_looks_like_an_attempt(new_stack, control):
    name = unique("recs")
    stack = _named_stack(new_stack, name)
    control.set_timing(training_seconds=1.0, setup_seconds=0.5)
    stack.up()
    # Another project's derived name that ends in digits only: `<name>-19301250` reads as attempt 19301250 of `name`.
    control.set_timing(training_seconds=HELD, setup_seconds=0.5)
    lookalike = _client().create_solution_version(solutionArn=stack.solution_arn, name=f"{name}-19301250")
    lookalike_arn = lookalike["solutionVersionArn"]
    control.clear_requests()

    stack.destroy()

    assert _stopped(control) == [] and _status(lookalike_arn) in ("CREATE PENDING", "CREATE IN_PROGRESS")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGKILL], ids=["SIGINT", "SIGKILL"])
@pytest.mark.usefixtures("skewed_clock")
def test_a_targeted_interrupted_retrain_is_stopped_by_destroy(new_stack, control, duplicate_names, signum):
    stack = new_stack()
    control.set_timing(training_seconds=1.0, setup_seconds=0.5)
    stack.up()
    recorded = stack.outputs()["solutionVersionArn"]
    [version] = [r["urn"] for r in stack.resources() if r["type"].endswith(":SolutionVersion")]
    stack.set_config(f"{PROJECT}:retrainTrigger", "import-job-2")

    running = up_until_training(stack, control, training_seconds=HELD, targets=(version,))
    [retraining] = [arn for arn in _versions(stack.solution_arn) if arn != recorded]
    wait_until(lambda: retraining in running.output, 60, "the retraining's ARN to be shown", running)
    running.signal_cli(signum)
    code, _ = running.finish(timeout=90)
    assert code != 0 and _status(retraining) in ("CREATE PENDING", "CREATE IN_PROGRESS")
    if signum == signal.SIGKILL:
        stack.cli_command("cancel", "--yes")

    start = len(stack.lines)
    stack.destroy()
    shown = stack.output_since(start)

    assert retraining in _stopped(control), shown
    assert _status(retraining) in ("CREATE STOPPING", "CREATE STOPPED")
    assert any(retraining in line and "stopped the training" in line for line in shown.splitlines()), shown


@pytest.mark.usefixtures("skewed_clock")
def test_a_create_whose_answer_is_lost_trains_once(new_stack, control, duplicate_names):
    stack = new_stack()
    control.set_timing(training_seconds=1.0, setup_seconds=0.5)
    control.add_fault(kind="lose_answer", operation="CreateSolutionVersion", count=1)

    start = len(stack.lines)
    stack.up()
    shown = stack.output_since(start)

    [only] = _versions(stack.solution_arn)
    assert stack.outputs()["solutionVersionArn"] == only and stack.outputs()["status"] == "ACTIVE"
    assert control.count("CreateSolutionVersion") == 1, "never sent again: the lost one was found first"
    assert any(only in line and "answer was lost" in line for line in shown.splitlines()), shown
