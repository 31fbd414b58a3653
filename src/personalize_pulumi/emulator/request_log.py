"""A log of every Personalize call the emulator received, so tests and benchmarks can count API calls."""

from __future__ import annotations

import threading
import time
from typing import Any


class RequestLog:
    """Thread-safe, append-only list of `{"operation", "params", "time", "status"}` entries."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entries: list[dict[str, Any]] = []

    def record(self, operation: str, params: dict[str, Any]) -> dict[str, Any]:
        """Append a call as it arrives; the caller fills in `status` once it is answered."""
        entry = {"operation": operation, "params": params, "time": time.time(), "status": None}
        with self._lock:
            self._entries.append(entry)
        return entry

    def entries(self, operation: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e) for e in self._entries if operation in (None, e["operation"])]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


request_log = RequestLog()
"""The emulator process's request log."""
