"""Benchmark: N SolutionVersion creates sent at once to one real dynamic-provider host, against the emulator.

Measures when each create returns, how long a Check waits while creates hold the host's workers, and how many
Personalize calls one create costs. Run: `.venv/bin/python benchmarks/host_concurrency.py [--creates 8]
[--training-seconds 3]`. Results of a run are recorded in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import threading
import time
from collections import Counter
from pathlib import Path

import boto3

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from emulator.control import EmulatorProcess  # noqa: E402
from harness.dynamic_host import DynamicHost  # noqa: E402
from tests.helpers import active_solution  # noqa: E402

POLLING = {"PERSONALIZE_POLL_INITIAL_SECONDS": "0.25", "PERSONALIZE_POLL_MAX_SECONDS": "0.5"}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--creates", type=int, default=8)
    parser.add_argument("--training-seconds", type=float, default=3.0)
    args = parser.parse_args()

    emulator = EmulatorProcess(training_seconds=args.training_seconds, setup_seconds=0.2)
    os.environ.update(emulator.env())
    client = boto3.client("personalize")
    solutions = [active_solution(client) for _ in range(args.creates)]
    host = DynamicHost(env={**emulator.env(), **POLLING})
    host.configure({"aws:region": "us-east-1"})
    checked = [host.check(f"model-{i}", {"solutionArn": arn, "nameScope": f"bench/dev/model-{i}"})[0] for i, arn in enumerate(solutions)]
    emulator.control.clear_requests()

    finished: dict[int, float] = {}
    start = time.monotonic()

    def create(index: int) -> None:
        host.create(f"model-{index}", checked[index])
        finished[index] = time.monotonic() - start

    threads = [threading.Thread(target=create, args=(i,)) for i in range(args.creates)]
    for thread in threads:
        thread.start()
    time.sleep(0.5)
    check_started = time.monotonic()
    host.check("late", {"solutionArn": solutions[0], "nameScope": "bench/dev/late"})
    check_wait = time.monotonic() - check_started
    for thread in threads:
        thread.join()

    calls = Counter(entry["operation"] for entry in emulator.control.requests())
    host.stop()
    emulator.stop()

    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}")
    print(f"{args.creates} creates of {args.training_seconds:g} s trainings sent at once to one `python -m pulumi.dynamic`")
    for index, seconds in sorted(finished.items(), key=lambda item: item[1]):
        print(f"  create {index}: returned after {seconds:5.2f} s")
    print(f"a Check sent 0.5 s after them waited {check_wait:.2f} s for a free worker")
    print("Personalize calls per create: " + ", ".join(f"{op} {n / args.creates:.1f}" for op, n in sorted(calls.items())))


if __name__ == "__main__":
    main()
