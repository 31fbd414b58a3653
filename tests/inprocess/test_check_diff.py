"""check and diff as functions: pure, no AWS calls, no host (the same cases through the real host are in
tests/host/test_check_diff.py)."""

from __future__ import annotations

import math
from pathlib import Path

import botocore
import botocore.session
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pulumi.output import Unknown

from harness.dynamic_host import from_struct, to_struct
from personalize_pulumi.provider import arns as arn_rules
from personalize_pulumi.provider import naming
from personalize_pulumi.provider import tags as tag_rules
from personalize_pulumi.provider.backoff import POLL_INITIAL_ENV
from personalize_pulumi.provider.diffs import decide
from personalize_pulumi.provider.solution_version import SolutionVersionProvider
from tests.provider.check_diff_cases import (
    ARABIC_DIGITS,
    ARN,
    BASE,
    BREAKERS,
    ELSEWHERE,
    LOCATIONS,
    check,
    garbage_props,
    outputs_for,
    solution_arn,
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
        ({"tags": {f"k{i}": "v" for i in range(50)}}, "tags", "at most 49"),
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
        ({"solutionArn": ARN.replace("us-east-1", "us-east1")}, "solutionArn", "is offered in partition 'aws'"),
        ({"solutionArn": ARN.replace(":aws:", ":aws-xx:")}, "solutionArn", "partition 'aws-xx' is not an AWS"),
        ({"solutionArn": ARN.replace(":aws:", ":aws-cn:")}, "solutionArn", "in partition 'aws-cn'"),
        ({"region": "us-esat-1"}, "region", "contradicts solutionArn"),
        ({"existingVersionArn": ARN.replace("us-east-1", "eu-west-1") + "/1a2b"}, "existingVersionArn", "not of"),
        ({"waitTimeoutMinutes": 1e-9}, "waitTimeoutMinutes", "at least 0.0834 (5 s, the provider's first status"),
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


# Where Amazon Personalize is offered (botocore's endpoint data), and a wait budget that can see a training through

AWS_REGIONS = (
    "ap-northeast-1, ap-northeast-2, ap-south-1, ap-southeast-1, ap-southeast-2, ca-central-1, eu-central-1, eu-west-1, "
    "us-east-1, us-east-2, us-west-2"
)
"""What botocore's endpoint data lists for Personalize in `aws` (test_the_regions_are_botocores checks it still does)."""


def test_the_regions_are_botocores():
    """The same lists as botocore's own `get_available_regions`, which loads the service model too (so is slower)."""
    session = botocore.session.get_session()
    known = arn_rules.personalize_regions()
    assert known.botocore_version == botocore.__version__
    assert sorted(known.by_partition) == sorted(session.get_available_partitions())
    for partition, regions in known.by_partition.items():
        assert regions == tuple(sorted(session.get_available_regions("personalize", partition_name=partition)))
    assert ", ".join(known.by_partition["aws"]) == AWS_REGIONS
    assert known.by_partition["aws-cn"] == ("cn-north-1",) and known.by_partition["aws-us-gov"] == ()
    model = session.get_service_model("personalize")
    assert model.metadata["endpointPrefix"] == arn_rules.PERSONALIZE_ENDPOINT_PREFIX


def test_the_endpoint_data_read_directly_is_what_botocores_loader_reads(tmp_path):
    import botocore.loaders

    loaded = botocore.loaders.create_loader().load_data("endpoints")
    assert arn_rules._endpoint_data(Path(botocore.__file__).parent / "data") == loaded
    assert arn_rules._endpoint_data(tmp_path) == loaded, "no endpoints.json there: botocore's loader"


@pytest.mark.parametrize(("partition", "region"), LOCATIONS)
def test_a_region_where_personalize_is_offered_passes_in_the_arn_the_region_and_the_adopted_version(partition, region):
    arn = solution_arn(partition, region)
    inputs, failures = check({"solutionArn": arn, "region": region, "nameScope": "p/s/r"})
    assert failures == [] and inputs["region"] == region
    _, failures = check({"solutionArn": arn, "existingVersionArn": arn + "/1a2b3c4d"})
    assert failures == []
    _, failures = check({"solutionArn": Unknown(), "existingVersionArn": arn + "/1a2b3c4d", "region": region})
    assert failures == []


@pytest.mark.parametrize(("partition", "region"), ELSEWHERE)
def test_a_region_or_partition_without_personalize_fails_on_the_arn_only(partition, region):
    """In solutionArn, or in existingVersionArn when solutionArn is unknown (a preview); a `region` that agrees
    with the ARN, or any region of Personalize, is not blamed for it."""
    arn = solution_arn(partition, region)
    for news, prop in (
        ({"solutionArn": arn}, "solutionArn"),
        ({"solutionArn": arn, "region": "us-east-1"}, "solutionArn"),
        ({"solutionArn": arn, "existingVersionArn": arn + "/1a2b3c4d"}, "solutionArn"),
        ({"solutionArn": Unknown(), "existingVersionArn": arn + "/1a2b3c4d"}, "existingVersionArn"),
    ):
        _, failures = check(news)
        assert [p for p, _ in failures] == [prop], (news, failures)
        assert failures[0][1].startswith(f"{prop}: ") and "; check the ARN (a newer " in failures[0][1]


def test_the_messages_name_the_property_the_rule_and_botocores_lists():
    version = botocore.__version__
    typo = ARN.replace("us-east-1", "us-east1")
    assert check({"solutionArn": typo})[1] == [
        (
            "solutionArn",
            f"solutionArn: region 'us-east1' is not a region where Amazon Personalize is offered in partition 'aws' "
            f"(botocore {version} lists: {AWS_REGIONS}); check the ARN (a newer region may need a newer botocore)",
        )
    ]
    partitions = "aws, aws-cn, aws-eusc, aws-iso, aws-iso-b, aws-iso-e, aws-iso-f, aws-us-gov"
    assert check({"solutionArn": ARN.replace(":aws:", ":aws-xx:")})[1] == [
        (
            "solutionArn",
            f"solutionArn: partition 'aws-xx' is not an AWS partition (botocore {version} knows: {partitions}); check "
            "the ARN (a newer partition may need a newer botocore)",
        )
    ]
    assert check({"solutionArn": solution_arn("aws-us-gov", "us-gov-west-1")})[1] == [
        (
            "solutionArn",
            "solutionArn: region 'us-gov-west-1' is not a region where Amazon Personalize is offered in partition "
            f"'aws-us-gov' (botocore {version} lists none); check the ARN (a newer region may need a newer botocore)",
        )
    ]
    assert check({"solutionArn": Unknown(), "region": "us-esat-1"})[1] == [
        (
            "region",
            "region 'us-esat-1' is not a region where Amazon Personalize is offered (botocore "
            f"{version} lists aws: {AWS_REGIONS}; aws-cn: cn-north-1); fix region, or omit it to use the solution "
            "ARN's (a newer region may need a newer botocore)",
        )
    ]
    assert check({"solutionArn": ARN, "waitTimeoutMinutes": 1e-9})[1] == [
        (
            "waitTimeoutMinutes",
            "waitTimeoutMinutes must be at least 0.0834 (5 s, the provider's first status check after a training "
            "starts; real trainings take 20 minutes or more); got 1e-09",
        )
    ]


def test_a_rejected_region_is_quoted_in_one_short_line():
    long_region = "us-" + "east-" * 38 + "1"  # the ARN is 251 characters: well formed
    _, failures = check({"solutionArn": ARN.replace("us-east-1", long_region)})
    assert [p for p, _ in failures] == ["solutionArn"] and "is offered in partition 'aws'" in failures[0][1]
    assert f"... ({len(long_region) + 2} characters)" in failures[0][1], "quoted by show(), cut to 80 characters"
    assert "\n" not in failures[0][1] and len(failures[0][1]) < 450, "the longest there is: 80 characters of region"


@pytest.mark.parametrize(
    ("first_check", "budget", "refused"),
    [
        (None, 0.0834, False),  # the minimum as the message quotes it (rounded up)
        (None, 0.0833, True),  # 4.998 s
        (None, 60.0, False),
        ("0.1", 0.02, False),  # what the host and emulator tests use
        ("0.1", 0.00167, False),
        ("0.1", 0.0016, True),
        ("0", 1e-9, False),
    ],
)
def test_a_wait_budget_over_before_the_first_status_check_fails(monkeypatch, first_check, budget, refused):
    if first_check is None:
        monkeypatch.delenv(POLL_INITIAL_ENV, raising=False)
    else:
        monkeypatch.setenv(POLL_INITIAL_ENV, first_check)
    _, failures = check({"solutionArn": ARN, "waitTimeoutMinutes": budget})
    assert [p for p, _ in failures] == (["waitTimeoutMinutes"] if refused else []), failures
    if refused:
        assert (
            failures[0][1].startswith("waitTimeoutMinutes must be at least 0.0") and f"got {budget!r}" in failures[0][1]
        )


def test_unknown_values_are_never_refused_for_their_region_or_budget():
    unknowns = {"solutionArn": Unknown(), "region": Unknown(), "waitTimeoutMinutes": Unknown()}
    _, failures = check({**unknowns, "existingVersionArn": Unknown(), "nameScope": "p/s/r"})
    assert failures == []


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
