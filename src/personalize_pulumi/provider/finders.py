"""Finders and status functions, in terraform-provider-aws's shape: each finder describes one thing and maps
ResourceNotFoundException to None right there; each status function returns the status string and the described
object, for the waiters in `waiters.py`.

Only single calls live here; retrying transient errors is the callers' business (`backoff.retry`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from botocore.exceptions import ClientError

from .classify import code
from .ownership import Marker, OwnerKey
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


@dataclass(frozen=True)
class Owned:
    """A version that carries this resource's marker (ownership.py): its summary and the marker."""

    summary: dict[str, Any]
    marker: Marker

    @property
    def arn(self) -> str:
        return str(self.summary["solutionVersionArn"])

    @property
    def status(self) -> str:
        return str(self.summary["status"])


LISTING_LAG_MAX_SECONDS = 600.0
"""How long a search outside a create's own budget (a destroy's) waits for a lagging listing to catch up."""


class ListingLags(Exception):
    """ListSolutionVersions does not list the solution's newest version yet (DescribeSolution names it): a version
    created a moment ago may be missing from the listing. Retried like a transient error."""

    def __init__(self, solution_arn: str, newest: str):
        super().__init__(f"ListSolutionVersions does not list {newest}, the newest version of {solution_arn}, yet")
        self.newest = newest


def find_latest_owned(client: Any, solution_arn: str, key: OwnerKey, since: datetime | None) -> Owned | None:
    """The newest version of `solution_arn` that carries `key`'s marker (of any identity), or None.

    A resource's attempts are started one after another, so the newest marked one is its latest. Versions are checked
    newest first (one ListTagsForResource each), stopping at the first marked one, or at the first created before
    `since` (less `SERVICE_CLOCK_MARGIN`), the service's time when the resource's owner was created: no attempt of it
    is older. `since` is the service's own clock, never the machine's; without it the search goes on to the oldest
    version. Versions of the solution's automatic training are never attempts and are skipped unread.
    """
    for summary in settled_summaries(client, solution_arn):
        if summary.get("trainingType") == "AUTOMATIC":
            continue
        if since is not None and _created(summary) < since - SERVICE_CLOCK_MARGIN:
            return None
        marker = key.recognize(find_tags(client, summary["solutionVersionArn"]))
        if marker is not None:
            return Owned(summary, marker)
    return None


def find_owned_training(client: Any, solution_arn: str, key: OwnerKey) -> list[Owned]:
    """Every version of `solution_arn` still training (pending or in progress) that carries `key`'s marker; only
    versions still training are read (at most the region's quota of trainings)."""
    found = []
    for summary in settled_summaries(client, solution_arn):
        if summary.get("status") not in TRAINING or summary.get("trainingType") == "AUTOMATIC":
            continue
        marker = key.recognize(find_tags(client, summary["solutionVersionArn"]))
        if marker is not None:
            found.append(Owned(summary, marker))
    return found


def find_version_named(client: Any, solution_arn: str, name: str) -> tuple[dict[str, Any], dict[str, str]] | None:
    """A version of `solution_arn` called `name`, described, with its tags (None if no listed version has it). Only
    after the service refused the name: names are not in summaries, so every version may be described."""
    for summary in settled_summaries(client, solution_arn):
        if summary.get("trainingType") == "AUTOMATIC":
            continue
        described = find_version(client, summary["solutionVersionArn"])
        if described is not None and described.get("name") == name:
            return described, find_tags(client, described["solutionVersionArn"])
    return None


SERVICE_CLOCK_MARGIN = timedelta(minutes=15)
"""Between two of the service's own clocks (the `Date` of one answer and the creation time of a version): its hosts
may differ by a little, and a `Date` has whole seconds."""


def _created(summary: dict[str, Any]) -> datetime:
    created = summary.get("creationDateTime")
    if not isinstance(created, datetime):
        return datetime.max.replace(tzinfo=timezone.utc)  # unknown: never a reason to stop looking
    return created if created.tzinfo is not None else created.replace(tzinfo=timezone.utc)


def settled_summaries(client: Any, solution_arn: str) -> list[dict[str, Any]]:
    """Every version summary of `solution_arn`, newest first, once the listing holds the solution's newest version.

    ListSolutionVersions may lag behind a create (eventual consistency), while describing the solution names its
    newest version at once; versions become listed in the order they were created, so a listing that holds the
    newest holds every older one. Until it does, `ListingLags` is raised (callers retry it within their budget).
    """
    solution = find_solution(client, solution_arn)
    newest = ((solution or {}).get("latestSolutionVersion") or {}).get("solutionVersionArn")
    summaries = _summaries_newest_first(client, solution_arn)
    if newest and all(summary["solutionVersionArn"] != newest for summary in summaries):
        raise ListingLags(solution_arn, str(newest))
    return summaries


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
