"""The `personalize` plugin on the real engine, from a YAML program run with plain `pulumi` commands, as a user runs
one: the wheel installed in a virtualenv of its own, whose `bin` (holding `pulumi-resource-personalize`) is on PATH.
What the user reads is judged in the engine's display and in its event stream (`--event-log`)."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from harness.cli_program import CliProgram, YamlHostUnavailable, yaml_host_dir
from personalize_pulumi.emulator.launcher import EmulatorProcess
from personalize_pulumi.seeding import active_solution
from tests.e2e.conftest import wait_until
from tests.helpers import FAST_POLLING, REGION, trainings_started, unique, version_status

PROGRAM = """name: models
runtime: yaml
config:
  solutionArn: {type: string}
  team: {type: string, default: ml}
  data: {type: string, default: d1}
resources:
  model:
    type: personalize:index:SolutionVersion
    properties:
      solutionArn: ${solutionArn}
      tags: {team: "${team}"}
      retrainTriggers: {data: "${data}"}
      minMetrics: GATE
outputs:
  versionArn: ${model.solutionVersionArn}
  status: ${model.status}
"""
MODEL_URN = "urn:pulumi:dev::models::personalize:index:SolutionVersion::model"


@pytest.fixture(scope="session")
def yaml_dir() -> Path:
    try:
        return yaml_host_dir()
    except YamlHostUnavailable as missing:
        pytest.fail(str(missing))


@pytest.fixture
def program(
    cli: Path, yaml_dir: Path, wheel_python: Path, emulator: EmulatorProcess, tmp_path: Path
) -> Iterator[Callable[..., CliProgram]]:
    """A YAML program of its own ACTIVE solution (its `minMetrics`: `gate`), in a fresh folder, with the installed
    wheel's plugin."""
    made: list[CliProgram] = []

    def make(gate: str = "{}") -> CliProgram:
        client = boto3.client("personalize", region_name=REGION)
        made.append(
            CliProgram(
                tmp_path / f"program{len(made)}",
                cli,
                wheel_python.parent,
                yaml_dir,
                env={**emulator.env(REGION), **FAST_POLLING},
            )
        )
        made[-1].write(PROGRAM.replace("GATE", gate))
        made[-1].config("solutionArn", active_solution(client, unique("yaml")))
        return made[-1]

    yield make
    for each in made:
        each.stop_background()
        if (each.folder / "background.out").exists():
            print(f"--- background output of {each.folder} ---\n{each.background_output()}")


def diagnostics(events: list[dict[str, Any]], urn: str = MODEL_URN) -> list[str]:
    """The messages the engine attributed to `urn`, in order."""
    found = []
    for event in events:
        diagnostic = event.get("diagnosticEvent")
        if diagnostic and diagnostic.get("urn") == urn:
            found.append(diagnostic["message"].strip())
    return found


def test_a_yaml_program_trains_previews_retags_and_retrains_and_destroys(program, fast, control, personalize):
    model = program()
    control.clear_requests()
    up, events = model.run_with_events("up", "--yes")
    arn = model.outputs()["versionArn"]
    assert version_status(personalize, arn) == "ACTIVE" and model.outputs()["status"] == "ACTIVE"
    assert trainings_started(control) == 1
    assert any(line.startswith("model: trains a new version") for line in diagnostics(events)), diagnostics(events)
    assert "Traceback" not in up.stdout + up.stderr

    control.clear_requests()
    model.config("team", "ds")
    retag, events = model.run_with_events("preview", "--diff")
    assert "~ 1 to update" in retag.stdout and "replace" not in retag.stdout
    assert "model: no training; updates the version in place: retags it" in diagnostics(events)

    model.config("data", "d2")
    retrain, events = model.run_with_events("preview", "--diff")
    assert "+-1 to replace" in retrain.stdout
    assert any("trains a new version because retrainTriggers changes" in line for line in diagnostics(events))
    assert control.requests("CreateSolutionVersion") == [], "a preview trains nothing"

    model.config("data", "d1")
    model.run("up", "--yes")
    assert personalize.list_tags_for_resource(resourceArn=arn)["tags"][0]["tagValue"] == "ds" or any(
        tag["tagKey"] == "team" and tag["tagValue"] == "ds"
        for tag in personalize.list_tags_for_resource(resourceArn=arn)["tags"]
    )
    assert trainings_started(control) == 0, "a retag trains nothing"
    refreshed = model.run("refresh", "--yes")
    assert "Traceback" not in refreshed.stdout
    assert model.run("preview", "--expect-no-changes").returncode == 0

    destroyed, events = model.run_with_events("destroy", "--yes")
    assert any(line.startswith(f"model: forgets {arn} (ACTIVE)") for line in diagnostics(events))
    assert model.resources() == []


def test_a_version_below_its_gate_is_rejected_in_one_line(program, fast, control):
    model = program(gate="{coverage: 0.99}")
    failed, events = model.run_with_events("up", "--yes", check=False)
    printed = failed.stdout + failed.stderr
    assert failed.returncode != 0
    errors = [
        event["diagnosticEvent"]["message"].strip()
        for event in events
        if event.get("diagnosticEvent", {}).get("severity") == "error"
        and event["diagnosticEvent"].get("urn") == MODEL_URN
    ]
    assert len(errors) == 1, errors
    assert "rejected by minMetrics: coverage is" in errors[0] and "below the minimum 0.99" in errors[0]
    assert "Traceback" not in printed and "Exception calling application" not in printed
    assert [r for r in model.resources() if r["type"] == "personalize:index:SolutionVersion"] == []


def _interrupted_up(model: CliProgram, control: Any, personalize: Any, how: signal.Signals) -> str:
    """`pulumi up` stopped by `how` once its training has started; returns the training's ARN."""
    control.set_timing(training_seconds=600, setup_seconds=0)
    control.clear_requests()
    running = model.start("up", "--yes")
    wait_until(lambda: trainings_started(control) == 1 or running.poll() is not None, 120, "the training to start")
    assert running.poll() is None, f"`pulumi up` ended before its training started:\n{model.background_output()}"
    solution = model.run("config", "get", "solutionArn").stdout.strip()
    (version,) = personalize.list_solution_versions(solutionArn=solution)["solutionVersions"]
    running.send_signal(how)
    running.wait(timeout=120)
    return str(version["solutionVersionArn"])


def test_ctrl_c_then_destroy_stops_the_training(program, control, personalize):
    model = program()
    arn = _interrupted_up(model, control, personalize, signal.SIGINT)
    printed = model.background_output()
    assert arn in printed and "Traceback" not in printed
    (recorded,) = [r for r in model.resources() if r["type"] == "personalize:index:SolutionVersion"]
    assert recorded["id"] == arn, "the interrupted create is recorded, so nothing is left untracked"
    destroyed = model.run("destroy", "--yes")
    assert f"stops {arn}" in destroyed.stdout or "CREATE STOPP" in version_status(personalize, arn)
    assert version_status(personalize, arn) == "CREATE STOPPED"
    assert model.resources() == []


def test_ctrl_c_then_up_waits_for_the_same_training(program, control, personalize):
    model = program()
    arn = _interrupted_up(model, control, personalize, signal.SIGINT)
    control.set_timing(training_seconds=1, setup_seconds=0)
    resumed = model.run("up", "--yes")
    assert model.outputs()["versionArn"] == arn and version_status(personalize, arn) == "ACTIVE"
    assert trainings_started(control) == 1, "the next up trains nothing new"
    assert "Traceback" not in resumed.stdout


def test_a_killed_up_is_adopted_by_the_next(program, control, personalize):
    model = program()
    arn = _interrupted_up(model, control, personalize, signal.SIGKILL)
    control.set_timing(training_seconds=1, setup_seconds=0)
    wait_until(lambda: _no_plugin_left(model.folder), 30, "the orphaned plugin to exit")
    model.run("cancel", "--yes", check=False)  # the killed CLI left the stack locked
    model.run("up", "--yes")
    assert model.outputs()["versionArn"] == arn and version_status(personalize, arn) == "ACTIVE"
    assert trainings_started(control) == 1, "the next up adopts the training the killed one started"


OWNED_PROGRAM = PROGRAM.replace("GATE", "{}").replace(
    """resources:
  model:
    type: personalize:index:SolutionVersion
""",
    """resources:
  modelOwner:
    type: personalize:index:TrainingOwner
    properties:
      solutionArn: ${solutionArn}
      versionName: model
  model:
    type: personalize:index:SolutionVersion
    options:
      dependsOn:
        - ${modelOwner}
""",
)


@pytest.mark.parametrize("declared", ["TrainedModel", "SolutionVersion with its TrainingOwner"])
def test_a_killed_up_then_destroy_stops_the_training_and_the_next_up_trains_once(
    program, control, personalize, declared
):
    model = program()
    model.write(COMPONENT_PROGRAM if declared == "TrainedModel" else OWNED_PROGRAM)
    arn = _interrupted_up(model, control, personalize, signal.SIGKILL)
    wait_until(lambda: _no_plugin_left(model.folder), 30, "the orphaned plugin to exit")
    model.run("cancel", "--yes", check=False)  # the killed CLI left the stack locked
    assert not [r for r in model.resources() if r["type"] == "personalize:index:SolutionVersion"], "not recorded"

    destroyed = model.run("destroy", "--yes")

    assert version_status(personalize, arn) == "CREATE STOPPED"
    assert arn in destroyed.stdout and "Traceback" not in destroyed.stdout + destroyed.stderr
    control.set_timing(training_seconds=1, setup_seconds=0)
    model.run("up", "--yes")
    assert version_status(personalize, model.outputs()["versionArn"]) == "ACTIVE"
    assert trainings_started(control) == 2, "the killed up's, stopped, then the next up's one"


def _no_plugin_left(folder: Path) -> bool:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            cwd = Path((entry / "cwd").readlink())
        except OSError:
            continue
        if b"pulumi-resource-personalize" in cmdline and cwd == folder:
            return False
    return True


def test_pulumi_import_adopts_a_version_with_no_training_and_previews_clean(program, fast, control, personalize):
    model = program()
    solution = model.run("config", "get", "solutionArn").stdout.strip()
    arn = personalize.create_solution_version(solutionArn=solution, tags=[{"tagKey": "team", "tagValue": "ml"}])[
        "solutionVersionArn"
    ]
    wait_until(lambda: version_status(personalize, arn) == "ACTIVE", 60, "the hand-made version to train")
    model.write("name: models\nruntime: yaml\nconfig:\n  solutionArn: {type: string}\n")
    control.clear_requests()
    generated = model.folder / "imported.yaml"
    model.run("import", "personalize:index:SolutionVersion", "imported", arn, "--yes", "--out", str(generated))
    assert control.requests("CreateSolutionVersion") == []
    code = generated.read_text()
    assert f"existingVersionArn: {arn}" in code, code
    model.write("name: models\nruntime: yaml\nconfig:\n  solutionArn: {type: string}\n" + code)
    assert model.run("preview", "--expect-no-changes", check=False).returncode == 0, code


def test_secret_default_tags_stay_secret_in_state_and_display(program, fast, personalize):
    model = program()
    model.run("config", "set", "--secret", "--path", "personalize:defaultTags.tags.costCenter", "cc-hidden-4711")
    up = model.run("up", "--yes")
    arn = model.outputs()["versionArn"]
    live = {tag["tagKey"]: tag["tagValue"] for tag in personalize.list_tags_for_resource(resourceArn=arn)["tags"]}
    assert live["costCenter"] == "cc-hidden-4711" and live["team"] == "ml"
    exported = model.run("stack", "export").stdout
    assert "cc-hidden-4711" not in exported and "cc-hidden-4711" not in up.stdout + up.stderr
    (state,) = [r for r in model.resources() if r["type"] == "personalize:index:SolutionVersion"]
    for where in ("inputs", "outputs"):
        assert "ciphertext" in state[where]["tagsAll"], f"tagsAll is plain in the {where}"
    model.config("team", "ds")
    preview = model.run("preview", "--diff")
    assert "cc-hidden-4711" not in preview.stdout + preview.stderr and "~ 1 to update" in preview.stdout


COMPONENT_PROGRAM = """name: models
runtime: yaml
config:
  solutionArn: {type: string}
  team: {type: string, default: ml}
resources:
  ranking:
    type: personalize:index:TrainedModel
    properties:
      solutionArn: ${solutionArn}
      tags: {team: "${team}"}
      minMetrics: {coverage: 0.01}
outputs:
  versionArn: ${ranking.versionArn}
  status: ${ranking.status}
"""


def test_the_trained_model_component_from_yaml(program, fast, control, personalize):
    model = program()
    model.write(COMPONENT_PROGRAM)
    control.clear_requests()
    up, events = model.run_with_events("up", "--yes")
    arn = model.outputs()["versionArn"]
    assert version_status(personalize, arn) == "ACTIVE" and model.outputs()["status"] == "ACTIVE"
    assert trainings_started(control) == 1
    child = "urn:pulumi:dev::models::personalize:index:TrainedModel$personalize:index:SolutionVersion::ranking-version"
    types = {r["urn"]: r["type"] for r in model.resources()}
    assert types[child] == "personalize:index:SolutionVersion"
    assert any(line.startswith("ranking-version: trains a new version") for line in diagnostics(events, child))
    model.config("team", "ds")
    retag, events = model.run_with_events("preview", "--diff")
    assert "~ 1 to update" in retag.stdout and "replace" not in retag.stdout
    assert "ranking-version: no training; updates the version in place: retags it" in diagnostics(events, child)
    model.run("destroy", "--yes")
    assert model.resources() == []


def test_a_trained_model_below_its_gate_fails_in_its_versions_one_line(program, fast):
    model = program()
    model.write(COMPONENT_PROGRAM.replace("{coverage: 0.01}", "{coverage: 0.99}"))
    failed, events = model.run_with_events("up", "--yes", check=False)
    assert failed.returncode != 0 and "Traceback" not in failed.stdout + failed.stderr
    child = "urn:pulumi:dev::models::personalize:index:TrainedModel$personalize:index:SolutionVersion::ranking-version"
    errors = {
        (event["diagnosticEvent"].get("urn"), event["diagnosticEvent"]["message"].strip())
        for event in events
        if event.get("diagnosticEvent", {}).get("severity") == "error"
    }
    on_resources = [(urn, message) for urn, message in errors if urn]
    assert len(on_resources) == 1, errors  # the engine stops the update at the child's failure: one line in all
    assert on_resources[0][0] == child and "rejected by minMetrics" in on_resources[0][1]
