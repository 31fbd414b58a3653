"""The emulator's clients: boto3 pointed at its AWS endpoint, and its `/_emulator/` control API (request log,
faults, timing, settings) from Python."""

from __future__ import annotations

import json
import urllib.request
from typing import Any

from . import ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY, defaults


def aws_client(url: str, service: str = "personalize", region: str = defaults.REGION, config: Any = None) -> Any:
    """A boto3 client of `service` at the emulator's endpoint `url`, with the account root's dummy credentials (and
    no shared AWS config); `config` is a `botocore.config.Config`."""
    import boto3  # the emulator extra has it; the control API's client needs only the standard library

    return boto3.client(
        service,
        endpoint_url=url,
        region_name=region,
        aws_access_key_id=ROOT_ACCESS_KEY_ID,
        aws_secret_access_key=ROOT_SECRET_ACCESS_KEY,
        config=config,
    )


class EmulatorControl:
    """The control API of a running emulator at `url`."""

    def __init__(self, url: str):
        self.url = url.rstrip("/")

    def _call(self, method: str, route: str, payload: Any = None) -> Any:
        data = None if payload is None else json.dumps(payload).encode()
        request = urllib.request.Request(f"{self.url}/_emulator/{route}", data=data, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            return json.loads(response.read() or b"{}")

    def health(self) -> dict[str, Any]:
        health: dict[str, Any] = self._call("GET", "health")
        return health

    def requests(self, operation: str | None = None) -> list[dict[str, Any]]:
        """Logged Personalize calls, oldest first, optionally only one operation's."""
        entries = self._call("GET", "requests")["requests"]
        return [e for e in entries if operation in (None, e["operation"])]

    def count(self, operation: str) -> int:
        return len(self.requests(operation))

    def clear_requests(self) -> None:
        self._call("DELETE", "requests")

    def add_fault(self, **rule: Any) -> None:
        """Arm one fault rule (see `emulator.faults`), e.g. `add_fault(kind="throttle", operation="X", count=2)`."""
        if "solution_arn" in rule:
            rule["solutionArn"] = rule.pop("solution_arn")
        self._call("POST", "faults", rule)

    def faults(self) -> list[dict[str, Any]]:
        faults: list[dict[str, Any]] = self._call("GET", "faults")["faults"]
        return faults

    def clear_faults(self) -> None:
        self._call("DELETE", "faults")

    def set_timing(self, training_seconds: float | None = None, setup_seconds: float | None = None) -> dict[str, Any]:
        payload = {
            k: v for k, v in (("trainingSeconds", training_seconds), ("setupSeconds", setup_seconds)) if v is not None
        }
        timing: dict[str, Any] = self._call("POST", "timing", payload)
        return timing

    def settings(self) -> dict[str, Any]:
        """All the settings in force, e.g. `{"acceptDuplicateNames": False, "clockOffsetSeconds": 0.0,
        "listingLagSeconds": 0.0}` (see `emulator.settings`)."""
        settings: dict[str, Any] = self._call("GET", "settings")
        return settings

    def set_duplicate_names(self, accept: bool) -> dict[str, Any]:
        """Whether CreateSolutionVersion accepts a name another version of the solution already has (True) or refuses
        it with ResourceAlreadyExistsException (False, the default); returns the settings now in force. `reset()`
        goes back to the emulator's start-up setting."""
        settings: dict[str, Any] = self._call("POST", "settings", {"acceptDuplicateNames": accept})
        return settings

    def set_clock_offset(self, seconds: float) -> dict[str, Any]:
        """Make the service's clock the machine's plus `seconds` (may be negative; 0, the default, is the machine's):
        every creationDateTime, lastUpdatedDateTime and HTTP Date header is on it, while trainings still take their
        seconds. Returns the settings now in force; `reset()` goes back to the emulator's start-up setting."""
        settings: dict[str, Any] = self._call("POST", "settings", {"clockOffsetSeconds": seconds})
        return settings

    def set_listing_lag(self, seconds: float) -> dict[str, Any]:
        """Make ListSolutionVersions leave out the versions created less than `seconds` (>= 0; 0, the default, leaves
        out none) ago, while every call by ARN sees them at once. Returns the settings now in force; `reset()` goes
        back to the emulator's start-up setting."""
        settings: dict[str, Any] = self._call("POST", "settings", {"listingLagSeconds": seconds})
        return settings

    def reset(self) -> None:
        """Forget every resource, fault rule and logged request; the settings go back to those of the start-up (the
        timing stays)."""
        self._call("POST", "reset", {})

    def start_automatic_training(self, solution_arn: str) -> str:
        """Start a version of the solution's automatic training (trainingType AUTOMATIC, no name); return its ARN.

        Raises urllib.error.HTTPError (404 for an unknown solution, 409 if the solution is not ACTIVE or the region's
        20 trainings are running) with the control API's `{"error", "code"}` as its body."""
        return str(self._call("POST", "automatic-training", {"solutionArn": solution_arn})["solutionVersionArn"])
