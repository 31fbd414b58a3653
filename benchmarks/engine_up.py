"""Benchmark: `pulumi up` of a stack of 1, 8 and 16 models, and a no-change preview of 16, on the real engine.

The real Go CLI (from scripts/pulumi-cli) runs an inline program (harness/automation.py) that declares N
SolutionVersions of one emulated solution; each up starts from an empty stack. Reports wall times and wall(N)/wall(1),
all measured in one run, with the engine's default `--parallel` (4 x CPU cores since pulumi 3.x, see
`cmd/pulumi/operations/up.go`) and, for the largest N, with `--parallel 64`. Run: `.venv/bin/python -m benchmarks.engine_up [--training-seconds 10] [--models 1 8 16] [--host-workers 4]`.
Results are recorded in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from importlib.metadata import version
from pathlib import Path

from harness.automation import EngineFailed, EngineStack, project_name, pulumi_cli
from personalize_pulumi.emulator.launcher import EmulatorProcess
from personalize_pulumi.provider.backoff import polling_env
from personalize_pulumi.provider.host import WORKERS_ENV
from personalize_pulumi.seeding import active_solution

POLLING = polling_env(initial=0.25, cap=0.5)
WIDE_PARALLEL = 64
PROGRAM = """
import pulumi
from personalize_pulumi.provider import SolutionVersion, SolutionVersionArgs

config = pulumi.Config()
for index in range(config.require_int("models")):
    SolutionVersion(f"model-{index}", SolutionVersionArgs(solution_arn=config.require("solutionArn")))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--training-seconds", type=float, default=10.0)
    parser.add_argument("--models", type=int, nargs="+", default=[1, 8, 16])
    parser.add_argument(
        "--host-workers",
        type=int,
        default=None,
        help="PERSONALIZE_HOST_WORKERS for the provider host (4: the SDK's pool)",
    )
    args = parser.parse_args()
    cli = pulumi_cli()
    emulator = EmulatorProcess(training_seconds=args.training_seconds, setup_seconds=0.2)
    client = emulator.client()
    project = project_name()
    runs = [(count, None) for count in args.models] + [(max(args.models), WIDE_PARALLEL)]
    ups: dict[tuple[int, int | None], float] = {}
    preview_seconds = None
    try:
        with tempfile.TemporaryDirectory() as work:
            for count, parallel in runs:
                solution = active_solution(client, f"bench-{count}-{parallel or 'default'}")
                folder = Path(work) / f"n{count}-{parallel}"
                env = {**emulator.env(), **POLLING}
                if args.host_workers is not None:
                    env[WORKERS_ENV] = str(args.host_workers)
                stack = EngineStack(folder, env=env, main=PROGRAM, cli=cli, echo=None)
                stack.set_config(f"{project}:solutionArn", solution)
                stack.set_config(f"{project}:models", str(count))
                started = time.monotonic()
                stack.up(parallel=parallel)
                ups[(count, parallel)] = time.monotonic() - started
                if count == max(args.models) and parallel is None:
                    started = time.monotonic()
                    try:
                        stack.preview(expect_no_changes=True)
                    except EngineFailed as failed:
                        sys.exit(f"the no-change preview of {count} models showed changes:\n{failed.output}")
                    preview_seconds = time.monotonic() - started
                stack.destroy()
    finally:
        emulator.stop()

    print(
        f"pulumi up on the real engine (CLI {cli.parent.parent.name}), {args.training_seconds:g} s emulated trainings, "
        f"{WORKERS_ENV}={args.host_workers or 'default'}, {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, pulumi SDK {version('pulumi')}"
    )
    smallest = min(args.models)
    base = ups[(smallest, None)]
    for (count, parallel), seconds in ups.items():
        flag = f"--parallel {parallel}" if parallel else f"default --parallel ({4 * (os.cpu_count() or 1)})"
        print(
            f"  up of {count:2d} model(s), {flag:<25}: {seconds:6.1f} s   wall({count})/wall({smallest}) = {seconds / base:.2f}"
        )
    if preview_seconds is not None:
        print(f"  no-change preview of {max(args.models)} models: {preview_seconds:.1f} s")


if __name__ == "__main__":
    main()
