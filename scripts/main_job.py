"""README command 1: deploy the example stack against the local Personalize emulator.

1. starts the emulator and creates the dataset group and solution that Pulumi.dev.yaml names;
2. with the Pulumi CLI (on PATH, in ~/.pulumi/bin, or installed now if this machine can download it): `pulumi up` of
   the example stack on a local file backend, its outputs, then previews that must show no changes, an in-place tag
   update, and a replace for a training-mode change;
3. without it: the same steps through the engine-side harness (the program under the SDK's mocks, each resource
   through the real dynamic-provider host), said plainly.
Exits non-zero if any step does not behave as described.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import boto3
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from emulator.control import EmulatorProcess  # noqa: E402
from harness.engine import LocalEngine  # noqa: E402
from harness.program import project_name  # noqa: E402

STACK = "dev"
WORK = ROOT / ".main-job"
POLLING = {"PERSONALIZE_POLL_INITIAL_SECONDS": "0.5", "PERSONALIZE_POLL_MAX_SECONDS": "1"}
INSTALL_HINT = "curl -fsSL https://get.pulumi.com | sh   (or see https://www.pulumi.com/docs/install/)"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--training-seconds", type=float, default=5.0, help="emulated training time (default 5)")
    parser.add_argument("--require-cli", action="store_true", help="fail instead of falling back to the harness")
    parser.add_argument("--no-install", action="store_true", help="never try to download the Pulumi CLI")
    args = parser.parse_args()

    emulator = EmulatorProcess(training_seconds=args.training_seconds, setup_seconds=1.0)
    print(f"==> local Personalize emulator on {emulator.url}")
    try:
        env = {**os.environ, **emulator.env(), **POLLING}
        solution_arn = seed_solution(env)
        print(f"==> solution {solution_arn} is ACTIVE in the emulator")
        pulumi = find_pulumi(install=not args.no_install)
        if pulumi:
            run_with_cli(pulumi, env)
        elif args.require_cli:
            print(f"error: the Pulumi CLI is not installed; install it with: {INSTALL_HINT}")
            return 2
        else:
            print(
                "==> The Pulumi CLI is not installed and could not be downloaded here. To run the real `pulumi up`,\n"
                f"    install it ({INSTALL_HINT}) and run this command again.\n"
                "    Running the same stack through the engine-side harness instead: the program under the SDK's\n"
                "    mocks, each resource through the real dynamic-provider host (python -m pulumi.dynamic)."
            )
            run_with_harness(env)
    except StepFailed as failure:
        print(f"error: {failure}")
        return 1
    finally:
        emulator.stop()
    print("==> main job done")
    return 0


class StepFailed(Exception):
    pass


def seed_solution(env: dict[str, str]) -> str:
    """Create the dataset group and solution that the stack config names, and wait until they are ACTIVE."""
    config = yaml.safe_load((ROOT / f"Pulumi.{STACK}.yaml").read_text())["config"]
    solution_arn = config[f"{project_name(ROOT)}:solutionArn"]
    region, name = solution_arn.split(":")[3], solution_arn.rsplit("/", 1)[-1]
    client = boto3.client(
        "personalize", region_name=region, endpoint_url=env["AWS_ENDPOINT_URL_PERSONALIZE"],
        aws_access_key_id="testing", aws_secret_access_key="testing",
    )  # fmt: skip
    group = client.create_dataset_group(name=f"{name}-data")["datasetGroupArn"]
    _wait(lambda: client.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"])
    created = client.create_solution(
        name=name, datasetGroupArn=group, recipeArn="arn:aws:personalize:::recipe/aws-user-personalization"
    )["solutionArn"]
    _wait(lambda: client.describe_solution(solutionArn=created)["solution"]["status"])
    if created != solution_arn:
        raise StepFailed(f"the emulator made {created}, but Pulumi.{STACK}.yaml names {solution_arn}")
    return created


def _wait(read: object) -> None:
    deadline = time.monotonic() + 30
    while read() != "ACTIVE":  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise StepFailed("the emulator's setup did not become ACTIVE")
        time.sleep(0.2)


def find_pulumi(install: bool) -> str | None:
    found = shutil.which("pulumi") or _existing(Path.home() / ".pulumi" / "bin" / "pulumi")
    if found or not install or not shutil.which("curl"):
        return found
    print("==> the Pulumi CLI is not on PATH; trying its official installer")
    try:
        subprocess.run(
            "curl -fsSL --max-time 60 https://get.pulumi.com | sh -s -- --no-edit-path",
            shell=True, check=True, timeout=180, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    except (subprocess.SubprocessError, OSError):
        return None
    return _existing(Path.home() / ".pulumi" / "bin" / "pulumi")


def _existing(path: Path) -> str | None:
    return str(path) if path.exists() else None


# With the Pulumi CLI


def run_with_cli(pulumi: str, env: dict[str, str]) -> None:
    program = _program_copy()
    env = {
        **env,
        "PULUMI_BACKEND_URL": f"file://{WORK / 'state'}",
        "PULUMI_CONFIG_PASSPHRASE": env.get("PULUMI_CONFIG_PASSPHRASE", ""),
        "PULUMI_SKIP_UPDATE_CHECK": "true",
    }

    def cli(*words: str, capture: bool = False) -> str:
        command = [pulumi, *words, "--non-interactive", "--stack", STACK]
        result = subprocess.run(command, cwd=program, env=env, text=True, capture_output=capture)
        if result.returncode != 0:
            raise StepFailed(f"`pulumi {' '.join(words)}` failed" + (f":\n{result.stderr}" if capture else ""))
        return result.stdout if capture else ""

    print(f"==> pulumi ({pulumi}) in {program}, with a local file backend in {WORK / 'state'}")
    subprocess.run([pulumi, "stack", "select", STACK, "--create", "--non-interactive"], cwd=program, env=env, check=False)
    cli("up", "--yes", "--refresh", "--skip-preview")
    outputs = json.loads(cli("stack", "output", "--json", capture=True))
    print("==> stack outputs:\n" + json.dumps(outputs, indent=2))
    if outputs.get("status") != "ACTIVE":
        raise StepFailed(f"expected status ACTIVE, got {outputs.get('status')}")
    print("==> preview right after up (must show no changes)")
    cli("preview", "--expect-no-changes")
    stack_file = program / f"Pulumi.{STACK}.yaml"
    _expect_preview(cli, stack_file, "tags.team", "search", {"update"}, "a tag change")
    _expect_preview(cli, stack_file, "trainingMode", "UPDATE", {"replace", "create-replacement"}, "a training-mode change")


def _program_copy() -> Path:
    """The example program, copied to .main-job/program so that the CLI (which writes the stack's encryption salt and
    the previews' config changes into Pulumi.<stack>.yaml) never edits the repository's files."""
    program = WORK / "program"
    program.mkdir(parents=True, exist_ok=True)
    (WORK / "state").mkdir(exist_ok=True)
    for name in ("__main__.py", "example_config.py"):
        shutil.copy(ROOT / name, program / name)
    for name in ("components", "providers"):
        shutil.copytree(ROOT / name, program / name, dirs_exist_ok=True, ignore=shutil.ignore_patterns("__pycache__"))
    project = yaml.safe_load((ROOT / "Pulumi.yaml").read_text())
    project["runtime"]["options"]["virtualenv"] = str(ROOT / ".venv")
    (program / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    stack_file = program / f"Pulumi.{STACK}.yaml"
    config = yaml.safe_load((ROOT / f"Pulumi.{STACK}.yaml").read_text())
    if stack_file.exists():  # keep the salt of the stack created by an earlier run
        salt = (yaml.safe_load(stack_file.read_text()) or {}).get("encryptionsalt")
        if salt:
            config["encryptionsalt"] = salt
    stack_file.write_text(yaml.safe_dump(config, sort_keys=False))
    return program


def _expect_preview(cli: Any, stack_file: Path, path: str, value: str, ops: set[str], what: str) -> None:
    original = stack_file.read_text()
    try:
        cli("config", "set", "--path", path, value)
        print(f"==> preview of {what} ({path}={value}) must show {' or '.join(sorted(ops))}")
        cli("preview", "--diff")
        plan = json.loads(cli("preview", "--json", capture=True))
        seen = {step.get("op") for step in plan.get("steps", []) if step.get("urn", "").endswith("::recommendations-version")}
        if not seen & ops:
            raise StepFailed(f"expected {' or '.join(sorted(ops))} of recommendations-version for {what}, got {seen}")
    finally:
        stack_file.write_text(original)


# Without it


def run_with_harness(env: dict[str, str]) -> None:
    WORK.mkdir(exist_ok=True)
    engine = LocalEngine(ROOT, STACK, WORK / "harness-state.json", env)
    try:
        if engine.state():
            print("==> refresh (the emulator starts empty each run)")
            _show(engine.refresh())
        print("==> up")
        result = engine.up()
        _show(result)
        print("==> stack outputs:\n" + json.dumps(result.exports, indent=2, sort_keys=True))
        if result.exports.get("status") != "ACTIVE":
            raise StepFailed(f"expected status ACTIVE, got {result.exports.get('status')}")
        _expect_plan(engine, None, None, "same", "preview right after up (must show no changes)")
        project = project_name(ROOT)
        tags = json.loads(engine.config[f"{project}:tags"])
        _expect_plan(engine, f"{project}:tags", json.dumps({**tags, "team": "search"}), "update", "preview of a tag change")
        _expect_plan(engine, f"{project}:trainingMode", "UPDATE", "replace", "preview of a training-mode change")
    finally:
        engine.close()
        print("provider host output:\n  " + "\n  ".join(engine.host.output))


def _expect_plan(engine: LocalEngine, key: str | None, value: str | None, op: str, what: str) -> None:
    original = dict(engine.config)
    if key:
        engine.config[key] = value  # type: ignore[assignment]
    try:
        print(f"==> {what}" + (f": {key}={value}" if key else ""))
        result = engine.preview()
        _show(result)
        if result.ops().get("recommendations-version") != op:
            raise StepFailed(f"expected {op}, got {result.ops()}")
    finally:
        engine.config = original


def _show(result: object) -> None:
    for step in result.steps:  # type: ignore[attr-defined]
        print(step)


if __name__ == "__main__":
    sys.exit(main())
