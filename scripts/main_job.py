"""README command 1: deploy the example stack on the real Pulumi engine against the local Personalize emulator.

1. gets the Pulumi CLI from `scripts/pulumi-cli` (building it once per machine where none is installed);
2. starts the emulator and creates the dataset group and solution that Pulumi.dev.yaml names;
3. `pulumi up` of the example stack (a copy of the program in .main-job/program, a local file backend in
   .main-job/state), its outputs, then previews that must show no changes, an in-place tag update for a tag change and
   for an `aws:defaultTags` change (which the provider merges into `tagsAll`), and a replace for a training-mode
   change, each printed as the engine displays it (`pulumi preview --diff`);
4. the quality gate: a stricter `minMetrics` than the emulated metrics can meet previews as an update (no retraining),
   and `pulumi up` rejects it in one line while the stack keeps its version; restored, the preview is clean again.
Exits non-zero if any step does not behave as described.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

from harness.automation import EngineFailed, EngineStack, EngineUnavailable, project_name, pulumi_cli
from harness.project import EXAMPLE_MODEL, ROOT
from personalize_pulumi.emulator.defaults import UNMET_MINIMUMS
from personalize_pulumi.emulator.launcher import EmulatorProcess
from personalize_pulumi.provider.backoff import polling_env
from personalize_pulumi.seeding import active_solution

STACK = "dev"
WORK = ROOT / ".main-job"
POLLING = polling_env(initial=0.5, cap=1)
MODEL = EXAMPLE_MODEL
STRICTER_GATE = UNMET_MINIMUMS
"""Never met: the emulator's metrics are deterministic per version and lie in 0.05-0.95."""


class StepFailed(Exception):
    """A step did not behave as the README says."""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--training-seconds", type=float, default=5.0, help="emulated training time (default 5)")
    args = parser.parse_args()
    try:
        cli = pulumi_cli()
    except EngineUnavailable as missing:
        print(f"error: {missing}")
        return 2
    print(f"==> Pulumi CLI: {cli}")
    emulator = EmulatorProcess(training_seconds=args.training_seconds, setup_seconds=1.0)
    print(f"==> local Personalize emulator on {emulator.url}")
    try:
        solution_arn = seed_solution(emulator)
        print(f"==> solution {solution_arn} is ACTIVE in the emulator")
        run(cli, {**emulator.env(), **POLLING})
    except (StepFailed, EngineFailed) as failure:
        print(f"error: {failure}")
        return 1
    finally:
        emulator.stop()
    print("==> main job done")
    return 0


def seed_solution(emulator: EmulatorProcess) -> str:
    """Create the solution the stack config names (the emulator starts empty on every run)."""
    config = yaml.safe_load((ROOT / f"Pulumi.{STACK}.yaml").read_text())["config"]
    wanted = config[f"{project_name(ROOT)}:solutionArn"]
    client = emulator.client(region=wanted.split(":")[3])
    created = active_solution(client, wanted.rsplit("/", 1)[-1])
    if created != wanted:
        raise StepFailed(f"the emulator made {created}, but Pulumi.{STACK}.yaml names {wanted}")
    return created


def run(cli: Path, env: dict[str, str]) -> None:
    # The emulator is new on every run, so state from an earlier run would describe nothing: start from none.
    shutil.rmtree(WORK / "state", ignore_errors=True)
    stack = EngineStack(WORK, STACK, env=env, cli=cli)
    print(f"==> `pulumi up` of the example stack (program copy: {stack.program_dir}, state: {WORK / 'state'})")
    stack.up()
    outputs = stack.outputs()
    print("==> stack outputs:\n" + json.dumps(outputs, indent=2, sort_keys=True))
    if outputs.get("status") != "ACTIVE":
        raise StepFailed(f"expected status ACTIVE, got {outputs.get('status')}")

    print("==> `pulumi preview --diff` right after up (must show no changes)")
    stack.preview(diff=True, expect_no_changes=True)
    project = project_name(ROOT)
    show_the_gate(stack, f"{project}:minMetrics", outputs["solutionVersionArn"])
    tags = json.loads(stack.stack.get_config(f"{project}:tags").value)
    expect_preview(stack, f"{project}:tags", {**tags, "team": "search"}, "update", "a tag change")
    default_tags = json.loads(stack.stack.get_config("aws:defaultTags").value)["tags"]
    changed_defaults = {"tags": {**default_tags, "owner": "ml-platform"}}
    expect_preview(stack, "aws:defaultTags", changed_defaults, "update", "an aws:defaultTags change")
    expect_preview(stack, f"{project}:trainingMode", "UPDATE", "replace", "a training-mode change")
    adopted = outputs["solutionVersionArn"]
    expect_preview(
        stack, f"{project}:existingVersionArn", adopted, "replace", "adopting an existing version (no training)"
    )


def show_the_gate(stack: EngineStack, key: str, version_arn: str) -> None:
    """A stricter `minMetrics` previews as an update, `pulumi up` rejects it in one line and the stack keeps its
    version; with the gate restored, the preview shows no changes."""
    original = stack.stack.get_config(key)
    stack.set_config(key, STRICTER_GATE)
    try:
        shown = f"{key}={json.dumps(STRICTER_GATE)}"
        print(f"==> `pulumi preview --diff` of a stricter quality gate: {shown} (must show update)")
        planned = stack.preview(diff=True).change_summary
        if planned.get("update") != 1 or planned.get("replace"):
            raise StepFailed(f"expected the stricter gate to update {MODEL} in place, not retrain: got {dict(planned)}")
        print("==> `pulumi up` with the stricter gate (must be rejected: the emulated metrics never reach it)")
        try:
            stack.up()
        except EngineFailed as failed:
            rejection = [
                line.strip().split("error: ", 1)[-1]
                for line in failed.output.splitlines()
                if "rejected by minMetrics" in line
            ]
        else:
            raise StepFailed("`pulumi up` accepted a version whose metrics miss the stricter minMetrics")
        if not rejection or version_arn not in rejection[-1]:
            raise StepFailed(f"`pulumi up` failed without the one-line rejection naming {version_arn}")
        print(f"==> rejected, in one line:\n{rejection[-1]}")
        [model] = [r for r in stack.resources() if r["urn"].endswith("::" + MODEL)]
        gate = (model.get("outputs") or {}).get("minMetrics")
        if model.get("id") != version_arn or gate == STRICTER_GATE:
            found = f"{model.get('id')} with minMetrics {json.dumps(gate)}"
            raise StepFailed(f"after the rejection the stack should hold {version_arn} as it was, not {found}")
        print(f"==> the stack still holds {version_arn} with its previous minMetrics {json.dumps(gate)}")
    finally:
        stack.stack.set_config(key, original)
    print(f"==> `pulumi preview --diff` with {key} restored (must show no changes)")
    stack.preview(diff=True, expect_no_changes=True)


def expect_preview(stack: EngineStack, key: str, value: Any, op: str, what: str) -> None:
    """`pulumi preview --diff` with `key` set to `value` must plan `op` for the model; the config is restored after."""
    original = stack.stack.get_all_config().get(key)
    stack.set_config(key, value)
    try:
        print(f"==> `pulumi preview --diff` of {what}: {key}={json.dumps(value)} (must show {op})")
        result = stack.preview(diff=True)
        planned = result.change_summary
        if planned.get(op) != 1 or (op == "update" and planned.get("replace")):
            raise StepFailed(f"expected the preview of {what} to {op} {MODEL}, got {dict(planned)}")
    finally:
        if original is None:
            stack.stack.remove_config(key)
        else:
            stack.stack.set_config(key, original)


if __name__ == "__main__":
    sys.exit(main())
