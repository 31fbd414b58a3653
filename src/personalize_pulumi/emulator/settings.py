"""Switches for service behaviours no source confirms, so that code can be tested both ways.

Set at start-up (`python -m personalize_pulumi.emulator --accept-duplicate-names`) or at run time
(`POST /_emulator/settings`, `EmulatorControl.set_duplicate_names`). `POST /_emulator/reset` puts them back to what
the emulator was started with.

- `acceptDuplicateNames` (default false): CreateSolutionVersion accepts a name that a version of the same solution
  already has and trains a second version under it. Off, it answers ResourceAlreadyExistsException, as the emulator
  always did. No source says the service refuses a duplicate version name (see the project notes on Personalize);
  a provider must not depend on the refusal, and the tests can check that it does not.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from typing import Any

JSON_NAMES = {"acceptDuplicateNames": "accept_duplicate_names"}
"""The settings' names on the wire (camelCase, as the control API's other fields) and in Python."""


@dataclass(frozen=True)
class Settings:
    accept_duplicate_names: bool = False

    def to_json(self) -> dict[str, Any]:
        return {wire: getattr(self, name) for wire, name in JSON_NAMES.items()}


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
        """Apply `{"acceptDuplicateNames": bool}` (every field optional); raises ValueError naming a bad field, and
        then changes nothing."""
        if not isinstance(body, dict):
            raise ValueError(f"settings must be a JSON object; got {body!r}")
        unknown = sorted(set(body) - set(JSON_NAMES))
        if unknown:
            raise ValueError(f"unknown setting(s) {', '.join(map(repr, unknown))}; known: {', '.join(JSON_NAMES)}")
        for wire, value in body.items():
            if not isinstance(value, bool):
                raise ValueError(f"{wire!r} must be true or false; got {value!r}")
        with self._lock:
            self._current = replace(self._current, **{JSON_NAMES[wire]: value for wire, value in body.items()})
            return self._current

    def reset(self) -> None:
        with self._lock:
            self._current = self._startup


settings = SettingsStore()
"""The emulator process's settings."""
