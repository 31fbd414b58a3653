"""What each provider call does, whichever front door the engine came through: the SDK's dynamic-provider host
(solution_version.py, owner.py) or the `personalize` plugin (plugin/server.py). The front door passes in what it
knows of the request (the URN) and of its configuration; everything the user reads is decided here or below.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from . import lifecycle
from .arns import region_of
from .backoff import Cancelled, OutOfTime, until_cancelled
from .checks import Failure, check_inputs
from .clients import Personalize, StackAwsConfig, personalize_clients
from .diffs import Decision, decide, explain, explain_create, explain_drift
from .errors import SolutionVersionError, UnknownProfile, failure_from, interrupted, waiting_interrupted
from .messages import Reporter, region_mismatch
from .outputs import display_name
from .tags import DefaultTags

T = TypeVar("T")

_calls = threading.Lock()
_said: set[tuple[str, str]] = set()
"""(URN, what) for the lines said once per resource in this process (one operation: the engine starts a host per
operation): "reviewed", the reviewer's line (a replace's second Check must not add a create's line after the Diff's),
"region", the region warning."""
_read: set[str] = set()
"""URNs whose last call was a Read: the Diff that follows is a refresh's (the engine diffs what it read against the
program's last inputs), which changes nothing and says what it found."""


def _first_time(urn: str | None, what: str) -> bool:
    """Whether `what` was not said yet for `urn` in this process (always, for a call with no URN); records it."""
    if urn is None:
        return True
    with _calls:
        if (urn, what) in _said:
            return False
        _said.add((urn, what))
        return True


def _after_read(urn: str | None, read: bool | None = None) -> bool:
    """Whether the last call for `urn` was a Read; `read` records this call (True: a Read, False: anything else)."""
    if urn is None:
        return False
    with _calls:
        was = urn in _read
        if read:
            _read.add(urn)
        elif read is False:
            _read.discard(urn)
        return was


def check(
    olds: dict[str, Any], news: dict[str, Any], urn: str | None, default_tags: DefaultTags, stack: StackAwsConfig
) -> tuple[dict[str, Any], list[Failure]]:
    """The checked inputs and what is wrong with them; says a create's reviewer line and the region warning."""
    inputs, failures = check_inputs(olds or {}, news, default_tags)
    _after_read(urn, read=False)
    if not failures:
        _say_what_check_sees(urn, olds or {}, inputs, stack)
    return inputs, failures


def _say_what_check_sees(urn: str | None, olds: dict[str, Any], inputs: dict[str, Any], stack: StackAwsConfig) -> None:
    """A create's reviewer line (the engine diffs nothing for a new resource), and the region warning."""
    reporter = Reporter(display_name(inputs), urn)
    solution_arn = inputs.get("solutionArn")
    arn_region = region_of(solution_arn) if isinstance(solution_arn, str) else None
    if arn_region and stack.region and arn_region != stack.region and inputs.get("region") is None:
        if _first_time(urn, "region"):
            who = reporter.resource_name or display_name(inputs)
            reporter.warning(region_mismatch(who, arn_region, stack.region))
    if not olds:
        line = explain_create(inputs, reporter.resource_name)
        if _first_time(urn, "reviewed"):
            reporter.line(line)


def diff(olds: dict[str, Any], news: dict[str, Any], urn: str | None) -> Decision:
    """What changes and what it means; says the one line a reviewer reads per changed model (check and diff print
    nothing else)."""
    decision = decide(olds, news)
    if _after_read(urn, read=False):
        line = explain_drift(decision, olds, news)
    else:
        line = explain(decision, olds, news)
    if line is not None:
        _first_time(urn, "reviewed")
        Reporter(display_name(news), urn).line(line)
    return decision


def note_read(urn: str | None) -> None:
    """A Read of `urn`: the Diff that follows is a refresh's."""
    _after_read(urn, read=True)


def clients(props: dict[str, Any], stack: StackAwsConfig) -> Personalize:
    """The Personalize clients of the resource `props` (its region and profile, else the configuration's)."""
    region = props.get("region") or region_of(props.get("solutionArn") or "")
    return personalize_clients(region, props.get("profile"), stack)


def guarded(
    verb: str,
    props: dict[str, Any],
    id_: str | None,
    operation: Callable[[], T],
    started: lifecycle.Started | None = None,
) -> T:
    """`operation()`, with any AWS or configuration error, or the engine's Cancel, turned into one line naming the
    version (for a create, the one it `started`, if it got that far). A cancelled operation that does not end
    within a few seconds (a request to a hung endpoint) is answered without it."""
    try:
        return until_cancelled(operation)
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
