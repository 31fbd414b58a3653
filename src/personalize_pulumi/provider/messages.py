"""Every line users read that is not a failure (errors.py has those, checks.py the check failures, diffs.py the
reviewer's lines): what a create, update or delete says while it works, and the fallback lines the provider prints
when something it relies on is missing (no engine link, a host it cannot adjust). reporter.py sends them.
"""

from __future__ import annotations

from typing import Any

from .properties import TYPE_TOKEN


def duration(seconds: float) -> str:
    """`45s`, `12m`, `2h03m`."""
    if seconds < 60:
        return f"{seconds:.0f}s"
    hours, minutes = divmod(int(seconds // 60), 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m"


# Progress while waiting (waiters.Progress decides when).

SOLUTION = "solution"
VERSION = "version"


def polled(kind: str, status: str, elapsed: float) -> str:
    """The row's status after a poll: `CREATE IN_PROGRESS, 1h12m elapsed`, or what a create waits for first."""
    if kind == SOLUTION:
        return f"waiting for the solution to be ACTIVE ({status}, {duration(elapsed)} elapsed)"
    return f"{status}, {duration(elapsed)} elapsed"


def polled_line(subject: str, status: str, elapsed: float) -> str:
    """The same, as a line of its own (no engine link): it names what was polled."""
    what = f"{subject} is {status}" if subject else status
    return f"{what} ({duration(elapsed)} elapsed)"


def final(status: str, elapsed: float) -> str:
    """The row's last status: `ACTIVE after 2h03m`."""
    return f"{status} after {duration(elapsed)}"


def trouble(doing: str, cause_text: str) -> str:
    """A transient error while `doing` something."""
    return f"{doing}: {cause_text}; retrying with backoff until the wait budget runs out"


def recovered(doing: str, failures: int, took: float) -> str:
    """The call that kept failing answered again."""
    return f"{doing}: answered again after {failures} failed calls ({duration(took)})"


# What a create does (lifecycle decides).


PENDING_CREATE_HINT = (
    "if `pulumi up` warned of a pending create of this resource (a hard-killed run leaves one), clear it once this "
    "`up` has ended: `pulumi refresh --clear-pending-creates --yes`"
)
"""Said where a version an earlier run started is adopted: the provider cannot clear the engine's pending create."""


def training_started(arn: str, attempt: str, minutes: str, adopted: bool = False) -> str:
    """The one line that tells users which version trains and how to stop waiting without losing it."""
    how = "adopted" if adopted else "started"
    origin = " (started by an earlier or concurrent run; no second training is started)" if adopted else ""
    pending = f"; {PENDING_CREATE_HINT}" if adopted else ""
    return (
        f"{how} training {arn}{attempt}{origin}; pulumi up waits until it is ACTIVE (up to "
        f"waitTimeoutMinutes={minutes}). To stop waiting without losing it, press Ctrl-C once; `pulumi up` resumes "
        f"(it adopts this version); `pulumi destroy` stops it; to abandon it: aws personalize "
        f"stop-solution-version-creation --solution-version-arn {arn}{pending}"
    )


def lost_answer_found(arn: str) -> str:
    return (
        f"CreateSolutionVersion's answer was lost, but it started {arn} (found by this stack's marker); no second "
        "training is started"
    )


def adopted_active(arn: str, attempt: str) -> str:
    return (
        f"adopted {arn}{attempt}, already ACTIVE (an earlier run trained it); nothing to train; {PENDING_CREATE_HINT}"
    )


def attempt_label(number: int, name: str) -> str:
    return f" (attempt {number}, version name {name})" if number > 1 else ""


def next_attempt(arn: str, name: str, status: str, reason: str | None, number: int, next_name: str) -> str:
    because = f": {reason}" if reason else ""
    return f"{arn} ({name}) ended {status}{because}; training attempt {number} as {next_name}"


def adopting_existing(arn: str, training_type: str, status: str, minutes: str) -> str:
    kind = f"trainingType {training_type}"
    if status == "ACTIVE":
        return f"adopting {arn} ({kind}), already ACTIVE; nothing to train"
    return (
        f"adopting {arn} ({kind}), still {status}; pulumi up waits until it is ACTIVE (up to "
        f"waitTimeoutMinutes={minutes}) and never stops it"
    )


def not_read(arn: str, what: str, problem: str) -> str:
    return (
        f"{arn} is ACTIVE and recorded in the stack, but its {what} could not be read ({problem}); "
        "`pulumi refresh` reads them again"
    )


# What a delete does: lines that name the resource (`who`), since they may be all a `--diff` display says of it.


def stops(who: str, arn: str, status: str) -> str:
    return f"{who}: stops the training {arn} (it was {status}); billing stops, Personalize keeps it as CREATE STOPPED"


def forgets(who: str, arn: str, status: str) -> str:
    return (
        f"{who}: forgets {arn} ({status}): it stays in Personalize, which has no API to delete a solution version "
        "(it goes away when its solution is deleted)"
    )


def stopped_unrecorded(name: Any, arns: list[str]) -> str:
    """The line of a destroyed `<name>-owner` that stopped trainings an interrupted `pulumi up` left unrecorded."""
    which = ", ".join(arns)
    return (
        f"personalize solution version {name}: stopped the training {which}, which an interrupted `pulumi up` of this "
        "stack started and never recorded (billing stops; Personalize keeps the version as CREATE STOPPED)"
    )


# What check sees that is not a failure.


def region_mismatch(who: str, solution_region: str, stack_region: str) -> str:
    return (
        f"{who}: trains in {solution_region}, where its solution is, not in the stack's aws:region {stack_region} "
        "(a solution version always trains in its solution's region; set the region input to say so and silence this)"
    )


def no_engine_link(problem: str) -> str:
    """The one line said (once per link) before lines go to stdout instead of the resource's row."""
    return f"{TYPE_TOKEN}: progress is printed under the stack, not on each resource's row ({problem})"


def pool_not_widened(workers: int, reason: str) -> str:
    """The dynamic host's worker pool could not be widened (host.py): how many trainings run at once instead."""
    return (
        f"{TYPE_TOKEN}: trainings run {workers} at a time (could not widen the provider host's worker pool: {reason})"
    )


def handlers_not_adjusted(reason: str) -> str:
    """The dynamic host's handlers could not be wrapped (host.py): what the user sees instead."""
    return (
        f"{TYPE_TOKEN}: errors are shown with Python tracebacks and Ctrl-C waits for running trainings (could not "
        f"adjust the provider host's handlers: {reason})"
    )
