"""Fault injection over the control API, seen through plain boto3 clients, and the request log that records it all."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from typing import Any

import boto3
import pytest
from botocore.config import Config
from botocore.exceptions import ClientError, ConnectionClosedError

from tests.helpers import HELD, active_solution, trainings_started, version_status, wait_for

REGION = "us-east-1"


@pytest.fixture
def no_retry(emulator):
    """A client that makes exactly one attempt per call (`total_max_attempts` counts the first one too)."""
    config = Config(retries={"mode": "standard", "total_max_attempts": 1})
    return boto3.client("personalize", region_name=REGION, config=config)


def statuses(control, operation: str) -> list[Any]:
    return [entry["status"] for entry in control.requests(operation)]


def post_faults(url: str, payload: Any) -> tuple[int, dict[str, Any]]:
    """POST raw JSON to `/_emulator/faults`; returns the HTTP status and the decoded answer."""
    request = urllib.request.Request(f"{url}/_emulator/faults", data=json.dumps(payload).encode(), method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


# Throttling


@pytest.mark.parametrize("code", ["ThrottlingException", "LimitExceededException"])
def test_throttle_answers_the_next_call_with_the_code(no_retry, control, code):
    control.add_fault(kind="throttle", operation="ListSolutions", count=1, code=code)

    with pytest.raises(ClientError) as exc:
        no_retry.list_solutions()

    err = exc.value.response["Error"]
    assert err["Code"] == code
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert statuses(control, "ListSolutions") == [400]


def test_throttle_is_used_up_after_count_calls(no_retry, control):
    control.add_fault(kind="throttle", operation="ListSolutions", count=2)

    codes = []
    for _ in range(3):
        try:
            no_retry.list_solutions()
            codes.append("OK")
        except ClientError as error:
            codes.append(error.response["Error"]["Code"])

    assert codes == ["ThrottlingException", "ThrottlingException", "OK"]
    assert control.faults() == []


@pytest.mark.parametrize(("code", "count"), [("ThrottlingException", 2), ("LimitExceededException", 1)])
def test_standard_retries_ride_out_throttling(personalize, control, code, count):
    """botocore's standard mode retries both codes as throttling: N throttled calls, then the one that succeeds.

    (Throttling backoff is up to 1 s, then 2 s, so N stays small.)
    """
    control.add_fault(kind="throttle", operation="ListSolutions", count=count, code=code)

    answer = personalize.list_solutions()

    assert answer["ResponseMetadata"]["RetryAttempts"] == count
    assert statuses(control, "ListSolutions") == [400] * count + [200]


def test_throttle_applies_only_to_its_operation(no_retry, control):
    control.add_fault(kind="throttle", operation="ListSolutions", count=1)

    no_retry.list_solution_versions()

    assert control.faults()[0]["count"] == 1


def test_throttle_on_every_operation(no_retry, control):
    control.add_fault(kind="throttle", operation="*", count=2)

    for call in (no_retry.list_solution_versions, no_retry.list_solutions):
        with pytest.raises(ClientError) as exc:
            call()
        assert exc.value.response["Error"]["Code"] == "ThrottlingException"


# HTTP 500


def test_http500_reaches_a_client_without_retries(no_retry, control):
    control.add_fault(kind="http500", operation="ListSolutions", count=1)

    with pytest.raises(ClientError) as exc:
        no_retry.list_solutions()

    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert exc.value.response["Error"]["Code"] == "InternalFailure"


def test_http500_is_retried_by_standard_retries(personalize, control):
    control.add_fault(kind="http500", operation="ListSolutions", count=2)

    answer = personalize.list_solutions()

    assert answer["ResponseMetadata"]["RetryAttempts"] == 2
    assert statuses(control, "ListSolutions") == [500, 500, 200]


# Dropped connections


def test_drop_closes_the_connection_without_an_answer(no_retry, control):
    control.add_fault(kind="drop", operation="ListSolutions", count=1)

    with pytest.raises(ConnectionClosedError):
        no_retry.list_solutions()

    assert statuses(control, "ListSolutions") == ["dropped"]


def test_drop_is_retried_by_standard_retries(personalize, control):
    control.add_fault(kind="drop", operation="ListSolutions", count=1)

    answer = personalize.list_solutions()

    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    assert statuses(control, "ListSolutions") == ["dropped", 200]


# Lost answers


def test_lose_answer_starts_the_training_and_closes_the_connection(no_retry, personalize, control):
    control.set_timing(training_seconds=HELD)  # it is still training when the test looks
    solution = active_solution(personalize)
    control.clear_requests()
    control.add_fault(kind="lose_answer", operation="CreateSolutionVersion", count=1)

    with pytest.raises(ConnectionClosedError):
        no_retry.create_solution_version(solutionArn=solution, name="lost")

    [version] = personalize.list_solution_versions(solutionArn=solution)["solutionVersions"]
    described = personalize.describe_solution_version(solutionVersionArn=version["solutionVersionArn"])
    assert described["solutionVersion"]["name"] == "lost"
    assert described["solutionVersion"]["status"] == "CREATE PENDING"
    [entry] = control.requests("CreateSolutionVersion")
    assert (entry["status"], entry["answerLost"]) == (200, True)
    assert trainings_started(control) == 1
    assert control.faults() == []


def test_a_retry_after_a_lost_answer_starts_a_second_training(personalize, fast):
    # What a client that retries a lost CreateSolutionVersion gets: two trainings, the first one nobody was told of.
    solution = active_solution(personalize)
    fast.clear_requests()
    fast.add_fault(kind="lose_answer", operation="CreateSolutionVersion", count=1)

    answer = personalize.create_solution_version(solutionArn=solution)

    assert answer["ResponseMetadata"]["RetryAttempts"] == 1
    arns = [
        v["solutionVersionArn"] for v in personalize.list_solution_versions(solutionArn=solution)["solutionVersions"]
    ]
    assert len(arns) == 2 and answer["solutionVersionArn"] == arns[0]
    assert trainings_started(fast) == 2


def test_lose_answer_of_a_refused_call_logs_the_refusal(no_retry, control):
    control.add_fault(kind="lose_answer", operation="DescribeSolution", count=1)

    with pytest.raises(ConnectionClosedError):
        no_retry.describe_solution(solutionArn="arn:aws:personalize:us-east-1:123456789012:solution/missing")

    [entry] = control.requests("DescribeSolution")
    assert (entry["status"], entry["answerLost"]) == (400, True)


def test_lose_answer_applies_only_to_its_operation(no_retry, control):
    control.add_fault(kind="lose_answer", operation="CreateSolutionVersion", count=1)

    no_retry.list_solutions()

    assert [(rule["kind"], rule["count"]) for rule in control.faults()] == [("lose_answer", 1)]
    assert "answerLost" not in control.requests("ListSolutions")[0]


# The resource in use


def test_in_use_answers_the_next_calls_with_resource_in_use_in_the_services_json_shape(no_retry, control):
    solution = "arn:aws:personalize:us-east-1:123456789012:solution/any"
    control.add_fault(kind="in_use", operation="CreateSolutionVersion", count=2)

    codes = []
    for _ in range(2):
        with pytest.raises(ClientError) as exc:
            no_retry.create_solution_version(solutionArn=solution)
        codes.append(exc.value.response["Error"]["Code"])
        assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert exc.value.response["Error"]["Message"] == "The specified resource is in use."

    assert codes == ["ResourceInUseException"] * 2
    assert statuses(control, "CreateSolutionVersion") == [400, 400]
    assert control.faults() == []


def test_in_use_applies_only_to_its_operation(no_retry, control):
    control.add_fault(kind="in_use", operation="CreateSolutionVersion", count=1)

    no_retry.list_solutions()

    assert [(rule["kind"], rule["count"]) for rule in control.faults()] == [("in_use", 1)]


# Failed trainings


def test_fail_training_ends_the_next_version_in_create_failed(personalize, fast):
    fast.add_fault(kind="fail_training", reason="Not enough interactions: 999 < 1000.")
    solution = active_solution(personalize)
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]

    assert wait_for(lambda: version_status(personalize, arn), ("ACTIVE", "CREATE FAILED")) == "CREATE FAILED"
    version = personalize.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]
    assert version["failureReason"] == "Not enough interactions: 999 < 1000."
    assert "trainingHours" not in version
    summary = personalize.list_solution_versions(solutionArn=solution)["solutionVersions"][0]
    assert summary["failureReason"] == "Not enough interactions: 999 < 1000."


def test_fail_training_fails_only_the_next_version(personalize, fast):
    fast.add_fault(kind="fail_training", count=1)
    solution = active_solution(personalize)
    failed = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    trained = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]

    assert wait_for(lambda: version_status(personalize, failed), ("ACTIVE", "CREATE FAILED")) == "CREATE FAILED"
    assert wait_for(lambda: version_status(personalize, trained), ("ACTIVE", "CREATE FAILED")) == "ACTIVE"


def test_fail_training_for_one_solution_leaves_others_alone(personalize, fast):
    other = active_solution(personalize)
    target = active_solution(personalize)
    fast.add_fault(kind="fail_training", solution_arn=target, reason="Emulated.")

    untouched = personalize.create_solution_version(solutionArn=other)["solutionVersionArn"]
    failed = personalize.create_solution_version(solutionArn=target)["solutionVersionArn"]

    assert wait_for(lambda: version_status(personalize, untouched), ("ACTIVE", "CREATE FAILED")) == "ACTIVE"
    assert wait_for(lambda: version_status(personalize, failed), ("ACTIVE", "CREATE FAILED")) == "CREATE FAILED"
    assert fast.faults() == []


def test_metrics_of_a_failed_version_are_in_use(personalize, fast):
    fast.add_fault(kind="fail_training")
    arn = personalize.create_solution_version(solutionArn=active_solution(personalize))["solutionVersionArn"]
    wait_for(lambda: version_status(personalize, arn), ("CREATE FAILED",))

    with pytest.raises(ClientError) as exc:
        personalize.get_solution_metrics(solutionVersionArn=arn)

    err = exc.value.response["Error"]
    assert err["Code"] == "ResourceInUseException"


# Rules the control API refuses


@pytest.mark.parametrize(
    "rule",
    [
        pytest.param({"kind": "explode", "operation": "ListSolutions"}, id="unknown-kind"),
        pytest.param({"operation": "ListSolutions"}, id="no-kind"),
        pytest.param({"kind": "throttle"}, id="no-operation"),
        pytest.param({"kind": "in_use"}, id="in-use-without-operation"),
        pytest.param({"kind": "lose_answer"}, id="lose-answer-without-operation"),
        pytest.param({"kind": "in_use", "operation": "CreateSolutionVersoin"}, id="in-use-unknown-operation"),
        pytest.param({"kind": "throttle", "operation": "ListSolution"}, id="unknown-operation"),
        pytest.param({"kind": "throttle", "operation": "ListSolutions", "count": 0}, id="zero-count"),
        pytest.param({"kind": "throttle", "operation": "ListSolutions", "count": "2"}, id="string-count"),
        pytest.param({"kind": "throttle", "operation": "ListSolutions", "count": True}, id="boolean-count"),
        pytest.param({"kind": "throttle", "operation": "ListSolutions", "code": "AccessDenied"}, id="bad-code"),
        pytest.param({"kind": "throttle", "operation": "ListSolutions", "cuont": 2}, id="unknown-field"),
        pytest.param({"kind": "fail_training", "reason": 5}, id="non-string-reason"),
        pytest.param(["throttle"], id="not-an-object"),
    ],
)
def test_invalid_fault_rule_is_rejected_with_http_400(emulator, control, rule):
    status, answer = post_faults(emulator.url, rule)

    assert status == 400
    assert answer["error"]
    assert control.faults() == []


def test_list_with_one_invalid_rule_arms_none(emulator, control):
    good = {"kind": "throttle", "operation": "ListSolutions"}

    status, _ = post_faults(emulator.url, [good, {"kind": "throttle", "operation": "ListSolutions", "count": -1}])

    assert status == 400
    assert control.faults() == []


def test_list_of_rules_is_armed_in_order(emulator, control):
    status, answer = post_faults(
        emulator.url, [{"kind": "http500", "operation": "ListSolutions"}, {"kind": "fail_training", "count": 2}]
    )

    assert status == 200
    assert [(rule["kind"], rule["count"]) for rule in answer["faults"]] == [("http500", 1), ("fail_training", 2)]


# The request log


def test_request_log_records_operation_params_time_and_status(personalize, control):
    before = time.time()
    personalize.list_solutions(maxResults=5)
    with pytest.raises(ClientError):
        personalize.describe_solution(solutionArn="arn:aws:personalize:us-east-1:123456789012:solution/missing")
    after = time.time()

    listed, described = control.requests()

    assert listed["operation"] == "ListSolutions"
    assert listed["params"] == {"maxResults": 5}
    assert listed["status"] == 200
    assert described["operation"] == "DescribeSolution"
    assert described["params"] == {"solutionArn": "arn:aws:personalize:us-east-1:123456789012:solution/missing"}
    assert described["status"] == 400
    assert before <= listed["time"] <= described["time"] <= after


def test_request_log_counts_calls_per_operation(personalize, control):
    for _ in range(3):
        personalize.list_solutions()
    personalize.list_solution_versions()

    assert control.count("ListSolutions") == 3
    assert control.count("ListSolutionVersions") == 1
    assert control.count("CreateSolutionVersion") == 0


def test_request_log_records_refused_requests(personalize, control):
    with pytest.raises(ClientError):
        personalize.create_dataset_group(name="bad name")

    assert statuses(control, "CreateDatasetGroup") == [400]


def test_clear_requests_empties_the_log(personalize, control):
    personalize.list_solutions()
    assert [r["operation"] for r in control.requests()] == ["ListSolutions"]

    control.clear_requests()

    assert control.requests() == []
