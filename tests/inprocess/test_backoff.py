"""The one place the provider waits (backoff.py), on a fake clock: budgets are kept to the second without waiting in
real time, and a cancel by the engine ends a wait."""

from __future__ import annotations

import time

import pytest

from personalize_pulumi.provider import backoff
from personalize_pulumi.provider.backoff import Backoff, Cancelled, Clock, OutOfTime, Polling, retry


class FakeClock:
    """Time that moves only when the code under test sleeps, or when a call takes `call_seconds`."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self.sleeps.append(seconds)
        self.now += seconds

    def clock(self) -> Clock:
        return Clock(monotonic=self.monotonic, sleep=self.sleep)


def failing_call(fake: FakeClock, seconds: float):
    def call() -> None:
        fake.now += seconds
        raise ConnectionError("dropped")

    return call


def test_pauses_grow_by_the_factor_up_to_the_cap():
    fake = FakeClock()
    budget = Backoff.within(1_000, Polling(initial=5, factor=1.5, cap=60), fake.clock())
    for _ in range(9):
        assert budget.pause()
    assert fake.sleeps == [5, 7.5, 11.25, 16.875, 25.3125, 37.96875, 56.953125, 60, 60]


@pytest.mark.parametrize("call_seconds", [0.0, 2.0, 29.0])
def test_retry_never_overruns_its_budget_and_keeps_the_last_try_in_reserve(call_seconds):
    fake = FakeClock()
    budget = Backoff.within(600, Polling(initial=5, factor=1.5, cap=60), fake.clock())
    with pytest.raises(OutOfTime) as out:
        retry(failing_call(fake, call_seconds), lambda error: isinstance(error, ConnectionError), budget)
    assert fake.now <= 600, f"the last try ended at {fake.now} s, after the 600 s budget"
    assert fake.now > 600 - 60 - 2 * call_seconds, "it gave up long before the budget ran out"
    assert out.value.failures == len(fake.sleeps) + 1 and isinstance(out.value.error, ConnectionError)


def test_an_error_that_is_not_retryable_is_raised_at_once():
    fake = FakeClock()
    budget = Backoff.within(600, Polling(), fake.clock())
    with pytest.raises(ValueError):
        retry(lambda: (_ for _ in ()).throw(ValueError("no")), lambda error: False, budget)
    assert fake.sleeps == []


def test_the_real_sleep_ends_with_cancelled_when_the_engine_cancels():
    cancellation = backoff.Cancellation()
    clock = backoff.Clock.watching(cancellation)
    clock.sleep(0.01)  # an ordinary pause
    cancellation.cancel()
    with pytest.raises(Cancelled):
        clock.sleep(3600)  # returns at once: no hour-long test
    budget = Backoff.within(600, Polling(), clock)
    with pytest.raises(Cancelled):
        budget.pause()


def test_one_providers_cancel_leaves_anothers_waits_alone():
    cancelled, other = backoff.Cancellation(), backoff.Cancellation()
    cancelled.cancel()
    backoff.Clock.watching(other).sleep(0.01)
    assert other.until_cancelled(lambda: "answered") == "answered"
    with pytest.raises(Cancelled):
        cancelled.until_cancelled(lambda: time.sleep(1), grace=0.05)
