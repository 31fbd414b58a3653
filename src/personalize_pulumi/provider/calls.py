"""What each provider call does, whichever front door the engine came through: the SDK's dynamic-provider host
(solution_version.py, owner.py) or the `personalize` plugin (plugin/server.py). The front door passes in its session
(session.py), what it knows of the request (the URN) and its configuration; everything the user reads is decided here
or below.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from . import lifecycle, training
from .arns import region_of
from .backoff import Cancelled, OutOfTime
from .checks import Failure, check_inputs
from .clients import Personalize, StackAwsConfig
from .diffs import Decision, decide, explain, explain_create, explain_drift
from .errors import SolutionVersionError, UnknownProfile, failure_from, interrupted, waiting_interrupted
from .finders import ListingLags
from .messages import region_mismatch
from .outputs import display_name
from .reporter import Reporter
from .session import Session
from .tags import DefaultTags

T = TypeVar("T")


def check(
    session: Session,
    olds: dict[str, Any],
    news: dict[str, Any],
    urn: str | None,
    default_tags: DefaultTags,
    stack: StackAwsConfig,
) -> tuple[dict[str, Any], list[Failure]]:
    """The checked inputs and what is wrong with them; says a create's reviewer line and the region warning."""
    inputs, failures = check_inputs(olds or {}, news, default_tags)
    session.memory.after_read(urn, read=False)
    if not failures:
        _say_what_check_sees(session, urn, olds or {}, inputs, stack)
    return inputs, failures


def _say_what_check_sees(
    session: Session, urn: str | None, olds: dict[str, Any], inputs: dict[str, Any], stack: StackAwsConfig
) -> None:
    """A create's reviewer line (the engine diffs nothing for a new resource), and the region warning."""
    reporter = session.reporter(display_name(inputs), urn)
    solution_arn = inputs.get("solutionArn")
    arn_region = region_of(solution_arn) if isinstance(solution_arn, str) else None
    if arn_region and stack.region and arn_region != stack.region and inputs.get("region") is None:
        if session.memory.first_time(urn, "region"):
            who = reporter.resource_name or display_name(inputs)
            reporter.warning(region_mismatch(who, arn_region, stack.region))
    if not olds:
        line = explain_create(inputs, reporter.resource_name)
        if session.memory.first_time(urn, "reviewed"):
            reporter.line(line)


def diff(session: Session, olds: dict[str, Any], news: dict[str, Any], urn: str | None) -> Decision:
    """What changes and what it means; says the one line a reviewer reads per changed model (check and diff print
    nothing else)."""
    decision = decide(olds, news)
    if session.memory.after_read(urn, read=False):
        line = explain_drift(decision, olds, news)
    else:
        line = explain(decision, olds, news)
    if line is not None:
        session.memory.first_time(urn, "reviewed")
        session.reporter(display_name(news), urn).line(line)
    return decision


def note_read(session: Session, urn: str | None) -> None:
    """A Read of `urn`: the Diff that follows is a refresh's."""
    session.memory.after_read(urn, read=True)


def clients(session: Session, props: dict[str, Any], stack: StackAwsConfig) -> Personalize:
    """The Personalize clients of the resource `props` (its region and profile, else the configuration's)."""
    region = props.get("region") or region_of(props.get("solutionArn") or "")
    return session.clients.get(region, props.get("profile"), stack)


def guarded(
    session: Session,
    verb: str,
    props: dict[str, Any],
    id_: str | None,
    operation: Callable[[], T],
    started: training.Started | None = None,
) -> T:
    """`operation()`, with any AWS or configuration error, or the engine's Cancel, turned into one line naming the
    version (for a create, the one it `started`, if it got that far). A cancelled operation that does not end
    within a few seconds (a request to a hung endpoint) is answered without it."""
    try:
        return session.cancellation.until_cancelled(operation)
    except SolutionVersionError:
        raise
    except (BotoCoreError, ClientError, UnknownProfile, OutOfTime, Cancelled) as error:
        arn = id_ or (started.arn if started else None) or props.get("solutionVersionArn")
        arn = arn or props.get("existingVersionArn")
        where, name = arn or f"solution {props.get('solutionArn')}", display_name(props)
        if isinstance(error, Cancelled):
            if started is not None and started.arn:
                raise waiting_interrupted(name, started.arn) from None
            raise interrupted(verb, name, where) from None
        cause = error.error if isinstance(error, OutOfTime) else error
        raise failure_from(verb, name, where, cause) from None


def stop_unrecorded(
    session: Session,
    where: tuple[str, str | None, str | None],
    stack: StackAwsConfig,
    token: str,
    name: str,
    reporter: Reporter,
) -> list[str]:
    """Destroying a resource's owner: stop what an interrupted `pulumi up` left training on the solution
    `where` = (solution ARN, region, profile) with the marker of `token` (lifecycle.stop_unrecorded), saying so on
    `reporter`; any failure is one line. Returns the ARNs stopped."""
    solution_arn, region, profile = where
    try:
        service = session.clients.get(region or region_of(solution_arn), profile, stack)
        polling, clock = session.poll(), session.clock
        return lifecycle.stop_unrecorded(service.api, solution_arn, token, name, polling, clock, reporter=reporter)
    except (BotoCoreError, ClientError, UnknownProfile, ListingLags) as error:
        step = "run `pulumi destroy` again: it stops a training an interrupted `pulumi up` left, if any"
        raise failure_from(
            "checking for unrecorded trainings of", name, f"solution {solution_arn}", error, step
        ) from None
