"""Every error the user sees, and how errors are classified.

The engine shows a provider error as the exception message alone when it is a `SolutionVersionError` (host.py sends
it instead of the SDK host's traceback; any other exception, a bug, keeps its traceback). `failure` is the one place
that message is formatted:

    <verb> Personalize solution version <name> (<version ARN, or the solution before one exists>): <cause>; <what to do>
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    HTTPClientError,
    NoCredentialsError,
    NoRegionError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError

from .gate import Shortfall

THROTTLING_CODES = frozenset(
    {
        "ThrottlingException",
        "Throttling",
        "ThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "LimitExceededException",  # Personalize answers describes with it when throttling
    }
)
QUOTA_CODE = "LimitExceededException"
"""From CreateSolutionVersion it (also) means the quota of trainings per region is used up."""

NEXT_STEP = {
    "creating": "run `pulumi up` again (no training was started)",
    "reading": "run `pulumi refresh` again",
    "updating": "run `pulumi up` again",
    "deleting": "run `pulumi destroy` (or `pulumi up`) again",
}


INTERRUPTED = "pulumi was interrupted (Ctrl-C) and stopped waiting"
"""The cause when the engine cancels (the first Ctrl-C) while the provider waits."""
AFTER_INTERRUPT = {
    "creating": "run `pulumi up` again: it adopts a training this run started, if any",
    "reading": "run `pulumi refresh` again",
    "updating": "run `pulumi up` again",
    "deleting": "run `pulumi destroy` again",
}


class SolutionVersionError(Exception):
    """A failure the user can act on; its message is the last line the engine shows."""


class UnknownProfile(Exception):
    """The AWS profile to use is not in the shared config files; `source` says where it came from."""

    def __init__(self, profile: str, source: str):
        super().__init__(f"the AWS profile {profile!r} ({source}) could not be found in the AWS config files")
        self.source = source


def failure(verb: str, name: Any, where: str, cause: str, todo: str) -> SolutionVersionError:
    """The error for `verb`ing (lower case: "creating", "waiting for", ...) the version `name`; `where` is its ARN."""
    return SolutionVersionError(f"{verb} Personalize solution version {name} ({where}): {cause}; {todo}")


GateCase = Literal["trained", "adopted", "update"]
"""Whose verdict a rejection is: a version this resource trained (or found from an earlier run), a version adopted
with existingVersionArn, or the version already in the stack, re-judged because minMetrics changed."""


def rejected(
    verb: str, name: Any, arn: str, missed: Sequence[Shortfall], metrics: Mapping[str, Any], case: GateCase
) -> SolutionVersionError:
    """The one-line rejection by `minMetrics`: each metric that missed, its value, its minimum, and what to do."""
    misses = []
    for miss in missed:
        if miss.value is None:
            reported = ", ".join(sorted(metrics)) or "no metrics"
            misses.append(f"{miss.metric} is not reported (minimum {_number(miss.minimum)}; it reports {reported})")
        else:
            misses.append(f"{miss.metric} is {_number(miss.value)}, below the minimum {_number(miss.minimum)}")
    fixes = ", ".join(
        f"remove minMetrics.{m.metric}"
        if m.value is None
        else f"lower minMetrics.{m.metric} to {_number(m.value)} or less"
        for m in missed
    )
    cause_text = "rejected by minMetrics: " + "; ".join(misses)
    if case == "trained":
        todo = (
            "the version stays in Personalize (there is no API to delete it) but not in the stack, which keeps its "
            f"previous version if it had one; to accept this version, {fixes} and run `pulumi up` (it adopts it, no "
            "retraining); to train another, change retrainTriggers"
        )
    elif case == "adopted":
        todo = f"it was not added to the stack and is unchanged; to accept it, {fixes}; or adopt another version"
    else:
        todo = (
            f"nothing was changed and the stack keeps the version with its previous minMetrics; {fixes} to accept it, "
            "or change retrainTriggers to train one that passes"
        )
    return failure(verb, name, arn, cause_text, todo)


def gate_names_cause(unknown: Sequence[str], reported: Iterable[str]) -> str:
    """Why `minMetrics` cannot be judged: entries naming metrics the solution never reports, and the names it does."""
    entries = ", ".join(f"minMetrics.{name}" for name in unknown)
    verb = "is not a metric" if len(unknown) == 1 else "are not metrics"
    return f"{entries} {verb} this solution reports (it reports {', '.join(sorted(reported))})"


GATE_NAMES_TODO = "fix or remove it, then run `pulumi up` again (no training was started)"


def _number(value: float) -> str:
    # repr round-trips: "lower to <value> or less" must really accept the value.
    return repr(float(value))


def failure_from(
    verb: str, name: Any, where: str, error: Exception, next_step: str | None = None
) -> SolutionVersionError:
    """`failure` for an error raised by boto3 or the client setup, with the remedy it calls for, then `next_step`."""
    step = next_step or NEXT_STEP.get(verb, "run `pulumi up` again")
    if is_transient(error):
        todo = f"Personalize or the network kept failing; {step} later"
    else:
        todo = f"{remedy(error) or 'fix the cause'}, then {step}"
    return failure(verb, name, where, cause(error), todo)


def code(error: BaseException) -> str:
    """The service's error code of a ClientError ("" for anything else)."""
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", ""))
    return ""


def cause(error: BaseException) -> str:
    """What went wrong, in one line."""
    if isinstance(error, ClientError):
        message = error.response.get("Error", {}).get("Message", "")
        return f"{error.operation_name} answered {code(error)}: {message}"
    if isinstance(error, UnknownProfile):
        return str(error)
    if isinstance(error, NoCredentialsError):
        return "no AWS credentials were found"
    if isinstance(error, BotoCoreError):
        return str(error)
    return f"{type(error).__name__}: {error}"


def remedy(error: BaseException) -> str | None:
    """What the user can change to fix `error`, if it is something on their side."""
    if isinstance(error, UnknownProfile):
        return (
            f"set {error.source} to a profile that exists (`aws configure list-profiles`), or remove it to use the "
            "standard credential chain"
        )
    if isinstance(error, NoCredentialsError):
        return "provide AWS credentials (environment, the stack's aws:profile, or the profile input)"
    if isinstance(error, NoRegionError):
        return "set the stack's aws:region or the region input"
    if code(error) in ("AccessDeniedException", "UnrecognizedClientException", "ExpiredTokenException"):
        return "check the credentials and their IAM permissions for Amazon Personalize"
    return None


def is_transient(error: BaseException) -> bool:
    """Errors that go away by themselves: dropped or refused connections, timeouts, HTTP 5xx, throttling."""
    if isinstance(error, (BotoConnectionError, HTTPClientError)):
        return True  # EndpointConnectionError, ConnectionClosedError, ReadTimeoutError, ConnectTimeoutError, ...
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return status >= 500 or code(error) in THROTTLING_CODES
    return False
