"""What personalize_pulumi.provider.host changes in the SDK's provider host, through the real host over gRPC: this
provider's errors arrive as their message (a bug keeps its traceback), its diffs carry a detailed diff, the engine's
Cancel ends a waiting create or delete within seconds, and another dynamic provider of the program is answered as
the SDK answers it. scripts/check-floors runs this file at the lowest pulumi and grpc the project declares."""

from __future__ import annotations

import importlib.util
import sys
import threading
from pathlib import Path

import pytest
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime.proto import provider_pb2

from harness.dynamic_host import HostError
from personalize_pulumi.provider import host as host_module
from personalize_pulumi.provider.properties import TYPE_TOKEN
from tests.helpers import (
    active_solution,
    checked,
    held_in_progress,
    start_host,
    trainings_started,
    version_status,
    wait_for,
)
from tests.other_provider import TeamProvider

TRACEBACK = "Traceback (most recent call last)"


def sdk_sends_tracebacks() -> bool:
    """Whether the installed SDK host answers an exception with its traceback (`_abort_with_traceback`, newer SDKs) or
    lets grpc answer "Exception calling application: <message>" (older ones, such as the floor, 3.216)."""
    origin = importlib.util.find_spec("pulumi.dynamic.__main__").origin  # importing it would start a host
    return "_abort_with_traceback" in Path(origin).read_text()


def as_the_sdk_answers(error: str, text: str) -> bool:
    """`text` is how the SDK host alone answers an exception `error` (its traceback, or grpc's one line)."""
    if sdk_sends_tracebacks():
        return TRACEBACK in text and text.rstrip().endswith(error)
    return text == f"Exception calling application: {error.split(': ', 1)[1]}"


def test_a_provider_error_arrives_as_its_message(host, personalize):
    missing = active_solution(personalize).rsplit("/", 1)[0] + "/does-not-exist"
    name, inputs = checked(host, missing)
    with pytest.raises(HostError) as exc:
        host.create(name, inputs)
    assert exc.value.details.startswith(f"creating Personalize solution version {inputs['name']} (solution {missing})")
    assert "\n" not in exc.value.details and TRACEBACK not in exc.value.details


def test_an_error_of_the_call_that_loads_the_provider_arrives_as_its_message(host, own_host, personalize):
    """The first call a host serves loads the provider, so it runs before the host is adjusted: in a refresh that is a
    Read, and a bad profile or missing credentials fail it. (An older SDK host lets it reach grpc, which prefixes it.)"""
    missing = active_solution(personalize).rsplit("/", 1)[0] + "/does-not-exist"
    name, inputs = checked(host, missing)
    with pytest.raises(HostError) as exc:
        own_host.create(name, inputs)  # own_host's first call
    details = exc.value.details.removeprefix("Exception calling application: ")
    assert details.startswith(f"creating Personalize solution version {inputs['name']} (solution {missing})"), details
    assert "\n" not in details and TRACEBACK not in details


def test_a_gate_rejection_arrives_as_its_message(host, personalize, fast):
    name, inputs = checked(host, active_solution(personalize), minMetrics={"coverage": 0.99})
    with pytest.raises(HostError) as exc:
        host.create(name, inputs)
    assert "rejected by minMetrics: coverage is" in exc.value.details
    assert "\n" not in exc.value.details and TRACEBACK not in exc.value.details


def test_a_bug_keeps_its_traceback(host, personalize):
    name, inputs = checked(host, active_solution(personalize))
    del inputs["waitTimeoutMinutes"]  # state the check never produces: the provider fails with a KeyError
    with pytest.raises(HostError) as exc:
        host.create(name, inputs)
    assert as_the_sdk_answers("KeyError: 'waitTimeoutMinutes'", exc.value.details), exc.value.details


def test_another_dynamic_provider_is_answered_as_the_sdk_does(host):
    team = serialize_provider(TeamProvider())
    with pytest.raises(HostError) as exc:
        host.create("team", {"__provider": team, "fail": True})
    assert as_the_sdk_answers("ValueError: the team's provider failed", exc.value.details), exc.value.details
    diff = host.diff("team", "team-1", {"__provider": team, "value": 1}, {"__provider": team, "value": 2})
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME
    assert not diff.hasDetailedDiff and list(diff.diffs) == [], "no detailed diff for resources that are not ours"


def test_a_solution_version_diff_lists_only_the_changed_inputs(host, personalize, fast):
    name, inputs = checked(host, active_solution(personalize))
    id_, outs = host.create(name, inputs)
    diff = host.diff(name, id_, outs, {**inputs, "trainingMode": "UPDATE", "name": inputs["name"] + "x"})
    assert diff.hasDetailedDiff
    assert dict(diff.detailedDiff) == {
        "trainingMode": provider_pb2.PropertyDiff(kind=provider_pb2.PropertyDiff.UPDATE_REPLACE)
    }
    assert list(diff.diffs) == ["trainingMode"], "the derived name's change is trainingMode's; outputs never listed"
    retag = host.diff(name, id_, outs, {**inputs, "tags": {"team": "x"}, "tagsAll": {"team": "x"}})
    assert sorted(retag.diffs) == ["tags", "tagsAll"] and list(retag.replaces) == []
    assert host.diff(name, id_, outs, inputs).changes == provider_pb2.DiffResponse.DIFF_NONE


@pytest.fixture
def own_host(emulator):
    """A host of its own: once cancelled, a host stays cancelled (the engine stops it after the operation)."""
    started = start_host(emulator)
    yield started
    started.stop()


def run_in_background(call):
    outcome: dict = {}

    def target():
        try:
            outcome["result"] = call()
        except HostError as error:
            outcome["error"] = error

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    return thread, outcome


def test_cancel_ends_a_waiting_create_within_seconds_naming_the_arn(own_host, personalize, control):
    control.set_timing(training_seconds=600.0, setup_seconds=0.2)
    solution = active_solution(personalize)
    name, inputs = checked(own_host, solution)
    thread, outcome = run_in_background(lambda: own_host.create(name, inputs))
    wait_for(lambda: "TRAINING" if trainings_started(control) else "NONE", ("TRAINING",))
    own_host.cancel()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the create still waits after Cancel"
    details = outcome["error"].details
    assert "pulumi was interrupted (Ctrl-C) and stopped waiting" in details and TRACEBACK not in details
    assert "the training continues in AWS and is not lost: the next `pulumi up` resumes waiting" in details
    [version] = personalize.list_solution_versions(solutionArn=solution)["solutionVersions"]
    assert version["solutionVersionArn"] in details and version["status"] in ("CREATE PENDING", "CREATE IN_PROGRESS")


def test_cancel_ends_a_waiting_delete_and_the_stop_goes_on(own_host, personalize, control):
    control.set_timing(setup_seconds=0.2)
    solution = active_solution(personalize)
    name, inputs = checked(own_host, solution)
    arn = held_in_progress(personalize, control, solution, name=inputs["name"])  # a pending one stops at once
    outputs = {**inputs, "solutionVersionArn": arn, "status": "CREATE IN_PROGRESS"}
    thread, outcome = run_in_background(lambda: own_host.delete(name, arn, outputs))
    wait_for(lambda: "STOP" if control.count("StopSolutionVersionCreation") else "NONE", ("STOP",))
    own_host.cancel()
    thread.join(timeout=60)
    assert not thread.is_alive(), "the delete still waits after Cancel"
    assert version_status(personalize, arn) == "CREATE STOPPING", "it ended before the stop did (held)"
    details = outcome["error"].details
    assert "deleting Personalize solution version" in details and f"({arn}): pulumi was interrupted" in details
    assert "the stop goes on in AWS; run `pulumi destroy` again" in details and TRACEBACK not in details


def test_without_the_expected_internals_nothing_changes_and_one_line_says_so():
    lines: list[str] = []
    assert host_module._wrap_handlers(lines.append) is False  # this test process serves no ResourceProvider
    assert len(lines) == 1 and "errors are shown with Python tracebacks and Ctrl-C waits" in lines[0]
    assert "could not adjust the provider host's handlers: 0 registered ResourceProvider services found" in lines[0]


def test_the_hosts_traceback_is_replaced_only_where_it_is_the_standard_one(monkeypatch):
    import traceback
    import types

    lines: list[str] = []
    assert host_module._format_own_errors(lines.append) is False and lines == [], "not a provider host: nothing to do"

    fake_host = types.ModuleType("__main__")
    fake_host._abort_with_traceback = lambda fn: fn
    fake_host.traceback = object()
    monkeypatch.setitem(sys.modules, "__main__", fake_host)
    assert host_module._format_own_errors(lines.append) is False
    assert lines == [
        f"{TYPE_TOKEN}: errors are shown with Python tracebacks (the provider host's `traceback` is not the standard library's)"
    ]

    fake_host.traceback = traceback
    assert host_module._format_own_errors(lines.append) is True and len(lines) == 1
    assert (
        fake_host.traceback.format_exc is not traceback.format_exc
        and fake_host.traceback.print_exc is traceback.print_exc
    )
