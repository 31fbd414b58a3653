"""Widen the dynamic-provider host's worker pool, so that one stack's trainings run side by side.

Why: Pulumi serves every dynamic resource of a stack from one process, `python -m pulumi.dynamic`, whose gRPC server
runs calls on `concurrent.futures.ThreadPoolExecutor(max_workers=4)` (`pulumi/dynamic/__main__.py`; the SDK has no
setting for it). A create holds a worker for the whole training, so without this at most 4 trainings run at once, and
every check, diff or read of any other dynamic resource of the stack waits for a free worker.

What: `widen_host_pool_once()`, called from `SolutionVersionProvider.configure` (which the host calls on a worker of that
executor, on the provider's first call in the process), finds the `ThreadPoolExecutor` whose worker threads include
the current thread, raises its `_max_workers` to `PERSONALIZE_HOST_WORKERS` (default 64, above Personalize's 20
trainings at once per region; 4 or less turns the widening off) and starts one worker per call already queued.
CPython's executor reads `_max_workers` on every submit, but starts threads only on submit: calls queued before the
raise (e.g. creates that are the host's very first calls) would otherwise still wait for one of the first 4 workers.

Guard: only attributes of the standard library's executor are used (`_threads`, `_max_workers`, `_work_queue`,
`_shutdown_lock`, `_shutdown`, `_broken`, `_adjust_thread_count`), nothing of grpc or the SDK. If the executor is not
found, or any of these is missing or not as expected, nothing is changed and one line naming the resource type says
that trainings run 4 at a time.

Tested with: tests/test_host_concurrency.py through the real host on CPython 3.11.7 with pulumi 3.272.0 and 3.216.0
(the oldest of the range the project declares, `pulumi>=3.216,<4`, run with `pip install --no-deps --target DIR
pulumi==3.216.0` and `PYTHONPATH=DIR`; both build the host's executor the same way), and the executor part alone
(widening from a worker, queued calls, later submits, the fallback) on CPython 3.10.13, 3.12.1 and 3.13.0.
"""

from __future__ import annotations

import gc
import os
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor

from .properties import TYPE_TOKEN

WORKERS_ENV = "PERSONALIZE_HOST_WORKERS"
DEFAULT_WORKERS = 64
SDK_WORKERS = 4
"""The SDK host's own limit: a requested value at or below it means "leave the pool alone"."""

_FIND_ATTEMPTS = 5
_FIND_PAUSE = 0.02

_once = threading.Lock()
_attempted = False


def _print(line: str) -> None:
    print(line, flush=True)


def widen_host_pool_once(environ: Mapping[str, str] = os.environ, emit: Callable[[str], None] = _print) -> None:
    """Widen the pool of the executor running this call, at most once per process (configure may run several times:
    once per distinct pickled provider)."""
    global _attempted
    with _once:
        if _attempted:
            return
        _attempted = True
    raw = environ.get(WORKERS_ENV, "").strip()
    try:
        workers = int(raw) if raw else DEFAULT_WORKERS
    except ValueError:
        emit(_fallback(f"{WORKERS_ENV}={raw!r} is not a whole number"))
        return
    widen_host_pool(workers, emit)


def widen_host_pool(workers: int, emit: Callable[[str], None] = _print) -> bool:
    """Raise the limit of the executor whose threads include the current thread to `workers` and start a worker for
    each call already queued. Returns whether the pool was widened; reports one line when it could not be."""
    if workers <= SDK_WORKERS:
        return False  # turned off
    try:
        executor, problem = _executor_of_current_thread()
    except Exception as error:  # never fail the provider call that happens to load the provider
        executor, problem = None, f"{type(error).__name__}: {error}"
    if executor is None:
        emit(_fallback(problem))
        return False
    with executor._shutdown_lock:  # what submit() holds around _adjust_thread_count: no submit interleaves
        if executor._shutdown or executor._broken:
            emit(_fallback("the worker pool is shut down"))
            return False
        limit = executor._max_workers
        if limit >= workers:
            return False
        executor._max_workers = workers
        try:
            for _ in range(executor._work_queue.qsize()):
                executor._adjust_thread_count()
        except Exception as error:  # e.g. the system refuses more threads: back to the SDK's limit
            executor._max_workers = limit
            emit(_fallback(f"{type(error).__name__}: {error}"))
            return False
    return True


def _executor_of_current_thread() -> tuple[ThreadPoolExecutor | None, str]:
    """The one executor running this thread, checked to have what `widen_host_pool` uses; else None and why not."""
    current = threading.current_thread()
    for _ in range(_FIND_ATTEMPTS):
        # type(), not isinstance(): isinstance may read `__class__` of arbitrary objects, which can run their code.
        candidates = [
            obj for obj in gc.get_objects()
            if issubclass(type(obj), ThreadPoolExecutor) and current in getattr(obj, "_threads", ())
        ]  # fmt: skip
        if candidates:
            break
        # A new worker starts running its first call before the submitting thread adds it to `_threads`.
        time.sleep(_FIND_PAUSE)
    if not candidates:
        return None, "this call does not run on a thread pool"
    if len(candidates) > 1:
        return None, f"{len(candidates)} thread pools claim this call"
    executor = candidates[0]
    expected = {
        "_max_workers": lambda v: type(v) is int,
        "_threads": lambda v: isinstance(v, set),
        "_work_queue": lambda v: callable(getattr(v, "qsize", None)),
        "_shutdown_lock": lambda v: hasattr(v, "__enter__") and hasattr(v, "__exit__"),
        "_shutdown": lambda v: isinstance(v, bool),
        "_broken": lambda v: v is False or isinstance(v, str),
        "_adjust_thread_count": callable,
    }
    for name, fits in expected.items():
        if not hasattr(executor, name) or not fits(getattr(executor, name)):
            return None, f"the thread pool has no usable {name}"
    return executor, ""


def _fallback(reason: str) -> str:
    return f"{TYPE_TOKEN}: trainings run {SDK_WORKERS} at a time (could not widen the provider host's worker pool: {reason})"
