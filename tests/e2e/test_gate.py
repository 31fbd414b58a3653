"""The quality gate (`minMetrics`) on the real Pulumi engine against the emulator: what a user sees when a version
misses it, and what stays in the stack. The example stack's gate is `coverage: 0.05`, which every emulated version
meets (its metrics lie in 0.05-0.95); 0.99 is met by none."""

from __future__ import annotations

import boto3
import pytest

from harness.automation import EngineFailed
from personalize_pulumi.emulator.defaults import UNMET_MINIMUMS
from tests.e2e.conftest import MODEL, PROJECT
from tests.helpers import REGION, trainings_started

GATE = f"{PROJECT}:minMetrics"
STRICT = UNMET_MINIMUMS


def _client():
    return boto3.client("personalize", region_name=REGION)


def _coverage(arn: str) -> float:
    return _client().get_solution_metrics(solutionVersionArn=arn)["metrics"]["coverage"]


def _model(stack) -> dict:
    [resource] = [r for r in stack.resources() if r["urn"].endswith("::" + MODEL)]
    return resource


def _rejection(failed: EngineFailed) -> str:
    """The provider's message as the engine shows it (`error: <message>`, no traceback)."""
    lines = [line for line in failed.output.splitlines() if "rejected by minMetrics" in line]
    assert lines, failed.output
    return lines[-1].strip().split("error: ", 1)[-1]


def test_a_stricter_gate_fails_up_in_one_line_and_the_stack_keeps_its_version(new_stack, control):
    stack = new_stack()
    stack.up()
    arn = stack.outputs()["solutionVersionArn"]
    stack.set_config(GATE, STRICT)

    preview = stack.preview(diff=True)
    assert preview.change_summary.get("update") == 1 and "replace" not in preview.change_summary, "no retraining"

    control.clear_requests()
    with pytest.raises(EngineFailed) as failed:
        stack.up()
    line = _rejection(failed.value)
    assert line.startswith("updating Personalize solution version ") and f"({arn}): rejected by minMetrics" in line
    assert f"coverage is {_coverage(arn)!r}, below the minimum 0.99" in line
    model = _model(stack)
    assert model["id"] == arn and model["outputs"]["minMetrics"] == {"coverage": 0.05}, "the previous version stays"
    assert trainings_started(control) == 0
    assert control.count("TagResource") == control.count("UntagResource") == 0, "nothing changed on the service"

    stack.set_config(GATE, {"coverage": 0.05})
    stack.preview(diff=True, expect_no_changes=True)


def test_a_rejected_retrain_leaves_the_previous_version_serving_until_the_gate_accepts_the_new_one(new_stack, control):
    stack = new_stack()
    stack.up()
    serving = stack.outputs()["solutionVersionArn"]
    stack.set_config(f"{PROJECT}:retrainTrigger", "interactions-2026-12-01")
    stack.set_config(GATE, STRICT)

    with pytest.raises(EngineFailed) as failed:
        stack.up()
    line = _rejection(failed.value)
    [retrained] = [
        v["solutionVersionArn"]
        for v in _client().list_solution_versions(solutionArn=stack.solution_arn)["solutionVersions"]
        if v["solutionVersionArn"] != serving
    ]
    assert line.startswith("creating Personalize solution version ") and f"({retrained}): rejected" in line
    assert _model(stack)["id"] == serving, "the rejected retrain never replaced the version in the stack"
    assert stack.outputs()["solutionVersionArn"] == serving

    # A gate the new version meets: the next up adopts it (no second training) and only then replaces the old one.
    stack.set_config(GATE, {"coverage": _coverage(retrained)})
    control.clear_requests()
    result = stack.up()
    assert result.summary.resource_changes.get("replace") == 1
    assert stack.outputs()["solutionVersionArn"] == retrained
    assert trainings_started(control) == 0
