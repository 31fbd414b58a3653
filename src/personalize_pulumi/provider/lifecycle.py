"""What create, read, update and delete do for one solution version: orchestration only.

The pieces, in terraform-provider-aws's shape: `finders.py` (describe and list, not-found mapped to None), `waiters.py`
(pending/target status sets), `backoff.py` (every retry and every sleep, against a deadline), `attempts.py` (version
names of retrained attempts), `gate.py` (the `minMetrics` verdict), `errors.py` (every message the user sees),
`state.py` (the outputs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from botocore.exceptions import BotoCoreError, ClientError

from . import errors, messages
from .backoff import REAL_TIME, Backoff, Cancelled, Clock, OutOfTime, Polling, retry
from .clients import Personalize
from .errors import (
    QUOTA_CODE,
    GateCase,
    SolutionVersionError,
    cause,
    code,
    got_no_answer,
    is_start_transient,
    is_transient,
    rejected,
)
from .finders import (
    NOT_FOUND,
    find_latest_attempt,
    find_metrics,
    find_reported_metric_names,
    find_tags,
    find_training_attempts,
    find_version,
)
from .gate import documented_metric_names, shortfalls, unreportable
from .messages import Reporter
from .naming import attempt_name, attempt_number
from .outputs import display_name, input_keys, outputs, tags_all, with_new_inputs
from .permissions import denied_before_training
from .properties import (
    ACTIVE,
    ENDED_UNTRAINED,
    OWNER_CREATED_AT,
    STOPPED,
    STOPPING,
    TAGS_ALL,
    TRAINING,
    is_reserved_tag,
)
from .quota import QUOTA_PROBES
from .values import normalize_numbers
from .waiters import (
    DeadlineExceeded,
    Progress,
    UnexpectedStatus,
    wait_solution_active,
    wait_version_stopped,
    wait_version_trained,
)

T = TypeVar("T")
STOP_WAIT_SECONDS = 30 * 60


def label(inputs: dict[str, Any]) -> str:
    """How lines name the resource where they cannot be attributed to it (no engine link: messages.py)."""
    return f"personalize solution version {display_name(inputs)}"


@dataclass(frozen=True)
class Version:
    """The attempt a create is about: started by it, or adopted (then `described` is what the adoption saw)."""

    arn: str
    name: str
    number: int
    described: dict[str, Any] | None = None


@dataclass
class Started:
    """The training a create is about, once it has one (started or adopted): for the message of an interrupted create
    that could not end by itself."""

    arn: str | None = None


# Create


def create(
    service: Personalize,
    inputs: dict[str, Any],
    polling: Polling,
    clock: Clock = REAL_TIME,
    started: Started | None = None,
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    """Start the next attempt of `inputs['name']` (or adopt the one already running or ACTIVE) and block until it is
    ACTIVE; returns the outputs. Every failure once a version exists names its ARN and what becomes of it. With
    `existingVersionArn`, that version is adopted instead (see `_adopt_existing`). The version must then pass
    `minMetrics`, or the create fails and it stays out of the stack. A permission the training needs that the
    credentials lack fails it before anything is started (see `permissions.py`). Progress goes to `reporter`, the
    last status (`ACTIVE after 2h03m`) included."""
    progress = Progress(reporter or Reporter(label(inputs)), clock=clock, every=polling.progress_every)
    outs = _create(service, inputs, polling, clock, started, progress)
    progress.finish(outs["status"])
    return outs


def _create(
    service: Personalize,
    inputs: dict[str, Any],
    polling: Polling,
    clock: Clock,
    started: Started | None,
    progress: Progress,
) -> dict[str, Any]:
    budget = Backoff.within(float(inputs["waitTimeoutMinutes"]) * 60, polling, clock)
    if inputs.get("existingVersionArn"):
        return _adopt_existing(service.api, inputs, polling, clock, budget, progress)
    solution = _wait_for_solution(service.api, inputs, budget, progress)
    _check_gate_names(service.api, inputs, solution, budget)
    _check_permissions(service.starter, inputs)
    version = _start_or_adopt(service, inputs, budget, progress, started or Started())
    try:
        if version.described is not None and version.described["status"] == ACTIVE:
            described = version.described
        else:
            described = _wait_for_training(service.api, inputs, version, budget, progress)
    except SolutionVersionError:
        raise
    except Exception as error:  # anything at all: the message must still name the version that keeps training
        raise errors.waiting_failed(version.name, version.arn, error) from _chain(error)
    return _record(service.api, inputs, described, polling, clock, budget, progress)


def _adopt_existing(
    api: Any, inputs: dict[str, Any], polling: Polling, clock: Clock, budget: Backoff, progress: Progress
) -> dict[str, Any]:
    """Adopt the version `existingVersionArn` names (trained by hand, or by the solution's automatic training): wait
    if it is still training, judge it, then give it the resource's tags. Never calls CreateSolutionVersion, and
    never stops the training."""
    arn = inputs["existingVersionArn"]
    name = display_name(inputs)

    found, error = _outcome(lambda: find_version(api, arn), budget, lambda e: progress.trouble(e, "describing"))
    if error is not None:
        raise errors.adopted_unreadable(name, arn, error)
    if found is None:
        raise errors.adopted_missing(name, arn, inputs["solutionArn"])
    name = found.get("name") or name
    status = found["status"]
    if status in ENDED_UNTRAINED:
        raise errors.adopted_ended(name, arn, status, found.get("failureReason"))
    progress.say(messages.adopting_existing(arn, str(found.get("trainingType", "unknown")), status, _minutes(inputs)))
    if status == ACTIVE:
        described = found
    else:
        described = _wait_for_training(api, inputs, Version(arn, name, 1, found), budget, progress, adopted=True)
    return _record(api, inputs, described, polling, clock, budget, progress, retag=True)


def _check_gate_names(api: Any, inputs: dict[str, Any], solution: dict[str, Any], budget: Backoff) -> None:
    """Before any training: every `minMetrics` name must be one the solution reports (what its newest ACTIVE version
    reports, else what the documentation says its recipe reports; neither known: not judged)."""
    minimums = inputs.get("minMetrics") or {}
    if not minimums:
        return
    arn = inputs["solutionArn"]
    reported = retry(lambda: find_reported_metric_names(api, arn), is_transient, budget)
    if reported is None:
        reported = documented_metric_names(solution)
    if not reported:
        return
    unknown = unreportable(minimums, reported)
    if unknown:
        raise errors.unreportable_metrics(display_name(inputs), arn, unknown, reported)


def _check_permissions(starter: Any, inputs: dict[str, Any]) -> None:
    """Before any training: the credentials may make the calls a create makes once its training runs."""
    denied = denied_before_training(starter, inputs["solutionArn"])
    if denied is not None:
        raise errors.denied_before_training(display_name(inputs), inputs["solutionArn"], denied)


def _wait_for_solution(api: Any, inputs: dict[str, Any], budget: Backoff, progress: Progress) -> dict[str, Any]:
    solution_arn = inputs["solutionArn"]
    try:
        return wait_solution_active(api, solution_arn, budget, progress)
    except UnexpectedStatus as unexpected:
        status = None if unexpected.status == NOT_FOUND else unexpected.status
        reason = unexpected.described.get("failureReason")
        region = api.meta.region_name if hasattr(api, "meta") else None
        raise errors.solution_unusable(inputs["name"], solution_arn, status, reason, region) from None
    except DeadlineExceeded as late:
        raise errors.solution_late(inputs["name"], solution_arn, _late(late, inputs, "the solution was")) from None


def _start_or_adopt(
    service: Personalize, inputs: dict[str, Any], budget: Backoff, progress: Progress, started: Started
) -> Version:
    """Before any CreateSolutionVersion, look for the latest attempt this resource started (a bounded search: versions
    still training, or newer than its owner token), since no source says the service refuses a second version of one
    name: one still training or ACTIVE is adopted (an interrupted or concurrent `pulumi up` started it); after one
    that ended FAILED or STOPPED, the next attempt is started. A name the service refuses all the same (a version has
    it that the bounded search did not see) sends the search over the whole solution."""
    base, solution_arn = inputs["name"], inputs["solutionArn"]
    since = _owner_created(inputs)

    def search(bounded: bool) -> dict[str, Any] | None:
        def find() -> dict[str, Any] | None:
            return find_latest_attempt(service.api, solution_arn, base, since, bounded)

        return _after_start_call(inputs, base, find, budget, progress)

    latest, number = search(bounded=True), 1
    while True:
        if latest is not None:
            latest_number = attempt_number(base, latest.get("name")) or 1
            if latest["status"] not in ENDED_UNTRAINED:
                started.arn = latest["solutionVersionArn"]
                return _adopt(service.api, inputs, latest, latest_number, budget, progress)
            number = latest_number + 1
            progress.say(
                messages.next_attempt(
                    latest["solutionVersionArn"],
                    latest["name"],
                    latest["status"],
                    latest.get("failureReason"),
                    number,
                    attempt_name(base, number),
                )
            )
        name = attempt_name(base, number)
        arn = _start(service.starter, inputs, name, budget, progress)
        if arn is not None:
            started.arn = arn
            version = Version(arn, name, number)
            _announce(version, "started", inputs, progress)
            return version
        latest = search(bounded=False)
        if latest is None or (attempt_number(base, latest.get("name")) or 1) < number:
            # The name was refused but no listed version has it yet: listings can lag behind a create.
            if not budget.pause():
                raise errors.name_refused_but_unlisted(name, solution_arn)
            latest = None


def _owner_created(inputs: dict[str, Any]) -> datetime | None:
    """When the resource's owner token was created (no version of this resource is older), if it says."""
    value = inputs.get(OWNER_CREATED_AT)
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


def _start(starter: Any, inputs: dict[str, Any], name: str, budget: Backoff, progress: Progress) -> str | None:
    """The new version's ARN, or None if a version with `name` exists. Waits out the quota of trainings per region, the
    solution in use (ResourceInUseException) and transient errors within the budget (the client makes one request
    per try, so no try overruns it)."""
    request: dict[str, Any] = {
        "solutionArn": inputs["solutionArn"],
        "name": name,
        "trainingMode": inputs["trainingMode"],
    }
    if tags_all(inputs):
        request["tags"] = [{"tagKey": k, "tagValue": v} for k, v in tags_all(inputs).items()]

    create = object()  # this create, for the creates of this process waiting out the quota together (quota.py)
    refusal: dict[str, Any] = {}  # the last quota refusal this create received: the service's answer, its duration

    def start() -> str:
        clock = budget.clock
        if refusal and QUOTA_PROBES.held_back(starter, create, clock.monotonic(), budget.polling.initial):
            clock.sleep(refusal["seconds"])  # as long as the request would take: the budget keeps its reserve
            raise ClientError(refusal["response"], refusal["operation"])
        started_at = clock.monotonic()
        try:
            arn = str(starter.create_solution_version(**request)["solutionVersionArn"])
        except ClientError as error:
            refused = code(error) == QUOTA_CODE
            if refused:
                seconds = clock.monotonic() - started_at
                refusal.update(response=error.response, operation=error.operation_name, seconds=seconds)
            QUOTA_PROBES.answered(starter, create, clock.monotonic(), refused)
            raise
        QUOTA_PROBES.answered(starter, create, clock.monotonic(), False)
        return arn

    unanswered = False  # a try that got no answer may have started the training

    def waiting(error: Exception) -> None:
        nonlocal unanswered
        unanswered = unanswered or got_no_answer(error)
        progress.trouble(error, errors.start_waiting_for(error))

    try:
        return retry(start, is_start_transient, budget, waiting)
    except ClientError as error:
        if code(error) == "ResourceAlreadyExistsException":
            return None
        raise
    except OutOfTime as out:
        raise errors.start_ran_late(name, inputs["solutionArn"], _minutes(inputs), out.error, unanswered) from None


def _adopt(
    api: Any, inputs: dict[str, Any], found: dict[str, Any], number: int, budget: Backoff, progress: Progress
) -> Version:
    arn, name = found["solutionVersionArn"], found["name"]
    if found.get("trainingMode") != inputs["trainingMode"]:
        raise errors.name_taken_by_other_mode(name, arn, found.get("trainingMode"), inputs["trainingMode"])
    version = Version(arn, name, number, found)
    _announce(version, "adopted", inputs, progress)
    _after_start_call(inputs, name, lambda: _retag(api, arn, inputs), budget, progress, version)
    return version


def _announce(version: Version, how: str, inputs: dict[str, Any], progress: Progress) -> None:
    """The one line that tells users which version trains and how to stop waiting without losing it."""
    attempt = messages.attempt_label(version.number, version.name)
    if version.described is not None and version.described["status"] == ACTIVE:
        progress.say(messages.adopted_active(version.arn, attempt))
        return
    progress.say(messages.training_started(version.arn, attempt, _minutes(inputs), adopted=how != "started"))


def _wait_for_training(
    api: Any,
    inputs: dict[str, Any],
    version: Version,
    budget: Backoff,
    progress: Progress,
    adopted: bool = False,
) -> dict[str, Any]:
    """Until `version` is ACTIVE. If it ends otherwise, the next `pulumi up` trains the next attempt (an adopted
    version has none)."""
    arn, name = version.arn, version.name
    try:
        return wait_version_trained(api, arn, budget, progress)
    except UnexpectedStatus as unexpected:
        if unexpected.status == NOT_FOUND:
            raise errors.version_vanished(name, arn) from None
        next_attempt = None if adopted else attempt_name(inputs["name"], version.number + 1)
        reason = unexpected.described.get("failureReason")
        raise errors.training_ended(name, arn, unexpected.status, reason, next_attempt) from None
    except DeadlineExceeded as late:
        raise errors.waiting_ran_late(name, arn, _late(late, inputs, "the version was")) from None
    except Cancelled:
        raise errors.waiting_interrupted(name, arn) from None


def _record(
    api: Any,
    inputs: dict[str, Any],
    described: dict[str, Any],
    polling: Polling,
    clock: Clock,
    budget: Backoff,
    progress: Progress,
    retag: bool = False,
) -> dict[str, Any]:
    """The outputs of a trained version, once it passes `minMetrics` (`retag`: then give it the resource's tags, for
    an adopted version). Tags and metrics are read with the same retries as the wait (for what is left of the budget,
    at least a few polls); if they still cannot be read, the version is recorded without them and one line says so:
    a trained version is never lost from the stack. Only a gate that cannot judge without metrics fails instead."""
    arn = described["solutionVersionArn"]
    name = described.get("name") or display_name(inputs)
    reads = Backoff(polling, clock, max(budget.deadline, clock.monotonic() + polling.grace))
    minimums = inputs.get("minMetrics") or {}

    def read(what: str, call: Any) -> tuple[Any, Exception | None]:
        doing = f"reading the {what} of {arn}"
        return _outcome(call, reads, lambda failed: progress.trouble(failed, doing))

    def not_read(what: str, error: Exception | None) -> None:
        progress.say(messages.not_read(arn, what, cause(error) if error is not None else "no answer"))

    metrics, problem = read("metrics", lambda: find_metrics(api, described))
    if metrics is None and minimums:
        raise errors.metrics_unreadable_for_gate(name, arn, problem)
    if metrics is None:
        not_read("metrics", problem)
    _judge("creating", name, arn, metrics or {}, minimums, "adopted" if retag else "trained")
    if retag:
        _, error = _outcome(lambda: _retag(api, arn, inputs), reads)
        if error is not None:
            raise errors.tags_not_set(name, arn, error)
    live_tags, problem = read("tags", lambda: find_tags(api, arn))
    if live_tags is None:
        not_read("tags", problem)
        live_tags = tags_all(inputs)  # what this create set
    return outputs(inputs, described, live_tags, metrics or {})


def _judge(verb: str, name: str, arn: str, metrics: dict[str, Any], minimums: dict[str, Any], case: GateCase) -> None:
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
    _judge("updating", name, arn, metrics, minimums, "update")
    if old_tags != new_tags:
        retry(lambda: _set_tags(api, arn, old_tags, new_tags), is_transient, backoff)
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
    api: Any, inputs: dict[str, Any], polling: Polling, clock: Clock = REAL_TIME, reporter: Reporter | None = None
) -> list[str]:
    """When a resource's `<name>-owner` is destroyed: stop every attempt of the checked `inputs['name']` still
    training on its solution, and say so on one line naming each; returns their ARNs. Such a training is one this
    stack started and never recorded (an interrupted `pulumi up`): a recorded one was deleted, i.e. stopped, first."""
    solution_arn, base = inputs["solutionArn"], inputs["name"]
    backoff = Backoff.within(polling.grace, polling, clock)
    try:
        training = retry(lambda: find_training_attempts(api, solution_arn, base), is_transient, backoff)
    except ClientError as error:
        if code(error) == "ResourceNotFoundException":  # the solution is gone, and its versions with it
            return []
        raise

    def stop(arn: str) -> Callable[[], Any]:
        return lambda: api.stop_solution_version_creation(solutionVersionArn=arn)

    stopped = []
    for version in training:
        arn = version["solutionVersionArn"]
        try:
            retry(stop(arn), is_transient, backoff)
        except ClientError as error:
            if code(error) not in ("ResourceInUseException", "ResourceNotFoundException"):  # it ended meanwhile
                raise
            continue
        stopped.append(arn)
    if stopped:
        (reporter or Reporter(label(inputs))).line(messages.stopped_unrecorded(display_name(inputs), stopped))
    return stopped


# Helpers


def _set_tags(api: Any, arn: str, old: dict[str, str], new: dict[str, str]) -> None:
    """Untag removed keys and tag changed pairs, never touching `aws:` tags."""
    removed = [key for key in old if key not in new and not is_reserved_tag(key)]
    changed = [{"tagKey": k, "tagValue": v} for k, v in new.items() if old.get(k) != v and not is_reserved_tag(k)]
    if removed:
        api.untag_resource(resourceArn=arn, tagKeys=removed)
    if changed:
        api.tag_resource(resourceArn=arn, tags=changed)


def _retag(api: Any, arn: str, inputs: dict[str, Any]) -> None:
    """Give the version the resource's effective tags, whatever it has now."""
    _set_tags(api, arn, find_tags(api, arn), tags_all(inputs))


def _outcome(
    call: Callable[[], T], backoff: Backoff, on_retry: Callable[[Exception], None] | None = None
) -> tuple[T | None, Exception | None]:
    """`call()` with transient errors ridden out within `backoff`: (its result, None), or (None, the error it gave
    up on), for callers whose message depends on what happened to the version."""
    try:
        return retry(call, is_transient, backoff, on_retry), None
    except OutOfTime as out:
        return None, out.error
    except (ClientError, BotoCoreError) as error:
        return None, error


def _after_start_call(
    inputs: dict[str, Any],
    name: str,
    call: Callable[[], T],
    budget: Backoff,
    progress: Progress,
    version: Version | None = None,
) -> T | None:
    """A call made once a version may exist, retried like the wait; if it still fails, the message says what becomes
    of the version."""
    result, error = _outcome(call, budget, lambda failed: progress.trouble(failed, "looking up the version"))
    if error is None:
        return result
    active = version is not None and version.described is not None and version.described["status"] == ACTIVE
    arn = version.arn if version is not None else None
    raise errors.started_version_unreachable(name, inputs["solutionArn"], arn, active, error)


def _late(late: DeadlineExceeded, inputs: dict[str, Any], subject: str) -> str:
    return errors.late_cause(_minutes(inputs), subject, late.status, late.error, late.failures)


def _minutes(inputs: dict[str, Any]) -> str:
    return f"{float(inputs['waitTimeoutMinutes']):g}"


def _chain(error: Exception) -> Exception | None:
    # botocore's own frames say nothing the message does not; keep the traceback of anything else (a bug).
    return None if isinstance(error, (ClientError, BotoCoreError, OutOfTime)) else error
