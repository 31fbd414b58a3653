"""boto3 clients, built inside the provider process and cached per process (never pickled into state).

Where calls go: the region of the solution ARN (calls must go where the resource is), or an explicit `region` input.
Credentials: the standard AWS chain (environment, shared files, SSO, instance roles), the stack's `aws:profile` /
`aws:accessKey` / `aws:secretKey` / `aws:token` config received in `configure`, or an explicit `profile` input.
Endpoints: the standard `AWS_ENDPOINT_URL_PERSONALIZE` / `AWS_ENDPOINT_URL` variables, e.g. for the local emulator.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.config import Config

DEFAULT_MAX_ATTEMPTS = 10


def retry_config() -> Config:
    """Throttling (ThrottlingException, and LimitExceededException, which Personalize also uses for throttling), HTTP
    5xx and dropped connections are retried by botocore's standard mode; the lifecycle code never loops on them.
    Attempts: the standard `AWS_MAX_ATTEMPTS` variable, default 10 (a create may poll for hours)."""
    attempts = int(os.environ.get("AWS_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS)
    return Config(
        retries={"mode": "standard", "total_max_attempts": attempts},
        connect_timeout=10,
        read_timeout=60,
        user_agent_extra="pulumi-personalize-solution-version",
    )


@dataclass(frozen=True)
class StackAwsConfig:
    """What `configure` received from the stack's `aws:` config namespace (lives only in the provider process)."""

    region: str | None = None
    profile: str | None = None
    access_key: str | None = None
    secret_key: str | None = None
    token: str | None = None

    @classmethod
    def from_config(cls, get: Any) -> StackAwsConfig:
        """Read `aws:region`, `aws:profile`, `aws:accessKey`, `aws:secretKey`, `aws:token` through `get(key)`."""
        return cls(
            region=get("aws:region") or None,
            profile=get("aws:profile") or None,
            access_key=get("aws:accessKey") or None,
            secret_key=get("aws:secretKey") or None,
            token=get("aws:token") or None,
        )

    def __repr__(self) -> str:  # never print keys
        return f"StackAwsConfig(region={self.region!r}, profile={self.profile!r})"


_lock = threading.Lock()
_clients: dict[tuple[Any, ...], Any] = {}


def personalize_client(region: str | None, profile: str | None, stack: StackAwsConfig) -> Any:
    """A Personalize client for `region` (falling back to stack config), shared by the provider's threads."""
    profile = profile or stack.profile
    region = region or stack.region
    keys = (stack.access_key, stack.secret_key, stack.token) if not profile else (None, None, None)
    cache_key = (region, profile, *keys)
    with _lock:  # boto3 sessions are not thread-safe to create; clients are safe to share once built.
        client = _clients.get(cache_key)
        if client is None:
            session = boto3.session.Session(
                profile_name=profile,
                region_name=region,
                aws_access_key_id=keys[0],
                aws_secret_access_key=keys[1],
                aws_session_token=keys[2],
            )
            client = session.client("personalize", config=retry_config())
            _clients[cache_key] = client
        return client
