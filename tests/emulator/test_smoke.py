"""The emulator as a new boto3 user meets it: set up a solution, train a version, read it back."""

from __future__ import annotations

from tests.helpers import HELD, active_solution, version_status, wait_for


def test_version_trains_to_active_through_the_documented_statuses(personalize, control):
    solution = active_solution(personalize)
    control.set_timing(training_seconds=HELD)  # CREATE PENDING for sure at the first describe
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    seen = [version_status(personalize, arn)]
    control.set_timing(training_seconds=2.0)  # then 1 s in each status, counted from its creation: 10 polls each
    while seen[-1] != "ACTIVE":
        status = wait_for(lambda: version_status(personalize, arn), ("CREATE IN_PROGRESS", "ACTIVE"))
        if status != seen[-1]:
            seen.append(status)
    assert seen == ["CREATE PENDING", "CREATE IN_PROGRESS", "ACTIVE"]
    version = personalize.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]
    assert version["trainingType"] == "MANUAL" and version["trainingMode"] == "FULL"
    assert version["trainingHours"] > 0
    assert control.count("CreateSolutionVersion") == 1
