"""`minMetrics`, the quality gate, through the real dynamic-provider host against the emulator.

The emulator's metrics are deterministic per version ARN and uniform in 0.05-0.95, so a minimum of 0.05 always passes,
0.99 never does, and a minimum equal to a version's own value accepts exactly that version."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi.output import Unknown
from pulumi.runtime.proto import provider_pb2

from harness.dynamic_host import HostError, failure_property
from personalize_pulumi.provider.backoff import polling_env
from personalize_pulumi.provider.solution_version import SolutionVersionProvider
from tests.helpers import (
    VERSION_MODEL,
    active_solution,
    checked,
    live_tags,
    message,
    start_host,
    trainings_started,
    version_status,
)

ARN = "arn:aws:personalize:us-east-1:123456789012:solution/my-solution"
DIFF_NONE, DIFF_SOME = provider_pb2.DiffResponse.DIFF_NONE, provider_pb2.DiffResponse.DIFF_SOME
NEVER = 0.99
"""Above the emulator's highest metric (0.95)."""


def only_version(personalize: Any, solution: str) -> str:
    (summary,) = personalize.list_solution_versions(solutionArn=solution)["solutionVersions"]
    return summary["solutionVersionArn"]


def coverage(personalize: Any, arn: str) -> float:
    return personalize.get_solution_metrics(solutionVersionArn=arn)["metrics"]["coverage"]


def rejected_create(host: Any, personalize: Any, **extra: Any) -> tuple[str, dict[str, Any], str, str]:
    """A create whose version misses minMetrics coverage=0.99: (resource name, inputs, version ARN, message)."""
    solution = active_solution(personalize)
    name, inputs = checked(host, solution, minMetrics={"coverage": NEVER}, **extra)
    with pytest.raises(HostError) as exc:
        host.create(name, inputs)
    return name, inputs, only_version(personalize, solution), message(exc.value)


# Create


def test_a_version_that_meets_its_minimums_is_created_and_records_them(host, personalize, fast):
    solution = active_solution(personalize)
    name, inputs = checked(host, solution, minMetrics={"coverage": 0.05, "precision_at_25": 0.0})
    id_, outs = host.create(name, inputs)
    assert outs["status"] == "ACTIVE" and outs["minMetrics"] == {"coverage": 0.05, "precision_at_25": 0.0}
    assert outs["metrics"]["coverage"] >= 0.05


def test_a_version_below_a_minimum_fails_the_create_with_one_line_naming_metric_value_minimum_and_arn(
    host, personalize, fast
):
    name, inputs, arn, last = rejected_create(host, personalize)
    value = coverage(personalize, arn)
    assert last.startswith(f"creating Personalize solution version {inputs['name']} ({arn}): rejected by minMetrics: ")
    assert f"coverage is {value!r}, below the minimum 0.99" in last
    assert f"lower minMetrics.coverage to {value!r} or less" in last and "retrainTriggers" in last
    assert "\n" not in last
    assert version_status(personalize, arn) == "ACTIVE", "the version stays in Personalize"
    assert fast.count("StopSolutionVersionCreation") == 0


def test_a_rejected_create_rerun_trains_nothing_and_gives_the_same_verdict(host, personalize, fast):
    name, inputs, arn, first = rejected_create(host, personalize)
    fast.clear_requests()
    again, failures = host.check(
        name,
        {
            "solutionArn": inputs["solutionArn"],
            "nameScope": inputs["nameScope"],
            "ownerToken": inputs["ownerToken"],
            "minMetrics": {"coverage": NEVER},
        },
        olds=inputs,
    )
    assert failures == [] and again["name"] == inputs["name"]
    with pytest.raises(HostError) as exc:
        host.create(name, again)
    assert message(exc.value) == first
    assert trainings_started(fast) == 0, "the rerun adopted the rejected version"
    assert len(personalize.list_solution_versions(solutionArn=inputs["solutionArn"])["solutionVersions"]) == 1


def test_lowering_the_minimum_accepts_the_rejected_version_without_retraining(host, personalize, fast):
    name, inputs, arn, _ = rejected_create(host, personalize)
    value = coverage(personalize, arn)
    fast.clear_requests()
    lowered, failures = host.check(name, {**inputs, "minMetrics": {"coverage": value}}, olds=inputs)
    assert failures == [] and lowered["name"] == inputs["name"], "minMetrics is not part of the version's name"
    id_, outs = host.create(name, lowered)
    assert id_ == arn and outs["status"] == "ACTIVE" and outs["minMetrics"] == {"coverage": value}
    assert trainings_started(fast) == 0


def test_a_metric_name_the_solution_never_reports_fails_before_any_training(host, personalize, fast):
    """A typo in minMetrics would otherwise train for hours and then be rejected: it fails at once, naming the entry
    and the names the solution reports (here from the documentation of its recipe: it has no ACTIVE version)."""
    solution = active_solution(personalize)
    name, inputs = checked(host, solution, minMetrics={"coverage": 0.05, "precision_at_250": 0.1})
    fast.clear_requests()
    with pytest.raises(HostError) as exc:
        host.create(name, inputs)
    last = message(exc.value)
    assert (
        f"(solution {solution}): minMetrics.precision_at_250 is not a metric this solution reports (it reports " in last
    )
    assert "coverage, mean_reciprocal_rank_at_25, normalized_discounted_cumulative_gain_at_10" in last
    assert last.endswith("fix or remove it, then run `pulumi up` again (no training was started)")
    assert trainings_started(fast) == 0


def test_metric_names_are_judged_by_what_an_active_version_of_the_solution_reports(host, personalize, fast):
    solution = active_solution(personalize)
    name, inputs = checked(host, solution)
    host.create(name, inputs)
    fast.clear_requests()
    gated, _ = host.check(name, {**inputs, "minMetrics": {"hit_rate_at_10": 0.1}, "retrainTriggers": {"d": "2"}})
    with pytest.raises(HostError) as exc:
        host.create(name, gated)
    assert "minMetrics.hit_rate_at_10 is not a metric this solution reports" in message(exc.value)
    assert fast.count("GetSolutionMetrics") == 1 and trainings_started(fast) == 0


def test_metrics_that_cannot_be_read_fail_a_gated_create_and_the_rerun_judges_it(
    emulator, personalize, control, moto_progression
):
    # ACTIVE at the first describe: the short budget is all for the metrics reads, whatever the machine's speed.
    moto_progression(VERSION_MODEL, progression="immediate")
    host = start_host(emulator, AWS_MAX_ATTEMPTS="1", **polling_env(initial=0.02, cap=0.05))
    try:
        solution = active_solution(personalize)
        name, inputs = checked(host, solution, minMetrics={"coverage": 0.05}, waitTimeoutMinutes=0.03)
        control.add_fault(kind="throttle", operation="GetSolutionMetrics", count=100_000, code="LimitExceededException")
        with pytest.raises(HostError) as exc:
            host.create(name, inputs)
        control.clear_faults()
        arn = only_version(personalize, solution)
        last = message(exc.value)
        assert arn in last and "metrics could not be read to judge minMetrics" in last and "judges it again" in last
        control.clear_requests()
        id_, outs = host.create(name, inputs)
        assert id_ == arn and outs["metrics"] and trainings_started(control) == 0
    finally:
        host.stop()


# Update: a changed minMetrics re-judges the version already in the stack


@pytest.fixture
def deployed(host: Any, personalize: Any, fast: Any) -> Iterator[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """A version created with tags and no gate: (resource name, id, checked inputs, outputs)."""
    solution = active_solution(personalize)
    name, inputs = checked(host, solution, tags={"team": "ml"})
    id_, outs = host.create(name, inputs)
    yield name, id_, inputs, outs


def test_a_changed_min_metrics_previews_as_an_update_not_a_replace(host, deployed):
    name, id_, inputs, outs = deployed
    news, failures = host.check(name, {**inputs, "minMetrics": {"coverage": NEVER}}, olds=inputs)
    assert failures == [] and news["name"] == inputs["name"]
    diff = host.diff(name, id_, outs, news)
    assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, [])
    same = host.diff(name, id_, {**outs, "minMetrics": {"coverage": 0.5}}, {**inputs, "minMetrics": {"coverage": 0.5}})
    assert same.changes == DIFF_NONE


def test_a_stricter_min_metrics_fails_the_update_naming_the_metric_and_changes_nothing(
    host, personalize, fast, deployed
):
    name, id_, inputs, outs = deployed
    value = coverage(personalize, id_)
    fast.clear_requests()
    news, _ = host.check(name, {**inputs, "tags": {"team": "search"}, "minMetrics": {"coverage": NEVER}}, olds=inputs)
    with pytest.raises(HostError) as exc:
        host.update(name, id_, outs, news)
    last = message(exc.value)
    assert last.startswith(f"updating Personalize solution version {inputs['name']} ({id_}): rejected by minMetrics: ")
    assert f"coverage is {value!r}, below the minimum 0.99" in last
    assert "nothing was changed" in last and "previous minMetrics" in last
    changing = ("TagResource", "UntagResource", "CreateSolutionVersion", "StopSolutionVersionCreation")
    assert [e["operation"] for e in fast.requests() if e["operation"] in changing] == []
    live = [{"tagKey": k, "tagValue": v} for k, v in live_tags(personalize, id_).items()]
    assert live == [{"tagKey": "team", "tagValue": "ml"}], "the tag change was not applied either"


def test_a_min_metrics_the_version_still_passes_is_accepted_on_update(host, personalize, fast, deployed):
    name, id_, inputs, outs = deployed
    value = coverage(personalize, id_)
    fast.clear_requests()
    updated = host.update(name, id_, outs, {**inputs, "minMetrics": {"coverage": value}})
    assert updated["minMetrics"] == {"coverage": value} and updated["status"] == "ACTIVE"
    assert updated["metrics"] == outs["metrics"] and updated["tagsAll"] == {"team": "ml"}, "full outputs"
    assert fast.count("GetSolutionMetrics") == 1
    assert fast.count("TagResource") == fast.count("UntagResource") == fast.count("CreateSolutionVersion") == 0


# Check: one failure per entry, unknowns left alone


@pytest.mark.parametrize(
    ("min_metrics", "failed"),
    [
        ({"Coverage": 0.1}, ["minMetrics.Coverage"]),
        ({"precision-at-5": 0.1}, ["minMetrics.precision-at-5"]),
        ({"": 0.1}, ["minMetrics."]),
        ({"coverage": "high"}, ["minMetrics.coverage"]),
        ({"coverage": True}, ["minMetrics.coverage"]),
        ({"coverage": math.nan}, ["minMetrics.coverage"]),
        ({"coverage": -math.inf}, ["minMetrics.coverage"]),
        ({"coverage": {"min": 0.1}}, ["minMetrics.coverage"]),
        (
            {"a b": 1.0, "coverage": math.inf, "precision_at_5": 0.2, "X": "y"},
            ["minMetrics.a b", "minMetrics.coverage", "minMetrics.X"],
        ),
        (["coverage"], ["minMetrics"]),
        (0.5, ["minMetrics"]),
    ],
)
def test_each_bad_entry_fails_on_its_own_path_through_the_host(host, min_metrics, failed):
    _, failures = host.check("r", {"solutionArn": ARN, "nameScope": "p/s/r", "minMetrics": min_metrics})
    assert sorted(p for p, _ in failures) == sorted(failed), failures
    for prop, reason in failures:
        assert prop in reason or "metric name" in reason or "minMetrics must be a map" in reason


def test_the_failure_states_the_rule():
    news = {"solutionArn": ARN, "minMetrics": {"Hit-Rate": 0.1, "coverage": "x"}}
    result = SolutionVersionProvider().check({}, news)
    reasons = {failure_property(f.reason, news): f.reason for f in result.failures}
    assert "lower-case letters, digits and '_'" in reasons["minMetrics.Hit-Rate"]
    assert "finite number" in reasons["minMetrics.coverage"]


@pytest.mark.parametrize(
    "min_metrics",
    [Unknown(), {"coverage": Unknown()}, {"coverage": 0.2, "precision_at_25": Unknown()}],
    ids=["map", "value", "one-of-two"],
)
def test_an_unknown_min_metrics_passes_check_keeps_the_name_and_previews_as_an_update(host, control, min_metrics):
    control.clear_requests()
    known, _ = host.check("r", {"solutionArn": ARN, "nameScope": "p/s/r", "minMetrics": {"coverage": 0.2}})
    inputs, failures = host.check(
        "r", {"solutionArn": ARN, "nameScope": "p/s/r", "minMetrics": min_metrics}, olds=known
    )
    assert failures == []
    assert inputs["name"] == known["name"], "minMetrics is not part of the version's identity"
    outs = {**known, "solutionVersionArn": ARN + "/1a2b3c4d", "status": "ACTIVE"}
    diff = host.diff("r", ARN + "/1a2b3c4d", outs, inputs)
    assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, [])
    assert control.requests() == [], "check and diff call nothing"


def test_a_bad_name_next_to_an_unknown_minimum_still_fails(host):
    _, failures = host.check("r", {"solutionArn": ARN, "minMetrics": {"Bad Name": Unknown(), "coverage": Unknown()}})
    assert [p for p, _ in failures] == ["minMetrics.Bad Name"]


def test_min_metrics_is_not_part_of_the_autoname():
    provider = SolutionVersionProvider()
    base = {"solutionArn": ARN, "nameScope": "p/s/r"}
    names = {
        provider.check({}, {**base, "minMetrics": m}).inputs["name"] for m in ({}, {"coverage": 0.1}, {"coverage": 0.9})
    }
    assert len(names) == 1


metric_names = st.from_regex(r"[a-z0-9_]{1,30}", fullmatch=True)
minimums = st.floats(min_value=0, max_value=1) | st.integers(0, 1)  # valid for any metric, fractions included


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(metric_names, minimums, max_size=8), st.data())
def test_valid_minimums_pass_and_one_broken_entry_fails_on_that_entry_only(valid, data):
    provider = SolutionVersionProvider()
    result = provider.check({}, {"solutionArn": ARN, "nameScope": "p/s/r", "minMetrics": valid})
    assert result.failures == [] and result.inputs["minMetrics"] == valid
    bad_name = data.draw(
        st.text(min_size=1, max_size=10).filter(
            lambda k: not all(c in "abcdefghijklmnopqrstuvwxyz0123456789_" for c in k)
        )
    )
    bad_value = data.draw(st.sampled_from([math.nan, math.inf, -math.inf, "0.5", True, None, [0.5]]))
    broken_key, broken = data.draw(st.sampled_from([(bad_name, 0.5), ("coverage_x", bad_value)]))
    if broken is None:
        broken = [None]  # a None value is dropped by the wire; a list holding one is not a number either
    news = {"solutionArn": ARN, "minMetrics": {**valid, broken_key: broken}}
    result = provider.check({}, news)
    assert [failure_property(f.reason, news) for f in result.failures] == [f"minMetrics.{broken_key}"]


@pytest.mark.parametrize(
    ("min_metrics", "words"),
    [
        ({"coverage": 30}, "minMetrics.coverage must be at most 1: coverage is a fraction from 0 to 1"),
        ({"precision_at_25": 1.5}, "minMetrics.precision_at_25 must be at most 1"),
        (
            {"normalized_discounted_cumulative_gain_with_event_weights_at_10": 2},
            "minMetrics.normalized_discounted_cumulative_gain_with_event_weights_at_10 must be at most 1",
        ),
        ({"average_rewards_at_k": 1.01}, "minMetrics.average_rewards_at_k must be at most 1"),
        ({"hits_at_1_percent": -1}, "minMetrics.hits_at_1_percent must be 0 or more"),
        ({"coverage": -0.1}, "minMetrics.coverage must be 0 or more"),
    ],
)
def test_a_minimum_no_version_can_meet_fails_check_through_the_host_with_no_aws_call(host, control, min_metrics, words):
    control.clear_requests()
    _, failures = host.check("r", {"solutionArn": ARN, "nameScope": "p/s/r", "minMetrics": min_metrics})
    [(prop, reason)] = failures
    assert prop == f"minMetrics.{next(iter(min_metrics))}" and reason.startswith(words), reason
    assert control.requests() == []


def test_a_count_keeps_any_minimum_that_is_not_negative(host):
    for minimum in (0, 1, 19.76, 1e6):
        _, failures = host.check(
            "r", {"solutionArn": ARN, "nameScope": "p/s/r", "minMetrics": {"hits_at_1_percent": minimum, "coverage": 1}}
        )
        assert failures == [], (minimum, failures)
