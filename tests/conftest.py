"""Shared fixtures: the emulator, emptied for each test module, and boto3 pointed at it the standard way."""

from __future__ import annotations

import asyncio
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

from personalize_pulumi.emulator.client import EmulatorControl
from personalize_pulumi.emulator.launcher import EmulatorProcess
from personalize_pulumi.emulator.shape_validation import validate_output
from tests.helpers import REGION, duplicate_names_mode, moto_api, set_transition, start_host
from tests.packaging import build_wheel, make_clean_clone, python_with_wheel

try:  # scripts/check-floors runs some of the tests in a virtualenv of the package's floors, without Hypothesis
    from hypothesis import settings
except ImportError:
    pass
else:
    # Every Hypothesis test runs with no deadline: the suite shares two cores with xdist workers, engines and
    # emulators, so the duration of one example says nothing about the code (a 200 ms deadline failed at 359 ms).
    settings.register_profile("suite", deadline=None)
    settings.load_profile("suite")

UNMEASURED = ("e2e", "sdk", "distribution")
"""Test folders that judge behaviour as users see it (the real engine, the generated SDKs, the installed wheel) and
are not counted for coverage: the in-process, host, plugin and emulator tests measure it. Under coverage's tracer their
engines' Python (the test's own program, the provider hosts the engine starts) took about a quarter more CPU, on a suite
bound by its two cores."""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = item.path.relative_to(Path(__file__).parent).parts
        if parts and parts[0] in UNMEASURED:
            item.add_marker(pytest.mark.no_cover)  # pytest-cov pauses its tracer for the test's body


@pytest.fixture(autouse=True)
def _unmeasured_subprocesses(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """What an unmeasured test starts is not measured either (coverage's `patch = subprocess` reads these)."""
    if request.node.get_closest_marker("no_cover"):
        monkeypatch.delenv("COVERAGE_PROCESS_START", raising=False)
        monkeypatch.delenv("COVERAGE_PROCESS_CONFIG", raising=False)


@pytest.fixture(scope="session")
def emulator_process() -> Iterator[EmulatorProcess]:
    """One emulator process per test process (each xdist worker): starting one costs about a second of CPU."""
    process = EmulatorProcess(training_seconds=2.0, setup_seconds=0.5)
    yield process
    process.stop()


@pytest.fixture(scope="session")
def iam_emulator_process() -> Iterator[EmulatorProcess]:
    """An emulator that checks every request against IAM (`--iam`), for the modules about permissions: each makes it
    its `emulator_process` (`def emulator_process(iam_emulator_process)`), so `emulator` and the fixtures built on it
    use it."""
    process = EmulatorProcess(training_seconds=2.0, setup_seconds=0.5, iam=True)
    yield process
    process.stop()


@pytest.fixture(scope="module")
def emulator(emulator_process: EmulatorProcess) -> Iterator[EmulatorProcess]:
    """The emulator, emptied for this module as a fresh one would be (no resources, fault rules or logged requests;
    2 s trainings, 0.5 s setup); the environment points boto3 at it."""
    process = emulator_process
    process.control.reset()
    process.control.set_timing(training_seconds=2.0, setup_seconds=0.5)
    saved = {key: os.environ.get(key) for key in process.env()}
    os.environ.update(process.env())
    try:
        yield process
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture
def control(emulator: EmulatorProcess) -> Iterator[EmulatorControl]:
    """The emulator's control API, with faults, timing and the request log reset around each test."""
    emulator.control.clear_faults()
    emulator.control.set_timing(training_seconds=2.0, setup_seconds=0.5)
    emulator.control.clear_requests()
    yield emulator.control
    emulator.control.clear_faults()


@pytest.fixture(params=[False, True], ids=["refused", "accepted"])
def duplicate_names(request: pytest.FixtureRequest, emulator: EmulatorProcess) -> Iterator[bool]:
    """Run the test under both of the emulator's modes for a solution version name the solution already has:
    `refused` (ResourceAlreadyExistsException, the default) and `accepted` (a second version under that name); no
    source says which one the service does. The value is whether duplicates are accepted. Set through the control
    API; the mode the emulator had is restored afterwards."""
    yield from duplicate_names_mode(emulator, bool(request.param))


@pytest.fixture
def engine() -> Iterator[Any]:
    """A fake engine (`harness.dynamic_host.FakeEngine`) recording the lines a provider logs to it."""
    from harness.dynamic_host import FakeEngine

    fake = FakeEngine()
    yield fake
    fake.stop()


OLDER_BOTOCORE_ENV = "PERSONALIZE_TESTS_OLDER_BOTOCORE"
"""Set by scripts/check-floors: botocore there is older than the service the emulator models, so members it does not
know yet (e.g. `performIncrementalUpdate`) are expected; its client ignores them, as it does with the real service."""


def _check_response_shape(http_response: Any, model: Any, **_: Any) -> None:
    if http_response.status_code != 200:
        return
    body = json.loads(http_response.content or b"{}")
    errors = validate_output(model.name, body)
    if os.environ.get(OLDER_BOTOCORE_ENV):
        errors = [error for error in errors if not error.startswith("Unknown member")]
    assert not errors, f"{model.name} response does not match botocore's model: {errors}"


@pytest.fixture
def personalize(emulator: EmulatorProcess) -> Any:
    """A plain boto3 Personalize client that also checks every response body against botocore's output shapes."""
    client = boto3.client("personalize", region_name=REGION, config=Config(retries={"mode": "standard"}))
    client.meta.events.register("after-call.personalize", _check_response_shape)
    return client


@pytest.fixture(scope="module")
def host(emulator: EmulatorProcess) -> Iterator[Any]:
    """A real `python -m pulumi.dynamic` process, configured, talking to this module's emulator."""
    started = start_host(emulator)
    yield started
    started.stop()


@pytest.fixture
def fast(control: EmulatorControl) -> EmulatorControl:
    """Dataset groups and solutions ACTIVE at once, 0.2 s trainings: for tests about something other than timing."""
    control.set_timing(training_seconds=0.2, setup_seconds=0)
    return control


@pytest.fixture(scope="session")
def clean_clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """What a clone of this checkout holds, as a git repository (see tests/packaging.py)."""
    return make_clean_clone(tmp_path_factory.mktemp("clone"))


@pytest.fixture(scope="session")
def wheel(clean_clone: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel `pip wheel --no-deps .` builds from the clean clone."""
    return build_wheel(clean_clone, tmp_path_factory.mktemp("wheel"))


@pytest.fixture(scope="session")
def wheel_python(wheel: Path) -> Path:
    """A Python with only the declared run-time dependencies and the wheel installed."""
    return python_with_wheel(wheel)


@pytest.fixture
def moto_progression(emulator: EmulatorProcess, fast: Any) -> Iterator[Any]:
    """`set(model, progression=..., ...)` for this test; each model is back on the emulator's timing afterwards."""
    touched: list[str] = []

    def set_progression(model: str, **transition: Any) -> None:
        touched.append(model)
        set_transition(emulator.url, model, **transition)

    yield set_progression
    for model in touched:
        moto_api(emulator.url, "unset-transition", {"model_name": model})


@pytest.fixture
def event_loop_for_the_sdk() -> Iterator[None]:
    """The SDK's mocks run on the thread's current event loop, which an earlier `asyncio.run` may have cleared: a
    fresh one per test (`pytestmark = pytest.mark.usefixtures("event_loop_for_the_sdk")`)."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield
    asyncio.set_event_loop(None)
    loop.close()
