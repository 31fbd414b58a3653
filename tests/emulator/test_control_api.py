"""The `/_emulator/` control API over HTTP and through `emulator.client.EmulatorControl`: routes, timing, reset."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

import pytest

from tests.helpers import active_solution


def call(url: str, method: str, route: str, body: bytes | None = None) -> tuple[int, Any]:
    """One raw control request; returns the HTTP status and the decoded JSON answer."""
    request = urllib.request.Request(f"{url}/_emulator/{route}", data=body, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_health_reports_the_timing(emulator, control):
    control.set_timing(training_seconds=3, setup_seconds=0.4)

    health = {"ok": True, "iam": False, "trainingSeconds": 3, "setupSeconds": 0.4}
    assert call(emulator.url, "GET", "health") == (200, health)
    assert control.health() == health


def test_set_timing_answers_the_timing_in_force(control):
    assert control.set_timing(training_seconds=1.5) == {"trainingSeconds": 1.5, "setupSeconds": 0.5}
    assert control.set_timing(setup_seconds=0) == {"trainingSeconds": 1.5, "setupSeconds": 0}


@pytest.mark.parametrize(
    "body",
    [
        pytest.param({"trainingSeconds": -1}, id="negative"),
        pytest.param({"setupSeconds": "fast"}, id="string"),
        pytest.param({"trainingSeconds": True}, id="boolean"),
        pytest.param([1, 2], id="not-an-object"),
    ],
)
def test_bad_timing_is_rejected_and_changes_nothing(emulator, control, body):
    status, answer = call(emulator.url, "POST", "timing", json.dumps(body).encode())

    assert status == 400
    assert "error" in answer
    assert control.health()["trainingSeconds"] == 2.0


@pytest.mark.parametrize(
    ("method", "route"),
    [("GET", "nothing"), ("PUT", "faults"), ("GET", "reset"), ("POST", "requests"), ("GET", "")],
)
def test_unknown_route_or_method_is_404_naming_it(emulator, method, route):
    status, answer = call(emulator.url, method, route, b"{}" if method in ("POST", "PUT") else None)

    assert status == 404
    assert answer == {"error": f"no control route {method} /_emulator/{route}"}


def test_body_that_is_not_json_is_400(emulator):
    assert call(emulator.url, "POST", "faults", b"{not json") == (400, {"error": "body must be JSON"})


def test_reset_forgets_resources_faults_and_requests_but_keeps_the_timing(personalize, control):
    solution = active_solution(personalize)
    control.add_fault(kind="throttle", operation="ListSolutions", count=5)
    control.set_timing(training_seconds=1.0)

    control.reset()

    assert control.faults() == []
    assert control.requests() == []
    assert personalize.list_solutions()["solutions"] == []
    with pytest.raises(personalize.exceptions.ResourceNotFoundException):
        personalize.describe_solution(solutionArn=solution)
    assert control.health()["trainingSeconds"] == 1.0


def test_the_client_and_launcher_keep_their_1_0_import_path():
    from personalize_pulumi.emulator import client, control, launcher

    assert control.EmulatorControl is client.EmulatorControl
    assert control.EmulatorProcess is launcher.EmulatorProcess
