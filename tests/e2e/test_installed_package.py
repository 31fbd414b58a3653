"""The installed package in an infrastructure repo, on the real engine: beside the repo's own `providers` and
`components` packages, upgrading a stack created with the vendored layout of the last release, and two stacks of the
same names in different backends.

Programs that import a repo's own `providers`/`components` run in their own process (`BackgroundOperation`), so this
test process never caches another program's packages under those names.
"""

from __future__ import annotations

import json
import shutil
import tarfile
from pathlib import Path

import boto3

from harness.automation import ROOT, EngineStack
from personalize_pulumi.provider.diffs import pickled_class
from personalize_pulumi.provider.properties import OWNER_TYPE_TOKEN, PROVIDER_KEY, STATE_PATH, TYPE_TOKEN
from personalize_pulumi.seeding import active_solution
from tests.e2e.conftest import BackgroundOperation
from tests.helpers import FAST_POLLING, REGION, trainings_started, unique

VENDORED_RELEASE = ROOT / "tests" / "fixtures" / "vendored-layout-aff504e407.tar.gz"
"""`providers/` and `components/` of the last release that was vendored (git archive of commit aff504e407)."""
PULUMI_YAML = "name: infra\nruntime: python\n"

USER_PROVIDERS = '''"""The repo's own providers package. Outside its program (e.g. in the engine's provider host) it fails to import:
the provider host must never import it."""
import os

import pulumi

with open(os.environ["IMPORT_LOG"], "a") as log:
    log.write(f"{os.getpid()} {' '.join(__import__('sys').argv)}\\n")
REGION = pulumi.Config("aws").require("region")
'''
USER_COMPONENTS = '''"""The repo's own components package."""
import pulumi


class Network(pulumi.ComponentResource):
    def __init__(self, name: str):
        super().__init__("infra:index:Network", name, None)
        self.register_outputs({})
'''
USER_PROGRAM = """import pulumi

import providers
from components import Network
from personalize_pulumi import TrainedModel, TrainedModelArgs

Network("core")
model = TrainedModel("ranking", TrainedModelArgs(solution_arn=pulumi.Config().require("solutionArn"), tags={"team": "infra"}))
pulumi.export("versionArn", model.version_arn)
pulumi.export("region", providers.REGION)
"""
VENDORED_PROGRAM = """import pulumi

from {module} import TrainedModel, TrainedModelArgs

model = TrainedModel("ranking", TrainedModelArgs(solution_arn=pulumi.Config().require("solutionArn"), tags={{"team": "infra"}}))
pulumi.export("versionArn", model.version_arn)
"""


def run(stack: EngineStack, operation: str) -> str:
    """`operation` in its own process; fails the test with the engine's display if it fails."""
    code, output = BackgroundOperation(stack, operation).finish(timeout=180)
    assert code == 0, output
    return output


def repo_stack(folder: Path, files: dict[str, str], emulator, cli, solution: str, **kwargs) -> EngineStack:
    program = folder / "program"
    for name, text in files.items():
        (program / name).parent.mkdir(parents=True, exist_ok=True)
        (program / name).write_text(text)
    stack = EngineStack(folder, env={**emulator.env(REGION), **FAST_POLLING}, cli=cli, echo=None, fresh=False, **kwargs)
    stack.set_config("infra:solutionArn", solution)
    return stack


def stored_class(props: dict) -> str | None:
    """The class path of a `__provider` as `pulumi stack export` shows it: a secret whose plaintext is JSON."""
    value = props[PROVIDER_KEY]
    if isinstance(value, dict) and "plaintext" in value:
        value = json.loads(value["plaintext"])
    return pickled_class(value)


def resource(stack: EngineStack, type_token: str) -> dict:
    (found,) = [r for r in stack.resources() if r["type"] == type_token]
    return found


def test_beside_a_repos_own_providers_and_components_the_host_never_imports_them(
    cli, emulator, control, wheel_python, tmp_path, monkeypatch
):
    """The provider host runs from the wheel's virtualenv, in a program directory with the repo's own packages."""
    log = tmp_path / "imports.log"
    monkeypatch.setenv("IMPORT_LOG", str(log))
    solution = active_solution(boto3.client("personalize", region_name=REGION), unique("coexist"))
    files = {
        "Pulumi.yaml": PULUMI_YAML,
        "__main__.py": USER_PROGRAM,
        "providers/__init__.py": USER_PROVIDERS,
        "components/__init__.py": USER_COMPONENTS,
    }
    stack = repo_stack(tmp_path / "stack", files, emulator, cli, solution, provider_python=wheel_python)
    stack.stack.set_config("aws:region", __import__("pulumi").automation.ConfigValue(REGION))
    stack.env["IMPORT_LOG"] = str(log)

    run(stack, "up")
    assert stack.outputs()["region"] == REGION and stack.outputs()["versionArn"].startswith(solution)
    run(stack, "preview")
    run(stack, "refresh")
    run(stack, "destroy")

    importers = log.read_text().splitlines()
    assert importers, "the program itself imports the repo's providers package"
    assert not [line for line in importers if "pulumi/dynamic" in line], "the provider host imported it"
    assert trainings_started(control) == 1


def test_a_stack_from_the_vendored_layout_moves_to_the_package_with_one_update_and_no_aws_change(
    cli, emulator, control, tmp_path
):
    solution = active_solution(boto3.client("personalize", region_name=REGION), unique("upgrade"))
    files = {"Pulumi.yaml": PULUMI_YAML, "__main__.py": VENDORED_PROGRAM.format(module="components")}
    stack = repo_stack(tmp_path / "stack", files, emulator, cli, solution)
    with tarfile.open(VENDORED_RELEASE) as archive:
        archive.extractall(stack.program_dir, filter="data")
    run(stack, "up")
    arn = stack.outputs()["versionArn"]
    assert stored_class(resource(stack, TYPE_TOKEN)["outputs"]) == "providers.solution_version.SolutionVersionProvider"

    # The README's upgrade steps: install the package, import it instead of the vendored folders, `pulumi up`.
    (stack.program_dir / "__main__.py").write_text(VENDORED_PROGRAM.format(module="personalize_pulumi"))
    control.clear_requests()
    preview = run(stack, "preview")
    assert "1 to update" in preview and "replace" not in preview, preview
    assert "1 to create" in preview, "the version's owner token (see owner.py)"
    run(stack, "up")
    calls = [(entry["operation"], entry["params"]) for entry in control.requests()]
    read = ("ListSolutionVersions", {"solutionArn": solution, "maxResults": 1})
    assert calls == [read], "the move changes nothing on AWS: one read, the new owner's service clock"
    version = resource(stack, TYPE_TOKEN)
    assert version["outputs"]["solutionVersionArn"] == arn
    assert stored_class(version["outputs"]) == STATE_PATH, "the outputs' provider moved too"
    assert stored_class(version["inputs"]) == STATE_PATH
    resource(stack, OWNER_TYPE_TOKEN)

    # The vendored folders can go: refresh, preview and destroy run on the package alone.
    shutil.rmtree(stack.program_dir / "providers")
    shutil.rmtree(stack.program_dir / "components")
    run(stack, "refresh")
    after = run(stack, "preview")
    assert not [word for word in ("to create", "to update", "to replace", "to delete") if word in after], after
    run(stack, "destroy")
    assert trainings_started(control) == 0


def test_two_stacks_of_the_same_names_in_different_backends_train_their_own_versions(new_stack, control):
    """Same project, stack and resource names and the same solution, two state backends: each stack trains its own
    version, and neither retags the other's."""
    first = new_stack()
    first.up()
    first_arn = first.outputs()["solutionVersionArn"]
    second = new_stack()
    second.set_config(f"{first.stack.workspace.project_settings().name}:solutionArn", first.solution_arn)

    control.clear_requests()
    second.up()
    second_arn = second.outputs()["solutionVersionArn"]
    assert second_arn != first_arn
    assert trainings_started(control) == 1
    assert not [r for r in control.requests("TagResource") if r["params"].get("resourceArn") == first_arn]
    first.preview(expect_no_changes=True)
