"""The TrainedModel component and the example program under `pulumi.runtime.set_mocks` (no engine, no AWS)."""

from __future__ import annotations

import json

import pulumi
import pytest

from harness.dynamic_host import PROJECT_ROOT
from harness.program import run_program
from harness.project import stack_config
from personalize_pulumi.provider.properties import OWNER_TYPE_TOKEN, TYPE_TOKEN

ARN = "arn:aws:personalize:us-east-1:123456789012:solution/example"
DEFAULT_TAGS = {"owner": "platform", "team": "default"}
PROVIDER_TAGS_ALL = {"owner": "platform", "team": "ml", "set-by": "the provider"}


class Mocks(pulumi.runtime.Mocks):
    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args):
        self.resources.append(args)
        outputs = dict(args.inputs)
        if args.typ == TYPE_TOKEN:
            outputs.update(
                solutionVersionArn=f"{ARN}/1a2b3c4d", status="ACTIVE", trainingHours=1.5, metrics={"coverage": 0.5}
            )
            # Mocks never call the provider, which computes tagsAll: a value only the provider could give, to see the
            # component hand over what its child reports.
            outputs["tagsAll"] = PROVIDER_TAGS_ALL
            return outputs["solutionVersionArn"], outputs  # the provider's id is the version's ARN
        return f"{args.name}-id", outputs

    def call(self, args):
        return {}, None


pytestmark = pytest.mark.usefixtures("event_loop_for_the_sdk")


@pytest.fixture
def mocks(monkeypatch):
    monkeypatch.setenv("PULUMI_CONFIG", json.dumps({"aws:defaultTags": json.dumps({"tags": DEFAULT_TAGS})}))
    pulumi.runtime.config.set_all_config({})  # read PULUMI_CONFIG afresh
    m = Mocks()
    pulumi.runtime.set_mocks(m, project="shop", stack="prod", preview=False)
    return m


@pulumi.runtime.test
def test_component_creates_a_named_child_with_its_own_tags_and_registers_outputs(mocks):
    from personalize_pulumi import TrainedModel, TrainedModelArgs

    model = TrainedModel(
        "recs", TrainedModelArgs(solution_arn=ARN, tags={"team": "ml"}, retrain_triggers={"data": "v1"})
    )

    def verify(values):
        urn, child_urn, version_arn, status, hours, metrics, tags, tags_all = values
        assert urn.endswith("$personalize:models:TrainedModel::recs")
        assert child_urn.endswith(f":personalize:models:TrainedModel${TYPE_TOKEN}::recs-version"), (
            "child of the component"
        )
        (child,) = [r for r in mocks.resources if r.typ == TYPE_TOKEN]
        assert child.name == "recs-version"
        assert child.inputs["tags"] == {"team": "ml"}, (
            "aws:defaultTags are the provider's to merge, not the component's"
        )
        assert "trainingMode" not in child.inputs, "left to the provider's check (FULL), so adoption can omit it"
        assert child.inputs["retrainTriggers"] == {"data": "v1"}
        assert child.inputs["nameScope"] == "shop/prod/recs-version"
        assert child.inputs["__provider"], "the provider is pickled at registration"
        assert version_arn == f"{ARN}/1a2b3c4d" and status == "ACTIVE" and hours == 1.5 and metrics == {"coverage": 0.5}
        assert tags == {"team": "ml"}, "what the program declares"
        assert tags_all == PROVIDER_TAGS_ALL, "the child's output, as the provider reported it"

    return pulumi.Output.all(
        model.urn,
        model.solution_version.urn,
        model.version_arn,
        model.status,
        model.training_hours,
        model.metrics,
        model.tags,
        model.tags_all,
    ).apply(verify)


class PreviewMocks(pulumi.runtime.Mocks):
    """A preview: new resources report no outputs, so everything read from them is unknown."""

    def __init__(self) -> None:
        self.resources: list[pulumi.runtime.MockResourceArgs] = []

    def new_resource(self, args):
        self.resources.append(args)
        return "", {}  # the engine gives a resource to be created no id in a preview

    def call(self, args):
        return {}, None


@pytest.fixture
def preview_mocks(monkeypatch):
    """A preview of a stack with no config: new resources report no outputs."""
    monkeypatch.setenv("PULUMI_CONFIG", "{}")
    pulumi.runtime.config.set_all_config({})
    mocks = PreviewMocks()
    pulumi.runtime.set_mocks(mocks, project="shop", stack="prod", preview=True)
    return mocks


@pulumi.runtime.test
def test_in_a_preview_the_component_takes_unknown_inputs_and_its_outputs_are_unknown(preview_mocks):
    mocks = preview_mocks
    from personalize_pulumi import TrainedModel, TrainedModelArgs

    solution = pulumi.CustomResource("test:index:Solution", "solution", {"arn": None})
    model = TrainedModel(
        "recs",
        TrainedModelArgs(solution_arn=solution.arn, tags={"team": "ml"}, retrain_triggers={"data": solution.arn}),
    )

    def verify(values):
        assert all(isinstance(value, pulumi.output.Unknown) for value in values), values
        (child,) = [r for r in mocks.resources if r.typ == TYPE_TOKEN]
        assert isinstance(child.inputs["solutionArn"], pulumi.output.Unknown)
        assert isinstance(child.inputs["retrainTriggers"]["data"], pulumi.output.Unknown)
        assert child.inputs["tags"] == {"team": "ml"} and "trainingMode" not in child.inputs

    return pulumi.Output.all(model.version_arn, model.status, model.metrics).apply(verify, run_with_unknowns=True)


@pulumi.runtime.test
def test_an_aws_provider_lends_its_region_and_profile(mocks):
    import pulumi_aws as aws

    from personalize_pulumi import TrainedModel, TrainedModelArgs

    provider = aws.Provider("eu", region="eu-west-1", profile="ml-prod")
    model = TrainedModel(
        "eu-recs", TrainedModelArgs(solution_arn=ARN.replace("us-east-1", "eu-west-1"), aws_provider=provider)
    )

    def verify(_):
        (child,) = [r for r in mocks.resources if r.typ == TYPE_TOKEN]
        assert child.inputs["region"] == "eu-west-1" and child.inputs["profile"] == "ml-prod"
        assert "accessKey" not in json.dumps(child.inputs), "no static credentials reach state"

    return model.version_arn.apply(verify)


@pulumi.runtime.test
def test_the_component_passes_the_gate_and_the_adopted_version_to_its_child(mocks):
    from personalize_pulumi import TrainedModel, TrainedModelArgs

    gated = TrainedModel(
        "gated", TrainedModelArgs(solution_arn=ARN, training_mode="UPDATE", min_metrics={"coverage": 0.3})
    )
    adopted = TrainedModel("adopted", TrainedModelArgs(solution_arn=ARN, existing_version_arn=f"{ARN}/0000beef"))

    def verify(_):
        children = {r.name: r.inputs for r in mocks.resources if r.typ == TYPE_TOKEN}
        assert children["gated-version"]["minMetrics"] == {"coverage": 0.3}
        assert (
            children["gated-version"]["trainingMode"] == "UPDATE"
            and "existingVersionArn" not in children["gated-version"]
        )
        assert children["adopted-version"]["existingVersionArn"] == f"{ARN}/0000beef"
        assert not {"trainingMode", "retrainTriggers", "name", "minMetrics"} & set(children["adopted-version"])

    return pulumi.Output.all(gated.version_arn, adopted.version_arn).apply(verify)


@pulumi.runtime.test
def test_an_unknown_minimum_in_a_preview_reaches_the_child_as_unknown(preview_mocks):
    mocks = preview_mocks
    from personalize_pulumi import TrainedModel, TrainedModelArgs

    threshold = pulumi.CustomResource("test:index:Threshold", "threshold", {"value": None})
    model = TrainedModel("recs", TrainedModelArgs(solution_arn=ARN, min_metrics={"coverage": threshold.value}))

    def verify(_):
        (child,) = [r for r in mocks.resources if r.typ == TYPE_TOKEN]
        assert isinstance(child.inputs["minMetrics"]["coverage"], pulumi.output.Unknown)

    return model.version_arn.apply(verify, run_with_unknowns=True)


def program(config: dict[str, str]):
    return run_program(PROJECT_ROOT, "dev", config, {})


def test_the_example_program_declares_one_model_from_stack_config():
    run = program(stack_config(PROJECT_ROOT, "dev"))
    assert run.error is None
    types = sorted((r.type, r.name) for r in run.registrations)
    assert types == sorted(
        [
            ("personalize:models:TrainedModel", "recommendations"),
            (TYPE_TOKEN, "recommendations-version"),
            (OWNER_TYPE_TOKEN, "recommendations-version-owner"),
            # The example repo's own component and dynamic resource, from its top-level components/ and providers/.
            ("team:models:ModelRelease", "recommendations"),
            ("pulumi-python:dynamic/team:ModelCard", "recommendations-card"),
        ]
    )
    (version,) = [r.inputs for r in run.registrations if r.type == TYPE_TOKEN]
    assert version["tags"] == {"team": "recommendations", "cost-center": "4711"}, (
        "aws:defaultTags are the provider's to add"
    )
    assert version["retrainTriggers"] == {"data": "interactions-2026-11-01"} and version["waitTimeoutMinutes"] == 60
    assert version["minMetrics"] == {"coverage": 0.05}
    assert set(run.exports) == {
        "solutionVersionArn",
        "status",
        "trainingHours",
        "metrics",
        "tags",
        "tagsAll",
        "modelCard",
    }


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("personalize-models:solutionArn", None, "missing config 'personalize-models:solutionArn'"),
        (
            "personalize-models:trainingMode",
            "PARTIAL",
            "config 'personalize-models:trainingMode' must be one of FULL, UPDATE, AUTOTRAIN",
        ),
        ("personalize-models:tags", "not-json", "config 'personalize-models:tags' must be an object"),
        ("personalize-models:tags", '{"n": 5}', "config 'personalize-models:tags' must map tag keys to strings"),
        (
            "personalize-models:waitTimeoutMinutes",
            "soon",
            "config 'personalize-models:waitTimeoutMinutes' must be a number",
        ),
        ("aws:defaultTags", '{"tags": ["x"]}', "config 'aws:defaultTags' must be an object"),
        ("aws:defaultTags", "not-json", "config 'aws:defaultTags' must be an object"),
        (
            "personalize-models:minMetrics",
            '{"Coverage": 0.2}',
            "config 'personalize-models:minMetrics' must map metric names",
        ),
        (
            "personalize-models:minMetrics",
            '{"coverage": "high"}',
            "config 'personalize-models:minMetrics' must map metric names",
        ),
        ("personalize-models:minMetrics", "[0.2]", "config 'personalize-models:minMetrics' must be an object"),
    ],
)
def test_bad_config_stops_the_program_with_one_line_naming_the_key(key, value, message):
    config = stack_config(PROJECT_ROOT, "dev")
    if value is None:
        config.pop(key)
    else:
        config[key] = value
    run = program(config)
    assert run.error is not None and message in run.error
    assert "\n" not in run.error.strip() and "Traceback" not in run.error
