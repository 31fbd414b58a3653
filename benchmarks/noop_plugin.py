"""A Pulumi provider plugin that does nothing: the engine's floor for N resources of a plugin (plugin_scale.py).

It serves any resource type of the package `noop` (e.g. `noop:index:Thing`) over the engine's provider protocol, the
way `pulumi-resource-personalize` does (the SDK's generated `provider_pb2_grpc`, a thread pool, its port printed on
stdout): Check returns the new inputs, Diff compares the one key `value`, Create returns its inputs as outputs with
the id `noop-<index>` (or `noop-<name>`), Read returns what it is given, Update returns the new inputs, Delete does
nothing. The benchmark exposes it to the engine as an executable `pulumi-resource-noop` on PATH (`exec python
benchmarks/noop_plugin.py "$@"`); the engine passes its own address as the last argument, which is ignored.
"""

from __future__ import annotations

import sys
from concurrent import futures
from typing import Any

import grpc
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import plugin_pb2, provider_pb2, provider_pb2_grpc

from personalize_pulumi.provider.engine_log import watch_engine

WORKERS = 256
"""As many threads as the personalize plugin's default, so both answer `--parallel 64` alike."""


def _value(properties: struct_pb2.Struct) -> Any:
    field = properties.fields.get("value")
    return None if field is None else field.SerializeToString(deterministic=True)


class NoopProvider(provider_pb2_grpc.ResourceProviderServicer):
    """Every call answered at once, with what it was given."""

    def GetPluginInfo(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> plugin_pb2.PluginInfo:
        return plugin_pb2.PluginInfo(version="0.0.1")

    def CheckConfig(self, request: provider_pb2.CheckRequest, context: grpc.ServicerContext) -> Any:
        return provider_pb2.CheckResponse(inputs=request.news)

    def DiffConfig(self, request: provider_pb2.DiffRequest, context: grpc.ServicerContext) -> Any:
        return provider_pb2.DiffResponse(changes=provider_pb2.DiffResponse.DIFF_NONE)

    def Configure(self, request: provider_pb2.ConfigureRequest, context: grpc.ServicerContext) -> Any:
        return provider_pb2.ConfigureResponse(acceptSecrets=True, supportsPreview=True)

    def Cancel(self, request: empty_pb2.Empty, context: grpc.ServicerContext) -> empty_pb2.Empty:
        return empty_pb2.Empty()

    def Check(self, request: provider_pb2.CheckRequest, context: grpc.ServicerContext) -> Any:
        return provider_pb2.CheckResponse(inputs=request.news)

    def Diff(self, request: provider_pb2.DiffRequest, context: grpc.ServicerContext) -> Any:
        changed = _value(request.olds) != _value(request.news)
        return provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME if changed else provider_pb2.DiffResponse.DIFF_NONE,
            diffs=["value"] if changed else [],
        )

    def Create(self, request: provider_pb2.CreateRequest, context: grpc.ServicerContext) -> Any:
        index = request.properties.fields.get("index")
        suffix = f"{index.number_value:g}" if index is not None else request.urn.rsplit("::", 1)[-1]
        return provider_pb2.CreateResponse(id=f"noop-{suffix}", properties=request.properties)

    def Read(self, request: provider_pb2.ReadRequest, context: grpc.ServicerContext) -> Any:
        return provider_pb2.ReadResponse(id=request.id, properties=request.properties, inputs=request.inputs)

    def Update(self, request: provider_pb2.UpdateRequest, context: grpc.ServicerContext) -> Any:
        return provider_pb2.UpdateResponse(properties=request.news)

    def Delete(self, request: provider_pb2.DeleteRequest, context: grpc.ServicerContext) -> empty_pb2.Empty:
        return empty_pb2.Empty()


def main() -> None:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="noop-call"))
    provider_pb2_grpc.add_ResourceProviderServicer_to_server(NoopProvider(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    sys.stdout.write(f"{port}\n")
    sys.stdout.flush()
    watch_engine()  # the engine holds a pipe on its stdin: end with it, as the plugin does
    server.wait_for_termination()


if __name__ == "__main__":
    main()
