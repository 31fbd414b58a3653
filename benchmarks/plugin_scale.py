"""Benchmark: the `personalize` provider plugin (`pulumi-resource-personalize`) on the real engine, against a plugin
that does nothing and against the dynamic provider.

The programs are Automation API inline Python programs (harness.automation.EngineStack) that declare the plugin's
resource as `pulumi.CustomResource("personalize:index:SolutionVersion", name, {"solutionArn": ..., "tags": ...})`;
the engine finds `pulumi-resource-personalize` on PATH (this virtualenv's `bin`), and `pulumi-resource-noop`
(benchmarks/noop_plugin.py, behind a shell script in a temporary `bin`) the same way.

a. Trainings at once through one plugin process: a stack of `--together` (default 64) SolutionVersions, `up` with
   `--parallel 64` and 10 s trainings, against the same stack of 1 model: wall(64)/wall(1). The emulator's quota of
   trainings at once is a constant (20 per region, `MAX_TRAININGS_PER_REGION` in emulator/models.py: no flag or
   control route changes it), and the provider sends each call to its solution's region, so the models' solutions are
   spread over 4 regions (at most 16 trainings in each). While `up` runs, /proc is sampled for the plugin processes of
   that stack (a `pulumi-resource-personalize` whose PULUMI_HOME is the stack's): exactly one must serve it. The
   emulator's request log tells when each CreateSolutionVersion was answered and whether any hit the quota.
b. For each N of `--models` (default 1 and 200): N models through the plugin, N resources of the no-op plugin, and N
   SolutionVersions of the dynamic provider (benchmarks/engine_scale.py's kind `SolutionVersion`: each with its
   TrainingOwner, so 2N resources; the plugin derives the owner token itself and needs none), optionally
   (`--kinds ... trivial`) engine_scale's trivial dynamic resource. Each stack: a preview of the new stack, `up`, a
   preview with nothing changed (`--expect-no-changes`), a preview with every model retagged (the no-op resource: its
   one compared key), `destroy`. 3 s trainings in one region with its quota of 20, as engine_scale, so `up` of N
   models holds ceil(N / 20) training waves for both providers. Every operation runs with `--parallel 64`.

Run: `.venv/bin/python -m benchmarks.plugin_scale` (the full run, part a at 64 and part b at 1 and 200, takes about
3.5 minutes on 2 idle cores; with `--kinds plugin noop dynamic trivial` about 4, 4.5 at a load of 8);
`--models 1 20 --together 8` for a quick run of about 1.5 minutes. Results: benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import math
import os
import stat
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import engine_scale
from benchmarks.engine_scale import CPU, POLLING, QUOTA, commit, load, machine, solutions_for, timed
from harness.automation import EngineFailed, EngineStack, project_name, pulumi_cli
from personalize_pulumi.emulator.launcher import EmulatorProcess

PARALLEL = 64
TOGETHER_TRAINING_SECONDS = 10.0
SCALE_TRAINING_SECONDS = engine_scale.TRAINING_SECONDS
REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-northeast-1")
"""Part a's solutions, spread so that no region holds more than the emulator's quota of trainings at once."""
PLUGIN = "pulumi-resource-personalize"
NOOP_PLUGIN = Path(__file__).resolve().parent / "noop_plugin.py"
KINDS = ("plugin", "noop", "dynamic", "trivial")
DEFAULT_KINDS = ("plugin", "noop", "dynamic")
ROWS = engine_scale.ROWS
RESOURCES_PER_MODEL = {"plugin": 1, "noop": 1, "dynamic": 2, "trivial": 1}

PROGRAM = """
import json

import pulumi

config = pulumi.Config()
kind = config.require("kind")
solutions = json.loads(config.require("solutions"))
tag = config.require("tag")
for index in range(config.require_int("models")):
    if kind == "noop":
        pulumi.CustomResource("noop:index:Thing", f"model-{index}", {"index": index, "value": tag})
    else:
        props = {"solutionArn": solutions[index % len(solutions)], "tags": {"release": tag}}
        pulumi.CustomResource("personalize:index:SolutionVersion", f"model-{index}", props)
"""


@dataclass
class PluginWatch:
    """The plugin processes of one stack seen in /proc while an operation runs: pid -> most threads seen."""

    home: Path
    executable: str
    threads: dict[int, int] = field(default_factory=dict)

    def sample(self) -> None:
        marker = f"PULUMI_HOME={self.home}".encode()
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                if self.executable.encode() not in (entry / "cmdline").read_bytes():
                    continue
                if marker not in (entry / "environ").read_bytes().split(b"\0"):
                    continue
                status = (entry / "status").read_text()
            except OSError:
                continue
            count = int(next(line.split()[1] for line in status.splitlines() if line.startswith("Threads:")))
            pid = int(entry.name)
            self.threads[pid] = max(self.threads.get(pid, 0), count)


@contextmanager
def watching(home: Path, executable: str, every: float = 0.2) -> Iterator[PluginWatch]:
    """Sample the stack's plugin processes every `every` seconds while the block runs."""
    watch = PluginWatch(home, executable)
    done = threading.Event()

    def loop() -> None:
        while not done.is_set():
            watch.sample()
            done.wait(every)

    sampler = threading.Thread(target=loop, name="plugin-watch", daemon=True)
    sampler.start()
    try:
        yield watch
    finally:
        done.set()
        sampler.join()


def noop_bin(folder: Path) -> Path:
    """A folder holding `pulumi-resource-noop`, the executable the engine starts for package `noop`."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "pulumi-resource-noop"
    script.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{NOOP_PLUGIN}" "$@"\n')
    script.chmod(script.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return folder


def plugin_env(emulator: EmulatorProcess, noop: Path) -> dict[str, str]:
    """The CLI's environment: the emulator, fast polling, and both plugins on PATH."""
    path = os.pathsep.join([str(Path(sys.executable).parent), str(noop), os.environ.get("PATH", "")])
    return {**emulator.env(), **POLLING, "PATH": path}


def plugin_stack(folder: Path, kind: str, count: int, solutions: list[str], env: dict[str, str], cli: Path) -> Any:
    stack = EngineStack(folder, env=env, main=PROGRAM, cli=cli, echo=None)
    project = project_name()
    stack.set_config(f"{project}:kind", kind)
    stack.set_config(f"{project}:models", str(count))
    stack.set_config(f"{project}:solutions", solutions)
    stack.set_config(f"{project}:tag", "a")
    return stack


WATCHED: dict[tuple[str, int, str], dict[int, int]] = {}
"""(kind, N, row) -> the plugin processes seen during that operation: pid -> most threads."""
CHANGES: dict[tuple[str, int], dict[str, int]] = {}
"""(kind, N) -> the change summary of the retagged preview."""


def measure(
    kind: str, count: int, solutions: list[str], work: Path, env: dict[str, str], cli: Path, emulator_pid: int
) -> dict[str, float]:
    """engine_scale's five operations on a stack of `count` resources of the plugin (`kind` "plugin") or the no-op
    plugin ("noop"); seconds per row."""
    folder = work / f"{kind}-{count}"
    stack = plugin_stack(folder, kind, count, solutions, env, cli)
    executable = PLUGIN if kind == "plugin" else "noop_plugin.py"
    home = folder / "pulumi-home"
    seconds: dict[str, float] = {}

    def run(row: str, operation: Any) -> Any:
        outcome: list[Any] = []
        with watching(home, executable) as watch:
            seconds[row] = timed(lambda: outcome.append(operation()), (kind, count, row), emulator_pid)
        WATCHED[(kind, count, row)] = watch.threads
        return outcome[0]

    run("preview new", lambda: stack.preview(parallel=PARALLEL))
    run("up", lambda: stack.up(parallel=PARALLEL))
    try:
        run("preview same", lambda: stack.preview(parallel=PARALLEL, expect_no_changes=True))
    except EngineFailed as failed:
        raise SystemExit(f"the no-change preview of {count} {kind} showed changes:\n{failed.output}") from None
    stack.set_config(f"{project_name()}:tag", "b")
    retagged = run("preview retagged", lambda: stack.preview(parallel=PARALLEL))
    CHANGES[(kind, count)] = dict(retagged.change_summary)
    run("destroy", lambda: stack.destroy(parallel=PARALLEL))
    return seconds


@dataclass
class Together:
    """Part a at one size: the wall of `up`, the plugin processes seen, and the trainings' start times."""

    count: int
    wall: float
    processes: dict[int, int]
    starts: list[float]
    limited: int

    def line(self) -> str:
        spread = max(self.starts) - min(self.starts) if self.starts else math.nan
        processes = ", ".join(f"pid {pid} ({threads} threads max)" for pid, threads in sorted(self.processes.items()))
        return (
            f"  N={self.count:<3} up {self.wall:6.2f} s  trainings started {len(self.starts)}, within {spread:.2f} s "
            f"of each other, LimitExceeded {self.limited}; plugin processes: {len(self.processes)} [{processes}]"
        )


def together(
    count: int, work: Path, emulator: EmulatorProcess, env: dict[str, str], cli: Path
) -> tuple[Together, float]:
    """`up` of `count` plugin models at once (solutions spread over REGIONS), then `destroy`; and the destroy's wall."""
    per_region = [count // len(REGIONS) + (index < count % len(REGIONS)) for index in range(len(REGIONS))]
    solutions = [
        arn
        for region, share in zip(REGIONS, per_region, strict=True)
        if share
        for arn in solutions_for(emulator.client(region=region), "plugin", share, f"together-{count}-{region}", False)
    ]
    folder = work / f"together-{count}"
    stack = plugin_stack(folder, "plugin", count, solutions, env, cli)
    emulator.control.clear_requests()
    with watching(folder / "pulumi-home", PLUGIN) as watch:
        wall = timed(lambda: stack.up(parallel=PARALLEL), ("together", count, "up"), emulator.process.pid)
    creates = emulator.control.requests("CreateSolutionVersion")
    starts = [entry["time"] for entry in creates if entry["status"] == 200]
    limited = sum(1 for entry in creates if entry["status"] != 200)
    destroy = timed(lambda: stack.destroy(parallel=PARALLEL), ("together", count, "destroy"), emulator.process.pid)
    return Together(count, wall, watch.threads, starts, limited), destroy


def waves(count: int) -> float:
    return math.ceil(count / QUOTA) * SCALE_TRAINING_SECONDS


def report(results: dict[tuple[str, int], dict[str, float]], counts: list[int], kinds: list[str]) -> None:
    others = [kind for kind in kinds if kind != "plugin"]
    for count in counts:
        print(f"\nN = {count}  (training waves: {waves(count):g} s)")
        header = f"  {'row':<18}" + "".join(f"{kind:>12}" for kind in kinds)
        header += "".join(f"{'plugin/' + kind:>17}" for kind in others if "plugin" in kinds)
        if "noop" in kinds and "plugin" in kinds:
            header += f"{'plugin/(noop+waves)':>22}"
        print(header)
        for row in ROWS:
            line = f"  {row:<18}" + "".join(f"{results[(kind, count)][row]:10.1f} s" for kind in kinds)
            if "plugin" in kinds:
                plugin = results[("plugin", count)][row]
                line += "".join(f"{plugin / results[(kind, count)][row]:16.2f}x" for kind in others)
                if "noop" in kinds:
                    floor = results[("noop", count)][row] + (waves(count) if row == "up" else 0.0)
                    line += f"{plugin / floor:21.2f}x"
            print(line)
        retagged = ", ".join(f"{kind} {CHANGES[(kind, count)]}" for kind in kinds if (kind, count) in CHANGES)
        print(f"  retagged preview's changes: {retagged}")
    print("\nCPU seconds per operation: engine (CLI) + its plugins / program process / emulator")
    for count in counts:
        for kind in kinds:
            cells = ", ".join(
                f"{row} {' / '.join(f'{value:.1f}' for value in CPU[(kind, count, row)])}"
                for row in ROWS
                if (kind, count, row) in CPU
            )
            print(f"  N={count} {kind}: {cells}")
    print("\nPlugin processes per operation (most threads seen in /proc)")
    for count in counts:
        for kind in ("plugin", "noop"):
            if kind in kinds:
                cells = ", ".join(
                    f"{row} {len(WATCHED[(kind, count, row)])} ({max(WATCHED[(kind, count, row)].values(), default=0)})"
                    for row in ROWS
                )
                print(f"  N={count} {kind}: {cells}")
    print(
        "\n  resources per model: plugin 1, noop 1, dynamic 2 (its TrainingOwner), trivial 1; for up, the last "
        "column divides by the no-op plugin's up plus the training waves"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, nargs="+", default=[1, 200], help="part b's sizes")
    parser.add_argument("--together", type=int, default=64, help="part a's size (against 1); 0 skips part a")
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(DEFAULT_KINDS), help="part b's kinds")
    args = parser.parse_args()
    cli = pulumi_cli()
    emulator = EmulatorProcess(training_seconds=TOGETHER_TRAINING_SECONDS, setup_seconds=0.2)
    print(f"plugin_scale: CLI {cli.parent.parent.name}, commit {commit()}, --parallel {PARALLEL}")
    print(f"  machine: {machine()}")
    print(f"  load average at start: {load()}", flush=True)
    started = time.monotonic()
    results: dict[tuple[str, int], dict[str, float]] = {}
    runs: list[Together] = []
    try:
        with tempfile.TemporaryDirectory() as temporary:
            work = Path(temporary)
            env = plugin_env(emulator, noop_bin(work / "bin"))
            if args.together:
                print(f"\na. {args.together} trainings at once vs 1 ({TOGETHER_TRAINING_SECONDS:g} s trainings)")
                for count in (1, args.together):
                    run, destroy = together(count, work, emulator, env, cli)
                    runs.append(run)
                    print(f"{run.line()}; destroy {destroy:.1f} s (load {load()})", flush=True)
                print(f"  wall({args.together})/wall(1) = {runs[1].wall / runs[0].wall:.2f}")
            emulator.control.set_timing(training_seconds=SCALE_TRAINING_SECONDS)
            print(f"\nb. the plugin vs {', '.join(kind for kind in args.kinds if kind != 'plugin')}", flush=True)
            for count in args.models:
                for kind in args.kinds:
                    name = "SolutionVersion" if kind == "dynamic" else kind
                    solutions = solutions_for(
                        emulator.client(),
                        "trivial" if kind in ("noop", "trivial") else name,
                        count,
                        f"b-{kind}-{count}",
                        False,
                    )
                    if kind in ("plugin", "noop"):
                        seconds = measure(kind, count, solutions, work, env, cli, emulator.process.pid)
                    else:
                        seconds = engine_scale.measure(name, count, solutions, work, env, cli, emulator.process.pid)
                        for row in ROWS:
                            CPU[(kind, count, row)] = CPU[(name, count, row)]
                    results[(kind, count)] = seconds
                    row = ", ".join(f"{name} {value:.1f} s" for name, value in seconds.items())
                    print(f"  N={count} {kind}: {row} (load {load()})", flush=True)
    finally:
        emulator.stop()
    report(results, args.models, args.kinds)
    print(f"\n  total {time.monotonic() - started:.0f} s; load average at the end: {load()}")


if __name__ == "__main__":
    main()
