"""The moto floor in requirements-dev.txt is true: `scripts/check-moto-floor` installs exactly that moto in a cached
throwaway virtualenv, imports the emulator there and runs its smoke test."""

from __future__ import annotations

import importlib.machinery
import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "check-moto-floor"


def floor_script():
    loader = importlib.machinery.SourceFileLoader("check_moto_floor", str(SCRIPT))
    spec = importlib.util.spec_from_loader(loader.name, loader)
    module = importlib.util.module_from_spec(spec)
    loader.exec_module(module)
    return module


def test_floor_virtualenv_pins_moto_to_the_declared_floor():
    floor, requirements = floor_script().floor_requirements()

    assert requirements[0] == f"moto[server]=={floor}"
    assert f"moto[server]>={floor}" in (ROOT / "requirements-dev.txt").read_text()
    assert {r.split(">")[0].split("=")[0] for r in requirements[1:]} == {"boto3", "regex", "pytest", "pytest-timeout"}


@pytest.mark.timeout(900)  # the first run on a machine builds the virtualenv
def test_emulator_smoke_test_passes_at_the_declared_moto_floor():
    done = subprocess.run([sys.executable, str(SCRIPT)], cwd=ROOT, capture_output=True, text=True, timeout=880)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "passes with moto" in done.stdout
