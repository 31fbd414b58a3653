"""What a create does for one solution version: start its training (or adopt the one this resource already has
running or ACTIVE) and wait until it is ACTIVE and passes `minMetrics`; and what the plugin's update does for a version
recorded while it still trained (`resume`). Orchestration only, over `finders.py`, `waiters.py` and `backoff.py`
(describes and lists, pending/target status sets, every retry and sleep against a deadline), `naming.py` (the names of
retrained attempts), `ownership.py` (which versions are this resource's), `gate.py` and `errors.py`/`messages.py`
(what users read). Read, update and delete are lifecycle.py's.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar, cast

from botocore.exceptions import BotoCoreError, ClientError

from . import errors, messages
from .backoff import REAL_TIME, Backoff, Cancelled, Clock, OutOfTime, Polling, retry
from .classify import QUOTA_CODE, code, got_no_answer, got_no_connection, is_start_transient, is_transient
from .clients import Personalize
from .errors import SolutionVersionError, cause
from .finders import (
    NOT_FOUND,
    ListingLags,
    find_latest_owned,
    find_metrics,
    find_reported_metric_names,
    find_tags,
    find_version,
    find_version_named,
    solution_status,
)
from .gate import documented_metric_names, unreportable
from .lifecycle import judge, label, set_tags
from .naming import attempt_name, attempt_number
from .outputs import display_name, outputs, tags_all
from .ownership import MARKER_TAG, OwnerKey, owner_key
from .permissions import denied_before_training
from .properties import (
    ACTIVE,
    ENDED_UNTRAINED,
    OWNER_CREATED_AT,
    OWNER_TOKEN,
)
from .reporter import Reporter
from .waiters import (
    DeadlineExceeded,
    Progress,
    UnexpectedStatus,
    wait_solution_active,
    wait_version_trained,
)

T = TypeVar("T")


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


@dataclass(frozen=True)
class Request:
    """A create's checked inputs (`inputs`, kept whole for the outputs) and the fields read from them."""

    inputs: dict[str, Any]
    name: str
    """The checked name, the base of every attempt's name (empty for an adopted version without one)."""
    display_name: str
    """How messages name the version (`outputs.display_name`)."""
    solution_arn: str
    training_mode: str
    tags: dict[str, str]
    """The effective tags (`tagsAll`) without the `aws:` ones: what the version is given."""
    minimums: dict[str, Any]
    """`minMetrics`, empty when there is no gate."""
    minutes: str
    """`waitTimeoutMinutes` as messages write it (`90`, `0.5`)."""
    existing_arn: str | None
    owner_created: datetime | None
    """When the resource's owner was created, by the service's clock (no attempt of this resource is older), if its
    owner says (owners of releases before 1.2 knew only the machine's clock, which says nothing here)."""
    owner: OwnerKey | None
    """The key the resource's attempts are marked with (ownership.py); None for a resource without an owner."""

    @classmethod
    def of(cls, inputs: dict[str, Any]) -> Request:
        """Read checked inputs (check has validated and defaulted every field used here)."""
        return cls(
            inputs=inputs,
            name=str(inputs.get("name") or ""),
            display_name=display_name(inputs),
            solution_arn=str(inputs["solutionArn"]),
            training_mode=str(inputs.get("trainingMode") or ""),
            tags=tags_all(inputs),
            minimums=dict(inputs.get("minMetrics") or {}),
            minutes=f"{float(inputs['waitTimeoutMinutes']):g}",
            existing_arn=inputs.get("existingVersionArn") or None,
            owner_created=_moment(inputs.get(OWNER_CREATED_AT)),
            owner=owner_key(inputs.get(OWNER_TOKEN)),
        )

    @property
    def budget_seconds(self) -> float:
        """How long the whole create may take."""
        return float(self.inputs["waitTimeoutMinutes"]) * 60


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None


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
    `existingVersionArn`, that version is adopted instead (see `_Create.adopt_existing`). The version must then pass
    `minMetrics`, or the create fails and it stays out of the stack. A permission the training needs that the
    credentials lack fails it before anything is started (see `permissions.py`). Progress goes to `reporter`, the
    last status (`ACTIVE after 2h03m`) included."""
    attempt = _Create.of(service, inputs, polling, clock, started, reporter)
    outs = attempt.run()
    attempt.progress.finish(outs["status"])
    return outs


@dataclass
class _Create:
    """One create: the service, what it asks for, the budget of the whole create and where its lines go."""

    service: Personalize
    request: Request
    budget: Backoff
    progress: Progress
    started: Started

    @classmethod
    def of(
        cls,
        service: Personalize,
        inputs: dict[str, Any],
        polling: Polling,
        clock: Clock,
        started: Started | None,
        reporter: Reporter | None,
    ) -> _Create:
        """A create of the checked `inputs`: its budget (`waitTimeoutMinutes`) counts from now."""
        request = Request.of(inputs)
        progress = Progress(reporter or Reporter(label(inputs)), clock=clock, every=polling.progress_every)
        budget = Backoff.within(request.budget_seconds, polling, clock)
        return cls(service, request, budget, progress, started or Started())

    @property
    def api(self) -> Any:
        return self.service.api

    def run(self) -> dict[str, Any]:
        if self.request.existing_arn:
            return self.adopt_existing(self.request.existing_arn)
        solution = self.wait_for_solution()
        self.check_gate_names(solution)
        self.check_permissions()
        return self.record(self.trained(self.start_or_adopt()))

    def trained(self, version: Version) -> dict[str, Any]:
        """`version` described once ACTIVE (as adopted, if it already was); any failure on the way names it."""
        if version.described is not None and version.described["status"] == ACTIVE:
            return version.described
        try:
            return self.wait_for_training(version)
        except SolutionVersionError:
            raise
        except Exception as error:  # anything at all: the message must still name the version that keeps training
            raise errors.waiting_failed(version.name, version.arn, error) from _chain(error)

    def adopt_existing(self, arn: str) -> dict[str, Any]:
        """Adopt the version `existingVersionArn` names (trained by hand, or by the solution's automatic training):
        wait if it is still training, judge it, then give it the resource's tags. Never calls CreateSolutionVersion,
        and never stops the training."""
        name = self.request.display_name
        found, error = self.outcome(lambda: find_version(self.api, arn), self.budget, "describing")
        if error is not None:
            raise errors.adopted_unreadable(name, arn, error)
        if found is None:
            raise errors.adopted_missing(name, arn, self.request.solution_arn)
        name = found.get("name") or name
        status = found["status"]
        if status in ENDED_UNTRAINED:
            raise errors.adopted_ended(name, arn, status, found.get("failureReason"))
        training_type = str(found.get("trainingType", "unknown"))
        self.progress.say(messages.adopting_existing(arn, training_type, status, self.request.minutes))
        if status == ACTIVE:
            described = found
        else:
            described = self.wait_for_training(Version(arn, name, 1, found), adopted=True)
        return self.record(described, retag=True)

    def wait_for_solution(self) -> dict[str, Any]:
        solution_arn, name = self.request.solution_arn, self.request.name
        status, described = self.reach_solution()
        if status == ACTIVE:
            return described
        try:
            return wait_solution_active(self.api, solution_arn, self.budget, self.progress)
        except UnexpectedStatus as unexpected:
            status = None if unexpected.status == NOT_FOUND else unexpected.status
            reason = unexpected.described.get("failureReason")
            region = self.api.meta.region_name if hasattr(self.api, "meta") else None
            raise errors.solution_unusable(name, solution_arn, status, reason, region) from None
        except DeadlineExceeded as late:
            raise errors.solution_late(name, solution_arn, self.late(late, "the solution was")) from None

    def reach_solution(self) -> tuple[str | None, dict[str, Any]]:
        """The solution's status at the endpoint's first answer (None: an answer that was a transient error, which
        the wait for the solution rides out). An endpoint that gives no answer at all (connections refused, dropped
        or timing out) for `polling.grace` seconds fails the create at once, naming it: a wrong endpoint or network
        does not heal within the training budget, and no training was started."""
        polling, clock, arn = self.budget.polling, self.budget.clock, self.request.solution_arn
        reach = Backoff(polling, clock, min(self.budget.deadline, clock.monotonic() + polling.grace))
        doing = f"checking the status of {arn}"
        try:
            return retry(solution_status(self.api, arn), got_no_connection, reach, self.on_trouble(doing))
        except OutOfTime as out:
            endpoint = str(getattr(getattr(self.api, "meta", None), "endpoint_url", None) or "the Personalize endpoint")
            raise errors.endpoint_unreachable(
                self.request.display_name, arn, endpoint, messages.duration(polling.grace), out.error
            ) from None
        except ClientError as error:
            if is_transient(error):  # an answer all the same: the endpoint is there
                return None, {}
            raise

    def on_trouble(self, doing: str) -> Callable[[Exception], None]:
        return lambda error: self.progress.trouble(error, doing)

    def check_gate_names(self, solution: dict[str, Any]) -> None:
        """Before any training: every `minMetrics` name must be one the solution reports (what its newest ACTIVE
        version reports, else what the documentation says its recipe reports; neither known: not judged)."""
        minimums, arn = self.request.minimums, self.request.solution_arn
        if not minimums:
            return
        reported = retry(lambda: find_reported_metric_names(self.api, arn), is_transient, self.budget)
        if reported is None:
            reported = documented_metric_names(solution)
        if not reported:
            return
        unknown = unreportable(minimums, reported)
        if unknown:
            raise errors.unreportable_metrics(self.request.display_name, arn, unknown, reported)

    def check_permissions(self) -> None:
        """Before any training: the credentials may make the calls a create makes once its training runs."""
        denied = denied_before_training(self.service.starter, self.request.solution_arn)
        if denied is not None:
            raise errors.denied_before_training(self.request.display_name, self.request.solution_arn, denied)

    def start_or_adopt(self) -> Version:
        """Before any CreateSolutionVersion, find this resource's latest attempt (the newest version carrying its
        marker: ownership.py): one of these inputs still training or ACTIVE is adopted (an interrupted or concurrent
        `pulumi up` started it); after one that ended FAILED or STOPPED, the next attempt is started. No other
        version is ever adopted, whatever its name: a name the service refuses because a version that is not this
        resource's holds it fails the create at once, naming that version."""
        key, base = self.request.owner, self.request.name
        latest = (
            self.search(lambda: find_latest_owned(self.api, self.request.solution_arn, key, self.since))
            if key
            else None
        )
        number = 1
        if latest is not None and latest.marker.identity == self.identity:
            if latest.status not in ENDED_UNTRAINED:
                return self.adopt(latest.arn, latest.marker.attempt)
            number = latest.marker.attempt + 1
            reason = latest.summary.get("failureReason")
            previous = attempt_name(base, latest.marker.attempt)
            self.progress.say(
                messages.next_attempt(latest.arn, previous, latest.status, reason, number, attempt_name(base, number))
            )
        elif latest is not None:  # an attempt of other inputs: the numbers of a name it shares go on from it
            described = self.search(lambda: find_version(self.api, latest.arn)) or {}
            number = (attempt_number(base, described.get("name")) or 0) + 1
        while True:
            name = attempt_name(base, number)
            arn = self.start(name, number)
            if arn is not None:
                self.started.arn = arn
                version = Version(arn, name, number)
                self.announce(version, "started")
                return version
            holder = self.search(functools.partial(find_version_named, self.api, self.request.solution_arn, name))
            if holder is None:
                # The name was refused but no listed version has it yet: listings can lag behind a create.
                if not self.budget.pause():
                    raise errors.name_refused_but_unlisted(name, self.request.solution_arn)
                continue
            described, tags = holder
            marker = key.recognize(tags) if key else None
            if marker is None:
                raise errors.name_held_by_another(name, described["solutionVersionArn"], self.request.solution_arn)
            if marker.identity == self.identity and described["status"] not in ENDED_UNTRAINED:
                return self.adopt(described["solutionVersionArn"], marker.attempt)
            number = max(number, marker.attempt) + 1

    @property
    def identity(self) -> str | None:
        return self.request.owner.identity(self.request.inputs) if self.request.owner else None

    @property
    def since(self) -> datetime | None:
        """When the resource's owner was created, by the service's clock (None: not known; the search is then
        bounded by the resource's attempts only)."""
        return self.request.owner_created

    def search(self, find: Callable[[], T]) -> T:
        """A lookup before (or between) CreateSolutionVersion calls: transient errors and a lagging listing are
        ridden out within the budget; if they last, the create fails saying nothing was started by this run's last
        try that it could not find."""
        result, error = self.outcome(find, self.budget, "looking for this resource's trainings", searching=True)
        if error is not None:
            raise errors.search_failed(self.request.display_name, self.request.solution_arn, error)
        return cast(T, result)  # a finder's None is a result, not a failure

    def start(self, name: str, number: int) -> str | None:
        """The new version's ARN, or None if the service refuses the name as taken. Waits out the quota of trainings
        per region, the solution in use (ResourceInUseException) and transient errors within the budget (the client
        makes one request per try, so no try overruns it). A try that got no answer may have started the training:
        the next try first looks for it (by its marker) and takes it if it is there; it never sends again blind."""
        starter, budget, key = self.service.starter, self.budget, self.request.owner
        marker = key.marker(self.request.inputs, number) if key else None
        tags = dict(self.request.tags) | ({MARKER_TAG: marker.value} if marker else {})
        request: dict[str, Any] = {
            "solutionArn": self.request.solution_arn,
            "name": name,
            "trainingMode": self.request.training_mode,
        }
        if tags:
            request["tags"] = [{"tagKey": k, "tagValue": v} for k, v in tags.items()]

        this_create = object()  # for the creates of this process waiting out the quota together (quota.py)
        refusal: dict[str, Any] = {}  # the last quota refusal this create received: the service's answer, its duration
        unanswered = False  # a try that got no answer may have started the training
        lost = False  # the last try got no answer

        def found_lost_attempt() -> str | None:
            if key is None:
                return None
            latest = self.search(lambda: find_latest_owned(self.api, self.request.solution_arn, key, self.since))
            return latest.arn if latest is not None and latest.marker == marker else None

        def try_once() -> str:
            nonlocal lost
            if lost:
                lost = False
                arn = found_lost_attempt()
                if arn is not None:
                    self.progress.say(messages.lost_answer_found(arn))
                    return arn
            clock = budget.clock
            if refusal and self.service.quota.held_back(
                starter, this_create, clock.monotonic(), budget.polling.initial
            ):
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
                self.service.quota.answered(starter, this_create, clock.monotonic(), refused)
                raise
            self.service.quota.answered(starter, this_create, clock.monotonic(), False)
            return arn

        def waiting(error: Exception) -> None:
            nonlocal unanswered, lost
            lost = got_no_answer(error)
            unanswered = unanswered or lost
            self.progress.trouble(error, errors.start_waiting_for(error))

        try:
            return retry(try_once, is_start_transient, budget, waiting)
        except ClientError as error:
            if code(error) == "ResourceAlreadyExistsException":
                return None
            raise
        except OutOfTime as out:
            arn = found_lost_attempt() if lost else None  # the very last try may have started it
            if arn is not None:
                self.progress.say(messages.lost_answer_found(arn))
                return arn
            solution_arn, minutes = self.request.solution_arn, self.request.minutes
            raise errors.start_ran_late(name, solution_arn, minutes, out.error, unanswered) from None

    def adopt(self, arn: str, number: int) -> Version:
        """Take over this resource's attempt `arn`, still training or ACTIVE (proven by its marker)."""
        found = self.search(lambda: find_version(self.api, arn))
        if found is None:  # gone with its solution between the listing and now
            raise errors.version_vanished(self.request.display_name, arn)
        self.started.arn = arn
        version = Version(arn, str(found.get("name") or self.request.name), number, found)
        self.announce(version, "adopted")
        self.after_start_call(version.name, lambda: self.retag(arn), version)
        return version

    def announce(self, version: Version, how: str) -> None:
        """The one line that tells users which version trains and how to stop waiting without losing it."""
        attempt = messages.attempt_label(version.number, version.name)
        if version.described is not None and version.described["status"] == ACTIVE:
            self.progress.say(messages.adopted_active(version.arn, attempt))
            return
        adopted = how != "started"
        self.progress.say(messages.training_started(version.arn, attempt, self.request.minutes, adopted=adopted))

    def wait_for_training(self, version: Version, adopted: bool = False) -> dict[str, Any]:
        """Until `version` is ACTIVE. If it ends otherwise, the next `pulumi up` trains the next attempt (an adopted
        version has none)."""
        arn, name = version.arn, version.name
        try:
            return wait_version_trained(self.api, arn, self.budget, self.progress)
        except UnexpectedStatus as unexpected:
            if unexpected.status == NOT_FOUND:
                raise errors.version_vanished(name, arn) from None
            next_attempt = None if adopted else attempt_name(self.request.name, version.number + 1)
            reason = unexpected.described.get("failureReason")
            raise errors.training_ended(name, arn, unexpected.status, reason, next_attempt) from None
        except DeadlineExceeded as late:
            raise errors.waiting_ran_late(name, arn, self.late(late, "the version was")) from None
        except Cancelled:
            raise errors.waiting_interrupted(name, arn) from None

    def record(self, described: dict[str, Any], retag: bool = False) -> dict[str, Any]:
        """The outputs of a trained version, once it passes `minMetrics` (`retag`: then give it the resource's tags,
        for an adopted version). Tags and metrics are read with the same retries as the wait (for what is left of the
        budget, at least a few polls); if they still cannot be read, the version is recorded without them and one
        line says so: a trained version is never lost from the stack. Only a gate that cannot judge without metrics
        fails instead."""
        arn = described["solutionVersionArn"]
        name = described.get("name") or self.request.display_name
        polling, clock = self.budget.polling, self.budget.clock
        reads = Backoff(polling, clock, max(self.budget.deadline, clock.monotonic() + polling.grace))
        minimums = self.request.minimums

        def not_read(what: str, error: Exception | None) -> None:
            self.progress.say(messages.not_read(arn, what, cause(error) if error is not None else "no answer"))

        metrics, problem = self.outcome(
            lambda: find_metrics(self.api, described), reads, f"reading the metrics of {arn}"
        )
        if metrics is None and minimums:
            raise errors.metrics_unreadable_for_gate(name, arn, problem)
        if metrics is None:
            not_read("metrics", problem)
        judge("creating", name, arn, metrics or {}, minimums, "adopted" if retag else "trained")
        if retag:
            _, error = self.outcome(lambda: self.retag(arn), reads)
            if error is not None:
                raise errors.tags_not_set(name, arn, error)
        live_tags, problem = self.outcome(lambda: find_tags(self.api, arn), reads, f"reading the tags of {arn}")
        if live_tags is None:
            not_read("tags", problem)
            live_tags = self.request.tags  # what this create set
        return outputs(self.request.inputs, described, live_tags, metrics or {})

    def retag(self, arn: str) -> None:
        """Give the version the resource's effective tags, whatever it has now."""
        set_tags(self.api, arn, find_tags(self.api, arn), self.request.tags)

    def outcome(
        self, call: Callable[[], T], backoff: Backoff, doing: str | None = None, searching: bool = False
    ) -> tuple[T | None, Exception | None]:
        """`call()` with transient errors (and, `searching`, a lagging listing) ridden out within `backoff` (each said,
        as `doing`, when given): (its result, None), or (None, the error it gave up on), for callers whose message
        depends on what happened to the version."""
        on_retry = None if doing is None else lambda failed: self.progress.trouble(failed, doing)
        try:
            return retry(call, is_searchable if searching else is_transient, backoff, on_retry), None
        except OutOfTime as out:
            return None, out.error
        except (ClientError, BotoCoreError) as error:
            return None, error

    def after_start_call(self, name: str, call: Callable[[], T], version: Version | None = None) -> T | None:
        """A call made once a version may exist, retried like the wait; if it still fails, the message says what
        becomes of the version."""
        result, error = self.outcome(call, self.budget, "looking up the version")
        if error is None:
            return result
        active = version is not None and version.described is not None and version.described["status"] == ACTIVE
        arn = version.arn if version is not None else None
        raise errors.started_version_unreachable(name, self.request.solution_arn, arn, active, error)

    def late(self, late: DeadlineExceeded, subject: str) -> str:
        return errors.late_cause(self.request.minutes, subject, late.status, late.error, late.failures)


def resume(
    service: Personalize,
    arn: str,
    olds: dict[str, Any],
    news: dict[str, Any],
    polling: Polling,
    clock: Clock = REAL_TIME,
    started: Started | None = None,
    reporter: Reporter | None = None,
) -> dict[str, Any]:
    """The update the engine sends for a version recorded while it was still training (the plugin records the training
    an interrupted or late create leaves, so that `destroy` stops it): give it the effective tags, wait until it is
    ACTIVE, judge it against `minMetrics` and return the outputs, as the create would have. If it ended untrained,
    the failure names it; the state then records how it ended, and the next `pulumi up` trains the next attempt."""
    attempt = _Create.of(service, news, polling, clock, started, reporter)
    attempt.started.arn = arn
    name = str(olds.get("versionName") or attempt.request.display_name)
    version = Version(arn, name, attempt_number(attempt.request.name, name) or 1)
    attempt_label = messages.attempt_label(version.number, name)
    attempt.progress.say(messages.training_started(arn, attempt_label, attempt.request.minutes, True))
    attempt.after_start_call(name, lambda: attempt.retag(arn), version)
    outs = attempt.record(attempt.trained(version))
    attempt.progress.finish(outs["status"])
    return outs


def is_searchable(error: BaseException) -> bool:
    """Errors a search rides out: transient ones, and a listing that does not hold the newest version yet."""
    return is_transient(error) or isinstance(error, ListingLags)


def _chain(error: Exception) -> Exception | None:
    # botocore's own frames say nothing the message does not; keep the traceback of anything else (a bug).
    return None if isinstance(error, (ClientError, BotoCoreError, OutOfTime)) else error
