"""The one place the provider waits: delays that grow to a cap, against a deadline.

Every loop that sleeps goes through `Backoff`: polling a status, riding out transient errors between polls, waiting for
a free training slot. A pause keeps the duration of the last try in reserve before the deadline, so a loop never starts
a try it cannot finish within its budget: it stops in time instead of overrunning it.

Sleep and clock are injectable so that code using them can be driven without real time.

A provider's clock (`Clock.watching` its session's `Cancellation`, which the front door sets when the engine sends
Cancel on the first Ctrl-C) ends every sleep early: every wait then raises `Cancelled`, and the caller says what
becomes of the version.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar, cast

POLL_INITIAL_ENV = "PERSONALIZE_POLL_INITIAL_SECONDS"
POLL_MAX_ENV = "PERSONALIZE_POLL_MAX_SECONDS"
PROGRESS_ENV = "PERSONALIZE_PROGRESS_SECONDS"


def polling_env(initial: float, cap: float) -> dict[str, str]:
    """The environment of a provider host that polls every `initial` seconds, growing to `cap` (for the emulator)."""
    return {POLL_INITIAL_ENV: f"{initial:g}", POLL_MAX_ENV: f"{cap:g}"}


GRACE_POLLS = 3
"""Calls outside a create's wait (refresh, update, delete, reading tags and metrics once a version is ACTIVE) ride out
transient errors for this many polls at the cap (3 minutes by default)."""

T = TypeVar("T")


@dataclass(frozen=True)
class Polling:
    """Delay before the first re-check, growth factor, cap, and how often an unchanged status is reported again."""

    initial: float = 5.0
    factor: float = 1.5
    cap: float = 60.0
    progress_every: float = 300.0

    @classmethod
    def from_env(cls) -> Polling:
        """Defaults suit real trainings (minutes to hours); the environment can shorten them for the emulator."""
        initial = float(os.environ.get(POLL_INITIAL_ENV, cls.initial))
        cap = float(os.environ.get(POLL_MAX_ENV, cls.cap))
        return cls(
            initial=min(initial, cap),
            cap=cap,
            progress_every=float(os.environ.get(PROGRESS_ENV, cls.progress_every)),
        )

    @property
    def grace(self) -> float:
        """Seconds a call outside a create's wait budget keeps retrying transient errors."""
        return GRACE_POLLS * self.cap


CANCEL_GRACE_SECONDS = 3.0
"""How long a cancelled call may take to end by itself (a wait ends at once; a request may be in flight) before it is
answered without it: the CLI, and CI's SIGTERM a few seconds after the SIGINT, must not wait for a hung endpoint."""


class Cancelled(Exception):
    """The engine cancelled the operation (the first Ctrl-C) while the provider was waiting."""


class Cancellation:
    """The engine's Cancel, for one provider (see session.py): once `cancel()` is called, every `sleep` raises
    `Cancelled`, every `until_cancelled` call wakes up, and the clients built for it send nothing more. Never cleared:
    the engine sends Cancel once, and the operation ends after it."""

    def __init__(self) -> None:
        self._cancelled = threading.Event()
        self._waiting: set[threading.Event] = set()
        self._lock = threading.Lock()

    def cancel(self) -> None:
        """What the engine's Cancel does: every wait ends (`Cancelled`) and every `until_cancelled` call wakes up."""
        self._cancelled.set()
        with self._lock:
            for woken in self._waiting:
                woken.set()

    def is_set(self) -> bool:
        return self._cancelled.is_set()

    def check(self) -> None:
        """Raise Cancelled if the engine has cancelled."""
        if self._cancelled.is_set():
            raise Cancelled()

    def sleep(self, seconds: float) -> None:
        """`time.sleep(seconds)`, raising Cancelled as soon as (or if already) the engine cancels."""
        if self._cancelled.wait(seconds):
            raise Cancelled()

    def until_cancelled(self, operation: Callable[[], T], grace: float = CANCEL_GRACE_SECONDS) -> T:
        """`operation()`, run on a thread of its own, except that once the engine cancels it gets `grace` seconds to
        end (its waits end at once; a request to a hung endpoint would not), after which `Cancelled` is raised here
        and the operation is left to end by itself (it sends no further requests: see clients.py)."""
        finished, woken = threading.Event(), threading.Event()
        outcome: list[tuple[bool, Any]] = []

        def run() -> None:
            try:
                outcome.append((True, operation()))
            except BaseException as error:  # handed to the caller's thread, whatever it is
                outcome.append((False, error))
            finally:
                finished.set()
                woken.set()

        with self._lock:
            self._waiting.add(woken)
        try:
            if self._cancelled.is_set():
                woken.set()
            threading.Thread(target=run, name="provider-call", daemon=True).start()
            woken.wait()
            if not finished.wait(grace):
                raise Cancelled()
        finally:
            with self._lock:
                self._waiting.discard(woken)
        succeeded, value = outcome[0]
        if succeeded:
            return cast(T, value)
        raise value


@dataclass(frozen=True)
class Clock:
    """Time as the waiting code sees it: a provider's sleeps end when the engine cancels (`Session.clock`)."""

    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep

    @classmethod
    def watching(cls, cancellation: Cancellation) -> Clock:
        """Real time, with sleeps that end (`Cancelled`) when `cancellation` is set."""
        return cls(time.monotonic, cancellation.sleep)


REAL_TIME = Clock()
"""`time.monotonic` and `time.sleep`, for waits no Cancel ends (a provider's calls use its session's clock)."""


class OutOfTime(Exception):
    """The budget ran out while a call kept failing with retryable errors; `error` is the last of them."""

    def __init__(self, error: Exception, failures: int):
        super().__init__(str(error))
        self.error = error
        self.failures = failures


class Backoff:
    """Growing delays (`polling.initial` times `polling.factor` per pause, up to `polling.cap`) until `deadline`."""

    def __init__(self, polling: Polling, clock: Clock, deadline: float):
        self.polling = polling
        self.clock = clock
        self.deadline = deadline
        self.last_try = 0.0
        """How long the last try took; each pause keeps that much time in reserve before the deadline."""
        self._delay = polling.initial

    @classmethod
    def within(cls, seconds: float, polling: Polling, clock: Clock) -> Backoff:
        """A backoff whose deadline is `seconds` from now."""
        return cls(polling, clock, clock.monotonic() + seconds)

    def remaining(self) -> float:
        """Seconds left before the deadline (negative once it has passed)."""
        return self.deadline - self.clock.monotonic()

    def pause(self) -> bool:
        """Sleep the next delay, cut short so that another try of the last one's length still ends by the deadline.
        False, without sleeping, when no such try fits any more."""
        room = self.remaining() - self.last_try
        if room <= 0:
            return False
        self.clock.sleep(min(self._delay, room))
        self._delay = min(self._delay * self.polling.factor, self.polling.cap)
        return True

    def timed(self, call: Callable[[], T]) -> T:
        """`call()`, remembering how long it took (even when it raises)."""
        started = self.clock.monotonic()
        try:
            return call()
        finally:
            self.last_try = self.clock.monotonic() - started


def retry(
    call: Callable[[], T],
    retryable: Callable[[Exception], bool],
    backoff: Backoff,
    on_retry: Callable[[Exception], None] | None = None,
) -> T:
    """`call()` until it returns, or raises an error that is not `retryable`, pausing with `backoff` in between.

    Raises OutOfTime (carrying the last error) when the next try would not fit before the deadline.
    """
    failures = 0
    while True:
        try:
            return backoff.timed(call)
        except Exception as error:
            if not retryable(error):
                raise
            failures += 1
            if on_retry is not None:
                on_retry(error)
            if not backoff.pause():
                raise OutOfTime(error, failures) from error
