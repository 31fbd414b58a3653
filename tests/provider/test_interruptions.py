"""A training an interrupted `pulumi up` started is never lost nor trained twice; Ctrl-C is answered in seconds.

Through the real host, as the engine sends its calls: a create interrupted by a hard kill of its host leaves the
training in no state but its `<name>-owner`'s. A later create (a new host, as the next `up` starts) finds it before
calling CreateSolutionVersion; destroying the owner (a new host, as `pulumi destroy` starts) stops it, naming it.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from harness.dynamic_host import DynamicHost, HostError
from personalize_pulumi.emulator.launcher import EmulatorProcess
from tests.helpers import (
    FAST_POLLING,
    HELD,
    REGION,
    active_solution,
    checked,
    message,
    start_host,
    trainings_started,
    unique,
    version_status,
)


def _owner(host: DynamicHost, solution: str, resource: str) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """The `<resource>-owner` a SolutionVersion declares (its id, outputs and the inputs the engine records)."""
    identity = {"solutionArn": solution, "nameScope": f"proj/dev/{resource}"}
    owner_id, outs = host.create_owner(f"{resource}-owner", identity)
    return owner_id, outs, identity


def _owned_inputs(host: DynamicHost, solution: str, resource: str, outs: dict[str, Any]) -> dict[str, Any]:
    _, inputs = checked(
        host, solution, resource=resource, ownerToken=outs["token"], ownerCreatedAt=outs["serviceCreatedAt"]
    )
    return inputs


def _create_until_killed(
    emulator: EmulatorProcess, control: Any, personalize: Any, resource: str, inputs: dict[str, Any]
) -> str:
    """Create in a host of its own, hard-kill that host once the training started (what SIGKILL of the CLI does);
    returns the ARN of the training, which nothing recorded."""
    host = start_host(emulator)
    errors: list[Exception] = []

    def create() -> None:
        try:
            host.create(resource, inputs)
        except HostError as error:
            errors.append(error)

    worker = threading.Thread(target=create)
    worker.start()
    for _ in range(600):
        if trainings_started(control) == 1:
            break
        time.sleep(0.1)
    host.kill()
    worker.join(timeout=30)
    assert errors, "the create was cut off"
    [version] = personalize.list_solution_versions(solutionArn=inputs["solutionArn"])["solutionVersions"]
    arn: str = version["solutionVersionArn"]
    return arn


@pytest.fixture
def held(control: Any) -> Any:
    """Trainings that last ten minutes: they end only when a test says so."""
    control.set_timing(training_seconds=HELD, setup_seconds=0)
    return control


@pytest.mark.usefixtures("duplicate_names")  # no source says whether the service refuses them
def test_destroying_the_owner_stops_the_training_an_interrupted_create_left_and_names_it(
    emulator, held, personalize, host
):
    solution = active_solution(personalize)
    resource = unique("m")
    owner_id, outs, identity = _owner(host, solution, resource)
    arn = _create_until_killed(emulator, held, personalize, resource, _owned_inputs(host, solution, resource, outs))
    assert version_status(personalize, arn) in ("CREATE PENDING", "CREATE IN_PROGRESS")

    destroying = start_host(emulator)
    try:
        destroying.delete_owner(f"{resource}-owner", owner_id, outs, identity)
    finally:
        destroying.stop()
    stops = held.requests("StopSolutionVersionCreation")
    assert [entry["params"]["solutionVersionArn"] for entry in stops] == [arn]
    assert version_status(personalize, arn) in ("CREATE STOPPING", "CREATE STOPPED")
    [line] = [line for line in destroying.output if "stopped the training" in line]
    assert arn in line and "interrupted `pulumi up`" in line and "never recorded" in line


def test_destroying_the_owner_of_a_recorded_active_version_stops_nothing(emulator, fast, personalize, host):
    solution = active_solution(personalize)
    resource = unique("m")
    owner_id, outs, identity = _owner(host, solution, resource)
    inputs = _owned_inputs(host, solution, resource, outs)
    arn, _ = host.create(resource, inputs)
    host.delete(resource, arn, {**inputs, "solutionVersionArn": arn})

    host.delete_owner(f"{resource}-owner", owner_id, outs, identity)

    assert fast.count("StopSolutionVersionCreation") == 0
    assert version_status(personalize, arn) == "ACTIVE"


def test_an_owner_recorded_without_its_inputs_is_deleted_without_any_aws_call(fast, personalize, host):
    owner_id, outs = host.create_owner(unique("m-owner"), {})
    fast.clear_requests()

    host.delete_owner("m-owner", owner_id, outs, identity=None)

    assert fast.requests() == []


def test_the_owner_token_is_not_its_id(host):
    owner_id, outs = host.create_owner(unique("m-owner"), {})
    assert outs["token"] and outs["token"] not in owner_id
    assert outs["createdAt"].endswith("+00:00")


@pytest.mark.usefixtures("duplicate_names")  # no source says whether the service refuses them
def test_the_next_create_finds_an_interrupted_training_without_calling_create_again(emulator, held, personalize, host):
    solution = active_solution(personalize)
    resource = unique("m")
    _, outs, _ = _owner(host, solution, resource)
    inputs = _owned_inputs(host, solution, resource, outs)
    arn = _create_until_killed(emulator, held, personalize, resource, inputs)
    held.set_timing(training_seconds=0.5, setup_seconds=0)

    resuming = start_host(emulator)
    try:
        id_, outputs = resuming.create(resource, inputs)
    finally:
        resuming.stop()
    assert id_ == arn and outputs["status"] == "ACTIVE"
    assert held.count("CreateSolutionVersion") == 1, "no second CreateSolutionVersion, refused or not"


def test_ctrl_c_with_a_hung_endpoint_is_answered_in_seconds_naming_the_training(personalize):
    hung = EmulatorProcess(training_seconds=HELD, setup_seconds=0)
    host = DynamicHost(env={**hung.env(REGION), **FAST_POLLING})
    try:
        host.configure({"aws:region": REGION})
        import boto3

        client = boto3.client("personalize", region_name=REGION, endpoint_url=hung.url)
        solution = active_solution(client)
        resource = unique("m")
        _, inputs = checked(host, solution, resource=resource)
        errors: list[HostError] = []
        worker = threading.Thread(target=lambda: _record_error(errors, lambda: host.create(resource, inputs)))
        worker.start()
        for _ in range(600):
            if any(e["status"] == 200 for e in hung.control.requests("CreateSolutionVersion")):
                break
            time.sleep(0.1)
        [arn] = [
            v["solutionVersionArn"] for v in client.list_solution_versions(solutionArn=solution)["solutionVersions"]
        ]
        os.kill(hung.process.pid, signal.SIGSTOP)  # TCP still accepts; nothing answers
        try:
            port = int(hung.url.rsplit(":", 1)[1])
            for _ in range(600):  # until a poll of the create waits, unread, at the stopped endpoint
                if _unread_request_at(port):
                    break
                time.sleep(0.1)
            assert _unread_request_at(port)
            host.cancel()
            worker.join(timeout=30)
            answered_while_hung = not worker.is_alive()
        finally:
            os.kill(hung.process.pid, signal.SIGCONT)
        worker.join(timeout=120)
        assert answered_while_hung, "the create waited for the hung endpoint (botocore's read timeouts)"
        [error] = errors
        text = message(error)
        assert arn in text and "interrupted" in text and "`pulumi destroy` stops it" in text, text
        assert "Traceback" not in error.details
    finally:
        host.stop()
        hung.stop()


def _record_error(errors: list[HostError], call: Any) -> None:
    try:
        call()
    except HostError as error:
        errors.append(error)


def _unread_request_at(port: int) -> bool:
    """Whether a connection to 127.0.0.1:`port` holds bytes its server has not read (Linux /proc/net/tcp)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, state, queues = fields[1], fields[3], fields[4]
        if int(local.split(":")[1], 16) == port and state == "01" and int(queues.split(":")[1], 16) > 0:
            return True
    return False


def test_an_owner_of_1_0_whose_id_is_its_token_is_replaced_once_and_a_new_one_never():
    from personalize_pulumi.provider.owner import TrainingOwnerProvider

    provider = TrainingOwnerProvider()
    old = provider.diff("2e011df634c3651e", {"token": "2e011df634c3651e"}, {"token": None})
    assert old.changes and old.replaces == ["token"], "its id showed its token in plaintext state"
    identity = {"solutionArn": "arn:aws:personalize:us-east-1:1:solution/s", "nameScope": "p/dev/m"}
    new = provider.diff("owner-5f1c", {"token": "72ae895d5771fe12", **identity}, {"token": None, **identity})
    assert not new.changes and new.replaces == []
