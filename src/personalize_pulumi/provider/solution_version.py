"""The dynamic provider behind `SolutionVersion`.

This class is pickled by reference into every SolutionVersion's state (`personalize_pulumi.provider.solution_version.
SolutionVersionProvider`): keep this module's path and the class name, import nothing with side effects, and keep no
client, session or credentials on the instance. The engine's provider process unpickles it, calls `configure` with the
stack config, then the methods below, from many threads at once (see host.py).
"""

from __future__ import annotations

import threading
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from pulumi.dynamic import (
    CheckFailure,
    CheckResult,
    ConfigureRequest,
    CreateResult,
    DiffResult,
    ReadResult,
    ResourceProvider,
    UpdateResult,
)

from . import lifecycle
from .arns import region_of
from .backoff import Cancelled, OutOfTime, Polling, until_cancelled
from .checks import check_inputs
from .clients import Personalize, StackAwsConfig, personalize_clients
from .diffs import decide, explain, explain_create, explain_drift
from .errors import SolutionVersionError, UnknownProfile, failure_from, interrupted, waiting_interrupted
from .host import current_urn, note_diff, prepare_host
from .messages import Reporter, region_mismatch
from .outputs import display_name
from .properties import DEFAULT_TAGS_CONFIG
from .tags import NO_DEFAULT_TAGS, DefaultTags

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


class SolutionVersionProvider(ResourceProvider):
    """CRUD for one Amazon Personalize solution version (a trained model)."""

    def configure(self, req: ConfigureRequest) -> None:
        # Runs only in the provider process, after unpickling: the credentials it may carry never reach state.
        self._stack_aws = StackAwsConfig.from_config(req.config.get)
        # Merged by check into every resource's `tagsAll`, as pulumi-aws does; a malformed value fails each check.
        self._default_tags = DefaultTags.from_config(req.config.get(DEFAULT_TAGS_CONFIG))
        prepare_host()  # more than 4 trainings at once, errors as their message, Ctrl-C, the engine watch

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        default_tags = getattr(self, "_default_tags", NO_DEFAULT_TAGS)  # unset until the host calls configure
        inputs, failures = check_inputs(olds or {}, news, default_tags)
        urn = current_urn()
        _after_read(urn, read=False)
        if not failures:
            self._say_what_check_sees(urn, olds or {}, inputs)
        # No property: the engine prints such a failure as "<type> resource '<name>' has a problem: <reason>" (with
        # one, it adds the property's Go value: `{<nil>}` for a path, the whole map for `tags`); the sentence names it.
        return CheckResult(inputs, [CheckFailure("", f.sentence()) for f in failures])

    def _say_what_check_sees(self, urn: str | None, olds: dict[str, Any], inputs: dict[str, Any]) -> None:
        """A create's reviewer line (the engine diffs nothing for a new resource), and the region warning."""
        reporter = Reporter(display_name(inputs), urn)
        stack_region = getattr(self, "_stack_aws", StackAwsConfig()).region
        solution_arn = inputs.get("solutionArn")
        arn_region = region_of(solution_arn) if isinstance(solution_arn, str) else None
        if arn_region and stack_region and arn_region != stack_region and inputs.get("region") is None:
            if _first_time(urn, "region"):
                who = reporter.resource_name or display_name(inputs)
                reporter.warning(region_mismatch(who, arn_region, stack_region))
        if not olds:
            line = explain_create(inputs, reporter.resource_name)
            if _first_time(urn, "reviewed"):
                reporter.line(line)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        urn = current_urn()
        decision = decide(olds, news)
        if _after_read(urn, read=False):
            line = explain_drift(decision, olds, news)
        else:
            line = explain(decision, olds, news)
        if line is not None:  # the one line a reviewer reads per changed model; check and diff print nothing else
            _first_time(urn, "reviewed")
            Reporter(display_name(news), urn).line(line)
        note_diff(decision.shown)
        return DiffResult(
            changes=bool(decision.changes),
            replaces=decision.replaces,
            stables=[],
            delete_before_replace=False,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        started = lifecycle.Started()
        reporter = Reporter.here(lifecycle.label(props))  # here, on the handler's thread: it knows the request

        def create() -> dict[str, Any]:
            return lifecycle.create(self._clients(props), props, Polling.from_env(), started=started, reporter=reporter)

        outs = self._call("creating", props, None, create, started)
        return CreateResult(outs["solutionVersionArn"], outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        _after_read(current_urn(), read=True)
        found = self._call(
            "reading", props, id_, lambda: lifecycle.read(self._clients(props).api, id_, props, Polling.from_env())
        )
        if found is None:
            return ReadResult("", {})
        outs, inputs = found
        return ReadResult(id_, outs, inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        def update() -> dict[str, Any]:
            return lifecycle.update(self._clients(news).api, id_, olds, news, Polling.from_env())

        return UpdateResult(self._call("updating", news, id_, update))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        reporter = Reporter.here(lifecycle.label(props))

        def delete() -> None:
            lifecycle.delete(self._clients(props).api, id_, props, Polling.from_env(), reporter=reporter)

        self._call("deleting", props, id_, delete)

    def _clients(self, props: dict[str, Any]) -> Personalize:
        region = props.get("region") or region_of(props.get("solutionArn") or "")
        return personalize_clients(region, props.get("profile"), getattr(self, "_stack_aws", StackAwsConfig()))

    @staticmethod
    def _call(
        verb: str, props: dict[str, Any], id_: str | None, operation: Any, started: lifecycle.Started | None = None
    ) -> Any:
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
