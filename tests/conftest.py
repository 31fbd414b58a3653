"""Shared fixtures: one emulator process per test module, and boto3 pointed at it the standard way."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.config import Config

from emulator.control import EmulatorControl, EmulatorProcess
from emulator.shape_validation import validate_output

REGION = "us-east-1"


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    """A fresh emulator (2 s trainings, 0.5 s setup) for this module; the environment points boto3 at it."""
    process = EmulatorProcess(training_seconds=2.0, setup_seconds=0.5)
    saved = {key: os.environ.get(key) for key in process.env()}
    os.environ.update(process.env())
    try:
        yield process
    finally:
        process.stop()
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


def _check_response_shape(http_response: Any, model: Any, **_: Any) -> None:
    if http_response.status_code != 200:
        return
    body = json.loads(http_response.content or b"{}")
    errors = validate_output(model.name, body)
    assert not errors, f"{model.name} response does not match botocore's model: {errors}"


@pytest.fixture
def personalize(emulator: EmulatorProcess) -> Any:
    """A plain boto3 Personalize client that also checks every response body against botocore's output shapes."""
    client = boto3.client("personalize", region_name=REGION, config=Config(retries={"mode": "standard"}))
    client.meta.events.register("after-call.personalize", _check_response_shape)
    return client


FAST_POLLING = {
    "PERSONALIZE_POLL_INITIAL_SECONDS": "0.1",
    "PERSONALIZE_POLL_MAX_SECONDS": "0.25",
    "AWS_MAX_ATTEMPTS": "4",
}
"""Host environment for tests: poll the emulator often (real defaults: 5 s growing to 60 s) and retry briefly."""


def start_host(emulator: EmulatorProcess, **extra_env: str) -> Any:
    from harness.dynamic_host import DynamicHost

    host = DynamicHost(env={**emulator.env(REGION), **FAST_POLLING, **extra_env})
    host.configure({"aws:region": REGION})
    return host


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
