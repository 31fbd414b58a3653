"""The package schema: generated from the declarations, checked in as `schema.json`, served by the plugin to the
real CLI (`pulumi package get-schema`)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from harness.automation import pulumi_cli
from harness.plugin_host import plugin_executable
from personalize_pulumi.plugin.schema import SOLUTION_VERSION_TOKEN, schema, schema_json
from personalize_pulumi.provider.properties import OUTPUTS, REPLACE_ON_CHANGE, SOLUTION_VERSION_INPUTS

ROOT = Path(__file__).resolve().parents[2]


def test_the_checked_in_schema_is_what_the_declarations_generate():
    assert (ROOT / "schema.json").read_text() == schema_json(), (
        "schema.json is stale: run `.venv/bin/python -m personalize_pulumi.plugin.schema > schema.json`"
    )


def test_every_input_and_output_is_in_the_schema_documented():
    resource = schema()["resources"][SOLUTION_VERSION_TOKEN]
    inputs, properties = resource["inputProperties"], resource["properties"]
    assert set(inputs) == {i.key for i in SOLUTION_VERSION_INPUTS}
    assert set(OUTPUTS.values()) <= set(properties) and set(inputs) <= set(properties)
    for where, specs in (("input", inputs), ("output", properties)):
        for key, spec in specs.items():
            assert len(spec.get("description", "")) > 20, f"{where} {key} has no description"
            assert spec.get("type") in ("string", "number", "object"), f"{where} {key} has no type"
    assert {key for key, spec in inputs.items() if spec.get("replaceOnChanges")} == set(REPLACE_ON_CHANGE)
    assert resource["requiredInputs"] == ["solutionArn"]
    assert inputs["trainingMode"]["default"] == "FULL" and inputs["waitTimeoutMinutes"]["default"] == 720.0


def test_the_cli_gets_the_schema_from_the_plugin(tmp_path):
    env = {**os.environ, "PULUMI_HOME": str(tmp_path / "home"), "PULUMI_SKIP_UPDATE_CHECK": "true"}
    env["PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION"] = "true"
    done = subprocess.run(
        [str(pulumi_cli()), "package", "get-schema", plugin_executable()],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    got = json.loads(done.stdout)
    assert got["resources"][SOLUTION_VERSION_TOKEN] == schema()["resources"][SOLUTION_VERSION_TOKEN]
