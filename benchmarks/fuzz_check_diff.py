"""Benchmark: the check/diff oracle (tests/host/fuzz_oracle.py) at a large count, e.g. the 10,000 inputs of RESULTS.md.

    .venv/bin/python -m benchmarks.fuzz_check_diff --count 10000 --seed 7

The suite runs the same oracle at 1,000 inputs (tests/host/test_fuzz_check_diff.py); exits 1 unless every count is 0.
"""

from __future__ import annotations

import sys

from tests.host.fuzz_oracle import main

if __name__ == "__main__":
    sys.exit(main())
