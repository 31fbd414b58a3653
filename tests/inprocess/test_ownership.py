"""Which versions a resource may take as its own, in process (see conftest.py), under both of the emulator's modes
for a version name the solution already has: a stack never adopts, retags or stops a version it cannot prove it
started, and a training it started is never lost to a lagging listing."""

from __future__ import annotations

import pytest

from harness.dynamic_host import HostError
from personalize_pulumi.provider import lifecycle
from tests.helpers import active_solution, live_tags, marked, trainings_started, version_status
from tests.inprocess.test_lifecycle import checked

LAG_SECONDS = 45.0


def test_another_stacks_training_under_the_same_name_is_never_adopted_retagged_or_stopped(
    plugin, personalize, control, duplicate_names
):
    solution = active_solution(personalize)
    name, inputs = checked(plugin, solution, name="shared-name", tags={"stack": "ours"})
    theirs = personalize.create_solution_version(
        solutionArn=solution, name="shared-name", tags=[{"tagKey": "stack", "tagValue": "theirs"}]
    )["solutionVersionArn"]

    if duplicate_names:
        arn, outputs = plugin.create(name, inputs)
        assert arn != theirs and outputs["status"] == "ACTIVE", "a training of its own"
        plugin.delete(name, arn, outputs)
    else:
        with pytest.raises(HostError) as failed:
            plugin.create(name, inputs)
        assert theirs in failed.value.details and "\n" not in failed.value.details

    assert live_tags(personalize, theirs) == {"stack": "theirs"}
    assert control.count("StopSolutionVersionCreation") == 0
    assert version_status(personalize, theirs) in ("CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE")


def test_up_after_a_hard_kill_adopts_the_training_a_lagging_listing_leaves_out(
    plugin, personalize, control, restart, duplicate_names
):
    solution = active_solution(personalize)
    name, inputs = checked(plugin, solution)
    left = personalize.create_solution_version(solutionArn=solution, name=inputs["name"], tags=marked(inputs))
    control.set_listing_lag(LAG_SECONDS)
    listed = personalize.list_solution_versions(solutionArn=solution)["solutionVersions"]
    assert listed == [], "unlisted for 45 s: the create must wait it out"

    arn, outputs = restart(plugin).create(name, inputs)

    assert arn == left["solutionVersionArn"] and outputs["status"] == "ACTIVE"
    assert trainings_started(control) == 1, "the killed up's, adopted"


def test_destroy_after_a_hard_kill_stops_the_training_a_lagging_listing_leaves_out(plugin, personalize, control):
    solution = active_solution(personalize)
    name, inputs = checked(plugin, solution)
    left = personalize.create_solution_version(solutionArn=solution, name=inputs["name"], tags=marked(inputs))
    control.set_listing_lag(LAG_SECONDS)

    stopped = lifecycle.stop_unrecorded(
        personalize, solution, inputs["ownerToken"], name, plugin.session.poll(), plugin.session.clock
    )

    assert stopped == [left["solutionVersionArn"]]
    assert version_status(personalize, left["solutionVersionArn"]) in ("CREATE STOPPING", "CREATE STOPPED")


def test_a_version_whose_name_only_looks_like_an_attempt_is_never_taken(plugin, personalize, control, duplicate_names):
    solution = active_solution(personalize)
    name, inputs = checked(plugin, solution)
    lookalike = personalize.create_solution_version(solutionArn=solution, name=f"{inputs['name']}-2")
    control.clear_requests()

    arn, outputs = plugin.create(name, inputs)

    assert arn != lookalike["solutionVersionArn"] and outputs["versionName"] == inputs["name"]
    assert live_tags(personalize, lookalike["solutionVersionArn"]) == {}
    stopped = lifecycle.stop_unrecorded(
        personalize, solution, inputs["ownerToken"], name, plugin.session.poll(), plugin.session.clock
    )
    assert stopped == [] and control.count("StopSolutionVersionCreation") == 0
