"""Fault injection: errors the real service (or the network) produces under load, on demand.

Rules are set at start-up (`python -m emulator --faults '<json>'`) or at run time (`POST /_emulator/faults`), and are
consumed by the calls they match. One rule is a JSON object:

- `{"kind": "throttle", "operation": "CreateSolutionVersion", "count": 3, "code": "ThrottlingException"}`: the next
  3 calls answer HTTP 400 with that code (`ThrottlingException` or `LimitExceededException`).
- `{"kind": "http500", "operation": "DescribeSolutionVersion", "count": 2}`: the next 2 calls answer HTTP 500.
- `{"kind": "drop", "operation": "DescribeSolutionVersion", "count": 1}`: the next call's connection is closed with no
  response.
- `{"kind": "fail_training", "reason": "...", "count": 1, "solutionArn": "..."}`: the next version created (of that
  solution, if given) ends in CREATE FAILED with that failureReason.

`operation` may be `*` for every Personalize operation. A rule with an unknown field, kind, code or operation is
rejected (HTTP 400 from the control API, a usage error from the command line) and nothing of that request is armed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from .shape_validation import service_model

KINDS = ("throttle", "http500", "drop", "fail_training")
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
    """Thread-safe list of armed rules; each `take_*` consumes one use of the first matching rule."""

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

    def take_request_fault(self, operation: str) -> FaultRule | None:
        """The throttle/http500/drop rule to apply to this call, if any."""
        return self._take(lambda r: r.kind != "fail_training" and r.operation in ("*", operation))

    def take_training_failure(self, solution_arn: str) -> str | None:
        """The failureReason the version being created must end with, if a rule says so."""
        rule = self._take(lambda r: r.kind == "fail_training" and r.solution_arn in (None, solution_arn))
        return rule.reason if rule else None

    def _take(self, matches: Any) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if matches(rule):
                    rule.count -= 1
                    if rule.count == 0:
                        self._rules.remove(rule)
                    return rule
        return None


faults = FaultInjector()
"""The emulator process's fault rules (one server per process, like moto's own state manager)."""
