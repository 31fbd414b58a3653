"""SolutionVersion through the real dynamic-provider host (`python -m pulumi.dynamic`) against the emulator."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from pulumi.runtime.proto import provider_pb2

from harness.dynamic_host import HostError
from tests.helpers import (
    FAST_POLLING,
    HELD,
    REGION,
    InBackground,
    active_solution,
    checked,
    held_in_progress,
    live_tags,
    poll_until,
    said_it_adopted,
    start_host,
    trainings_started,
    version_status,
    wait_for,
)

TAGS = {"team": "ml", "cost-center": "42"}


@dataclass(frozen=True)
class Trained:
    """One version created through the module's host with `TAGS`, and what the emulator logged for that create."""

    name: str
    solution: str
    inputs: dict[str, Any]
    id: str
    outs: dict[str, Any]
    calls: dict[str, int]


@pytest.fixture(scope="module")
def trained(host: Any, emulator: Any) -> Trained:
    personalize = boto3.client("personalize", region_name=REGION)
    solution = active_solution(personalize)
    name, inputs = checked(host, solution, tags=TAGS)
    emulator.control.clear_requests()
    id_, outs = host.create(name, inputs)
    operations = ("CreateSolutionVersion", "DescribeSolutionVersion")
    return Trained(name, solution, inputs, id_, outs, {op: emulator.control.count(op) for op in operations})


def test_check_defaults_the_training_mode_and_derives_the_name(trained):
    assert trained.inputs["trainingMode"] == "FULL"
    assert trained.inputs["name"].startswith(trained.name + "-")


def test_create_trains_once_and_returns_only_once_the_version_is_active(trained):
    assert trained.outs["status"] == "ACTIVE"
    assert trained.calls["CreateSolutionVersion"] == 1
    assert trained.calls["DescribeSolutionVersion"] >= 2, "create polled the training until it ended"


def test_read_returns_the_live_outputs_and_the_inputs_they_imply(host, trained):
    read_id, read_outs, read_inputs = host.read(trained.name, trained.id, trained.outs)
    assert read_id == trained.id and read_outs["status"] == "ACTIVE" and read_outs["metrics"] == trained.outs["metrics"]
    assert read_inputs["tags"] == trained.inputs["tags"] and read_inputs["tagsAll"] == trained.outs["tagsAll"]


def test_diff_of_the_created_inputs_is_no_change(host, trained):
    diff = host.diff(trained.name, trained.id, trained.outs, trained.inputs)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_NONE


def test_diff_of_new_tags_is_an_update_in_place(host, trained):
    retagged, _ = host.check(trained.name, {**trained.inputs, "tags": {"team": "search"}}, olds=trained.inputs)
    diff = host.diff(trained.name, trained.id, trained.outs, retagged)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME and list(diff.replaces) == []


def test_diff_of_another_training_mode_is_a_create_before_delete_replace(host, trained):
    diff = host.diff(trained.name, trained.id, trained.outs, {**trained.inputs, "trainingMode": "UPDATE"})
    assert list(diff.replaces) == ["trainingMode"] and not diff.deleteBeforeReplace


def test_diff_of_another_budget_is_an_update_in_place(host, trained):
    diff = host.diff(trained.name, trained.id, trained.outs, {**trained.inputs, "waitTimeoutMinutes": 5.0})
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME and list(diff.replaces) == []


def test_update_of_tags_changes_them_in_place_and_returns_full_outputs(host, personalize, fast):
    name, inputs = checked(host, active_solution(personalize), tags=TAGS)
    id_, outs = host.create(name, inputs)
    retagged, _ = host.check(name, {**inputs, "tags": {"team": "search"}}, olds=inputs)
    fast.clear_requests()

    updated = host.update(name, id_, outs, retagged)

    assert updated["tags"] == {"team": "search"} and updated["tagsAll"] == {"team": "search"}
    assert updated["status"] == "ACTIVE" and updated["metrics"] == outs["metrics"], "update returns full outputs"
    assert live_tags(personalize, id_) == {"team": "search"}
    assert [e["params"]["tagKeys"] for e in fast.requests("UntagResource")] == [["cost-center"]]
    assert fast.count("CreateSolutionVersion") == 0


def test_delete_of_an_active_version_forgets_it_and_says_so(host, personalize, fast):
    name, inputs = checked(host, active_solution(personalize))
    id_, outs = host.create(name, inputs)
    fast.clear_requests()

    host.delete(name, id_, outs)

    assert fast.count("StopSolutionVersionCreation") == 0, "an ACTIVE version has nothing to stop"
    assert any("no API to delete a solution version" in line and id_ in line for line in host.output)
    assert version_status(personalize, id_) == "ACTIVE"


def test_create_failed_raises_with_arn_and_failure_reason(host, personalize, control):
    solution = active_solution(personalize)
    control.add_fault(
        kind="fail_training", reason="Insufficient interactions: need at least 1000.", solution_arn=solution
    )
    name, inputs = checked(host, solution)
    with pytest.raises(HostError) as exc:
        host.create(name, inputs)
    last = exc.value.last_line
    arn = personalize.list_solution_versions(solutionArn=solution)["solutionVersions"][0]["solutionVersionArn"]
    assert "CREATE FAILED" in last and arn in last and "Insufficient interactions: need at least 1000." in last
    assert "pulumi up" in last and f"{inputs['name']}-2" in last, "the message says what to do next: the next attempt"


def test_budget_exceeded_names_the_arn_and_a_retry_adopts_the_running_training(host, personalize, control):
    control.set_timing(training_seconds=HELD)
    solution = active_solution(personalize)
    name, inputs = checked(host, solution, waitTimeoutMinutes=0.02)  # 1.2 s
    with pytest.raises(HostError) as exc:
        host.create(name, inputs)
    (summary,) = personalize.list_solution_versions(solutionArn=solution)["solutionVersions"]
    arn = summary["solutionVersionArn"]
    last = exc.value.last_line
    assert arn in last and "continues" in last and "pulumi up" in last and "waitTimeoutMinutes" in last
    assert version_status(personalize, arn) in ("CREATE PENDING", "CREATE IN_PROGRESS"), "the training was not stopped"

    control.set_timing(training_seconds=1)
    id_, outs = host.create(name, {**inputs, "waitTimeoutMinutes": 5.0})
    assert id_ == arn and outs["status"] == "ACTIVE"
    assert trainings_started(control) == 1, "the retry adopted the version instead of training another"


def test_host_killed_mid_create_then_retried_adopts_the_same_training(emulator, personalize, control):
    control.set_timing(training_seconds=4)
    solution = active_solution(personalize)
    first = start_host(emulator)
    name, inputs = checked(first, solution)
    errors = []
    worker = threading.Thread(target=lambda: _capture(errors, first.create, name, inputs))
    worker.start()
    wait_for(lambda: "started" if control.count("CreateSolutionVersion") else "waiting", ("started",))
    first.kill()
    worker.join(10)
    assert errors and isinstance(errors[0], HostError), "the interrupted create must not report success"

    second = start_host(emulator)
    try:
        id_, outs = second.create(name, inputs)
    finally:
        second.stop()
    assert outs["status"] == "ACTIVE"
    assert trainings_started(control) == 1, "exactly one training for the resource"
    assert [
        v["solutionVersionArn"] for v in personalize.list_solution_versions(solutionArn=solution)["solutionVersions"]
    ] == [id_]
    assert said_it_adopted(second.output, id_)


def test_refresh_shows_tag_drift_and_the_next_diff_updates_it(host, personalize, control):
    solution = active_solution(personalize)
    name, inputs = checked(host, solution, tags={"team": "ml"})
    id_, outs = host.create(name, inputs)
    personalize.tag_resource(resourceArn=id_, tags=[{"tagKey": "team", "tagValue": "someone-else"}])
    _, refreshed, refreshed_inputs = host.read(name, id_, outs)
    assert refreshed["tagsAll"] == {"team": "someone-else"} and refreshed_inputs["tagsAll"] == {"team": "someone-else"}
    assert refreshed["tags"] == refreshed_inputs["tags"] == {"team": "ml"}, "tags stay what the program declares"
    drift = host.diff(name, id_, refreshed, inputs)
    assert drift.changes == provider_pb2.DiffResponse.DIFF_SOME and list(drift.replaces) == []
    repaired = host.update(name, id_, refreshed, inputs)
    assert repaired["tagsAll"] == {"team": "ml"}


def test_delete_during_training_stops_it(host, personalize, control):
    solution = active_solution(personalize)
    name, inputs = checked(host, solution)
    arn = held_in_progress(personalize, control, solution, name=inputs["name"])  # a pending one would stop at once
    delete = InBackground(
        lambda: host.delete(name, arn, {**inputs, "solutionVersionArn": arn, "status": "CREATE IN_PROGRESS"})
    )
    poll_until(lambda: [e for e in control.requests("StopSolutionVersionCreation") if e["status"] == 200], "the stop")
    assert version_status(personalize, arn) == "CREATE STOPPING"
    control.set_timing(training_seconds=1)  # stopping takes half of it
    delete.result()
    assert version_status(personalize, arn) == "CREATE STOPPED", "delete returns once the training has stopped"
    assert control.count("StopSolutionVersionCreation") == 1


def test_service_errors_at_create_end_in_one_clear_line(host, personalize, control):
    solution = active_solution(personalize)
    name, inputs = checked(host, solution, trainingMode="UPDATE")
    with pytest.raises(HostError) as exc:
        host.create(name, inputs)
    last = exc.value.last_line
    assert "InvalidInputException" in last and "UPDATE" in last and solution in last


def _capture(errors, call, *args):
    try:
        call(*args)
    except Exception as error:  # the test inspects it
        errors.append(error)


def test_stack_config_from_configure_chooses_the_credentials(emulator, personalize, control):
    """`aws:profile` in the stack config reaches the host through Configure and is used for the calls."""
    from harness.dynamic_host import DynamicHost

    solution = active_solution(personalize)
    host = DynamicHost(env={**emulator.env(REGION), **FAST_POLLING})
    try:
        host.configure({"aws:region": REGION, "aws:profile": "team-ml-prod"})
        name, inputs = checked(host, solution)
        with pytest.raises(HostError) as exc:
            host.create(name, inputs)
    finally:
        host.stop()
    assert "'team-ml-prod' (the stack's aws:profile) could not be found" in exc.value.last_line
    assert control.count("CreateSolutionVersion") == 0
