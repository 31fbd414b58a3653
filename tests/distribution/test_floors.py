"""The declared floors are true: `scripts/check-floors` installs pulumi, boto3, regex and moto at exactly their floors
in a cached throwaway virtualenv, imports the package there and runs tests through the real provider host."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "check-floors"


def floor_script():
    loader = importlib.machinery.SourceFileLoader("check_floors", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_the_floor_virtualenv_pins_every_declared_floor():
    floors, requirements = floor_script().floor_requirements()
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]

    assert floors == {"pulumi": "3.216", "boto3": "1.34.88", "regex": "2024.4.16", "moto": "5.1.0"}
    for line in [*project["dependencies"], *project["optional-dependencies"]["emulator"]]:
        name = line.split(">=")[0]
        assert f"{name}=={line.split('>=')[1].split(',')[0]}" in requirements
    also = {r.split(">")[0].split("=")[0] for r in requirements[len(floors) :]}
    assert also == {"pytest", "pytest-timeout", "pytest-xdist", "pyyaml"}


@pytest.mark.timeout(900)  # the first run on a machine builds the virtualenv
def test_the_package_passes_its_host_tests_at_the_declared_floors():
    done = subprocess.run([sys.executable, str(SCRIPT)], cwd=ROOT, capture_output=True, text=True, timeout=880)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "pass at the declared floors (pulumi 3.216, boto3 1.34.88, regex 2024.4.16, moto 5.1.0)" in done.stdout
    assert "tests/host/test_adjustments.py" in done.stdout, "the host's adjustments are among what ran at the floor"
