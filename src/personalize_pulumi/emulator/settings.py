"""Switches for service behaviours no source confirms, and for conditions a provider must not depend on, so that
code can be tested both ways.

Set at start-up (`python -m personalize_pulumi.emulator --accept-duplicate-names --clock-offset-seconds -7200
--listing-lag-seconds 2`) or at run time (`POST /_emulator/settings`, `EmulatorControl.set_duplicate_names`,
`set_clock_offset`, `set_listing_lag`). `POST /_emulator/reset` puts them back to what the emulator was started with.

- `acceptDuplicateNames` (default false): CreateSolutionVersion accepts a name that a version of the same solution
  already has and trains a second version under it. Off, it answers ResourceAlreadyExistsException, as the emulator
  always did. No source says the service refuses a duplicate version name (see the project notes on Personalize);
  a provider must not depend on the refusal, and the tests can check that it does not.
- `clockOffsetSeconds` (a number of seconds, may be negative; default 0): the service's clock is the machine's plus
  this. Every time the emulator reports is on the service's clock: creationDateTime and lastUpdatedDateTime of dataset
  groups, solutions and solution versions, and the HTTP `Date` header of every answer. Trainings and the other
  status progressions still take their seconds on the machine's clock, whatever the offset and however it changes
  (see `timing.py`). A provider must not compare the service's times with its own clock.
- `listingLagSeconds` (a number of seconds >= 0; default 0): ListSolutionVersions leaves out every solution version
  created less than this many seconds ago, as an eventually consistent listing would. Everything that names a
  version by ARN sees it at once (DescribeSolutionVersion, StopSolutionVersionCreation, ListTagsForResource, ...),
  and DescribeSolution's `latestSolutionVersion` names the newest version at once. Pagination is unchanged: the
  hidden versions are simply not in the listing. A provider must not take a listing as complete.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

JSON_NAMES = {
    "acceptDuplicateNames": "accept_duplicate_names",
    "clockOffsetSeconds": "clock_offset_seconds",
    "listingLagSeconds": "listing_lag_seconds",
}
"""The settings' names on the wire (camelCase, as the control API's other fields) and in Python."""


@dataclass(frozen=True)
class Settings:
    """One set of settings (see the module docstring for each)."""

    accept_duplicate_names: bool = False
    clock_offset_seconds: float = 0.0
    listing_lag_seconds: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {wire: getattr(self, name) for wire, name in JSON_NAMES.items()}


def _boolean(wire: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"{wire!r} must be true or false; got {value!r}")
    return value


def _seconds(wire: str, value: Any) -> float:
    """Any finite number of seconds."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ValueError(f"{wire!r} must be a finite number of seconds; got {value!r}")
    return float(value)


def _seconds_at_least_zero(wire: str, value: Any) -> float:
    seconds = _seconds(wire, value)
    if seconds < 0:
        raise ValueError(f"{wire!r} must be a number of seconds >= 0; got {value!r}")
    return seconds


CHECKS: dict[str, Callable[[str, Any], Any]] = {
    "acceptDuplicateNames": _boolean,
    "clockOffsetSeconds": _seconds,
    "listingLagSeconds": _seconds_at_least_zero,
}
"""Per setting (wire name): its value as the store keeps it, or ValueError naming the setting."""


def checked(wire: str, value: Any) -> Any:
    """`value` of the setting `wire` as the store keeps it (seconds as a float); raises ValueError, one line naming
    the setting, for a value it cannot take."""
    return CHECKS[wire](wire, value)


class SettingsStore:
    """The settings in force and those the emulator started with (what a reset restores); thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._startup = Settings()
        self._current = self._startup

    @property
    def current(self) -> Settings:
        with self._lock:
            return self._current

    def start_with(self, settings: Settings) -> None:
        """The settings of the emulator's start-up (its command line): in force now and after every reset."""
        with self._lock:
            self._startup = self._current = settings

    def update(self, body: Any) -> Settings:
        """Apply `{"acceptDuplicateNames": bool, "clockOffsetSeconds": number, "listingLagSeconds": number >= 0}`
        (every field optional); raises ValueError naming a bad field, and then changes nothing."""
        if not isinstance(body, dict):
            raise ValueError(f"settings must be a JSON object; got {body!r}")
        unknown = sorted(set(body) - set(JSON_NAMES))
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(map(repr, unknown))}; known: {', '.join(JSON_NAMES)}")
        changes = {JSON_NAMES[wire]: checked(wire, value) for wire, value in body.items()}
        with self._lock:
            self._current = replace(self._current, **changes)
            return self._current

    def reset(self) -> None:
        with self._lock:
            self._current = self._startup


settings = SettingsStore()
"""The emulator process's settings."""
