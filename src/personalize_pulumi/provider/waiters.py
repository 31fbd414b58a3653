"""Waiting for a Personalize status, in terraform-provider-aws's shape: explicit pending and target sets, polling that
backs off to a cap, a deadline, and the last describe output returned so callers can reuse it.

Polls and the transient errors between them (dropped connections, HTTP 5xx, throttling, once botocore's own retries of
one call are spent) share one `Backoff`: an outage is ridden out for the whole budget, and the waiter gives up only
when the budget has run out, saying whether it was still pending or could not get an answer.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from . import messages
from .backoff import Backoff, Clock, OutOfTime, retry
from .classify import is_transient
from .errors import cause
from .finders import NOT_FOUND, StatusFunc, solution_status, version_status
from .properties import ACTIVE, IN_PROGRESS, PENDING, STOPPED, STOPPING, TRAINING
from .reporter import Reporter


class UnexpectedStatus(Exception):
    """The resource reached a status outside both the pending and the target sets."""

    def __init__(self, status: str, described: dict[str, Any]):
        super().__init__(status)
        self.status = status
        self.described = described


class DeadlineExceeded(Exception):
    """The budget ran out: still pending (`status`), or with no answer at all because of `error` (the last transient
    error of an outage that lasted `failures` calls)."""

    def __init__(
        self, status: str | None, described: dict[str, Any], error: Exception | None = None, failures: int = 0
    ):
        super().__init__(status or (cause(error) if error else "deadline exceeded"))
        self.status = status
        self.described = described
        self.error = error
        self.failures = failures


@dataclass
class Progress:
    """What a wait says while it polls, through `reporter`: the status after every poll (on the resource's row), a
    transient error and its end, and the final status. It decides which statuses are notable (a change, a reminder
    every `every` seconds while nothing changes, the start of an outage and a reminder while it lasts): only those are
    printed where there is no engine link (see messages.py)."""

    reporter: Reporter
    clock: Clock = field(default_factory=Clock)
    every: float = 300.0
    _started: float | None = None
    _last_status: str | None = None
    _last_line: float = 0.0
    _trouble_since: float | None = None
    _last_trouble_line: float = 0.0

    def __post_init__(self) -> None:
        self._started = self.clock.monotonic()

    def _elapsed(self, now: float) -> float:
        return now - (self._started if self._started is not None else now)

    def report(self, status: str, subject: str = "", kind: str = messages.VERSION) -> None:
        """A status seen by a poll of `subject` (an ARN), a `kind` of resource (a version or the solution)."""
        now = self.clock.monotonic()
        elapsed = self._elapsed(now)
        notable = status != self._last_status or now - self._last_line >= self.every
        if notable:
            self._last_status, self._last_line = status, now
        line = messages.polled_line(subject, status, elapsed) if notable else None
        self.reporter.status(messages.polled(kind, status, elapsed), line)

    def trouble(self, error: Exception, doing: str) -> None:
        """A transient error while `doing` something; notable when an outage starts, then every `every` seconds."""
        now = self.clock.monotonic()
        notable = True
        if self._trouble_since is None:
            self._trouble_since = now
        elif now - self._last_trouble_line < self.every:
            notable = False
        if notable:
            self._last_trouble_line = now
        text = messages.trouble(doing, cause(error))
        self.reporter.status(text, text if notable else None)

    def recovered(self, failures: int, doing: str) -> None:
        """The call that kept failing answered again."""
        if self._trouble_since is not None:
            text = messages.recovered(doing, failures, self.clock.monotonic() - self._trouble_since)
            self.reporter.status(text, text)
        self._trouble_since = None

    def say(self, message: str) -> None:
        """One line about this resource, kept under it."""
        self.reporter.info(message)

    def finish(self, status: str) -> None:
        """The last status of the operation (`ACTIVE after 2h03m`), so the row does not keep a stale one."""
        self.reporter.status(messages.final(status, self._elapsed(self.clock.monotonic())))


def wait_for_status(
    refresh: StatusFunc,
    pending: Iterable[str],
    target: Iterable[str],
    backoff: Backoff,
    progress: Progress | None = None,
    subject: str = "",
    kind: str = messages.VERSION,
) -> dict[str, Any]:
    """Poll `refresh()` until the status is in `target`; returns the last described object.

    Transient errors are retried with `backoff` between polls. Raises UnexpectedStatus for any status outside both
    sets, and DeadlineExceeded when no further poll fits before the backoff's deadline.
    """
    pending, target = set(pending), set(target)
    doing = f"checking the status of {subject}" if subject else "checking the status"
    status: str | None = None
    described: dict[str, Any] = {}
    polls = 0
    while True:
        failures = 0

        def failed(error: Exception) -> None:
            nonlocal failures
            failures += 1
            if progress is not None:
                progress.trouble(error, doing)

        try:
            status, described = retry(refresh, is_transient, backoff, failed)
        except OutOfTime as out:
            raise DeadlineExceeded(status, described, out.error, out.failures) from None
        polls += 1
        if progress is not None:
            if failures:
                progress.recovered(failures, doing)
            if polls > 1 or status not in target:  # no line for something that was ready all along
                progress.report(status, subject, kind)
        if status in target:
            return described
        if status not in pending:
            raise UnexpectedStatus(status, described)
        if not backoff.pause():
            raise DeadlineExceeded(status, described)


# Named waiters


def wait_solution_active(client: Any, arn: str, backoff: Backoff, progress: Progress | None = None) -> dict[str, Any]:
    """Until the solution (created a moment ago, perhaps) is ACTIVE."""
    return wait_for_status(
        solution_status(client, arn), (PENDING, IN_PROGRESS), (ACTIVE,), backoff, progress, arn, messages.SOLUTION
    )


def wait_version_trained(client: Any, arn: str, backoff: Backoff, progress: Progress | None = None) -> dict[str, Any]:
    """Until the version's training ends ACTIVE."""
    return wait_for_status(version_status(client, arn), TRAINING, (ACTIVE,), backoff, progress, subject=arn)


def wait_version_stopped(client: Any, arn: str, backoff: Backoff, progress: Progress | None = None) -> dict[str, Any]:
    """Until a version being stopped is CREATE STOPPED (or gone with its solution)."""
    return wait_for_status(
        version_status(client, arn), (*TRAINING, STOPPING), (STOPPED, NOT_FOUND), backoff, progress, subject=arn
    )
