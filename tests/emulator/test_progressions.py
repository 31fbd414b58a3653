"""Statuses as data: moto's `manual` and `immediate` progressions over moto's own state-manager API, the emulator's
timing on top of them, and timestamps that do not depend on the machine's time zone."""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.config import Config

from personalize_pulumi.emulator.launcher import EmulatorProcess
from tests.helpers import active_solution, moto_api, set_transition, unique, version_status

VERSION_MODEL = "personalize::solutionversion"
SOLUTION_MODEL = "personalize::solution"
DATASET_GROUP_MODEL = "personalize::datasetgroup"


def health(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{url}/_emulator/health", timeout=10) as response:
        return json.loads(response.read())


# manual


def test_manual_version_moves_one_status_per_describe(personalize, moto_progression):
    solution = active_solution(personalize)
    moto_progression(VERSION_MODEL, progression="manual", times=1)
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]

    seen = [version_status(personalize, arn) for _ in range(4)]

    assert seen == ["CREATE IN_PROGRESS", "ACTIVE", "ACTIVE", "ACTIVE"]


def test_manual_version_waits_for_describes_not_for_time(personalize, moto_progression):
    solution = active_solution(personalize)
    moto_progression(VERSION_MODEL, progression="manual", times=3)
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    time.sleep(0.5)  # more than the 0.2 s trainings of the emulator's timing

    seen = [version_status(personalize, arn) for _ in range(6)]

    assert seen == ["CREATE PENDING"] * 2 + ["CREATE IN_PROGRESS"] * 3 + ["ACTIVE"]


def test_manual_version_is_not_advanced_by_lists_tags_or_metrics(personalize, moto_progression):
    solution = active_solution(personalize)
    moto_progression(VERSION_MODEL, progression="manual", times=1)
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]

    for _ in range(3):
        personalize.list_solution_versions(solutionArn=solution)
        personalize.list_tags_for_resource(resourceArn=arn)
        personalize.describe_solution(solutionArn=solution)

    listed = personalize.list_solution_versions(solutionArn=solution)["solutionVersions"]
    assert [v["status"] for v in listed] == ["CREATE PENDING"]
    assert version_status(personalize, arn) == "CREATE IN_PROGRESS"


def test_manual_version_stops_through_stopping(personalize, moto_progression):
    solution = active_solution(personalize)
    moto_progression(VERSION_MODEL, progression="manual", times=2)
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    assert [version_status(personalize, arn) for _ in range(2)] == ["CREATE PENDING", "CREATE IN_PROGRESS"]

    personalize.stop_solution_version_creation(solutionVersionArn=arn)

    seen = [version_status(personalize, arn) for _ in range(3)]
    assert seen == ["CREATE STOPPING", "CREATE STOPPED", "CREATE STOPPED"]


def test_manual_version_with_an_armed_training_failure_fails(personalize, control, moto_progression):
    solution = active_solution(personalize)
    moto_progression(VERSION_MODEL, progression="manual", times=1)
    control.add_fault(kind="fail_training", reason="Not enough interactions.", solution_arn=solution)
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]

    version_status(personalize, arn)
    version = personalize.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]

    assert version["status"] == "CREATE FAILED"
    assert version["failureReason"] == "Not enough interactions."


def test_manual_solution_moves_one_status_per_describe(personalize, moto_progression):
    group = personalize.create_dataset_group(name=unique("dg"))["datasetGroupArn"]
    moto_progression(SOLUTION_MODEL, progression="manual", times=1)
    solution = personalize.create_solution(
        name=unique("sol"), datasetGroupArn=group, recipeArn="arn:aws:personalize:::recipe/aws-user-personalization"
    )["solutionArn"]

    def status() -> str:
        return personalize.describe_solution(solutionArn=solution)["solution"]["status"]

    with pytest.raises(personalize.exceptions.ResourceInUseException):
        personalize.create_solution_version(solutionArn=solution)
    assert [status(), status(), status()] == ["CREATE IN_PROGRESS", "ACTIVE", "ACTIVE"]
    assert personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]


def test_manual_dataset_group_moves_one_status_per_describe(personalize, moto_progression):
    moto_progression(DATASET_GROUP_MODEL, progression="manual", times=2)
    group = personalize.create_dataset_group(name=unique("dg"))["datasetGroupArn"]

    seen = [personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"] for _ in range(4)]

    assert seen == ["CREATE PENDING", "CREATE IN_PROGRESS", "CREATE IN_PROGRESS", "ACTIVE"]


# immediate


def test_immediate_version_is_active_at_the_first_describe(personalize, moto_progression):
    solution = active_solution(personalize)
    moto_progression(VERSION_MODEL, progression="immediate")
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]

    version = personalize.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]

    assert version["status"] == "ACTIVE"
    assert version["trainingHours"] >= 0
    assert personalize.get_solution_metrics(solutionVersionArn=arn)["metrics"]


def test_immediate_version_with_an_armed_training_failure_fails_at_once(personalize, control, moto_progression):
    solution = active_solution(personalize)
    moto_progression(VERSION_MODEL, progression="immediate")
    control.add_fault(kind="fail_training", reason="Emulated.", solution_arn=solution)
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]

    assert version_status(personalize, arn) == "CREATE FAILED"


def test_immediate_solution_is_active_at_once(personalize, control, moto_progression):
    control.set_timing(setup_seconds=60)
    moto_progression(SOLUTION_MODEL, progression="immediate")
    moto_progression(DATASET_GROUP_MODEL, progression="immediate")

    solution = active_solution(personalize, wait=False)

    assert personalize.describe_solution(solutionArn=solution)["solution"]["status"] == "ACTIVE"


# the emulator's timing and moto's progressions together


def test_health_reports_zero_seconds_for_a_model_on_a_moto_progression(emulator, moto_progression):
    moto_progression(VERSION_MODEL, progression="manual", times=1)

    assert health(emulator.url)["trainingSeconds"] == 0
    assert health(emulator.url)["setupSeconds"] == 0  # the `fast` timing


def test_unset_transition_comes_back_to_the_emulator_timing(emulator, control):
    control.set_timing(training_seconds=0.6)
    set_transition(emulator.url, VERSION_MODEL, progression="manual", times=1)

    moto_api(emulator.url, "unset-transition", {"model_name": VERSION_MODEL})

    assert health(emulator.url)["trainingSeconds"] == 0.6


def test_emulator_timing_replaces_a_moto_progression(personalize, emulator, fast):
    solution = active_solution(personalize)
    set_transition(emulator.url, VERSION_MODEL, progression="manual", times=1000)

    fast.set_timing(training_seconds=0.2)
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    time.sleep(0.3)

    assert version_status(personalize, arn) == "ACTIVE"


# time zones


@pytest.fixture(params=["EST5EDT,M3.2.0,M11.1.0", "JST-9"], ids=["New_York", "Tokyo"])
def off_utc_client(request, monkeypatch) -> Iterator[Any]:
    """A boto3 client of an emulator whose process runs in a time zone other than UTC (POSIX TZ rules, so no
    tz database is needed)."""
    monkeypatch.setenv("TZ", request.param)
    process = EmulatorProcess(training_seconds=0.2, setup_seconds=0)
    try:
        yield process.client(config=Config(retries={"mode": "standard"}))
    finally:
        process.stop()


def test_timestamps_are_utc_whatever_the_time_zone(off_utc_client):
    client = off_utc_client
    before = time.time()
    solution = active_solution(client)
    arn = client.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    time.sleep(0.3)
    version = client.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]
    group = client.describe_dataset_group(datasetGroupArn=version["datasetGroupArn"])["datasetGroup"]
    after = time.time()

    stamps = {
        "version created": version["creationDateTime"],
        "version updated": version["lastUpdatedDateTime"],
        "solution created": client.describe_solution(solutionArn=solution)["solution"]["creationDateTime"],
        "group created": group["creationDateTime"],
    }
    for what, stamp in stamps.items():
        assert before - 1 <= stamp.timestamp() <= after + 1, f"{what}: {stamp.isoformat()} is not now"
    assert version["status"] == "ACTIVE"
    assert 0 < version["trainingHours"] < 1 / 60
