"""What a program stores in `__provider`: the promised import path, small, stable across processes and code edits, and
free of credentials."""

from __future__ import annotations

import base64
import os
import shutil
import subprocess
import sys
from pathlib import Path

import dill
from pulumi.dynamic.dynamic import serialize_provider

from harness.dynamic_host import PROJECT_ROOT, serialized_provider
from personalize_pulumi.provider.diffs import pickled_class, provider_moved
from personalize_pulumi.provider.owner import TrainingOwnerProvider
from personalize_pulumi.provider.properties import STATE_PATH
from personalize_pulumi.provider.solution_version import SolutionVersionProvider

SERIALIZE = "from harness.dynamic_host import serialized_provider; print(serialized_provider())"
SECRET = "AKIAEXAMPLESECRETKEY1"
SOURCES = PROJECT_ROOT / "src"

# The paths every stack's state records. They are a promise to users (README: "The import path is a promise"):
# changing one breaks `refresh` and `destroy` of every existing stack. Do not edit these lines to make a test pass.
PROMISED_PATHS = {
    SolutionVersionProvider: "personalize_pulumi.provider.solution_version.SolutionVersionProvider",
    TrainingOwnerProvider: "personalize_pulumi.provider.owner.TrainingOwnerProvider",
}


def serialize_in_subprocess(sources: Path, env: dict[str, str] | None = None) -> str:
    paths = os.pathsep.join([str(sources), str(PROJECT_ROOT)])
    result = subprocess.run(
        [sys.executable, "-c", SERIALIZE],
        cwd=PROJECT_ROOT,
        env={**os.environ, **(env or {}), "PYTHONPATH": paths},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


def test_the_pickled_import_paths_are_the_promised_ones():
    for provider_class, path in PROMISED_PATHS.items():
        assert pickled_class(serialize_provider(provider_class())) == path
    assert STATE_PATH == PROMISED_PATHS[SolutionVersionProvider]


def test_the_provider_is_pickled_by_reference_and_small():
    blob = serialized_provider()
    assert len(blob) < 200, f"{len(blob)} characters: the class was pickled by value"
    assert isinstance(dill.loads(base64.b64decode(blob)), SolutionVersionProvider)


def test_a_vendored_layout_path_is_seen_as_moved_and_today_s_is_not():
    today = serialized_provider()
    vendored = base64.b64encode(
        base64.b64decode(today).replace(
            b"\x8c,personalize_pulumi.provider.solution_version", b"\x8c\x1aproviders.solution_version"
        )
    ).decode()
    assert pickled_class(vendored) == "providers.solution_version.SolutionVersionProvider"
    assert provider_moved({"__provider": vendored}, {"__provider": today})
    assert not provider_moved({"__provider": today}, {"__provider": today})
    assert not provider_moved({"__provider": "not base64!"}, {"__provider": today}), "unreadable: no claim"
    assert not provider_moved({}, {"__provider": today})


def test_identical_across_processes():
    assert serialize_in_subprocess(SOURCES) == serialize_in_subprocess(SOURCES) == serialized_provider()


def test_unaffected_by_edits_to_the_provider_code(tmp_path):
    copy = tmp_path / "src"
    shutil.copytree(
        SOURCES / "personalize_pulumi", copy / "personalize_pulumi", ignore=shutil.ignore_patterns("__pycache__")
    )
    module = copy / "personalize_pulumi" / "provider" / "solution_version.py"
    module.write_text(module.read_text() + "\n\ndef helper_added_later() -> int:\n    return 42\n")
    lifecycle = copy / "personalize_pulumi" / "provider" / "lifecycle.py"
    lifecycle.write_text(lifecycle.read_text().replace("STOP_WAIT_SECONDS = 30 * 60", "STOP_WAIT_SECONDS = 45 * 60"))
    assert serialize_in_subprocess(copy) == serialized_provider()


def test_no_credentials_even_when_the_environment_and_stack_config_have_them():
    blob = serialize_in_subprocess(
        SOURCES, {"AWS_ACCESS_KEY_ID": SECRET, "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_SESSION_TOKEN": SECRET}
    )
    assert SECRET.encode() not in base64.b64decode(blob)
    assert SolutionVersionProvider().__dict__ == {}, "nothing on the instance at all"
