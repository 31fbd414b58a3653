"""Every reach into the SDK's dynamic-provider host and grpc, in one place, each guarded.

Pulumi serves every dynamic resource of a stack from one process, `python -m pulumi.dynamic`
(`pulumi/dynamic/__main__.py`). It has no hook for six things this provider needs, so `prepare_host()` (called from
`SolutionVersionProvider.configure`, i.e. once the host has loaded this provider) adjusts the running host:

1. **Worker pool.** The gRPC server runs calls on `ThreadPoolExecutor(max_workers=4)`; a create holds a worker for a
   whole training, so at most 4 trainings would run at once and every other call of the stack would wait.
   `widen_pool` raises the executor's limit to `PERSONALIZE_HOST_WORKERS` (default 64; 4 or less: off) and starts a
   worker per call already queued. Standard-library executor attributes only.
2. **Errors as their message.** The host wraps each call in `_abort_with_traceback`, which sends
   `traceback.format_exc()`: the engine shows 20 lines of Python for "rejected by minMetrics". `_format_own_errors`
   gives the host module a `traceback` whose `format_exc()` returns only the message when the exception being handled
   is this provider's own (`SolutionVersionError`), so even the call that loaded the provider (already inside the
   SDK's handler) answers with it; any other exception, from a bug or from another dynamic provider of the same
   program, is answered as the SDK answers it. (Older SDK hosts, such as pulumi 3.216, let the exception reach grpc,
   which sends "Exception calling application: <message>"; `_wrap_handlers` then sends this provider's own messages
   without that prefix, from the second call on.)
3. **Cancel.** The host answers the engine's Cancel (the first Ctrl-C) with nothing. `_wrap_handlers` also makes
   Cancel set `SESSION.cancellation`, which every wait of this provider watches (backoff.py), so a create waiting for a training
   ends within a poll with one line naming the ARN; the training goes on and the next `pulumi up` adopts it. The
   SDK's own reply is still sent.
4. **Engine watch.** After a hard kill of the CLI the host lives on, orphaned, polling. The engine holds a pipe on
   every plugin's stdin; `engine_log.watch_engine` exits the process when it closes. No private attribute involved.
5. **The request being answered.** The host drops the request before calling the provider (its URN, and the old
   inputs the engine sends with Delete). `current_request()` finds it in the frame of the SDK handler that is
   answering on this thread (`Delete(self, request, context)` in the host module), so it works for every call, the
   one that loads the provider included.
6. **The engine link.** The SDK host never talks to the engine, so whatever a provider prints lands under the stack,
   attributed to no resource. The engine starts every plugin with its own gRPC address as the last argument
   (`python -u -m pulumi.dynamic <address>`): `link_engine` hands it to engine_log.py, whose `EngineLink` sends each
   line with the URN of the request being answered (`current_urn()`), so it lands on that resource's row or under it.

Guard: each step checks that what it touches is what it expects (types, attribute names, the service's method names)
and otherwise changes nothing and prints one line saying what the provider does without it. The steps run once per
process. grpc's `DictionaryGenericHandler._method_handlers` (the handlers `add_ResourceProviderServicer_to_server`
registered) and `RpcMethodHandler._replace` are the only grpc internals, the host module's `_abort_with_traceback`
and `traceback` globals and its handlers' `request` argument the only SDK ones; the executor's `_threads`, `_max_workers`,
`_work_queue`, `_shutdown_lock`, `_shutdown`, `_broken`, `_adjust_thread_count` the only standard-library ones.
scripts/check-floors runs the tests of every step (tests/host/test_*.py) at the lowest pulumi and grpc the project
declares; the rest of the suite runs them at the newest.
"""

from __future__ import annotations

import gc
import os
import sys
import threading
import time
import traceback
import types
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import grpc
from pulumi.runtime.proto.provider_pb2 import PropertyDiff

from . import messages
from .engine_log import address_argument, use_engine, watch_engine
from .errors import SolutionVersionError
from .properties import TYPE_TOKEN
from .session import Session

WORKERS_ENV = "PERSONALIZE_HOST_WORKERS"
DEFAULT_WORKERS = 64
SDK_WORKERS = 4
"""The SDK host's own limit: a requested value at or below it means "leave the pool alone"."""
SERVICE = "/pulumirpc.ResourceProvider/"
WRAPPED_CALLS = ("Check", "Diff", "Create", "Read", "Update", "Delete")
"""The calls the SDK host answers through `_abort_with_traceback`; their errors become their message."""


SESSION = Session()
"""The session of this front door (session.py): the host serves one operation of one stack per process, and unpickles
the provider for its calls, so the session lives here, for the process."""

_FIND_ATTEMPTS = 5
_FIND_PAUSE = 0.02
_once = threading.Lock()
_prepared = False


def _print(line: str) -> None:
    print(line, flush=True)


def prepare_host(environ: Mapping[str, str] = os.environ, emit: Callable[[str], None] = _print) -> None:
    """Adjust the running provider host (see the module docstring), at most once per process. Runs on a worker of the
    host's executor (the host calls `configure` there)."""
    global _prepared
    with _once:
        if _prepared:
            return
        _prepared = True
    watch_engine()
    link_engine()
    _format_own_errors(emit)
    _wrap_handlers(emit)
    raw = environ.get(WORKERS_ENV, "").strip()
    try:
        workers = int(raw) if raw else DEFAULT_WORKERS
    except ValueError:
        emit(messages.pool_not_widened(SDK_WORKERS, f"{WORKERS_ENV}={raw!r} is not a whole number"))
        return
    widen_pool(workers, emit)


# 1. The worker pool.


def widen_pool(workers: int, emit: Callable[[str], None] = _print) -> bool:
    """Raise the limit of the executor whose threads include the current thread to `workers` and start a worker for
    each call already queued. Returns whether the pool was widened; reports one line when it could not be."""
    if workers <= SDK_WORKERS:
        return False  # turned off
    try:
        executor, problem = _executor_of_current_thread()
    except Exception as error:  # never fail the provider call that happens to load the provider
        executor, problem = None, f"{type(error).__name__}: {error}"
    if executor is None:
        emit(messages.pool_not_widened(SDK_WORKERS, problem))
        return False
    with executor._shutdown_lock:  # what submit() holds around _adjust_thread_count: no submit interleaves
        if executor._shutdown or executor._broken:
            emit(messages.pool_not_widened(SDK_WORKERS, "the worker pool is shut down"))
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
            emit(messages.pool_not_widened(SDK_WORKERS, f"{type(error).__name__}: {error}"))
            return False
    return True


def _executor_of_current_thread() -> tuple[ThreadPoolExecutor | None, str]:
    """The one executor running this thread, checked to have what `widen_pool` uses; else None and why not."""
    current = threading.current_thread()
    candidates: list[ThreadPoolExecutor] = []
    for _ in range(_FIND_ATTEMPTS):
        # type(), not isinstance(): isinstance may read `__class__` of arbitrary objects, which can run their code.
        candidates = [
            obj
            for obj in gc.get_objects()
            if issubclass(type(obj), ThreadPoolExecutor) and current in getattr(obj, "_threads", ())
        ]
        if candidates:
            break
        # A new worker starts running its first call before the submitting thread adds it to `_threads`.
        time.sleep(_FIND_PAUSE)
    if not candidates:
        return None, "this call does not run on a thread pool"
    if len(candidates) > 1:
        return None, f"{len(candidates)} thread pools claim this call"
    executor = candidates[0]
    expected: dict[str, Callable[[Any], bool]] = {
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


# 2 and 3. Errors as their message, and Cancel.


class _OwnErrorsAsMessages:
    """The `traceback` module, except that `format_exc()` returns only the message while this provider's own error is
    being handled (the SDK host calls it in `_abort_with_traceback`, inside the call's `except`)."""

    def format_exc(self, *args: Any, **kwargs: Any) -> str:
        error = sys.exc_info()[1]
        if isinstance(error, SolutionVersionError):
            return str(error)
        return traceback.format_exc(*args, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)


def _format_own_errors(emit: Callable[[str], None]) -> bool:
    """Give the SDK host's module the `traceback` above. Returns whether it did; an older host, which has no
    `_abort_with_traceback`, needs nothing (see `_wrap_handlers`)."""
    host = sys.modules.get("__main__")
    if host is None or not callable(getattr(host, "_abort_with_traceback", None)):
        return False
    if getattr(host, "traceback", None) is not traceback:
        emit(
            f"{TYPE_TOKEN}: errors are shown with Python tracebacks (the provider host's `traceback` is not the "
            "standard library's)"
        )
        return False
    vars(host)["traceback"] = _OwnErrorsAsMessages()  # the global `_abort_with_traceback` reads
    return True


def _answering_with_messages(handle: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def call(request: Any, context: Any) -> Any:
        try:
            return handle(request, context)
        except SolutionVersionError as error:  # an SDK host that lets exceptions reach grpc (pulumi < 3.2xx)
            return context.abort(grpc.StatusCode.UNKNOWN, str(error))

    return call


_diff_notes = threading.local()


def note_diff(shown: Mapping[str, str]) -> None:
    """Record the detailed diff of the SolutionVersion diff running on this thread, for `_with_detailed_diff`."""
    _diff_notes.shown = dict(shown)


def _with_detailed_diff(handle: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    """The Diff handler, plus the detailed diff a SolutionVersion's diff noted (the SDK's host sends none, and the
    engine then displays every old output against the new inputs). Other dynamic resources are answered as before."""

    def call(request: Any, context: Any) -> Any:
        _diff_notes.shown = None
        response = handle(request, context)
        shown, _diff_notes.shown = getattr(_diff_notes, "shown", None), None
        if shown is not None:
            _add_detailed_diff(response, shown)
        return response

    return call


def _add_detailed_diff(response: Any, shown: Mapping[str, str]) -> None:
    kinds = {
        "add": PropertyDiff.ADD,
        "add-replace": PropertyDiff.ADD_REPLACE,
        "delete": PropertyDiff.DELETE,
        "delete-replace": PropertyDiff.DELETE_REPLACE,
        "update": PropertyDiff.UPDATE,
        "update-replace": PropertyDiff.UPDATE_REPLACE,
    }
    response.diffs.extend(shown)
    for key, kind in shown.items():
        response.detailedDiff[key].kind = kinds[kind]
    response.hasDetailedDiff = True


def _setting_cancelled(handle: Callable[[Any, Any], Any]) -> Callable[[Any, Any], Any]:
    def call(request: Any, context: Any) -> Any:
        SESSION.cancellation.cancel()
        return handle(request, context)

    return call


def _wrap_handlers(emit: Callable[[str], None]) -> bool:
    """Wrap the host's registered handlers (see the module docstring). Returns whether they were wrapped."""
    try:
        handlers, problem = _registered_handlers()
        if handlers is None:
            emit(messages.handlers_not_adjusted(problem))
            return False
        replacements = {f"{SERVICE}{name}": _answering_with_messages for name in WRAPPED_CALLS}
        replacements[f"{SERVICE}Diff"] = _with_detailed_diff
        replacements[f"{SERVICE}Cancel"] = _setting_cancelled
        wrapped = {
            method: handlers[method]._replace(unary_unary=wrap(handlers[method].unary_unary))
            for method, wrap in replacements.items()
        }
    except Exception as error:  # never fail the provider call that happens to load the provider
        emit(messages.handlers_not_adjusted(f"{type(error).__name__}: {error}"))
        return False
    handlers.update(wrapped)  # one dict update: a call looks its handler up either before or after it
    return True


def _registered_handlers() -> tuple[dict[str, Any] | None, str]:
    """The method-name -> handler dict the SDK registered for the ResourceProvider service, checked to hold unary
    handlers for every call this module wraps; else None and why not."""
    wanted = [f"{SERVICE}{name}" for name in (*WRAPPED_CALLS, "Cancel")]
    found = [
        obj._method_handlers
        for obj in gc.get_objects()
        if type(obj).__name__ == "DictionaryGenericHandler"
        and type(getattr(obj, "_method_handlers", None)) is dict
        and f"{SERVICE}Cancel" in obj._method_handlers
    ]
    if len(found) != 1:
        return None, f"{len(found)} registered ResourceProvider services found, not 1"
    handlers = found[0]
    for method in wanted:
        handler = handlers.get(method)
        if handler is None or not callable(getattr(handler, "unary_unary", None)) or not hasattr(handler, "_replace"):
            return None, f"no unary handler for {method}"
    return handlers, ""


# 4. The engine watch.


# 5. The request being answered.

_HOST_FILE = os.path.join("pulumi", "dynamic", "__main__.py")


def current_request() -> Any | None:
    """The gRPC request (CheckRequest, CreateRequest, DeleteRequest, ...) the SDK host is answering on this thread: the
    `request` argument of its handler's frame. None outside such a call (a test calling the provider directly) or in
    a host whose handlers are not laid out that way."""
    frame: types.FrameType | None = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_name in WRAPPED_CALLS and code.co_filename.endswith(_HOST_FILE):
            request = frame.f_locals.get("request")
            return request if hasattr(request, "urn") else None
        frame = frame.f_back
    return None


def old_inputs_of_delete() -> dict[str, Any] | None:
    """The inputs the engine recorded for the resource being deleted (DeleteRequest.old_inputs, the inputs of its last
    `up`, which the SDK host does not pass on), or None where the request or the field is not there."""
    from pulumi.runtime import rpc

    request = current_request()
    try:
        if request is None or not request.HasField("old_inputs"):
            return None
        return dict(rpc.deserialize_properties(request.old_inputs))
    except Exception:  # a field of another shape in some other SDK: no inputs rather than a failed destroy
        return None


def current_urn() -> str | None:
    """The URN of the resource whose request this thread is answering, if any (see `current_request`)."""
    request = current_request()
    urn = getattr(request, "urn", None) if request is not None else None
    return urn if isinstance(urn, str) and urn else None


# 6. The engine link.


def engine_address(argv: list[str] | None = None) -> str | None:
    """The engine's gRPC address the provider host was started with: the last argument of `python -m pulumi.dynamic`
    (the engine puts logging and tracing flags before it), or None when this process is not such a host or was
    started without one."""
    host = sys.modules.get("__main__")
    if not str(getattr(host, "__file__", "") or "").endswith(_HOST_FILE):
        return None
    return address_argument(list(sys.argv if argv is None else argv))


def link_engine() -> None:
    """Send this process's lines to the engine that started the host (see `engine_log.use_engine`)."""
    use_engine(engine_address())
