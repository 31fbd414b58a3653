"""The stack's `aws:defaultTags`, merged by the provider as pulumi-aws does: `tags` is what a resource declares,
`tagsAll` the effective set (default tags overlaid by the resource's, which win). Through the real host, configured
the way the engine configures it, against the emulator.

The host configures a provider once, at its first call; the engine starts a new host for every operation, so a
changed `aws:defaultTags` means a new host here too.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from pulumi.output import Unknown
from pulumi.runtime.proto import provider_pb2

from harness.dynamic_host import DynamicHost
from personalize_pulumi.emulator.launcher import EmulatorProcess
from tests.helpers import REGION, active_solution, live_tags, start_host, trainings_started, unique

DIFF_NONE, DIFF_SOME = provider_pb2.DiffResponse.DIFF_NONE, provider_pb2.DiffResponse.DIFF_SOME
ARN = "arn:aws:personalize:us-east-1:123456789012:solution/my-solution"
DEFAULTS = {"managed-by": "pulumi", "team": "platform"}
HostFactory = Callable[[Any], DynamicHost]
"""`hosts(default_tags)`: a new configured host; `default_tags` is a tags map, raw config text, or None (unset)."""


@pytest.fixture
def hosts(emulator: EmulatorProcess) -> Iterator[HostFactory]:
    started: list[DynamicHost] = []

    def start(default_tags: Any) -> DynamicHost:
        host = start_host(emulator)
        config = {"aws:region": REGION}
        if isinstance(default_tags, dict):
            config["aws:defaultTags"] = json.dumps({"tags": default_tags})
        elif default_tags is not None:
            config["aws:defaultTags"] = default_tags
        host.configure(config)  # before any other call: the provider is configured at the first one
        started.append(host)
        return host

    yield start
    for host in started:
        host.stop()


def checked(host: DynamicHost, name: str, news: dict[str, Any], olds: dict[str, Any] | None = None) -> dict[str, Any]:
    inputs, failures = host.check(name, {"nameScope": f"proj/dev/{name}", **news}, olds=olds)
    assert failures == []
    return inputs


def created(host: DynamicHost, personalize: Any, tags: dict[str, str] | None) -> tuple[str, str, dict, dict]:
    """A version trained from a new solution: (resource name, id, checked inputs, outputs)."""
    name = unique("model")
    news = {"solutionArn": active_solution(personalize), **({"tags": tags} if tags is not None else {})}
    inputs = checked(host, name, news)
    id_, outs = host.create(name, inputs)
    return name, id_, inputs, outs


# The effective set on the service


def test_a_bare_solution_version_gets_the_stacks_default_tags(hosts, personalize, fast):
    name, id_, inputs, outs = created(hosts(DEFAULTS), personalize, tags=None)
    assert inputs["tags"] == {} and inputs["tagsAll"] == DEFAULTS, "check shows the effective set in the preview"
    [request] = fast.requests("CreateSolutionVersion")
    assert {t["tagKey"]: t["tagValue"] for t in request["params"]["tags"]} == DEFAULTS, "trained with them, no retag"
    assert fast.count("TagResource") == 0
    assert live_tags(personalize, id_) == DEFAULTS
    assert outs["tags"] == {} and outs["tagsAll"] == DEFAULTS


def test_resource_tags_win_over_default_tags_on_conflict(hosts, personalize, fast):
    name, id_, inputs, outs = created(hosts(DEFAULTS), personalize, tags={"team": "ml", "cost-center": "42"})
    effective = {"managed-by": "pulumi", "team": "ml", "cost-center": "42"}
    assert inputs["tagsAll"] == effective
    assert live_tags(personalize, id_) == effective
    assert outs["tags"] == {"team": "ml", "cost-center": "42"} and outs["tagsAll"] == effective


def test_without_default_tags_tags_all_is_the_declared_tags(hosts, personalize, fast):
    name, id_, inputs, outs = created(hosts(None), personalize, tags={"team": "ml"})
    assert inputs["tagsAll"] == outs["tagsAll"] == live_tags(personalize, id_) == {"team": "ml"}


# A change of aws:defaultTags


def test_a_changed_default_tags_config_is_an_in_place_update_that_update_applies(hosts, personalize, fast):
    name, id_, inputs, outs = created(hosts({"managed-by": "pulumi", "repo": "old-repo"}), personalize, {"team": "ml"})
    later = hosts({"managed-by": "pulumi", "owner": "ml-platform"})  # the next `pulumi up`, after a config change

    news = checked(later, name, {k: v for k, v in inputs.items() if k != "tagsAll"}, olds=inputs)
    assert news["name"] == inputs["name"] and news["tags"] == inputs["tags"], "only the effective set changed"
    assert news["tagsAll"] == {"managed-by": "pulumi", "owner": "ml-platform", "team": "ml"}
    diff = later.diff(name, id_, outs, news)
    assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, []), "an in-place update, never a retrain"

    fast.clear_requests()
    updated = later.update(name, id_, outs, news)
    assert [e["params"]["tagKeys"] for e in fast.requests("UntagResource")] == [["repo"]]
    assert [e["params"]["tags"] for e in fast.requests("TagResource")] == [
        [{"tagKey": "owner", "tagValue": "ml-platform"}]
    ]
    assert trainings_started(fast) == 0
    assert live_tags(personalize, id_) == updated["tagsAll"] == news["tagsAll"]
    assert updated["tags"] == {"team": "ml"} and updated["solutionVersionArn"] == id_
    assert later.diff(name, id_, updated, news).changes == DIFF_NONE, "the next preview is clean"


def test_unchanged_default_tags_show_no_diff_in_a_new_host(hosts, personalize, fast):
    name, id_, inputs, outs = created(hosts(DEFAULTS), personalize, {"team": "ml"})
    later = hosts(dict(reversed(DEFAULTS.items())))  # the same tags, in another order
    news = checked(later, name, {k: v for k, v in inputs.items() if k != "tagsAll"}, olds=inputs)
    assert later.diff(name, id_, outs, news).changes == DIFF_NONE


def test_moving_a_tag_from_the_resource_into_default_tags_changes_nothing_on_the_service(hosts, personalize, fast):
    name, id_, inputs, outs = created(hosts({"managed-by": "pulumi"}), personalize, {"team": "ml", "repo": "models"})
    later = hosts({"managed-by": "pulumi", "repo": "models"})
    news = checked(later, name, {**inputs, "tags": {"team": "ml"}}, olds=inputs)
    assert news["tagsAll"] == outs["tagsAll"]
    diff = later.diff(name, id_, outs, news)
    assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, []), "tags changed: the state must follow"
    fast.clear_requests()
    updated = later.update(name, id_, outs, news)
    assert fast.requests() == [], "the effective set is the same: no call at all"
    assert updated["tags"] == {"team": "ml"} and updated["tagsAll"] == {
        "managed-by": "pulumi",
        "team": "ml",
        "repo": "models",
    }


# Upgrading from the version that merged aws:defaultTags in the component


def test_the_first_preview_after_the_upgrade_is_an_update_that_calls_nothing(hosts, personalize, fast):
    """State written before the provider merged default tags: the component passed the merged set as `tags`, the
    provider ignored `aws:defaultTags`, and the engine stored checked inputs without `tagsAll`. Now the component
    passes only its own tags and the provider merges the defaults: the same effective set."""
    merged = {**DEFAULTS, "team": "ml"}
    name, id_, old_inputs, old_outs = created(hosts(None), personalize, tags=merged)  # what the old code stored
    old_inputs = {k: v for k, v in old_inputs.items() if k != "tagsAll"}
    upgraded = hosts(DEFAULTS)

    news = checked(upgraded, name, {**old_inputs, "tags": {"team": "ml"}}, olds=old_inputs)
    assert news["name"] == old_inputs["name"] and news["tagsAll"] == merged
    diff = upgraded.diff(name, id_, old_outs, news)
    assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, []), "tags shrink to the declared ones: an update"
    fast.clear_requests()
    updated = upgraded.update(name, id_, old_outs, news)
    assert fast.requests() == [], "nothing changes on the service"
    assert live_tags(personalize, id_) == merged
    assert updated["tags"] == {"team": "ml"} and updated["tagsAll"] == merged
    assert upgraded.diff(name, id_, updated, news).changes == DIFF_NONE, "and the preview after it is clean"


# Previews with values not known yet


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        (Unknown(), Unknown),
        ({"team": Unknown()}, {"managed-by": "pulumi", "team": Unknown}),
        ({"owner": Unknown()}, {"managed-by": "pulumi", "team": "platform", "owner": Unknown}),
    ],
    ids=["whole-map", "overrides-a-default", "new-key"],
)
def test_unknown_tags_make_the_matching_tags_all_unknown_and_preview_as_an_update(hosts, tags, expected):
    host = hosts(DEFAULTS)
    known = checked(host, "r", {"solutionArn": ARN, "tags": {"team": "ml"}})
    news = checked(host, "r", {"solutionArn": ARN, "tags": tags}, olds=known)
    if expected is Unknown:
        assert isinstance(news["tagsAll"], Unknown)
    else:
        assert set(news["tagsAll"]) == set(expected)
        for key, value in expected.items():
            assert isinstance(news["tagsAll"][key], Unknown) if value is Unknown else news["tagsAll"][key] == value
    assert news["name"] == known["name"], "tags are not part of the version's identity"
    outs = {**known, "solutionVersionArn": ARN + "/1a2b3c4d", "status": "ACTIVE"}
    diff = host.diff("r", ARN + "/1a2b3c4d", outs, news)
    assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, [])


# Drift


def test_tags_changed_outside_the_stack_show_after_refresh_and_update_restores_them(hosts, personalize, fast):
    host = hosts(DEFAULTS)
    name, id_, inputs, outs = created(host, personalize, {"team": "ml"})
    personalize.untag_resource(resourceArn=id_, tagKeys=["managed-by"])
    personalize.tag_resource(
        resourceArn=id_, tags=[{"tagKey": "team", "tagValue": "hijacked"}, {"tagKey": "extra", "tagValue": "x"}]
    )

    _, refreshed, refreshed_inputs = host.read(name, id_, outs)
    drifted = {"team": "hijacked", "extra": "x"}
    assert refreshed["tagsAll"] == refreshed_inputs["tagsAll"] == drifted, "refresh reports the live tags"
    assert refreshed["tags"] == refreshed_inputs["tags"] == {"team": "ml"}, "and keeps what the program declares"

    news = checked(host, name, {k: v for k, v in inputs.items() if k != "tagsAll"}, olds=refreshed_inputs)
    diff = host.diff(name, id_, refreshed, news)
    assert (diff.changes, list(diff.replaces)) == (DIFF_SOME, []), "the next preview shows an update back"
    repaired = host.update(name, id_, refreshed, news)
    assert live_tags(personalize, id_) == repaired["tagsAll"] == {"managed-by": "pulumi", "team": "ml"}
    assert host.diff(name, id_, repaired, news).changes == DIFF_NONE


# Limits on the effective set, and a malformed config


def _failures(host: DynamicHost, tags: Any) -> list[tuple[str, str]]:
    news = {"solutionArn": ARN, "nameScope": "p/s/r", **({"tags": tags} if tags is not None else {})}
    return host.check("r", news)[1]


def test_at_most_49_tags_in_the_effective_set_one_being_the_marker(hosts):
    defaults = {f"default-{i}": "v" for i in range(30)}
    host = hosts(defaults)
    failures = _failures(host, {f"own-{i}": "v" for i in range(25)})
    assert [p for p, _ in failures] == ["tagsAll"], failures
    assert (
        "at most 49 tags" in failures[0][1] and "one is this provider's personalize-pulumi:owner tag" in failures[0][1]
    )
    assert "got 55: 30 from aws:defaultTags, 25 from tags" in failures[0][1]
    overlapping = {**{f"default-{i}": "mine" for i in range(10)}, **{f"own-{i}": "v" for i in range(15)}}
    assert _failures(host, overlapping) == [], "45 distinct keys: resource tags replace defaults, not add to them"
    too_many_own = _failures(host, {f"own-{i}": "v" for i in range(51)})
    assert [p for p, _ in too_many_own] == ["tags"], "said once, on the property the user wrote"


def test_more_than_50_default_tags_fail_even_while_the_resource_tags_are_unknown(hosts):
    host = hosts({f"default-{i}": "v" for i in range(51)})
    failures = _failures(host, Unknown())
    assert [p for p, _ in failures] == ["tagsAll"] and "got 51: 51 from aws:defaultTags" in failures[0][1]


@pytest.mark.parametrize(
    ("defaults", "words"),
    [
        ({"aws:owner": "me"}, "aws:defaultTags: tag key 'aws:owner' starts with 'aws:', which is reserved"),
        ({"bad!key": "v"}, "aws:defaultTags: tag key 'bad!key' must be 1-128 characters"),
        ({"team": "v" * 257}, "aws:defaultTags: tag 'team' value must be 0-256 characters"),
    ],
    ids=["reserved-key", "bad-key", "long-value"],
)
def test_default_tags_the_service_would_refuse_fail_on_tags_all_naming_the_config(hosts, control, defaults, words):
    failures = _failures(hosts(defaults), {"team": "ml"})
    assert [p for p, _ in failures] == ["tagsAll"] and words in failures[0][1], failures
    assert control.requests() == []


@pytest.mark.parametrize(
    "raw",
    [
        "not-json",
        '{"tags": ["x"]}',
        '{"tags": {"n": 5}}',
        '["x"]',
        '{"tag": {"team": "ml"}}',
        '{"tags": ' + "[" * 100_000 + "]" * 100_000 + "}",
    ],
    ids=["not-json", "list", "number-value", "not-an-object", "misspelt", "nested-too-deeply-to-decode"],
)
def test_a_malformed_default_tags_config_fails_check_in_one_line_naming_the_key(hosts, control, raw):
    failures = _failures(hosts(raw), {"team": "ml"})
    assert [p for p, _ in failures] == ["tagsAll"], failures
    reason = failures[0][1]
    # Sent with no property (the engine prints the sentence alone), it begins with the property it is about.
    assert reason.startswith("tagsAll: config 'aws:defaultTags' must be an object like {tags: {team: ml}}"), reason
    assert "\n" not in reason and len(reason) < 300
    assert control.requests() == []


@pytest.mark.parametrize(
    "raw", [None, "", '{"tags": {}}', "{}", '{"tags": null}'], ids=["unset", "empty", "no-tags", "empty-object", "null"]
)
def test_no_default_tags_means_tags_all_is_tags(hosts, raw):
    host = hosts(raw)
    inputs = checked(host, "r", {"solutionArn": ARN, "tags": {"team": "ml"}})
    assert inputs["tagsAll"] == {"team": "ml"}
