"""What the network and the service do to a long create, through the real dynamic-provider host against the emulator's
fault injection: outages while waiting, throttled reads after ACTIVE, the training quota, bad profiles, and operational
updates that must not call the service."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from harness.dynamic_host import HostError
from personalize_pulumi.provider.backoff import polling_env
from tests.helpers import (
    HELD,
    VERSION_MODEL,
    active_solution,
    checked,
    message,
    start_host,
    trainings_started,
    unique,
    version_status,
)

OUTAGE = 40
RIDER_ENV = {
    # No SDK retries, so every fault is one failed call the provider's own wait must ride out; quick polls keep the
    # 40-call outages short.
    "AWS_MAX_ATTEMPTS": "1",
    **polling_env(initial=0.02, cap=0.05),
}


@pytest.fixture(scope="module")
def rider(emulator: Any) -> Iterator[Any]:
    """A host with no botocore retries and fast polling."""
    started = start_host(emulator, **RIDER_ENV)
    yield started
    started.stop()


@pytest.mark.parametrize("kind", ["drop", "http500", "throttle"])
def test_an_outage_of_40_failed_polls_mid_training_ends_active_with_one_training(rider, personalize, control, kind):
    control.set_timing(training_seconds=1, setup_seconds=0)
    solution = active_solution(personalize)
    fault = {"code": "ThrottlingException"} if kind == "throttle" else {}
    # One more than the outage: the first DescribeSolutionVersion is the permission check before the training
    # (provider/permissions.py), which goes on whatever it gets but an AccessDeniedException.
    control.add_fault(kind=kind, operation="DescribeSolutionVersion", count=OUTAGE + 1, **fault)
    name, inputs = checked(rider, solution)
    rider.output.clear()

    id_, outs = rider.create(name, inputs)

    assert outs["status"] == "ACTIVE" and outs["metrics"]
    assert control.count("CreateSolutionVersion") == 1, "one training, and no lookup of history before it"
    polls = [e for e in control.requests("DescribeSolutionVersion") if e["params"]["solutionVersionArn"] == id_]
    statuses = [e["status"] for e in polls]
    assert statuses[:OUTAGE] == [{"drop": "dropped", "http500": 500, "throttle": 400}[kind]] * OUTAGE
    assert statuses[OUTAGE:] and set(statuses[OUTAGE:]) == {200}
    lines = [line for line in rider.output if name in line]
    assert any("retrying with backoff" in line and id_ in line for line in lines), "the outage is reported"
    assert any(f"answered again after {OUTAGE} failed calls" in line for line in lines)
    assert sum("retrying with backoff" in line for line in lines) <= 2, "an outage is reported sparsely, not per call"


def test_an_outage_past_the_budget_names_the_arn_and_the_next_step(rider, personalize, control):
    control.set_timing(training_seconds=1, setup_seconds=0)
    solution = active_solution(personalize)
    control.add_fault(kind="drop", operation="DescribeSolutionVersion", count=100_000)
    name, inputs = checked(rider, solution, waitTimeoutMinutes=0.02)  # 1.2 s
    with pytest.raises(HostError) as exc:
        rider.create(name, inputs)
    control.clear_faults()

    (arn,) = [
        e["solutionVersionArn"] for e in personalize.list_solution_versions(solutionArn=solution)["solutionVersions"]
    ]
    last = message(exc.value)
    assert last.startswith(f"waiting for Personalize solution version {inputs['name']} ({arn}): ")
    assert "no answer from Personalize" in last and "waitTimeoutMinutes=0.02" in last
    assert "training continues" in last and "next `pulumi up` resumes waiting" in last
    assert f"stop-solution-version-creation --solution-version-arn {arn}" in last

    id_, outs = rider.create(name, {**inputs, "waitTimeoutMinutes": 5.0})
    assert id_ == arn and outs["status"] == "ACTIVE"
    assert trainings_started(control) == 1, "the next up adopted the version"


@pytest.mark.parametrize("operation", ["GetSolutionMetrics", "ListTagsForResource"])
def test_reads_after_active_ride_out_throttling(rider, personalize, control, operation):
    control.set_timing(training_seconds=0.2, setup_seconds=0)
    solution = active_solution(personalize)
    control.add_fault(kind="throttle", operation=operation, count=8, code="ThrottlingException")
    name, inputs = checked(rider, solution, tags={"team": "ml"})
    id_, outs = rider.create(name, inputs)
    assert outs["status"] == "ACTIVE" and outs["metrics"] and outs["tagsAll"] == {"team": "ml"}
    assert [e["status"] for e in control.requests(operation)][-1] == 200


@pytest.mark.parametrize("operation", ["GetSolutionMetrics", "ListTagsForResource"])
def test_a_trained_version_is_recorded_even_when_tags_or_metrics_cannot_be_read(
    rider, personalize, control, moto_progression, operation
):
    # ACTIVE at the first describe: the short budget is all for the reads, whatever the machine's speed.
    moto_progression(VERSION_MODEL, progression="immediate")
    solution = active_solution(personalize)
    control.add_fault(kind="throttle", operation=operation, count=100_000, code="LimitExceededException")
    name, inputs = checked(rider, solution, tags={"team": "ml"}, waitTimeoutMinutes=0.03)  # reads retry until 1.8 s
    rider.output.clear()
    id_, outs = rider.create(name, inputs)
    control.clear_faults()

    assert outs["status"] == "ACTIVE" and id_ == outs["solutionVersionArn"]
    what = "metrics" if operation == "GetSolutionMetrics" else "tags"
    notes = [line for line in rider.output if f"its {what} could not be read" in line]
    assert len(notes) == 1 and id_ in notes[0] and name in notes[0] and "pulumi refresh" in notes[0]
    if what == "metrics":
        assert outs["metrics"] == {} and outs["tagsAll"] == {"team": "ml"}
    else:
        assert outs["metrics"] and outs["tagsAll"] == {"team": "ml"}, "falls back to the tags the create set"
    _, refreshed, _ = rider.read(name, id_, outs)
    assert refreshed["metrics"] and refreshed["tagsAll"] == {"team": "ml"}, "a refresh reads them again"


def test_the_quota_wait_never_starts_a_try_it_cannot_finish_within_the_budget(host, personalize, control):
    control.set_timing(training_seconds=HELD, setup_seconds=0)
    solutions = [active_solution(personalize) for _ in range(2)]
    hogs = [personalize.create_solution_version(solutionArn=solutions[i % 2])["solutionVersionArn"] for i in range(20)]
    try:
        name, inputs = checked(host, solutions[0], waitTimeoutMinutes=0.05)  # 3 s
        control.clear_requests()
        with pytest.raises(HostError) as exc:
            host.create(name, inputs)
    finally:
        for arn in hogs:  # still CREATE PENDING (held): stopped at once, so later tests have the region's quota
            personalize.stop_solution_version_creation(solutionVersionArn=arn)
    creates = control.requests("CreateSolutionVersion")
    assert len(creates) >= 3 and {e["status"] for e in creates} == {400}
    assert creates[-1]["time"] - creates[0]["time"] <= 3.0, "no try starts after the budget"
    last = message(exc.value)
    assert last.startswith(f"creating Personalize solution version {inputs['name']} (solution {solutions[0]}): ")
    assert "no free training slot" in last and "waitTimeoutMinutes=0.05" in last and "no training was started" in last


def test_a_solution_in_use_is_waited_out_and_then_trains_once(rider, personalize, control):
    control.set_timing(training_seconds=0.2, setup_seconds=0)
    solution = active_solution(personalize)
    control.add_fault(kind="in_use", operation="CreateSolutionVersion", count=2)
    name, inputs = checked(rider, solution)
    rider.output.clear()

    id_, outs = rider.create(name, inputs)

    assert outs["status"] == "ACTIVE" and outs["versionName"] == inputs["name"]
    assert [e["status"] for e in control.requests("CreateSolutionVersion")] == [400, 400, 200]
    assert trainings_started(control) == 1
    waits = [line for line in rider.output if "ResourceInUseException" in line]
    assert waits and all(inputs["name"] in line for line in waits), rider.output
    assert "the solution is in use (possibly another training of it or a dataset import)" in waits[0]


def test_a_solution_in_use_past_the_budget_fails_in_one_line_saying_nothing_was_started(rider, personalize, control):
    control.set_timing(training_seconds=0.2, setup_seconds=0)
    solution = active_solution(personalize)
    control.add_fault(kind="in_use", operation="CreateSolutionVersion", count=100_000)
    name, inputs = checked(rider, solution, waitTimeoutMinutes=0.02)  # 1.2 s
    control.clear_requests()
    with pytest.raises(HostError) as exc:
        rider.create(name, inputs)
    control.clear_faults()

    assert len(exc.value.details.strip().splitlines()) == 1 and "Traceback" not in exc.value.details
    last = message(exc.value)
    assert last.startswith(f"creating Personalize solution version {inputs['name']} (solution {solution}): ")
    assert "in use" in last and "ResourceInUseException" in last and "waitTimeoutMinutes=0.02" in last
    assert "no training was started" in last
    creates = control.requests("CreateSolutionVersion")
    assert len(creates) >= 2 and {e["status"] for e in creates} == {400} and trainings_started(control) == 0


def test_after_a_try_with_no_answer_the_budget_running_out_does_not_claim_nothing_was_started(
    rider, personalize, control
):
    """A dropped CreateSolutionVersion may have started the training (which may be what keeps the solution in use)."""
    control.set_timing(training_seconds=0.2, setup_seconds=0)
    solution = active_solution(personalize)
    control.add_fault(kind="drop", operation="CreateSolutionVersion", count=1)  # rules match in order
    control.add_fault(kind="in_use", operation="CreateSolutionVersion", count=100_000)
    name, inputs = checked(rider, solution, waitTimeoutMinutes=0.02)  # 1.2 s
    control.clear_requests()
    with pytest.raises(HostError) as exc:
        rider.create(name, inputs)
    control.clear_faults()

    last = message(exc.value)
    assert [e["status"] for e in control.requests("CreateSolutionVersion")][:2] == ["dropped", 400]
    assert "the solution stayed in use" in last and "no training was started" not in last
    assert "it adopts the training if one of the tries started it" in last


def test_resource_in_use_from_the_stop_in_a_delete_still_means_the_training_ended(
    rider, personalize, control, moto_progression
):
    """Only CreateSolutionVersion's ResourceInUseException is waited out: a stop refused as in use is not retried."""
    solution = active_solution(personalize)
    moto_progression("personalize::solutionversion", progression="manual", times=1)  # one step per describe
    name, inputs = checked(rider, solution)
    arn = personalize.create_solution_version(solutionArn=solution, name=inputs["name"])["solutionVersionArn"]
    control.add_fault(kind="in_use", operation="StopSolutionVersionCreation", count=1)
    rider.output.clear()

    rider.delete(name, arn, {**inputs, "solutionVersionArn": arn, "status": "CREATE PENDING"})

    assert control.count("StopSolutionVersionCreation") == 1
    assert version_status(personalize, arn) == "ACTIVE"
    assert any(f"forgets {arn} (ACTIVE): it stays in Personalize" in line for line in rider.output), rider.output


def _profile_inputs(solution: str, profile: str) -> dict[str, Any]:
    return {
        "solutionArn": solution,
        "name": unique("v"),
        "trainingMode": "FULL",
        "tags": {},
        "retrainTriggers": {},
        "waitTimeoutMinutes": 5.0,
        "profile": profile,
    }


def test_an_unknown_profile_fails_every_operation_with_one_line_naming_it(host, personalize, control):
    solution = active_solution(personalize)
    inputs = _profile_inputs(solution, "no-such-profile")
    arn = f"{solution}/0000beef"
    outs = {**inputs, "solutionVersionArn": arn, "status": "ACTIVE"}
    control.clear_requests()
    calls = {
        "creating": lambda: host.create("m", inputs),
        "reading": lambda: host.read("m", arn, outs),
        "updating": lambda: host.update("m", arn, outs, {**inputs, "tags": {"a": "b"}, "tagsAll": {"a": "b"}}),
        "deleting": lambda: host.delete("m", arn, outs),
    }
    for verb, call in calls.items():
        with pytest.raises(HostError) as exc:
            call()
        details, last = exc.value.details, message(exc.value)
        assert last.startswith(f"{verb} Personalize solution version {inputs['name']} (")
        assert "'no-such-profile' (the profile input) could not be found" in last
        assert "aws configure list-profiles" in last
        assert "ProfileNotFound" not in details and "During handling" not in details, "no botocore traceback"
        assert len(details.strip().splitlines()) < 15, details
    assert control.requests() == [], "nothing reached the service"


def test_update_of_profile_region_and_budget_only_stores_them_without_calling_the_service(
    emulator, personalize, control, tmp_path: Path
):
    config = tmp_path / "config"
    config.write_text("[profile ml-team]\naws_access_key_id = testing\naws_secret_access_key = testing\n")
    solution = active_solution(personalize)
    host = start_host(emulator, AWS_CONFIG_FILE=str(config))
    try:
        control.set_timing(training_seconds=0.2, setup_seconds=0)
        name, inputs = checked(host, solution, tags={"team": "ml"})
        id_, outs = host.create(name, inputs)
        news = {**inputs, "profile": "ml-team", "region": "us-east-1", "waitTimeoutMinutes": 90.0}
        control.clear_requests()

        updated = host.update(name, id_, outs, news)

        assert control.requests() == [], "an operational change calls nothing on the service"
        assert (
            updated["profile"] == "ml-team" and updated["region"] == "us-east-1" and updated["waitTimeoutMinutes"] == 90
        )
        assert {k: v for k, v in updated.items() if k not in news} == {k: v for k, v in outs.items() if k not in news}
        assert updated["name"] == outs["name"] and updated["tags"] == outs["tags"]

        _, refreshed, _ = host.read(name, id_, updated)
        assert refreshed["profile"] == "ml-team" and refreshed["status"] == "ACTIVE", "refresh uses the stored profile"
        host.delete(name, id_, updated)
        assert version_status(personalize, id_) == "ACTIVE"
    finally:
        host.stop()


def test_an_endpoint_that_never_answers_fails_the_create_within_minutes_naming_it(
    rider, emulator, personalize, control
):
    solution = active_solution(personalize)
    control.add_fault(kind="drop", operation="DescribeSolution", count=100_000)
    name, inputs = checked(rider, solution)  # the default budget: 12 hours
    try:
        with pytest.raises(HostError) as exc:
            rider.create(name, inputs)
    finally:
        control.clear_faults()

    last = message(exc.value)
    assert last.startswith(f"creating Personalize solution version {inputs['name']} (solution {solution}): ")
    assert f"no answer from {emulator.url}" in last and "no training was started" in last, last
    assert "check the region, the endpoint" in last
    assert control.count("CreateSolutionVersion") == 0
    assert len(control.requests("DescribeSolution")) > 1, "it was retried before giving up"


def test_an_endpoint_that_answers_after_a_short_outage_trains(rider, personalize, control):
    control.set_timing(training_seconds=0.2, setup_seconds=0)
    solution = active_solution(personalize)
    control.add_fault(kind="drop", operation="DescribeSolution", count=2)
    name, inputs = checked(rider, solution)
    id_, outs = rider.create(name, inputs)
    assert outs["status"] == "ACTIVE" and trainings_started(control) == 1
