"""What the network and the service do to a long create, through the real dynamic-provider host against the emulator's
fault injection: outages while waiting, throttled reads after ACTIVE, the training quota, bad profiles, and operational
updates that must not call the service."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.dynamic_host import HostError
from personalize_pulumi.provider.backoff import polling_env
from tests.helpers import (
    active_solution,
    checked,
    message,
    start_host,
    trainings_started,
    unique,
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


def test_an_endpoint_that_answers_after_a_short_outage_trains(rider, personalize, control):
    control.set_timing(training_seconds=0.2, setup_seconds=0)
    solution = active_solution(personalize)
    control.add_fault(kind="drop", operation="DescribeSolution", count=2)
    name, inputs = checked(rider, solution)
    id_, outs = rider.create(name, inputs)
    assert outs["status"] == "ACTIVE" and trainings_started(control) == 1
