"""Benchmark: big stacks on the real engine, this provider side by side with the engine's own floor (issue 25).

For each N (default 1, 50 and 200) and each kind of resource, one stack of N of them goes through: a preview of the new
stack, `up`, a preview with nothing changed, a preview with every model retagged, and `destroy`. The kinds:

- `SolutionVersion`: N bare SolutionVersions (each declares its TrainingOwner: 2N resources);
- `TrainedModel`: N TrainedModel components (each a component, a SolutionVersion and its owner: 3N);
- `trivial`: N dynamic resources whose provider does nothing (create returns its inputs, diff compares one key),
  the floor of the engine, the program and the dynamic-provider host for N dynamic resources;
- `trivial-pairs`: two of those per model (2N resources), the floor for as many resources as N SolutionVersions;
- `unowned`: for measurement only, N resources of this provider declared without their TrainingOwner (a fixed owner
  token; what a SolutionVersion would cost without the owner that issue 24's guarantees rest on). Not a way to use the
  provider: nothing stops an interrupted training of these at destroy.

"Retagged": a tag of every model changes (an in-place update); for the trivial resource, the one key its diff compares.
Every model has its own solution (one model per market and use case; `--one-solution`: all share one). Emulator with
3 s trainings and its quota of 20 trainings at once per region; every operation runs with `--parallel 64`. The bound
of `up` is the training waves (ceil(N / 20) x the training time) plus the trivial resource's up.

Run: `.venv/bin/python -m benchmarks.engine_scale [--models 1 50 200] [--kinds SolutionVersion TrainedModel trivial]`
(the full table takes about 8 minutes on 2 cores; `--models 1 50` about 2). Results: benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import resource
import subprocess
import tempfile
import time
from collections.abc import Callable
from importlib.metadata import version
from pathlib import Path
from typing import Any

from harness.automation import EngineFailed, EngineStack, project_name, pulumi_cli
from personalize_pulumi.emulator.launcher import EmulatorProcess
from personalize_pulumi.provider.backoff import polling_env
from personalize_pulumi.seeding import RECIPE_USER_PERSONALIZATION, wait_until_active

POLLING = polling_env(initial=0.25, cap=0.5)
PARALLEL = 64
TRAINING_SECONDS = 3.0
QUOTA = 20
KINDS = ("SolutionVersion", "TrainedModel", "trivial", "trivial-pairs", "unowned")
DEFAULT_KINDS = ("SolutionVersion", "TrainedModel", "trivial")
ROWS = ("preview new", "preview same", "preview retagged", "destroy", "up")

TRIVIAL_MODULE = '''"""A dynamic resource whose provider does nothing: the engine's floor for N dynamic resources."""

from pulumi.dynamic import CreateResult, DiffResult, Resource, ResourceProvider, UpdateResult


class TrivialProvider(ResourceProvider):
    def create(self, props):
        return CreateResult(f"trivial-{props['index']}", props)

    def diff(self, _id, olds, news):
        return DiffResult(changes=olds.get("value") != news.get("value"), replaces=[], stables=[])

    def update(self, _id, _olds, news):
        return UpdateResult(news)


class Trivial(Resource):
    def __init__(self, name, index, value):
        super().__init__(TrivialProvider(), name, {"index": index, "value": value})
'''

PROGRAM = """
import json

import pulumi
from personalize_pulumi import TrainedModel, TrainedModelArgs
from personalize_pulumi.provider import SolutionVersion, SolutionVersionArgs
from personalize_pulumi.provider.properties import INPUTS, OUTPUTS
from personalize_pulumi.provider.solution_version import SolutionVersionProvider
from scale_trivial import Trivial


class Unowned(pulumi.dynamic.Resource, module="scale", name="Unowned"):
    pass


config = pulumi.Config()
kind = config.require("kind")
solutions = json.loads(config.require("solutions"))
tag = config.require("tag")
for index in range(config.require_int("models")):
    solution = solutions[index % len(solutions)]
    if kind == "trivial":
        Trivial(f"model-{index}", index, tag)
    elif kind == "trivial-pairs":
        Trivial(f"model-{index}", index, tag)
        Trivial(f"model-{index}-pair", index, tag)
    elif kind == "unowned":
        props = {key: None for key in (*INPUTS.values(), *OUTPUTS.values())}
        props.update(solutionArn=solution, tags={"release": tag}, tagsAll={"release": tag}, ownerToken="0" * 16)
        props["nameScope"] = f"{pulumi.get_project()}/{pulumi.get_stack()}/model-{index}"
        Unowned(SolutionVersionProvider(), f"model-{index}", props)
    elif kind == "TrainedModel":
        TrainedModel(f"model-{index}", TrainedModelArgs(solution_arn=solution, tags={"release": tag}))
    else:
        SolutionVersion(f"model-{index}", SolutionVersionArgs(solution_arn=solution, tags={"release": tag}))
"""


def solutions_for(client: Any, kind: str, count: int, prefix: str, one: bool) -> list[str]:
    """ACTIVE solutions for `count` models of `kind`: one each (one shared with `one`, and for the trivial resource,
    which uses none), created together rather than one after the other."""
    names = [f"{prefix}-{index}" for index in range(1 if one or kind.startswith("trivial") else count)]
    groups = [client.create_dataset_group(name=f"{name}-data")["datasetGroupArn"] for name in names]
    for group in groups:

        def status(group: str = group) -> str:
            return str(client.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"])

        wait_until_active(status, group)
    arns = [
        client.create_solution(name=name, datasetGroupArn=group, recipeArn=RECIPE_USER_PERSONALIZATION)["solutionArn"]
        for name, group in zip(names, groups, strict=True)
    ]
    for arn in arns:

        def solution_status(arn: str = arn) -> str:
            return str(client.describe_solution(solutionArn=arn)["solution"]["status"])

        wait_until_active(solution_status, arn)
    return arns


def load() -> str:
    """The 1/5/15-minute load average, as `uptime` shows it."""
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


CPU: dict[tuple[str, int, str], tuple[float, float, float]] = {}
"""(kind, N, row) -> CPU seconds of the engine with its provider host, of the program process, and of the emulator."""


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of a running process (Linux /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(operation: Callable[[], Any], key: tuple[str, int, str], emulator_pid: int) -> float:
    """Wall seconds of `operation()`; its CPU seconds per process go to CPU[key]. The engine (the CLI) and its
    provider host are this process's children, reaped when the operation ends, so RUSAGE_CHILDREN counts both."""
    children, own, emulator = (
        resource.getrusage(resource.RUSAGE_CHILDREN),
        time.process_time(),
        process_cpu(emulator_pid),
    )
    started = time.monotonic()
    operation()
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    engine = after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime
    CPU[key] = (engine, time.process_time() - own, process_cpu(emulator_pid) - emulator)
    return wall


def measure(
    kind: str, count: int, solutions: list[str], work: Path, env: dict[str, str], cli: Path, emulator_pid: int
) -> dict[str, float]:
    """The five operations of one stack of `count` resources of `kind`; seconds per row."""
    folder = work / f"{kind}-{count}"
    stack = EngineStack(folder, env=env, main=PROGRAM, cli=cli, echo=None)
    (stack.program_dir / "scale_trivial.py").write_text(TRIVIAL_MODULE)
    project = project_name()
    stack.set_config(f"{project}:kind", kind)
    stack.set_config(f"{project}:models", str(count))
    stack.set_config(f"{project}:solutions", solutions)
    stack.set_config(f"{project}:tag", "a")
    seconds: dict[str, float] = {}
    seconds["preview new"] = timed(lambda: stack.preview(parallel=PARALLEL), (kind, count, "preview new"), emulator_pid)
    seconds["up"] = timed(lambda: stack.up(parallel=PARALLEL), (kind, count, "up"), emulator_pid)
    try:
        seconds["preview same"] = timed(
            lambda: stack.preview(parallel=PARALLEL, expect_no_changes=True),
            (kind, count, "preview same"),
            emulator_pid,
        )
    except EngineFailed as failed:
        raise SystemExit(f"the no-change preview of {count} {kind} showed changes:\n{failed.output}") from None
    stack.set_config(f"{project}:tag", "b")
    seconds["preview retagged"] = timed(
        lambda: stack.preview(parallel=PARALLEL), (kind, count, "preview retagged"), emulator_pid
    )
    seconds["destroy"] = timed(lambda: stack.destroy(parallel=PARALLEL), (kind, count, "destroy"), emulator_pid)
    return seconds


def waves(count: int) -> float:
    """The training time of `count` models with the quota: ceil(count / 20) waves of one training each."""
    return math.ceil(count / QUOTA) * TRAINING_SECONDS


def machine() -> str:
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return (
        f"{platform.machine()}, {os.cpu_count()} CPUs, {memory:.0f} GiB, {platform.system()}, Python "
        f"{platform.python_version()}, pulumi SDK {version('pulumi')}, boto3 {version('boto3')}, "
        f"moto {version('moto')}, grpcio {version('grpcio')}"
    )


def commit() -> str:
    result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False)
    dirty = subprocess.run(["git", "status", "--porcelain", "src"], capture_output=True, text=True, check=False)
    return result.stdout.strip() + (" (modified)" if dirty.stdout.strip() else "")


def report(results: dict[tuple[str, int], dict[str, float]], counts: list[int], kinds: list[str]) -> None:
    for count in counts:
        trivial = results.get(("trivial", count))
        print(f"\nN = {count}  (training waves: {waves(count):g} s)")
        header = f"  {'row':<18}" + "".join(f"{kind:>17}" for kind in kinds)
        pairs = results.get(("trivial-pairs", count))
        if trivial is not None:
            header += "".join(f"{'ratio ' + kind[:10]:>19}" for kind in kinds if not kind.startswith("trivial"))
        if pairs is not None and ("SolutionVersion", count) in results:
            header += f"{'SV / pairs':>19}"
        print(header)
        for row in ROWS:
            line = f"  {row:<18}" + "".join(f"{results[(kind, count)][row]:15.1f} s" for kind in kinds)
            if trivial is not None:
                floor = trivial[row] + (waves(count) if row == "up" else 0.0)
                for kind in kinds:
                    if not kind.startswith("trivial"):
                        line += f"{results[(kind, count)][row] / floor:18.2f}x"
            if pairs is not None and ("SolutionVersion", count) in results:
                floor = pairs[row] + (waves(count) if row == "up" else 0.0)
                line += f"{results[('SolutionVersion', count)][row] / floor:18.2f}x"
            print(line)
    print("\nCPU seconds per operation: engine (CLI) + provider host / program process / emulator")
    for count in counts:
        for kind in kinds:
            cells = ", ".join(
                f"{row} {' / '.join(f'{value:.1f}' for value in CPU[(kind, count, row)])}"
                for row in ROWS
                if (kind, count, row) in CPU
            )
            print(f"  N={count} {kind}: {cells}")
    if any(kind != "trivial" for kind in kinds) and "trivial" in kinds:
        print("\n  ratio: this provider / the trivial resource; for up: / (training waves + the trivial resource's up)")
    if "trivial-pairs" in kinds and "SolutionVersion" in kinds:
        print("  SV / pairs: SolutionVersion / trivial-pairs (as many resources on both sides; for up, with the waves)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", type=int, nargs="+", default=[1, 50, 200])
    parser.add_argument("--kinds", nargs="+", choices=KINDS, default=list(DEFAULT_KINDS))
    parser.add_argument("--one-solution", action="store_true", help="all models train versions of one solution")
    args = parser.parse_args()
    cli = pulumi_cli()
    emulator = EmulatorProcess(training_seconds=TRAINING_SECONDS, setup_seconds=0.2)
    client = emulator.client()
    print(f"engine_scale: CLI {cli.parent.parent.name}, commit {commit()}, --parallel {PARALLEL}")
    print(f"  machine: {machine()}")
    print(f"  load average at start: {load()}")
    results: dict[tuple[str, int], dict[str, float]] = {}
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory() as work:
            for count in args.models:
                for kind in args.kinds:
                    solutions = solutions_for(client, kind, count, f"scale-{kind}-{count}", args.one_solution)
                    env = {**emulator.env(), **POLLING}
                    results[(kind, count)] = measure(kind, count, solutions, Path(work), env, cli, emulator.process.pid)
                    row = ", ".join(f"{name} {value:.1f} s" for name, value in results[(kind, count)].items())
                    print(f"  N={count} {kind}: {row} (load {load()})", flush=True)
    finally:
        emulator.stop()
    report(results, args.models, args.kinds)
    print(f"\n  total {time.monotonic() - started:.0f} s; load average at the end: {load()}")


if __name__ == "__main__":
    main()
