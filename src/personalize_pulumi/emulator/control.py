"""Client side of the emulator: start one as a subprocess, and talk to its `/_emulator/` control API.

Used by the test fixtures, the main job and the benchmarks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Mapping
from typing import Any

from . import ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY, defaults


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
        """The switches in force, e.g. `{"acceptDuplicateNames": False}` (see `emulator.settings`)."""
        settings: dict[str, Any] = self._call("GET", "settings")
        return settings

    def set_duplicate_names(self, accept: bool) -> dict[str, Any]:
        """Whether CreateSolutionVersion accepts a name another version of the solution already has (True) or refuses
        it with ResourceAlreadyExistsException (False, the default); returns the settings now in force. `reset()`
        goes back to the emulator's start-up setting."""
        settings: dict[str, Any] = self._call("POST", "settings", {"acceptDuplicateNames": accept})
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


class EmulatorProcess:
    """`python -m personalize_pulumi.emulator` on a free port of 127.0.0.1, as a child process.

    `iam`: check every request against IAM policies (`--iam`, see `personalize_pulumi.emulator.iam`); `env()` then
    hands out the account root's credentials, and `user_env()` those of a new IAM user with a given policy."""

    def __init__(
        self,
        training_seconds: float = defaults.TRAINING_SECONDS,
        setup_seconds: float = defaults.SETUP_SECONDS,
        extra_args: list[str] | None = None,
        region: str = defaults.REGION,
        iam: bool = False,
        accept_duplicate_names: bool = False,
    ):
        """`accept_duplicate_names`: start with `--accept-duplicate-names` (see `emulator.settings`)."""
        self.region = region
        """The region `env()` points boto3 at by default."""
        self.iam = iam
        """Whether the emulator checks requests against IAM policies."""
        command = [
            sys.executable,
            "-m",
            "personalize_pulumi.emulator",
            "--port",
            "0",
            "--training-seconds",
            str(training_seconds),
            "--setup-seconds",
            str(setup_seconds),
            *(["--iam"] if iam else []),
            *(["--accept-duplicate-names"] if accept_duplicate_names else []),
            *(extra_args or []),
        ]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert self.process.stdout is not None
        first = self.process.stdout.readline()
        if "listening on" not in first:
            self.process.kill()
            rest = self.process.stdout.read()
            raise RuntimeError(f"the emulator did not start: {first}{rest}")
        self.url = first.split()[-1]
        self.endpoint_url = self.url
        """The emulator's HTTP endpoint, e.g. `http://127.0.0.1:41233` (boto3's `endpoint_url`)."""
        self.control = EmulatorControl(self.url)
        self.output: list[str] = [first]
        """Everything the emulator printed; read continuously so a full pipe never blocks the emulator."""
        threading.Thread(target=self._drain, name="emulator-output", daemon=True).start()

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def env(self, region: str | None = None) -> dict[str, str]:
        """Environment variables that point boto3 and the provider (in this or a child process, such as the Pulumi
        engine's provider host) at the emulator, with dummy credentials (the account's root, with `iam`) and no shared
        AWS config files."""
        return {
            "AWS_ENDPOINT_URL_PERSONALIZE": self.url,
            "AWS_ENDPOINT_URL_IAM": self.url,
            "AWS_ENDPOINT_URL_STS": self.url,
            "AWS_ACCESS_KEY_ID": ROOT_ACCESS_KEY_ID,
            "AWS_SECRET_ACCESS_KEY": ROOT_SECRET_ACCESS_KEY,
            "AWS_DEFAULT_REGION": region or self.region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        }

    def user_env(self, user: str, policy: Mapping[str, Any], region: str | None = None) -> dict[str, str]:
        """`env()` with the credentials of a new IAM user `user` whose one (inline) policy is `policy`, an IAM policy
        document: what a deploy role with exactly that policy may do. Needs `iam` (otherwise nothing is checked)."""
        if not self.iam:
            raise RuntimeError("user_env needs an emulator started with iam=True (--iam): nothing else is checked")
        import boto3  # the emulator extra has it; the rest of this module needs only the standard library

        client = boto3.client(
            "iam",
            endpoint_url=self.url,
            region_name=region or self.region,
            aws_access_key_id=ROOT_ACCESS_KEY_ID,
            aws_secret_access_key=ROOT_SECRET_ACCESS_KEY,
        )
        client.create_user(UserName=user)
        client.put_user_policy(UserName=user, PolicyName=f"{user}-policy", PolicyDocument=json.dumps(policy))
        key = client.create_access_key(UserName=user)["AccessKey"]
        return {
            **self.env(region),
            "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
        }

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
