"""What a user sees on the real engine now that the provider talks to it (issue 23): every line of a model is on the
model's own URN in the event stream (`on_event`) and on its row or under it in the engine's display, nothing of it on
the stack; the reviewer's line of a create, a retrain, an adoption and a removal; a refresh says what it found and no
update; check failures read as one sentence; a gate no version can pass, and a stack region other than the
solution's, are said at preview, with no AWS call."""

from __future__ import annotations

import re

import boto3
import pytest

from harness.automation import Diagnostic, EngineFailed
from tests.e2e.conftest import PROJECT
from tests.helpers import REGION

MODEL = "recommendations-version"
ROW = re.compile(rf"^\s*[+~-]*\s*pulumi-python:dynamic/personalize:SolutionVersion\s+{MODEL}\s+(.*)$")


def of_model(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.urn.endswith(f"$pulumi-python:dynamic/personalize:SolutionVersion::{MODEL}")]


def of_stack(diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    return [d for d in diagnostics if d.urn == "" or d.urn.endswith("::pulumi:pulumi:Stack::personalize-models-dev")]


def since(stack, start: int) -> list[Diagnostic]:
    return stack.diagnostics[start:]


def test_a_models_lines_are_on_its_own_row_and_urn_from_preview_to_destroy(new_stack, control):
    stack = new_stack()

    start, shown = len(stack.diagnostics), len(stack.lines)
    stack.preview()
    [create] = [d for d in of_model(since(stack, start)) if "trains a new version" in d.message]
    assert create.message == f"{MODEL}: trains a new version" and not create.ephemeral and create.severity == "info"
    assert f"{MODEL}: trains a new version" in stack.output_since(shown)

    start, shown = len(stack.diagnostics), len(stack.lines)
    stack.up()
    arn = stack.outputs()["solutionVersionArn"]
    mine, display = of_model(since(stack, start)), stack.output_since(shown)
    kept = [d.message for d in mine if not d.ephemeral]
    statuses = [d.message for d in mine if d.ephemeral]
    started = [text for text in kept if text.startswith(f"started training {arn};")]
    assert len(started) == 1 and "stop-solution-version-creation" in started[0], kept
    assert any(re.fullmatch(r"CREATE (PENDING|IN_PROGRESS), \d+s elapsed", text) for text in statuses), statuses
    assert re.fullmatch(r"ACTIVE after \d+s", statuses[-1]), "the last status is the final one"
    assert not [d for d in of_stack(since(stack, start)) if arn in d.message or "elapsed" in d.message]
    rows = [m.group(1) for line in display.splitlines() if (m := ROW.match(line))]
    assert any(" elapsed" in row for row in rows), ("the status on the model's row", rows)
    assert any(row.startswith("created") and "ACTIVE after" in row for row in rows), rows
    assert started[0] in display, "kept under the model in Diagnostics"

    stack.set_config(f"{PROJECT}:retrainTrigger", "interactions-2026-12-01")
    start, shown = len(stack.diagnostics), len(stack.lines)
    stack.preview(diff=True)
    [retrain] = [d.message for d in of_model(since(stack, start)) if not d.ephemeral]
    assert retrain.startswith(f"{MODEL}: trains a new version because retrainTriggers changes"), retrain
    assert retrain in stack.output_since(shown)
    stack.stack.remove_config(f"{PROJECT}:retrainTrigger")

    stack.set_config(f"{PROJECT}:existingVersionArn", arn)
    start = len(stack.diagnostics)
    stack.preview()
    assert [d.message for d in of_model(since(stack, start))] == [f"{MODEL}: adopts {arn}: no training"]
    stack.stack.remove_config(f"{PROJECT}:existingVersionArn")

    client = boto3.client("personalize", region_name=REGION)
    client.tag_resource(resourceArn=arn, tags=[{"tagKey": "outside", "tagValue": "1"}])
    start, shown = len(stack.diagnostics), len(stack.lines)
    stack.refresh()
    refreshed = stack.output_since(shown)
    assert "updates the version in place" not in refreshed and "retags it" not in refreshed, refreshed
    [found] = [d.message for d in of_model(since(stack, start))]
    assert found.startswith(f"{MODEL}: found the version changed outside the stack: tagsAll differs"), found
    assert found in refreshed

    start, shown = len(stack.diagnostics), len(stack.lines)
    stack.destroy()
    [forget] = [d.message for d in of_model(since(stack, start))]
    assert forget.startswith(f"{MODEL}: forgets {arn} (ACTIVE): it stays in Personalize"), forget
    assert forget in stack.output_since(shown)


def failing_preview(stack) -> str:
    with pytest.raises(EngineFailed) as failed:
        stack.preview()
    return failed.value.output


def test_mistakes_that_would_waste_a_training_fail_at_preview_in_one_sentence_with_no_aws_call(new_stack, control):
    stack = new_stack()
    problem = f"pulumi-python:dynamic/personalize:SolutionVersion resource '{MODEL}' has a problem: "
    cases = [
        ({"coverage": 30}, "minMetrics.coverage must be at most 1: coverage is a fraction from 0 to 1"),
        ({"coverage": -1}, "minMetrics.coverage must be 0 or more"),
    ]
    for minimums, sentence in cases:
        stack.set_config(f"{PROJECT}:minMetrics", minimums)
        control.clear_requests()
        shown = failing_preview(stack)
        assert control.requests() == [], "no AWS call"
        lines = [text for text in shown.splitlines() if "error:" in text and "has a problem" in text]
        assert lines and all(f"{problem}{sentence}" in line for line in lines), shown  # on the row, in Diagnostics
        assert "{<nil>}" not in shown and "property minMetrics" not in shown, shown
    stack.set_config(f"{PROJECT}:minMetrics", {"hits_at_1_percent": 19.5, "coverage": 0.05})
    stack.preview()  # a count keeps any minimum that is not negative (the solution's names are judged at up)

    stack.set_config(f"{PROJECT}:minMetrics", {"coverage": 0.05})
    stack.set_config(f"{PROJECT}:tags", {f"k{i}": "v" for i in range(60)})
    shown = failing_preview(stack)
    lines = [text for text in shown.splitlines() if "error:" in text and "has a problem" in text]
    assert lines and all(f"{problem}tags may hold at most 49 tags" in line for line in lines), shown
    assert "map[" not in shown and "value {" not in shown, shown
    stack.stack.remove_config(f"{PROJECT}:tags")

    # A region typo in the ARN, and a budget no training could fit in: refused before anything is called or trained.
    solution_arn = stack.solution_arn
    typo = solution_arn.replace(f":{REGION}:", ":us-east1:")
    cases = [
        ("solutionArn", typo, "solutionArn: region 'us-east1' is not a region where Amazon Personalize is offered"),
        ("waitTimeoutMinutes", "1e-9", "waitTimeoutMinutes must be at least"),
    ]
    for key, value, sentence in cases:
        stack.set_config(f"{PROJECT}:{key}", value)
        control.clear_requests()
        shown = failing_preview(stack)
        assert control.requests() == [], "no AWS call"
        lines = [text for text in shown.splitlines() if "error:" in text and "has a problem" in text]
        assert lines and all(f"{problem}{sentence}" in line for line in lines), shown
        with pytest.raises(EngineFailed):
            stack.up()
        assert control.count("CreateSolutionVersion") == 0, "no training"
        if key == "solutionArn":
            stack.set_config(f"{PROJECT}:solutionArn", solution_arn)
        else:
            stack.stack.remove_config(f"{PROJECT}:{key}")

    stack.set_config("aws:region", "eu-west-1")
    control.clear_requests()
    start, shown_at = len(stack.diagnostics), len(stack.lines)
    stack.preview()
    assert control.requests() == [], "no AWS call"
    [warning] = [d for d in of_model(since(stack, start)) if d.severity == "warning"]
    assert f"trains in {REGION}" in warning.message and "eu-west-1" in warning.message, warning
    assert warning.message in stack.output_since(shown_at)
