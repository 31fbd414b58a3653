"""More than 4 trainings at once per stack: the provider widens the dynamic host's worker pool (personalize_pulumi/provider/host.py).

Through the real `python -m pulumi.dynamic` host against the emulator, and the widening function itself on plain
thread pools. The tests assert behaviour, not time (timings are in benchmarks/RESULTS.md): "together" is how many
trainings were started before the first one ended, by the order of the emulator's request log (a create asks for
GetSolutionMetrics only once its version is ACTIVE); with the SDK's 4 workers a fifth training can start only after
one has ended. The trainings are held (they do not end) until as many as the test expects side by side have started,
so a slow machine cannot end one early.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from pulumi.dynamic.dynamic import serialize_provider

from harness.dynamic_host import DynamicHost
from personalize_pulumi.emulator.client import EmulatorControl
from personalize_pulumi.emulator.launcher import EmulatorProcess
from personalize_pulumi.provider.backoff import Cancellation
from personalize_pulumi.provider.checks import check_inputs
from personalize_pulumi.provider.clients import ClientCache, StackAwsConfig
from personalize_pulumi.provider.host import WORKERS_ENV
from personalize_pulumi.provider.host import widen_pool as widen_host_pool
from personalize_pulumi.provider.properties import TYPE_TOKEN
from personalize_pulumi.provider.solution_version import SolutionVersionProvider
from tests.helpers import HELD, active_solution, is_permission_check, poll_until, start_host, unique

TRAINING = 2.0
FALLBACK = "trainings run 4 at a time"


@pytest.fixture
def timing(control: EmulatorControl) -> EmulatorControl:
    """Solutions ACTIVE at once (many are needed), trainings of TRAINING seconds."""
    control.set_timing(training_seconds=TRAINING, setup_seconds=0)
    return control


@pytest.fixture
def fresh_host(emulator: EmulatorProcess) -> Iterator[Any]:
    """Start hosts with extra environment; each is configured and has served no provider call yet."""
    started: list[DynamicHost] = []

    def start(**env: str) -> DynamicHost:
        started.append(start_host(emulator, **env))
        return started[-1]

    yield start
    for host in started:
        host.stop()


def checked_inputs(personalize: Any, count: int) -> list[tuple[str, dict[str, Any]]]:
    """Inputs of `count` new resources, each on its own ACTIVE solution, checked in-process (so that on a fresh host
    the creates are the first provider calls)."""
    made = []
    for _ in range(count):
        name = unique("model")
        inputs, failures = check_inputs({}, {"solutionArn": active_solution(personalize), "nameScope": f"p/dev/{name}"})
        assert failures == []
        made.append((name, inputs))
    return made


def started_before_the_first_ended(control: EmulatorControl) -> int:
    """CreateSolutionVersion calls in the request log before the first GetSolutionMetrics (asked for only once a
    version is ACTIVE), i.e. trainings that ran side by side with the first."""
    together = 0
    for entry in control.requests():
        if entry["operation"] == "GetSolutionMetrics" and not is_permission_check(entry):
            break
        together += entry["operation"] == "CreateSolutionVersion"
    return together


def create_at_once(
    host: DynamicHost,
    control: EmulatorControl,
    work: list[tuple[str, dict[str, Any]]],
    hold_until: int | None = None,
    while_held: Callable[[], None] | None = None,
) -> int:
    """Send the creates at once and wait for all; returns how many trainings started before the first ended.

    No training ends until `hold_until` (default: all) of them have started and `while_held()` has returned; then the
    trainings are shortened to TRAINING seconds."""
    control.set_timing(training_seconds=HELD)
    control.clear_requests()
    errors: list[BaseException] = []
    finished: list[str] = []

    def create(name: str, inputs: dict[str, Any]) -> None:
        try:
            _, outs = host.create(name, inputs)
            assert outs["status"] == "ACTIVE"
            finished.append(name)
        except BaseException as error:
            errors.append(error)

    threads = [threading.Thread(target=create, args=item) for item in work]
    for thread in threads:
        thread.start()
    wanted = len(work) if hold_until is None else hold_until
    try:
        poll_until(lambda: control.count("CreateSolutionVersion") >= wanted, f"{wanted} trainings side by side")
        if while_held is not None:
            while_held()
    finally:
        control.set_timing(training_seconds=TRAINING)
    for thread in threads:
        thread.join(120)
    assert not errors, errors[0]
    assert len(finished) == len(work)
    return started_before_the_first_ended(control)


def fallback_lines(host: DynamicHost) -> list[str]:
    return [line for line in host.output if FALLBACK in line]


# Through the real host.


@pytest.mark.usefixtures("duplicate_names")  # no source says whether the service refuses them
def test_eight_creates_at_once_all_train_side_by_side(host, personalize, timing):
    together = create_at_once(host, timing, checked_inputs(personalize, 8))
    assert together == 8, f"only {together} of 8 trainings ran side by side"
    assert fallback_lines(host) == []


def test_check_diff_and_read_of_another_resource_answer_at_once_while_trainings_run(host, personalize, timing):
    timing.set_timing(training_seconds=0.2)
    [(other, other_inputs)] = checked_inputs(personalize, 1)
    other_id, other_outs = host.create(other, other_inputs)
    answers: dict[str, Any] = {}

    def ask_the_other_resource() -> None:  # while every one of the SDK's 4 workers holds a training
        _, answers["failures"] = host.check(
            unique("late"), {"solutionArn": other_inputs["solutionArn"], "nameScope": "p/dev/late"}
        )
        answers["diff"] = host.diff(other, other_id, other_outs, {**other_inputs, "tags": {"team": "ml"}})
        answers["read_id"], answers["read_outs"], _ = host.read(other, other_id, other_outs)
        answers["ended"] = [
            e
            for e in timing.requests("GetSolutionMetrics")
            if e["params"]["solutionVersionArn"] != other_id and not is_permission_check(e)
        ]

    create_at_once(host, timing, checked_inputs(personalize, 8), hold_until=4, while_held=ask_the_other_resource)

    assert answers["failures"] == [] and list(answers["diff"].replaces) == []
    assert answers["read_id"] == other_id and answers["read_outs"]["status"] == "ACTIVE"
    assert answers["ended"] == [], "check, diff and read were answered while the 8 trainings were held"


def test_burst_creates_that_are_the_hosts_first_calls_run_together(fresh_host, personalize, timing):
    host = fresh_host()
    together = create_at_once(host, timing, checked_inputs(personalize, 8))
    assert together == 8, f"only {together} of 8 queued first calls got a worker at once"
    assert fallback_lines(host) == []


def test_widening_turned_off_by_the_environment_variable_keeps_four_at_a_time(fresh_host, personalize, timing):
    host = fresh_host(**{WORKERS_ENV: "4"})
    together = create_at_once(host, timing, checked_inputs(personalize, 8), hold_until=4)
    assert together == 4, "the SDK's 4 workers: the fifth training starts only once one has ended"
    assert fallback_lines(host) == [], "turning it off is not a failure"


def test_a_setting_that_cannot_be_used_is_reported_once_per_process(fresh_host, personalize, timing):
    host = fresh_host(**{WORKERS_ENV: "lots"})
    solution = active_solution(personalize)
    other = SolutionVersionProvider()
    other.revision = 2  # another pickled provider string: the host unpickles and configures it separately
    for provider in (host.provider, serialize_provider(other)):
        host.provider = provider
        host.check(unique("model"), {"solutionArn": solution, "nameScope": "p/dev/m"})
    poll_until(lambda: fallback_lines(host), "the line (the host's output is read by a thread)")
    [line] = fallback_lines(host)
    assert TYPE_TOKEN in line and f"{WORKERS_ENV}='lots'" in line


def test_client_cache_is_safe_under_24_concurrent_first_reads(fresh_host, personalize, timing):
    timing.set_timing(training_seconds=0.2)
    [(name, inputs)] = checked_inputs(personalize, 1)
    id_, outs = fresh_host().create(name, inputs)
    host = fresh_host()
    host.check(name, inputs)  # the provider is loaded; no client has been built in this host yet
    results: list[Any] = []
    barrier = threading.Barrier(24)

    def read() -> None:
        barrier.wait()
        try:
            results.append(host.read(name, id_, outs)[1]["status"])
        except BaseException as error:
            results.append(error)

    threads = [threading.Thread(target=read) for _ in range(24)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert results == ["ACTIVE"] * 24


# The widening function and its guard, on plain thread pools in this process.


def test_client_cache_builds_one_client_per_key_under_32_concurrent_calls():
    stack = StackAwsConfig(access_key=unique("AKIA"), secret_key="secret")
    cache = ClientCache(Cancellation())
    regions = ["us-east-1", "eu-west-1"] * 16
    barrier = threading.Barrier(len(regions))

    def build(region: str) -> Any:
        barrier.wait()
        return cache.get(region, None, stack)

    with ThreadPoolExecutor(len(regions)) as pool:
        built = list(pool.map(build, regions))
    by_region = {
        region: {id(b.api) for b, r in zip(built, regions, strict=True) if r == region} for region in set(regions)
    }
    assert all(len(ids) == 1 for ids in by_region.values()), "one set of clients per region and credentials"
    assert {b.api.meta.region_name for b in built} == set(regions)


def test_widening_from_a_worker_starts_a_worker_for_each_call_already_queued():
    pool = ThreadPoolExecutor(max_workers=4)
    release, widen_now = threading.Event(), threading.Event()
    queued_started = [threading.Event() for _ in range(4)]
    lines: list[str] = []

    def widening_blocker() -> bool:
        widen_now.wait(5)
        widened = widen_host_pool(16, lines.append)
        release.wait(5)
        return widened

    try:
        first = pool.submit(widening_blocker)
        for _ in range(3):
            pool.submit(release.wait, 5)
        for event in queued_started:
            pool.submit(event.set)  # queued: all 4 workers are busy
        assert not any(event.wait(0.2) for event in queued_started)
        widen_now.set()
        assert all(event.wait(2) for event in queued_started), "queued calls must get workers while the 4 are busy"
        assert pool._max_workers == 16 and lines == []
    finally:
        release.set()
        pool.shutdown()
    assert first.result() is True


def test_widening_from_the_first_call_of_a_new_worker_raises_the_limit_for_later_submits():
    pool = ThreadPoolExecutor(max_workers=4)
    lines: list[str] = []
    release = threading.Event()
    try:
        # The worker runs this before the submitting thread has added it to the pool's threads.
        assert pool.submit(widen_host_pool, 16, lines.append).result() is True
        for _ in range(12):
            pool.submit(release.wait, 5)
        assert len(pool._threads) == 12 and lines == []
    finally:
        release.set()
        pool.shutdown()


def test_widening_that_cannot_start_threads_restores_the_limit_and_reports_one_line():
    class RefusingPool(ThreadPoolExecutor):
        refuse = False

        def _adjust_thread_count(self) -> None:
            if self.refuse:
                raise RuntimeError("can't start new thread")
            super()._adjust_thread_count()

    pool = RefusingPool(max_workers=4)
    release, go = threading.Event(), threading.Event()
    lines: list[str] = []

    def refuse_then_widen() -> bool:
        go.wait(5)
        pool.refuse = True
        try:
            return widen_host_pool(64, lines.append)
        finally:
            pool.refuse = False

    try:
        for _ in range(3):
            pool.submit(release.wait, 5)
        widening = pool.submit(refuse_then_widen)
        pool.submit(release.wait, 5)  # queued behind 4 busy workers
        go.set()
        assert widening.result(5) is False
        assert pool._max_workers == 4
        [line] = lines
        assert TYPE_TOKEN in line and FALLBACK in line and "can't start new thread" in line
    finally:
        release.set()
        pool.shutdown()


def test_widening_outside_a_thread_pool_changes_nothing_and_reports_one_line():
    pool = ThreadPoolExecutor(max_workers=4)
    try:
        pool.submit(time.sleep, 0).result()
        lines: list[str] = []
        assert widen_host_pool(64, lines.append) is False  # this thread is not a worker of any pool
        assert pool._max_workers == 4 and len(pool._threads) == 1
        [line] = lines
        assert line.startswith(TYPE_TOKEN + ": ") and FALLBACK in line
    finally:
        pool.shutdown()


def test_widening_a_pool_whose_internals_differ_changes_nothing_and_reports_one_line():
    pool = ThreadPoolExecutor(max_workers=4)
    pool._max_workers = 4.0  # not what CPython 3.10-3.13 keep there: treat the pool as unknown
    lines: list[str] = []
    try:
        assert pool.submit(widen_host_pool, 64, lines.append).result() is False
        assert pool._max_workers == 4.0
        [line] = lines
        assert TYPE_TOKEN in line and FALLBACK in line and "_max_workers" in line
    finally:
        pool.shutdown()


def test_widening_to_four_or_less_is_off():
    pool = ThreadPoolExecutor(max_workers=4)
    lines: list[str] = []
    try:
        assert pool.submit(widen_host_pool, 4, lines.append).result() is False
        assert pool._max_workers == 4 and lines == []
    finally:
        pool.shutdown()
