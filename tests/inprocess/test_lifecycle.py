"""Create, read, update and delete of one model through the plugin's servicer, in process (see conftest.py)."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.runtime.proto import provider_pb2

from harness.dynamic_host import HostError
from harness.plugin_host import InitFailed
from tests.helpers import active_solution, live_tags, trainings_started, unique


def checked(plugin: Any, solution: str, resource: str | None = None, **inputs: Any) -> tuple[str, dict[str, Any]]:
    """The resource name (`resource`, default a new one) and the inputs the plugin checked for it."""
    resource = resource or unique("model")
    news, failures = plugin.check(resource, {"solutionArn": solution, **inputs})
    assert failures == []
    return resource, news


def test_create_trains_once_and_answers_once_the_version_is_active(plugin, personalize, control, fake_time, capsys):
    solution = active_solution(personalize)
    name, inputs = checked(plugin, solution, tags={"team": "ml"})
    before = fake_time.monotonic()

    arn, outputs = plugin.create(name, inputs)

    assert arn.startswith(solution + "/") and outputs["status"] == "ACTIVE"
    assert outputs["solutionVersionArn"] == arn and outputs["versionName"] == inputs["name"]
    assert outputs["tagsAll"] == {"team": "ml"} and live_tags(personalize, arn) == {"team": "ml"}
    assert outputs["metrics"] and outputs["trainingHours"] > 0
    assert trainings_started(control) == 1
    assert fake_time.monotonic() - before >= 1800, "it waited the half-hour training out, on the fake clock"
    said = capsys.readouterr().out
    assert f"{arn} is ACTIVE (30m elapsed)" in said, "the status it ended in, on the fake clock"


def test_a_preview_creates_nothing(plugin, personalize, control):
    name, inputs = checked(plugin, active_solution(personalize))
    control.clear_requests()
    arn, outputs = plugin.create(name, inputs, preview=True)
    assert arn == "" and outputs == inputs
    assert control.requests() == []


def test_read_returns_the_live_outputs_and_refresh_shows_tags_changed_outside(plugin, personalize, control):
    name, inputs = checked(plugin, active_solution(personalize), tags={"team": "ml"})
    arn, outputs = plugin.create(name, inputs)
    personalize.tag_resource(resourceArn=arn, tags=[{"tagKey": "added", "tagValue": "by hand"}])

    read_id, read_outputs, read_inputs = plugin.read(name, arn, outputs, inputs)

    assert read_id == arn and read_outputs["status"] == "ACTIVE"
    assert read_outputs["tagsAll"] == read_inputs["tagsAll"] == {"team": "ml", "added": "by hand"}
    diff = plugin.diff(name, arn, read_outputs, inputs)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME and list(diff.replaces) == []


def test_a_tag_change_is_applied_in_place_and_a_trigger_change_replaces(plugin, personalize, control):
    name, inputs = checked(plugin, active_solution(personalize), tags={"team": "ml", "old": "x"})
    arn, outputs = plugin.create(name, inputs)
    retagged, _ = plugin.check(name, {**_program(inputs), "tags": {"team": "search"}}, olds=inputs)
    diff = plugin.diff(name, arn, outputs, retagged)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME and list(diff.replaces) == []

    control.clear_requests()
    updated = plugin.update(name, arn, outputs, retagged)

    assert updated["tagsAll"] == {"team": "search"} and live_tags(personalize, arn) == {"team": "search"}
    assert trainings_started(control) == 0
    triggered, _ = plugin.check(name, {**_program(inputs), "retrainTriggers": {"data": "v2"}}, olds=inputs)
    assert "retrainTriggers" in plugin.diff(name, arn, outputs, triggered).replaces


def test_a_version_below_the_gate_fails_the_create_in_one_line_naming_it(plugin, personalize, control):
    name, inputs = checked(plugin, active_solution(personalize), minMetrics={"coverage": 0.99})

    with pytest.raises(HostError) as failed:
        plugin.create(name, inputs)

    assert not isinstance(failed.value, InitFailed), "a trained version that misses the gate is not recorded"
    assert "\n" not in failed.value.details and "coverage" in failed.value.details
    arn = personalize.list_solution_versions(solutionArn=inputs["solutionArn"])["solutionVersions"][0]
    assert arn["solutionVersionArn"] in failed.value.details


def test_a_failed_training_names_its_reason_and_the_next_create_trains_the_next_attempt(plugin, personalize, control):
    solution = active_solution(personalize)
    name, inputs = checked(plugin, solution)
    control.add_fault(kind="fail_training", reason="not enough interactions", count=1, solution_arn=solution)

    with pytest.raises(HostError) as failed:
        plugin.create(name, inputs)
    assert "not enough interactions" in failed.value.details and "CREATE FAILED" in failed.value.details

    arn, outputs = plugin.create(name, inputs)
    assert outputs["versionName"] == f"{inputs['name']}-2" and outputs["status"] == "ACTIVE"
    assert trainings_started(control) == 2


def test_a_create_that_runs_out_of_time_records_the_training_and_the_next_up_waits_for_it(
    plugin, personalize, control, restart
):
    name, inputs = checked(plugin, active_solution(personalize), waitTimeoutMinutes=10)

    with pytest.raises(InitFailed) as late:
        plugin.create(name, inputs)

    recorded = late.value.properties
    assert recorded["status"] in ("CREATE PENDING", "CREATE IN_PROGRESS") and late.value.id in late.value.details
    again = restart(plugin)
    news, _ = again.check(name, {**_program(inputs), "waitTimeoutMinutes": 120}, olds=inputs)
    outputs = again.update(name, late.value.id, recorded, news)
    assert outputs["status"] == "ACTIVE" and outputs["solutionVersionArn"] == late.value.id
    assert trainings_started(control) == 1, "waited for, not trained again"


def test_delete_of_an_active_version_forgets_it_and_of_a_gone_one_succeeds(plugin, personalize, control, capsys):
    name, inputs = checked(plugin, active_solution(personalize))
    arn, outputs = plugin.create(name, inputs)
    control.clear_requests()
    capsys.readouterr()

    plugin.delete(name, arn, outputs)

    assert control.count("StopSolutionVersionCreation") == 0
    assert arn in capsys.readouterr().out
    plugin.delete(name, arn.rsplit("/", 1)[0] + "/00000000", outputs)


def test_the_engines_cancel_ends_a_waiting_create_naming_the_arn_and_destroy_stops_it(
    plugin, personalize, control, fake_time, restart
):
    import threading

    name, inputs = checked(plugin, active_solution(personalize))
    fake_time.stop()
    outcome: list[BaseException] = []

    def create() -> None:
        try:
            plugin.create(name, inputs)
        except BaseException as error:  # handed to the test
            outcome.append(error)

    thread = threading.Thread(target=create)
    thread.start()
    fake_time.wait_until_blocked()  # in its wait: nothing moves until the test says so
    assert trainings_started(control) == 1
    plugin.cancel()
    thread.join(30)

    (interrupted,) = outcome
    assert isinstance(interrupted, InitFailed), "the training it started is recorded"
    arn = interrupted.id
    assert arn in interrupted.details and "\n" not in interrupted.details
    fake_time.go()
    again = restart(plugin)
    again.delete(name, arn, interrupted.properties)
    assert control.count("StopSolutionVersionCreation") == 1
    assert (
        personalize.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]["status"] == "CREATE STOPPED"
    )


def _program(inputs: dict[str, Any]) -> dict[str, Any]:
    """What the program declared, of checked inputs (what the engine sends as news)."""
    return {key: value for key, value in inputs.items() if key in ("solutionArn", "tags", "minMetrics")}
