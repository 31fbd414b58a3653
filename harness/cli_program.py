"""Run a program with plain `pulumi` commands, as a user runs a YAML program in a terminal: the CLI from
`scripts/pulumi-cli`, the YAML language host from `scripts/pulumi-language-yaml`, and the `personalize` plugin found on
`PATH` (the `bin` folder of the virtualenv it was installed into).

Each `CliProgram` lives in a work folder holding the program (`Pulumi.yaml`), its local file backend (`state/`, empty
passphrase) and `PULUMI_HOME`. `run` returns what the engine printed; `run_with_events` also returns the engine's event
stream (`--event-log`), the same events the Automation API's `on_event` gets; `start` leaves the CLI running, so a test
can press Ctrl-C (SIGINT to the CLI alone, as a terminal does: plugins run in their own process groups).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from personalize_pulumi.engine import engine_env, secrets_provider

ROOT = Path(__file__).resolve().parent.parent
YAML_HOST_SCRIPT = ROOT / "scripts" / "pulumi-language-yaml"


class YamlHostUnavailable(Exception):
    """No YAML language host could be found or built; the message says what to install."""


def yaml_host_dir() -> Path:
    """The folder of `pulumi-language-yaml` from `scripts/pulumi-language-yaml` (which may build it once)."""
    result = subprocess.run([str(YAML_HOST_SCRIPT)], stdout=subprocess.PIPE, stderr=None, text=True)
    if result.returncode != 0 or not result.stdout.strip():
        raise YamlHostUnavailable("no YAML language host: see the message above (scripts/pulumi-language-yaml)")
    return Path(result.stdout.strip().splitlines()[-1])


@dataclass
class CliProgram:
    """A program in `folder`, run by `cli` with `plugin_dir` (holding `pulumi-resource-personalize`) and
    `yaml_dir` first on PATH, plus `env` (the emulator's variables)."""

    folder: Path
    cli: Path
    plugin_dir: Path
    yaml_dir: Path
    env: Mapping[str, str] = field(default_factory=dict)
    stack: str = "dev"

    def __post_init__(self) -> None:
        self._background: list[subprocess.Popen[str]] = []
        (self.folder / "state").mkdir(parents=True, exist_ok=True)
        path = os.pathsep.join([str(self.plugin_dir), str(self.yaml_dir), str(self.cli.parent), os.environ["PATH"]])
        self.environ = {**os.environ, **engine_env(self.folder, {**self.env, "PATH": path})}
        self.environ.pop("PULUMI_PYTHON_CMD", None)  # a YAML program starts no Python host
        self.environ["PULUMI_DEBUG_COMMANDS"] = "true"  # what offers `--event-log` (the Automation API sets it too)

    def write(self, program: str) -> None:
        """Write `Pulumi.yaml`, and create the stack the first time."""
        first = not (self.folder / "Pulumi.yaml").exists()
        (self.folder / "Pulumi.yaml").write_text(program)
        if first:
            self.run("stack", "init", self.stack, "--secrets-provider", secrets_provider(self.env))

    def run(self, *words: str, check: bool = True, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """`pulumi <words>` (non-interactive); fails with everything it printed if it fails and `check`."""
        done = subprocess.run(
            [str(self.cli), *words, "--non-interactive"],
            cwd=self.folder,
            env=self.environ,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if check and done.returncode != 0:
            raise AssertionError(f"pulumi {' '.join(words)} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
        return done

    def run_with_events(
        self, *words: str, check: bool = True, timeout: float = 300
    ) -> tuple[subprocess.CompletedProcess[str], list[dict[str, Any]]]:
        """`run`, and the engine events it wrote (`--event-log`)."""
        log = self.folder / "events.jsonl"
        log.unlink(missing_ok=True)
        done = self.run(*words, "--event-log", str(log), check=check, timeout=timeout)
        events = [json.loads(line) for line in log.read_text().splitlines() if line.strip()] if log.exists() else []
        return done, events

    def start(self, *words: str) -> subprocess.Popen[str]:
        """`pulumi <words>` left running (its output is kept in a file: a full pipe would stall the engine)."""
        out = open(self.folder / "background.out", "w")  # noqa: SIM115 (closed with the process)
        process = subprocess.Popen(
            [str(self.cli), *words, "--non-interactive"],
            cwd=self.folder,
            env=self.environ,
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self._background.append(process)
        return process

    def stop_background(self) -> None:
        """End the background commands and every process still working in this program's folder: what a killed CLI
        leaves behind (the engine starts plugins and the YAML language host in process groups of their own, and the
        language host outlives a SIGKILLed CLI; the plugin ends by itself once the engine is gone)."""
        for process in self._background:
            if process.poll() is None:
                process.kill()
            process.wait()
        self._background.clear()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                working_here = Path((entry / "cwd").readlink()) == self.folder.resolve()
            except OSError:
                continue
            if working_here:
                try:
                    os.kill(int(entry.name), signal.SIGKILL)
                except ProcessLookupError:
                    pass

    def background_output(self) -> str:
        return (self.folder / "background.out").read_text()

    @staticmethod
    def interrupt(process: subprocess.Popen[str]) -> None:
        """Ctrl-C, as a terminal sends it: SIGINT to the CLI."""
        process.send_signal(signal.SIGINT)

    def config(self, key: str, value: str) -> None:
        self.run("config", "set", key, value)

    def resources(self) -> list[dict[str, Any]]:
        """The stack's resources as `pulumi stack export` shows them (secrets encrypted)."""
        exported = json.loads(self.run("stack", "export").stdout)
        return list(exported["deployment"].get("resources") or [])

    def outputs(self) -> dict[str, Any]:
        return dict(json.loads(self.run("stack", "output", "--json", "--show-secrets").stdout))
