"""The plugin's answers to what the engine sends, through a real `pulumi-resource-personalize` process: properties
serialized as the engine serializes them (unknowns, numbers as floats), check and diff with no AWS call, Cancel, the
partial create that keeps a training tracked, and many trainings at once in one process."""

from __future__ import annotations

import json
import threading
from typing import Any

import boto3
import pytest
from pulumi.output import Unknown

from harness.dynamic_host import HostError
from harness.plugin_host import InitFailed, PluginHost, urn
from personalize_pulumi.plugin.config import OWNERSHIP_KEY
from personalize_pulumi.plugin.schema import schema_json
from personalize_pulumi.provider.properties import NAME_SCOPE, OWNER_TOKEN
from tests.helpers import HELD, active_solution, poll_until, trainings_started, version_status

UNKNOWN = Unknown()


def test_check_config_makes_an_ownership_key_once_and_keeps_it(plugin):
    response, first = plugin.check_config({"region": "us-east-1"})
    assert response.failures == [] and len(first[OWNERSHIP_KEY]) == 64
    secret = response.inputs.fields[OWNERSHIP_KEY].struct_value.fields
    assert secret["4dabf18193072939515e22adb298388d"].string_value == "1b47061264138c4ac30d75fd1eb44270"
    _, again = plugin.check_config({"region": "us-east-1"}, olds=first)
    assert again[OWNERSHIP_KEY] == first[OWNERSHIP_KEY]


def test_a_malformed_default_tags_config_fails_check_config_naming_it(plugin):
    response, _ = plugin.check_config({"defaultTags": "{not json"})
    assert [f.property for f in response.failures] == ["defaultTags"]
    assert "aws:defaultTags" in response.failures[0].reason or "defaultTags" in response.failures[0].reason


def test_a_preview_with_unknowns_checks_and_diffs_with_no_aws_call(plugin, no_aws):
    inputs, failures = plugin.check("model", {"solutionArn": UNKNOWN, "tags": {"team": "ml"}})
    assert failures == []
    assert isinstance(inputs["name"], Unknown), "a name derived from an unknown solution is unknown"
    assert inputs[NAME_SCOPE] == "models/dev/model" and isinstance(inputs[OWNER_TOKEN], str)
    _, created = plugin.create("model", inputs, preview=True)
    assert isinstance(created["name"], Unknown)
    assert no_aws.requests() == [], "check, diff and a previewed create make no AWS call"
    assert any(
        line.urn == urn("model") and line.message == "model: trains a new version" for line in plugin.engine.lines
    )


def test_bad_input_fails_check_in_one_sentence_naming_the_property(plugin, no_aws):
    _, failures = plugin.check(
        "model", {"solutionArn": "arn:aws:personalize:us-east-1:123456789012:solution/s", "trainingMode": "FAST"}
    )
    assert len(failures) == 1 and failures[0].startswith("trainingMode ")
    assert "\n" not in failures[0] and "Traceback" not in failures[0]
    assert no_aws.requests() == []


def test_numbers_arrive_as_floats_and_diff_nothing_against_the_state(plugin, fast, personalize, no_aws):
    solution = active_solution(personalize)
    news = {"solutionArn": solution, "waitTimeoutMinutes": 90, "minMetrics": {"coverage": 0}}
    inputs, failures = plugin.check("model", news)
    assert failures == []
    arn, outputs = plugin.create("model", inputs)
    assert outputs["status"] == "ACTIVE" and outputs["waitTimeoutMinutes"] == 90.0
    again, _ = plugin.check("model", news, olds=inputs)
    assert again[OWNER_TOKEN] == inputs[OWNER_TOKEN] and again["name"] == inputs["name"]
    no_aws.clear_requests()
    diff = plugin.diff("model", arn, outputs, again)
    assert diff.changes == diff.DIFF_NONE and list(diff.replaces) == []
    assert no_aws.requests() == []


def test_the_owner_token_is_the_providers_own(emulator, no_aws):
    """Two providers (two stacks, or two backends) give the same URN different tokens; one provider always the same."""
    from tests.helpers import FAST_POLLING, REGION

    first, second = (PluginHost(env={**emulator.env(REGION), **FAST_POLLING}) for _ in range(2))
    try:
        first.configure(), second.configure()
        news = {"solutionArn": "arn:aws:personalize:us-east-1:123456789012:solution/s"}
        a, b = first.check("model", news)[0], second.check("model", news)[0]
        assert a[OWNER_TOKEN] != b[OWNER_TOKEN] and a["name"] != b["name"]
        assert first.check("model", news)[0][OWNER_TOKEN] == a[OWNER_TOKEN]
    finally:
        first.stop(), second.stop()


def _interrupted_create(plugin: PluginHost, control: Any, inputs: dict[str, Any]) -> InitFailed:
    """A create cancelled (Ctrl-C) once its training has started (held: it does not end by itself)."""
    control.set_timing(training_seconds=HELD, setup_seconds=0)
    control.clear_requests()
    outcome: list[BaseException] = []

    def create() -> None:
        try:
            plugin.create("model", inputs)
        except BaseException as error:
            outcome.append(error)

    thread = threading.Thread(target=create)
    thread.start()
    poll_until(lambda: trainings_started(control) == 1, "the training to start")
    plugin.cancel()
    thread.join(60)
    (failed,) = outcome
    assert isinstance(failed, InitFailed), failed
    return failed


def test_cancel_ends_a_waiting_create_and_records_the_training(plugin, control, personalize):
    solution = active_solution(personalize)
    inputs, _ = plugin.check("model", {"solutionArn": solution})
    failed = _interrupted_create(plugin, control, inputs)
    (version,) = personalize.list_solution_versions(solutionArn=solution)["solutionVersions"]
    arn = version["solutionVersionArn"]
    assert failed.id == arn and failed.properties["status"] in ("CREATE PENDING", "CREATE IN_PROGRESS")
    assert arn in failed.details and "Traceback" not in failed.details and "\n" not in failed.details.strip()
    destroy = plugin.restarted(plugin.config)  # the engine's Cancel ends the operation: `destroy` is a new one
    try:
        destroy.delete("model", arn, failed.properties)
    finally:
        destroy.stop()
    assert version_status(personalize, arn) == "CREATE STOPPED"


def test_the_next_update_of_a_recorded_training_waits_for_it_and_trains_nothing(plugin, control, personalize):
    solution = active_solution(personalize)
    inputs, _ = plugin.check("model", {"solutionArn": solution, "tags": {"team": "ml"}})
    failed = _interrupted_create(plugin, control, inputs)
    control.set_timing(training_seconds=0.5)
    later = plugin.restarted(plugin.config)
    try:
        news, _ = later.check("model", {"solutionArn": solution, "tags": {"team": "ds"}}, olds=inputs)
        assert later.diff("model", failed.id, failed.properties, news).replaces == []
        outputs = later.update("model", failed.id, failed.properties, news)
        assert outputs["status"] == "ACTIVE" and outputs["tagsAll"] == {"team": "ds"}
        assert trainings_started(control) == 1, "the update waited for the recorded training"
    finally:
        later.stop()


def test_a_recorded_training_that_failed_is_recorded_so_and_the_next_diff_retrains(plugin, control, personalize):
    solution = active_solution(personalize)
    inputs, _ = plugin.check("model", {"solutionArn": solution})
    failed = _interrupted_create(plugin, control, inputs)
    personalize.stop_solution_version_creation(solutionVersionArn=failed.id)  # it ends out of band
    control.set_timing(training_seconds=0.5)
    poll_until(lambda: version_status(personalize, failed.id) == "CREATE STOPPED", "the training to stop")
    later = plugin.restarted(plugin.config)
    try:
        with pytest.raises(InitFailed) as ended:
            later.update("model", failed.id, failed.properties, inputs)
        assert ended.value.properties["status"] == "CREATE STOPPED" and failed.id in ended.value.details
        diff = later.diff("model", failed.id, ended.value.properties, inputs)
        assert list(diff.replaces) == ["status"], "the next up trains the next attempt"
    finally:
        later.stop()


def test_a_recorded_training_below_its_gate_stays_out_until_the_gate_accepts_it(plugin, control, personalize):
    solution = active_solution(personalize)
    gated, _ = plugin.check("model", {"solutionArn": solution, "minMetrics": {"coverage": 0.99}})
    failed = _interrupted_create(plugin, control, gated)
    control.set_timing(training_seconds=0.5)
    later = plugin.restarted(plugin.config)
    try:
        with pytest.raises(HostError) as rejected:
            later.update("model", failed.id, failed.properties, gated)
        assert not isinstance(rejected.value, InitFailed), "the recorded state stays: the next up judges it again"
        assert "rejected by minMetrics" in rejected.value.details
        accepting, _ = later.check("model", {"solutionArn": solution, "minMetrics": {"coverage": 0.05}}, olds=gated)
        outputs = later.update("model", failed.id, failed.properties, accepting)
        assert outputs["status"] == "ACTIVE" and trainings_started(control) == 1
    finally:
        later.stop()


def test_sixty_four_trainings_at_once_in_one_process(plugin, control, personalize):
    """Held trainings (they do not end) until all 64 have started: 64 creates were in flight at once. The emulator
    allows 20 trainings at once per region, so they are spread over four regions."""
    regions = ("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-2")
    control.set_timing(setup_seconds=0)  # 64 solutions, ACTIVE at once
    work = []
    for index in range(64):
        client = boto3.client("personalize", region_name=regions[index % 4])
        solution = active_solution(client)
        inputs, failures = plugin.check(f"m{index}", {"solutionArn": solution})
        assert failures == []
        work.append((f"m{index}", inputs))
    control.set_timing(training_seconds=HELD, setup_seconds=0)
    control.clear_requests()
    done: list[str] = []
    errors: list[BaseException] = []

    def create(name: str, inputs: dict[str, Any]) -> None:
        try:
            _, outputs = plugin.create(name, inputs)
            assert outputs["status"] == "ACTIVE"
            done.append(name)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=create, args=item) for item in work]
    for thread in threads:
        thread.start()
    try:
        poll_until(lambda: trainings_started(control) == 64, "64 trainings side by side", timeout=120)
    finally:
        control.set_timing(training_seconds=0.5)
    for thread in threads:
        thread.join(120)
    assert errors == [] and len(done) == 64


def test_get_schema_answers_the_checked_in_schema(plugin):
    assert plugin.schema() == schema_json()
    assert json.loads(plugin.schema())["resources"]


def test_a_secret_input_stays_secret_in_the_checked_inputs_and_the_effective_tags(plugin, no_aws):
    from pulumi.runtime.proto import provider_pb2

    from personalize_pulumi.plugin.wire import Secret, secret_keys
    from personalize_pulumi.plugin.wire import to_struct as engine_encoded  # the engine's secret encoding

    news = {"solutionArn": "arn:aws:personalize:us-east-1:123456789012:solution/s", "tags": {"team": Secret("ml")}}
    response = plugin.stub.Check(
        provider_pb2.CheckRequest(urn=urn("model"), olds=engine_encoded({}), news=engine_encoded(news))
    )
    assert {"tags", "tagsAll", OWNER_TOKEN} <= secret_keys(response.inputs)
    assert no_aws.requests() == []
