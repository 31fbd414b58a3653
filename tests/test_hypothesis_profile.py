"""The suite's Hypothesis profile (tests/conftest.py) reaches every property test, including those with their own
`@settings`."""

from __future__ import annotations

from hypothesis import settings

from tests.host import test_check_diff as host_check_diff
from tests.inprocess import test_check_diff
from tests.provider import test_gate


def test_no_hypothesis_test_has_a_deadline():
    tests = [
        test
        for module in (test_check_diff, test_gate, host_check_diff)
        for test in vars(module).values()
        if callable(test) and hasattr(test, "hypothesis")
    ]
    assert len(tests) >= 8
    assert settings().deadline is None
    assert all(test._hypothesis_internal_use_settings.deadline is None for test in tests)
