"""The example stack on the real Pulumi engine (Go CLI, Automation API inline programs) against the emulator:
what a user sees from `pulumi up`, `preview --diff`, `refresh`, `destroy`, and from interrupting `up`."""

from __future__ import annotations

import subprocess
import sys

import boto3
import pytest

from harness.automation import ROOT, EngineFailed
from tests.e2e.conftest import (
    PROJECT,
)
from tests.helpers import REGION, live_tags, trainings_started


def _client():
    return boto3.client("personalize", region_name=REGION)


def _live_tags(arn: str) -> dict[str, str]:
    return live_tags(_client(), arn)


def test_up_then_a_preview_shows_no_changes(new_stack, control):
    stack = new_stack()
    control.clear_requests()
    result = stack.up()
    assert result.summary.result == "succeeded"
    outputs = stack.outputs()
    assert outputs["status"] == "ACTIVE"
    assert outputs["solutionVersionArn"].startswith(stack.solution_arn + "/")
    assert outputs["tags"] == {"team": "recommendations", "cost-center": "4711"}, "what the program declares"
    effective = {"managed-by": "pulumi", "repo": "personalize-models", "team": "recommendations", "cost-center": "4711"}
    assert outputs["tagsAll"] == effective, "with the stack's aws:defaultTags, added by the provider"
    assert _live_tags(outputs["solutionVersionArn"]) == effective
    assert outputs["metrics"] and outputs["trainingHours"] > 0
    assert trainings_started(control) == 1
    assert outputs["solutionVersionArn"] in stack.output_since(0), "the engine shows the version's ARN while it trains"

    control.clear_requests()
    preview = stack.preview(diff=True, expect_no_changes=True)
    # Every resource the state holds (the stack, the models, their owners, the repo's own components), providers aside.
    recorded = [r for r in stack.resources() if not r["type"].startswith("pulumi:providers:")]
    assert preview.change_summary == {"same": len(recorded)}
    assert trainings_started(control) == 0 and control.count("DescribeSolutionVersion") == 0


def test_a_tag_change_previews_as_an_in_place_update_and_keeps_the_version(new_stack):
    stack = new_stack()
    stack.up()
    arn = stack.outputs()["solutionVersionArn"]
    stack.set_config(f"{PROJECT}:tags", {"team": "search", "cost-center": "4711"})

    start = len(stack.lines)
    preview = stack.preview(diff=True)
    assert preview.change_summary.get("update") == 1 and "replace" not in preview.change_summary
    shown = stack.output_since(start)
    assert "~ tags" in shown and '"search"' in shown, shown

    stack.up()
    assert stack.outputs()["solutionVersionArn"] == arn
    assert _live_tags(arn)["team"] == "search"


def test_a_default_tags_change_previews_as_an_in_place_update_and_up_applies_it(new_stack, control):
    stack = new_stack()
    stack.up()
    arn = stack.outputs()["solutionVersionArn"]
    stack.set_config("aws:defaultTags", {"tags": {"managed-by": "pulumi", "owner": "ml-platform"}})

    start = len(stack.lines)
    preview = stack.preview(diff=True)
    assert preview.change_summary.get("update") == 1 and "replace" not in preview.change_summary
    shown = stack.output_since(start)
    assert "~ tagsAll" in shown and '"ml-platform"' in shown, shown

    control.clear_requests()
    stack.up()
    outputs = stack.outputs()
    assert outputs["solutionVersionArn"] == arn and trainings_started(control) == 0
    effective = {"managed-by": "pulumi", "owner": "ml-platform", "team": "recommendations", "cost-center": "4711"}
    assert _live_tags(arn) == outputs["tagsAll"] == effective
    stack.preview(expect_no_changes=True)


def test_a_training_mode_change_previews_as_a_replace_that_names_the_reason(new_stack):
    stack = new_stack()
    stack.up()
    stack.set_config(f"{PROJECT}:trainingMode", "UPDATE")
    start = len(stack.lines)
    preview = stack.preview(diff=True)
    assert preview.change_summary.get("replace") == 1
    shown = stack.output_since(start)
    assert "trainingMode" in shown and '"UPDATE"' in shown, shown


CHAINED = """
import pulumi
from personalize_pulumi.provider import SolutionVersion, SolutionVersionArgs

solution_arn = pulumi.Config().require("solutionArn")
first = SolutionVersion("first", SolutionVersionArgs(solution_arn=solution_arn, tags={"stage": "base"}))
second = SolutionVersion(
    "second",
    SolutionVersionArgs(
        solution_arn=solution_arn,
        tags={"built-on": first.solution_version_arn},
        retrain_triggers={"base": first.solution_version_arn},
    ),
)
pulumi.export("first", first.solution_version_arn)
pulumi.export("second", second.solution_version_arn)
"""


def test_a_new_stack_whose_retrain_trigger_is_another_models_arn_previews_and_deploys(new_stack, control):
    stack = new_stack(main=CHAINED)
    control.clear_requests()
    preview = stack.preview(diff=True)
    assert preview.change_summary.get("create") == 5, preview.change_summary  # the stack, both versions and owners
    assert control.requests() == [], "a preview calls no AWS API"

    stack.up()
    outputs = stack.outputs()
    assert outputs["first"] != outputs["second"]
    assert _live_tags(outputs["second"])["built-on"] == outputs["first"]
    defaults = {"managed-by": "pulumi", "repo": "personalize-models"}  # the stack's aws:defaultTags
    assert _live_tags(outputs["first"]) == {"stage": "base", **defaults}, "a bare SolutionVersion gets them too"
    stack.preview(expect_no_changes=True)


def test_refresh_shows_out_of_band_tag_drift_and_up_restores_it(new_stack):
    stack = new_stack()
    stack.up()
    arn = stack.outputs()["solutionVersionArn"]
    _client().tag_resource(resourceArn=arn, tags=[{"tagKey": "team", "tagValue": "hijacked"}])

    start = len(stack.lines)
    refresh = stack.refresh()
    assert refresh.summary.resource_changes.get("update") == 1, refresh.summary.resource_changes
    assert "tags" in stack.output_since(start)

    preview = stack.preview(diff=True)
    assert preview.change_summary.get("update") == 1
    stack.up()
    assert _live_tags(arn)["team"] == "recommendations"
    stack.preview(expect_no_changes=True)


def test_destroy_of_an_active_version_removes_it_from_the_stack_and_says_it_is_left_in_place(new_stack, control):
    stack = new_stack()
    stack.up()
    arn = stack.outputs()["solutionVersionArn"]
    start = len(stack.lines)
    stack.destroy()
    assert stack.resources() == []
    shown = stack.output_since(start)
    assert arn in shown and "no API to delete" in shown, shown
    assert _client().describe_solution_version(solutionVersionArn=arn)["solutionVersion"]["status"] == "ACTIVE"
    assert control.count("StopSolutionVersionCreation") == 0


def test_a_replace_trains_a_new_version_first_and_leaves_the_old_one_active(new_stack, control):
    stack = new_stack()
    stack.up()
    old_arn = stack.outputs()["solutionVersionArn"]
    stack.set_config(f"{PROJECT}:trainingMode", "UPDATE")
    control.clear_requests()
    result = stack.up()
    assert result.summary.resource_changes.get("replace") == 1
    new_arn = stack.outputs()["solutionVersionArn"]
    assert new_arn != old_arn and stack.outputs()["status"] == "ACTIVE"
    client = _client()
    assert client.describe_solution_version(solutionVersionArn=new_arn)["solutionVersion"]["trainingMode"] == "UPDATE"
    assert client.describe_solution_version(solutionVersionArn=old_arn)["solutionVersion"]["status"] == "ACTIVE", (
        "the old version is forgotten, not stopped"
    )
    assert trainings_started(control) == 1 and control.count("StopSolutionVersionCreation") == 0


def test_invalid_input_fails_the_preview_with_one_line_naming_the_property_before_any_api_call(new_stack, control):
    stack = new_stack()
    stack.set_config(f"{PROJECT}:tags", {"aws:owner": "me"})
    control.clear_requests()
    with pytest.raises(EngineFailed) as failed:
        stack.preview()
    shown = failed.value.output
    assert "tags.aws:owner" in shown and "reserved" in shown, shown
    assert "Traceback" not in shown
    assert control.requests() == []


def test_the_main_job_runs_on_the_real_engine():
    """README command 1: up, outputs, and the no-change, tag-change and training-mode-change previews."""
    result = subprocess.run(
        [sys.executable, "-m", "scripts.main_job", "--training-seconds", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"status": "ACTIVE"' in result.stdout and "main job done" in result.stdout
    assert "Previewing update (dev)" in result.stdout and "+-1 to replace" in result.stdout
