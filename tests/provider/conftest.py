"""Fixtures of the provider tests that run the SDK in-process (its mocks)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest


@pytest.fixture
def event_loop_for_the_sdk() -> Iterator[None]:
    """The SDK's mocks run on the thread's current event loop, which an earlier `asyncio.run` may have cleared: a
    fresh one per test (`pytestmark = pytest.mark.usefixtures("event_loop_for_the_sdk")`)."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield
    asyncio.set_event_loop(None)
    loop.close()
