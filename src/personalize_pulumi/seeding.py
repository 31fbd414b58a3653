"""Seed an emulator (or any Personalize endpoint) with what a SolutionVersion needs: a dataset group and a solution,
both ACTIVE. The one helper the main job, the end-to-end tests and the benchmarks use for it."""

from __future__ import annotations

import time
import uuid
from typing import Any

RECIPE_USER_PERSONALIZATION = "arn:aws:personalize:::recipe/aws-user-personalization"
SETUP_TIMEOUT_SECONDS = 30.0


def wait_until_active(read_status: Any, what: str, timeout: float = SETUP_TIMEOUT_SECONDS) -> None:
    """Poll `read_status()` until it returns ACTIVE; RuntimeError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    status = read_status()
    while status != "ACTIVE":
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} is still {status} after {timeout:.0f} s")
        time.sleep(0.1)
        status = read_status()


def active_solution(
    client: Any, name: str | None = None, recipe_arn: str = RECIPE_USER_PERSONALIZATION, wait: bool = True
) -> str:
    """Create dataset group `<name>-data` and solution `name` (default: a new unique name) with `client` (boto3
    Personalize); return the solution's ARN once both are ACTIVE (with `wait=False`, as soon as it is created)."""
    name = name or f"sol-{uuid.uuid4().hex[:8]}"
    group = client.create_dataset_group(name=f"{name}-data")["datasetGroupArn"]
    wait_until_active(lambda: client.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"], group)
    solution: str = client.create_solution(name=name, datasetGroupArn=group, recipeArn=recipe_arn)["solutionArn"]
    if wait:
        wait_until_active(lambda: client.describe_solution(solutionArn=solution)["solution"]["status"], solution)
    return solution
