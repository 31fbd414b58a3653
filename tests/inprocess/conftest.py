"""The lifecycle in one process: the emulator's WSGI app served on a thread of this process, the plugin's servicer
called directly with the requests the engine sends (harness.plugin_host.InProcessPlugin), and one fake clock for both,
so a training of half an hour takes a few milliseconds and no test waits in real time.

Time moves only when the provider sleeps (a poll, a pause between retries): each sleep advances the fake clock by its
length, and the emulator's trainings progress on that clock (`emulator.timing.run_on`). A test can stop time
(`fake_time.stop()`): the provider's next sleep then blocks in real time until the test lets time go on or the engine
cancels, which is how a test gets a create to stay in its wait, as long as it likes, without racing a timer.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import boto3
import pytest
from botocore.config import Config

from harness.plugin_host import InProcessPlugin
from personalize_pulumi.emulator import timing
from personalize_pulumi.emulator.client import EmulatorControl
from personalize_pulumi.emulator.server import EmulatorServer, quiet_request_logging
from personalize_pulumi.provider.backoff import Cancellation, Clock, Polling
from personalize_pulumi.provider.engine_log import EngineLink
from personalize_pulumi.provider.session import Session
from tests.helpers import REGION

TRAINING_SECONDS = 1800.0
"""An emulated training takes half an hour of fake time, as a small real one does."""


class FakeTime:
    """One fake clock for the provider (monotonic seconds) and the emulator (UTC), moved by the provider's sleeps."""

    START = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.utc)

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._now = 0.0
        self._running = threading.Event()
        self._running.set()
        self.blocked = 0
        """How many sleeps are waiting for time to go on (`stop`)."""

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def utc(self) -> datetime:
        return self.START + timedelta(seconds=self.monotonic())

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += max(seconds, 0.0)

    def stop(self) -> None:
        """From now on, a sleep blocks (in real time) until `go()` or its cancellation."""
        self._running.clear()

    def go(self) -> None:
        self._running.set()

    def wait_until_blocked(self, sleeps: int = 1, timeout: float = 30.0) -> None:
        """Until `sleeps` sleeps are blocked by `stop()` (a guard against a test that never gets there)."""
        deadline = time.monotonic() + timeout
        while self.blocked < sleeps:
            assert time.monotonic() < deadline, f"{self.blocked} of {sleeps} sleeps blocked after {timeout} s"
            time.sleep(0.001)

    def clock(self, cancellation: Cancellation) -> Clock:
        """The provider's clock: a sleep first honours the engine's Cancel, then moves time on by its length."""

        def sleep(seconds: float) -> None:
            cancellation.check()
            if not self._running.is_set():
                with self._lock:
                    self.blocked += 1
                try:
                    while not self._running.wait(0.001):
                        cancellation.check()
                finally:
                    with self._lock:
                        self.blocked -= 1
            self.advance(seconds)
            cancellation.check()

        return Clock(self.monotonic, sleep)


class InProcessEmulator:
    """The emulator served on a thread of this process, on the fake clock."""

    def __init__(self, fake: FakeTime) -> None:
        quiet_request_logging()
        timing.run_on(fake.utc)
        self.server = EmulatorServer()
        self.url = self.server.url
        self.control = EmulatorControl(self.url)
        threading.Thread(target=self.server.serve_forever, name="emulator", daemon=True).start()

    def env(self) -> dict[str, str]:
        return {
            "AWS_ENDPOINT_URL_PERSONALIZE": self.url,
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
            "AWS_CONFIG_FILE": "/dev/null",
            "AWS_SHARED_CREDENTIALS_FILE": "/dev/null",
            # The provider's own waits ride out transient errors on the fake clock; botocore's retries would sleep in
            # real time.
            "AWS_MAX_ATTEMPTS": "1",
        }

    def stop(self) -> None:
        self.server.stop()
        timing.run_on(None)


@pytest.fixture(autouse=True)
def no_process(monkeypatch: Any) -> None:
    """These tests start no process: one that tried would fail here."""

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"an in-process test started a process: {args[0] if args else kwargs}")

    monkeypatch.setattr(subprocess, "Popen", refused)


@pytest.fixture(scope="session")
def fake_time() -> FakeTime:
    return FakeTime()


@pytest.fixture(scope="session")
def inprocess_emulator(fake_time: FakeTime) -> Iterator[InProcessEmulator]:
    emulator = InProcessEmulator(fake_time)
    yield emulator
    emulator.stop()


@pytest.fixture
def control(inprocess_emulator: InProcessEmulator, fake_time: FakeTime, monkeypatch: Any) -> Iterator[EmulatorControl]:
    """The emulator, empty, with half-hour trainings and instant setup; the environment points boto3 at it."""
    for key, value in inprocess_emulator.env().items():
        monkeypatch.setenv(key, value)
    for key in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "PERSONALIZE_POLL_INITIAL_SECONDS", "PERSONALIZE_POLL_MAX_SECONDS"):
        monkeypatch.delenv(key, raising=False)
    control = inprocess_emulator.control
    control.reset()
    control.set_timing(training_seconds=TRAINING_SECONDS, setup_seconds=0)
    yield control
    fake_time.go()
    control.clear_faults()


@pytest.fixture
def personalize(control: EmulatorControl) -> Any:
    """boto3 for the test's own setup, against the emulator."""
    return boto3.client("personalize", region_name=REGION, config=Config(retries={"mode": "standard"}))


@pytest.fixture
def session(fake_time: FakeTime) -> Session:
    """The provider's session: its own Cancel, the fake clock, the real default polling (5 s growing to 60 s)."""
    cancellation = Cancellation()
    return Session(cancellation=cancellation, clock=fake_time.clock(cancellation), polling=Polling())


@pytest.fixture
def plugin(session: Session, control: EmulatorControl) -> InProcessPlugin:
    """The plugin's servicer, configured as the engine configures the default provider."""
    plugin = InProcessPlugin(session)
    plugin.config = plugin.configure({"region": REGION})
    return plugin


@pytest.fixture
def linked(engine: Any, fake_time: FakeTime, control: EmulatorControl) -> InProcessPlugin:
    """The plugin's servicer with an engine link to the test's FakeEngine (`engine`): its lines land there, on the
    rows of the URNs they are for."""
    cancellation = Cancellation()
    session = Session(
        cancellation=cancellation,
        clock=fake_time.clock(cancellation),
        polling=Polling(),
        engine=EngineLink(engine.address),
    )
    plugin = InProcessPlugin(session)
    plugin.config = plugin.configure({"region": REGION})
    return plugin


@pytest.fixture
def restart(fake_time: FakeTime) -> Any:
    """`restart(plugin)`: the plugin as the next operation starts it (a new session: nothing carried over)."""

    def restarted(plugin: InProcessPlugin) -> InProcessPlugin:
        cancellation = Cancellation()
        session = Session(cancellation=cancellation, clock=fake_time.clock(cancellation), polling=Polling())
        return plugin.restarted(plugin.config, session)

    return restarted


@pytest.fixture(params=[False, True], ids=["refused", "accepted"])
def duplicate_names(request: pytest.FixtureRequest, control: EmulatorControl) -> bool:
    """Run the test under both of the emulator's modes for a version name the solution already has: `refused`
    (ResourceAlreadyExistsException) and `accepted` (a second version under that name); no source says which one the
    service does. Reset with the emulator for the next test."""
    control.set_duplicate_names(accept=request.param)
    return bool(request.param)
