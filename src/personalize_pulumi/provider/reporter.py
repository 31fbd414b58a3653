"""The one writer of every line users read about a resource, `Reporter` (one per provider call, made on the thread
that answers the engine's request, which knows the resource's URN):

- `info`: a line kept under the resource in the engine's Diagnostics ("started training <arn> ...");
- `status`: the resource's row shows it while the operation runs ("CREATE IN_PROGRESS, 1h12m elapsed"), replaced by the
  next one and never kept (the engine's ephemeral log lines);
- `warning`: a warning on the resource;
- `line`: a line that names its resource in its own text (the reviewer's line, what a delete does): the `--diff`
  display writes every diagnostic to stderr without saying whose it is.

With no engine link (a host started by hand, an SDK or engine that changed: see host.py) every line goes to stdout,
where the engine shows it under the stack: prefixed with the resource's label, and only the notable statuses (a
change, a reminder every few minutes), after one line per link saying why. What the lines say is messages.py's.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable

from . import messages
from .engine_log import EngineLink, default_link

_output = threading.Lock()


def say_line(line: str) -> None:
    """Write one line to stdout, whole: calls from many threads never interleave (`print` writes the text and the
    newline separately)."""
    with _output:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()


class Reporter:
    """Says lines about one resource: to the engine, attributed to `urn`, or to stdout prefixed with `label`."""

    def __init__(
        self,
        label: str,
        urn: str | None = None,
        link: EngineLink | None = None,
        emit: Callable[[str], None] = say_line,
    ):
        self.label = label
        self.urn = urn
        self._link = link if link is not None else default_link()
        self._emit = emit

    @property
    def resource_name(self) -> str | None:
        """The resource's name, the last part of its URN."""
        return self.urn.rsplit("::", 1)[-1] if self.urn else None

    def _send(self, severity: str, text: str, ephemeral: bool = False) -> bool:
        if self._link.log(severity, text, self.urn, ephemeral):
            return True
        if self._link.first_fallback():
            problem = self._link.problem or "no engine link"
            self._emit(messages.no_engine_link(problem))
        return False

    def info(self, text: str) -> None:
        """A line kept under the resource."""
        if not self._send("info", text):
            self._emit(f"{self.label}: {text}")

    def warning(self, text: str) -> None:
        """A warning on the resource; `text` names the resource (like `line`)."""
        if not self._send("warning", text):
            self._emit(f"warning: {text}")

    def line(self, text: str) -> None:
        """A line that names its resource itself (see the module docstring)."""
        if not self._send("info", text):
            self._emit(text)

    def status(self, text: str, fallback: str | None = None) -> None:
        """The resource's current status, on its row; without an engine link only a notable one is printed, as
        `fallback` (None: not notable)."""
        if not self._send("info", text, ephemeral=True) and fallback is not None:
            self._emit(f"{self.label}: {fallback}")
