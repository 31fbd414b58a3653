"""Benchmark: N SolutionVersion creates sent at once to one real dynamic-provider host, against the emulator.

For each host worker setting (`PERSONALIZE_HOST_WORKERS`: 4 is the SDK's pool, i.e. the widening off; 64 is the
provider's default) it measures, in one run:
- warm host: N = 1, 4, 8, 16 creates sent at once to a host that has already served a call, as wall(N)/wall(1),
  with the latency of Checks of another resource sent every 0.3 s while the creates run;
- burst: a fresh host whose very first calls after Configure are the N creates, as burst wall(N)/burst wall(1) (both
  pay the provider's first load);
- "together": how many of the N trainings started (CreateSolutionVersion, as logged by the emulator) within half a
  training of the first one, i.e. ran side by side (with 4 workers the fifth can start only when a training ends).

Run: `.venv/bin/python -m benchmarks.host_concurrency [--host-workers 4,64] [--training-seconds 3] [--repeats 1]`.
Results are recorded in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import threading
import time
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

import boto3

from harness.dynamic_host import DynamicHost
from personalize_pulumi.emulator.launcher import EmulatorProcess
from personalize_pulumi.provider.backoff import polling_env
from personalize_pulumi.provider.host import WORKERS_ENV
from personalize_pulumi.seeding import active_solution

COUNTS = (1, 4, 8, 16)
BURST_COUNTS = (1, 8, 16)
CHECK_EVERY = 0.3


@dataclass
class Round:
    """N creates sent at once: when the last returned, how many trainings ran together, Check latencies."""

    creates: int
    wall: float
    together: int
    checks: list[float] = field(default_factory=list)


class Bench:
    def __init__(self, emulator: EmulatorProcess, host_env: dict[str, str], training_seconds: float):
        self.emulator = emulator
        self.training_seconds = training_seconds
        self.host_env = host_env
        self.client = boto3.client("personalize", region_name="us-east-1")
        self.serial = 0

    def host(self) -> DynamicHost:
        host = DynamicHost(env=self.host_env)
        host.configure({"aws:region": "us-east-1"})
        return host

    def inputs(self, count: int) -> list[tuple[str, dict[str, Any]]]:
        """Checked inputs of `count` new resources, each on its own new ACTIVE solution (checked in-process, so that a
        fresh host's first calls are the creates)."""
        from personalize_pulumi.provider.checks import check_inputs

        made = []
        for _ in range(count):
            self.serial += 1
            name = f"model-{self.serial}"
            news = {"solutionArn": active_solution(self.client), "nameScope": f"bench/dev/{name}"}
            inputs, failures = check_inputs({}, news)
            assert not failures, failures
            made.append((name, inputs))
        return made

    def round(self, host: DynamicHost, count: int, probe: bool) -> Round:
        """Send `count` creates at once; with `probe`, Check another resource every CHECK_EVERY s until they return."""
        work = self.inputs(count)
        other = {"solutionArn": work[0][1]["solutionArn"], "nameScope": "bench/dev/other"}
        self.emulator.control.clear_requests()
        returned: list[float] = []
        errors: list[BaseException] = []

        def create(name: str, inputs: dict[str, Any]) -> None:
            try:
                host.create(name, inputs)
                returned.append(time.time())
            except BaseException as error:  # reported below; a failed round is not a measurement
                errors.append(error)

        threads = [threading.Thread(target=create, args=item) for item in work]
        start = time.time()
        for thread in threads:
            thread.start()
        result = Round(creates=count, wall=0.0, together=0)
        while probe and any(t.is_alive() for t in threads):
            time.sleep(CHECK_EVERY)
            if not any(t.is_alive() for t in threads):
                break
            sent = time.monotonic()
            host.check("other", other)
            result.checks.append(time.monotonic() - sent)
        for thread in threads:
            thread.join()
        if errors:
            raise RuntimeError(f"{len(errors)} of {count} creates failed: {errors[0]}")
        result.wall = max(returned) - start
        starts = sorted(e["time"] for e in self.emulator.control.requests("CreateSolutionVersion"))
        result.together = sum(1 for t in starts if t < starts[0] + self.training_seconds / 2)
        return result


def run(bench: Bench, repeats: int) -> tuple[dict[int, list[Round]], dict[int, list[Round]]]:
    warm: dict[int, list[Round]] = {n: [] for n in COUNTS}
    burst: dict[int, list[Round]] = {n: [] for n in BURST_COUNTS}
    host = bench.host()
    try:
        bench.round(host, 1, probe=False)  # warm-up: the provider's first load is not part of wall(N)
        for _ in range(repeats):
            for n in COUNTS:
                warm[n].append(bench.round(host, n, probe=True))
    finally:
        host.stop()
    for _ in range(repeats):
        for n in BURST_COUNTS:
            fresh = bench.host()
            try:
                burst[n].append(bench.round(fresh, n, probe=False))
            finally:
                fresh.stop()
    return warm, burst


def report(label: str, rounds: dict[int, list[Round]], with_checks: bool) -> list[str]:
    base = statistics.median(r.wall for r in rounds[1])
    lines = []
    for n, runs in rounds.items():
        wall = statistics.median(r.wall for r in runs)
        line = f"  {label:<5} N={n:<3} wall {wall:5.2f} s  wall(N)/wall(1) {wall / base:4.2f}  together {min(r.together for r in runs):>2}"
        checks = [c for r in runs for c in r.checks]
        if with_checks and checks:
            line += f"  Check median {statistics.median(checks) * 1000:6.0f} ms, max {max(checks) * 1000:6.0f} ms ({len(checks)})"
        lines.append(line)
    return lines


def machine() -> str:
    try:
        with open("/proc/meminfo") as meminfo:
            kib = int(next(line for line in meminfo if line.startswith("MemTotal")).split()[1])
        memory = f", {kib / 2**20:.0f} GiB"
    except (OSError, StopIteration, ValueError):
        memory = ""
    return (
        f"{platform.machine()}, {os.cpu_count()} cores{memory}, {platform.system()}, Python {platform.python_version()}, "
        f"pulumi {metadata.version('pulumi')}, boto3 {metadata.version('boto3')}, grpcio {metadata.version('grpcio')}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host-workers", default="4,64", help=f"comma-separated {WORKERS_ENV} values to compare")
    parser.add_argument("--training-seconds", type=float, default=3.0)
    parser.add_argument("--poll-seconds", type=float, default=0.1, help="first poll interval (the cap is twice it)")
    parser.add_argument("--repeats", type=int, default=1, help="rounds per N; the median wall is reported")
    args = parser.parse_args()

    print(f"{datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}; {machine()}")
    print(
        f"trainings of {args.training_seconds:g} s in the emulator, polled every {args.poll_seconds:g} s growing to "
        f"{2 * args.poll_seconds:g} s; medians of {args.repeats} round(s)"
    )
    emulator = EmulatorProcess(training_seconds=args.training_seconds, setup_seconds=0)
    os.environ.update(emulator.env())
    polling = {
        **polling_env(initial=args.poll_seconds, cap=2 * args.poll_seconds),
    }
    try:
        for workers in args.host_workers.split(","):
            host_env = {**emulator.env(), **polling, WORKERS_ENV: workers.strip()}
            bench = Bench(emulator, host_env, args.training_seconds)
            warm, burst = run(bench, args.repeats)
            print(f"{WORKERS_ENV}={workers.strip()}")
            print("\n".join(report("warm", warm, with_checks=True) + report("burst", burst, with_checks=False)))
    finally:
        emulator.stop()


if __name__ == "__main__":
    main()
