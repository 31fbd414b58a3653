"""`existingVersionArn`: adopting a version the stack did not train, through the real dynamic-provider host against the
emulator. `pulumi import` does not work for dynamic resources (pulumi/pulumi#16175); this is the way in."""

from __future__ import annotations

from typing import Any

import pytest
from pulumi.output import Unknown
from pulumi.runtime.proto import provider_pb2

from harness.dynamic_host import HostError
from tests.helpers import (
    HELD,
    InBackground,
    active_solution,
    live_tags,
    message,
    poll_until,
    unique,
    version_status,
    wait_for,
)

ARN = "arn:aws:personalize:us-east-1:123456789012:solution/my-solution"
VERSION = ARN + "/1a2b3c4d"
DIFF_NONE, DIFF_SOME = provider_pb2.DiffResponse.DIFF_NONE, provider_pb2.DiffResponse.DIFF_SOME


def trained_by_hand(personalize: Any, solution: str, wait: bool = True, **extra: Any) -> str:
    """A version created outside the stack (as by a console user or another pipeline)."""
    arn = personalize.create_solution_version(solutionArn=solution, **extra)["solutionVersionArn"]
    if wait:
        wait_for(lambda: version_status(personalize, arn), ("ACTIVE",))
    return arn


def adopting(host: Any, solution: str, version: str, **extra: Any) -> tuple[str, dict[str, Any]]:
    name = unique("adopted")
    inputs, failures = host.check(
        name, {"solutionArn": solution, "existingVersionArn": version, "nameScope": f"proj/dev/{name}", **extra}
    )
    assert failures == []
    return name, inputs


# Create


def test_adopting_an_active_version_trains_nothing_and_gives_it_the_resources_tags(host, personalize, fast):
    solution = active_solution(personalize)
    version = trained_by_hand(personalize, solution, name="by-hand", tags=[{"tagKey": "owner", "tagValue": "console"}])
    name, inputs = adopting(host, solution, version, tags={"team": "ml"})
    assert "name" not in inputs and "trainingMode" not in inputs, "an adopted version's name and mode are the service's"
    fast.clear_requests()

    id_, outs = host.create(name, inputs)

    assert id_ == version and outs["solutionVersionArn"] == version and outs["status"] == "ACTIVE"
    assert outs["existingVersionArn"] == version and outs["versionName"] == "by-hand"
    assert outs["trainingMode"] == "FULL" and outs["trainingType"] == "MANUAL" and outs["metrics"]
    assert outs["tags"] == {"team": "ml"} and outs["tagsAll"] == {"team": "ml"}
    assert live_tags(personalize, version) == {"team": "ml"}, "the resource owns the version's tags, as for any version"
    assert fast.count("CreateSolutionVersion") == 0 and fast.count("StopSolutionVersionCreation") == 0
    assert any(f"adopting {version}" in line and "already ACTIVE" in line for line in host.output)


def test_adopting_a_version_still_training_waits_for_it_without_stopping_or_starting_one(host, personalize, control):
    control.set_timing(training_seconds=HELD, setup_seconds=0)  # it trains until the host has said it waits for it
    solution = active_solution(personalize)
    version = trained_by_hand(personalize, solution, wait=False)
    name, inputs = adopting(host, solution, version)
    control.clear_requests()

    create = InBackground(lambda: host.create(name, inputs))
    poll_until(lambda: any(f"adopting {version}" in line for line in host.output), "the host's adoption line")
    control.set_timing(training_seconds=1)
    id_, outs = create.result()

    assert control.count("DescribeSolutionVersion") >= 2, "create polled the training until it ended"
    assert id_ == version and outs["status"] == "ACTIVE" and outs["trainingHours"] > 0
    assert control.count("CreateSolutionVersion") == 0 and control.count("StopSolutionVersionCreation") == 0
    assert any(f"adopting {version}" in line and "still CREATE" in line for line in host.output)


def test_adopting_a_version_of_the_solutions_automatic_training(host, personalize, fast):
    """trainingType AUTOMATIC: versions the solution's automatic training creates (no name, not this stack's)."""
    solution = active_solution(personalize)
    version = fast.start_automatic_training(solution)
    name, inputs = adopting(host, solution, version, tags={"team": "ml"})
    fast.clear_requests()
    id_, outs = host.create(name, inputs)
    assert id_ == version and outs["trainingType"] == "AUTOMATIC" and outs["status"] == "ACTIVE"
    assert outs.get("versionName") is None, "the service names no automatic version"
    assert live_tags(personalize, version) == {"team": "ml"}
    assert fast.count("CreateSolutionVersion") == 0
    assert any(f"adopting {version}" in line for line in host.output)
    assert host.diff(name, id_, outs, inputs).changes == DIFF_NONE


def test_an_adopted_version_below_a_minimum_is_rejected_untouched_and_accepted_once_lowered(host, personalize, fast):
    solution = active_solution(personalize)
    version = trained_by_hand(personalize, solution, tags=[{"tagKey": "owner", "tagValue": "console"}])
    name, inputs = adopting(host, solution, version, tags={"team": "ml"}, minMetrics={"coverage": 0.99})
    fast.clear_requests()
    with pytest.raises(HostError) as exc:
        host.create(name, inputs)
    last = message(exc.value)
    value = personalize.get_solution_metrics(solutionVersionArn=version)["metrics"]["coverage"]
    assert version in last and f"coverage is {value!r}, below the minimum 0.99" in last
    assert "not added to the stack and is unchanged" in last
    assert live_tags(personalize, version) == {"owner": "console"}, "a rejected version is left as it was"

    lowered, _ = host.check(name, {**inputs, "minMetrics": {"coverage": value}}, olds=inputs)
    id_, outs = host.create(name, lowered)
    assert id_ == version and outs["minMetrics"] == {"coverage": value}
    assert fast.count("CreateSolutionVersion") == 0


def test_adopting_a_version_that_does_not_exist_fails_with_one_line(host, personalize, fast):
    solution = active_solution(personalize)
    missing = solution + "/0000beef"
    name, inputs = adopting(host, solution, missing)
    with pytest.raises(HostError) as exc:
        host.create(name, inputs)
    last = message(exc.value)
    assert last.startswith(f"creating Personalize solution version {missing.split(':solution/')[1]} ({missing}): ")
    assert "names no version" in last and "list-solution-versions" in last
    assert fast.count("CreateSolutionVersion") == 0


def test_adopting_a_failed_version_fails_and_says_to_adopt_another(host, personalize, fast):
    solution = active_solution(personalize)
    fast.add_fault(kind="fail_training", reason="Not enough interactions.", solution_arn=solution)
    version = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    wait_for(lambda: version_status(personalize, version), ("CREATE FAILED",))
    name, inputs = adopting(host, solution, version)
    with pytest.raises(HostError) as exc:
        host.create(name, inputs)
    last = message(exc.value)
    assert version in last and "CREATE FAILED (Not enough interactions.)" in last and "adopt another one" in last


# Read, diff, update, delete of an adopted version


def test_an_adopted_version_shows_no_diff_after_up_or_refresh_and_tag_changes_update_in_place(host, personalize, fast):
    solution = active_solution(personalize)
    version = trained_by_hand(personalize, solution, trainingMode="FULL")
    name, inputs = adopting(host, solution, version, tags={"team": "ml"})
    id_, outs = host.create(name, inputs)

    again, _ = host.check(name, {k: v for k, v in inputs.items() if k != "name"}, olds=inputs)
    assert host.diff(name, id_, outs, again).changes == DIFF_NONE
    _, refreshed, refreshed_inputs = host.read(name, id_, outs)
    assert "trainingMode" not in refreshed_inputs, "refresh does not invent a trainingMode input next to the ARN"
    assert host.diff(name, id_, refreshed, again).changes == DIFF_NONE

    retagged, _ = host.check(name, {**again, "tags": {"team": "search"}}, olds=again)
    diff = host.diff(name, id_, outs, retagged)
    assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, [])
    updated = host.update(name, id_, outs, retagged)
    assert updated["tagsAll"] == {"team": "search"} and updated["existingVersionArn"] == version


def test_deleting_an_adopted_version_leaves_it_in_place_as_for_any_version(host, personalize, fast):
    solution = active_solution(personalize)
    version = trained_by_hand(personalize, solution)
    name, inputs = adopting(host, solution, version)
    id_, outs = host.create(name, inputs)
    host.delete(name, id_, outs)
    assert version_status(personalize, version) == "ACTIVE"
    assert fast.count("StopSolutionVersionCreation") == 0
    assert any("no API to delete a solution version" in line and version in line for line in host.output)


@pytest.mark.parametrize(
    ("olds_extra", "news_extra", "replaces"),
    [
        ({"existingVersionArn": VERSION}, {"existingVersionArn": ARN + "/0000beef"}, ["existingVersionArn"]),
        ({"existingVersionArn": VERSION}, {"existingVersionArn": Unknown()}, ["existingVersionArn"]),
        ({"name": "trained-here", "trainingMode": "FULL"}, {"existingVersionArn": VERSION}, ["existingVersionArn"]),
        ({"existingVersionArn": VERSION}, {"retrainTriggers": {}}, ["existingVersionArn"]),
        ({"existingVersionArn": VERSION}, {"existingVersionArn": VERSION}, []),
    ],
    ids=["another-version", "unknown", "trained-to-adopted", "adopted-to-trained", "same"],
)
def test_changing_the_adopted_version_previews_as_a_replace(host, olds_extra, news_extra, replaces):
    olds, failures = host.check("r", {"solutionArn": ARN, "nameScope": "p/s/r", **olds_extra})
    assert failures == []
    news, failures = host.check("r", {"solutionArn": ARN, "nameScope": "p/s/r", **news_extra}, olds=olds)
    assert failures == []
    outs = {**olds, "solutionVersionArn": VERSION, "status": "ACTIVE", "trainingMode": "UPDATE"}
    diff = host.diff("r", VERSION, outs, news)
    assert list(diff.replaces) == replaces
    assert diff.changes == (DIFF_SOME if replaces else DIFF_NONE)


# Check


@pytest.mark.parametrize(
    ("extra", "prop", "words"),
    [
        (
            {"existingVersionArn": "arn:aws:personalize:us-east-1:123456789012:solution/other/1a2b3c4d"},
            "existingVersionArn",
            "is a version of 'arn:aws:personalize:us-east-1:123456789012:solution/other', not of solutionArn",
        ),
        ({"existingVersionArn": ARN}, "existingVersionArn", "this is a solution ARN"),
        ({"existingVersionArn": "1a2b3c4d"}, "existingVersionArn", "solution version ARN"),
        ({"existingVersionArn": ""}, "existingVersionArn", "solution version ARN"),
        ({"existingVersionArn": 7.0}, "existingVersionArn", "solution version ARN"),
        ({"existingVersionArn": VERSION, "name": "mine"}, "name", "cannot be combined with existingVersionArn"),
        ({"existingVersionArn": VERSION, "name": "bad name!"}, "name", "cannot be combined with existingVersionArn"),
        (
            {"existingVersionArn": VERSION, "trainingMode": "FULL"},
            "trainingMode",
            "cannot be combined with existingVersionArn",
        ),
        (
            {"existingVersionArn": VERSION, "retrainTriggers": {"data": "job-1"}},
            "retrainTriggers",
            "cannot be combined",
        ),
        (
            {"existingVersionArn": VERSION, "retrainTriggers": {"data": Unknown()}},
            "retrainTriggers",
            "cannot be combined",
        ),
        ({"existingVersionArn": Unknown(), "name": Unknown()}, "name", "cannot be combined with existingVersionArn"),
    ],
)
def test_check_refuses_a_foreign_or_malformed_arn_and_training_inputs_next_to_it(host, extra, prop, words):
    _, failures = host.check("r", {"solutionArn": ARN, "nameScope": "p/s/r", **extra})
    assert [p for p, _ in failures] == [prop], failures
    assert words in failures[0][1]


@pytest.mark.parametrize(
    "extra",
    [
        {"existingVersionArn": VERSION, "retrainTriggers": {}},
        {"existingVersionArn": Unknown()},
        {
            "existingVersionArn": "arn:aws:personalize:us-east-1:123456789012:solution/other/1a2b3c4d",
            "solutionArn": Unknown(),
        },
        {"existingVersionArn": VERSION, "tags": {"team": "ml"}, "minMetrics": {"coverage": Unknown()}},
    ],
    ids=["empty-triggers", "unknown-arn", "unknown-solution", "tags-and-unknown-minimum"],
)
def test_check_accepts_adoption_with_what_it_cannot_judge_yet(host, extra):
    inputs, failures = host.check("r", {"solutionArn": ARN, "nameScope": "p/s/r", **extra})
    assert failures == []
    assert "name" not in inputs and "trainingMode" not in inputs
