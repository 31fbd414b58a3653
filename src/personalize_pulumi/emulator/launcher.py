"""Start an emulator as a child process on a free port, and hand out the environment that points boto3 at it.

Used by the test fixtures, the main job and the benchmarks.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from typing import Any

from . import ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY, defaults
from .client import EmulatorControl, aws_client


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
        clock_offset_seconds: float = 0.0,
        listing_lag_seconds: float = 0.0,
    ):
        """`accept_duplicate_names`, `clock_offset_seconds`, `listing_lag_seconds`: start with
        `--accept-duplicate-names`, `--clock-offset-seconds S`, `--listing-lag-seconds S` (see `emulator.settings`)."""
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
            *(["--clock-offset-seconds", str(clock_offset_seconds)] if clock_offset_seconds else []),
            *(["--listing-lag-seconds", str(listing_lag_seconds)] if listing_lag_seconds else []),
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
        client = self.client("iam", region)
        client.create_user(UserName=user)
        client.put_user_policy(UserName=user, PolicyName=f"{user}-policy", PolicyDocument=json.dumps(policy))
        key = client.create_access_key(UserName=user)["AccessKey"]
        return {
            **self.env(region),
            "AWS_ACCESS_KEY_ID": key["AccessKeyId"],
            "AWS_SECRET_ACCESS_KEY": key["SecretAccessKey"],
        }

    def client(self, service: str = "personalize", region: str | None = None, config: Any = None) -> Any:
        """A boto3 client of `service` pointed at this emulator, as the account's root (`env()`'s credentials)."""
        return aws_client(self.url, service, region or self.region, config)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
