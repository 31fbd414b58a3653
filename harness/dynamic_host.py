"""Drive the real dynamic-provider host (`python -u -m pulumi.dynamic`) over gRPC, as the Pulumi engine does.

The host is started from the project root (the engine starts it in the program directory), with the environment the
CLI would pass on. Properties are serialized with the SDK's own `rpc.serialize_properties`, and the provider with
`serialize_provider`, exactly as a program would store it in `__provider`.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from concurrent import futures
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.dynamic.dynamic import serialize_provider
from pulumi.runtime import rpc
from pulumi.runtime.proto import engine_pb2, engine_pb2_grpc, provider_pb2
from pulumi.runtime.proto.provider_pb2_grpc import ResourceProviderStub

from personalize_pulumi.provider.owner import TrainingOwnerProvider
from personalize_pulumi.provider.properties import INPUTS, OWNER_TYPE_TOKEN, PROVIDER_KEY, TYPE_TOKEN
from personalize_pulumi.provider.solution_version import SolutionVersionProvider
from personalize_pulumi.provider.values import cut

from .project import project_name

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class LoggedLine:
    """One `Engine.Log` request a host sent."""

    severity: str
    message: str
    urn: str
    ephemeral: bool


class FakeEngine:
    """The engine's `pulumirpc.Engine` service, as far as a provider host uses it: `Log` requests are recorded in
    `lines` (or refused with `refuse=True`, as an engine that is going away would)."""

    def __init__(self, refuse: bool = False):
        self.lines: list[LoggedLine] = []
        self.refuse = refuse
        self._lock = threading.Lock()
        engine = self

        class Servicer(engine_pb2_grpc.EngineServicer):  # type: ignore[misc]
            def Log(self, request: Any, context: Any) -> Any:
                if engine.refuse:
                    context.abort(grpc.StatusCode.UNAVAILABLE, "the engine is shutting down")
                severity = engine_pb2.LogSeverity.Name(request.severity).lower()
                with engine._lock:
                    engine.lines.append(LoggedLine(severity, request.message, request.urn, request.ephemeral))
                return empty_pb2.Empty()

        self.server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
        engine_pb2_grpc.add_EngineServicer_to_server(Servicer(), self.server)
        self.port = self.server.add_insecure_port("127.0.0.1:0")
        self.server.start()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def logged(self, urn: str | None = None, ephemeral: bool | None = None) -> list[LoggedLine]:
        """The lines so far, for `urn` and of `ephemeral` kind if given."""
        with self._lock:
            lines = list(self.lines)
        return [
            line
            for line in lines
            if (urn is None or line.urn == urn) and (ephemeral is None or line.ephemeral == ephemeral)
        ]

    def stop(self) -> None:
        self.server.stop(0)


class HostError(Exception):
    """A gRPC call failed; `details` is what the engine would show (the provider's message, or a traceback)."""

    def __init__(self, details: str):
        super().__init__(details)
        self.details = details

    @property
    def last_line(self) -> str:
        """The exception message: the line a user reads first."""
        lines = [line for line in self.details.strip().splitlines() if line.strip()]
        return lines[-1] if lines else ""


def _shown(path: str) -> str:
    return "".join(c if c.isprintable() else "?" for c in path)


def failure_properties(sentences: list[str], news: dict[str, Any]) -> list[str]:
    """The property each check failure names: the provider sends them with no property (the engine then prints the
    sentence alone), each beginning with its property path, `minMetrics.coverage must ...` or `tags.<key>: ...` (a
    path longer than 80 characters cut as messages cut values). For each, the longest such path among the inputs
    `news` has (top-level keys, and the keys of its maps), one not named by an earlier failure where several paths
    read the same once cut; "" if none."""
    paths = {"tagsAll", *INPUTS.values(), *map(str, news)}
    for key, value in news.items():
        if isinstance(value, dict):
            paths.update(f"{key}.{inner}" for inner in value)
    ordered = sorted(paths, key=len, reverse=True)
    named: list[str] = []
    for sentence in sentences:
        matching = [path for path in ordered if sentence.startswith((f"{path} ", f"{path}:", f"{cut(_shown(path))}:"))]
        fresh = [path for path in matching if path not in named]
        named.append((fresh or matching or [""])[0])
    return named


def failure_property(sentence: str, news: dict[str, Any]) -> str:
    """`failure_properties` of one failure."""
    return failure_properties([sentence], news)[0]


def to_struct(props: dict[str, Any]) -> struct_pb2.Struct:
    return asyncio.run(rpc.serialize_properties(props, {}))


def from_struct(struct: struct_pb2.Struct, keep_unknowns: bool = False) -> dict[str, Any]:
    return rpc.deserialize_properties(struct, keep_unknowns)


def serialized_provider() -> str:
    return serialize_provider(SolutionVersionProvider())


def urn(name: str, stack: str = "dev", type_token: str = TYPE_TOKEN) -> str:
    """The URN the engine would give a top-level SolutionVersion `name` (or a resource of `type_token`) of the
    example project's `stack`."""
    return f"urn:pulumi:{stack}::{project_name(PROJECT_ROOT)}::{type_token}::{name}"


class DynamicHost:
    """One `python -m pulumi.dynamic` process and a ResourceProviderStub connected to it."""

    def __init__(self, env: dict[str, str] | None = None, cwd: Path = PROJECT_ROOT, engine: FakeEngine | None = None):
        """`engine`: started with that engine's address as its last argument, as the engine starts it; without one,
        as a host started by hand (no engine to talk to)."""
        full_env = {**os.environ, **(env or {})}
        full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(cwd), full_env.get("PYTHONPATH")]))
        self.engine = engine
        address = [engine.address] if engine is not None else []
        self.process = subprocess.Popen(
            [sys.executable, "-u", "-m", "pulumi.dynamic", *address],
            cwd=cwd,
            env=full_env,
            stdin=subprocess.PIPE,  # as the engine does: a pipe it holds open while it runs (see personalize_pulumi/provider/host.py)
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        first = self.process.stdout.readline().strip()
        if not first.isdigit():
            rest = self.process.stdout.read()
            raise RuntimeError(f"the dynamic host did not start: {first}\n{rest}")
        self.port = int(first)
        self.output: list[str] = []
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()
        self.channel = grpc.insecure_channel(f"127.0.0.1:{self.port}")
        self.stub = ResourceProviderStub(self.channel)
        self.provider = serialized_provider()
        self.owner_provider = serialize_provider(TrainingOwnerProvider())

    def _drain(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line.rstrip("\n"))

    def _call(self, method: str, request: Any) -> Any:
        try:
            return getattr(self.stub, method)(request)
        except grpc.RpcError as error:
            raise HostError(error.details() or "") from None

    # The engine's calls, in its order.

    def configure(self, config: dict[str, str] | None = None) -> None:
        self._call("Configure", provider_pb2.ConfigureRequest(args=to_struct(config or {}), acceptSecrets=True))

    def check(
        self, name: str, news: dict[str, Any], olds: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        request = provider_pb2.CheckRequest(
            urn=urn(name),
            olds=to_struct(olds or {}),
            news=to_struct({**news, PROVIDER_KEY: self.provider}),
        )
        response = self._call("Check", request)
        inputs = from_struct(response.inputs, keep_unknowns=True)
        assert all(f.property == "" for f in response.failures), "failures go with no property, as one sentence"
        reasons = [f.reason for f in response.failures]
        return inputs, list(zip(failure_properties(reasons, news), reasons, strict=True))

    def _with_provider(self, props: dict[str, Any]) -> dict[str, Any]:
        """State always carries `__provider`; calls built by hand get this process's serialization."""
        return {PROVIDER_KEY: self.provider, **props}

    def diff(self, name: str, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> Any:
        olds, news = self._with_provider(olds), self._with_provider(news)
        request = provider_pb2.DiffRequest(id=id_, urn=urn(name), olds=to_struct(olds), news=to_struct(news))
        return self._call("Diff", request)

    def create(self, name: str, inputs: dict[str, Any], timeout: float = 0) -> tuple[str, dict[str, Any]]:
        request = provider_pb2.CreateRequest(
            urn=urn(name), properties=to_struct(self._with_provider(inputs)), timeout=timeout
        )
        response = self._call("Create", request)
        return response.id, from_struct(response.properties)

    def read(
        self, name: str, id_: str, outputs: dict[str, Any], inputs: dict[str, Any] | None = None
    ) -> tuple[str, dict[str, Any], dict[str, Any]]:
        request = provider_pb2.ReadRequest(
            id=id_, urn=urn(name), properties=to_struct(self._with_provider(outputs)), inputs=to_struct(inputs or {})
        )
        response = self._call("Read", request)
        return response.id, from_struct(response.properties), from_struct(response.inputs)

    def update(self, name: str, id_: str, olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
        olds, news = self._with_provider(olds), self._with_provider(news)
        request = provider_pb2.UpdateRequest(id=id_, urn=urn(name), olds=to_struct(olds), news=to_struct(news))
        return from_struct(self._call("Update", request).properties)

    def delete(self, name: str, id_: str, outputs: dict[str, Any]) -> None:
        properties = to_struct(self._with_provider(outputs))
        self._call("Delete", provider_pb2.DeleteRequest(id=id_, urn=urn(name), properties=properties))

    # A SolutionVersion's `<name>-owner`, as the engine sends its calls.

    def create_owner(self, name: str, identity: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """Create the owner `name` with the inputs a SolutionVersion gives it; returns its id and outputs."""
        props = {**identity, PROVIDER_KEY: self.owner_provider}
        request = provider_pb2.CreateRequest(urn=urn(name, type_token=OWNER_TYPE_TOKEN), properties=to_struct(props))
        response = self._call("Create", request)
        return response.id, from_struct(response.properties)

    def delete_owner(self, name: str, id_: str, outputs: dict[str, Any], identity: dict[str, Any] | None) -> None:
        """Delete the owner `name`, sending its recorded inputs `identity` as the engine does (`old_inputs`)."""
        properties = to_struct({**outputs, PROVIDER_KEY: self.owner_provider})
        request = provider_pb2.DeleteRequest(id=id_, urn=urn(name, type_token=OWNER_TYPE_TOKEN), properties=properties)
        if identity is not None:
            request.old_inputs.CopyFrom(to_struct({**identity, PROVIDER_KEY: self.owner_provider}))
        self._call("Delete", request)

    def cancel(self) -> None:
        """What the engine sends on the first Ctrl-C."""
        self._call("Cancel", empty_pb2.Empty())

    def close_engine_pipe(self) -> None:
        """What the host sees of an engine that died: its stdin pipe closes."""
        if self.process.stdin is not None and not self.process.stdin.closed:
            self.process.stdin.close()

    def kill(self) -> None:
        """What a second Ctrl-C (or a crash) does to the host: no chance to clean up."""
        self.process.kill()
        self.process.wait()

    def stop(self) -> None:
        """SIGTERM first (a coverage measurement of the host keeps its data), then the engine's pipe closes."""
        self.channel.close()
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.kill()
        self.close_engine_pipe()
