"""requirements.txt is what a Pulumi program that vendors providers/ and components/ needs, and all it needs.

The provider and the component are copied into an empty program directory, as the README's "Using it from an
infrastructure repo" says, and imported by a Python whose virtualenv holds only requirements.txt (built once per
machine and cached outside the tree, see scripts/cached_venv.py).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from scripts.cached_venv import cached_venv, clean_env, python_of, requirement_lines, requirement_name

ROOT = Path(__file__).resolve().parent.parent
VENDORED = ("providers", "components")
DEV_ONLY = ("moto", "pytest", "pytest-timeout", "hypothesis", "pyyaml")
NOT_IN_A_DEPLOYMENT = ("moto", "werkzeug", "flask", "pytest", "hypothesis", "emulator", "harness", "tests")

CHECK = r"""
import ast, importlib, importlib.util, json, pkgutil, sys
from pathlib import Path

report = {"import_errors": {}, "unresolved": {}, "present": []}
for package in PACKAGES:
    modules = [package] + [m.name for m in pkgutil.walk_packages(importlib.import_module(package).__path__, package + ".")]
    for name in modules:
        try:
            importlib.import_module(name)
        except Exception as error:
            report["import_errors"][name] = f"{type(error).__name__}: {error}"
    # Every absolute import anywhere in the sources, including those inside functions (imported only when called)
    # and under TYPE_CHECKING, must resolve.
    for path in sorted(Path(package).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top in sys.stdlib_module_names or top in PACKAGES:
                    continue
                if importlib.util.find_spec(top) is None:
                    report["unresolved"].setdefault(top, []).append(str(path))
report["present"] = [name for name in ABSENT if importlib.util.find_spec(name) is not None]
print(json.dumps(report))
"""


@pytest.fixture(scope="module")
def runtime_python() -> Path:
    """The Python of a virtualenv with only requirements.txt installed."""
    return python_of(cached_venv("runtime", requirement_lines(ROOT / "requirements.txt")))


def test_runtime_requirements_hold_no_emulator_or_test_packages():
    runtime = {requirement_name(line) for line in requirement_lines(ROOT / "requirements.txt")}

    assert runtime == {"pulumi", "pulumi-aws", "boto3", "regex"}
    assert not runtime & set(DEV_ONLY)


def test_dev_requirements_include_the_runtime_ones_and_the_rest():
    dev_file = (ROOT / "requirements-dev.txt").read_text().splitlines()
    dev = {requirement_name(line) for line in requirement_lines(ROOT / "requirements-dev.txt")}

    assert "-r requirements.txt" in dev_file
    assert set(DEV_ONLY) <= dev


@pytest.mark.timeout(900)  # the first run on a machine builds the virtualenv (pulumi-aws is large)
def test_vendored_provider_and_component_import_with_only_the_runtime_requirements(runtime_python, tmp_path):
    program = tmp_path / "program"
    for package in VENDORED:
        shutil.copytree(ROOT / package, program / package, ignore=shutil.ignore_patterns("__pycache__"))
    script = f"PACKAGES = {VENDORED!r}\nABSENT = {NOT_IN_A_DEPLOYMENT!r}\n{CHECK}"

    done = subprocess.run(
        [str(runtime_python), "-c", script], cwd=program, env=clean_env(), capture_output=True, text=True, timeout=300
    )

    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["import_errors"] == {}, "modules that fail to import with only requirements.txt installed"
    assert report["unresolved"] == {}, "imported packages that requirements.txt does not provide"
    assert report["present"] == [], "the runtime virtualenv is not runtime-only, so this test would prove nothing"


def test_public_names_resolve_with_only_the_runtime_requirements(runtime_python, tmp_path):
    program = tmp_path / "program"
    for package in VENDORED:
        shutil.copytree(ROOT / package, program / package, ignore=shutil.ignore_patterns("__pycache__"))
    code = (
        "from providers import SolutionVersion, SolutionVersionArgs\n"
        "from components import TrainedModel, TrainedModelArgs\n"
        "from providers.solution_version import SolutionVersionProvider\n"
        "print('ok')\n"
    )

    done = subprocess.run(
        [str(runtime_python), "-c", code], cwd=program, env=clean_env(), capture_output=True, text=True, timeout=300
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
