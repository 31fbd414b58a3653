"""Small helpers the tests share: set up a solution in the emulator and wait for statuses."""

from __future__ import annotations

import time
import uuid
from typing import Any

from emulator import seed
from emulator.seed import RECIPE_USER_PERSONALIZATION

__all__ = ["RECIPE_USER_PERSONALIZATION", "RECIPE_SIMS", "active_solution", "unique", "trainings_started", "version_status", "wait_for"]

RECIPE_SIMS = "arn:aws:personalize:::recipe/aws-sims"


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def wait_for(read: Any, statuses: tuple[str, ...], timeout: float = 15.0) -> str:
    """Poll `read()` (returns a status) until it is one of `statuses`; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    status = read()
    while status not in statuses:
        assert time.monotonic() < deadline, f"still {status!r} after {timeout}s, wanted one of {statuses}"
        time.sleep(0.1)
        status = read()
    return status


def active_solution(client: Any, recipe_arn: str = RECIPE_USER_PERSONALIZATION, wait: bool = True) -> str:
    """A new dataset group and solution; returns the solution ARN once ACTIVE (or at once with wait=False)."""
    return seed.active_solution(client, None, recipe_arn, wait)


def version_status(client: Any, arn: str) -> str:
    return client.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]["status"]


def trainings_started(control: Any) -> int:
    """CreateSolutionVersion calls that started a training (a call refused, e.g. as a duplicate name, started none)."""
    return sum(1 for entry in control.requests("CreateSolutionVersion") if entry["status"] == 200)
