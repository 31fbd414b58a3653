"""Moving a stack from the dynamic resource to the package's, as docs/guides/every-language.md says, on the real
engine: the version stays, nothing trains."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from tests.helpers import trainings_started, version_status

DYNAMIC = """import pulumi
from personalize_pulumi import SolutionVersion, SolutionVersionArgs

model = SolutionVersion("model", SolutionVersionArgs(solution_arn=pulumi.Config().require("solutionArn")))
pulumi.export("versionArn", model.id)
"""
PACKAGE = """import pulumi

config = pulumi.Config()
model = pulumi.CustomResource(
    "personalize:index:SolutionVersion",
    "model",
    {{"solutionArn": config.require("solutionArn"), "existingVersionArn": "{arn}"}},
)
pulumi.export("versionArn", model.id)
"""


def test_a_dynamic_model_moves_to_the_package_with_no_training(new_stack, fast, control, personalize):
    plugin_bin = str(Path(sys.executable).parent)
    stack = new_stack(DYNAMIC, PATH=os.pathsep.join([plugin_bin, os.environ["PATH"]]))
    stack.up()
    arn = stack.outputs()["versionArn"]
    dynamic = [r["urn"] for r in stack.resources() if "pulumi-python:dynamic" in r["type"]]
    assert len(dynamic) == 2, "the SolutionVersion and its owner"
    for urn in sorted(dynamic, key=lambda urn: "TrainingOwner" in urn):  # the version first: it depends on its owner
        stack.cli_command("state", "delete", urn, "--yes")
    (Path(stack.program_dir) / "__main__.py").write_text(PACKAGE.format(arn=arn))
    control.clear_requests()
    stack.up()
    assert stack.outputs()["versionArn"] == arn and version_status(personalize, arn) == "ACTIVE"
    assert trainings_started(control) == 0
    (moved,) = [r for r in stack.resources() if r["type"] == "personalize:index:SolutionVersion"]
    assert moved["id"] == arn
    stack.preview(expect_no_changes=True)
