"""What a reviewer and an operator see on the real engine: `pulumi preview --diff` of every kind of input change lists
the changed inputs and no output-only property, with one line per model saying whether it trains; every error of the
provider is its message, not a traceback (a user's own dynamic resource keeps the SDK's usual traceback); Ctrl-C
during a training stops waiting within seconds and the next `pulumi up` adopts the training."""

from __future__ import annotations

import re
import signal

import boto3
import pytest

from harness.automation import EngineFailed
from personalize_pulumi.emulator.defaults import UNMET_MINIMUMS
from personalize_pulumi.provider.properties import OUTPUTS, TAGS_ALL
from tests.e2e.conftest import PROJECT, up_until_training
from tests.helpers import HELD, REGION, trainings_started

OUTPUT_ONLY = sorted(key for key in OUTPUTS.values() if key != TAGS_ALL)
HEADER = re.compile(r"^\s*(\+-|[+~-])\s*\S+:\S+: \(")
TRACEBACK_SIGNS = ("Traceback (most recent call last)", 'File "', "site-packages")


def version_block(display: str) -> list[str]:
    """The lines `preview --diff` shows for the SolutionVersion: its header up to the next resource or summary."""
    lines = display.splitlines()
    start = next(i for i, line in enumerate(lines) if "dynamic/personalize:SolutionVersion: (" in line)
    block = [lines[start]]
    for line in lines[start + 1 :]:
        if HEADER.match(line) or "--outputs:--" in line or line.startswith("Resources:"):
            break
        block.append(line)
    return block


def changed_keys(block: list[str]) -> set[str]:
    """The top-level properties the block marks as changed (nested keys are indented further)."""
    indent = len(block[0]) - len(block[0].lstrip()) + 2
    return {m.group(1) for line in block if (m := re.match(rf"^ {{{indent}}}[~+-]\s+(\w+)\s*:", line))}


def test_previews_list_the_changed_inputs_only_and_say_which_models_train(new_stack):
    stack = new_stack()
    stack.up()
    arn = stack.outputs()["solutionVersionArn"]
    cases = [
        # (config key, value, replace?, the keys the block shows as changed, the reviewer's line)
        (
            f"{PROJECT}:trainingMode",
            "UPDATE",
            True,
            {"trainingMode"},
            "trains a new version because trainingMode changes; the current one took",
        ),
        (
            f"{PROJECT}:retrainTrigger",
            "interactions-2026-12-01",
            True,
            {"retrainTriggers"},
            "trains a new version because retrainTriggers changes",
        ),
        (
            f"{PROJECT}:tags",
            {"team": "search"},
            False,
            {"tags", "tagsAll"},
            "no training; updates the version in place: retags it",
        ),
        (
            "aws:defaultTags",
            {"tags": {"owner": "ml"}},
            False,
            {"tagsAll"},
            "no training; updates the version in place: retags it",
        ),
        (
            f"{PROJECT}:minMetrics",
            {"coverage": 0.1},
            False,
            {"minMetrics"},
            "no training; updates the version in place: judges it again",
        ),
        (f"{PROJECT}:existingVersionArn", arn, True, {"existingVersionArn"}, f"adopts {arn}: no training"),
    ]
    for key, value, replace, keys, line in cases:
        before = stack.stack.get_config(key) if key != f"{PROJECT}:existingVersionArn" else None
        stack.set_config(key, value)
        start = len(stack.lines)
        preview = stack.preview(diff=True)
        shown = stack.output_since(start)
        block = version_block(shown)
        assert block[0].strip().startswith("+-" if replace else "~"), (key, block)
        assert changed_keys(block) == keys, (key, block)
        assert not [k for k in OUTPUT_ONLY if re.search(rf"\b{k}\b", "\n".join(block))], (key, block)
        assert sum(f"recommendations-version: {line}" in text for text in shown.splitlines()) == 1, (key, shown)
        assert ("replace" in preview.change_summary) == replace
        if before is None:
            stack.stack.remove_config(key)
        else:
            stack.stack.set_config(key, before)
    stack.preview(expect_no_changes=True)


FAILING_PROGRAM = """
import pulumi
from pulumi.dynamic import CreateResult, Resource, ResourceProvider

from personalize_pulumi import SolutionVersion, SolutionVersionArgs


class TeamProvider(ResourceProvider):
    def create(self, props):
        if props["fail"]:
            raise ValueError("the team's own provider failed")
        return CreateResult("team-1", props)


class TeamThing(Resource):
    def __init__(self, name, fail):
        super().__init__(TeamProvider(), name, {"fail": fail})


config = pulumi.Config()
TeamThing("team-thing", False)
if config.get_bool("teamFails"):
    TeamThing("team-broken", True)
SolutionVersion("model", SolutionVersionArgs(
    solution_arn=config.require("solutionArn"),
    retrain_triggers={"n": config.get("trigger") or "1"},
    wait_timeout_minutes=config.get_float("wait"),
    profile=config.get("profile"),
    min_metrics=config.get_object("minMetrics"),
))
"""


def failing_up(stack) -> str:
    with pytest.raises(EngineFailed) as failed:
        stack.up()
    return failed.value.output


def test_every_provider_error_is_its_message_and_a_users_own_provider_keeps_its_traceback(new_stack, control):
    stack = new_stack(main=FAILING_PROGRAM)
    errors = {}
    stack.set_config(f"{PROJECT}:minMetrics", UNMET_MINIMUMS)
    errors["gate"] = failing_up(stack)
    stack.stack.remove_config(f"{PROJECT}:minMetrics")
    control.add_fault(kind="fail_training", reason="Not enough interactions.", count=1)
    stack.set_config(f"{PROJECT}:trigger", "2")
    errors["failed"] = failing_up(stack)
    control.set_timing(training_seconds=HELD, setup_seconds=0.5)  # the 1.2 s budget ends first, however slow the host
    stack.set_config(f"{PROJECT}:trigger", "3")
    stack.set_config(f"{PROJECT}:wait", "0.02")
    errors["timeout"] = failing_up(stack)
    control.set_timing(training_seconds=2.0, setup_seconds=0.5)  # the held training ends; later ups adopt it
    stack.stack.remove_config(f"{PROJECT}:wait")
    stack.set_config(f"{PROJECT}:profile", "no-such-profile")
    errors["profile"] = failing_up(stack)

    expected = {
        "gate": "rejected by minMetrics: coverage is",
        "failed": "the training ended CREATE FAILED: Not enough interactions.",
        "timeout": "after waitTimeoutMinutes=0.02",
        "profile": "the AWS profile 'no-such-profile' (the profile input) could not be found",
    }
    for case, output in errors.items():
        assert expected[case] in output, (case, output)
        assert not [sign for sign in TRACEBACK_SIGNS if sign in output], (case, output)
        lines = [text for text in output.splitlines() if expected[case] in text and "error:" in text]
        assert lines and all("Personalize solution version" in line for line in lines), (case, output)

    stack.stack.remove_config(f"{PROJECT}:profile")
    stack.set_config(f"{PROJECT}:teamFails", "true")
    theirs = failing_up(stack)
    assert "Traceback (most recent call last)" in theirs and "ValueError: the team's own provider failed" in theirs


@pytest.mark.usefixtures("duplicate_names")  # no source says whether the service refuses them
def test_ctrl_c_during_a_training_stops_waiting_in_seconds_and_up_adopts_the_training(new_stack, control):
    stack = new_stack()
    running = up_until_training(stack, control, training_seconds=300.0)
    client = boto3.client("personalize", region_name=REGION)
    [version] = client.list_solution_versions(solutionArn=stack.solution_arn)["solutionVersions"]
    arn = version["solutionVersionArn"]
    running.signal_cli(signal.SIGINT)
    code, output = running.finish(timeout=60)
    status = client.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]["status"]
    assert status in ("CREATE PENDING", "CREATE IN_PROGRESS"), "up ended while the 5-minute training went on"
    assert code != 0
    lines = [text for text in output.splitlines() if "pulumi was interrupted (Ctrl-C) and stopped waiting" in text]
    assert lines, output
    for line in lines:
        assert (
            arn in line and "the training continues in AWS" in line and "the next `pulumi up` resumes waiting" in line
        )
    assert not [sign for sign in TRACEBACK_SIGNS if sign in output], output
    assert stack.pending_operations() == [], "nothing pending: the stack needs no cancel or refresh"

    control.set_timing(training_seconds=2.0, setup_seconds=0.5)
    stack.up()  # the stack is not locked
    assert stack.outputs()["solutionVersionArn"] == arn and stack.outputs()["status"] == "ACTIVE"
    assert trainings_started(control) == 1, "the second up adopted the training instead of starting one"


def test_an_error_of_a_refreshs_first_read_is_its_message(new_stack, control):
    """The first call a refresh's provider host serves is a Read, which loads the provider before the host is adjusted
    (personalize_pulumi.provider.host): its error must still show as its message, in the engine's own display."""
    stack = new_stack()
    stack.up()
    arn = stack.outputs()["solutionVersionArn"]
    control.add_fault(kind="http500", operation="DescribeSolutionVersion", count=1000)
    with pytest.raises(EngineFailed) as failed:
        stack.refresh()
    control.clear_faults()
    shown = failed.value.output
    errors = [line for line in shown.splitlines() if "error:" in line and arn in line]
    assert errors and all("Personalize solution version" in line for line in errors), shown
    assert not [sign for sign in TRACEBACK_SIGNS if sign in shown], shown
