"""Stop the provider host when the Pulumi engine that started it is gone.

The engine starts every plugin with a pipe on its stdin and holds the other end for as long as it runs (pulumi/pulumi
`sdk/go/common/resource/plugin/plugin.go`: `cmd.StdinPipe()`); nothing is ever written to it. When the CLI is killed
(a second Ctrl-C, SIGKILL, a CI runner timing out), the pipe closes, but the SDK's dynamic host
(`pulumi/dynamic/__main__.py`) never notices and keeps polling the service, orphaned. Reading stdin until end of file
is therefore a portable "the engine is gone" signal, with no private attribute of grpc or the SDK involved.

The training itself is not touched: it continues in AWS, and its ARN was already printed when it started; the next
`pulumi up` adopts it.
"""

from __future__ import annotations

import os
import stat
import sys
import threading

_started = threading.Event()


def exit_when_engine_is_gone() -> None:
    """Once per process: if stdin is a pipe (as the engine gives plugins), exit the process when it closes."""
    if _started.is_set():
        return
    _started.set()
    try:
        if not stat.S_ISFIFO(os.fstat(sys.stdin.fileno()).st_mode):
            return  # started by hand or by a test with another stdin: nothing to watch
    except (OSError, ValueError, AttributeError):
        return
    threading.Thread(target=_wait_for_end_of_stdin, name="engine-watch", daemon=True).start()


def _wait_for_end_of_stdin() -> None:
    try:
        while os.read(sys.stdin.fileno(), 4096):
            pass
    except OSError:
        pass
    os._exit(1)  # no one is left to report to; running calls (waits, polls) end with the process
