"""The dynamic provider behind `SolutionVersion`.

This class is pickled by reference into every SolutionVersion's state (`personalize_pulumi.provider.solution_version.
SolutionVersionProvider`): keep this module's path and the class name, import nothing with side effects, and keep no
client, session or credentials on the instance. The engine's provider process unpickles it, calls `configure` with the
stack config, then the methods below, from many threads at once (see host.py).
"""

from __future__ import annotations

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
from .diffs import decide, explain
from .errors import SolutionVersionError, UnknownProfile, failure_from, interrupted, waiting_interrupted
from .host import note_diff, prepare_host
from .properties import DEFAULT_TAGS_CONFIG
from .state import display_name
from .tags import NO_DEFAULT_TAGS, DefaultTags
from .waiters import say_line


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
        return CheckResult(inputs, [CheckFailure(f.property, f.reason) for f in failures])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        decision = decide(olds, news)
        line = explain(decision, olds, news)
        if line is not None:  # the one line a reviewer reads per changed model; check and diff print nothing else
            say_line(line)
        note_diff(decision.shown)
        return DiffResult(
            changes=bool(decision.changes),
            replaces=decision.replaces,
            stables=[],
            delete_before_replace=False,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        started = lifecycle.Started()
        outs = self._call(
            "creating",
            props,
            None,
            lambda: lifecycle.create(self._clients(props), props, Polling.from_env(), started=started),
            started,
        )
        return CreateResult(outs["solutionVersionArn"], outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
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
        self._call(
            "deleting", props, id_, lambda: lifecycle.delete(self._clients(props).api, id_, props, Polling.from_env())
        )

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
            where = arn or f"solution {props.get('solutionArn')}"
            if isinstance(error, Cancelled):
                if started is not None and started.arn:
                    raise waiting_interrupted(display_name(props), started.arn) from None
                raise interrupted(verb, display_name(props), where) from None
            cause = error.error if isinstance(error, OutOfTime) else error
            raise failure_from(verb, display_name(props), where, cause) from None
