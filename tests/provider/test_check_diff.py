"""`check` and `diff`: defaults, validation per property, replace/update decisions, unknowns during a preview, and
purity (no API calls, no output), with hypothesis-generated inputs.

Unknown values are sent through the real host (`host` fixture) with `rpc.serialize_properties`, as the engine sends
them: the host hands the provider `pulumi.output.Unknown` instances, not the sentinel string."""

from __future__ import annotations

import math
import string
from typing import Any

import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi.output import Unknown
from pulumi.runtime import rpc
from pulumi.runtime.proto import provider_pb2

from harness.dynamic_host import failure_property, from_struct, to_struct
from personalize_pulumi.provider import arns as arn_rules
from personalize_pulumi.provider import naming
from personalize_pulumi.provider import tags as tag_rules
from personalize_pulumi.provider.diffs import decide
from personalize_pulumi.provider.properties import TYPE_TOKEN
from personalize_pulumi.provider.solution_version import SolutionVersionProvider
from personalize_pulumi.provider.values import MAX_DEPTH
from tests.helpers import REGION

ARN = "arn:aws:personalize:us-east-1:123456789012:solution/my-solution"
ARABIC_DIGITS = "١٢٣٤٥٦٧٨٩٠١٢"  # str.isdigit() is True for these, and Python's re `\d` matches them
DIFF_NONE, DIFF_SOME = provider_pb2.DiffResponse.DIFF_NONE, provider_pb2.DiffResponse.DIFF_SOME


def check(news, olds=None):
    """The provider's check; each failure with the property its sentence names (it is sent with none)."""
    result = SolutionVersionProvider().check(olds or {}, news)
    assert all(f.property == "" for f in result.failures)
    return result.inputs, [(failure_property(f.reason, news), f.reason) for f in result.failures]


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


# Hypothesis: valid inputs pass, one broken property fails on exactly that property, garbage never crashes.

solution_names = st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9\-_]{0,30}", fullmatch=True)
regions = st.sampled_from(["us-east-1", "eu-west-1", "ap-southeast-2", "us-gov-west-1"])
arns = st.builds(
    lambda partition, region, account, name: f"arn:{partition}:personalize:{region}:{account}:solution/{name}",
    st.sampled_from(["aws", "aws-cn", "aws-us-gov"]),
    regions,
    st.from_regex(r"[0-9]{12}", fullmatch=True),
    solution_names,
)
# Tags may hold any Unicode letter, space or number (the service's pattern), so non-ASCII ones are valid there.
tag_text = st.text(alphabet=string.ascii_letters + string.digits + " _.:/=+-@é" + ARABIC_DIGITS[:3], max_size=20)
tag_keys = tag_text.filter(lambda k: k and not k.lower().startswith("aws:"))
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**6), 10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=10),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
valid_inputs = st.fixed_dictionaries(
    {"solutionArn": arns, "nameScope": st.just("proj/dev/model")},
    optional={
        "name": st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9\-_]{0,62}", fullmatch=True),
        "trainingMode": st.sampled_from(["FULL", "UPDATE", "AUTOTRAIN"]),
        "tags": st.dictionaries(tag_keys, tag_text, max_size=50),
        "retrainTriggers": st.dictionaries(st.text(max_size=8), json_values, max_size=4),
        "waitTimeoutMinutes": st.floats(min_value=0.001, max_value=1e6),
        "profile": st.text(min_size=1, max_size=10),
        "region": st.just("same as the ARN"),
        "minMetrics": st.dictionaries(st.from_regex(r"[a-z0-9_]{1,20}", fullmatch=True), st.floats(0, 1), max_size=4),
    },
).map(lambda news: {**news, "region": arn_rules.region_of(news["solutionArn"])} if "region" in news else news)
BREAKERS = {
    "solutionArn": st.one_of(
        st.just("arn:aws:s3:::bucket"),
        st.integers(),
        st.text(max_size=30).filter(lambda t: ":solution/" not in t),
        arns.map(lambda a: a + "/" + "0" * 8),
        arns.map(lambda a: a + "x" * 256),
        st.builds(lambda r, n: f"arn:aws:personalize:{r}:{ARABIC_DIGITS}:solution/{n}", regions, solution_names),
        st.builds(lambda: [Unknown()]),
    ),
    "name": st.one_of(
        st.just(""),
        st.text(min_size=64, max_size=80, alphabet="ab"),
        st.from_regex(r"[-_ !][a-z]{0,5}", fullmatch=True),
        st.from_regex(r"[a-z]{1,5}[ !.][a-z]{0,5}", fullmatch=True),
        st.integers(),
    ),
    "trainingMode": st.text(max_size=10).filter(lambda m: m not in ("FULL", "UPDATE", "AUTOTRAIN")),
    "waitTimeoutMinutes": st.one_of(
        st.floats(max_value=0), st.just(math.inf), st.just(math.nan), st.text(max_size=3), st.booleans()
    ),
    "retrainTriggers": st.one_of(
        st.text(max_size=5),
        st.lists(st.integers(), max_size=2),
        st.integers(),
        st.dictionaries(
            st.text(max_size=5),
            st.sampled_from([math.nan, math.inf, -math.inf]).map(lambda x: {"deep": [0, x]}),
            min_size=1,
        ),
    ),
    "region": st.one_of(st.text(alphabet="ABC !", min_size=1, max_size=8), st.just("eu-west-" + ARABIC_DIGITS[0])),
}


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


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(valid_inputs, st.sampled_from(sorted(BREAKERS)), st.data())
def test_one_broken_property_fails_on_that_property_only_through_the_host(host, news, prop, data):
    """The same, serialized as the engine sends it: NaN, infinities and unknowns survive the wire."""
    broken = {**news, prop: data.draw(BREAKERS[prop])}
    _, failures = host.check("r", broken)
    assert failures and {p for p, _ in failures} == {prop}, failures


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


garbage_values = st.recursive(
    json_values | st.sampled_from([math.nan, math.inf, -math.inf]) | st.builds(Unknown),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=8,
)
garbage_props = st.dictionaries(
    st.sampled_from([*BREAKERS, "tags", "profile", "nameScope", "minMetrics", "existingVersionArn"])
    | st.text(max_size=12),
    garbage_values,
    max_size=6,
)


@settings(max_examples=200)
@given(garbage_props, garbage_props)
def test_check_and_diff_never_crash_on_garbage(news, olds):
    inputs, failures = check(news, olds=olds)
    assert isinstance(inputs, dict) and all(isinstance(p, str) and r for p, r in failures)
    decision = decide(olds, inputs)
    assert set(decision.replaces) <= set(decision.changes)


# Diff


def outputs_for(inputs, **live):
    return {**inputs, "solutionVersionArn": ARN + "/1a2b3c4d", "status": "ACTIVE", **live}


BASE, _ = check({"solutionArn": ARN, "nameScope": "p/s/r", "tags": {"team": "ml"}, "retrainTriggers": {"n": 1}})


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


def test_changing_only_operational_inputs_is_an_update_without_replace_through_the_host(host):
    checked, _ = host.check("r", {"solutionArn": ARN, "nameScope": "p/s/r"})
    for change in ({"profile": "ml-admin"}, {"region": REGION}, {"waitTimeoutMinutes": 30.0}):
        news, failures = host.check("r", {"solutionArn": ARN, "nameScope": "p/s/r", **change}, olds=checked)
        assert failures == [] and news["name"] == checked["name"]
        diff = host.diff("r", ARN + "/1a2b3c4d", outputs_for(checked), news)
        assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, []), change
    diff = host.diff("r", ARN + "/1a2b3c4d", outputs_for(checked), {**checked, "nameScope": "p/s/renamed"})
    assert diff.changes == DIFF_NONE


@settings(max_examples=100)
@given(valid_inputs)
def test_no_spurious_diff_right_after_up(news):
    inputs, _ = check(news)
    # Both sides reach diff through the SDK's serialization: every number a float, None values in maps dropped.
    state = from_struct(to_struct(outputs_for(inputs)), keep_unknowns=True)
    assert decide(state, from_struct(to_struct(inputs), keep_unknowns=True)).changes == []


# Unknown values during a preview, as the host delivers them

KNOWN = {
    "solutionArn": ARN,
    "nameScope": "p/s/r",
    "tags": {"team": "ml"},
    "retrainTriggers": {"data": "job-1", "n": {"deep": [1]}},
}


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


# Values nested deeper than the provider handles: refused by check up front, and no crash in diff

DEEP = 450


def nested(levels: int, lists: bool = False) -> Any:
    """`levels` maps inside one another (`nested(1)` is `{"k": "x"}`); with `lists`, every other one a list (the
    outermost stays a map)."""
    value: Any = "x"
    for level in range(levels):
        value = [value] if lists and (levels - level) % 2 == 0 else {"k": value}
    return value


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


identity_keys = ["solutionArn", "trainingMode", "retrainTriggers"]
maybe_unknown = ["tags", "waitTimeoutMinutes", "profile", "region", "minMetrics", *identity_keys]


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
        f"{TYPE_TOKEN}: progress is printed under the stack, not on each resource's row (the provider host was started "
        "without the engine's address)",
        "r: trains a new version",  # the first check of a new resource; the later ones are the same operation's
        "r: trains a new version because solutionArn and retrainTriggers change",
        "r: no training; updates the version in place: retags it",
    ], "the reviewer's line of a create, and one line for each diff that changes something, nothing else"
