"""Adoption, attempts and the service's faults, through the plugin's servicer in process (see conftest.py): each
arranged with the emulator's control API and fault injection, never by timing."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from harness.dynamic_host import HostError
from harness.plugin_host import InitFailed
from personalize_pulumi.emulator.defaults import UNMET_MINIMUMS
from personalize_pulumi.provider import lifecycle
from tests.helpers import (
    RECIPE_SIMS,
    RECIPE_USER_PERSONALIZATION,
    active_solution,
    live_tags,
    marked,
    set_transition,
    trainings_started,
    unique,
    version_status,
)
from tests.inprocess.test_lifecycle import checked


def one_line(error: HostError) -> str:
    assert "\n" not in error.details and "Traceback" not in error.details, error.details
    return error.details


def test_an_existing_version_is_adopted_with_no_training_and_given_the_tags(plugin, personalize, control):
    solution = active_solution(personalize)
    arn, _ = plugin.create(*checked(plugin, solution))
    control.clear_requests()
    name, inputs = checked(plugin, solution, existingVersionArn=arn, tags={"team": "adopted"})

    adopted_id, outputs = plugin.create(name, inputs)

    assert adopted_id == arn and outputs["status"] == "ACTIVE"
    assert live_tags(personalize, arn) == {"team": "adopted"} and trainings_started(control) == 0


def test_adopting_a_version_still_training_waits_for_it_and_never_stops_it(plugin, personalize, control):
    solution = active_solution(personalize)
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    name, inputs = checked(plugin, solution, existingVersionArn=arn)

    _, outputs = plugin.create(name, inputs)

    assert outputs["status"] == "ACTIVE" and trainings_started(control) == 1, "the test's own"
    assert control.count("StopSolutionVersionCreation") == 0


@pytest.mark.parametrize("case", ["missing", "failed"])
def test_adopting_a_version_that_is_missing_or_untrained_fails_in_one_line_naming_it(
    case, plugin, personalize, control
):
    solution = active_solution(personalize)
    if case == "missing":
        arn = f"{solution}/deadbeef"
    else:
        control.add_fault(kind="fail_training", reason="bad data", count=1, solution_arn=solution)
        arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
        control.set_timing(training_seconds=0)
        assert version_status(personalize, arn) == "CREATE FAILED"
    name, inputs = checked(plugin, solution, existingVersionArn=arn)

    with pytest.raises(HostError) as failed:
        plugin.create(name, inputs)

    assert arn in one_line(failed.value)
    assert ("bad data" in failed.value.details) == (case == "failed")


def test_importing_a_version_reads_inputs_that_preview_clean(plugin, personalize, control):
    solution = active_solution(personalize)
    arn, _ = plugin.create(*checked(plugin, solution, tags={"team": "ml"}))
    control.clear_requests()

    read_id, outputs, inputs = plugin.read("imported", arn, {}, {})

    assert read_id == arn and inputs["existingVersionArn"] == arn and inputs["tags"] == {"team": "ml"}
    assert control.count("CreateSolutionVersion") == 0
    news, failures = plugin.check("imported", {k: inputs[k] for k in ("solutionArn", "existingVersionArn", "tags")})
    assert failures == [] and plugin.diff("imported", arn, outputs, news).changes == 1  # DIFF_NONE


def test_a_training_an_interrupted_create_left_is_adopted_not_trained_again(
    plugin, personalize, control, restart, duplicate_names
):
    solution = active_solution(personalize)
    name, inputs = checked(plugin, solution)
    left = personalize.create_solution_version(solutionArn=solution, name=inputs["name"], tags=marked(inputs))
    control.clear_requests()

    arn, outputs = restart(plugin).create(name, inputs)

    assert arn == left["solutionVersionArn"] and outputs["status"] == "ACTIVE"
    assert trainings_started(control) == 0


def test_a_name_held_by_a_version_of_no_resource_fails_at_once_naming_it(plugin, personalize, control):
    solution = active_solution(personalize)
    name, inputs = checked(plugin, solution)
    other = personalize.create_solution_version(solutionArn=solution, name=inputs["name"])["solutionVersionArn"]

    with pytest.raises(HostError) as failed:
        plugin.create(name, inputs)

    assert other in one_line(failed.value) and control.count("StopSolutionVersionCreation") == 0
    assert live_tags(personalize, other) == {}, "never retagged"


def test_a_lost_answer_to_create_is_found_by_its_marker_and_trains_once(
    plugin, personalize, control, capsys, duplicate_names
):
    name, inputs = checked(plugin, active_solution(personalize))
    control.add_fault(kind="lose_answer", operation="CreateSolutionVersion", count=1)

    arn, outputs = plugin.create(name, inputs)

    assert outputs["status"] == "ACTIVE" and trainings_started(control) == 1
    assert control.count("CreateSolutionVersion") == 1, "found, never sent again blind"
    assert arn in capsys.readouterr().out


@pytest.mark.parametrize("kind", ["throttle", "http500", "drop"])
def test_an_outage_of_40_failed_polls_while_waiting_is_ridden_out(kind, plugin, personalize, control):
    name, inputs = checked(plugin, active_solution(personalize))
    rule: dict[str, Any] = {"kind": kind, "operation": "DescribeSolutionVersion", "count": 40}  # a long outage
    if kind == "throttle":
        rule["code"] = "ThrottlingException"
    control.add_fault(**rule)

    _, outputs = plugin.create(name, inputs)

    assert outputs["status"] == "ACTIVE" and trainings_started(control) == 1


def test_a_solution_in_use_is_waited_out_before_the_training_starts(plugin, personalize, control):
    name, inputs = checked(plugin, active_solution(personalize))
    control.add_fault(kind="in_use", operation="CreateSolutionVersion", count=2)

    _, outputs = plugin.create(name, inputs)

    assert outputs["status"] == "ACTIVE" and trainings_started(control) == 1


def test_a_solution_still_being_created_is_waited_for(plugin, personalize, control):
    group = personalize.create_dataset_group(name=unique("group"))["datasetGroupArn"]
    assert personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"] == "ACTIVE"
    set_transition(control.url, "personalize::solution", progression="time", seconds=300)
    solution = personalize.create_solution(
        name=unique("sol"), datasetGroupArn=group, recipeArn=RECIPE_USER_PERSONALIZATION
    )["solutionArn"]
    name, inputs = checked(plugin, solution)

    _, outputs = plugin.create(name, inputs)

    assert outputs["status"] == "ACTIVE"
    assert personalize.describe_solution(solutionArn=solution)["solution"]["status"] == "ACTIVE"


def test_a_solution_that_does_not_exist_fails_naming_it_and_its_region(plugin, personalize, control):
    solution = active_solution(personalize) + "-gone"
    name, inputs = checked(plugin, solution)

    with pytest.raises(HostError) as failed:
        plugin.create(name, inputs)

    assert solution in one_line(failed.value) and "us-east-1" in failed.value.details
    assert trainings_started(control) == 0


def test_an_endpoint_that_never_answers_fails_the_create_naming_it(plugin, personalize, control, monkeypatch):
    name, inputs = checked(plugin, active_solution(personalize))
    monkeypatch.setenv("AWS_ENDPOINT_URL_PERSONALIZE", "http://127.0.0.1:9")  # discard: nothing listens

    with pytest.raises(HostError) as failed:
        plugin.create(name, inputs)

    assert "127.0.0.1:9" in one_line(failed.value) and "no training was started" in failed.value.details


def test_gate_names_the_solution_cannot_report_fail_before_any_training(plugin, personalize, control):
    name, inputs = checked(plugin, active_solution(personalize), minMetrics={"precision_at_26": 0.1})

    with pytest.raises(HostError) as failed:
        plugin.create(name, inputs)

    assert "precision_at_26" in one_line(failed.value) and trainings_started(control) == 0


def test_a_recipe_with_other_metrics_rejects_unknown_names_too(plugin, personalize, control):
    solution = active_solution(personalize, recipe_arn=RECIPE_SIMS)
    name, inputs = checked(plugin, solution, minMetrics={"precision_at_25": 0.1, "not_a_metric": 1})
    with pytest.raises(HostError) as failed:
        plugin.create(name, inputs)
    assert "not_a_metric" in one_line(failed.value)


def test_metrics_that_cannot_be_read_fail_a_gated_create_before_it_trains_but_not_an_ungated_one(
    plugin, personalize, control
):
    solution = active_solution(personalize)
    control.add_fault(kind="http500", operation="GetSolutionMetrics", count=100_000)
    name, inputs = checked(plugin, solution, waitTimeoutMinutes=40)  # the reads retry within what is left of it
    _, outputs = plugin.create(name, inputs)
    assert outputs["status"] == "ACTIVE" and outputs["metrics"] == {}

    gated_name, gated = checked(plugin, solution, minMetrics={"coverage": 0.01}, waitTimeoutMinutes=40)
    with pytest.raises(HostError) as failed:
        plugin.create(gated_name, gated)
    assert "no training was started" in one_line(failed.value) and "internal server error" in failed.value.details
    assert trainings_started(control) == 1, "only the ungated one"


def test_an_update_that_raises_the_gate_above_the_version_fails_before_retagging(plugin, personalize, control):
    name, inputs = checked(plugin, active_solution(personalize), tags={"team": "ml"})
    arn, outputs = plugin.create(name, inputs)
    news, _ = plugin.check(
        name, {"solutionArn": inputs["solutionArn"], "tags": {"team": "x"}, "minMetrics": UNMET_MINIMUMS}, olds=inputs
    )

    with pytest.raises(HostError) as failed:
        plugin.update(name, arn, outputs, news)

    assert arn in one_line(failed.value) and live_tags(personalize, arn) == {"team": "ml"}


def test_the_quota_of_trainings_is_waited_out_within_the_budget(plugin, personalize, control):
    solution = active_solution(personalize)
    for _ in range(20):  # the region's quota, in trainings that end within the create's budget
        personalize.create_solution_version(solutionArn=active_solution(personalize))
    name, inputs = checked(plugin, solution)

    _, outputs = plugin.create(name, inputs)

    assert outputs["status"] == "ACTIVE"
    refused = [r for r in control.requests("CreateSolutionVersion") if r["status"] != 200]
    assert refused and trainings_started(control) == 21


def test_destroy_after_an_interrupted_up_stops_only_this_resources_trainings(
    plugin, personalize, control, duplicate_names
):
    solution = active_solution(personalize)
    name, inputs = checked(plugin, solution)
    ours = personalize.create_solution_version(solutionArn=solution, name=inputs["name"], tags=marked(inputs))
    theirs = personalize.create_solution_version(solutionArn=solution, name=unique("theirs"))
    lines: list[str] = []

    stopped = lifecycle.stop_unrecorded(
        personalize,
        solution,
        inputs["ownerToken"],
        name,
        plugin.session.poll(),
        plugin.session.clock,
        reporter=_Collecting(lines),
    )

    assert stopped == [ours["solutionVersionArn"]]
    assert lines and ours["solutionVersionArn"] in lines[0]
    assert version_status(personalize, theirs["solutionVersionArn"]) != "CREATE STOPPING"
    assert version_status(personalize, ours["solutionVersionArn"]) in ("CREATE STOPPING", "CREATE STOPPED")


def test_sixteen_creates_of_the_next_attempt_at_once_train_it_once(plugin, personalize, control):
    """With the service refusing a taken name (the emulator's default): the name is the claim. Where it accepts a
    second version of a name, nothing on the service makes two creates at once of one resource exclusive; the engine
    never sends them (one create per resource, one `up` per stack at a time)."""
    solution = active_solution(personalize)
    name, inputs = checked(plugin, solution)
    control.add_fault(kind="fail_training", reason="first try", count=1, solution_arn=solution)
    with pytest.raises(HostError):
        plugin.create(name, inputs)
    results: list[Any] = []
    barrier = threading.Barrier(16)

    def create() -> None:
        barrier.wait()
        results.append(plugin.create(name, inputs)[0])

    threads = [threading.Thread(target=create) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert len(results) == 16 and len(set(results)) == 1
    assert trainings_started(control) == 2, "the failed first attempt, then one second attempt"


class _Collecting:
    """A Reporter that keeps its lines."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.resource_name = None

    def line(self, text: str) -> None:
        self.lines.append(text)


def test_interrupted_failures_record_the_training(plugin, personalize, control):
    name, inputs = checked(plugin, active_solution(personalize), waitTimeoutMinutes=5)
    with pytest.raises(InitFailed) as late:
        plugin.create(name, inputs)
    assert late.value.properties["solutionVersionArn"] == late.value.id
