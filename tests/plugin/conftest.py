"""Fixtures for the plugin's contract tests: a real `pulumi-resource-personalize` process, configured."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.plugin_host import PluginHost
from personalize_pulumi.emulator.launcher import EmulatorProcess
from tests.helpers import FAST_POLLING, REGION


@pytest.fixture
def plugin(emulator: EmulatorProcess) -> Iterator[PluginHost]:
    """A plugin talking to the emulator, configured as the engine configures the default provider."""
    host = PluginHost(env={**emulator.env(REGION), **FAST_POLLING})
    host.config = host.configure()
    yield host
    host.stop()


@pytest.fixture
def no_aws(control: Any) -> Iterator[Any]:
    """The emulator's request log, empty at the start: a test asserts it stayed so."""
    control.clear_requests()
    yield control
