"""Versions of a solution's automatic training (trainingType AUTOMATIC), started on demand through
`POST /_emulator/automatic-training` and `EmulatorControl.start_automatic_training`.

Every response is checked against botocore's output shapes by the `personalize` fixture (a version with no name
included)."""

from __future__ import annotations

import json
import urllib.error

import pytest

from tests.emulator.test_control_api import call
from tests.emulator.test_progressions import SOLUTION_MODEL, VERSION_MODEL
from tests.helpers import HELD, active_solution, unique, version_status, wait_for

REGION = "us-east-1"


def describe(personalize, arn):
    return personalize.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]


def test_describe_shows_an_automatic_full_training_with_no_name_and_no_tags(personalize, control):
    control.set_timing(training_seconds=HELD)  # CREATE PENDING for sure at the describe
    solution = active_solution(personalize)

    arn = control.start_automatic_training(solution)

    assert arn.startswith(solution + "/")
    version = describe(personalize, arn)
    assert version["trainingType"] == "AUTOMATIC" and version["trainingMode"] == "FULL"
    assert version["solutionArn"] == solution and version["status"] == "CREATE PENDING"
    assert "name" not in version, "the service names no automatic version"
    assert personalize.list_tags_for_resource(resourceArn=arn)["tags"] == []


def test_manual_versions_still_report_trainingtype_manual(personalize, control):
    solution = active_solution(personalize)
    arn = personalize.create_solution_version(solutionArn=solution, name="by-hand")["solutionVersionArn"]

    assert describe(personalize, arn)["trainingType"] == "MANUAL"


def test_list_and_the_solutions_latest_version_include_it(personalize, control):
    solution = active_solution(personalize)
    manual = personalize.create_solution_version(solutionArn=solution, name="by-hand")["solutionVersionArn"]
    automatic = control.start_automatic_training(solution)

    summaries = personalize.list_solution_versions(solutionArn=solution)["solutionVersions"]

    assert {s["solutionVersionArn"]: s["trainingType"] for s in summaries} == {manual: "MANUAL", automatic: "AUTOMATIC"}
    latest = personalize.describe_solution(solutionArn=solution)["solution"]["latestSolutionVersion"]
    assert latest["solutionVersionArn"] == automatic and latest["trainingType"] == "AUTOMATIC"


def test_it_trains_to_active_on_the_normal_timing_with_metrics(personalize, control):
    control.set_timing(training_seconds=0.4)
    solution = active_solution(personalize)
    arn = control.start_automatic_training(solution)

    wait_for(lambda: version_status(personalize, arn), ("ACTIVE",))

    version = describe(personalize, arn)
    assert version["trainingType"] == "AUTOMATIC" and version["trainingHours"] > 0
    assert personalize.get_solution_metrics(solutionVersionArn=arn)["metrics"]


def test_it_follows_the_manual_progression_and_can_be_stopped(personalize, control, moto_progression):
    solution = active_solution(personalize)
    moto_progression(VERSION_MODEL, progression="manual", times=1)

    arn = control.start_automatic_training(solution)
    stopped = control.start_automatic_training(solution)
    personalize.stop_solution_version_creation(solutionVersionArn=stopped)

    assert [version_status(personalize, arn) for _ in range(3)] == ["CREATE IN_PROGRESS", "ACTIVE", "ACTIVE"]
    assert version_status(personalize, stopped) == "CREATE STOPPED"


def test_an_armed_training_failure_applies_to_it(personalize, control):
    control.set_timing(training_seconds=0.2)
    solution = active_solution(personalize)
    control.add_fault(kind="fail_training", reason="Not enough interactions.", solution_arn=solution)

    arn = control.start_automatic_training(solution)

    assert wait_for(lambda: version_status(personalize, arn), ("CREATE FAILED", "ACTIVE")) == "CREATE FAILED"
    assert describe(personalize, arn)["failureReason"] == "Not enough interactions."


def test_it_counts_toward_the_20_trainings_per_region(personalize, control):
    control.set_timing(training_seconds=HELD)
    solution = active_solution(personalize)
    started = [control.start_automatic_training(solution) for _ in range(20)]
    try:
        with pytest.raises(urllib.error.HTTPError) as exc:
            control.start_automatic_training(solution)
        assert exc.value.code == 409
        assert json.loads(exc.value.read())["code"] == "LimitExceededException"
        with pytest.raises(personalize.exceptions.LimitExceededException):
            personalize.create_solution_version(solutionArn=solution, name=unique("manual"))
    finally:
        for arn in started:
            personalize.stop_solution_version_creation(solutionVersionArn=arn)


def test_an_automatic_training_is_refused_while_manual_ones_fill_the_quota(emulator, personalize, control):
    control.set_timing(training_seconds=HELD)
    solution = active_solution(personalize)
    started = [personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"] for _ in range(20)]
    try:
        status, answer = call(
            emulator.url, "POST", "automatic-training", json.dumps({"solutionArn": solution}).encode()
        )
        assert status == 409 and answer["code"] == "LimitExceededException" and "20" in answer["error"]
    finally:
        for arn in started:
            personalize.stop_solution_version_creation(solutionVersionArn=arn)


def test_an_unknown_solution_is_404_naming_it(emulator, personalize, control):
    solution = active_solution(personalize)
    missing = solution + "-gone"
    elsewhere = solution.replace(REGION, "eu-west-1")

    for arn in (missing, elsewhere, solution.replace("123456789012", "000000000000")):
        status, answer = call(emulator.url, "POST", "automatic-training", json.dumps({"solutionArn": arn}).encode())
        assert (status, answer["code"]) == (404, "ResourceNotFoundException") and arn in answer["error"]
    with pytest.raises(urllib.error.HTTPError) as exc:
        control.start_automatic_training(missing)
    assert exc.value.code == 404


def test_a_solution_not_active_yet_is_409_and_starts_nothing(emulator, personalize, control, moto_progression):
    moto_progression(SOLUTION_MODEL, progression="manual", times=1000)
    solution = active_solution(personalize, wait=False)

    status, answer = call(emulator.url, "POST", "automatic-training", json.dumps({"solutionArn": solution}).encode())

    assert (status, answer["code"]) == (409, "ResourceInUseException") and "not ACTIVE" in answer["error"]
    assert personalize.list_solution_versions(solutionArn=solution)["solutionVersions"] == []


def test_a_solution_without_automatic_training_is_409(emulator, personalize, control):
    control.set_timing(setup_seconds=0)
    name = unique("sol")
    group = personalize.create_dataset_group(name=f"{name}-data")["datasetGroupArn"]
    wait_for(lambda: personalize.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"], ("ACTIVE",))
    solution = personalize.create_solution(
        name=name, datasetGroupArn=group, recipeArn="arn:aws:personalize:::recipe/aws-sims", performAutoTraining=False
    )["solutionArn"]
    wait_for(lambda: personalize.describe_solution(solutionArn=solution)["solution"]["status"], ("ACTIVE",))

    status, answer = call(emulator.url, "POST", "automatic-training", json.dumps({"solutionArn": solution}).encode())

    assert (status, answer["code"]) == (409, "InvalidInputException") and "performAutoTraining" in answer["error"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({}, id="empty"),
        pytest.param({"solutionArn": 7}, id="not-a-string"),
        pytest.param({"solutionArn": "arn:aws:personalize:us-east-1:1:solution/s", "name": "x"}, id="extra-field"),
        pytest.param({"solutionArn": "my-solution"}, id="not-an-arn"),
        pytest.param({"solutionArn": "arn:aws:personalize:us-east-1:1:dataset-group/g"}, id="not-a-solution-arn"),
        pytest.param(["arn:aws:personalize:us-east-1:1:solution/s"], id="not-an-object"),
    ],
)
def test_a_bad_body_is_400_with_a_message(emulator, body):
    status, answer = call(emulator.url, "POST", "automatic-training", json.dumps(body).encode())

    assert status == 400 and "solutionArn" in answer["error"] and "code" not in answer
