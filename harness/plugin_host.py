"""Drive the `personalize` plugin (`pulumi-resource-personalize`) over gRPC, as the Pulumi engine does.

The plugin is started with the engine's address as its last argument (a `FakeEngine` records the lines it logs) and
a pipe on its stdin, as the engine starts it; properties are serialized with the SDK's `rpc.serialize_properties`, as
the engine sends them to a plugin that does not accept secrets: unknowns as the unknown sentinel, every number a float.
Answers are read with the plugin's own decoder (plugin/wire.py): secrets as their value, unknowns as `Unknown`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2
from google.rpc import status_pb2
from pulumi.runtime.proto import provider_pb2
from pulumi.runtime.proto.provider_pb2_grpc import ResourceProviderStub

from personalize_pulumi.plugin import SOLUTION_VERSION_TOKEN, TRAINING_OWNER_TOKEN
from personalize_pulumi.plugin.wire import from_struct as decoded

from .dynamic_host import FakeEngine, HostError, to_struct

PLUGIN = "pulumi-resource-personalize"


def plugin_executable() -> str:
    """The plugin of this virtualenv (its console script), else the one on PATH."""
    beside = Path(sys.executable).parent / PLUGIN
    found = str(beside) if beside.exists() else shutil.which(PLUGIN)
    if found is None:
        raise RuntimeError(f"no {PLUGIN}: `pip install -e .` installs it")
    return found


def urn(name: str, stack: str = "dev", project: str = "models", type_: str = SOLUTION_VERSION_TOKEN) -> str:
    """The URN of the resource `name` (a SolutionVersion unless `type_` says otherwise); a URN is kept as it is, so
    every call below takes either."""
    if name.startswith("urn:pulumi:"):
        return name
    return f"urn:pulumi:{stack}::{project}::{type_}::{name}"


def owner_urn(version_name: str) -> str:
    """The URN of the TrainingOwner of the SolutionVersion `version_name` (same parent: none)."""
    return urn(f"{version_name}-owner", type_=TRAINING_OWNER_TOKEN)


class InitFailed(HostError):
    """A call that failed and recorded the resource as partially created (the protocol's ErrorResourceInitFailed)."""

    def __init__(self, details: str, id_: str, properties: dict[str, Any]):
        super().__init__(details)
        self.id = id_
        self.properties = properties


def _raised(details: str, trailing: Any) -> HostError:
    """What a failed call raises: InitFailed when its trailing metadata records a partially created resource."""
    for key, value in trailing or ():
        if key == "grpc-status-details-bin":
            status = status_pb2.Status.FromString(value)
            for detail in status.details:
                failed = provider_pb2.ErrorResourceInitFailed()
                if detail.Unpack(failed):
                    return InitFailed(details, failed.id, decoded(failed.properties))
    return HostError(details)


class PluginCalls:
    """The provider protocol's calls as the engine makes them, over `_call(method, request)`."""

    def _call(self, method: str, request: Any) -> Any:
        raise NotImplementedError

    # The provider's configuration, as the engine sends it for the default provider.

    def check_config(self, news: dict[str, Any], olds: dict[str, Any] | None = None) -> tuple[Any, dict[str, Any]]:
        request = provider_pb2.CheckRequest(
            urn="urn:pulumi:dev::models::pulumi:providers:personalize::default",
            olds=to_struct(olds or {}),
            news=to_struct(news),
        )
        response = self._call("CheckConfig", request)
        return response, decoded(response.inputs)

    def configure(self, args: dict[str, Any] | None = None, olds: dict[str, Any] | None = None) -> dict[str, Any]:
        """CheckConfig (against the provider's recorded inputs `olds`, if any) then Configure with what it checked;
        returns the checked config (for a new provider, with a new ownership key)."""
        _, checked = self.check_config(args or {}, olds)
        self._call("Configure", provider_pb2.ConfigureRequest(args=to_struct(checked), acceptSecrets=True))
        return checked

    # The resource's calls.

    def check(
        self, name: str, news: dict[str, Any], olds: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], list[str]]:
        request = provider_pb2.CheckRequest(urn=urn(name), olds=to_struct(olds or {}), news=to_struct(news))
        response = self._call("Check", request)
        return decoded(response.inputs), [f.reason for f in response.failures]

    def diff(self, name: str, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        request = provider_pb2.DiffRequest(id=id_, urn=urn(name), olds=to_struct(olds), news=to_struct(news))
        return self._call("Diff", request)

    def create(self, name: str, inputs: dict[str, Any], preview: bool = False) -> tuple[str, dict[str, Any]]:
        request = provider_pb2.CreateRequest(urn=urn(name), properties=to_struct(inputs), preview=preview)
        response = self._call("Create", request)
        return response.id, decoded(response.properties)

    def read(self, name: str, id_: str, outputs: dict[str, Any], inputs: dict[str, Any]) -> Any:
        request = provider_pb2.ReadRequest(
            id=id_, urn=urn(name), properties=to_struct(outputs), inputs=to_struct(inputs)
        )
        response = self._call("Read", request)
        return response.id, decoded(response.properties), decoded(response.inputs)

    def update(self, name: str, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        request = provider_pb2.UpdateRequest(id=id_, urn=urn(name), olds=to_struct(olds), news=to_struct(news))
        return decoded(self._call("Update", request).properties)

    def delete(self, name: str, id_: str, outputs: dict[str, Any]) -> None:
        self._call("Delete", provider_pb2.DeleteRequest(id=id_, urn=urn(name), properties=to_struct(outputs)))

    def cancel(self) -> None:
        self._call("Cancel", empty_pb2.Empty())

    def schema(self) -> str:
        return str(self._call("GetSchema", provider_pb2.GetSchemaRequest()).schema)


class PluginHost(PluginCalls):
    """One plugin process and a ResourceProviderStub connected to it."""

    def __init__(self, env: dict[str, str] | None = None, engine: FakeEngine | None = None):
        self.env = dict(env or {})
        self.engine = engine if engine is not None else FakeEngine()
        self.process = subprocess.Popen(
            [plugin_executable(), self.engine.address],
            env={**os.environ, **(env or {})},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline().strip()
        if not first.isdigit():
            raise RuntimeError(f"the plugin did not start: {first}\n{self.process.stdout.read()}")
        self.output: list[str] = []
        threading.Thread(target=self._drain, daemon=True).start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{first}")
        self.stub = ResourceProviderStub(self.channel)

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line.rstrip("\n"))

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request)
        except grpc.RpcError as error:
            raise _raised(error.details() or "", error.trailing_metadata()) from None

    def restarted(self, config: dict[str, Any]) -> PluginHost:
        """A new process of the plugin, as the next operation of the stack starts it: configured with the provider's
        recorded inputs `config`."""
        again = PluginHost(self.env)
        again.configure(olds=config)
        return again

    def stop(self) -> None:
        self.channel.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.engine.stop()


class Aborted(Exception):
    """What `grpc.ServicerContext.abort` raises, in process."""


class InProcessContext:
    """The part of `grpc.ServicerContext` the plugin's servicer uses: `abort` and `set_trailing_metadata`."""

    def __init__(self) -> None:
        self.trailing: tuple[tuple[str, bytes], ...] = ()
        self.details = ""

    def set_trailing_metadata(self, metadata: tuple[tuple[str, bytes], ...]) -> None:
        self.trailing = metadata

    def abort(self, code: grpc.StatusCode, details: str) -> None:
        self.details = details
        raise Aborted(details)


class InProcessPlugin(PluginCalls):
    """The plugin's servicer in this process, called with the requests the engine sends (no gRPC, no process): for
    the lifecycle's in-process tests, with the `session` they give it (a fake clock, a cancellation of its own)."""

    def __init__(self, session: Any) -> None:
        from personalize_pulumi.plugin.server import PersonalizeProvider

        self.session = session
        self.servicer = PersonalizeProvider(session)

    def _call(self, method: str, request: Any) -> Any:
        context = InProcessContext()
        try:
            return getattr(self.servicer, method)(request, context)
        except Aborted:
            raise _raised(context.details, context.trailing) from None

    def restarted(self, config: dict[str, Any], session: Any) -> InProcessPlugin:
        """A new servicer, as the next operation of the stack starts the plugin anew: with `session`, configured with
        the provider's recorded inputs `config`."""
        again = InProcessPlugin(session)
        again.configure(olds=config)
        return again
