"""Inputs, rules, strategies and helpers that the pure check/diff tests (tests/inprocess/test_check_diff.py) and the
same cases through the real host (tests/host/test_check_diff.py) share."""

from __future__ import annotations

import math
import string
from typing import Any

from hypothesis import strategies as st
from pulumi.output import Unknown
from pulumi.runtime.proto import provider_pb2

from harness.dynamic_host import failure_property
from personalize_pulumi.provider import arns as arn_rules
from personalize_pulumi.provider.solution_version import SolutionVersionProvider

ARN = "arn:aws:personalize:us-east-1:123456789012:solution/my-solution"
ARABIC_DIGITS = "١٢٣٤٥٦٧٨٩٠١٢"  # str.isdigit() is True for these, and Python's re `\d` matches them
DIFF_NONE, DIFF_SOME = provider_pb2.DiffResponse.DIFF_NONE, provider_pb2.DiffResponse.DIFF_SOME


def check(news, olds=None):
    """The provider's check; each failure with the property its sentence names (it is sent with none)."""
    result = SolutionVersionProvider().check(olds or {}, news)
    assert all(f.property == "" for f in result.failures)
    return result.inputs, [(failure_property(f.reason, news), f.reason) for f in result.failures]


# Hypothesis: valid inputs pass, one broken property fails on exactly that property, garbage never crashes.

solution_names = st.from_regex(r"[a-zA-Z0-9][a-zA-Z0-9\-_]{0,30}", fullmatch=True)
# Partitions and regions where Amazon Personalize is offered (per botocore's endpoint data), and some where it is not.
LOCATIONS = [("aws", "us-east-1"), ("aws", "eu-west-1"), ("aws", "ap-southeast-2"), ("aws-cn", "cn-north-1")]
ELSEWHERE = [
    ("aws", "us-east1"),  # a typo
    ("aws", "us-esat-1"),  # a typo that still looks like a region
    ("aws", "eu-central-2"),  # an AWS region without Personalize
    ("aws-cn", "us-east-1"),  # a region of another partition
    ("aws-us-gov", "us-gov-west-1"),  # a partition without Personalize
    ("aws-xx", "us-east-1"),  # no partition at all
]
regions = st.sampled_from([region for _, region in LOCATIONS])
accounts = st.from_regex(r"[0-9]{12}", fullmatch=True)


def solution_arn(partition: str, region: str, account: str = "123456789012", name: str = "my-solution") -> str:
    return f"arn:{partition}:personalize:{region}:{account}:solution/{name}"


arns = st.builds(
    lambda location, account, name: solution_arn(*location, account, name),
    st.sampled_from(LOCATIONS),
    accounts,
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
        # At least the first status check after a training starts: 5 s by default (the host tests' is 0.1 s).
        "waitTimeoutMinutes": st.floats(min_value=0.1, max_value=1e6),
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
        st.builds(lambda location, n: solution_arn(*location, name=n), st.sampled_from(ELSEWHERE), solution_names),
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
        st.floats(max_value=0),
        st.floats(min_value=0, max_value=0.001, exclude_min=True),  # 0.06 s: over before the first status check
        st.just(math.inf),
        st.just(math.nan),
        st.text(max_size=3),
        st.booleans(),
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
    "region": st.one_of(
        st.text(alphabet="ABC !", min_size=1, max_size=8),
        st.just("eu-west-" + ARABIC_DIGITS[0]),
        st.sampled_from(["us-esat-1", "eu-central-2", "us-gov-west-1"]),  # well formed, but no Personalize there
    ),
}


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


# Diff


def outputs_for(inputs, **live):
    return {**inputs, "solutionVersionArn": ARN + "/1a2b3c4d", "status": "ACTIVE", **live}


BASE, _ = check({"solutionArn": ARN, "nameScope": "p/s/r", "tags": {"team": "ml"}, "retrainTriggers": {"n": 1}})


# Unknown values during a preview, as the host delivers them

KNOWN = {
    "solutionArn": ARN,
    "nameScope": "p/s/r",
    "tags": {"team": "ml"},
    "retrainTriggers": {"data": "job-1", "n": {"deep": [1]}},
}


# Values nested deeper than the provider handles: refused by check up front, and no crash in diff

DEEP = 450


def nested(levels: int, lists: bool = False) -> Any:
    """`levels` maps inside one another (`nested(1)` is `{"k": "x"}`); with `lists`, every other one a list (the
    outermost stays a map)."""
    value: Any = "x"
    for level in range(levels):
        value = [value] if lists and (levels - level) % 2 == 0 else {"k": value}
    return value


identity_keys = ["solutionArn", "trainingMode", "retrainTriggers"]
maybe_unknown = ["tags", "waitTimeoutMinutes", "profile", "region", "minMetrics", *identity_keys]
