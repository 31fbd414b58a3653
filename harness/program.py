"""Run a Pulumi program under the SDK's mocks and report what it registered and exported.

`python -m harness.program` reads a JSON request on stdin (program directory, stack, config, prior resource state) and
writes a JSON report on stdout. It runs in its own process because the SDK's runtime settings are process-global.
Mocks answer each registration with the resource's prior outputs from state when there are some (so exports show real
values after an `up`), else with its inputs.
"""

from __future__ import annotations

import json
import os
import runpy
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .project import project_name


@dataclass
class Registration:
    """One resource the program declared: its type token, name and inputs (as the engine gets them)."""

    type: str
    name: str
    inputs: dict[str, Any]


@dataclass
class ProgramRun:
    registrations: list[Registration]
    exports: dict[str, Any]
    error: str | None = None


def run_program(
    program_dir: Path,
    stack: str,
    config: dict[str, str],
    prior: dict[str, dict[str, Any]],
    env: dict[str, str] | None = None,
) -> ProgramRun:
    """Run the program in a child process; `prior` maps resource names to {"id", "outputs"}."""
    request = {"program_dir": str(program_dir), "stack": stack, "config": config, "prior": prior}
    child_env = {**os.environ, **(env or {}), "PULUMI_CONFIG": json.dumps(config)}
    child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(program_dir), child_env.get("PYTHONPATH")]))
    result = subprocess.run(
        [sys.executable, "-m", "harness.program"],
        input=json.dumps(request),
        capture_output=True,
        text=True,
        cwd=program_dir,
        env=child_env,
    )
    if result.returncode != 0 or not result.stdout.strip():
        return ProgramRun([], {}, error=(result.stderr or result.stdout).strip() or f"exit {result.returncode}")
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return ProgramRun([Registration(**r) for r in report["registrations"]], report["exports"], report.get("error"))


def _main() -> None:
    import pulumi
    from pulumi.runtime import settings

    request = json.load(sys.stdin)
    program_dir = Path(request["program_dir"])
    prior: dict[str, dict[str, Any]] = request["prior"]
    registrations: list[dict[str, Any]] = []

    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
            registrations.append({"type": args.typ, "name": args.name, "inputs": _plain(args.inputs)})
            if args.name in prior:
                return prior[args.name]["id"], prior[args.name]["outputs"]
            return f"{args.name}-id", dict(args.inputs)

        def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]] | None]:
            return {}, None

    pulumi.runtime.set_mocks(Mocks(), project=project_name(program_dir), stack=request["stack"], preview=False)
    exports: dict[str, Any] = {}
    error = None

    @pulumi.runtime.test
    def run() -> Any:
        runpy.run_path(str(program_dir / "__main__.py"), run_name="__main__")
        outputs = settings.get_root_resource().outputs
        return pulumi.Output.from_input(outputs).apply(exports.update)

    try:
        run()
    except pulumi.RunError as failure:
        error = str(failure)
    print(json.dumps({"registrations": registrations, "exports": _plain(exports), "error": error}, default=str))


def _plain(value: Any) -> Any:
    """Secrets as their values (the engine unwraps them for a provider that does not accept secrets)."""
    if isinstance(value, dict):
        if value.get("4dabf18193072939515e22adb298388d") == "1b47061264138c4ac30d75fd1eb44270":
            return _plain(value.get("value"))
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


if __name__ == "__main__":
    _main()
