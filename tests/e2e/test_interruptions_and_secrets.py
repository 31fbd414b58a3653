"""On the real engine: an interrupted `up` never leaves a training untracked, and secrets stay secret.

A CI run cancelled mid-training (SIGINT, what Ctrl-C sends; SIGTERM, what CI runners send; SIGKILL), then
`pulumi destroy`: the training the stack started is stopped and named, and the next `up` trains one version. A tag
value marked secret, and the owner token that seeds derived names, never reach the state, the display or the logs in
plaintext.
"""

from __future__ import annotations

import json
import signal

import boto3
import pytest
from pulumi import automation as auto

from tests.e2e.conftest import PROJECT, provider_hosts, up_until_training, wait_until
from tests.helpers import REGION, trainings_started

SECRET = "s3cr3t-tag-value-4711"
"""A tag value the program marks secret; it must be found nowhere in plaintext."""

SECRET_TAGS_PROGRAM = f"""
import pulumi
from personalize_pulumi import SolutionVersion, SolutionVersionArgs

config = pulumi.Config()
model = SolutionVersion(
    "recommendations",
    SolutionVersionArgs(
        solution_arn=config.require("solutionArn"),
        tags={{"team": "recs", "token": pulumi.Output.secret(config.get("secretTag") or "{SECRET}")}},
    ),
)
pulumi.export("tagsAll", model.tags_all)
"""


def _client():
    return boto3.client("personalize", region_name=REGION)


def _status(arn: str) -> str:
    return str(_client().describe_solution_version(solutionVersionArn=arn)["solutionVersion"]["status"])


@pytest.mark.parametrize(
    "signum", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL], ids=["SIGINT", "SIGTERM", "SIGKILL"]
)
@pytest.mark.usefixtures("duplicate_names", "skewed_clock")  # no source says whether the service refuses them
def test_an_interrupted_up_then_destroy_stops_its_training_naming_it_and_the_next_up_trains_once(
    new_stack, control, signum
):
    stack = new_stack()
    running = up_until_training(stack, control, training_seconds=300.0)
    [version] = _client().list_solution_versions(solutionArn=stack.solution_arn)["solutionVersions"]
    arn = version["solutionVersionArn"]
    wait_until(lambda: arn in running.output, 30, "the ARN to be shown", running)

    running.signal_cli(signum)
    code, _ = running.finish(timeout=90)
    assert code != 0
    assert _status(arn) in ("CREATE PENDING", "CREATE IN_PROGRESS"), "the training went on after the interrupt"
    if signum == signal.SIGKILL:
        stack.cli_command("cancel", "--yes")  # a killed CLI leaves the stack locked

    start = len(stack.lines)
    stack.destroy()
    shown = stack.output_since(start)
    assert _status(arn) in ("CREATE STOPPING", "CREATE STOPPED"), shown
    assert [e["params"]["solutionVersionArn"] for e in control.requests("StopSolutionVersionCreation")] == [arn]
    lines = [text for text in shown.splitlines() if "stopped the training" in text]
    assert lines and all(arn in line and "never recorded" in line for line in lines), shown

    control.set_timing(training_seconds=2.0, setup_seconds=0.5)
    stack.up()
    assert trainings_started(control) == 2, "the next up trained one version, after the first was stopped"
    creates = [e for e in control.requests("CreateSolutionVersion") if e["status"] == 200]
    [stop] = control.requests("StopSolutionVersionCreation")
    assert stop["time"] < creates[1]["time"], "never two trainings of the resource at once"
    assert stack.outputs()["status"] == "ACTIVE" and stack.outputs()["solutionVersionArn"] != arn


def test_a_secret_tag_value_is_secret_in_state_outputs_diff_and_logs(new_stack, control):
    stack = new_stack(main=SECRET_TAGS_PROGRAM)
    control.set_timing(training_seconds=1.0, setup_seconds=0.5)
    stack.up()
    assert stack.stack.outputs()["tagsAll"].secret or SECRET not in json.dumps(stack.outputs()["tagsAll"])
    [version] = _client().list_solution_versions(solutionArn=stack.solution_arn)["solutionVersions"]
    live = _client().list_tags_for_resource(resourceArn=version["solutionVersionArn"])["tags"]
    assert {"tagKey": "token", "tagValue": SECRET} in live, "the version has the tag on AWS"

    changed = "another-secret-value"
    stack.stack.set_config(f"{PROJECT}:secretTag", auto.ConfigValue(changed, secret=True))
    start = len(stack.lines)
    stack.preview(diff=True, log_verbosity=9, log_to_std_err=True)
    stack.up()
    shown = stack.output_since(start)
    assert "retags it" in shown, "the preview ran and showed the tag update"
    assert "Marshaling property" in shown or "RPC" in shown, "the -v=9 log was captured"
    assert SECRET not in shown and changed not in shown

    state = _state_files(stack)
    assert SECRET not in state and changed not in state


def test_the_owner_token_is_stored_encrypted_and_is_not_the_owners_id(new_stack, control):
    stack = new_stack()
    control.set_timing(training_seconds=1.0, setup_seconds=0.5)
    stack.up()
    plain = json.loads(stack.cli_command("stack", "export", "--show-secrets").stdout)
    [decrypted] = [r for r in plain["deployment"]["resources"] if r["type"].endswith(":TrainingOwner")]
    token = json.loads(decrypted["outputs"]["token"]["plaintext"])  # a secret, shown decrypted
    assert isinstance(token, str) and len(token) == 16
    state = _state_files(stack)
    assert "ciphertext" in state and token not in state, "stored encrypted only, the owner's id included"


def _state_files(stack) -> str:
    """Every file of the stack's backend (state, history, backups), as the text anyone who can read them sees."""
    return "\n".join(path.read_text() for path in (stack.folder / "state").rglob("*") if path.is_file())


@pytest.mark.usefixtures("duplicate_names", "skewed_clock")  # no source says whether the service refuses them
def test_after_a_hard_kill_up_adopts_and_says_the_command_that_clears_the_pending_create(new_stack, control):
    stack = new_stack()
    running = up_until_training(stack, control, training_seconds=300.0)
    [host] = wait_until(lambda: provider_hosts(stack.program_dir), 10, "the provider host")
    [version] = _client().list_solution_versions(solutionArn=stack.solution_arn)["solutionVersions"]
    arn = version["solutionVersionArn"]
    wait_until(lambda: arn in running.output, 30, "the ARN to be shown", running)
    running.signal_cli(signal.SIGKILL)
    running.finish(timeout=90)
    # The engine is gone: its provider host notices (stdin closes) and stops polling instead of living on orphaned.
    wait_until(lambda: host not in provider_hosts(stack.program_dir), 10, "the orphaned provider host to exit")
    status = _client().describe_solution_version(solutionVersionArn=arn)["solutionVersion"]["status"]
    assert status in ("CREATE PENDING", "CREATE IN_PROGRESS"), "the training itself goes on"
    stack.cli_command("cancel", "--yes")
    assert len(stack.pending_operations()) == 1

    control.set_timing(training_seconds=2.0, setup_seconds=0.5)
    start = len(stack.lines)
    stack.up()
    shown = stack.output_since(start)
    assert "pending operations" in shown, "the engine warned of the pending create"
    command = "pulumi refresh --clear-pending-creates --yes"
    assert [line for line in shown.splitlines() if arn in line and command in line], shown
    assert stack.outputs()["solutionVersionArn"] == arn and trainings_started(control) == 1
    assert len(stack.pending_operations()) == 1, "the provider cannot clear the engine's pending create itself"

    stack.cli_command(*command.split()[1:])
    assert stack.pending_operations() == []
    start = len(stack.lines)
    stack.preview()
    assert "pending operations" not in stack.output_since(start)
