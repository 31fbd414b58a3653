"""What read, update and delete do for one solution version, and what destroying a resource's owner does
(`stop_unrecorded`): orchestration only, in terraform-provider-aws's shape, over `finders.py` (describe and list,
not-found mapped to None), `waiters.py` (pending/target status sets) and `backoff.py` (every retry and every sleep,
against a deadline); `errors.py` and `messages.py` say what users read. A create is training.py's.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from botocore.exceptions import ClientError

from . import errors, messages
from .backoff import REAL_TIME, Backoff, Cancelled, Clock, OutOfTime, Polling, retry
from .classify import code, is_transient
from .errors import GateCase, rejected
from .finders import (
    LISTING_LAG_MAX_SECONDS,
    ListingLags,
    Owned,
    find_metrics,
    find_owned_training,
    find_tags,
    find_version,
)
from .gate import shortfalls
from .outputs import display_name, input_keys, is_provider_tag, outputs, tags_all, with_new_inputs
from .ownership import owner_key
from .properties import (
    STOPPED,
    STOPPING,
    TAGS_ALL,
    TRAINING,
)
from .reporter import Reporter
from .values import normalize_numbers
from .waiters import (
    DeadlineExceeded,
    Progress,
    UnexpectedStatus,
    wait_version_stopped,
)

T = TypeVar("T")
STOP_WAIT_SECONDS = 30 * 60


def label(inputs: dict[str, Any]) -> str:
    """How lines name the resource where they cannot be attributed to it (no engine link: messages.py)."""
    return f"personalize solution version {display_name(inputs)}"


def judge(verb: str, name: str, arn: str, metrics: dict[str, Any], minimums: dict[str, Any], case: GateCase) -> None:
    """Raise the one-line rejection if `metrics` miss any of `minimums`."""
    missed = shortfalls(metrics, minimums)
    if missed:
        raise rejected(verb, name, arn, missed, metrics, case)


# Read, update, delete


def read(
    api: Any, arn: str, props: dict[str, Any], polling: Polling, clock: Clock = REAL_TIME
) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """Live outputs and the inputs they imply, or None if the version is gone. The live tags become `tagsAll` in both,
    so tags changed outside the stack show in the next preview as an update back to the program's (`tags`, what the
    program declares, is kept)."""
    backoff = Backoff.within(polling.grace, polling, clock)
    described = retry(lambda: find_version(api, arn), is_transient, backoff)
    if described is None:
        return None
    live_tags = retry(lambda: find_tags(api, arn), is_transient, backoff)
    metrics = retry(lambda: find_metrics(api, described), is_transient, backoff)
    inputs = {key: props[key] for key in input_keys(props)}
    if inputs.get("existingVersionArn") is None:
        inputs["trainingMode"] = described.get("trainingMode", inputs.get("trainingMode"))
    else:  # an adopted version's training mode is the service's, not an input (the outputs carry it)
        inputs.pop("trainingMode", None)
    inputs["solutionArn"] = described.get("solutionArn", inputs.get("solutionArn"))
    outs = outputs(inputs, described, live_tags, metrics)
    inputs[TAGS_ALL] = outs[TAGS_ALL]
    return outs, inputs


def update(
    api: Any, arn: str, olds: dict[str, Any], news: dict[str, Any], polling: Polling, clock: Clock = REAL_TIME
) -> dict[str, Any]:
    """Apply the change of the effective tags (`tagsAll`: what the version had, to what check computed) in place, never
    touching `aws:` tags, and judge the version against `minMetrics` again; returns the full outputs. A version that no
    longer passes fails the update before anything changes on the service. A change of `tags` that leaves `tagsAll` as
    it was, or of operational inputs only (profile, region, waitTimeoutMinutes), is stored without calling the
    service."""
    old_tags, new_tags = tags_all(olds), tags_all(news)
    minimums = news.get("minMetrics") or {}
    rejudge = normalize_numbers(olds.get("minMetrics") or {}) != normalize_numbers(minimums)
    if old_tags == new_tags and not rejudge:
        return with_new_inputs(olds, news)
    backoff = Backoff.within(polling.grace, polling, clock)
    name = display_name(olds)
    described = retry(lambda: find_version(api, arn), is_transient, backoff)
    if described is None:
        raise errors.updated_version_gone(name, arn)
    metrics = retry(lambda: find_metrics(api, described), is_transient, backoff)
    judge("updating", name, arn, metrics, minimums, "update")
    if old_tags != new_tags:
        retry(lambda: set_tags(api, arn, old_tags, new_tags), is_transient, backoff)
    live_tags = retry(lambda: find_tags(api, arn), is_transient, backoff)
    return outputs(news, described, live_tags, metrics)


def delete(
    api: Any,
    arn: str,
    props: dict[str, Any],
    polling: Polling,
    clock: Clock = REAL_TIME,
    reporter: Reporter | None = None,
) -> None:
    """Stop a training still in progress and wait until it is CREATE STOPPED; otherwise forget the version
    (Personalize has no API to delete a solution version). One line says which, naming the ARN."""
    reporter = reporter or Reporter(label(props))
    who = reporter.resource_name or display_name(props)
    progress = Progress(reporter, clock=clock, every=polling.progress_every)
    backoff = Backoff.within(polling.grace, polling, clock)
    described = retry(lambda: find_version(api, arn), is_transient, backoff)
    if described is None:
        return
    status = described["status"]
    if status in TRAINING:
        try:
            retry(lambda: api.stop_solution_version_creation(solutionVersionArn=arn), is_transient, backoff)
            reporter.line(messages.stops(who, arn, status))
        except ClientError as error:
            if code(error) != "ResourceInUseException":  # it finished between describe and stop
                raise
            described = retry(lambda: find_version(api, arn), is_transient, backoff) or described
            status = described["status"]
    if status in TRAINING + (STOPPING,):
        try:
            wait_version_stopped(api, arn, Backoff.within(STOP_WAIT_SECONDS, polling, clock), progress)
        except UnexpectedStatus as unexpected:
            status = unexpected.status  # it finished before the stop took effect: nothing left to stop
        except Cancelled:
            raise errors.delete_interrupted(display_name(props), arn) from None
        except DeadlineExceeded as late:
            minutes = STOP_WAIT_SECONDS // 60
            raise errors.stop_ran_late(
                display_name(props), arn, minutes, late.status, late.error, late.failures
            ) from None
        else:
            progress.finish(STOPPED)
            return
    reporter.line(messages.forgets(who, arn, status))


def stop_unrecorded(
    api: Any,
    solution_arn: str,
    token: Any,
    name: str,
    polling: Polling,
    clock: Clock = REAL_TIME,
    reporter: Reporter | None = None,
) -> list[str]:
    """When a resource's `<name>-owner` is destroyed: stop every version of `solution_arn` still training that carries
    the marker of the owner token `token` (any of the resource's attempts, whatever its inputs were when it started),
    and say so on one line naming each; returns their ARNs. Such a training is one this stack started and never
    recorded (an interrupted `pulumi up`): a recorded one was deleted, i.e. stopped, first. A version without the
    marker is never stopped, whatever its name. A listing that lags behind a create is waited out (up to
    `LISTING_LAG_MAX_SECONDS`), so a training started a moment before a hard kill is found."""
    key = owner_key(token)
    if key is None:
        return []

    def find() -> list[Owned]:
        return retry(lambda: find_owned_training(api, solution_arn, key), is_transient, _grace(polling, clock))

    try:
        training = retry(find, _lags, Backoff.within(LISTING_LAG_MAX_SECONDS, polling, clock))
    except ClientError as error:
        if code(error) == "ResourceNotFoundException":  # the solution is gone, and its versions with it
            return []
        raise
    except OutOfTime as out:
        raise out.error from None

    def stop(arn: str) -> Callable[[], Any]:
        return lambda: api.stop_solution_version_creation(solutionVersionArn=arn)

    stopped = []
    backoff = _grace(polling, clock)
    for version in training:
        try:
            retry(stop(version.arn), is_transient, backoff)
        except ClientError as error:
            if code(error) not in ("ResourceInUseException", "ResourceNotFoundException"):  # it ended meanwhile
                raise
            continue
        stopped.append(version.arn)
    if stopped:
        (reporter or Reporter(f"personalize solution version {name}")).line(messages.stopped_unrecorded(name, stopped))
    return stopped


def _grace(polling: Polling, clock: Clock) -> Backoff:
    return Backoff.within(polling.grace, polling, clock)


def _lags(error: BaseException) -> bool:
    return isinstance(error, ListingLags)


def set_tags(api: Any, arn: str, old: dict[str, str], new: dict[str, str]) -> None:
    """Untag removed keys and tag changed pairs, never touching `aws:` tags or the marker of ownership."""
    removed = [key for key in old if key not in new and not is_provider_tag(key)]
    changed = [{"tagKey": k, "tagValue": v} for k, v in new.items() if old.get(k) != v and not is_provider_tag(k)]
    if removed:
        api.untag_resource(resourceArn=arn, tagKeys=removed)
    if changed:
        api.tag_resource(resourceArn=arn, tags=changed)
