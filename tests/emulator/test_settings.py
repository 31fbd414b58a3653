"""The emulator's switches (`emulator/settings.py`): a solution version name the solution already has, refused
(ResourceAlreadyExistsException, the default) or accepted, through the control API, the launcher and the
`duplicate_names` fixture that runs a test under both; and the control API's checks of every setting (the clock
offset and the listing lag have modules of their own: test_clock_offset.py, test_listing_lag.py)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from personalize_pulumi.emulator.launcher import EmulatorProcess
from tests.emulator.test_control_api import call
from tests.helpers import active_solution

DEFAULTS = {"acceptDuplicateNames": False, "clockOffsetSeconds": 0.0, "listingLagSeconds": 0.0}
"""What `GET /_emulator/settings` answers for an emulator started without setting flags."""


def versions_named(client, solution: str, name: str) -> set[str]:
    arns = [v["solutionVersionArn"] for v in client.list_solution_versions(solutionArn=solution)["solutionVersions"]]
    described = [client.describe_solution_version(solutionVersionArn=arn)["solutionVersion"] for arn in arns]
    return {v["solutionVersionArn"] for v in described if v.get("name") == name}


def test_a_second_version_under_a_name_the_solution_has(personalize, fast, duplicate_names):
    solution = active_solution(personalize)
    first = personalize.create_solution_version(solutionArn=solution, name="nightly")["solutionVersionArn"]

    if duplicate_names:
        second = personalize.create_solution_version(solutionArn=solution, name="nightly")["solutionVersionArn"]
        assert second != first
        assert versions_named(personalize, solution, "nightly") == {first, second}, "two versions, one name"
    else:
        with pytest.raises(ClientError) as exc:
            personalize.create_solution_version(solutionArn=solution, name="nightly")
        assert exc.value.response["Error"]["Code"] == "ResourceAlreadyExistsException"
        assert versions_named(personalize, solution, "nightly") == {first}


def test_duplicate_names_fixture_sets_the_mode_its_id_names(emulator, duplicate_names):
    assert emulator.control.settings() == {**DEFAULTS, "acceptDuplicateNames": duplicate_names}


def test_after_both_modes_the_emulator_refuses_duplicates_again(emulator):
    # In a serial run, after the parametrized tests above on the same emulator: each put the default mode back. (Under
    # xdist it may run on another worker, whose emulator is in the default mode anyway.)
    assert emulator.control.settings() == DEFAULTS


# The control API


def test_settings_are_read_and_set_over_the_control_api(emulator, control):
    assert call(emulator.url, "GET", "settings") == (200, DEFAULTS)
    accepting = {**DEFAULTS, "acceptDuplicateNames": True}
    try:
        answer = call(emulator.url, "POST", "settings", json.dumps({"acceptDuplicateNames": True}).encode())
        assert answer == (200, accepting)
        assert control.settings() == accepting
        assert call(emulator.url, "POST", "settings", b"{}") == (200, accepting), "none changed"
        assert control.set_duplicate_names(accept=False) == DEFAULTS
    finally:
        control.set_duplicate_names(accept=False)


def test_every_setting_is_set_in_one_request(emulator, control):
    wanted = {"acceptDuplicateNames": True, "clockOffsetSeconds": -30.5, "listingLagSeconds": 1}
    try:
        assert call(emulator.url, "POST", "settings", json.dumps(wanted).encode()) == (200, wanted)
        assert control.settings() == wanted
    finally:
        call(emulator.url, "POST", "settings", json.dumps(DEFAULTS).encode())


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"acceptDuplicateNames": "yes"}, id="string"),
        pytest.param({"acceptDuplicateNames": 1}, id="number"),
        pytest.param({"acceptDuplicateNames": True, "acceptEverything": True}, id="unknown-field"),
        pytest.param([True], id="not-an-object"),
        pytest.param({"acceptDuplicateNames": True, "clockOffsetSeconds": "soon"}, id="one-good-one-bad"),
    ],
)
def test_bad_settings_are_rejected_and_change_nothing(emulator, control, body):
    status, answer = call(emulator.url, "POST", "settings", json.dumps(body).encode())

    assert status == 400 and "error" in answer
    assert control.settings() == DEFAULTS


@pytest.mark.parametrize(
    ("field", "value"),
    [
        pytest.param("clockOffsetSeconds", "-7200", id="offset-string"),
        pytest.param("clockOffsetSeconds", True, id="offset-boolean"),
        pytest.param("clockOffsetSeconds", None, id="offset-null"),
        pytest.param("clockOffsetSeconds", float("nan"), id="offset-nan"),
        pytest.param("clockOffsetSeconds", float("-inf"), id="offset-infinite"),
        pytest.param("listingLagSeconds", -1, id="lag-negative"),
        pytest.param("listingLagSeconds", "2", id="lag-string"),
        pytest.param("listingLagSeconds", False, id="lag-boolean"),
        pytest.param("listingLagSeconds", [2], id="lag-list"),
        pytest.param("listingLagSeconds", float("inf"), id="lag-infinite"),
    ],
)
def test_a_bad_value_is_400_with_one_line_naming_the_field(emulator, control, field, value):
    # json.dumps writes NaN and Infinity, which Python's json (the emulator's) reads back as floats.
    status, answer = call(emulator.url, "POST", "settings", json.dumps({field: value}).encode())

    assert status == 400
    assert set(answer) == {"error"}
    assert field in answer["error"] and "\n" not in answer["error"]
    assert control.settings() == DEFAULTS


def test_reset_goes_back_to_refusing_duplicates(personalize, control):
    control.set_duplicate_names(accept=True)

    control.reset()

    assert control.settings() == DEFAULTS
    solution = active_solution(personalize)
    personalize.create_solution_version(solutionArn=solution, name="nightly")
    with pytest.raises(personalize.exceptions.ResourceAlreadyExistsException):
        personalize.create_solution_version(solutionArn=solution, name="nightly")


# The launcher (`--accept-duplicate-names`)


@pytest.fixture(scope="module")
def accepting() -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(training_seconds=0.2, setup_seconds=0, accept_duplicate_names=True)
    try:
        yield process
    finally:
        process.stop()


def test_an_emulator_started_accepting_duplicates_trains_two_versions_under_one_name(accepting):
    client = accepting.client(config=Config(retries={"mode": "standard"}))
    solution = active_solution(client)

    arns = {client.create_solution_version(solutionArn=solution, name="nightly")["solutionVersionArn"] for _ in "ab"}

    assert len(arns) == 2 and versions_named(client, solution, "nightly") == arns


def test_a_reset_keeps_the_start_up_setting(accepting):
    accepting.control.set_duplicate_names(accept=False)

    accepting.control.reset()

    assert accepting.control.settings() == {**DEFAULTS, "acceptDuplicateNames": True}


def test_reset_puts_the_clock_offset_and_the_listing_lag_back_to_the_start_up_values(control):
    control.set_clock_offset(-7200)
    control.set_listing_lag(30)

    control.reset()

    assert control.settings() == DEFAULTS


# The launcher and the command line (`--clock-offset-seconds`, `--listing-lag-seconds`)


@pytest.fixture(scope="module")
def skewed() -> Iterator[EmulatorProcess]:
    process = EmulatorProcess(
        training_seconds=0.2, setup_seconds=0, clock_offset_seconds=-7200, listing_lag_seconds=1.5
    )
    try:
        yield process
    finally:
        process.stop()


def test_an_emulator_started_with_an_offset_and_a_lag_has_them_and_a_reset_keeps_them(skewed):
    started = {**DEFAULTS, "clockOffsetSeconds": -7200.0, "listingLagSeconds": 1.5}
    assert skewed.control.settings() == started

    skewed.control.set_clock_offset(0)
    skewed.control.set_listing_lag(0)
    skewed.control.reset()

    assert skewed.control.settings() == started
