"""On the real engine: a secret `aws:defaultTags` stays secret in `tagsAll`, and a renamed model keeps its owner.

`pulumi config set --secret aws:defaultTags ...`: the provider host receives the stack's config as plain text and
`check` merges it into `tagsAll`; the program marks `tagsAll` secret, so the value is found nowhere in plaintext (state
files, `stack export`, engine events, the `-v=9` log, `preview --diff`) while the version on AWS carries the tag.

A model renamed with `aliases=[Alias(name=<old>)]` (on the version itself, or on its TrainedModel): the version's
`<name>-owner` keeps its URN and token, so `pulumi up --replace <version>` adopts the same version, no training.
"""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest
from pulumi import automation as auto

from tests.e2e.test_interruptions_and_secrets import _state_files
from tests.helpers import REGION, trainings_started

SECRET_DEFAULT = "s3cr3t-default-4711"
CHANGED_DEFAULT = "s3cr3t-default-0815"
PLAIN_DEFAULT = "plain-default-4711"

DEFAULT_TAGS_PROGRAM = """
import pulumi
from personalize_pulumi import TrainedModel, TrainedModelArgs

config = pulumi.Config()
model = TrainedModel("recs", TrainedModelArgs(solution_arn=config.require("solutionArn"), tags={"app": "recs"}))
pulumi.export("versionArn", model.version_arn)
pulumi.export("tagsAll", model.tags_all)
pulumi.export("versionTagsAll", model.solution_version.tags_all)
"""
"""One TrainedModel whose own tags leave the default tag `team` alone."""

RENAMED_PROGRAM = """
import pulumi
from personalize_pulumi import SolutionVersion, SolutionVersionArgs, TrainedModel, TrainedModelArgs

config = pulumi.Config()
name = config.get("modelName") or "a"
old = config.get("aliasOf")
opts = pulumi.ResourceOptions(aliases=[pulumi.Alias(name=old)]) if old else None
if config.get_bool("component"):
    model = TrainedModel(name, TrainedModelArgs(solution_arn=config.require("solutionArn")), opts)
    version = model.solution_version
else:
    version = SolutionVersion(name, SolutionVersionArgs(solution_arn=config.require("solutionArn")), opts)
pulumi.export("solutionVersionArn", version.solution_version_arn)
pulumi.export("versionUrn", version.urn)
"""
"""A model named by config `modelName` (default `a`), aliased to `aliasOf`: a SolutionVersion, or with config
`component` a TrainedModel."""


def _client() -> Any:
    return boto3.client("personalize", region_name=REGION)


def _live_tags(arn: str) -> dict[str, str]:
    """The version's tags on AWS, but the provider's own ownership marker (`personalize-pulumi:...`)."""
    tags = _client().list_tags_for_resource(resourceArn=arn)["tags"]
    return {t["tagKey"]: t["tagValue"] for t in tags if not t["tagKey"].startswith("personalize-pulumi:")}


def _set_default_tags(stack: Any, team: str, secret: bool) -> None:
    text = json.dumps({"tags": {"team": team}})
    stack.stack.set_config("aws:defaultTags", auto.ConfigValue(text, secret=secret))


def _collecting(stack: Any, operation: str, events: list[auto.EngineEvent], **kwargs: Any) -> Any:
    """Run `operation` of the stack's Automation API stack, the engine's display into `stack.lines` (as EngineStack
    does) and every engine event into `events`."""
    stack.changed_elsewhere()

    def line(text: str) -> None:
        stack.lines.append(text.rstrip("\n"))

    return getattr(stack.stack, operation)(
        on_output=line, on_error=line, on_event=events.append, color="never", **kwargs
    )


def _as_text(events: list[auto.EngineEvent]) -> str:
    """Every field of every event, as JSON text."""
    return "\n".join(
        json.dumps(event, default=lambda value: getattr(value, "__dict__", str(value))) for event in events
    )


def test_a_secret_default_tag_is_secret_everywhere_and_still_tags_the_version(new_stack, control):
    stack = new_stack(main=DEFAULT_TAGS_PROGRAM)
    _set_default_tags(stack, SECRET_DEFAULT, secret=True)
    control.set_timing(training_seconds=1.0, setup_seconds=0.5)
    events: list[auto.EngineEvent] = []
    start = len(stack.lines)

    _collecting(stack, "up", events)
    outputs = stack.stack.outputs()
    assert outputs["tagsAll"].secret and outputs["versionTagsAll"].secret, "the component's output too"
    assert outputs["tagsAll"].value == {"team": SECRET_DEFAULT, "app": "recs"}, "the program can still read it"
    arn = outputs["versionArn"].value
    assert _live_tags(arn) == {"team": SECRET_DEFAULT, "app": "recs"}, "the version has the tag on AWS"

    _set_default_tags(stack, CHANGED_DEFAULT, secret=True)
    preview = _collecting(stack, "preview", events, diff=True, log_verbosity=9, log_to_std_err=True)
    assert preview.change_summary.get("update") == 1 and "replace" not in preview.change_summary
    _collecting(stack, "up", events)
    assert _live_tags(arn) == {"team": CHANGED_DEFAULT, "app": "recs"}, "up retagged the version"
    assert trainings_started(control) == 1

    shown = stack.output_since(start)
    assert "~ tagsAll" in shown and "[secret]" in shown, "the preview showed the update, hiding the value"
    assert "Marshaling property" in shown or "RPC" in shown, "the -v=9 log was captured"
    exported = stack.cli_command("stack", "export").stdout
    assert '"ciphertext"' in exported
    for where, text in {
        "display and log": shown,
        "events": _as_text(events),
        "state files": _state_files(stack),
        "stack export": exported,
    }.items():
        assert SECRET_DEFAULT not in text and CHANGED_DEFAULT not in text, f"plaintext in the {where}"


def test_a_plain_default_tag_stays_plain(new_stack, control):
    stack = new_stack(main=DEFAULT_TAGS_PROGRAM)
    _set_default_tags(stack, PLAIN_DEFAULT, secret=False)
    control.set_timing(training_seconds=1.0, setup_seconds=0.5)
    stack.up()
    outputs = stack.stack.outputs()
    assert not outputs["tagsAll"].secret and not outputs["versionTagsAll"].secret
    assert outputs["tagsAll"].value == {"team": PLAIN_DEFAULT, "app": "recs"}
    [version] = [r for r in stack.resources() if r["type"].endswith(":SolutionVersion")]
    assert version["outputs"]["tagsAll"] == {"team": PLAIN_DEFAULT, "app": "recs"}, "no spurious secret in state"
    assert version["inputs"]["tagsAll"] == {"team": PLAIN_DEFAULT, "app": "recs"}
    assert _live_tags(outputs["versionArn"].value)["team"] == PLAIN_DEFAULT


def _owner(stack: Any) -> dict[str, Any]:
    """The TrainingOwner in the state, its secrets decrypted (`stack export --show-secrets`)."""
    plain = json.loads(stack.cli_command("stack", "export", "--show-secrets").stdout)
    [owner] = [r for r in plain["deployment"]["resources"] if r["type"].endswith(":TrainingOwner")]
    return dict(owner)


def _rename(stack: Any, component: bool) -> tuple[str, dict[str, Any]]:
    """`up` model `a`, then rename it `b` with `aliases=[Alias(name="a")]`: `preview` shows no change, `up` keeps
    the version and its owner. Returns the version's ARN and the owner (as `up` of `a` left it)."""
    stack.set_config("component", "true" if component else "false")
    stack.up()
    arn = stack.outputs()["solutionVersionArn"]
    owner = _owner(stack)
    assert owner["urn"].endswith("::a-version-owner" if component else "::a-owner")

    stack.set_config("modelName", "b")
    stack.set_config("aliasOf", "a")
    start = len(stack.lines)
    preview = stack.preview(diff=True)
    shown = stack.output_since(start)
    assert set(preview.change_summary) == {"same"}, shown
    assert "replace" not in shown, shown

    stack.up()
    renamed = _owner(stack)
    assert renamed["urn"].endswith("::b-version-owner" if component else "::b-owner")
    assert renamed["id"] == owner["id"] and renamed["outputs"]["token"] == owner["outputs"]["token"], "same owner"
    assert stack.outputs()["solutionVersionArn"] == arn
    return arn, owner


@pytest.mark.parametrize("component", [False, True], ids=["SolutionVersion", "TrainedModel"])
def test_a_model_renamed_with_an_alias_keeps_its_version_and_its_owner(new_stack, control, component):
    stack = new_stack(main=RENAMED_PROGRAM)
    control.set_timing(training_seconds=1.0, setup_seconds=0.5)
    _rename(stack, component)
    assert trainings_started(control) == 1


def test_up_replace_adopts_the_same_version(new_stack, control):
    stack = new_stack(main=RENAMED_PROGRAM)
    control.set_timing(training_seconds=1.0, setup_seconds=0.5)
    stack.up()
    arn = stack.outputs()["solutionVersionArn"]
    control.clear_requests()
    stack.up(replace=[stack.outputs()["versionUrn"]])
    assert stack.outputs()["solutionVersionArn"] == arn and trainings_started(control) == 0


def test_after_a_rename_up_replace_adopts_the_same_version(new_stack, control):
    stack = new_stack(main=RENAMED_PROGRAM)
    control.set_timing(training_seconds=1.0, setup_seconds=0.5)
    arn, owner = _rename(stack, component=False)
    control.clear_requests()
    stack.up(replace=[stack.outputs()["versionUrn"]])
    assert _owner(stack)["id"] == owner["id"], "the replace keeps the owner"
    assert stack.outputs()["solutionVersionArn"] == arn, "adopted the same version"
    assert trainings_started(control) == 0, "no new training"
