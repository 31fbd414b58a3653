"""The distribution as users install it: a wheel built from a clean checkout, pip from a path and a git URL, and the
installed package in a repo with its own `providers` and `components` packages.

The fixtures `clean_clone`, `wheel` and `wheel_python` are in tests/conftest.py (tests/e2e uses them too).
"""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile

import pytest

from personalize_pulumi.iam import actions, policy
from scripts.cached_venv import clean_env, python_of, requirement_name
from tests.packaging import PROJECT, run

PACKAGE = "personalize_pulumi"
NOT_AT_RUN_TIME = ("moto", "werkzeug", "flask", "pytest", "hypothesis", "pulumi_aws", "harness", "tests")
NEEDS_THE_EXTRA = ("personalize_pulumi.emulator", "personalize_pulumi.testing")
"""Modules that need the `emulator` extra (moto) or pytest, which load them only when asked."""

USER_PROVIDERS = '''"""An infrastructure repo's own providers package: importing it outside its program fails, as it did for a user."""
import pulumi

REGION = pulumi.Config("aws").require("region")
'''
USER_COMPONENTS = '''"""An infrastructure repo's own components package."""
class Network:
    pass
'''
IMPORT_EVERYTHING = r"""
import importlib, importlib.util, json, pkgutil, sys
import personalize_pulumi
import personalize_pulumi.iam
from personalize_pulumi import SolutionVersion, SolutionVersionArgs, TrainedModel, TrainedModelArgs
from components import Network  # the repo's own, beside the package
errors = {}
for module in pkgutil.walk_packages(personalize_pulumi.__path__, "personalize_pulumi."):
    if module.name.startswith(NEEDS_THE_EXTRA):
        continue
    try:
        importlib.import_module(module.name)
    except Exception as error:
        errors[module.name] = f"{type(error).__name__}: {error}"
print(json.dumps({
    "file": personalize_pulumi.__file__,
    "version": personalize_pulumi.__version__,
    "errors": errors,
    "present": [name for name in NOT_AT_RUN_TIME if importlib.util.find_spec(name) is not None],
    "user_providers_imported": "providers" in sys.modules,
    "policy_actions": sorted(personalize_pulumi.iam.actions()),
}))
"""


def test_the_wheel_holds_one_import_package_typed_with_its_license(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    tops = {name.split("/")[0] for name in names}
    assert tops == {PACKAGE, f"{PACKAGE}-{PROJECT['version']}.dist-info"}
    assert f"{PACKAGE}/py.typed" in names
    assert f"{PACKAGE}/iam/policy.json" in names, "the IAM policy a deploy role needs ships with the code"
    assert any(name.endswith(".dist-info/licenses/LICENSE") for name in names)
    assert not [name for name in names if name.startswith((f"{PACKAGE}/tests", f"{PACKAGE}/harness"))]


def test_the_metadata_declares_runtime_dependencies_and_the_extra_and_the_plugin(wheel):
    archive = zipfile.ZipFile(wheel)
    info = f"{PACKAGE}-{PROJECT['version']}.dist-info"
    metadata = archive.read(f"{info}/METADATA").decode()
    requires = [line.split(":", 1)[1].strip() for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    always = {requirement_name(r) for r in requires if "extra ==" not in r}
    extra = {requirement_name(r) for r in requires if 'extra == "emulator"' in r}
    assert always == {"pulumi", "boto3", "regex"}, "nothing for tests, the emulator or type hints at run time"
    assert extra == {"moto"}
    assert "License-Expression: Apache-2.0" in metadata and "Requires-Python: >=3.10" in metadata
    entry_points = archive.read(f"{info}/entry_points.txt").decode()
    assert "[pytest11]" in entry_points and "personalize_pulumi = personalize_pulumi.testing" in entry_points


def test_the_installed_wheel_imports_beside_a_repos_own_packages_with_only_its_dependencies(wheel_python, tmp_path):
    repo = tmp_path / "infra"
    (repo / "providers").mkdir(parents=True)
    (repo / "providers" / "__init__.py").write_text(USER_PROVIDERS)
    (repo / "components").mkdir()
    (repo / "components" / "__init__.py").write_text(USER_COMPONENTS)
    script = f"NOT_AT_RUN_TIME = {NOT_AT_RUN_TIME!r}\nNEEDS_THE_EXTRA = {NEEDS_THE_EXTRA!r}\n{IMPORT_EVERYTHING}"

    report = json.loads(run(wheel_python, "-c", script, cwd=repo).stdout.strip().splitlines()[-1])

    assert "site-packages" in report["file"], "the installed wheel, not a source tree"
    assert report["version"] == PROJECT["version"]
    assert report["errors"] == {}
    assert report["present"] == [], "the run-time virtualenv holds more than the declared dependencies"
    assert report["user_providers_imported"] is False
    assert report["policy_actions"] == sorted(actions()), "the installed package reads its IAM policy"
    printed = run(wheel_python, "-m", "personalize_pulumi.iam", cwd=repo).stdout
    assert json.loads(printed) == policy(), "`python -m personalize_pulumi.iam` prints the policy"


def test_without_the_extra_the_emulator_says_what_to_install_in_one_line(wheel_python, tmp_path):
    done = subprocess.run(
        [str(wheel_python), "-m", "personalize_pulumi.emulator", "--port", "0"],
        cwd=tmp_path,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert (
        done.stderr.strip()
        == 'python -m personalize_pulumi.emulator needs the emulator extra: pip install "personalize-pulumi[emulator]"'
    )


@pytest.mark.parametrize("source", ["path", "git"])
def test_pip_installs_from_a_local_path_and_a_git_url(source, clean_clone, tmp_path):
    venv = tmp_path / "venv"
    run(sys.executable, "-m", "venv", venv)
    target = str(clean_clone) if source == "path" else f"git+file://{clean_clone}"
    run(python_of(venv), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", target)
    shown = run(python_of(venv), "-m", "pip", "show", "--files", "personalize-pulumi").stdout
    assert f"Version: {PROJECT['version']}" in shown
    files = [line.strip() for line in shown.split("Files:", 1)[1].splitlines() if line.strip()]
    assert "personalize_pulumi/provider/solution_version.py" in files
    assert not [f for f in files if f.startswith(("providers/", "components/", "emulator/", "harness/", "tests/"))]
