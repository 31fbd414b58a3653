"""The example stack end to end without the CLI: `__main__.py` under the SDK's mocks, each SolutionVersion it
registers driven through the real dynamic host against the emulator (see harness/engine.py)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from harness.dynamic_host import PROJECT_ROOT
from harness.engine import DeploymentError, LocalEngine
from tests.conftest import FAST_POLLING
from tests.helpers import RECIPE_USER_PERSONALIZATION, wait_for

SOLUTION = "arn:aws:personalize:us-east-1:123456789012:solution/example-recommendations"
TAGS_KEY = "personalize-models:tags"


@pytest.fixture(scope="module")
def engine(emulator, tmp_path_factory):
    import boto3

    client = boto3.client("personalize", region_name="us-east-1")
    group = client.create_dataset_group(name="example-data")["datasetGroupArn"]
    wait_for(lambda: client.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"], ("ACTIVE",))
    arn = client.create_solution(name="example-recommendations", datasetGroupArn=group, recipeArn=RECIPE_USER_PERSONALIZATION)["solutionArn"]
    assert arn == SOLUTION, "Pulumi.dev.yaml names this solution"
    wait_for(lambda: client.describe_solution(solutionArn=arn)["solution"]["status"], ("ACTIVE",))
    started = LocalEngine(PROJECT_ROOT, "dev", tmp_path_factory.mktemp("state") / "state.json", {**emulator.env(), **FAST_POLLING})
    yield started
    started.close()


def test_up_then_no_change_then_tag_update_then_replace_then_destroy(engine, emulator, personalize):
    control = emulator.control
    control.clear_requests()
    assert engine.preview().ops() == {"recommendations-version": "create"}
    assert control.requests() == [], "a preview calls no AWS API"

    first = engine.up()
    assert first.ops() == {"recommendations-version": "create"}
    exports = first.exports
    assert exports["status"] == "ACTIVE" and exports["solutionVersionArn"].startswith(SOLUTION + "/")
    assert exports["metrics"] and exports["trainingHours"] > 0
    assert exports["tags"]["managed-by"] == "pulumi" and exports["tags"]["team"] == "recommendations"
    old_arn = exports["solutionVersionArn"]

    assert engine.preview().ops() == {"recommendations-version": "same"}, "no spurious diff right after up"

    tags = json.loads(engine.config[TAGS_KEY])
    engine.config[TAGS_KEY] = json.dumps({**tags, "team": "search"})
    assert engine.preview().ops() == {"recommendations-version": "update"}
    updated = engine.up()
    assert updated.ops() == {"recommendations-version": "update"}
    assert updated.exports["solutionVersionArn"] == old_arn, "a tag change keeps the trained version"
    live = {t["tagKey"]: t["tagValue"] for t in personalize.list_tags_for_resource(resourceArn=old_arn)["tags"]}
    assert live["team"] == "search" and live["managed-by"] == "pulumi"

    engine.config["personalize-models:trainingMode"] = "UPDATE"
    assert engine.preview().ops() == {"recommendations-version": "replace"}
    replaced = engine.up()
    new_arn = replaced.exports["solutionVersionArn"]
    assert new_arn != old_arn and replaced.exports["status"] == "ACTIVE"
    described = personalize.describe_solution_version(solutionVersionArn=new_arn)["solutionVersion"]
    assert described["trainingMode"] == "UPDATE"
    assert personalize.describe_solution_version(solutionVersionArn=old_arn)["solutionVersion"]["status"] == "ACTIVE", (
        "the old version is forgotten, not stopped"
    )
    assert control.count("CreateSolutionVersion") == 2 and control.count("StopSolutionVersionCreation") == 0

    assert engine.destroy().ops() == {"recommendations-version": "delete"}
    assert engine.state() == {}
    assert control.count("StopSolutionVersionCreation") == 0, "nothing was training"


def test_invalid_config_fails_before_any_api_call(engine, emulator):
    emulator.control.clear_requests()
    saved = dict(engine.config)
    engine.config["personalize-models:tags"] = json.dumps({"aws:owner": "me"})
    try:
        with pytest.raises(DeploymentError) as exc:
            engine.preview()
    finally:
        engine.config = saved
    assert "tags.aws:owner" in str(exc.value) and "reserved" in str(exc.value)
    assert emulator.control.requests() == []


@pytest.mark.cli
@pytest.mark.skipif(shutil.which("pulumi") is None, reason="needs the Pulumi CLI on PATH")
def test_main_job_with_the_real_pulumi_cli():
    """README command 1 with the real CLI: up, outputs, no-change preview, update and replace previews."""
    result = subprocess.run(
        [sys.executable, "scripts/main_job.py", "--require-cli", "--no-install"],
        cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"status": "ACTIVE"' in result.stdout and "main job done" in result.stdout
