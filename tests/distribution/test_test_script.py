"""scripts/test, the README's test command that CI runs, holds the in-process floor: tests/inprocess first, then 80 %
of the provider package from them alone, then everything else. Run a copy whose tools are stand-ins that log how
they were called."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_test_script_runs_the_in_process_tests_and_their_floor_before_the_rest(tmp_path):
    (tmp_path / "scripts").mkdir()
    shutil.copy(ROOT / "scripts" / "test", tmp_path / "scripts" / "test")
    log = tmp_path / "calls"
    for script in ("bootstrap", "pulumi-cli", "lint"):
        (tmp_path / "scripts" / script).write_text("#!/bin/sh\nexit 0\n")
    python = tmp_path / ".venv" / "bin" / "python"
    python.parent.mkdir(parents=True)
    python.write_text(f'#!/bin/sh\necho "$*" >> {log}\necho 90\n')
    for path in (*(tmp_path / "scripts").iterdir(), python):
        path.chmod(0o755)
    env = {key: value for key, value in os.environ.items() if key not in ("VENV", "PYTEST_WORKERS")}

    subprocess.run([str(tmp_path / "scripts" / "test")], check=True, env=env, capture_output=True)

    calls = log.read_text().splitlines()
    assert len(calls) == 3, calls
    assert calls[0].startswith("-m pytest") and " tests/inprocess " in f"{calls[0]} " and "--cov" in calls[0]
    assert calls[1].startswith("-m coverage report") and "*/personalize_pulumi/provider/*" in calls[1]
    assert "--fail-under=80" in calls[1]
    assert "--ignore=tests/inprocess" in calls[2] and "--cov-append" in calls[2]
