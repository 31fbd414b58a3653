"""The service's clock (`clockOffsetSeconds`, `emulator/settings.py`): every time the emulator reports is the
machine's plus the offset, the HTTP Date header included (one per answer), while trainings keep their schedule."""

from __future__ import annotations

import http.client
import time
import urllib.parse
from collections.abc import Iterator
from email.utils import parsedate_to_datetime

import pytest
from botocore.exceptions import ClientError

from tests.helpers import HELD, active_solution, version_status, wait_for

OFFSET = -7200.0
SLACK = 1.0
"""Seconds of rounding allowed on top of the window a test measures (the Date header has whole seconds)."""


@pytest.fixture
def offset(control) -> Iterator[float]:
    """The service's clock two hours behind the machine's for this test; the offset in force before comes back."""
    before = control.settings()["clockOffsetSeconds"]
    control.set_clock_offset(OFFSET)
    try:
        yield OFFSET
    finally:
        control.set_clock_offset(before)


def within(moment: float, start: float, end: float, offset: float) -> bool:
    """Whether `moment` (epoch seconds on the service's clock) fell between the machine's `start` and `end`."""
    return start + offset - SLACK <= moment <= end + offset + SLACK


def test_creation_times_are_on_the_service_clock(personalize, fast, offset):
    start = time.time()
    solution_arn = active_solution(personalize)
    version_arn = personalize.create_solution_version(solutionArn=solution_arn)["solutionVersionArn"]
    end = time.time()

    solution = personalize.describe_solution(solutionArn=solution_arn)["solution"]
    group = personalize.describe_dataset_group(datasetGroupArn=solution["datasetGroupArn"])["datasetGroup"]
    version = personalize.describe_solution_version(solutionVersionArn=version_arn)["solutionVersion"]
    for resource in (group, solution, version):
        assert within(resource["creationDateTime"].timestamp(), start, end, offset), resource
        assert within(resource["lastUpdatedDateTime"].timestamp(), start, time.time(), offset), resource


def test_a_finished_training_is_dated_on_the_service_clock(personalize, fast, offset):
    solution = active_solution(personalize)
    start = time.time()
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]

    wait_for(lambda: version_status(personalize, arn), ("ACTIVE",))

    version = personalize.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]
    assert within(version["lastUpdatedDateTime"].timestamp(), start, time.time(), offset)
    listed = personalize.list_solution_versions(solutionArn=solution)["solutionVersions"][0]
    assert within(listed["lastUpdatedDateTime"].timestamp(), start, time.time(), offset)


def test_the_date_header_of_an_answer_is_on_the_service_clock(personalize, control, offset):
    start = time.time()
    answer = personalize.list_solutions()
    end = time.time()

    date = parsedate_to_datetime(answer["ResponseMetadata"]["HTTPHeaders"]["date"])
    assert within(date.timestamp(), start, end, offset)


def test_the_date_header_of_an_error_is_on_the_service_clock(personalize, control, offset):
    start = time.time()
    with pytest.raises(ClientError) as exc:
        personalize.describe_solution(solutionArn="arn:aws:personalize:us-east-1:123456789012:solution/missing")
    end = time.time()

    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"
    date = parsedate_to_datetime(exc.value.response["ResponseMetadata"]["HTTPHeaders"]["date"])
    assert within(date.timestamp(), start, end, offset)


def raw_personalize_call(url: str, operation: str, body: str = "{}") -> http.client.HTTPResponse:
    """One Personalize call over http.client (which keeps every header line as sent), answered and read."""
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {
        "X-Amz-Target": f"AmazonPersonalize.{operation}",
        "Content-Type": "application/x-amz-json-1.1",
        "Authorization": "AWS4-HMAC-SHA256 Credential=testing/20240101/us-east-1/personalize/aws4_request, "
        "SignedHeaders=host, Signature=0",
    }
    connection.request("POST", "/", body=body, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return response


@pytest.mark.parametrize(
    ("operation", "body", "status"),
    [
        pytest.param("ListSolutions", "{}", 200, id="success"),
        pytest.param(
            "DescribeSolution",
            '{"solutionArn": "arn:aws:personalize:us-east-1:123456789012:solution/x"}',
            400,
            id="moto-error",
        ),
        pytest.param("DescribeSolution", "{}", 400, id="validation-error"),
        pytest.param("ListSolutions", "{not json", 400, id="not-json"),
    ],
)
def test_every_answer_has_exactly_one_date_header(emulator, control, offset, operation, body, status):
    start = time.time()
    response = raw_personalize_call(emulator.url, operation, body)
    end = time.time()

    assert response.status == status
    dates = response.msg.get_all("Date") or []
    assert len(dates) == 1, response.getheaders()
    assert within(parsedate_to_datetime(dates[0]).timestamp(), start, end, offset)


def test_a_throttled_answer_has_exactly_one_date_header(emulator, control, offset):
    control.add_fault(kind="throttle", operation="ListSolutions", count=1)

    response = raw_personalize_call(emulator.url, "ListSolutions")

    assert response.status == 400
    assert len(response.msg.get_all("Date") or []) == 1, response.getheaders()


def test_a_training_takes_its_seconds_with_an_offset(personalize, fast, offset):
    fast.set_timing(training_seconds=2.0)
    solution = active_solution(personalize)
    start = time.monotonic()
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]

    wait_for(lambda: version_status(personalize, arn), ("ACTIVE",))

    assert time.monotonic() - start >= 2.0, "the offset must not shorten a training"


def test_changing_the_offset_during_a_training_makes_it_neither_jump_nor_stall(personalize, fast):
    fast.set_timing(training_seconds=HELD)
    solution = active_solution(personalize)
    arn = personalize.create_solution_version(solutionArn=solution)["solutionVersionArn"]
    before = fast.settings()["clockOffsetSeconds"]
    try:
        fast.set_clock_offset(2 * HELD)  # a training measured on the service's clock would be over at once
        assert version_status(personalize, arn) == "CREATE PENDING"

        fast.set_clock_offset(-2 * HELD)  # ... and one measured on it would now wait another 2 * HELD seconds
        fast.set_timing(training_seconds=0.2)
        assert wait_for(lambda: version_status(personalize, arn), ("ACTIVE",)) == "ACTIVE"
    finally:
        fast.set_clock_offset(before)
