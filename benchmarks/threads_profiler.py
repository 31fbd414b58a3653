"""Run a Python module under cProfile in every thread that does its work: `python threads_profiler.py -m MODULE ...`.

cProfile sees only the thread it is enabled on, and the provider host and the emulator do their work on other threads
(the host's gRPC executor, werkzeug's thread per request). This profiles the main thread, each executor work item and
each request thread, and writes the sum to `$SCALE_PROFILE_OUT` (with the process's CPU seconds beside it, in
`<out>.cpu`): on SIGUSR1 (and then starts over), on SIGTERM, on `os._exit` (the provider host leaves that way when
the engine closes its stdin) and at normal exit. Used by benchmarks/profile_scale.py; stands alone (the provider
host runs it by path from its program folder).
"""

from __future__ import annotations

import atexit
import concurrent.futures.thread
import cProfile
import os
import pstats
import queue
import runpy
import signal
import socketserver
import sys
import threading
import time
from typing import Any

OUT = os.environ.get("SCALE_PROFILE_OUT", f"/tmp/profile-{os.getpid()}.prof")
OFF = os.environ.get("SCALE_PROFILE_OFF", "")
"""While a file of this name exists, nothing new is profiled."""
_lock = threading.Lock()
_finished: queue.Queue[cProfile.Profile] = queue.Queue()
_total: dict[str, pstats.Stats | None] = {"stats": None}
_main = cProfile.Profile()
_cpu_start = time.process_time()


def _profiled(run: Any) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        if OFF and os.path.exists(OFF):
            return run(*args, **kwargs)
        profile = cProfile.Profile()
        profile.enable()
        try:
            return run(*args, **kwargs)
        finally:
            profile.disable()
            _finished.put(profile)

    return call


def _add_finished() -> None:
    """Add each finished profile to the total as it comes (a dump then has little left to do)."""
    while True:
        profile = _finished.get()
        try:
            with _lock:
                if _total["stats"] is None:
                    _total["stats"] = pstats.Stats(profile)
                else:
                    _total["stats"].add(profile)
        except TypeError:  # an empty profile
            pass
        finally:
            _finished.task_done()


threading.Thread(target=_add_finished, name="profile-adder", daemon=True).start()


def dump(reset: bool = False) -> None:
    """Write the sum of every finished profile (and the main thread's so far)."""
    global _cpu_start
    _finished.join()
    _main.disable()
    try:
        with _lock:
            stats = pstats.Stats(_main)
            if _total["stats"] is not None:
                stats.add(_total["stats"])
            if reset:
                _total["stats"] = None
        stats.dump_stats(OUT)
        with open(f"{OUT}.cpu", "w") as file:
            file.write(f"{time.process_time() - _cpu_start:.3f}\n")
    finally:
        if reset:
            _cpu_start = time.process_time()
        _main.enable()


concurrent.futures.thread._WorkItem.run = _profiled(concurrent.futures.thread._WorkItem.run)  # type: ignore[method-assign]
socketserver.ThreadingMixIn.process_request_thread = _profiled(  # type: ignore[method-assign]
    socketserver.ThreadingMixIn.process_request_thread
)
_exit = os._exit


def _dump_and_exit(code: int) -> None:
    dump()
    _exit(code)


os._exit = _dump_and_exit  # type: ignore[assignment]
signal.signal(signal.SIGUSR1, lambda *_: dump(reset=True))
signal.signal(signal.SIGTERM, lambda *_: (dump(), _exit(0)))
atexit.register(dump)


def main() -> None:
    args = sys.argv[1:]
    while args and args[0] == "-u":
        args = args[1:]
    if len(args) < 2 or args[0] != "-m":
        raise SystemExit("usage: threads_profiler.py [-u] -m MODULE [ARGS...]")
    module, sys.argv = args[1], [args[1], *args[2:]]
    _main.enable()
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
