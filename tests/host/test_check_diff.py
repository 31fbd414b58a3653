"""check and diff through the real host, with properties serialized as the engine sends them (unknowns,
floats), and what they print and call: nothing on AWS, at most a line per changed resource."""

from __future__ import annotations

import math

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

from harness.dynamic_host import to_struct
from personalize_pulumi.provider.properties import TYPE_TOKEN
from personalize_pulumi.provider.solution_version import SolutionVersionProvider
from personalize_pulumi.provider.values import MAX_DEPTH
from tests.helpers import REGION
from tests.provider.check_diff_cases import (
    ARABIC_DIGITS,
    ARN,
    BASE,
    BREAKERS,
    DEEP,
    DIFF_NONE,
    DIFF_SOME,
    KNOWN,
    identity_keys,
    maybe_unknown,
    nested,
    outputs_for,
    valid_inputs,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_inputs, st.sampled_from(sorted(BREAKERS)), st.data())
def test_one_broken_property_fails_on_that_property_only_through_the_host(host, news, prop, data):
    """The same, serialized as the engine sends it: NaN, infinities and unknowns survive the wire."""
    broken = {**news, prop: data.draw(BREAKERS[prop])}
    _, failures = host.check("r", broken)
    assert failures and {p for p, _ in failures} == {prop}, failures


def test_changing_only_operational_inputs_is_an_update_without_replace_through_the_host(host):
    checked, _ = host.check("r", {"solutionArn": ARN, "nameScope": "p/s/r"})
    for change in ({"profile": "ml-admin"}, {"region": REGION}, {"waitTimeoutMinutes": 30.0}):
        news, failures = host.check("r", {"solutionArn": ARN, "nameScope": "p/s/r", **change}, olds=checked)
        assert failures == [] and news["name"] == checked["name"]
        diff = host.diff("r", ARN + "/1a2b3c4d", outputs_for(checked), news)
        assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, []), change
    diff = host.diff("r", ARN + "/1a2b3c4d", outputs_for(checked), {**checked, "nameScope": "p/s/renamed"})
    assert diff.changes == DIFF_NONE


@pytest.mark.parametrize(
    ("unknown", "replaces"),
    [
        ({"solutionArn": Unknown()}, ["solutionArn", "name"]),
        ({"trainingMode": Unknown()}, ["name", "trainingMode"]),
        ({"retrainTriggers": Unknown()}, ["name", "retrainTriggers"]),
        ({"retrainTriggers": {"data": Unknown(), "n": {"deep": [1]}}}, ["name", "retrainTriggers"]),
        ({"retrainTriggers": {"data": "job-1", "n": {"deep": [1, Unknown()]}}}, ["name", "retrainTriggers"]),
        ({"name": Unknown()}, ["name"]),
    ],
    ids=["solutionArn", "trainingMode", "all-triggers", "one-trigger", "nested-trigger", "name"],
)
def test_an_unknown_identity_input_previews_as_a_replace_naming_it(host, unknown, replaces):
    known, _ = host.check("r", KNOWN)
    inputs, failures = host.check("r", {**KNOWN, **unknown}, olds=known)
    assert failures == []
    assert isinstance(inputs["name"], Unknown), "a name that depends on an unknown input is unknown"
    diff = host.diff("r", ARN + "/1a2b3c4d", outputs_for(known), inputs)
    assert diff.changes == DIFF_SOME
    assert list(diff.replaces) == replaces


@pytest.mark.parametrize(
    "tags", [Unknown(), {"team": Unknown()}, {"team": "ml", "cost-center": Unknown()}], ids=["map", "value", "added"]
)
def test_unknown_tags_preview_as_an_in_place_update(host, tags):
    known, _ = host.check("r", KNOWN)
    inputs, failures = host.check("r", {**KNOWN, "tags": tags}, olds=known)
    assert failures == []
    assert inputs["name"] == known["name"], "tags are not part of the name"
    diff = host.diff("r", ARN + "/1a2b3c4d", outputs_for(known), inputs)
    assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, [])


def test_a_first_preview_with_every_input_unknown_is_not_validated(host):
    unknowns = {
        key: Unknown()
        for key in (
            "solutionArn",
            "trainingMode",
            "tags",
            "retrainTriggers",
            "waitTimeoutMinutes",
            "region",
            "profile",
            "minMetrics",
        )
    }
    inputs, failures = host.check("r", {**unknowns, "nameScope": "p/s/r"})
    assert failures == []
    assert isinstance(inputs["name"], Unknown) and isinstance(inputs["solutionArn"], Unknown)


def test_the_unknown_name_reaches_the_engine_as_the_unknown_sentinel(host):
    """On the wire check's inputs carry `rpc.UNKNOWN` for the name (the engine's marker for "computed"); the harness
    deserializes that with keep_unknowns=True, which gives back an `Unknown` instance, as the host itself does."""
    news = to_struct({"solutionArn": Unknown(), "nameScope": "p/s/r", "__provider": host.provider})
    response = host.stub.Check(provider_pb2.CheckRequest(urn="urn:pulumi:dev::p::t::r", olds=to_struct({}), news=news))
    assert list(response.failures) == []
    assert response.inputs["name"] == rpc.UNKNOWN and response.inputs["solutionArn"] == rpc.UNKNOWN


@pytest.mark.parametrize(
    ("news", "prop"),
    [
        ({"retrainTriggers": {"n": math.nan}}, "retrainTriggers"),
        ({"retrainTriggers": {"n": math.inf}}, "retrainTriggers"),
        ({"retrainTriggers": {"a": [{"b": -math.inf}], "c": Unknown()}}, "retrainTriggers"),
        ({"solutionArn": ARN.replace("123456789012", ARABIC_DIGITS)}, "solutionArn"),
        ({"solutionArn": ARN.replace("us-east-1", "us-east-١")}, "solutionArn"),
        ({"solutionArn": Unknown(), "region": "us-east-١"}, "region"),  # no ARN region to contradict
    ],
    ids=["nan", "inf", "nested-minus-inf-next-to-unknown", "arabic-account", "arabic-arn-region", "arabic-region"],
)
def test_inputs_state_cannot_hold_or_the_service_would_refuse_fail_through_the_host(host, news, prop):
    _, failures = host.check("r", {"solutionArn": ARN, "nameScope": "p/s/r", **news})
    assert [p for p, _ in failures] == [prop], failures


@pytest.mark.parametrize("prop", ["retrainTriggers", "tags", "minMetrics", "solutionArn"])
def test_a_value_nested_too_deeply_fails_check_in_one_line_on_its_property_through_the_host(host, control, prop):
    _, failures = host.check("r", {"solutionArn": ARN, "nameScope": "p/s/r", prop: nested(DEEP)})
    assert [p for p, _ in failures] == [prop], failures
    reason = failures[0][1]
    assert (
        reason
        == f"{prop} may nest maps and lists at most {MAX_DEPTH} levels deep (a limit of this provider); got {DEEP}"
    )
    assert control.requests() == []


@pytest.mark.parametrize("lists", [False, True], ids=["maps", "maps-and-lists"])
def test_retrain_triggers_nested_as_deeply_as_the_limit_pass_and_one_level_more_fails_through_the_host(host, lists):
    news = {"solutionArn": ARN, "nameScope": "p/s/r"}
    at_limit, failures = host.check("r", {**news, "retrainTriggers": nested(MAX_DEPTH, lists)})
    assert failures == [] and at_limit["retrainTriggers"] == nested(MAX_DEPTH, lists)
    _, failures = host.check("r", {**news, "retrainTriggers": nested(MAX_DEPTH + 1, lists)})
    assert [p for p, _ in failures] == ["retrainTriggers"] and f"got {MAX_DEPTH + 1}" in failures[0][1]


@pytest.mark.parametrize(("prop", "replaces"), [("retrainTriggers", ["retrainTriggers"]), ("tags", [])])
def test_diff_of_a_state_holding_a_value_nested_too_deeply_decides_without_crashing_through_the_host(
    host, prop, replaces
):
    """A state written before check had a limit (or edited by hand) may hold one; the new inputs cannot."""
    news, _ = host.check("r", {"solutionArn": ARN, "nameScope": "p/s/r"})
    diff = host.diff("r", ARN + "/1a2b3c4d", outputs_for(news, **{prop: nested(DEEP)}), news)
    assert diff.changes == DIFF_SOME and list(diff.replaces) == replaces


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_inputs, st.sets(st.sampled_from(maybe_unknown), min_size=1), st.booleans())
def test_any_unknown_input_passes_check_and_shows_in_diff_through_the_host(host, news, unknown, deep):
    news = {
        "trainingMode": "FULL",
        "retrainTriggers": {"k": 1},
        "tags": {"t": "v"},
        "profile": "p",
        "minMetrics": {"m": 0.1},
        **news,
    }
    news.pop("name", None)
    known, failures = host.check("r", news)
    assert failures == []
    partly = dict(news)
    for key in unknown:
        if deep and isinstance(news.get(key), dict) and news[key]:
            partly[key] = {**news[key], next(iter(news[key])): Unknown()}  # one value unknown
        else:
            partly[key] = Unknown()
    inputs, failures = host.check("r", partly, olds=known)
    assert failures == []
    assert isinstance(inputs["name"], Unknown) == bool(unknown & set(identity_keys))
    diff = host.diff("r", ARN + "/1a2b3c4d", outputs_for(known), inputs)
    expected = sorted(unknown & set(identity_keys)) + (["name"] if unknown & set(identity_keys) else [])
    assert diff.changes == DIFF_SOME and sorted(diff.replaces) == sorted(expected)


# Purity


def test_check_and_diff_make_no_api_calls_and_print_at_most_a_line_per_changed_resource(emulator, control, capsys):
    """In-process, with boto3 pointed at the emulator: its request log proves no call was made. Check prints the
    reviewer's line of a new resource (it trains a new version), nothing for one that fails; diff prints one line for
    a resource that changes (what it means for the model), nothing otherwise. (No engine here: the lines go to stdout,
    after the one line saying so, which the process prints once.)"""
    provider = SolutionVersionProvider()
    changed, printed = 0, []

    def said() -> list[str]:
        out, err = capsys.readouterr()
        assert err == ""
        return [line for line in out.splitlines() if "progress is printed under the stack" not in line]

    for news in (
        {"solutionArn": ARN},
        {"solutionArn": ARN, "tags": {"aws:x": "1"}},
        {"solutionArn": "nope"},
        {"solutionArn": Unknown(), "retrainTriggers": {"a": Unknown()}},
        {"solutionArn": ARN, "retrainTriggers": {"n": math.nan}},
    ):
        result = provider.check({}, news)
        inputs = result.inputs
        assert said() == ([] if result.failures else ["solution version: trains a new version"])
        changed += bool(provider.diff("id", outputs_for({**BASE, **inputs}), inputs).changes)
        out = said()
        assert len(out) <= 1
        printed += out
    assert control.requests() == []
    assert len(printed) == changed and 0 < changed < 5
    assert all(": trains a new version because " in line or ": no training; " in line for line in printed)


def test_check_and_diff_through_the_host_need_no_aws_at_all(emulator, control, tmp_path):
    """Previews in a pull request have no credentials: Check and Diff still answer, and nothing reaches AWS. The host
    never even imports boto3 for them (a `boto3` that fails to import shadows the real one here)."""
    from harness.dynamic_host import DynamicHost

    blocker = tmp_path / "no-boto3" / "boto3"
    blocker.mkdir(parents=True)
    (blocker / "__init__.py").write_text('raise ImportError("a preview must not import boto3")\n')
    no_aws = {
        "PYTHONPATH": str(blocker.parent),
        "AWS_ACCESS_KEY_ID": "",
        "AWS_SECRET_ACCESS_KEY": "",
        "AWS_PROFILE": "",
        "AWS_ENDPOINT_URL_PERSONALIZE": emulator.url,
        "AWS_DEFAULT_REGION": REGION,
    }
    host = DynamicHost(env=no_aws)
    try:
        host.configure({})
        inputs, failures = host.check("r", {"solutionArn": ARN, "nameScope": "p/s/r", "tags": {"team": "ml"}})
        assert failures == []
        _, bad = host.check("r", {"solutionArn": ARN, "name": "has space"})
        assert [p for p, _ in bad] == ["name"]
        unknown, failures = host.check(
            "r", {"solutionArn": Unknown(), "nameScope": "p/s/r", "retrainTriggers": {"d": Unknown()}}
        )
        assert failures == []
        assert list(host.diff("r", ARN + "/1a2b3c4d", outputs_for(inputs), unknown).replaces) == [
            "solutionArn",
            "name",
            "retrainTriggers",
        ]
        diff = host.diff("r", ARN + "/1a2b3c4d", outputs_for(inputs), {**inputs, "tags": {}})
        assert list(diff.replaces) == [] and diff.changes == 2  # DIFF_SOME
    finally:
        host.stop()
    assert control.requests() == []
    assert host.output == [
        f"{TYPE_TOKEN}: progress is printed under the stack, not on each resource's row (the provider was started "
        "without the engine's address)",
        "r: trains a new version",  # the first check of a new resource; the later ones are the same operation's
        "r: trains a new version because solutionArn and retrainTriggers change",
        "r: no training; updates the version in place: retags it",
    ], "the reviewer's line of a create, and one line for each diff that changes something, nothing else"
