"""The permissions a create needs once its training runs, checked before it starts one.

A create waits with DescribeSolutionVersion and records the version with GetSolutionMetrics and ListTagsForResource.
If the credentials lack one of them, finding out after CreateSolutionVersion would leave a training running (and
billed) that the stack does not track. So before it trains, a create makes each of those calls once on
`<solution ARN>/*`, an ARN of the solution's versions that names none: the service authorizes the call first, then
answers ResourceNotFoundException, or AccessDeniedException if the permission is missing. Any answer other than a
denial (not found, throttling, a dropped connection) lets the create go on: the calls that matter come later, with
their retries.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from .classify import ACCESS_DENIED, code

CHECKED_BEFORE_TRAINING = (
    ("describe_solution_version", "solutionVersionArn"),
    ("get_solution_metrics", "solutionVersionArn"),
    ("list_tags_for_resource", "resourceArn"),
)
"""The client method of each call a create makes on the version once it trains, and the parameter naming it."""


def versions_of(solution_arn: str) -> str:
    """The ARN pattern of a solution's versions (`<solution ARN>/*`): what the checks ask about."""
    return f"{solution_arn}/*"


def denied_before_training(client: Any, solution_arn: str) -> ClientError | None:
    """The first denial of the calls a create makes once its training runs (None if the credentials may make them).
    `client` makes one request per call (no SDK retries): a check is not worth a wait."""
    arn = versions_of(solution_arn)
    for method, parameter in CHECKED_BEFORE_TRAINING:
        try:
            getattr(client, method)(**{parameter: arn})
        except ClientError as error:
            if code(error) == ACCESS_DENIED:
                return error
        except BotoCoreError:
            pass  # the network or the endpoint; the calls themselves ride it out later
    return None
