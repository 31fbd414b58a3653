"""Asynchronous statuses as data, through moto's state manager: one model name per resource type.

Each resource's status follows a transition list (`CREATE PENDING -> CREATE IN_PROGRESS -> ACTIVE` and so on), and
how it moves along it is moto's per-model progression, set over moto's `/moto-api/state-manager/set-transition`
endpoint or with `set_timing` (`--training-seconds`, `--setup-seconds`, `POST /_emulator/timing`):

- `time` (the default): one step every `seconds`; a resource nobody reads still finishes on time.
- `manual`: one step after every `times` Describe calls of that resource (DescribeDatasetGroup, DescribeSolution,
  DescribeSolutionVersion); no time passes for it otherwise.
- `immediate`: the last status of the path at the first read.

Timestamps are timezone-aware UTC, so the epoch seconds on the wire do not depend on the machine's TZ.

Two clocks. `utcnow()` is the service's clock: the machine's plus the `clockOffsetSeconds` setting (`settings.py`);
every time the emulator reports (creationDateTime, lastUpdatedDateTime, the HTTP Date header) is read on it.
Statuses progress on `machine_now()`, the machine's clock, which the offset does not move: a training takes its
seconds whatever the offset, and changing the offset at run time makes no training jump ahead or stall. A status
change that time progression made is reported at the moment it happened, moved by the offset in force when the
emulator notices it (the next read of the status, `service_time`); only a change of the offset between the two can
make that lastUpdatedDateTime differ from what the clock said at the change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from moto.moto_api import state_manager
from moto.moto_api._internal.managed_state_model import ManagedState

from . import defaults
from .settings import settings

DATASET_GROUP_MODEL = "personalize::datasetgroup"
SOLUTION_MODEL = "personalize::solution"
SOLUTION_VERSION_MODEL = "personalize::solutionversion"
SETUP_MODELS = (DATASET_GROUP_MODEL, SOLUTION_MODEL)
"""The models `--setup-seconds` times: dataset groups and solutions, two steps each to ACTIVE."""

DEFAULT_TRAINING_SECONDS = defaults.TRAINING_SECONDS
DEFAULT_SETUP_SECONDS = defaults.SETUP_SECONDS

Transitions = list[tuple[str | None, str]]


def _system_clock() -> datetime:
    return datetime.now(timezone.utc)


_machine_clock: Callable[[], datetime] = _system_clock


def machine_now() -> datetime:
    """The machine's clock, timezone-aware UTC: what statuses progress on (the clock offset does not move it)."""
    return _machine_clock()


def run_on(clock: Callable[[], datetime] | None) -> None:
    """Make `clock` (timezone-aware UTC) the machine's clock of an emulator served in this process, e.g. the fake
    clock of in-process tests, which then drive trainings of hours in milliseconds; None: the system's again."""
    global _machine_clock
    _machine_clock = clock or _system_clock


def service_time(machine_moment: datetime) -> datetime:
    """A moment of the machine's clock as the service's clock reports it: moved by the clock offset in force."""
    return machine_moment + timedelta(seconds=settings.current.clock_offset_seconds)


def utcnow() -> datetime:
    """The service's clock, timezone-aware UTC: the machine's plus the `clockOffsetSeconds` setting. Every time the
    emulator reports is read on it."""
    return service_time(machine_now())


def epoch_seconds(moment: datetime) -> float:
    """Epoch seconds, as AWS JSON 1.1 sends timestamps."""
    return moment.timestamp()


def _time_progression(total_seconds: float) -> dict[str, Any]:
    # Every path the emulator models takes two steps to its end (PENDING -> IN_PROGRESS -> outcome), half each.
    return {"progression": "time", "seconds": total_seconds / 2}


def set_timing(training_seconds: float | None = None, setup_seconds: float | None = None) -> None:
    """Time progression for solution versions (CREATE PENDING, then CREATE IN_PROGRESS, `training_seconds / 2`
    each; stopping takes half) and for dataset groups and solutions (`setup_seconds` to ACTIVE).

    This becomes the models' registered default and replaces any progression set over moto's API, so moto's
    `unset-transition` comes back to it.
    """
    for models, seconds in ((SOLUTION_VERSION_MODEL,), training_seconds), (SETUP_MODELS, setup_seconds):
        if seconds is None:
            continue
        for model in models:
            state_manager.register_default_transition(model, _time_progression(seconds))
            state_manager.unset_transition(model)


def timing() -> dict[str, float]:
    """The current time progressions as `set_timing` takes them (0 for a model on `manual` or `immediate`)."""

    def total(model: str) -> float:
        config = state_manager.get_transition(model)
        return config.get("seconds", 0) * 2 if config["progression"] == "time" else 0

    return {"trainingSeconds": total(SOLUTION_VERSION_MODEL), "setupSeconds": total(SOLUTION_MODEL)}


for _model, _seconds in (
    (SOLUTION_VERSION_MODEL, DEFAULT_TRAINING_SECONDS),
    (DATASET_GROUP_MODEL, DEFAULT_SETUP_SECONDS),
    (SOLUTION_MODEL, DEFAULT_SETUP_SECONDS),
):
    state_manager.register_default_transition(_model, _time_progression(_seconds))


class TimedState(ManagedState):
    """moto's ManagedState with a UTC clock, the time of the last change, and time progression that catches up.

    moto advances at most one step per read, so a version nobody looked at for an hour would still need two more
    intervals to finish; the real service finishes in the background. `manual` and `immediate` are moto's own.
    Describe calls call `advance()`, as moto's backends do.

    Progression measures on the machine's clock (`machine_now`, `_time_progressed`); `changed_at`, the time of the
    last change as lastUpdatedDateTime reports it, is on the service's (`utcnow`), and `changed_on_machine` is that
    moment on the machine's clock (for durations, which a change of the offset must not distort).
    """

    def __init__(self, model_name: str, transitions: Transitions):
        super().__init__(model_name, transitions)
        self._time_progressed = machine_now()
        self._changed(self._time_progressed)

    @property
    def status(self) -> str:
        before = self._status
        config = state_manager.get_transition(self.model_name)
        progression = config["progression"]
        if progression == "time":
            step = timedelta(seconds=config["seconds"])
            now = machine_now()
            while self._next() != self._status and now >= self._time_progressed + step:
                self._status = self._next()
                self._time_progressed += step
            if self._status != before:
                self._changed(self._time_progressed)
            return self._current()
        if progression == "immediate":
            self._status = self._get_last_status(previous=self._status)
        elif progression == "manual" and self._tick >= config["times"]:
            self._status = self._next()
            self._tick = 0
        if self._status != before:
            self._restart_clock()
        return self._current()

    @status.setter
    def status(self, value: str) -> None:
        self._status = value
        self._tick = 0
        self._restart_clock()

    def _restart_clock(self) -> None:
        """A status change now: progression counts from here, and lastUpdatedDateTime reports now."""
        self._time_progressed = machine_now()
        self._changed(self._time_progressed)

    def _changed(self, machine_moment: datetime) -> None:
        """The last status change happened at `machine_moment` (the machine's clock)."""
        self.changed_on_machine = machine_moment
        self.changed_at = service_time(machine_moment)

    def _current(self) -> str:
        if self._status is None:  # moto allows a path that starts nowhere; every path here starts at a status
            raise ValueError(f"{self.model_name}: no status")
        return self._status

    def follow(self, transitions: Transitions, restart_clock: bool = True) -> None:
        """Continue along a new path from the current status: a stopped training, or one that is to fail."""
        self._transitions = transitions
        if restart_clock:
            self._tick = 0
            self._time_progressed = machine_now()

    def _next(self) -> str | None:
        return self._get_next_status(previous=self._status)
