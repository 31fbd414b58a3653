"""`pulumi-resource-personalize`: the provider plugin that serves `personalize:index:SolutionVersion` to programs in
every Pulumi language, over the engine's provider protocol (the SDK's generated `provider_pb2` modules, no internals).

The engine starts the executable (found on `PATH`, in `Pulumi.yaml`'s `packages:`, or installed with `pulumi plugin
install`) with its own address as the last argument, reads the port this process prints, and calls the methods below,
as many at once as the stack has resources (one thread each: a create holds one for a whole training). What the SDK's
dynamic host hides, the protocol hands over: the URN of each request (lines land on the resource's row), Cancel (a
waiting create ends within a poll, naming its ARN), errors as one line (`context.abort`). The work is the dynamic
provider's (calls.py, training.py, lifecycle.py): the same checks, diffs, messages and guarantees.

What a plugin adds: a create that ends while its training still runs (Ctrl-C, `waitTimeoutMinutes`) records the
version as a partially created resource (the protocol's `ErrorResourceInitFailed`), so `pulumi destroy` stops it and
the next `pulumi up` sends an update that waits for it (training.resume) instead of training again. Each resource's
owner token is derived from the provider's own secret `ownershipKey` (config.py), so an `up` killed before anything was
recorded is adopted by the next one.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from concurrent import futures
from typing import Any

import grpc
from google.protobuf import any_pb2, empty_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from ..provider import calls, lifecycle, training
from ..provider.arns import solution_of
from ..provider.engine_log import address_argument, use_engine, watch_engine
from ..provider.errors import SolutionVersionError
from ..provider.finders import find_version
from ..provider.outputs import outputs, tags_all, user_tags
from ..provider.properties import (
    ENDED_UNTRAINED,
    IN_PROGRESS,
    NAME_SCOPE,
    OWNER_TOKEN,
    TAGS_ALL,
    TRAINING,
)
from ..provider.session import Session
from ..provider.tags import DefaultTags
from .component import construct
from .config import OWNERSHIP_KEY, PluginConfig, with_ownership_key
from .owner import TrainingOwnerCalls, is_owner
from .schema import schema_json
from .wire import from_struct, secret_keys, to_struct_with_secrets

WORKERS_ENV = "PERSONALIZE_PLUGIN_WORKERS"
DEFAULT_WORKERS = 256
"""Threads answering calls: every training of the stack waits on one, and the engine runs `--parallel` at once."""
_DIFF_KINDS = {
    "add": provider_pb2.PropertyDiff.ADD,
    "add-replace": provider_pb2.PropertyDiff.ADD_REPLACE,
    "delete": provider_pb2.PropertyDiff.DELETE,
    "delete-replace": provider_pb2.PropertyDiff.DELETE_REPLACE,
    "update": provider_pb2.PropertyDiff.UPDATE,
    "update-replace": provider_pb2.PropertyDiff.UPDATE_REPLACE,
}


def plugin_version() -> str:
    """This package's version as the semantic version the engine expects (`1.2.0.dev0` -> `1.2.0-dev0`)."""
    from importlib.metadata import version

    raw = version("personalize-pulumi")
    match = re.fullmatch(r"(\d+\.\d+\.\d+)(?:\.?(dev|a|b|rc)(\d+))?.*", raw)
    if match is None:
        return "0.0.0"
    base, kind, number = match.groups()
    return f"{base}-{kind}{number}" if kind else base


def scope_of(urn: str) -> str:
    """`project/stack/name` of `urn` (`urn:pulumi:<stack>::<project>::<type>::<name>`): the autoname's seed, as the
    dynamic resource computes it from the program."""
    parts = urn.split("::")
    stack = parts[0].rsplit(":", 1)[-1] if parts else ""
    project = parts[1] if len(parts) > 1 else ""
    return f"{project}/{stack}/{parts[-1]}"


class PersonalizeProvider(provider_pb2_grpc.ResourceProviderServicer):
    """The ResourceProvider service of the plugin."""

    def __init__(self, session: Session | None = None) -> None:
        self._config = PluginConfig.of({})
        self._session = session or Session()
        self._owners = TrainingOwnerCalls(self._session)

    # The plugin and its configuration.

    def GetPluginInfo(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> plugin_pb2.PluginInfo:
        return plugin_pb2.PluginInfo(version=plugin_version())

    def GetSchema(self, request: Any, context: grpc.ServicerContext) -> provider_pb2.GetSchemaResponse:
        return provider_pb2.GetSchemaResponse(schema=schema_json())

    def CheckConfig(self, request: provider_pb2.CheckRequest, context: grpc.ServicerContext) -> Any:
        inputs = with_ownership_key(from_struct(request.olds), from_struct(request.news))
        failures = []
        problem = PluginConfig.of(inputs).default_tags.problem
        if problem:
            failures.append(provider_pb2.CheckFailure(property="defaultTags", reason=problem))
        secret = secret_keys(request.news) | {OWNERSHIP_KEY}
        return provider_pb2.CheckResponse(inputs=to_struct_with_secrets(inputs, secret), failures=failures)

    def DiffConfig(self, request: provider_pb2.DiffRequest, context: grpc.ServicerContext) -> Any:
        olds, news = from_struct(request.olds), from_struct(request.news)
        changed = sorted(key for key in set(olds) | set(news) if olds.get(key) != news.get(key))
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME if changed else provider_pb2.DiffResponse.DIFF_NONE,
            diffs=changed,
        )

    def Configure(self, request: provider_pb2.ConfigureRequest, context: grpc.ServicerContext) -> Any:
        args = from_struct(request.args) if request.HasField("args") else dict(request.variables)
        secret = {key.rsplit(":", 1)[-1] for key in secret_keys(request.args)} if request.HasField("args") else set()
        self._config = PluginConfig.of({key.rsplit(":", 1)[-1]: value for key, value in args.items()}, secret)
        return provider_pb2.ConfigureResponse(acceptSecrets=True, supportsPreview=True)

    def Cancel(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> empty_pb2.Empty:
        self._session.cancellation.cancel()  # every wait of the provider ends within a poll (backoff.py)
        return empty_pb2.Empty()

    # The resource.

    def Check(self, request: provider_pb2.CheckRequest, context: grpc.ServicerContext) -> Any:
        if is_owner(request.urn):
            return self._owners.check(request, self._config)
        olds, news = from_struct(request.olds), from_struct(request.news)
        news = {key: value for key, value in news.items() if key not in (NAME_SCOPE, OWNER_TOKEN)}
        news[NAME_SCOPE] = scope_of(request.urn)
        if news.get("existingVersionArn") is None:
            token = olds.get(OWNER_TOKEN) or self._config.owner_token(request.urn)
            if token:
                news[OWNER_TOKEN] = token
        inputs, failures = calls.check(
            self._session, olds, news, request.urn, self._config.default_tags, self._config.aws
        )
        return provider_pb2.CheckResponse(
            inputs=self._state(inputs, secret_keys(request.news)),
            failures=[provider_pb2.CheckFailure(property="", reason=f.sentence()) for f in failures],
        )

    def Diff(self, request: provider_pb2.DiffRequest, context: grpc.ServicerContext) -> Any:
        if is_owner(request.urn):
            return self._owners.diff(request)
        olds, news = from_struct(request.olds), from_struct(request.news)
        decision = calls.diff(self._session, olds, news, request.urn)
        response = provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME if decision.changes else provider_pb2.DiffResponse.DIFF_NONE,
            replaces=decision.replaces,
            diffs=decision.changes,
            deleteBeforeReplace=False,
            hasDetailedDiff=True,
        )
        for key, kind in decision.shown.items():
            response.detailedDiff[key].kind = _DIFF_KINDS[kind]
        return response

    def Create(self, request: provider_pb2.CreateRequest, context: grpc.ServicerContext) -> Any:
        props = from_struct(request.properties)
        if request.preview:  # the engine previews a create through it: nothing happens until `up`
            return provider_pb2.CreateResponse(properties=request.properties)
        if is_owner(request.urn):
            return self._owners.create(request)
        started = training.Started()
        reporter = self._session.reporter(lifecycle.label(props), request.urn)

        def create() -> dict[str, Any]:
            service, session = self._clients(props), self._session
            return training.create(service, props, session.poll(), session.clock, started=started, reporter=reporter)

        secret = secret_keys(request.properties)
        outs = self._answer(
            context,
            props,
            lambda: calls.guarded(self._session, "creating", props, None, create, started),
            secret,
            started,
        )
        return provider_pb2.CreateResponse(id=outs["solutionVersionArn"], properties=self._state(outs, secret))

    def Read(self, request: provider_pb2.ReadRequest, context: grpc.ServicerContext) -> Any:
        if is_owner(request.urn):
            return self._owners.read(request, context)
        props, inputs = from_struct(request.properties), from_struct(request.inputs)
        calls.note_read(self._session, request.urn)
        importing = not props and not inputs  # `pulumi import <type> <name> <version ARN>`
        if importing:
            props = self._imported_inputs(request.id, request.urn, context)

        def read() -> Any:
            return lifecycle.read(
                self._clients(props).api, request.id, props, self._session.poll(), self._session.clock
            )

        secret = secret_keys(request.properties) | secret_keys(request.inputs)
        found = self._answer(
            context, props, lambda: calls.guarded(self._session, "reading", props, request.id, read), secret
        )
        if found is None:
            return provider_pb2.ReadResponse()
        outs, read_inputs = found
        if importing:  # the program the engine writes declares the tags the version has: it previews clean
            read_inputs["tags"] = outs["tags"] = dict(outs["tagsAll"])
        return provider_pb2.ReadResponse(
            id=request.id, properties=self._state(outs, secret), inputs=self._state(read_inputs, secret)
        )

    def Update(self, request: provider_pb2.UpdateRequest, context: grpc.ServicerContext) -> Any:
        olds, news = from_struct(request.olds), from_struct(request.news)
        if request.preview or is_owner(request.urn):  # an owner's update only records where to look
            return provider_pb2.UpdateResponse(properties=request.news)
        arn, secret = request.id, secret_keys(request.news)
        if olds.get("status") in TRAINING:  # recorded while training: wait for it, as the create would have
            started = training.Started(arn)
            reporter = self._session.reporter(lifecycle.label(news), request.urn)

            def resume() -> dict[str, Any]:
                service = self._clients(news)
                polling, clock = self._session.poll(), self._session.clock
                return training.resume(service, arn, olds, news, polling, clock, started=started, reporter=reporter)

            outs = self._answer(
                context,
                news,
                lambda: calls.guarded(self._session, "updating", news, arn, resume),
                secret,
                started,
                recorded=True,
            )
        else:

            def update() -> dict[str, Any]:
                api, polling, clock = self._clients(news).api, self._session.poll(), self._session.clock
                return lifecycle.update(api, arn, olds, news, polling, clock)

            outs = self._answer(
                context, news, lambda: calls.guarded(self._session, "updating", news, arn, update), secret
            )
        return provider_pb2.UpdateResponse(properties=self._state(outs, secret))

    def Delete(self, request: provider_pb2.DeleteRequest, context: grpc.ServicerContext) -> Any:
        if is_owner(request.urn):
            self._owners.delete(request, context, self._config.aws)
            return empty_pb2.Empty()
        props = from_struct(request.properties)
        reporter = self._session.reporter(lifecycle.label(props), request.urn)

        def delete() -> None:
            api, polling, clock = self._clients(props).api, self._session.poll(), self._session.clock
            lifecycle.delete(api, request.id, props, polling, clock, reporter=reporter)

        self._answer(context, props, lambda: calls.guarded(self._session, "deleting", props, request.id, delete), set())
        return empty_pb2.Empty()

    def Construct(self, request: provider_pb2.ConstructRequest, context: grpc.ServicerContext) -> Any:
        return construct(request, context)  # personalize:index:TrainedModel, the one component

    # Helpers.

    def _state(self, props: dict[str, Any], secret: set[str]) -> Any:
        """`props` as the engine records them: what was `secret` in the request stays secret (the effective tags too
        where `tags` or the default tags are), and the owner token always is."""
        secret = secret | {OWNER_TOKEN}
        if "tags" in secret or self._config.secret_default_tags:
            secret.add(TAGS_ALL)
        return to_struct_with_secrets(props, secret)

    def _clients(self, props: dict[str, Any]) -> Any:
        return calls.clients(self._session, props, self._config.aws)

    def _imported_inputs(self, arn: str, urn: str, context: grpc.ServicerContext) -> dict[str, Any]:
        """The checked inputs of an imported version: adopted (`existingVersionArn`), with the tags it has, so the
        program the engine writes for it previews with no change."""
        news: dict[str, Any] = {"solutionArn": solution_of(arn), "existingVersionArn": arn, NAME_SCOPE: scope_of(urn)}
        inputs, failures = calls.check(self._session, {}, news, urn, DefaultTags(), self._config.aws)
        if failures:
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, failures[0].sentence())
        return inputs

    def _answer(
        self,
        context: grpc.ServicerContext,
        props: dict[str, Any],
        operation: Callable[[], Any],
        secret: set[str],
        started: training.Started | None = None,
        recorded: bool = False,
    ) -> Any:
        """`operation()`; its failure is answered with its one line. When a version it `started` is still training,
        the answer also records that version (a partial create), so nothing the stack started is left untracked; a
        version already `recorded` as training is recorded as it ended, so the next `up` trains the next attempt."""
        try:
            return operation()
        except SolutionVersionError as error:
            if started is not None and started.arn:
                partial = self._still_training(started.arn, props, recorded)
                if partial is not None:
                    _abort_recording(context, started.arn, self._state(partial, secret), str(error))
            context.abort(grpc.StatusCode.UNKNOWN, str(error))

    def _still_training(self, arn: str, props: dict[str, Any], recorded: bool) -> dict[str, Any] | None:
        """The state to record for the version `arn`: while it trains (or cannot be told), and how it ended untrained
        if it is `recorded` already (the next `up` then trains the next attempt); else None."""
        try:
            described = find_version(self._clients(props).api, arn)
        except Exception:  # cannot tell: record it, so destroy can stop it
            described = {"solutionVersionArn": arn, "status": IN_PROGRESS}
        if described is None:
            return None
        status = described.get("status")
        if status in TRAINING or (recorded and status in ENDED_UNTRAINED):
            return outputs(props, described, user_tags(tags_all(props)), {})
        # Not recorded yet (it ended, as a failed create's version does: out of the stack), or trained but rejected by
        # minMetrics: the state stays as it was, and the next `up` judges it again.
        return None


def _abort_recording(context: grpc.ServicerContext, arn: str, properties: Any, message: str) -> None:
    """Fail the call with `message`, recording the resource as `arn` with `properties` (the engine keeps a partially
    created resource in the state, and sends the next `up` an update for it)."""
    detail = any_pb2.Any()
    detail.Pack(provider_pb2.ErrorResourceInitFailed(id=arn, properties=properties, reasons=[message]))
    code = grpc.StatusCode.UNKNOWN
    context.set_trailing_metadata((("grpc-status-details-bin", _status(code.value[0], message, detail)),))
    context.abort(code, message)


def _status(code: int, message: str, detail: Any) -> bytes:
    """A `google.rpc.Status` {code = 1, message = 2, details = 3}, encoded here: its generated module comes with
    googleapis-common-protos, which is not a dependency (tests/plugin decode it with that module)."""

    def varint(number: int) -> bytes:
        out = bytearray()
        while True:
            low, number = number & 0x7F, number >> 7
            out.append(low | (0x80 if number else 0))
            if not number:
                return bytes(out)

    def field(number: int, payload: bytes) -> bytes:
        return varint(number << 3 | 2) + varint(len(payload)) + payload

    return varint(1 << 3) + varint(code) + field(2, message.encode()) + field(3, detail.SerializeToString())


def main(argv: list[str] | None = None) -> None:
    """Serve the plugin: print the port for the engine, then answer until the engine goes away."""
    argv = list(sys.argv if argv is None else argv)
    use_engine(address_argument(argv))
    workers = int(os.environ.get(WORKERS_ENV) or DEFAULT_WORKERS)
    server = grpc.server(
        futures.ThreadPoolExecutor(max_workers=workers, thread_name_prefix="personalize-call"),
        options=[("grpc.max_receive_message_length", 400 * 1024 * 1024)],
    )
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(PersonalizeProvider(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    watch_engine()
    server.wait_for_termination()


if __name__ == "__main__":
    main()
