"""The lifecycle's less travelled paths, in process (see conftest.py): what a create, update, delete or a resumed
create says when the service is slow, refuses, forgets or fails, each arranged with the control API."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from harness.dynamic_host import HostError
from harness.plugin_host import InitFailed
from personalize_pulumi.provider import lifecycle
from tests.helpers import active_solution, live_tags, trainings_started, version_status
from tests.inprocess.test_adoption_and_faults import one_line
from tests.inprocess.test_lifecycle import _program, checked

FOREVER = 100_000


def test_a_retrain_under_an_explicit_name_trains_the_next_number(plugin, personalize, control):
    solution = active_solution(personalize)
    name, inputs = checked(plugin, solution, name="recs")
    first, outputs = plugin.create(name, inputs)
    news, _ = plugin.check(name, {"solutionArn": solution, "name": "recs", "retrainTriggers": {"d": "2"}}, olds=inputs)

    second, retrained = plugin.create(name, news)

    assert second != first and retrained["versionName"] == "recs-2"


def test_a_quota_that_never_frees_fails_the_create_in_time_with_nothing_started(plugin, personalize, control):
    control.set_timing(training_seconds=10 * 24 * 3600)
    for _ in range(20):
        personalize.create_solution_version(solutionArn=active_solution(personalize))
    name, inputs = checked(plugin, active_solution(personalize), waitTimeoutMinutes=15)

    with pytest.raises(HostError) as late:
        plugin.create(name, inputs)

    assert "LimitExceededException" in one_line(late.value) and not isinstance(late.value, InitFailed)
    assert trainings_started(control) == 20, "the test's own"


def test_a_resumed_create_whose_training_failed_records_how_it_ended(plugin, personalize, control, restart):
    solution = active_solution(personalize)
    name, inputs = checked(plugin, solution, waitTimeoutMinutes=5)
    control.add_fault(kind="fail_training", reason="out of memory", count=1, solution_arn=solution)
    with pytest.raises(InitFailed) as late:
        plugin.create(name, inputs)

    again = restart(plugin)
    news, _ = again.check(name, _program(inputs), olds=inputs)
    with pytest.raises(InitFailed) as ended:
        again.update(name, late.value.id, late.value.properties, news)

    assert "out of memory" in one_line(ended.value) and ended.value.properties["status"] == "CREATE FAILED"
    decision = again.diff(name, late.value.id, ended.value.properties, news)
    assert "status" in decision.replaces, "the next up trains the next attempt"


def test_tags_that_cannot_be_read_after_training_are_recorded_as_set_and_said(plugin, personalize, control, capsys):
    name, inputs = checked(plugin, active_solution(personalize), tags={"team": "ml"}, waitTimeoutMinutes=40)
    control.add_fault(kind="http500", operation="ListTagsForResource", count=FOREVER)

    _, outputs = plugin.create(name, inputs)

    assert outputs["status"] == "ACTIVE" and outputs["tagsAll"] == {"team": "ml"}
    assert "tags" in capsys.readouterr().out


def test_an_adopted_version_that_cannot_be_tagged_fails_naming_it(plugin, personalize, control):
    solution = active_solution(personalize)
    arn, _ = plugin.create(*checked(plugin, solution))
    name, inputs = checked(plugin, solution, existingVersionArn=arn, tags={"team": "adopted"}, waitTimeoutMinutes=10)
    control.add_fault(kind="http500", operation="TagResource", count=FOREVER)

    with pytest.raises(HostError) as failed:
        plugin.create(name, inputs)

    assert arn in one_line(failed.value)


def test_an_adopted_version_that_cannot_be_read_fails_naming_it(plugin, personalize, control):
    solution = active_solution(personalize)
    arn, _ = plugin.create(*checked(plugin, solution))
    name, inputs = checked(plugin, solution, existingVersionArn=arn, waitTimeoutMinutes=10)
    control.add_fault(kind="http500", operation="DescribeSolutionVersion", count=FOREVER)

    with pytest.raises(HostError) as failed:
        plugin.create(name, inputs)

    assert arn in one_line(failed.value)


def test_read_and_update_of_a_version_gone_with_its_solution(plugin, personalize, control):
    solution = active_solution(personalize)
    name, inputs = checked(plugin, solution, tags={"team": "ml"})
    arn, outputs = plugin.create(name, inputs)
    personalize.delete_solution(solutionArn=solution)

    read_id, read_outputs, _ = plugin.read(name, arn, outputs, inputs)
    assert read_id == "" and read_outputs == {}, "gone: the engine drops it from the state"
    news, _ = plugin.check(name, {**_program(inputs), "tags": {"team": "x"}}, olds=inputs)
    with pytest.raises(HostError) as failed:
        plugin.update(name, arn, outputs, news)
    assert arn in one_line(failed.value)
    plugin.delete(name, arn, outputs)
    assert (
        lifecycle.stop_unrecorded(
            personalize, solution, inputs["ownerToken"], name, plugin.session.poll(), plugin.session.clock
        )
        == []
    )


def test_a_stop_the_service_refuses_because_the_training_just_ended_forgets_it(plugin, personalize, control, capsys):
    name, inputs = checked(plugin, active_solution(personalize), waitTimeoutMinutes=5)
    with pytest.raises(InitFailed) as late:
        plugin.create(name, inputs)
    control.add_fault(kind="in_use", operation="StopSolutionVersionCreation", count=FOREVER)

    plugin.delete(name, late.value.id, late.value.properties)

    assert late.value.id in capsys.readouterr().out


def test_cancel_while_destroy_waits_for_the_stop_names_the_version(plugin, personalize, control, fake_time):
    # In progress by then (pending lasts a quarter hour): its stop takes time (a pending one stops at once).
    name, inputs = checked(plugin, active_solution(personalize), waitTimeoutMinutes=20)
    with pytest.raises(InitFailed) as late:
        plugin.create(name, inputs)
    fake_time.stop()
    outcome: list[BaseException] = []

    def delete() -> None:
        try:
            plugin.delete(name, late.value.id, late.value.properties)
        except BaseException as error:  # handed to the test
            outcome.append(error)

    thread = threading.Thread(target=delete)
    thread.start()
    fake_time.wait_until_blocked()
    plugin.cancel()
    thread.join(30)

    (interrupted,) = outcome
    assert late.value.id in one_line(interrupted)
    assert version_status(personalize, late.value.id) in ("CREATE STOPPING", "CREATE STOPPED")


def test_a_solution_the_service_cannot_describe_for_long_fails_the_create_before_training(plugin, personalize, control):
    name, inputs = checked(plugin, active_solution(personalize), waitTimeoutMinutes=10)
    control.add_fault(kind="http500", operation="DescribeSolution", count=FOREVER)

    with pytest.raises(HostError) as failed:
        plugin.create(name, inputs)

    assert inputs["solutionArn"] in one_line(failed.value) and trainings_started(control) == 0


def test_the_check_config_makes_an_ownership_key_once_and_keeps_it(plugin: Any):
    response, checked_config = plugin.check_config({"region": "us-east-1"})
    assert response.failures == [] and len(checked_config["ownershipKey"]) >= 32
    _, again = plugin.check_config({"region": "us-east-1"}, olds=checked_config)
    assert again["ownershipKey"] == checked_config["ownershipKey"]
    bad, _ = plugin.check_config({"defaultTags": {"tags": ["x"]}})
    assert [f.property for f in bad.failures] == ["defaultTags"]


def test_live_tags_outside_the_stack_are_untouched_by_an_update_of_operational_inputs(plugin, personalize, control):
    name, inputs = checked(plugin, active_solution(personalize), tags={"team": "ml"})
    arn, outputs = plugin.create(name, inputs)
    news, _ = plugin.check(name, {**_program(inputs), "waitTimeoutMinutes": 60}, olds=inputs)
    control.clear_requests()

    plugin.update(name, arn, outputs, news)

    assert control.requests() == [] and live_tags(personalize, arn) == {"team": "ml"}
