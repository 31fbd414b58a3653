"""The dynamic provider behind `SolutionVersion`.

This class is pickled by reference into every SolutionVersion's state (`personalize_pulumi.provider.solution_version.
SolutionVersionProvider`): keep this module's path and the class name, import nothing with side effects, and keep no
client, session or credentials on the instance. The engine's provider process unpickles it, calls `configure` with the
stack config, then the methods below, from many threads at once (see host.py).
"""

from __future__ import annotations

from typing import Any

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

from . import calls, lifecycle, training
from .clients import Personalize, StackAwsConfig
from .host import SESSION, current_urn, note_diff, prepare_host
from .properties import DEFAULT_TAGS_CONFIG
from .tags import NO_DEFAULT_TAGS, DefaultTags


class SolutionVersionProvider(ResourceProvider):
    """CRUD for one Amazon Personalize solution version (a trained model); calls.py does the work."""

    def configure(self, req: ConfigureRequest) -> None:
        # Runs only in the provider process, after unpickling: the credentials it may carry never reach state.
        self._stack_aws = StackAwsConfig.from_config(req.config.get)
        # Merged by check into every resource's `tagsAll`, as pulumi-aws does; a malformed value fails each check.
        self._default_tags = DefaultTags.from_config(req.config.get(DEFAULT_TAGS_CONFIG))
        prepare_host()  # more than 4 trainings at once, errors as their message, Ctrl-C, the engine link

    def _stack(self) -> StackAwsConfig:
        return getattr(self, "_stack_aws", StackAwsConfig())  # unset until the host calls configure

    def check(self, olds: dict[str, Any], news: dict[str, Any]) -> CheckResult:
        default_tags = getattr(self, "_default_tags", NO_DEFAULT_TAGS)
        inputs, failures = calls.check(SESSION, olds or {}, news, current_urn(), default_tags, self._stack())
        # No property: the engine prints such a failure as "<type> resource '<name>' has a problem: <reason>" (with
        # one, it adds the property's Go value: `{<nil>}` for a path, the whole map for `tags`); the sentence names it.
        return CheckResult(inputs, [CheckFailure("", f.sentence()) for f in failures])

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        decision = calls.diff(SESSION, olds, news, current_urn())
        note_diff(decision.shown)
        return DiffResult(
            changes=bool(decision.changes),
            replaces=decision.replaces,
            stables=[],
            delete_before_replace=False,
        )

    def create(self, props: dict[str, Any]) -> CreateResult:
        started = training.Started()
        reporter = SESSION.reporter(
            lifecycle.label(props), current_urn()
        )  # on the handler's thread: it knows the request

        def create() -> dict[str, Any]:
            service, polling, clock = self._clients(props), SESSION.poll(), SESSION.clock
            return training.create(service, props, polling, clock, started=started, reporter=reporter)

        outs = calls.guarded(SESSION, "creating", props, None, create, started)
        return CreateResult(outs["solutionVersionArn"], outs)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        calls.note_read(SESSION, current_urn())

        def read() -> Any:
            return lifecycle.read(self._clients(props).api, id_, props, SESSION.poll(), SESSION.clock)

        found = calls.guarded(SESSION, "reading", props, id_, read)
        if found is None:
            return ReadResult("", {})
        outs, inputs = found
        return ReadResult(id_, outs, inputs)

    def update(self, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        def update() -> dict[str, Any]:
            return lifecycle.update(self._clients(news).api, id_, olds, news, SESSION.poll(), SESSION.clock)

        return UpdateResult(calls.guarded(SESSION, "updating", news, id_, update))

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        reporter = SESSION.reporter(lifecycle.label(props), current_urn())

        def delete() -> None:
            lifecycle.delete(self._clients(props).api, id_, props, SESSION.poll(), SESSION.clock, reporter=reporter)

        calls.guarded(SESSION, "deleting", props, id_, delete)

    def _clients(self, props: dict[str, Any]) -> Personalize:
        return calls.clients(SESSION, props, self._stack())
