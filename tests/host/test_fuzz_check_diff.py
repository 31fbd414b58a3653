"""The check/diff oracle fuzz (tests/host/fuzz_oracle.py) in the suite, at a size that fits the test loop: 1,000
generated inputs with a fixed seed through the real host; any count other than 0 fails (its exit 1).
benchmarks/fuzz_check_diff.py runs the same oracle at 10,000."""

from __future__ import annotations

import subprocess
import sys

from harness.project import ROOT


def test_a_thousand_generated_inputs_give_no_wrong_check_or_diff():
    done = subprocess.run(
        [sys.executable, "-m", "tests.host.fuzz_oracle", "--count", "1000", "--seed", "7"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0 and "OK: all zero" in done.stdout, done.stdout + done.stderr
