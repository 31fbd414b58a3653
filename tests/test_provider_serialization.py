"""What a program stores in `__provider`: small, stable across processes and code edits, and free of credentials."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dill

from providers.solution_version import SolutionVersionProvider
from harness.dynamic_host import PROJECT_ROOT, serialized_provider

SERIALIZE = "from harness.dynamic_host import serialized_provider; print(serialized_provider())"
SECRET = "AKIAEXAMPLESECRETKEY1"


def serialize_in_subprocess(root: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [sys.executable, "-c", SERIALIZE],
        cwd=root, env={**os.environ, **(env or {}), "PYTHONPATH": str(root)},
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return result.stdout.strip()


def test_the_provider_is_pickled_by_reference_and_small():
    blob = serialized_provider()
    assert len(blob) < 200, f"{len(blob)} characters: the class was pickled by value"
    raw = base64.b64decode(blob)
    assert b"providers.solution_version" in raw and b"SolutionVersionProvider" in raw
    assert isinstance(dill.loads(raw), SolutionVersionProvider)


def test_identical_across_processes():
    assert serialize_in_subprocess(PROJECT_ROOT) == serialize_in_subprocess(PROJECT_ROOT) == serialized_provider()


def test_unaffected_by_edits_to_the_providers_code(tmp_path):
    copy = tmp_path / "checkout"
    shutil.copytree(PROJECT_ROOT / "providers", copy / "providers")
    shutil.copytree(PROJECT_ROOT / "harness", copy / "harness", ignore=shutil.ignore_patterns("__pycache__"))
    module = copy / "providers" / "solution_version.py"
    module.write_text(module.read_text() + "\n\ndef helper_added_later() -> int:\n    return 42\n")
    lifecycle = copy / "providers" / "lifecycle.py"
    lifecycle.write_text(lifecycle.read_text().replace("STOP_WAIT_SECONDS = 30 * 60", "STOP_WAIT_SECONDS = 45 * 60"))
    assert serialize_in_subprocess(copy) == serialized_provider()


def test_no_credentials_even_when_the_environment_and_stack_config_have_them():
    blob = serialize_in_subprocess(
        PROJECT_ROOT, {"AWS_ACCESS_KEY_ID": SECRET, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": SECRET}
    )
    assert SECRET.encode() not in base64.b64decode(blob)
    assert SolutionVersionProvider().__dict__ == {}, "nothing on the instance at all"
