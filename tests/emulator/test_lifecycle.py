"""The emulator's happy paths, as a boto3 user sees them: setup, training, listing, tags, stopping and deleting."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from botocore.exceptions import ClientError

from tests.helpers import (
    HELD,
    RECIPE_USER_PERSONALIZATION,
    active_solution,
    held_in_progress,
    unique,
    version_status,
    wait_for,
)

METRIC_NAMES = {
    "coverage",
    "mean_reciprocal_rank_at_25",
    "normalized_discounted_cumulative_gain_at_5",
    "normalized_discounted_cumulative_gain_at_10",
    "normalized_discounted_cumulative_gain_at_25",
    "precision_at_5",
    "precision_at_10",
    "precision_at_25",
}


def statuses_until(read: Callable[[], str], final: tuple[str, ...], timeout: float = 10.0) -> list[str]:
    """Every distinct status `read()` returns, polled every 20 ms, until one of `final`."""
    deadline = time.monotonic() + timeout
    seen = [read()]
    while seen[-1] not in final:
        assert time.monotonic() < deadline, f"still {seen[-1]!r} after {timeout}s (saw {seen})"
        time.sleep(0.02)
        status = read()
        if status != seen[-1]:
            seen.append(status)
    return seen


def trained_version(client, solution: str, **kwargs) -> str:
    arn = client.create_solution_version(solutionArn=solution, **kwargs)["solutionVersionArn"]
    wait_for(lambda: version_status(client, arn), ("ACTIVE",))
    return arn


# Dataset groups and solutions


def test_dataset_group_and_solution_become_active_through_create_statuses(personalize, control):
    control.set_timing(setup_seconds=2)  # 1 s in each status: 50 polls of 20 ms each
    group = personalize.create_dataset_group(name=unique("dg"))["datasetGroupArn"]
    group_statuses = statuses_until(
        lambda: personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"], ("ACTIVE",)
    )
    solution = personalize.create_solution(
        name=unique("sol"), datasetGroupArn=group, recipeArn=RECIPE_USER_PERSONALIZATION
    )["solutionArn"]
    solution_statuses = statuses_until(
        lambda: personalize.describe_solution(solutionArn=solution)["solution"]["status"], ("ACTIVE",)
    )
    assert group_statuses == ["CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"]
    assert solution_statuses == ["CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"]


def test_describe_solution_returns_what_was_created(personalize, fast):
    group = personalize.create_dataset_group(name=unique("dg"))["datasetGroupArn"]
    wait_for(lambda: personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"], ("ACTIVE",))
    name = unique("sol")
    arn = personalize.create_solution(
        name=name, datasetGroupArn=group, recipeArn=RECIPE_USER_PERSONALIZATION, eventType="click"
    )["solutionArn"]

    solution = personalize.describe_solution(solutionArn=arn)["solution"]

    assert arn == f"arn:aws:personalize:us-east-1:123456789012:solution/{name}"
    assert solution["name"] == name
    assert solution["datasetGroupArn"] == group
    assert solution["recipeArn"] == RECIPE_USER_PERSONALIZATION
    assert solution["eventType"] == "click"
    assert "latestSolutionVersion" not in solution


def test_describe_solution_shows_the_latest_version(personalize, fast):
    solution = active_solution(personalize)
    personalize.create_solution_version(solutionArn=solution, name="first")
    latest = personalize.create_solution_version(solutionArn=solution, name="second")["solutionVersionArn"]

    summary = personalize.describe_solution(solutionArn=solution)["solution"]["latestSolutionVersion"]

    assert summary["solutionVersionArn"] == latest


def test_list_solutions_filters_by_dataset_group(personalize, fast):
    mine = active_solution(personalize)
    other = active_solution(personalize)
    group = personalize.describe_solution(solutionArn=mine)["solution"]["datasetGroupArn"]

    listed = personalize.list_solutions(datasetGroupArn=group)["solutions"]

    assert [s["solutionArn"] for s in listed] == [mine]
    assert other in {s["solutionArn"] for s in personalize.list_solutions()["solutions"]}


def test_list_solutions_of_an_unknown_dataset_group_is_empty(personalize, fast):
    """ListSolutions has no ResourceNotFoundException in botocore's model."""
    group = "arn:aws:personalize:us-east-1:123456789012:dataset-group/no-such-group"

    assert personalize.list_solutions(datasetGroupArn=group)["solutions"] == []


def test_list_solutions_paginates_with_max_results_and_next_token(personalize, fast):
    group = personalize.create_dataset_group(name=unique("dg"))["datasetGroupArn"]
    wait_for(lambda: personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"], ("ACTIVE",))
    created = {
        personalize.create_solution(name=unique("sol"), datasetGroupArn=group, recipeArn=RECIPE_USER_PERSONALIZATION)[
            "solutionArn"
        ]
        for _ in range(3)
    }

    first = personalize.list_solutions(datasetGroupArn=group, maxResults=2)
    second = personalize.list_solutions(datasetGroupArn=group, maxResults=2, nextToken=first["nextToken"])

    assert len(first["solutions"]) == 2
    assert len(second["solutions"]) == 1
    assert "nextToken" not in second
    assert {s["solutionArn"] for s in first["solutions"] + second["solutions"]} == created


# Solution versions


def test_version_is_active_within_the_training_time(personalize, control):
    """With 2 s trainings, a version is ACTIVE 2 s after it was created, by the emulator's clock (its timestamps),
    and describes itself fully."""
    control.set_timing(training_seconds=HELD, setup_seconds=0)  # CREATE PENDING for sure at the first describe
    solution = active_solution(personalize)
    arn = personalize.create_solution_version(solutionArn=solution, name="v1")["solutionVersionArn"]
    assert version_status(personalize, arn) == "CREATE PENDING"

    control.set_timing(training_seconds=2.0)  # counted from its creation
    wait_for(lambda: version_status(personalize, arn), ("ACTIVE",), timeout=30)

    version = personalize.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]
    trained = (version["lastUpdatedDateTime"] - version["creationDateTime"]).total_seconds()
    assert trained == pytest.approx(2.0, abs=0.01), "the emulator's clock: CREATE PENDING 1 s, CREATE IN_PROGRESS 1 s"
    assert arn.startswith(f"{solution}/")
    assert version["name"] == "v1"
    assert version["solutionArn"] == solution
    assert version["recipeArn"] == RECIPE_USER_PERSONALIZATION
    assert version["trainingMode"] == "FULL"
    assert "failureReason" not in version


def test_version_nobody_reads_still_finishes_training(personalize, fast):
    """Statuses advance in the background, not one step per describe call."""
    solution = active_solution(personalize)
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]

    time.sleep(0.3)

    assert version_status(personalize, arn) == "ACTIVE"


def test_get_solution_metrics_of_an_active_version(personalize, fast):
    arn = trained_version(personalize, active_solution(personalize))

    answer = personalize.get_solution_metrics(solutionVersionArn=arn)

    assert answer["solutionVersionArn"] == arn
    assert set(answer["metrics"]) == METRIC_NAMES
    assert all(0 <= value <= 1 for value in answer["metrics"].values())
    assert personalize.get_solution_metrics(solutionVersionArn=arn)["metrics"] == answer["metrics"]


def test_update_training_after_an_active_full_version(personalize, fast):
    """aws-user-personalization supports incremental training once a FULL version is ACTIVE."""
    solution = active_solution(personalize)
    trained_version(personalize, solution, trainingMode="FULL")

    arn = trained_version(personalize, solution, trainingMode="UPDATE")

    assert personalize.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]["trainingMode"] == "UPDATE"


# Tags


def test_tags_given_at_creation_are_listed(personalize, fast):
    solution = active_solution(personalize)
    arn = personalize.create_solution_version(solutionArn=solution, tags=[{"tagKey": "team", "tagValue": "recs"}])[
        "solutionVersionArn"
    ]

    assert personalize.list_tags_for_resource(resourceArn=arn)["tags"] == [{"tagKey": "team", "tagValue": "recs"}]


def test_tag_and_untag_a_solution_version(personalize, fast):
    arn = personalize.create_solution_version(solutionArn=active_solution(personalize))["solutionVersionArn"]

    personalize.tag_resource(
        resourceArn=arn, tags=[{"tagKey": "team", "tagValue": "recs"}, {"tagKey": "env", "tagValue": "dev"}]
    )
    personalize.tag_resource(resourceArn=arn, tags=[{"tagKey": "env", "tagValue": "prod"}])
    personalize.untag_resource(resourceArn=arn, tagKeys=["team"])

    assert personalize.list_tags_for_resource(resourceArn=arn)["tags"] == [{"tagKey": "env", "tagValue": "prod"}]


def test_tag_a_solution(personalize, fast):
    solution = active_solution(personalize)

    personalize.tag_resource(resourceArn=solution, tags=[{"tagKey": "owner", "tagValue": "me@example.com"}])

    assert personalize.list_tags_for_resource(resourceArn=solution)["tags"] == [
        {"tagKey": "owner", "tagValue": "me@example.com"}
    ]


# Listing versions


@pytest.fixture
def three_versions(personalize, fast) -> tuple[str, list[str]]:
    """A solution with three versions, newest first (the order ListSolutionVersions returns)."""
    solution = active_solution(personalize)
    arns = [personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"] for _ in range(3)]
    return solution, arns[::-1]


def test_list_solution_versions_one_per_page(personalize, three_versions):
    solution, arns = three_versions
    pages, token = [], None
    while True:
        more = {"nextToken": token} if token else {}
        page = personalize.list_solution_versions(solutionArn=solution, maxResults=1, **more)
        pages.append([v["solutionVersionArn"] for v in page["solutionVersions"]])
        token = page.get("nextToken")
        if not token:
            break

    assert pages == [[arns[0]], [arns[1]], [arns[2]]]


def test_list_solution_versions_two_per_page(personalize, three_versions):
    solution, arns = three_versions

    first = personalize.list_solution_versions(solutionArn=solution, maxResults=2)
    second = personalize.list_solution_versions(solutionArn=solution, maxResults=2, nextToken=first["nextToken"])

    assert [v["solutionVersionArn"] for v in first["solutionVersions"]] == arns[:2]
    assert [v["solutionVersionArn"] for v in second["solutionVersions"]] == arns[2:]
    assert "nextToken" not in second


def test_list_solution_versions_paginator_gets_every_version(personalize, three_versions):
    solution, arns = three_versions
    paginator = personalize.get_paginator("list_solution_versions")

    pages = list(paginator.paginate(solutionArn=solution, PaginationConfig={"PageSize": 2}))

    assert len(pages) == 2
    assert [v["solutionVersionArn"] for page in pages for v in page["solutionVersions"]] == arns


def test_list_solution_versions_rejects_a_bad_next_token(personalize, three_versions):
    solution, _ = three_versions

    with pytest.raises(ClientError) as exc:
        personalize.list_solution_versions(solutionArn=solution, maxResults=1, nextToken="not-a-token")

    err = exc.value.response["Error"]
    assert err["Code"] == "InvalidNextTokenException"


def test_list_solution_versions_rejects_a_token_of_another_solution(personalize, three_versions):
    solution, _ = three_versions
    token = personalize.list_solution_versions(solutionArn=solution, maxResults=1)["nextToken"]
    other = active_solution(personalize)

    with pytest.raises(ClientError) as exc:
        personalize.list_solution_versions(solutionArn=other, maxResults=1, nextToken=token)

    err = exc.value.response["Error"]
    assert err["Code"] == "InvalidNextTokenException"


# Stopping and deleting


def test_stop_in_progress_version_goes_through_stopping_to_stopped(personalize, control):
    control.set_timing(setup_seconds=0)
    arn = held_in_progress(personalize, control, active_solution(personalize))

    personalize.stop_solution_version_creation(solutionVersionArn=arn)

    assert version_status(personalize, arn) == "CREATE STOPPING", "held: stopping takes half the training time"
    control.set_timing(training_seconds=1.0)
    assert statuses_until(lambda: version_status(personalize, arn), ("CREATE STOPPED",), timeout=5) == [
        "CREATE STOPPING",
        "CREATE STOPPED",
    ]
    version = personalize.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]
    assert "trainingHours" not in version


def test_stop_pending_version_is_stopped_at_once(personalize, control):
    control.set_timing(training_seconds=HELD, setup_seconds=0)
    arn = personalize.create_solution_version(solutionArn=active_solution(personalize))["solutionVersionArn"]
    assert version_status(personalize, arn) == "CREATE PENDING"

    personalize.stop_solution_version_creation(solutionVersionArn=arn)

    assert version_status(personalize, arn) == "CREATE STOPPED"


def test_stopped_version_stays_stopped(personalize, control):
    """A stopped training cannot resume: it stays stopped while a version created with it finishes."""
    control.set_timing(training_seconds=HELD, setup_seconds=0)
    solution = active_solution(personalize)
    stopped = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    trained = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    personalize.stop_solution_version_creation(solutionVersionArn=stopped)

    control.set_timing(training_seconds=0.1)
    time.sleep(0.2)

    assert version_status(personalize, trained) == "ACTIVE"
    assert version_status(personalize, stopped) == "CREATE STOPPED"


def test_delete_solution_removes_it_and_its_versions(personalize, fast):
    solution = active_solution(personalize)
    arn = trained_version(personalize, solution)

    personalize.delete_solution(solutionArn=solution)

    with pytest.raises(ClientError) as exc:
        personalize.describe_solution(solutionArn=solution)
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as exc:
        personalize.describe_solution_version(solutionVersionArn=arn)
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"


def test_delete_solution_after_its_training_was_stopped(personalize, control):
    control.set_timing(training_seconds=HELD, setup_seconds=0)
    solution = active_solution(personalize)
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    personalize.stop_solution_version_creation(solutionVersionArn=arn)

    personalize.delete_solution(solutionArn=solution)

    assert solution not in {s["solutionArn"] for s in personalize.list_solutions()["solutions"]}


def test_creates_at_once_under_one_name_start_one_training(personalize, emulator):
    """The server answers each request on its own thread: of 16 CreateSolutionVersion calls for one name sent at
    once, one starts a training and the others are refused the name (the rule cannot be raced)."""
    import threading

    solution = active_solution(personalize)
    name = unique("same")
    barrier = threading.Barrier(16)
    outcomes: list[str] = []

    def create() -> None:
        barrier.wait()
        try:
            personalize.create_solution_version(solutionArn=solution, name=name)
            outcomes.append("started")
        except ClientError as error:
            outcomes.append(error.response["Error"]["Code"])

    threads = [threading.Thread(target=create) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert sorted(outcomes) == ["ResourceAlreadyExistsException"] * 15 + ["started"]
    listed = personalize.list_solution_versions(solutionArn=solution)["solutionVersions"]
    assert len(listed) == 1
