"""Run a Pulumi program on the real engine: the Go CLI from `scripts/pulumi-cli`, driven by the Automation API.

The CLI's Python language host cannot be had on these machines, so programs run as Automation API *inline programs*:
this process serves the language protocol, and the CLI (`--client=...`) runs the real Go engine, which starts the real
dynamic-provider plugin (`pulumi-resource-pulumi-python`, i.e. `python -u -m pulumi.dynamic`) in the program directory.
Everything a user sees from `pulumi up` / `preview --diff` / `refresh` / `destroy` is the engine's own display.

Each `EngineStack` lives in a work folder:
- `program/`: a copy of the program directory (the repo's `__main__.py`, `example_config.py`, `components/`,
  `providers/`, `Pulumi.yaml`, `Pulumi.<stack>.yaml`), so the CLI's writes (how the stack's secrets are kept, config edits)
  never touch the repository; the engine starts the provider host there, so it imports this copy's `providers`;
- `state/`: the local file backend (secrets under a KMS key of the emulator: engine.secrets_provider);
- `pulumi-home/`: `PULUMI_HOME` (no plugin downloads, no update checks).
The main job, the end-to-end tests and the benchmark all use this module; `python -m harness.automation` runs one
operation in its own process (used where a test must signal the CLI).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pulumi import automation as auto

from personalize_pulumi.engine import engine_env, open_stack, run_program

from .project import project_name

__all__ = ["ROOT", "EngineFailed", "EngineStack", "EngineUnavailable", "engine_env", "project_name", "pulumi_cli"]

ROOT = Path(__file__).resolve().parent.parent
CLI_SCRIPT = ROOT / "scripts" / "pulumi-cli"
PROGRAM_FILES = ("__main__.py", "example_config.py", "Pulumi.yaml")
PROGRAM_PACKAGES = ("components", "providers")


class EngineUnavailable(Exception):
    """No Pulumi CLI could be found or built; the message says what to install."""


class EngineFailed(Exception):
    """A Pulumi command failed; `output` holds what the engine printed."""

    def __init__(self, command: str, output: str):
        super().__init__(f"`pulumi {command}` failed")
        self.command = command
        self.output = output


def pulumi_cli() -> Path:
    """The `pulumi` executable from `scripts/pulumi-cli` (which may build it once, saying so on stderr)."""
    result = subprocess.run([str(CLI_SCRIPT)], stdout=subprocess.PIPE, stderr=None, text=True)
    if result.returncode != 0 or not result.stdout.strip():
        raise EngineUnavailable("no Pulumi CLI: see the message above (scripts/pulumi-cli)")
    return Path(result.stdout.strip().splitlines()[-1])


SECRETS_SETTINGS = ("encryptionsalt", "secretsprovider", "encryptedkey")
"""What a stack file says of the stack's secrets (a passphrase's salt, or a KMS key and the data key it encrypts)."""


def copy_program(destination: Path, stack: str, main: str | None = None, source: Path = ROOT) -> Path:
    """Copy the program directory to `destination` (refreshing code, keeping what the stack file says of secrets);
    `main` replaces `__main__.py` with other program text."""
    destination.mkdir(parents=True, exist_ok=True)
    for name in PROGRAM_FILES:
        shutil.copy(source / name, destination / name)
    # The plain CLI (`pulumi refresh`, `pulumi destroy` run by hand in the copy, as the README's recovery steps say)
    # starts the provider host in Pulumi.yaml's virtualenv: name this one, which the copy has no `.venv` of its own for.
    project = yaml.safe_load((destination / "Pulumi.yaml").read_text())
    options = project.get("runtime", {}).get("options", {}) if isinstance(project.get("runtime"), dict) else {}
    if "virtualenv" in options:
        options["virtualenv"] = sys.prefix
        (destination / "Pulumi.yaml").write_text(yaml.safe_dump(project, sort_keys=False))
    for name in PROGRAM_PACKAGES:
        shutil.rmtree(destination / name, ignore_errors=True)
        shutil.copytree(source / name, destination / name, ignore=shutil.ignore_patterns("__pycache__"))
    if main is not None:
        (destination / "__main__.py").write_text(main)
    stack_file = destination / f"Pulumi.{stack}.yaml"
    settings = (
        yaml.safe_load((source / f"Pulumi.{stack}.yaml").read_text())
        if (source / f"Pulumi.{stack}.yaml").exists()
        else {}
    )
    if stack_file.exists():
        kept = yaml.safe_load(stack_file.read_text()) or {}
        for key in SECRETS_SETTINGS:
            if kept.get(key):
                settings[key] = kept[key]
    stack_file.write_text(yaml.safe_dump(settings or {}, sort_keys=False))
    return destination


@dataclass(frozen=True)
class Diagnostic:
    """One DiagnosticEvent of the engine's event stream: a line some plugin or the engine said, and for whom."""

    urn: str
    message: str
    severity: str
    ephemeral: bool


class EngineStack:
    """One stack of a program copy in `folder`, run on the real engine through the Automation API."""

    def __init__(
        self,
        folder: Path,
        stack: str = "dev",
        env: Mapping[str, str] | None = None,
        main: str | None = None,
        echo: Callable[[str], None] | None = print,
        cli: Path | None = None,
        fresh: bool = True,
        provider_python: Path | None = None,
    ):
        """`fresh`: copy the repository's example program (with `main` as `__main__.py` if given) and its stack config
        anew; otherwise run the program already in `folder / "program"` as it is (a test may have written its own
        there), with the config earlier operations set. `provider_python`: the Python the engine's provider host runs
        with (default this one), e.g. a virtualenv where the package is installed from its wheel."""
        self.folder = folder
        self.stack_name = stack
        self.program_dir = folder / "program"
        if fresh:
            copy_program(self.program_dir, stack, main)
        self.env = engine_env(folder, env or {})
        if provider_python is not None:
            self.env["PULUMI_PYTHON_CMD"] = str(provider_python)
        self.provider_python = provider_python
        self.cli = cli or pulumi_cli()
        self.echo = echo
        self.lines: list[str] = []
        """Every line the engine printed to this object, across operations."""
        self.diagnostics: list[Diagnostic] = []
        """Every diagnostic event of the engine's event stream (`on_event`), across operations."""
        self._outputs: dict[str, Any] | None = None
        # The engine starts the provider host in program_dir; the program imports the same copy.
        self.stack = open_stack(
            self.program_dir, folder, stack, self.env, self.cli, lambda: run_program(self.program_dir)
        )

    def _line(self, line: str) -> None:
        self.lines.append(line.rstrip("\n"))
        if self.echo is not None:
            self.echo(line.rstrip("\n"))

    def _event(self, event: auto.EngineEvent) -> None:
        diagnostic = event.diagnostic_event
        if diagnostic is not None:
            self.diagnostics.append(
                Diagnostic(
                    urn=diagnostic.urn or "",
                    message=diagnostic.message.rstrip("\n"),
                    severity=str(diagnostic.severity),
                    ephemeral=bool(diagnostic.ephemeral),
                )
            )

    def _run(self, command: str, operation: Callable[..., Any], **kwargs: Any) -> Any:
        start = len(self.lines)
        self._outputs = None
        try:
            return operation(on_output=self._line, on_error=self._line, on_event=self._event, color="never", **kwargs)
        except auto.CommandError as error:
            text = "\n".join(self.lines[start:]) or str(error)
            raise EngineFailed(command, text + "\n" + str(error)) from None

    def output_since(self, start: int) -> str:
        """What the engine printed from line `start` on."""
        return "\n".join(self.lines[start:])

    # The operations a user runs.

    def up(self, **kwargs: Any) -> auto.UpResult:
        result: auto.UpResult = self._run("up", self.stack.up, **kwargs)
        self._outputs = {key: value.value for key, value in result.outputs.items()}
        return result

    def preview(self, **kwargs: Any) -> auto.PreviewResult:
        return self._run("preview", self.stack.preview, **kwargs)

    def refresh(self, **kwargs: Any) -> auto.RefreshResult:
        return self._run("refresh", self.stack.refresh, **kwargs)

    def destroy(self, **kwargs: Any) -> auto.DestroyResult:
        return self._run("destroy", self.stack.destroy, **kwargs)

    def changed_elsewhere(self) -> None:
        """Say that another process runs an operation on this stack (the next `outputs()` reads the state)."""
        self._outputs = None

    def outputs(self) -> dict[str, Any]:
        """The stack's outputs as plain values: those the last operation, an `up` through this object, returned (the
        Automation API reads them after every `up`), else read from the state."""
        if self._outputs is None:
            self._outputs = {key: value.value for key, value in self.stack.outputs().items()}
        return dict(self._outputs)

    def set_config(self, key: str, value: Any) -> None:
        """Set `key` (in the project's namespace unless it names one); objects are stored as JSON."""
        text = value if isinstance(value, str) else json.dumps(value)
        self.stack.set_config(key, auto.ConfigValue(text))

    def resources(self) -> list[dict[str, Any]]:
        """The state's resources (`pulumi stack export`)."""
        return list(self.stack.export_stack().deployment.get("resources", []))

    def pending_operations(self) -> list[dict[str, Any]]:
        return list(self.stack.export_stack().deployment.get("pending_operations") or [])

    def cli_command(self, *words: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the CLI itself (no program needed) in the program copy, e.g. `cancel --yes`."""
        full_env = {**os.environ, **self.env}
        self._outputs = None
        result = subprocess.run(
            [str(self.cli), *words, "--non-interactive", "--stack", self.stack_name],
            cwd=self.program_dir,
            env=full_env,
            text=True,
            capture_output=True,
        )
        if check and result.returncode != 0:
            raise EngineFailed(" ".join(words), result.stdout + result.stderr)
        return result


def _main() -> int:
    """`python -m harness.automation OPERATION --folder F [--stack S] [--env-json J] [--target URN ...]`: one
    operation in this process, the engine's display on stdout, exit 1 if it failed. Used where a test signals the CLI
    while it runs."""
    parser = argparse.ArgumentParser(description=_main.__doc__)
    parser.add_argument("operation", choices=("up", "preview", "refresh", "destroy"))
    parser.add_argument("--folder", type=Path, required=True)
    parser.add_argument("--stack", default="dev")
    parser.add_argument("--env-json", default="{}", help="extra environment for the CLI, as a JSON object")
    parser.add_argument("--provider-python", type=Path, default=None, help="the Python of the provider host")
    parser.add_argument("--target", action="append", default=[], help="a URN to target (`pulumi up --target`)")
    args = parser.parse_args()

    def echo(line: str) -> None:
        print(line, flush=True)

    stack = EngineStack(
        args.folder,
        args.stack,
        env=json.loads(args.env_json),
        echo=echo,
        fresh=False,
        provider_python=args.provider_python,
    )
    try:
        getattr(stack, args.operation)(**({"target": args.target} if args.target else {}))
    except EngineFailed as failure:
        print(failure.output, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_main())
