"""The engine's link to a provider process: its address, its Log service (how a line lands on a resource's row or
under it) and the stdin pipe it holds (the process ends when it closes).

The engine starts every plugin (the SDK's dynamic-provider host, `pulumi-resource-personalize`) with its own gRPC
address as an argument and serves `pulumirpc.Engine.Log` there: a line with a resource's URN lands on that resource's
row (ephemeral) or under it in Diagnostics. The front door that knows the address says so once (`use_engine`); every
`Reporter` (messages.py) then sends through `default_link()`. Only the SDK's generated `engine_pb2` and
`engine_pb2_grpc` modules are used.
"""

from __future__ import annotations

import os
import re
import stat
import sys
import threading
from typing import Any

import grpc

_ADDRESS = re.compile(r"[A-Za-z0-9.\-]+:\d{1,5}|\[[0-9A-Fa-f:.]+\]:\d{1,5}")
SEVERITIES = ("debug", "info", "warning", "error")
LOG_TIMEOUT_SECONDS = 10.0


class EngineLink:
    """The engine's `Log` for this process's lines, opened at the first one. Thread-safe. `problem` says why lines
    cannot go to the engine (no address, the SDK lacks the generated modules, the engine refused a call); from then on
    `log` returns False at once and the caller prints its line itself."""

    def __init__(self, address: str | None):
        self.address = address
        self.problem: str | None = None if address else "the provider was started without the engine's address"
        self._stub: Any = None
        self._request: Any = None
        self._lock = threading.Lock()
        self._fell_back = False

    def first_fallback(self) -> bool:
        """Whether this is the first line that could not go to the engine (the caller says why, once per link)."""
        with self._lock:
            first, self._fell_back = not self._fell_back, True
            return first

    def _connect(self) -> bool:
        with self._lock:
            if self._stub is not None or self.problem is not None:
                return self._stub is not None
            try:
                from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc

                self._request = engine_pb2.LogRequest
                self._severity = {name: engine_pb2.LogSeverity.Value(name.upper()) for name in SEVERITIES}
                self._stub = engine_pb2_grpc.EngineStub(grpc.insecure_channel(str(self.address)))
            except Exception as error:  # an SDK without the generated modules, a grpc that changed
                self.problem = f"could not open the engine's Log ({type(error).__name__}: {error})"
            return self._stub is not None

    def log(self, severity: str, message: str, urn: str | None, ephemeral: bool = False) -> bool:
        """Send one line for the resource `urn` (None: the stack's); returns whether the engine took it."""
        if not self._connect():
            return False
        try:
            request = self._request(
                severity=self._severity[severity], message=message, urn=urn or "", ephemeral=ephemeral
            )
            self._stub.Log(request, timeout=LOG_TIMEOUT_SECONDS)
            return True
        except Exception as error:  # the engine is gone or refuses: lines go to stdout from now on
            with self._lock:
                if self.problem is None:
                    self.problem = f"the engine did not take a line ({type(error).__name__}: {_first_line(error)})"
            return False


def _first_line(error: BaseException) -> str:
    details = getattr(error, "details", None)
    text = details() if callable(details) else str(error)
    return (str(text or "").strip().splitlines() or [""])[0][:200]


_default_lock = threading.Lock()
_default: EngineLink | None = None


def use_engine(address: str | None) -> EngineLink:
    """Make the link to `address` this process's default (once: later calls return the first link)."""
    global _default
    with _default_lock:
        if _default is None:
            _default = EngineLink(address)
        return _default


def default_link() -> EngineLink:
    """This process's link: the one `use_engine` made, else one with no address (every line then goes to stdout)."""
    return use_engine(None)


def address_argument(argv: list[str]) -> str | None:
    """The engine's address in a plugin's command line `argv`: its last argument (the engine puts its logging and
    tracing flags before it), or None when it was started without one."""
    args = argv[1:]
    if not args or not _ADDRESS.fullmatch(args[-1]) or (len(args) > 1 and args[-2] == "--tracing"):
        return None
    return args[-1]


def watch_engine() -> None:
    """If stdin is a pipe (the engine holds one on every plugin), end the process when it closes: after a hard kill of
    the CLI, the plugin would otherwise live on, orphaned, polling."""
    try:
        if not stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode):
            return  # started by hand or by a test with another stdin: nothing to watch
    except (OSError, ValueError, AttributeError):
        return
    threading.Thread(target=_exit_at_end_of_stdin, name="engine-watch", daemon=True).start()


def _exit_at_end_of_stdin() -> None:
    # os.read, not sys.stdin: a thread blocked in the buffered reader holds its lock, and the interpreter's shutdown
    # (the engine ends a plugin with SIGINT) then waits on it and aborts.
    try:
        while os.read(sys.stdin.fileno(), 4096):
            pass
    except OSError:
        pass
    os._exit(1)  # no one is left to report to; running calls (waits, polls) end with the process
