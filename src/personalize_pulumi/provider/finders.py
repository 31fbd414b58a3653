"""Finders and status functions, in terraform-provider-aws's shape: each finder describes one thing and maps
ResourceNotFoundException to None right there; each status function returns the status string and the described
object, for the waiters in `waiters.py`.

Only single calls live here; retrying transient errors is the callers' business (`backoff.retry`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from botocore.exceptions import ClientError

from .errors import code
from .naming import attempt_number
from .properties import ACTIVE, TRAINING

NOT_FOUND = "NOT FOUND"
"""Status functions report this for a thing that does not exist (it is in no waiter's pending set)."""

StatusFunc = Callable[[], tuple[str, dict[str, Any]]]


def find_solution(client: Any, arn: str) -> dict[str, Any] | None:
    """DescribeSolution, or None if there is no such solution."""
    return _unless_not_found(lambda: client.describe_solution(solutionArn=arn)["solution"])


def find_version(client: Any, arn: str) -> dict[str, Any] | None:
    """DescribeSolutionVersion, or None if there is no such version (or its solution was deleted)."""
    return _unless_not_found(lambda: client.describe_solution_version(solutionVersionArn=arn)["solutionVersion"])


def _unless_not_found(describe: Callable[[], dict[str, Any]]) -> dict[str, Any] | None:
    try:
        return describe()
    except ClientError as error:
        if code(error) == "ResourceNotFoundException":
            return None
        raise


def solution_status(client: Any, arn: str) -> StatusFunc:
    """Status function of a solution."""

    def status() -> tuple[str, dict[str, Any]]:
        solution = find_solution(client, arn)
        return (NOT_FOUND, {}) if solution is None else (solution["status"], solution)

    return status


def version_status(client: Any, arn: str) -> StatusFunc:
    """Status function of a solution version."""

    def status() -> tuple[str, dict[str, Any]]:
        version = find_version(client, arn)
        return (NOT_FOUND, {}) if version is None else (version["status"], version)

    return status


def find_tags(client: Any, arn: str) -> dict[str, str]:
    """Every tag on `arn`, as a map."""
    tags = client.list_tags_for_resource(resourceArn=arn)["tags"]
    return {tag["tagKey"]: tag["tagValue"] for tag in tags}


def find_metrics(client: Any, described: dict[str, Any]) -> dict[str, float]:
    """GetSolutionMetrics of an ACTIVE version ({} for any other status: the service has none yet)."""
    if described.get("status") != ACTIVE:
        return {}
    metrics: dict[str, float] = client.get_solution_metrics(solutionVersionArn=described["solutionVersionArn"]).get(
        "metrics", {}
    )
    return metrics


def find_reported_metric_names(client: Any, solution_arn: str) -> frozenset[str] | None:
    """The metric names the solution's newest ACTIVE version reports (its recipe and configuration decide them, so
    every version of the solution reports the same); None when it has no ACTIVE version."""
    for summary in _summaries_newest_first(client, solution_arn):
        if summary.get("status") == ACTIVE:
            return frozenset(find_metrics(client, {**summary, "status": ACTIVE}))
    return None


def find_latest_attempt(
    client: Any, solution_arn: str, base: str, since: datetime | None = None, bounded: bool = False
) -> dict[str, Any] | None:
    """The newest version of `solution_arn` that is an attempt of `base` (`base`, `base-2`, ...), described.

    ListSolutionVersions summaries carry no name, so versions are described one by one, newest first, stopping at the
    first attempt: attempts are started in order, so the newest one is the latest. Versions the solution's automatic
    training created (trainingType AUTOMATIC) are never attempts and are skipped without a describe. `bounded`
    describes only versions still training (at most the region's quota) and those created `since` (less
    `CLOCK_SLACK`, for the clock of the machine that took that time); without `since`, only those still training.
    """
    for summary in _summaries_newest_first(client, solution_arn):
        if summary.get("trainingType") == "AUTOMATIC":
            continue
        if bounded and not _may_be_since(summary, since):
            continue
        described = find_version(client, summary["solutionVersionArn"])
        if described is not None and attempt_number(base, described.get("name")) is not None:
            return described
    return None


def find_training_attempts(client: Any, solution_arn: str, base: str) -> list[dict[str, Any]]:
    """Every version of `solution_arn` still training (pending or in progress) that is an attempt of `base`,
    described; only versions still training are described (at most the region's quota)."""
    found = []
    for summary in _summaries_newest_first(client, solution_arn):
        if summary.get("status") not in TRAINING or summary.get("trainingType") == "AUTOMATIC":
            continue
        described = find_version(client, summary["solutionVersionArn"])
        if described is not None and described["status"] in TRAINING and attempt_number(base, described.get("name")):
            found.append(described)
    return found


CLOCK_SLACK = timedelta(hours=1)


def _may_be_since(summary: dict[str, Any], since: datetime | None) -> bool:
    if summary.get("status") in TRAINING:
        return True
    created = summary.get("creationDateTime")
    if since is None or not isinstance(created, datetime):
        return False
    if created.tzinfo is None:
        created = created.replace(tzinfo=timezone.utc)
    return created >= since - CLOCK_SLACK


def _summaries_newest_first(client: Any, solution_arn: str) -> list[dict[str, Any]]:
    # The API documents no order for ListSolutionVersions, so sort; listing is cheap (100 summaries a page).
    summaries = [
        summary
        for page in client.get_paginator("list_solution_versions").paginate(
            solutionArn=solution_arn, PaginationConfig={"PageSize": 100}
        )
        for summary in page["solutionVersions"]
    ]
    return sorted(summaries, key=lambda summary: summary["creationDateTime"], reverse=True)
