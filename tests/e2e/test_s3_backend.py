"""A team's stack on a shared S3 state backend, on the real engine: two work folders (two people's checkouts, each
with its own PULUMI_HOME) run `pulumi up` of one stack at once, and the engine's lock lets exactly one of them train.

The bucket is served by moto's S3 on the emulator's own port (the emulator hands every call that is not Personalize to
moto's server), and the CLI reaches it through the Go CDK's s3blob driver with the URL form S3-compatible stores use
(`endpoint=<host:port>&s3ForcePathStyle=true&disableSSL=true`). Timing is arranged, never raced: the training takes
five minutes until the test shortens it, and every step waits for what it needs to see (the lock object in the bucket,
the training in the emulator's request log and its ARN on the winner's screen).
"""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest

from harness.automation import EngineFailed, EngineStack
from personalize_pulumi.emulator.launcher import EmulatorProcess
from personalize_pulumi.seeding import active_solution
from tests.e2e.conftest import PROJECT, BackgroundOperation, child_processes, provider_hosts, wait_until
from tests.helpers import FAST_POLLING, REGION, trainings_started, unique

LOCKS = ".pulumi/locks/"
"""Where the engine's diy backend keeps one object per lock holder (`<stack>/<lock id>.json`)."""


def backend_url(bucket: str, emulator: EmulatorProcess) -> str:
    host_port = emulator.url.removeprefix("http://")
    # The engine translates disableSSL for the Go SDK v2 (disable_https / an http:// endpoint); the response checksum
    # setting only quiets the SDK's "Response has no supported checksum" warning about moto's answers.
    return (
        f"s3://{bucket}?endpoint={host_port}&s3ForcePathStyle=true&disableSSL=true&region={REGION}"
        "&response_checksum_validation=when_required"
    )


@pytest.fixture
def s3(emulator: EmulatorProcess) -> Any:
    return boto3.client("s3", region_name=REGION, endpoint_url=emulator.url)


@dataclass
class Team:
    """Two work folders on one stack of a shared bucket."""

    alice: EngineStack
    bob: EngineStack
    bucket: str
    solution: str
    background: list[BackgroundOperation] = field(default_factory=list)
    """Operations run in their own process, whose output is shown with the folders' if the test fails."""


@pytest.fixture
def team(cli: Path, emulator: EmulatorProcess, s3: Any, tmp_path: Path) -> Iterator[Team]:
    """Alice's and Bob's work folders, each with its own program copy and PULUMI_HOME, on one stack of a new bucket;
    both have the same stack file (encryption salt and solution), as a committed Pulumi.dev.yaml would give them."""
    bucket = unique("team-state")
    s3.create_bucket(Bucket=bucket)
    solution = active_solution(boto3.client("personalize", region_name=REGION), unique("e2e"))
    env = {**emulator.env(REGION), **FAST_POLLING, "PULUMI_BACKEND_URL": backend_url(bucket, emulator)}
    alice = EngineStack(tmp_path / "alice", env=env, cli=cli, echo=None)
    alice.set_config(f"{PROJECT}:solutionArn", solution)
    (tmp_path / "bob" / "program").mkdir(parents=True)
    shutil.copy(alice.program_dir / "Pulumi.dev.yaml", tmp_path / "bob" / "program" / "Pulumi.dev.yaml")
    bob = EngineStack(tmp_path / "bob", env=env, cli=cli, echo=None)  # keeps the salt of the stack file there
    bob.set_config(f"{PROJECT}:solutionArn", solution)
    assert (bob.program_dir / "Pulumi.dev.yaml").read_text() == (alice.program_dir / "Pulumi.dev.yaml").read_text()
    assert alice.env["PULUMI_HOME"] != bob.env["PULUMI_HOME"]
    made = Team(alice, bob, bucket, solution)
    yield made
    for stack in (alice, bob):
        print(f"--- engine output of {stack.folder} ---")
        print("\n".join(stack.lines))
    for operation in made.background:
        if operation.process.poll() is None:  # the test failed before it ended: no five-minute orphan
            for pid in child_processes(operation.process.pid):
                os.kill(pid, signal.SIGKILL)
            operation.process.kill()
            operation.process.wait()
        print(f"--- output of a background operation (pid {operation.process.pid}) ---")
        print(operation.output)


def lock_objects(s3: Any, bucket: str) -> list[str]:
    listed = s3.list_objects_v2(Bucket=bucket, Prefix=LOCKS).get("Contents", [])
    return [entry["Key"] for entry in listed if entry["Key"].endswith(".json")]


@pytest.mark.usefixtures("duplicate_names")  # no source says whether the service refuses them
def test_two_folders_up_one_stack_at_once_one_is_locked_out_then_the_other_adopts_the_training(team, s3, control):
    alice, bob, bucket = team.alice, team.bob, team.bucket
    control.set_timing(training_seconds=300.0, setup_seconds=0.5)
    control.clear_requests()

    running = BackgroundOperation(alice, "up")
    team.background.append(running)
    [lock] = wait_until(lambda: lock_objects(s3, bucket), 60, "Alice's up to lock the stack in the bucket", running)
    alice_cli = running.cli_pid()

    with pytest.raises(EngineFailed) as locked:
        bob.up()
    refused = locked.value.output
    assert "the stack is currently locked by 1 lock(s)" in refused, refused
    assert f"{bucket}/{lock}" in refused and f"(pid {alice_cli})" in refused, "the error names Alice's lock"

    wait_until(lambda: trainings_started(control) == 1, 90, "Alice's training to start", running)
    client = boto3.client("personalize", region_name=REGION)
    [version] = client.list_solution_versions(solutionArn=team.solution)["solutionVersions"]
    arn = version["solutionVersionArn"]
    wait_until(lambda: arn in running.output, 30, "the ARN on Alice's screen", running)
    assert trainings_started(control) == 1, "Bob's up started nothing"

    running.signal_cli(signal.SIGKILL)
    code, _ = running.finish()
    assert code != 0
    wait_until(lambda: not provider_hosts(alice.program_dir), 10, "Alice's orphaned provider host to exit")
    assert lock_objects(s3, bucket) == [lock], "a killed CLI leaves its lock behind"
    status = client.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]["status"]
    assert status in ("CREATE PENDING", "CREATE IN_PROGRESS"), "the training itself goes on"

    # Bob's recovery, from his own folder, as the README's recovery steps say: release the stale lock, drop the
    # pending create the kill left in the shared state, then up adopts the training Alice's up started.
    bob.cli_command("cancel", "--yes")
    assert lock_objects(s3, bucket) == []
    assert len(bob.pending_operations()) == 1
    bob.cli_command("refresh", "--clear-pending-creates", "--yes")
    assert bob.pending_operations() == []
    control.set_timing(training_seconds=2.0, setup_seconds=0.5)
    bob.up()
    outputs = bob.outputs()
    assert outputs["solutionVersionArn"] == arn and outputs["status"] == "ACTIVE", "Bob's up adopted the training"
    assert trainings_started(control) == 1, "one training in all"
    assert bob.pending_operations() == [] and lock_objects(s3, bucket) == []
    assert alice.outputs()["solutionVersionArn"] == arn, "Alice's folder reads the same stack"
