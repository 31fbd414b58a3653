"""Small helpers the tests share: set up a solution in the emulator and wait for statuses."""

from __future__ import annotations

import time
import uuid
from typing import Any

from personalize_pulumi.emulator import seed
from personalize_pulumi.emulator.seed import RECIPE_USER_PERSONALIZATION

__all__ = [
    "RECIPE_USER_PERSONALIZATION",
    "RECIPE_SIMS",
    "active_solution",
    "unique",
    "checked",
    "is_permission_check",
    "message",
    "trainings_started",
    "version_status",
    "wait_for",
]

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


def is_permission_check(entry: dict[str, Any]) -> bool:
    """Whether a logged call is one of the permission checks a create makes before it trains (on `<solution ARN>/*`,
    which names no version: personalize_pulumi/provider/permissions.py)."""
    arn = entry["params"].get("solutionVersionArn") or entry["params"].get("resourceArn") or ""
    return str(arn).endswith("/*")


def trainings_started(control: Any) -> int:
    """CreateSolutionVersion calls that started a training (a call refused, e.g. as a duplicate name, started none)."""
    return sum(1 for entry in control.requests("CreateSolutionVersion") if entry["status"] == 200)


def checked(host: Any, solution_arn: str, **extra: Any) -> tuple[str, dict[str, Any]]:
    """Check new inputs of a SolutionVersion (resource name `resource=`, default a new unique one) through `host`;
    returns the resource name and the checked inputs, failing the test on any check failure."""
    name = extra.pop("resource", None) or unique("model")
    inputs, failures = host.check(name, {"solutionArn": solution_arn, "nameScope": f"proj/dev/{name}", **extra})
    assert failures == []
    return name, inputs


def message(error: Any) -> str:
    """The provider's message from a HostError: host.py sends it alone, except on the very first call a host serves
    (before the provider is loaded), which carries the SDK's traceback: then its last line, without the class."""
    return str(error.last_line.split("SolutionVersionError: ", 1)[-1])


def said_it_adopted(output: list[str], arn: str) -> bool:
    """Whether a host's output has the line saying it adopted `arn` instead of training again: "adopted training <arn>
    ... no second training" while it still trains, or "adopted <arn> ..., already ACTIVE" if it ended before the host
    looked (on a loaded machine a host can take longer to start than an emulated training)."""
    return any(
        ": adopted " in line and arn in line and ("no second training is started" in line or "already ACTIVE" in line)
        for line in output
    )
