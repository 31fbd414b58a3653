"""boto3 clients, built inside the provider process and cached per provider session (never pickled into state).

Where calls go: the region of the solution ARN (calls must go where the resource is), or an explicit `region` input.
Credentials: the standard AWS chain (environment, shared files, SSO, instance roles), the stack's `aws:profile` /
`aws:accessKey` / `aws:secretKey` / `aws:token` config received in `configure`, or an explicit `profile` input.
Endpoints: the standard `AWS_ENDPOINT_URL_PERSONALIZE` / `AWS_ENDPOINT_URL` variables, e.g. for the local emulator.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ProfileNotFound

from .backoff import Cancellation
from .errors import UnknownProfile
from .quota import QuotaProbes

if TYPE_CHECKING:
    from botocore.config import Config

# boto3 and botocore's Config are imported where clients are built: a preview's provider host (Check and Diff only,
# which never call AWS) does not pay for importing them.

DEFAULT_MAX_ATTEMPTS = 3
"""botocore's standard-mode default. Enough for a blip; longer outages are the waiters' job, between polls, for the
whole wait budget. More attempts would only stall one poll (throttling backoff grows to 20 s per attempt)."""


def retry_config(attempts: int | None = None) -> Config:
    """botocore's standard retry mode: throttling (including LimitExceededException, which Personalize also uses for
    throttling), HTTP 5xx and dropped connections. Attempts: `attempts`, else the standard `AWS_MAX_ATTEMPTS`
    variable, else 3."""
    from botocore.config import Config

    attempts = attempts or int(os.environ.get("AWS_MAX_ATTEMPTS") or DEFAULT_MAX_ATTEMPTS)
    return Config(
        retries={"mode": "standard", "total_max_attempts": attempts},
        connect_timeout=10,
        read_timeout=30,
        user_agent_extra="pulumi-personalize-solution-version",
    )


@dataclass(frozen=True)
class Personalize:
    """The clients for one region and set of credentials."""

    api: Any
    """Every call except CreateSolutionVersion, with botocore's standard retries."""
    starter: Any
    """CreateSolutionVersion and the permission checks before it (`permissions.py`), with no SDK retries: botocore
    retries LimitExceededException as throttling, but from CreateSolutionVersion it usually means the quota of
    trainings per region, which the provider waits out itself against the wait budget (each try is one request, so
    the wait never overruns the budget by botocore's backoff); a check is one request."""
    quota: QuotaProbes = field(default_factory=QuotaProbes)
    """The creates of this provider waiting out the quota of trainings through these clients (quota.py)."""


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


class ClientCache:
    """The clients of one provider session, per region and set of credentials, shared by its threads; once
    `cancellation` is set, they send no request (a call answered on Ctrl-C may leave its thread behind, in a request
    to a hung endpoint: it must start nothing after that answer)."""

    def __init__(self, cancellation: Cancellation) -> None:
        self._cancellation = cancellation
        self._lock = threading.Lock()
        self._clients: dict[tuple[Any, ...], Personalize] = {}

    def get(self, region: str | None, profile: str | None, stack: StackAwsConfig) -> Personalize:
        """Personalize clients for `region` (falling back to stack config). Building them makes no AWS call; a profile
        that is not in the AWS config files raises UnknownProfile naming it and where it came from."""
        import boto3

        source = "the profile input" if profile else "the stack's aws:profile" if stack.profile else "AWS_PROFILE"
        profile = profile or stack.profile
        region = region or stack.region
        keys = (stack.access_key, stack.secret_key, stack.token) if not profile else (None, None, None)
        cache_key = (region, profile, *keys)
        with self._lock:  # boto3 sessions are not thread-safe to create; clients are safe to share once built.
            clients = self._clients.get(cache_key)
            if clients is None:
                try:
                    session = boto3.session.Session(
                        profile_name=profile,
                        region_name=region,
                        aws_access_key_id=keys[0],
                        aws_secret_access_key=keys[1],
                        aws_session_token=keys[2],
                    )
                    clients = Personalize(
                        api=self._refusing_when_cancelled(session.client("personalize", config=retry_config())),
                        starter=self._refusing_when_cancelled(
                            session.client("personalize", config=retry_config(attempts=1))
                        ),
                    )
                except ProfileNotFound as error:
                    raise UnknownProfile(str(error.kwargs.get("profile") or profile), source) from None
                self._clients[cache_key] = clients
            return clients

    def _refusing_when_cancelled(self, client: Any) -> Any:
        client.meta.events.register("before-send", lambda **_: self._cancellation.check())
        return client


def answer_time(answer: dict[str, Any]) -> datetime | None:
    """The service's clock when it answered: the HTTP `Date` of a boto3 response (or of a ClientError's
    `response`), None if it has none."""
    date = ((answer.get("ResponseMetadata") or {}).get("HTTPHeaders") or {}).get("date")
    try:
        moment = parsedate_to_datetime(date) if isinstance(date, str) else None
    except (TypeError, ValueError):
        return None
    return moment.astimezone(timezone.utc) if moment is not None and moment.tzinfo is not None else None
