"""What one provider serves its calls with: the engine's Cancel, the clock its waits use, its clients, the polling of
its waits, and what it has said once per resource.

Each front door makes one and passes it to every call (calls.py): the plugin one per process (plugin/server.py, which
serves one operation of one stack), the dynamic host one per host process (host.py), a test one per test. Nothing of
it is module state, so nothing carries from one provider to the next.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

from .backoff import REAL_TIME, Cancellation, Clock, Polling
from .clients import ClientCache
from .engine_log import EngineLink, default_link
from .reporter import Reporter


class CallMemory:
    """Per resource (URN), what the provider said once and whether its last call was a Read."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._said: set[tuple[str, str]] = set()
        self._read: set[str] = set()

    def first_time(self, urn: str | None, what: str) -> bool:
        """Whether `what` was not said yet for `urn` (always, for a call with no URN); records it. `what`: "reviewed",
        the reviewer's line (a replace's second Check must not add a create's line after the Diff's), or "region", the
        region warning."""
        if urn is None:
            return True
        with self._lock:
            if (urn, what) in self._said:
                return False
            self._said.add((urn, what))
            return True

    def after_read(self, urn: str | None, read: bool | None = None) -> bool:
        """Whether the last call for `urn` was a Read (the Diff that follows is a refresh's); `read` records this call
        (True: a Read, False: anything else, None: nothing)."""
        if urn is None:
            return False
        with self._lock:
            was = urn in self._read
            if read:
                self._read.add(urn)
            elif read is False:
                self._read.discard(urn)
            return was


@dataclass
class Session:
    """One provider's calls share this (see the module docstring)."""

    cancellation: Cancellation = field(default_factory=Cancellation)
    """Set by the engine's Cancel: every wait of the session ends, its clients send nothing more."""
    clock: Clock = REAL_TIME
    """What its waits measure and sleep with; by default real time, with sleeps that end on Cancel."""
    polling: Polling | None = None
    """How often its waits poll; None: `Polling.from_env()` at each call."""
    memory: CallMemory = field(default_factory=CallMemory)
    engine: EngineLink | None = None
    """Where its lines go: the engine's Log; None: the process's link (`engine_log.use_engine`), looked up per line, as
    the dynamic host makes it only once the provider is loaded."""
    clients: ClientCache = field(init=False)

    def __post_init__(self) -> None:
        self.clients = ClientCache(self.cancellation)
        if self.clock is REAL_TIME:
            self.clock = Clock.watching(self.cancellation)

    def reporter(self, label: str, urn: str | None) -> Reporter:
        """Where the lines about the resource `urn` go (`label` names it where the engine cannot take them)."""
        return Reporter(label, urn, link=self.engine or default_link())

    def poll(self) -> Polling:
        """The polling of the next wait."""
        return self.polling or Polling.from_env()
