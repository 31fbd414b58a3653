"""What a user sees on each model's row: the plugin's lines reach the engine's Log with the resource's URN, in
process (a FakeEngine, the servicer, the emulator on the fake clock: see conftest.py)."""

from __future__ import annotations

import pytest

from harness.dynamic_host import HostError
from harness.plugin_host import urn
from tests.helpers import active_solution
from tests.inprocess.test_lifecycle import _program, checked


def test_a_create_says_everything_on_its_own_row(linked, engine, personalize):
    name, inputs = checked(linked, active_solution(personalize))
    arn, _ = linked.create(name, inputs)

    mine = engine.logged(urn(name))
    assert all(line.urn == urn(name) for line in engine.logged()), "nothing under the stack or another row"
    assert any("trains a new version" in line.message for line in mine), "the reviewer's line, at check"
    assert any(arn in line.message and "started training" in line.message for line in mine)
    statuses = [line.message for line in engine.logged(urn(name), ephemeral=True)]
    assert statuses and "ACTIVE" in statuses[-1]


def test_the_reviewers_line_of_a_change_is_said_once_on_the_row(linked, engine, personalize):
    name, inputs = checked(linked, active_solution(personalize))
    arn, outputs = linked.create(name, inputs)
    news, _ = linked.check(name, {**_program(inputs), "retrainTriggers": {"data": "v2"}}, olds=inputs)
    before = len(engine.logged(urn(name)))

    linked.diff(name, arn, outputs, news)
    linked.check(name, {**_program(inputs), "retrainTriggers": {"data": "v2"}}, olds=inputs)  # a replace's 2nd check

    said = [line.message for line in engine.logged(urn(name))[before:]]
    assert len(said) == 1 and "retrainTriggers" in said[0] and "trains a new version" in said[0]


def test_a_refresh_says_what_it_found_and_never_an_update(linked, engine, personalize):
    name, inputs = checked(linked, active_solution(personalize), tags={"team": "ml"})
    arn, outputs = linked.create(name, inputs)
    personalize.tag_resource(resourceArn=arn, tags=[{"tagKey": "team", "tagValue": "changed"}])
    before = len(engine.logged(urn(name)))

    _, read, read_inputs = linked.read(name, arn, outputs, inputs)
    linked.diff(name, arn, read, read_inputs)

    said = " ".join(line.message for line in engine.logged(urn(name))[before:])
    assert "updates the version in place" not in said


def test_an_engine_that_refuses_lines_gets_them_on_stdout(linked, engine, personalize, capsys):
    engine.refuse = True
    name, inputs = checked(linked, active_solution(personalize))
    arn, _ = linked.create(name, inputs)
    out = capsys.readouterr().out
    assert arn in out and "the engine did not take a line" in out


def test_a_failure_is_one_line_to_the_engine_and_none_on_the_row(linked, engine, personalize):
    name, inputs = checked(linked, active_solution(personalize), minMetrics={"coverage": 0.99})
    with pytest.raises(HostError) as failed:
        linked.create(name, inputs)
    assert "\n" not in failed.value.details
    assert all(failed.value.details != line.message for line in engine.logged(urn(name)))
