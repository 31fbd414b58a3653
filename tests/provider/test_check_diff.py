"""check and diff as functions: pure, no AWS calls, no host (the same cases through the real host are in
tests/host/test_check_diff.py)."""

from __future__ import annotations

import math

import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from harness.dynamic_host import from_struct, to_struct
from personalize_pulumi.provider import arns as arn_rules
from personalize_pulumi.provider import naming
from personalize_pulumi.provider import tags as tag_rules
from personalize_pulumi.provider.diffs import decide
from personalize_pulumi.provider.solution_version import SolutionVersionProvider
from tests.provider.check_diff_cases import (
    ARABIC_DIGITS,
    ARN,
    BASE,
    BREAKERS,
    check,
    garbage_props,
    outputs_for,
    tag_keys,
    tag_text,
    valid_inputs,
)

# Defaults and autonaming


def test_check_fills_defaults_and_autonames_from_the_resource_name():
    inputs, failures = check({"solutionArn": ARN, "nameScope": "shop/prod/recs-model"})
    assert failures == []
    assert inputs["trainingMode"] == "FULL" and inputs["waitTimeoutMinutes"] == 720.0
    assert inputs["tags"] == {} and inputs["retrainTriggers"] == {}
    assert inputs["name"].startswith("recs-model-") and len(inputs["name"]) == len("recs-model-") + 8


def test_autoname_is_stable_across_checks_and_processes_but_changes_with_identity_inputs():
    base = {"solutionArn": ARN, "nameScope": "shop/prod/recs", "retrainTriggers": {"import": "job-1"}}
    first, _ = check(base)
    again, _ = check(dict(base))
    assert first["name"] == again["name"]
    from_engine, _ = check({**base, "retrainTriggers": {"import": "job-1"}, "waitTimeoutMinutes": 60.0})
    assert from_engine["name"] == first["name"], "operational inputs do not rename the version"
    assert check({**base, "retrainTriggers": {"import": "job-2"}})[0]["name"] != first["name"]
    assert check({**base, "trainingMode": "UPDATE"})[0]["name"] != first["name"]
    assert check({**base, "nameScope": "shop/staging/recs"})[0]["name"] != first["name"], "stacks do not collide"


def test_numbers_from_the_engine_arrive_as_floats_and_do_not_change_the_name():
    as_ints, _ = check({"solutionArn": ARN, "nameScope": "p/s/r", "retrainTriggers": {"epoch": 3}})
    as_floats, _ = check({"solutionArn": ARN, "nameScope": "p/s/r", "retrainTriggers": {"epoch": 3.0}})
    assert as_ints["name"] == as_floats["name"] and as_floats["retrainTriggers"] == {"epoch": 3}


def test_the_previous_name_is_kept_when_only_the_resource_name_changes():
    olds, _ = check({"solutionArn": ARN, "nameScope": "p/s/old-name"})
    renamed, _ = check({"solutionArn": ARN, "nameScope": "p/s/new-name"}, olds=olds)
    assert renamed["name"] == olds["name"]


def test_an_explicit_name_is_used_as_is():
    inputs, failures = check({"solutionArn": ARN, "name": "my-model_v1"})
    assert failures == [] and inputs["name"] == "my-model_v1"


# One failure per broken property


@pytest.mark.parametrize(
    ("news", "prop", "words"),
    [
        ({}, "solutionArn", "required"),
        ({"solutionArn": "arn:aws:s3:::bucket"}, "solutionArn", "solution ARN"),
        ({"solutionArn": ARN + "/1a2b3c4d"}, "solutionArn", "solution version ARN"),
        ({"solutionArn": ARN + "x" * 250}, "solutionArn", "256"),
        ({"name": "my model"}, "name", "letters, digits"),
        ({"name": "-leading-dash"}, "name", "starting with a letter or digit"),
        ({"name": "x" * 64}, "name", "1-63"),
        ({"trainingMode": "PARTIAL"}, "trainingMode", "FULL, UPDATE, AUTOTRAIN"),
        ({"tags": {f"k{i}": "v" for i in range(51)}}, "tags", "at most 50"),
        ({"tags": {"aws:team": "ml"}}, "tags.aws:team", "reserved"),
        ({"tags": {"bad!key": "v"}}, "tags.bad!key", "1-128 characters"),
        ({"tags": {"team": 7.0}}, "tags.team", "string value"),
        ({"tags": {"team": "v" * 257}}, "tags.team", "0-256"),
        ({"tags": ["team"]}, "tags", "map"),
        ({"retrainTriggers": "weekly"}, "retrainTriggers", "map"),
        ({"waitTimeoutMinutes": 0.0}, "waitTimeoutMinutes", "greater than 0"),
        ({"waitTimeoutMinutes": "soon"}, "waitTimeoutMinutes", "number of minutes"),
        ({"region": "eu-west-1"}, "region", "contradicts solutionArn"),
        ({"region": "Mars"}, "region", "region name"),
        ({"region": "us-east-" + ARABIC_DIGITS[0]}, "region", "region name"),
        ({"solutionArn": ARN.replace("123456789012", ARABIC_DIGITS)}, "solutionArn", "solution ARN"),
        ({"solutionArn": ARN.replace("us-east-1", "us-east-" + ARABIC_DIGITS[0])}, "solutionArn", "solution ARN"),
        ({"retrainTriggers": {"n": math.nan}}, "retrainTriggers", "retrainTriggers.n (nan) is not a finite"),
        ({"retrainTriggers": {"a": {"b": [1, -math.inf]}}}, "retrainTriggers", "retrainTriggers.a.b[1] (-inf)"),
        ({"profile": ""}, "profile", "non-empty"),
        ({"trainingMdoe": "FULL"}, "trainingMdoe", "unknown property"),
    ],
)
def test_each_rule_fails_on_its_own_property_with_a_message_stating_it(news, prop, words):
    base = {} if news == {} else {"solutionArn": ARN}
    _, failures = check({**base, **news})
    assert [p for p, _ in failures] == [prop], failures
    assert words in failures[0][1]


def test_limits_match_botocores_service_model():
    model = botocore.session.get_session().get_service_model("personalize")
    assert model.shape_for("Name").metadata["max"] == naming.NAME_MAX
    assert model.shape_for("Arn").metadata["max"] == arn_rules.ARN_MAX
    assert model.shape_for("TagKey").metadata["max"] == tag_rules.TAG_KEY_MAX
    assert model.shape_for("TagValue").metadata["max"] == tag_rules.TAG_VALUE_MAX
    assert tuple(model.shape_for("TrainingMode").enum) == ("FULL", "UPDATE", "AUTOTRAIN")
    # The service's tag pattern allows Unicode letters, spaces and numbers (\p{L}\p{Z}\p{N}); ours is the same one.
    for shape in ("TagKey", "TagValue"):
        assert model.shape_for(shape).metadata["pattern"] == f"^({tag_rules.TAG_RE.pattern})$"


def test_a_rejected_huge_value_is_quoted_in_one_short_line():
    _, failures = check({"solutionArn": "arn:" + "x\n" * 500_000})
    assert [p for p, _ in failures] == ["solutionArn"]
    assert "\n" not in failures[0][1] and len(failures[0][1]) < 300


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(valid_inputs)
def test_valid_inputs_pass_and_check_is_idempotent(news):
    inputs, failures = check(news)
    assert failures == []
    assert naming.NAME_RE.fullmatch(inputs["name"]) and len(inputs["name"]) <= 63
    again, failures_again = check(inputs, olds=inputs)
    assert failures_again == [] and again == inputs


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(valid_inputs, st.sampled_from(sorted(BREAKERS)), st.data())
def test_one_broken_property_fails_on_that_property_only(news, prop, data):
    broken = {**news, prop: data.draw(BREAKERS[prop])}
    _, failures = check(broken)
    assert failures, f"{prop}={broken[prop]!r} was accepted"
    assert {p for p, _ in failures} == {prop}, failures


@settings(max_examples=150)
@given(
    valid_inputs,
    st.one_of(
        st.just({"aws:owner": "x"}),
        st.dictionaries(tag_keys, tag_text, min_size=51, max_size=55),
        st.dictionaries(
            st.just("k"), st.one_of(st.integers(), st.booleans(), st.none().map(lambda _: [1])), min_size=1
        ),
    ),
)
def test_broken_tags_fail_on_tags(news, tags):
    _, failures = check({**news, "tags": tags})
    assert failures and all(p == "tags" or p.startswith("tags.") for p, _ in failures)


@settings(max_examples=200)
@given(garbage_props, garbage_props)
def test_check_and_diff_never_crash_on_garbage(news, olds):
    inputs, failures = check(news, olds=olds)
    assert isinstance(inputs, dict) and all(isinstance(p, str) and r for p, r in failures)
    decision = decide(olds, inputs)
    assert set(decision.replaces) <= set(decision.changes)


@pytest.mark.parametrize(
    ("change", "replaces", "changed"),
    [
        ({}, [], False),
        ({"tags": {"team": "search"}}, [], True),
        ({"tags": {}}, [], True),
        # The effective set (aws:defaultTags overlaid by tags) changed, e.g. with the stack's default tags.
        ({"tagsAll": {"team": "ml", "owner": "platform"}}, [], True),
        ({"trainingMode": "UPDATE"}, ["trainingMode"], True),
        ({"solutionArn": ARN + "2"}, ["solutionArn"], True),
        ({"name": "other-name"}, ["name"], True),
        ({"retrainTriggers": {"n": 2}}, ["retrainTriggers"], True),
        ({"retrainTriggers": {"n": 1.0}}, [], False),
        # The gate is re-judged in place; it is not part of the version's identity.
        ({"minMetrics": {"coverage": 0.5}}, [], True),
        ({"minMetrics": {}}, [], False),
        # Operational inputs: an update (which calls nothing on the service), so that the engine stores them.
        ({"waitTimeoutMinutes": 5.0}, [], True),
        ({"profile": "other"}, [], True),
        ({"region": "us-east-1"}, [], True),
        ({"nameScope": "p/s/renamed"}, [], False),
        ({"__provider": "a-different-serialization"}, [], False),
    ],
)
def test_diff_decisions(change, replaces, changed):
    result = SolutionVersionProvider().diff(ARN + "/1a2b3c4d", outputs_for(BASE), {**BASE, **change})
    assert result.replaces == replaces
    assert result.changes is changed, "diff always decides explicitly"
    assert result.delete_before_replace is False, "the new version trains before the old one goes"


def test_aws_system_tags_on_the_version_are_not_a_diff():
    """AWS's own `aws:` tags are not the stack's to change (and outputs of earlier versions kept them in tagsAll)."""
    live = outputs_for(BASE, tagsAll={**BASE["tagsAll"], "aws:cloudformation:stack-name": "shop"})
    assert SolutionVersionProvider().diff("id", live, BASE).changes is False


def test_a_version_found_stopped_by_refresh_is_retrained():
    result = SolutionVersionProvider().diff("id", outputs_for(BASE, status="CREATE STOPPED"), BASE)
    assert result.replaces == ["status"] and result.changes


@settings(max_examples=100)
@given(valid_inputs)
def test_no_spurious_diff_right_after_up(news):
    inputs, _ = check(news)
    # Both sides reach diff through the SDK's serialization: every number a float, None values in maps dropped.
    state = from_struct(to_struct(outputs_for(inputs)), keep_unknowns=True)
    assert decide(state, from_struct(to_struct(inputs), keep_unknowns=True)).changes == []
