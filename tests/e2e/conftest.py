"""End-to-end fixtures: the real Pulumi CLI (from scripts/pulumi-cli), stacks on the Automation API, the emulator.

These tests never skip: where no CLI can be found or built, they fail with the script's message.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest

from harness.automation import ROOT, EngineStack, EngineUnavailable, engine_env, project_name, pulumi_cli
from harness.project import EXAMPLE_MODEL
from personalize_pulumi.emulator.launcher import EmulatorProcess
from personalize_pulumi.seeding import active_solution
from tests.helpers import FAST_POLLING, REGION, duplicate_names_mode, trainings_started, unique

PROJECT = project_name(ROOT)
MODEL = EXAMPLE_MODEL


@pytest.fixture(scope="session")
def cli() -> Path:
    try:
        return pulumi_cli()
    except EngineUnavailable as missing:
        pytest.fail(str(missing))


@pytest.fixture
def new_stack(cli: Path, emulator: EmulatorProcess, tmp_path: Path) -> Iterator[Callable[..., EngineStack]]:
    """Make an EngineStack of the example program (or of `main`) in a fresh folder, with its own ACTIVE solution
    set as the stack's `solutionArn`; the engine's display is kept in `stack.lines` (and shown on failure)."""
    made: list[EngineStack] = []

    def make(main: str | None = None, **env: str) -> EngineStack:
        client = boto3.client("personalize", region_name=REGION)
        solution = active_solution(client, unique("e2e"))
        stack = EngineStack(
            tmp_path / f"stack{len(made)}",
            env={**emulator.env(REGION), **FAST_POLLING, **env},
            main=main,
            cli=cli,
            echo=None,
        )
        stack.set_config(f"{PROJECT}:solutionArn", solution)
        stack.solution_arn = solution
        made.append(stack)
        return stack

    yield make
    for stack in made:
        print(f"--- engine output of {stack.folder} ---")
        print("\n".join(stack.lines))


@pytest.fixture(params=[False], ids=["refused"])
def duplicate_names(request: pytest.FixtureRequest, emulator: Any) -> Iterator[bool]:
    """On the real engine, the emulator's default for a version name the solution already has: refused. Both modes
    (refused, accepted: a second version under that name) are run in process (tests/inprocess, `duplicate_names`),
    where the ownership logic that depends on the mode is decided; an engine run in each mode would prove it again at
    ten times the cost."""
    yield from duplicate_names_mode(emulator, bool(request.param))


SKEW_SECONDS = -2 * 3600.0
"""The service's clock two hours behind the machine's: no search may rest on the two agreeing."""


@pytest.fixture
def skewed_clock(control: Any) -> Iterator[Any]:
    """The emulator's clock (every creation time and every answer's `Date`) two hours behind the machine's, for
    this test."""
    control.set_clock_offset(SKEW_SECONDS)
    try:
        yield control
    finally:
        control.set_clock_offset(0)


def child_processes(pid: int) -> list[int]:
    """Direct children of `pid` (Linux /proc)."""
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                children.append(int(entry.name))
    return children


def process_name(pid: int) -> str:
    try:
        return (Path("/proc") / str(pid) / "comm").read_text().strip()
    except OSError:
        return ""


def provider_hosts(program_dir: Path) -> list[int]:
    """PIDs of `python -m pulumi.dynamic` processes running in `program_dir` (the engine starts them there)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        if b"pulumi.dynamic" in cmdline and Path(cwd) == program_dir:
            found.append(int(entry.name))
    return found


class BackgroundOperation:
    """`python -m harness.automation OPERATION` for a stack, in its own process, so a test can signal its CLI. Its
    output is read as it comes (a full pipe would stall the engine) and kept in `lines`."""

    def __init__(self, stack: EngineStack, operation: str, targets: tuple[str, ...] = ()):
        stack.changed_elsewhere()
        # What the child's EngineStack would not set itself: the emulator's variables, and any PULUMI_ setting the
        # stack chose over the work folder's defaults (e.g. a backend URL other than its file:// state folder).
        defaults = engine_env(stack.folder, {})
        extra_env = {key: value for key, value in stack.env.items() if defaults.get(key) != value}
        host = ["--provider-python", str(stack.provider_python)] if stack.provider_python else []
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "harness.automation",
                operation,
                "--folder",
                str(stack.folder),
                "--stack",
                stack.stack_name,
                "--env-json",
                json.dumps(extra_env),
                *host,
                *(word for urn in targets for word in ("--target", urn)),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line)

    @property
    def output(self) -> str:
        return "".join(self.lines)

    def cli_pid(self, timeout: float = 60.0) -> int:
        """The `pulumi` process the Automation API started."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for pid in child_processes(self.process.pid):
                if process_name(pid) == "pulumi":
                    return pid
            time.sleep(0.1)
        raise AssertionError(f"the Automation API started no pulumi process; it printed:\n{self.output}")

    def signal_cli(self, signum: signal.Signals) -> None:
        os.kill(self.cli_pid(), signum)

    def finish(self, timeout: float = 120.0) -> tuple[int, str]:
        code = self.process.wait(timeout=timeout)
        self._reader.join(timeout=10)
        return code, self.output


def wait_until(
    condition: Callable[[], Any], timeout: float, what: str, running: BackgroundOperation | None = None
) -> Any:
    """Poll `condition()` until it is truthy and return it; on timeout, fail showing what `running` printed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    printed = f"; the operation printed:\n{running.output}" if running is not None else ""
    raise AssertionError(f"timed out after {timeout} s waiting for {what}{printed}")


def up_until_training(
    stack: EngineStack, control: Any, training_seconds: float, targets: tuple[str, ...] = ()
) -> BackgroundOperation:
    """`pulumi up` of `stack` (with `--target` for each of `targets`) in its own process, returned once its training
    has started (emulated trainings take `training_seconds`), so a test can interrupt the CLI mid-training."""
    control.set_timing(training_seconds=training_seconds, setup_seconds=0.5)
    control.clear_requests()
    running = BackgroundOperation(stack, "up", targets)
    wait_until(lambda: trainings_started(control) == 1, 90, "the training to start", running)
    return running
