"""The listing's lag (`listingLagSeconds`, `emulator/settings.py`): ListSolutionVersions leaves out the versions
created less than N seconds ago, while every call by ARN, and DescribeSolution's latestSolutionVersion, sees them at
once. A lag that must hold while the test looks is 600 s (beyond any machine's slowness); one that must pass is
short, and the test polls for it."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.helpers import HELD, active_solution, poll_until

LONG_LAG = 600.0


@pytest.fixture
def lag(control) -> Iterator[Callable[[float], None]]:
    """`lag(seconds)` sets the listing lag for this test; the lag in force before comes back afterwards."""
    before = control.settings()["listingLagSeconds"]
    try:
        yield control.set_listing_lag
    finally:
        control.set_listing_lag(before)


def listed(client: Any, solution: str, page_size: int | None = None) -> list[str]:
    """The ARNs ListSolutionVersions lists for `solution`, newest first, over every page."""
    arns: list[str] = []
    kwargs: dict[str, Any] = {"solutionArn": solution}
    if page_size is not None:
        kwargs["maxResults"] = page_size
    while True:
        page = client.list_solution_versions(**kwargs)
        arns += [v["solutionVersionArn"] for v in page["solutionVersions"]]
        if "nextToken" not in page:
            return arns
        kwargs["nextToken"] = page["nextToken"]


def test_a_new_version_is_not_listed_during_the_lag(personalize, fast, lag):
    solution = active_solution(personalize)
    lag(LONG_LAG)

    personalize.create_solution_version(solutionArn=solution)

    assert listed(personalize, solution) == []
    assert personalize.list_solution_versions()["solutionVersions"] == [], "nor without a solutionArn"


def test_calls_by_arn_see_a_version_the_listing_leaves_out(personalize, fast, lag):
    fast.set_timing(training_seconds=HELD)  # still CREATE PENDING when it is stopped
    solution = active_solution(personalize)
    lag(LONG_LAG)

    arn = personalize.create_solution_version(solutionArn=solution, tags=[{"tagKey": "team", "tagValue": "recs"}])[
        "solutionVersionArn"
    ]

    assert listed(personalize, solution) == []
    assert (
        personalize.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]["status"] == "CREATE PENDING"
    )
    assert personalize.list_tags_for_resource(resourceArn=arn)["tags"] == [{"tagKey": "team", "tagValue": "recs"}]
    personalize.stop_solution_version_creation(solutionVersionArn=arn)
    assert (
        personalize.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]["status"] == "CREATE STOPPED"
    )


def test_describe_solution_names_the_newest_version_at_once(personalize, fast, lag):
    solution = active_solution(personalize)
    older = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    lag(LONG_LAG)

    newest = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]

    assert newest != older
    latest = personalize.describe_solution(solutionArn=solution)["solution"]["latestSolutionVersion"]
    assert latest["solutionVersionArn"] == newest
    assert newest not in listed(personalize, solution)


def test_a_version_is_listed_once_the_lag_has_passed(personalize, fast, lag):
    solution = active_solution(personalize)
    lag(1.0)
    start = time.monotonic()

    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]

    poll_until(lambda: listed(personalize, solution) == [arn], "the version in the listing")
    assert time.monotonic() - start >= 1.0, "listed before the lag had passed"


def test_shortening_the_lag_lists_the_versions_it_left_out(personalize, fast, lag):
    solution = active_solution(personalize)
    lag(LONG_LAG)
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    assert listed(personalize, solution) == []

    lag(0)

    assert listed(personalize, solution) == [arn]


def test_pages_list_the_versions_the_lag_shows_oldest_first_to_appear(personalize, fast, lag):
    # The versions appear one by one as they age past the lag, the oldest first, while the test pages through the
    # listing two at a time; every full pass lists the oldest k of them, newest first, once each, with no error.
    solution = active_solution(personalize)
    lag(1.5)
    created = []
    for _ in range(5):
        created.append(personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"])
        time.sleep(0.2)

    def every_pass_is_the_oldest_versions() -> bool:
        arns = listed(personalize, solution, page_size=2)
        assert arns == list(reversed(created[: len(arns)])), arns
        return len(arns) == len(created)

    poll_until(every_pass_is_the_oldest_versions, "all five versions in the listing")


def test_hidden_versions_leave_no_page_behind(personalize, fast, lag):
    solution = active_solution(personalize)
    lag(LONG_LAG)
    for _ in range(3):
        personalize.create_solution_version(solutionArn=solution)

    page = personalize.list_solution_versions(solutionArn=solution, maxResults=1)

    assert page["solutionVersions"] == [] and "nextToken" not in page
