"""Under `pulumi.runtime.set_mocks`: a SolutionVersion's `<name>-owner` gets aliases derived from the version's, and a
secret `aws:defaultTags` makes `tagsAll` secret (what the SDK sends the engine, read off the RegisterResource
requests; no engine, no AWS)."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pytest
from google.protobuf import json_format
from pulumi.runtime.mocks import MockMonitor

from personalize_pulumi.provider.owner import owner_alias, owner_urn
from personalize_pulumi.provider.properties import OWNER_TYPE_TOKEN, TYPE_TOKEN

ARN = "arn:aws:personalize:us-east-1:123456789012:solution/example"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
"""How the wire protocol marks a secret value: `{<sig key>: SECRET_SIG, "value": ...}` (rpc._special_secret_sig)."""
SIG_KEY = "4dabf18193072939515e22adb298388d"
COMPONENT = "personalize:models:TrainedModel"


class Mocks(pulumi.runtime.Mocks):
    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
        return {}, None


class RecordingMonitor(MockMonitor):
    """The SDK's mock monitor (which supports alias specs, as every engine of pulumi >= 3.216 does), keeping every
    RegisterResource request."""

    def __init__(self, mocks: pulumi.runtime.Mocks) -> None:
        super().__init__(mocks)
        self.requests: list[Any] = []

    def RegisterResource(self, request: Any) -> Any:  # noqa: N802 (the gRPC method's name)
        self.requests.append(request)
        return super().RegisterResource(request)

    def request(self, name: str) -> Any:
        [found] = [r for r in self.requests if r.name == name]
        return found

    def aliases(self, name: str) -> list[dict[str, Any]]:
        """The aliases registered for `name`, as dicts (`{"urn": ...}` or `{"spec": {...}}`)."""
        return [json_format.MessageToDict(alias) for alias in self.request(name).aliases]


pytestmark = pytest.mark.usefixtures("event_loop_for_the_sdk")


def _configure(monkeypatch: pytest.MonkeyPatch, secret_defaults: bool) -> RecordingMonitor:
    defaults = json.dumps({"tags": {"team": "s3cr3t-default"}})
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"aws:defaultTags": defaults}))
    pulumi.runtime.config.set_all_config({}, ["aws:defaultTags"] if secret_defaults else [])
    mocks = Mocks()
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project="shop", stack="prod", preview=False, monitor=monitor)
    return monitor


@pytest.fixture
def monitor(monkeypatch):
    yield _configure(monkeypatch, secret_defaults=False)
    pulumi.runtime.config.set_all_config({}, [])


@pytest.fixture
def secret_monitor(monkeypatch):
    yield _configure(monkeypatch, secret_defaults=True)
    pulumi.runtime.config.set_all_config({}, [])


def _version(name: str, opts: pulumi.ResourceOptions | None = None, **args: Any) -> Any:
    from personalize_pulumi import SolutionVersion, SolutionVersionArgs

    return SolutionVersion(name, SolutionVersionArgs(solution_arn=ARN, **args), opts)


def _urn(type_: str, name: str, parents: tuple[str, ...] = ()) -> str:
    return f"urn:pulumi:prod::shop::{'$'.join((*parents, type_))}::{name}"


# What each kind of alias becomes.


def test_a_renamed_versions_alias_names_its_old_owner_keeping_parent_stack_and_project():
    parent = "urn:pulumi:prod::shop::personalize:models:TrainedModel::old"
    alias = owner_alias(pulumi.Alias(name="a", parent=parent, stack="staging", project="other"))
    assert isinstance(alias, pulumi.Alias)
    assert (alias.name, alias.parent, alias.stack, alias.project) == ("a-owner", parent, "staging", "other")
    assert alias.type_ is ..., "the owner's type never changed with the version's"


def test_fields_not_given_stay_not_given_and_no_parent_stays_no_parent():
    moved = owner_alias(pulumi.Alias(parent=None))
    assert isinstance(moved, pulumi.Alias)
    assert moved.name is ... and moved.parent is None and moved.stack is ... and moved.project is ...
    assert owner_alias(pulumi.Alias(type_="pulumi-python:dynamic:Resource")) is None, "names the owner's own URN"
    assert owner_alias(pulumi.Alias()) is None


def test_a_version_urn_becomes_its_owners_urn():
    parents = ("pulumi:pulumi:Stack", COMPONENT)
    version = _urn("pulumi-python:dynamic/personalize:OldType", "a-version", parents)
    assert owner_urn(version) == _urn(OWNER_TYPE_TOKEN, "a-version-owner", parents)
    assert owner_alias(_urn(TYPE_TOKEN, "a")) == _urn(OWNER_TYPE_TOKEN, "a-owner")
    assert owner_urn("not-a-urn") is None


# What the SDK registers.


@pulumi.runtime.test
def test_the_owner_registers_the_aliases_of_its_version(monitor):
    old_urn = _urn(TYPE_TOKEN, "older")
    group = pulumi.ComponentResource("test:index:Group", "group")
    version = _version(
        "b",
        pulumi.ResourceOptions(
            aliases=[
                pulumi.Alias(name="a"),
                old_urn,
                pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE, stack="staging"),
                pulumi.Output.from_input(pulumi.Alias(name="from-an-output")),
                pulumi.Alias(name="grouped", parent=group),
            ]
        ),
    )

    def verify(_: Any) -> None:
        assert monitor.request("b-owner").type == OWNER_TYPE_TOKEN
        owner = monitor.aliases("b-owner")
        as_now = {"parentUrn": ""}  # the current parent, type, stack and project
        assert owner[0] == {"spec": {"name": "a-owner", **as_now}}
        assert owner[1] == {"urn": _urn(OWNER_TYPE_TOKEN, "older-owner")}
        assert owner[2] == {"spec": {"stack": "staging", "noParent": True}}, "was a root resource, in another stack"
        assert owner[3] == {"spec": {"name": "from-an-output-owner", **as_now}}
        group_urn = _urn("test:index:Group", "group", ("pulumi:pulumi:Stack",))
        assert owner[4] == {"spec": {"name": "grouped-owner", "parentUrn": group_urn}}
        assert len(owner) == 5
        assert monitor.aliases("b")[0] == {"spec": {"name": "a", **as_now}}, "the version's own aliases as given"

    return version.urn.apply(verify)


@pulumi.runtime.test
def test_no_aliases_no_owner_aliases(monitor):
    version = _version("plain")

    def verify(_: Any) -> None:
        assert monitor.aliases("plain-owner") == []

    return version.urn.apply(verify)


# Secret default tags.


def _tags_all(request: Any) -> Any:
    return json_format.MessageToDict(request.object).get("tagsAll")


@pulumi.runtime.test
def test_secret_default_tags_make_tags_all_a_secret_input_and_a_secret_output(secret_monitor):
    from personalize_pulumi import TrainedModel, TrainedModelArgs

    version = _version("v", tags={"team": "ml"})
    untagged = _version("untagged")
    model = TrainedModel("m", TrainedModelArgs(solution_arn=ARN))

    def verify(_: Any) -> None:
        for name, value in (("v", {"team": "ml"}), ("untagged", None), ("m-version", None)):
            request = secret_monitor.request(name)
            assert _tags_all(request) == {SIG_KEY: SECRET_SIG, "value": value}, name
            assert list(request.additionalSecretOutputs) == ["tagsAll"], name
        assert "s3cr3t" not in str(secret_monitor.request("v-owner")), "the owner keeps no tags"

    return pulumi.Output.all(version.urn, untagged.urn, model.version_arn).apply(verify)


@pulumi.runtime.test
def test_plain_default_tags_leave_tags_all_plain(monitor):
    version = _version("v", tags={"team": "ml"})

    def verify(_: Any) -> None:
        request = monitor.request("v")
        assert _tags_all(request) == {"team": "ml"} and list(request.additionalSecretOutputs) == []

    return version.urn.apply(verify)
