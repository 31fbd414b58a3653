"""Waiting for a Personalize status, in terraform-provider-aws's shape: explicit pending and target sets, polling that
backs off to a cap, a deadline, and the last describe output returned so callers can reuse it.

Only the resource lifecycle is waited on here; throttling and transient errors are botocore's retry mode's job.
Sleep and clock are injectable so tests never wait for real time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

POLL_INITIAL_ENV = "PERSONALIZE_POLL_INITIAL_SECONDS"
POLL_MAX_ENV = "PERSONALIZE_POLL_MAX_SECONDS"
PROGRESS_ENV = "PERSONALIZE_PROGRESS_SECONDS"


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


@dataclass(frozen=True)
class Clock:
    """Time as the waiters see it."""

    monotonic: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep


class UnexpectedStatus(Exception):
    """The resource reached a status outside both the pending and the target sets."""

    def __init__(self, status: str, described: dict[str, Any]):
        super().__init__(status)
        self.status = status
        self.described = described


class DeadlineExceeded(Exception):
    """Still pending when the wait budget ran out."""

    def __init__(self, status: str, described: dict[str, Any]):
        super().__init__(status)
        self.status = status
        self.described = described


@dataclass
class Progress:
    """Sparse progress lines on stdout (the engine shows them as info lines): each status change, and a reminder every
    `every` seconds while nothing changes. Each line names the resource, since the host cannot attribute output."""

    label: str
    clock: Clock = field(default_factory=Clock)
    every: float = 300.0
    emit: Callable[[str], None] = field(default=lambda line: print(line, flush=True))
    _started: float | None = None
    _last_status: str | None = None
    _last_line: float = 0.0

    def report(self, status: str) -> None:
        now = self.clock.monotonic()
        if self._started is None:
            self._started = now
        if status != self._last_status or now - self._last_line >= self.every:
            self.emit(f"{self.label}: {status} ({_minutes(now - self._started)} elapsed)")
            self._last_status, self._last_line = status, now

    def say(self, message: str) -> None:
        self.emit(f"{self.label}: {message}")


def wait_for_status(
    describe: Callable[[], tuple[str, dict[str, Any]]],
    pending: Iterable[str],
    target: Iterable[str],
    deadline: float,
    polling: Polling,
    clock: Clock,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Poll `describe()` (returns status and the described object) until the status is in `target`; returns the
    last described object. Raises UnexpectedStatus for any status outside both sets and DeadlineExceeded once
    `clock.monotonic()` passes `deadline`."""
    pending, target = set(pending), set(target)
    delay = polling.initial
    while True:
        status, described = describe()
        if progress is not None:
            progress.report(status)
        if status in target:
            return described
        if status not in pending:
            raise UnexpectedStatus(status, described)
        remaining = deadline - clock.monotonic()
        if remaining <= 0:
            raise DeadlineExceeded(status, described)
        clock.sleep(min(delay, remaining))
        delay = min(delay * polling.factor, polling.cap)


def _minutes(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f}s"
    hours, minutes = divmod(int(seconds // 60), 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"
