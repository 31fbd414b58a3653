"""Attempts and adoption through the real dynamic-provider host: a failed or stopped version is followed by `<name>-2`,
`-3`, ...; every attempt is adopted, never trained twice; and a plain create costs one CreateSolutionVersion, not a
scan of the solution's history."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from pulumi.runtime.proto import provider_pb2

from harness.dynamic_host import HostError
from personalize_pulumi.provider import naming
from personalize_pulumi.provider.naming import NAME_MAX, attempt_name, attempt_number
from tests.helpers import (
    HELD,
    active_solution,
    checked,
    is_permission_check,
    marked,
    said_it_adopted,
    start_host,
    unique,
    version_status,
    wait_for,
)

pytestmark = pytest.mark.usefixtures("fast")  # trainings of 0.2 s: these tests are about names, not timing


def started(control: Any) -> list[str]:
    """Names of the versions CreateSolutionVersion started (a refused duplicate name starts none)."""
    return [e["params"]["name"] for e in control.requests("CreateSolutionVersion") if e["status"] == 200]


def stopped_version(
    personalize: Any, control: Any, solution: str, name: str, inputs: dict[str, Any] | None = None, attempt: int = 1
) -> str:
    """A version called `name`, stopped while CREATE PENDING (slow timing meanwhile, so it cannot finish first); with
    `inputs`, marked as attempt `attempt` of that resource (as its own create would have)."""
    before = control.set_timing()
    control.set_timing(training_seconds=HELD)
    tags = marked(inputs, attempt) if inputs is not None else []
    try:
        arn = personalize.create_solution_version(solutionArn=solution, name=name, tags=tags)["solutionVersionArn"]
        personalize.stop_solution_version_creation(solutionVersionArn=arn)
        wait_for(lambda: version_status(personalize, arn), ("CREATE STOPPED",))
    finally:
        control.set_timing(training_seconds=before["trainingSeconds"])
    return arn


def older_versions(personalize: Any, solution: str, count: int) -> list[str]:
    """`count` finished versions (ACTIVE) of `solution`, oldest first."""
    arns = [
        personalize.create_solution_version(solutionArn=solution, name=unique("old"))["solutionVersionArn"]
        for _ in range(count)
    ]
    for arn in arns:
        wait_for(lambda arn=arn: version_status(personalize, arn), ("ACTIVE",))
    return arns


def test_attempt_names_are_deterministic_and_fit_the_63_character_limit():
    assert [attempt_name("m-1a2b", n) for n in (1, 2, 3, 10)] == ["m-1a2b", "m-1a2b-2", "m-1a2b-3", "m-1a2b-10"]
    long = "x" * NAME_MAX
    assert all(len(attempt_name(long, n)) == NAME_MAX for n in (2, 10, 123, 10**6))
    for base in ("m-1a2b", long, "model-2", "y" * 61, "z" * 62):
        assert [attempt_number(base, attempt_name(base, n)) for n in (1, 2, 17, 123, 10**6)] == [1, 2, 17, 123, 10**6]
    assert (
        attempt_number("m", "m-1") is None
        and attempt_number("m", "m-02") is None
        and attempt_number("m", "mm-2") is None
    )
    assert attempt_number("m", "other") is None and attempt_number("m", None) is None


def test_attempt_names_that_fit_are_the_name_and_its_number_as_before():
    assert attempt_name("y" * (NAME_MAX - 2), 2) == "y" * (NAME_MAX - 2) + "-2"
    assert attempt_name("y" * (NAME_MAX - 3), 10) == "y" * (NAME_MAX - 3) + "-10"


def test_a_shortened_attempt_name_keeps_a_hash_of_the_whole_name():
    first, second = "p" * 61 + "a", "p" * 61 + "b"  # the same first 61 characters: "-2" does not fit after either
    names = {base: [attempt_name(base, n) for n in (2, 3, 10, 123)] for base in (first, second)}
    assert not set(names[first]) & set(names[second]), "two resources never share an attempt name"
    for base, others in ((first, second), (second, first)):
        assert all(len(name) <= NAME_MAX and naming.is_name(name) for name in names[base])
        assert all(attempt_number(others, name) is None for name in names[base])
    assert attempt_name(first, 2).startswith("p" * 54 + "-") and attempt_name(first, 2).endswith("-2")
    assert attempt_number(first, first[:61] + "-2") is None, "the old cut name is no longer an attempt of it"


def test_a_plain_create_on_a_solution_with_20_older_versions_describes_none_of_them(host, personalize, control):
    solution = active_solution(personalize)
    older_versions(personalize, solution, 20)
    name, inputs = checked(host, solution)
    control.clear_requests()

    id_, outs = host.create(name, inputs)

    assert outs["status"] == "ACTIVE" and outs["versionName"] == inputs["name"]
    operations = [e["operation"] for e in control.requests()]
    before_create = [
        e["operation"]
        for e in control.requests()[: operations.index("CreateSolutionVersion")]
        if not is_permission_check(e)
    ]
    # One listing looks for a training an interrupted run started; the ACTIVE history predates the owner: no describe.
    assert before_create.count("ListSolutionVersions") == 1
    assert before_create.count("DescribeSolutionVersion") == 0
    assert operations.count("CreateSolutionVersion") == 1


def test_a_stopped_version_is_followed_by_attempt_2(host, personalize, control):
    solution = active_solution(personalize)
    name, inputs = checked(host, solution)
    first = stopped_version(personalize, control, solution, inputs["name"], inputs)
    control.clear_requests()
    host.output.clear()

    id_, outs = host.create(name, inputs)

    second = f"{inputs['name']}-2"
    assert id_ != first and outs["status"] == "ACTIVE"
    assert outs["versionName"] == second and outs["name"] == inputs["name"], "name stays the checked input: no diff"
    assert started(control) == [second]
    assert any(first in line and "ended CREATE STOPPED" in line and second in line for line in host.output)
    assert host.diff(name, id_, outs, inputs).changes == provider_pb2.DiffResponse.DIFF_NONE


def test_a_failed_attempt_is_retrained_by_the_next_create_and_a_third_create_adopts_attempt_2(
    host, personalize, control
):
    solution = active_solution(personalize)
    control.add_fault(kind="fail_training", reason="Not enough interactions.", solution_arn=solution)
    name, inputs = checked(host, solution)
    with pytest.raises(HostError) as exc:
        host.create(name, inputs)
    assert "CREATE FAILED: Not enough interactions." in exc.value.last_line
    assert f"train the next attempt ({inputs['name']}-2)" in exc.value.last_line

    id_, outs = host.create(name, inputs)
    assert outs["status"] == "ACTIVE" and outs["versionName"] == f"{inputs['name']}-2"

    control.clear_requests()
    again_id, again = host.create(name, inputs)
    assert again_id == id_ and again["versionName"] == f"{inputs['name']}-2"
    assert started(control) == [], "attempt 2 is adopted, not trained again"
    assert control.count("DescribeSolutionVersion") <= 3


def test_refresh_finding_a_stopped_version_previews_a_replace_that_trains_the_next_attempt(host, personalize, control):
    solution = active_solution(personalize)
    name, inputs = checked(host, solution, tags={"team": "ml"})
    old_arn = stopped_version(personalize, control, solution, inputs["name"], inputs)
    old_state = {**inputs, "solutionVersionArn": old_arn, "status": "ACTIVE"}

    _, refreshed, refreshed_inputs = host.read(name, old_arn, old_state)
    assert refreshed["status"] == "CREATE STOPPED" and refreshed_inputs["name"] == inputs["name"]
    diff = host.diff(name, old_arn, refreshed, inputs)
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME and "status" in diff.replaces

    new_id, new = host.create(name, inputs)
    assert (
        new["status"] == "ACTIVE" and new["versionName"] == f"{inputs['name']}-2" and new["tagsAll"] == {"team": "ml"}
    )
    host.delete(name, old_arn, refreshed)
    assert control.count("StopSolutionVersionCreation") == 1, "only the test's own stop; the old version is forgotten"


def test_concurrent_creates_of_the_next_attempt_train_it_once(host, personalize, control):
    control.set_timing(training_seconds=1, setup_seconds=0)
    solution = active_solution(personalize)
    name, inputs = checked(host, solution)
    stopped_version(personalize, control, solution, inputs["name"], inputs)
    control.clear_requests()
    results: list[Any] = [None, None]

    def run(index: int) -> None:
        results[index] = host.create(name, inputs)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    (first_id, first), (second_id, second) = results
    assert first_id == second_id and first["status"] == second["status"] == "ACTIVE"
    assert started(control) == [f"{inputs['name']}-2"], "never two trainings for one resource"


def test_adoption_scans_newest_first_and_stops_at_the_first_attempt(host, personalize, control):
    solution = active_solution(personalize)
    older_versions(personalize, solution, 5)
    name, inputs = checked(host, solution)
    id_, _ = host.create(name, inputs)
    older_versions(personalize, solution, 5)
    control.clear_requests()

    again_id, again = host.create(name, inputs)

    assert again_id == id_ and again["status"] == "ACTIVE" and started(control) == []
    asked = [e for e in control.requests("ListTagsForResource") if not is_permission_check(e)]
    read = [e["params"]["resourceArn"] for e in asked]
    assert read[:6][-1] == id_ and id_ not in read[:5], "the 5 newer versions' markers, then ours: no older one"
    assert len(set(read[:6])) == 6
    described = [e["params"]["solutionVersionArn"] for e in control.requests("DescribeSolutionVersion")]
    assert set(described) <= {id_, f"{inputs['solutionArn']}/*"}, "only ours is described"


def test_an_interrupted_create_of_attempt_2_is_adopted_by_the_next_one(emulator, personalize, control):
    solution = active_solution(personalize)
    first = start_host(emulator)
    name, inputs = checked(first, solution)
    stopped_version(personalize, control, solution, inputs["name"], inputs)
    control.set_timing(training_seconds=3)
    control.clear_requests()
    worker = threading.Thread(target=lambda: _ignore_errors(first.create, name, inputs))
    worker.start()
    wait_for(lambda: "started" if started(control) else "waiting", ("started",))
    first.kill()
    worker.join(10)

    second = start_host(emulator)
    try:
        id_, outs = second.create(name, inputs)
    finally:
        second.stop()
    assert outs["status"] == "ACTIVE" and outs["versionName"] == f"{inputs['name']}-2"
    assert started(control) == [f"{inputs['name']}-2"], "the running attempt 2 is adopted, not trained again"
    assert said_it_adopted(second.output, id_)


def _ignore_errors(call: Any, *args: Any) -> None:
    try:
        call(*args)
    except HostError:
        pass  # the host was killed under it, as a second Ctrl-C does


def test_a_newer_automatic_version_is_skipped_by_the_adoption_scan_without_a_describe(host, personalize, control):
    solution = active_solution(personalize)
    name, inputs = checked(host, solution)
    id_, _ = host.create(name, inputs)
    control.set_timing(training_seconds=HELD)
    automatic = control.start_automatic_training(solution)  # newer than the attempt, still training (then stopped)
    control.clear_requests()
    try:
        again_id, again = host.create(name, inputs)
    finally:
        personalize.stop_solution_version_creation(solutionVersionArn=automatic)

    assert again_id == id_ and again["versionName"] == inputs["name"] and again["trainingType"] == "MANUAL"
    assert started(control) == [], "attempt 1 is adopted; the automatic training is not taken for it"
    described = [e["params"]["solutionVersionArn"] for e in control.requests("DescribeSolutionVersion")]
    assert automatic not in described, "AUTOMATIC versions are never attempts: skipped from the list summaries"


def test_a_newer_automatic_version_does_not_count_as_an_attempt_after_a_stopped_one(host, personalize, control):
    solution = active_solution(personalize)
    name, inputs = checked(host, solution)
    first = stopped_version(personalize, control, solution, inputs["name"], inputs)
    automatic = control.start_automatic_training(solution)
    wait_for(lambda: version_status(personalize, automatic), ("ACTIVE",))
    control.clear_requests()

    id_, outs = host.create(name, inputs)

    assert id_ not in (first, automatic) and outs["versionName"] == f"{inputs['name']}-2"
    assert started(control) == [f"{inputs['name']}-2"]
    read = [e["params"]["resourceArn"] for e in control.requests("ListTagsForResource")]
    assert automatic not in read and first in read, "an automatic version is skipped unread"


def test_two_long_names_alike_in_their_first_61_characters_train_their_own_second_attempts(host, personalize, control):
    solution = active_solution(personalize)
    control.add_fault(kind="fail_training", reason="Not enough interactions.", count=2, solution_arn=solution)
    prefix = unique("shared").ljust(61, "p")
    models = [checked(host, solution, name=prefix + last) for last in "ab"]
    for name, inputs in models:  # both first attempts end CREATE FAILED
        with pytest.raises(HostError) as exc:
            host.create(name, inputs)
        assert "CREATE FAILED: Not enough interactions." in exc.value.last_line

    (first_id, first), (second_id, second) = [host.create(name, inputs) for name, inputs in models]

    assert first["status"] == second["status"] == "ACTIVE"
    assert first_id != second_id and first["versionName"] != second["versionName"], "no adoption of the other's"
    assert [first["versionName"], second["versionName"]] == [attempt_name(inputs["name"], 2) for _, inputs in models]
    assert started(control) == [models[0][1]["name"], models[1][1]["name"], first["versionName"], second["versionName"]]
