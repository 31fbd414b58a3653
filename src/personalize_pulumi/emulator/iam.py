"""IAM in the emulator (`python -m personalize_pulumi.emulator --iam`): every request is checked against IAM policies
by moto's own access control, as AWS checks it, and IAM's API is served on the same endpoint.

- The default credentials (`ROOT_ACCESS_KEY_ID` / `ROOT_SECRET_ACCESS_KEY`, `testing` / `testing`, what
  `EmulatorProcess.env()` hands out) act as the account's root: they may do anything, IAM included. moto has no root
  user, so `enable()` exempts them before moto's check (`_authenticate_and_authorize_action` of moto's
  `BaseResponse`, the one place every moto service authorizes a request).
- Any other access key must belong to an IAM user created on this endpoint (`iam` client: CreateUser, PutUserPolicy
  or CreatePolicy + AttachUserPolicy, CreateAccessKey); its requests are checked against that user's policies, their
  actions and resources. A Personalize call names the resource AWS authorizes it on (`resource_of`), so statements
  scoped to ARNs are enforced too.
- moto answers a denial in IAM's XML (`AccessDenied`, HTTP 403). Personalize is a JSON service, and AWS answers it in
  JSON: `access_denied` renders the denial as AWS does (`AccessDeniedException`, "User: <arn> is not authorized to
  perform: personalize:<Action> on resource: <arn> because no identity-based policy allows the personalize:<Action>
  action"), and bad keys or signatures as `UnrecognizedClientException` / `InvalidSignatureException`.
- As on AWS, CreateSolutionVersion with `tags` also needs `personalize:TagResource` (the service authorization
  reference lists it for the operation).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from moto import settings
from moto.core.exceptions import AccessDeniedError, InvalidClientTokenIdError, JsonRESTError, SignatureDoesNotMatchError
from moto.core.responses import BaseResponse
from moto.iam.access_control import IAMRequest

from . import ROOT_ACCESS_KEY_ID, ROOT_SECRET_ACCESS_KEY

__all__ = ["ROOT_ACCESS_KEY_ID", "ROOT_SECRET_ACCESS_KEY", "authorize", "enable", "enabled", "resource_of"]

RESOURCE_PARAMETERS = {
    "DescribeSolution": "solutionArn",
    "CreateSolutionVersion": "solutionArn",
    "DescribeSolutionVersion": "solutionVersionArn",
    "GetSolutionMetrics": "solutionVersionArn",
    "StopSolutionVersionCreation": "solutionVersionArn",
    "TagResource": "resourceArn",
    "UntagResource": "resourceArn",
    "ListTagsForResource": "resourceArn",
    "DescribeDatasetGroup": "datasetGroupArn",
    "DeleteSolution": "solutionArn",
}
"""The request parameter that names the resource AWS authorizes each Personalize operation on. Any other operation
(the List calls, which support no resource-level permissions, and creates of dataset groups and solutions) is
authorized on `*`."""

_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/")
_enabled = False


def enable() -> None:
    """Check every request from the first one on (moto's `INITIAL_NO_AUTH_ACTION_COUNT` = 0), except the root's."""
    global _enabled
    if _enabled:
        return
    _enabled = True
    settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
    moto_check = BaseResponse._authenticate_and_authorize_action

    def check_unless_root(self: Any, iam_request_cls: type, resource: str = "*") -> None:
        if signed_by(self.headers) == ROOT_ACCESS_KEY_ID:
            return
        moto_check(self, iam_request_cls, resource)

    BaseResponse._authenticate_and_authorize_action = check_unless_root  # type: ignore[method-assign]


def enabled() -> bool:
    """Whether this process checks requests against IAM (`enable()` was called)."""
    return _enabled


def signed_by(headers: Mapping[str, str]) -> str | None:
    """The access key a SigV4-signed request names (None for an unsigned one)."""
    match = _CREDENTIAL.search(headers.get("Authorization", ""))
    return match.group(1) if match else None


def resource_of(operation: str, params: Mapping[str, Any]) -> str:
    """The resource AWS authorizes `operation` on: the ARN its request names, or `*`."""
    name = RESOURCE_PARAMETERS.get(operation)
    value = params.get(name) if name else None
    return value if isinstance(value, str) and value else "*"


def implied_actions(operation: str, params: Mapping[str, Any]) -> tuple[str, ...]:
    """Further actions AWS requires for this request: TagResource for a create that tags."""
    return ("TagResource",) if operation == "CreateSolutionVersion" and params.get("tags") else ()


def authorize(response: Any, operation: str, params: Mapping[str, Any], resource: str) -> None:
    """Authorize a Personalize request on `resource` with moto's access control (`response` is the moto response
    handling it), and raise the JSON error AWS would answer if it is refused."""
    action = operation
    try:
        BaseResponse._authenticate_and_authorize_normal_action(response, resource)
        for action in implied_actions(operation, params):
            response._authenticate_and_authorize_action(_request_for(action), resource)
    except AccessDeniedError as denied:
        raise access_denied(denied.message, f"personalize:{action}", resource) from None
    except InvalidClientTokenIdError:
        raise _json_error(
            403, "UnrecognizedClientException", "The security token included in the request is invalid."
        ) from None
    except SignatureDoesNotMatchError as mismatch:
        raise _json_error(403, "InvalidSignatureException", mismatch.message) from None


def access_denied(moto_message: str, action: str, resource: str) -> JsonRESTError:
    """AWS's answer to a denied Personalize request, from moto's message ("User: <arn> is not authorized to perform:
    <action>"): `AccessDeniedException`, naming the action and the resource."""
    message = f"{moto_message} on resource: {resource} because no identity-based policy allows the {action} action"
    return _json_error(400, "AccessDeniedException", message)


def _json_error(status: int, code: str, message: str) -> JsonRESTError:
    # The HTTP statuses of AWS's common errors (the API reference's "Common Errors" page).
    error = JsonRESTError(code, message)
    error.code = status
    return error


def _request_for(action: str) -> type:
    """An IAMRequest (moto's signature and policy check) for `action` instead of the request's own."""

    class ImpliedActionRequest(IAMRequest):
        def __init__(self, **kwargs: Any) -> None:
            super().__init__(**{**kwargs, "action": action})

    return ImpliedActionRequest
