"""How the provider tells errors apart (never what it says of them: errors.py): which are transient, which mean the
endpoint gave no answer or the call may have done its work, the service's error codes, and the IAM permission an
AccessDeniedException names.
"""

from __future__ import annotations

import re

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

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


IN_USE_CODE = "ResourceInUseException"
"""From CreateSolutionVersion: the solution is busy, for reasons the service does not document ("The specified
resource is in use"; possibly another training of it, or a dataset import running). Waited out like the quota. From
any other call it keeps that call's meaning (StopSolutionVersionCreation: the version is no longer training)."""


def code(error: BaseException) -> str:
    """The service's error code of a ClientError ("" for anything else)."""
    if isinstance(error, ClientError):
        return str(error.response.get("Error", {}).get("Code", ""))
    return ""


ACCESS_DENIED = "AccessDeniedException"


_DENIAL = re.compile(r"not authorized to perform: (?P<action>[\w-]+:\w+)(?: on resource: (?P<resource>\S+))?")
"""How AWS names what it refused: "User: <arn> is not authorized to perform: personalize:<Action> on resource: <arn>
because no identity-based policy allows the personalize:<Action> action" (or "... with an explicit deny ...")."""


def missing_permission(error: BaseException) -> str | None:
    """The permission an AccessDeniedException says is missing, as "<action> on <resource>" (None if it names none)."""
    if not isinstance(error, ClientError) or code(error) != ACCESS_DENIED:
        return None
    found = _DENIAL.search(str(error.response.get("Error", {}).get("Message", "")))
    if found is None:
        return None
    resource = (found.group("resource") or "").rstrip(".")
    return found.group("action") + (f" on {resource}" if resource else "")


def explicit_deny(error: BaseException) -> bool:
    return isinstance(error, ClientError) and "explicit deny" in str(error.response.get("Error", {}).get("Message", ""))


def is_transient(error: BaseException) -> bool:
    """Errors that go away by themselves: dropped or refused connections, timeouts, HTTP 5xx, throttling."""
    if got_no_connection(error):
        return True  # EndpointConnectionError, ConnectionClosedError, ReadTimeoutError, ConnectTimeoutError, ...
    if isinstance(error, ClientError):
        status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0
        return status >= 500 or code(error) in THROTTLING_CODES
    return False


def is_start_transient(error: BaseException) -> bool:
    """Answers of CreateSolutionVersion that go away by themselves: transient errors (the training quota among them,
    as a throttling code), and the solution in use."""
    return is_transient(error) or code(error) == IN_USE_CODE


def got_no_connection(error: BaseException) -> bool:
    """Whether `error` means the endpoint gave no answer at all: a connection refused, dropped or timing out (not an
    HTTP error, which is an answer)."""
    return isinstance(error, (BotoConnectionError, HTTPClientError))


def got_no_answer(error: BaseException) -> bool:
    """Whether the call that failed with `error` may have done its work all the same: the connection failed, or the
    service answered HTTP 5xx (any other answer refused the call)."""
    if isinstance(error, ClientError):
        return int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0) >= 500
    return is_transient(error)
