"""The serving example (examples/serving) under `pulumi.runtime.set_mocks`: the campaign is wired to the trained
model's version *output*, so it changes only after a version has trained and passed `minMetrics`."""

from __future__ import annotations

import json
import runpy
from pathlib import Path
from typing import Any

import pulumi
import pytest

from harness.project import project_name
from personalize_pulumi.provider.properties import TYPE_TOKEN

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "serving"
PROJECT = project_name(EXAMPLE)
SOLUTION = "arn:aws:personalize:us-east-1:123456789012:solution/shop"
TRAINED = f"{SOLUTION}/5eeded01"
CAMPAIGN_TYPE = "aws-native:personalize:Campaign"


class Mocks(pulumi.runtime.Mocks):
    """The engine, as far as the program can tell: the SolutionVersion reports a trained version (or, in a preview,
    nothing yet); every other resource echoes its inputs."""

    def __init__(self, preview: bool) -> None:
        self.preview = preview
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        self.resources.append(args)
        if args.typ == TYPE_TOKEN:
            if self.preview:
                return "", {}
            return TRAINED, {
                **args.inputs,
                "solutionVersionArn": TRAINED,
                "status": "ACTIVE",
                "metrics": {"precision_at_25": 0.31},
            }
        if args.typ == CAMPAIGN_TYPE:
            return "campaign-id", {
                **args.inputs,
                "campaignArn": "arn:aws:personalize:us-east-1:123456789012:campaign/recs",
            }
        return f"{args.name}-id", dict(args.inputs)

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], None]:
        return {}, None

    def registered(self, typ: str) -> dict[str, Any]:
        (found,) = [r for r in self.resources if r.typ == typ]
        return found.inputs


pytestmark = pytest.mark.usefixtures("event_loop_for_the_sdk")


def run_example(monkeypatch: pytest.MonkeyPatch, preview: bool, **config: Any) -> tuple[Mocks, dict[str, Any]]:
    """Set the stack config, install the mocks, run examples/serving/__main__.py; returns the mocks and its exports."""
    settings = {f"{PROJECT}:solutionArn": SOLUTION, f"{PROJECT}:minMetrics": json.dumps({"precision_at_25": 0.2})}
    settings.update({f"{PROJECT}:{key}": value for key, value in config.items()})
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps(settings))
    pulumi.runtime.config.set_all_config({})
    mocks = Mocks(preview)
    pulumi.runtime.set_mocks(mocks, project=PROJECT, stack="prod", preview=preview)
    namespace = runpy.run_path(str(EXAMPLE / "__main__.py"), run_name="__main__")
    return mocks, namespace


@pulumi.runtime.test
def test_the_campaign_serves_the_version_the_gated_model_outputs(monkeypatch):
    mocks, program = run_example(monkeypatch, preview=False, retrainTrigger="import-job-7")

    def verify(values: list[Any]) -> None:
        version_arn, serving = values
        assert version_arn == TRAINED and serving == TRAINED
        campaign = mocks.registered(CAMPAIGN_TYPE)
        assert campaign["solutionVersionArn"] == TRAINED, "the campaign gets the model's output, not an input"
        assert "campaignConfig" not in campaign, "no syncWithLatestSolutionVersion: it would bypass the gate"
        version = mocks.registered(TYPE_TOKEN)
        assert version["minMetrics"] == {"precision_at_25": 0.2}
        assert version["retrainTriggers"] == {"data": "import-job-7"} and "existingVersionArn" not in version

    return pulumi.Output.all(program["model"].version_arn, program["campaign"].solution_version_arn).apply(verify)


@pulumi.runtime.test
def test_in_a_preview_the_campaigns_version_is_unknown_until_the_model_has_passed(monkeypatch):
    mocks, program = run_example(monkeypatch, preview=True, retrainTrigger="import-job-8")

    def verify(_: Any) -> None:
        campaign = mocks.registered(CAMPAIGN_TYPE)
        assert isinstance(campaign["solutionVersionArn"], pulumi.output.Unknown)

    return program["campaign"].urn.apply(verify)


@pulumi.runtime.test
def test_an_adopted_version_is_served_behind_the_same_gate(monkeypatch):
    automatic = f"{SOLUTION}/a070a070"
    mocks, program = run_example(monkeypatch, preview=False, existingVersionArn=automatic, retrainTrigger="ignored")

    def verify(_: Any) -> None:
        version = mocks.registered(TYPE_TOKEN)
        assert version["existingVersionArn"] == automatic and version["minMetrics"] == {"precision_at_25": 0.2}
        assert "retrainTriggers" not in version and "trainingMode" not in version
        assert mocks.registered(CAMPAIGN_TYPE)["solutionVersionArn"] == TRAINED

    return program["campaign"].solution_version_arn.apply(verify)


def test_the_first_pulumi_aws_native_with_a_personalize_campaign_is_the_floor_we_require():
    requirement = next(
        line for line in (EXAMPLE / "requirements.txt").read_text().splitlines() if line.startswith("pulumi-aws-native")
    )
    assert requirement == "pulumi-aws-native>=1.82.0,<2"
    import pulumi_aws_native

    assert hasattr(pulumi_aws_native.personalize, "Campaign")
