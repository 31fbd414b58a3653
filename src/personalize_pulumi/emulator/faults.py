"""Fault injection: errors the real service (or the network) produces under load, on demand.

Rules are set at start-up (`python -m personalize_pulumi.emulator --faults '<json>'`) or at run time (`POST /_emulator/faults`), and are
consumed by the calls they match. One rule is a JSON object:

- `{"kind": "throttle", "operation": "CreateSolutionVersion", "count": 3, "code": "ThrottlingException"}`: the next
  3 calls answer HTTP 400 with that code (`ThrottlingException` or `LimitExceededException`).
- `{"kind": "http500", "operation": "DescribeSolutionVersion", "count": 2}`: the next 2 calls answer HTTP 500.
- `{"kind": "drop", "operation": "DescribeSolutionVersion", "count": 1}`: the next call's connection is closed with no
  response.
- `{"kind": "lose_answer", "operation": "CreateSolutionVersion", "count": 1}`: the next call is carried out as
  usual (a CreateSolutionVersion starts its training), then its connection is closed with no response: the answer is
  lost on the way back, as when a network fails after the service acted. The request log records the status the
  service answered (200 for a training started, so it counts as one) and `"answerLost": true`.
- `{"kind": "in_use", "operation": "CreateSolutionVersion", "count": 2}`: the next 2 calls answer HTTP 400 with
  `ResourceInUseException` ("The specified resource is in use."), as the service does for reasons it does not
  document (possibly another training of the solution, or a dataset import running).
- `{"kind": "fail_training", "reason": "...", "count": 1, "solutionArn": "..."}`: the next version created (of that
  solution, if given; by CreateSolutionVersion or `POST /_emulator/automatic-training`) ends in CREATE FAILED with
  that failureReason.

`operation` may be `*` for every Personalize operation. A rule with an unknown field, kind, code or operation is
rejected (HTTP 400 from the control API, a usage error from the command line) and nothing of that request is armed.

The server asks `faults.answer_request(...)` before anything else looks at a Personalize call (the first armed rule
that matches applies), and the
CreateSolutionVersion and automatic-training handlers call `faults.fail_training_if_armed(version)`; the backend knows
nothing of faults.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .shape_validation import service_model
from .wsgi import Environ, StartResponse, drop_connection, json_response

if TYPE_CHECKING:
    from .models import SolutionVersion

KINDS = ("throttle", "http500", "drop", "lose_answer", "in_use", "fail_training")
THROTTLE_CODES = ("ThrottlingException", "LimitExceededException")
FIELDS = ("kind", "count", "operation", "code", "reason", "solutionArn")


@dataclass
class FaultRule:
    """One armed fault; `count` is how many more matching calls it applies to."""

    kind: str
    count: int = 1
    operation: str = "*"
    code: str = "ThrottlingException"
    reason: str = "Emulated training failure."
    solution_arn: str | None = None

    @classmethod
    def from_json(cls, data: Any) -> FaultRule:
        """Parse and check one rule; raises ValueError naming the bad field."""
        if not isinstance(data, dict):
            raise ValueError(f"a fault rule must be a JSON object; got {data!r}")
        unknown = sorted(set(data) - set(FIELDS))
        if unknown:
            raise ValueError(f"unknown fault field(s) {', '.join(map(repr, unknown))}; known: {', '.join(FIELDS)}")
        kind = data.get("kind")
        if kind not in KINDS:
            raise ValueError(f"fault 'kind' must be one of {', '.join(KINDS)}; got {kind!r}")
        count = data.get("count", 1)
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValueError(f"fault 'count' must be a positive integer; got {count!r}")
        code = data.get("code", "ThrottlingException")
        if kind == "throttle" and code not in THROTTLE_CODES:
            raise ValueError(f"fault 'code' must be one of {', '.join(THROTTLE_CODES)}; got {code!r}")
        operation = data.get("operation", "*")
        if kind != "fail_training" and not data.get("operation"):
            raise ValueError(f"fault kind {kind!r} needs an 'operation' (an operation name or '*')")
        if operation != "*" and operation not in service_model().operation_names:
            raise ValueError(f"fault 'operation' must be '*' or a Personalize operation name; got {operation!r}")
        for field in ("reason", "solutionArn"):
            if data.get(field) is not None and not isinstance(data[field], str):
                raise ValueError(f"fault {field!r} must be a string; got {data[field]!r}")
        return cls(
            kind=kind,
            count=count,
            operation=operation,
            code=code,
            reason=data.get("reason", "Emulated training failure."),
            solution_arn=data.get("solutionArn"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "count": self.count,
            "operation": self.operation,
            "code": self.code,
            "reason": self.reason,
            "solutionArn": self.solution_arn,
        }


def parse_rules(data: Any) -> list[FaultRule]:
    """One rule object or a list of them, all checked before any is armed (so a bad list arms nothing)."""
    return [FaultRule.from_json(rule) for rule in (data if isinstance(data, list) else [data])]


class FaultInjector:
    """Thread-safe list of armed rules; each match consumes one use of the first matching rule."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, *rules: FaultRule) -> None:
        with self._lock:
            self._rules.extend(rules)

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def rules(self) -> list[dict[str, Any]]:
        with self._lock:
            return [rule.to_json() for rule in self._rules]

    def answer_request(
        self,
        operation: str,
        environ: Environ,
        start_response: StartResponse,
        record_status: Callable[[Any], None],
        carry_out: Callable[[StartResponse], Iterable[bytes]],
        lose_answer: Callable[[], None],
    ) -> Iterable[bytes] | None:
        """The faulty answer to this call if a throttle/http500/drop/lose_answer/in_use rule matches it (one use of
        the rule is consumed), else None. `record_status` gets the HTTP status, or "dropped".

        For lose_answer, `carry_out(start_response)` is the call's normal handling (it records its own status): it is
        run with a start_response that sends nothing, `lose_answer()` is told, and the connection is dropped."""
        rule = self._take(lambda r: r.kind != "fail_training" and r.operation in ("*", operation))
        if rule is None:
            return None
        if rule.kind == "drop":
            record_status("dropped")
            return drop_connection(environ, start_response)
        if rule.kind == "lose_answer":
            answer = carry_out(_send_nothing)
            try:
                for _ in answer:  # moto's answer is computed already; read it all, as a server sending it would
                    pass
            finally:
                close = getattr(answer, "close", None)
                if close is not None:
                    close()
            lose_answer()
            return drop_connection(environ, start_response)
        if rule.kind == "http500":
            record_status(500)
            payload = {"__type": "InternalFailure", "message": "Emulated internal server error."}
            return json_response(start_response, 500, payload)
        record_status(400)
        if rule.kind == "in_use":
            payload = {"__type": "ResourceInUseException", "message": "The specified resource is in use."}
            return json_response(start_response, 400, payload)
        return json_response(start_response, 400, {"__type": rule.code, "message": "Rate exceeded"})

    def fail_training_if_armed(self, version: SolutionVersion) -> None:
        """Make a just-created version end in CREATE FAILED if a fail_training rule matches its solution."""
        solution_arn = version.solution.arn
        rule = self._take(lambda r: r.kind == "fail_training" and r.solution_arn in (None, solution_arn))
        if rule is not None:
            version.fail_training(rule.reason)

    def _take(self, matches: Callable[[FaultRule], bool]) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if matches(rule):
                    rule.count -= 1
                    if rule.count == 0:
                        self._rules.remove(rule)
                    return rule
        return None


def _send_nothing(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable[[bytes], None]:
    """A WSGI start_response for an answer that is lost: it, and whatever is written, goes nowhere."""
    return lambda data: None


faults = FaultInjector()
"""The emulator process's fault rules (one server per process, like moto's own state manager)."""
