"""The lifecycle's in-process tests, on their own, cover at least 80 % of the provider package (scripts/test-inprocess
holds the floor): a failure there is reproduced in seconds with no engine, host or emulator process."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_in_process_tests_alone_cover_80_percent_of_the_provider_package():
    env = {key: value for key, value in os.environ.items() if not key.startswith(("COV_CORE", "COVERAGE"))}
    done = subprocess.run(
        [str(ROOT / "scripts" / "test-inprocess")],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "Required test coverage of 80.0% reached" in done.stdout
