"""The engine link (personalize_pulumi/provider/host.py, messages.py) through the real host: a host started with an
engine's address, as the engine starts it, sends every line of a SolutionVersion to that engine's `Log` with the
resource's URN (statuses ephemeral, the rest kept); a host without one prints them on stdout as before, after one line
saying why. scripts/check-floors runs this file at the lowest pulumi and grpc the project declares."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from harness.dynamic_host import DynamicHost, FakeEngine, urn
from personalize_pulumi.provider.properties import OWNER_TYPE_TOKEN, TYPE_TOKEN
from tests.helpers import FAST_POLLING, REGION, active_solution, checked, marked, poll_until, unique

FALLBACK_NOTICE = f"{TYPE_TOKEN}: progress is printed under the stack, not on each resource's row"


def start(emulator: Any, engine: FakeEngine | None, region: str = REGION) -> DynamicHost:
    host = DynamicHost(env={**emulator.env(REGION), **FAST_POLLING}, engine=engine)
    host.configure({"aws:region": region})
    return host


@pytest.fixture
def linked(emulator: Any, engine: FakeEngine) -> Iterator[DynamicHost]:
    """A host the fake engine started (its address is the host's last argument)."""
    host = start(emulator, engine)
    yield host
    host.stop()


def texts(lines: list[Any]) -> list[str]:
    return [line.message for line in lines]


def test_a_create_says_everything_on_its_own_resource(linked, engine, personalize, control):
    control.set_timing(training_seconds=1.0, setup_seconds=0)
    name, inputs = checked(linked, active_solution(personalize))
    arn, _ = linked.create(name, inputs)
    mine = engine.logged(urn(name))
    kept = [line for line in mine if not line.ephemeral]
    statuses = [line for line in mine if line.ephemeral]
    assert [line.message for line in kept if "training" in line.message] == [
        next(text for text in texts(kept) if text.startswith(f"started training {arn};"))
    ], "one started-training line, under the resource"
    started = next(line for line in kept if line.message.startswith("started training"))
    assert started.severity == "info" and "stop-solution-version-creation" in started.message
    assert any(line.message.startswith("CREATE ") and " elapsed" in line.message for line in statuses), texts(mine)
    assert statuses[-1].message.startswith("ACTIVE after "), "the last status is the final one"
    assert engine.logged(urn="") == [], "nothing on the stack"
    assert not [line for line in linked.output if arn in line or FALLBACK_NOTICE in line], linked.output


def test_the_reviewers_lines_go_to_the_resource_once_each(linked, engine, personalize, fast):
    solution = active_solution(personalize)
    name = unique("model")
    news = {"solutionArn": solution, "nameScope": f"proj/dev/{name}"}
    inputs, _ = linked.check(name, news)
    linked.check(name, news)  # a replace's second Check (no olds): no second line
    assert [(line.message, line.ephemeral) for line in engine.logged(urn(name))] == [
        (f"{name}: trains a new version", False)
    ]

    other = unique("model")
    _, other_inputs = checked(linked, solution, resource=other)
    id_, outs = linked.create(other, other_inputs)
    engine.lines.clear()
    linked.diff(other, id_, outs, {**other_inputs, "retrainTriggers": {"data": "2"}})
    [line] = engine.logged(urn(other))
    assert line.message.startswith(f"{other}: trains a new version because retrainTriggers changes")
    assert line.severity == "info" and not line.ephemeral

    engine.lines.clear()
    linked.delete(other, id_, outs)
    [forget] = engine.logged(urn(other))
    assert (
        forget.message.startswith(f"{other}: forgets {id_} (ACTIVE): it stays in Personalize") and not forget.ephemeral
    )


def test_a_refresh_says_what_it_found_and_never_an_update(linked, engine, personalize, fast):
    name, inputs = checked(linked, active_solution(personalize))
    id_, outs = linked.create(name, inputs)
    personalize.tag_resource(resourceArn=id_, tags=[{"tagKey": "outside", "tagValue": "1"}])
    _, read_outs, read_inputs = linked.read(name, id_, outs, inputs)
    engine.lines.clear()
    # What the engine sends after a refresh's Read: what it read against the program's last inputs.
    linked.diff(name, id_, read_outs, inputs)
    [line] = engine.logged(urn(name))
    assert line.message.startswith(f"{name}: found the version changed outside the stack: tagsAll differs")
    assert "updates the version in place" not in line.message
    engine.lines.clear()
    linked.diff(name, id_, read_outs, inputs)  # a Diff after that one is a preview's: the reviewer's line again
    [again] = engine.logged(urn(name))
    assert "no training; updates the version in place: retags it" in again.message


def test_a_stack_region_other_than_the_solutions_is_a_warning_on_the_resource(emulator, engine, control):
    host = start(emulator, engine, region="eu-west-1")
    try:
        control.clear_requests()
        name = unique("model")
        solution = f"arn:aws:personalize:{REGION}:123456789012:solution/{name}"
        _, failures = host.check(name, {"solutionArn": solution, "nameScope": f"p/dev/{name}"})
        assert failures == []
        warnings = engine.logged(urn(name))
        warnings = [line for line in warnings if line.severity == "warning"]
        assert len(warnings) == 1 and f"trains in {REGION}" in warnings[0].message
        assert "eu-west-1" in warnings[0].message and name in warnings[0].message
        host.check(name, {"solutionArn": solution, "nameScope": f"p/dev/{name}", "region": REGION})
        same = unique("model")
        host.check(same, {"solutionArn": solution.replace(REGION, "eu-west-1"), "nameScope": f"p/dev/{same}"})
        assert [line for line in engine.logged() if line.severity == "warning"] == warnings
        assert control.requests() == [], "no AWS calls"
    finally:
        host.stop()


def test_a_stopped_unrecorded_training_is_said_on_the_owners_resource(linked, engine, personalize, control):
    control.set_timing(training_seconds=600.0, setup_seconds=0)
    solution = active_solution(personalize)
    name = unique("model")
    identity = {"solutionArn": solution, "nameScope": f"proj/dev/{name}"}
    owner_id, owner = linked.create_owner(f"{name}-owner", identity)
    _, inputs = checked(
        linked, solution, resource=name, ownerToken=owner["token"], ownerCreatedAt=owner["serviceCreatedAt"]
    )
    # What an interrupted `up` leaves: a training of the resource's that no state records.
    arn = personalize.create_solution_version(solutionArn=solution, name=inputs["name"], tags=marked(inputs))[
        "solutionVersionArn"
    ]
    linked.delete_owner(f"{name}-owner", owner_id, owner, identity)
    [line] = engine.logged(urn(f"{name}-owner", type_token=OWNER_TYPE_TOKEN))
    assert f"stopped the training {arn}" in line.message and not line.ephemeral and line.severity == "info"


def test_without_an_engine_address_lines_go_to_stdout_after_one_line_saying_so(emulator, personalize, control):
    control.set_timing(training_seconds=1.0, setup_seconds=0)
    host = start(emulator, None)
    try:
        for _ in range(2):
            name, inputs = checked(host, active_solution(personalize))
            arn, _ = host.create(name, inputs)
        notices = poll_until(lambda: [line for line in host.output if FALLBACK_NOTICE in line], "the notice")
        assert len(notices) == 1 and "started without the engine's address" in notices[0]
        started = poll_until(lambda: [line for line in host.output if f"started training {arn};" in line], "the line")
        assert started == [
            line for line in started if line.startswith(f"personalize solution version {inputs['name']}: ")
        ]
        assert len(started) == 1
        assert any(f"{arn} is CREATE" in line and "elapsed)" in line for line in host.output), host.output
        assert not [line for line in host.output if "ACTIVE after" in line], "statuses that are not notable stay off"
    finally:
        host.stop()


def test_an_engine_that_refuses_lines_gets_them_on_stdout(emulator, personalize, fast):
    refusing = FakeEngine(refuse=True)
    host = start(emulator, refusing)
    try:
        name, inputs = checked(host, active_solution(personalize))
        # The host's stdout is read on a thread of the harness: wait for the lines to arrive.
        poll_until(lambda: [line for line in host.output if f"{name}: trains a new version" in line], "the line")
        [notice] = poll_until(lambda: [line for line in host.output if FALLBACK_NOTICE in line], "the notice")
        assert "the engine did not take a line" in notice and "shutting down" in notice
    finally:
        host.stop()
        refusing.stop()
