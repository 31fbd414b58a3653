"""`personalize:index:TrainedModel`: the component the plugin builds for every language (the protocol's Construct).

A TrainedModel is a component resource whose child, the SolutionVersion `<name>-version`, trains the model, as the
Python `TrainedModel` has; its TrainingOwner `<name>-version-owner` (owner.py) is registered first, and the version
depends on it, so a `pulumi destroy` after a killed `up` stops the training the killed one started. The plugin registers both with the engine's resource monitor itself (the SDK's
generated `resource_pb2` modules, plain gRPC on the calling thread): the component's inputs go to the children as they
arrived (secrets, unknowns and dependencies included), and its outputs are the child's. Each Construct waits for its
child's create (its training), so every model of a stack trains at once, one thread each.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import grpc
from google.protobuf import struct_pb2
from pulumi.runtime.proto import provider_pb2, resource_pb2
from pulumi.runtime.proto.resource_pb2_grpc import ResourceMonitorStub

from ..provider.errors import model_not_trained
from ..provider.properties import SOLUTION_VERSION_INPUTS
from . import PACKAGE, SOLUTION_VERSION_TOKEN, TRAINED_MODEL_TOKEN, TRAINING_OWNER_TOKEN
from .owner import OWNER_INPUTS, VERSION_NAME
from .wire import UNKNOWN

CHILD_SUFFIX = "-version"
TRAINED_MODEL_INPUTS = tuple(i for i in SOLUTION_VERSION_INPUTS if i.key != "name")
"""A TrainedModel takes every input of its SolutionVersion but the name (its child's is `<name>-version`, derived)."""
TRAINED_MODEL_OUTPUTS: dict[str, tuple[str, str]] = {
    "versionArn": ("id", "ARN of the trained solution version; it only ever names a version that passed `minMetrics`."),
    "status": ("status", "ACTIVE once trained."),
    "trainingHours": ("trainingHours", "Billed training hours."),
    "metrics": ("metrics", "Offline metrics of the trained version (GetSolutionMetrics)."),
    "tags": ("tags", "The component's own tags, as given."),
    "tagsAll": ("tagsAll", "The effective tags on the version: the provider's `defaultTags` overlaid by `tags`."),
}
"""Output -> (the child's property it copies, or `id`; its description)."""


def construct(request: provider_pb2.ConstructRequest, context: grpc.ServicerContext) -> Any:
    """Register the component and its SolutionVersion, wait for the child, and answer with the component's URN and
    outputs. A child that fails has said why on its own row: the component fails with one line pointing there."""
    child_name = f"{request.name}{CHILD_SUFFIX}"
    with grpc.insecure_channel(request.monitorEndpoint) as channel:
        monitor = ResourceMonitorStub(channel)
        try:
            component = monitor.RegisterResource(
                resource_pb2.RegisterResourceRequest(
                    type=TRAINED_MODEL_TOKEN,
                    name=request.name,
                    parent=request.parent,
                    custom=False,
                    protect=request.protect,
                    dependencies=list(request.dependencies),
                    providers=dict(request.providers),
                    aliases=list(request.aliases),
                    acceptSecrets=True,
                    acceptResources=True,
                )
            )
            owner = monitor.RegisterResource(
                resource_pb2.RegisterResourceRequest(
                    type=TRAINING_OWNER_TOKEN,
                    name=f"{child_name}-owner",
                    parent=component.urn,
                    custom=True,
                    object=_owner_inputs(request.inputs, child_name),
                    dependencies=_dependencies(request, ("solutionArn", "region", "profile")),
                    provider=request.providers.get(PACKAGE, ""),
                    protect=request.protect,
                    acceptSecrets=True,
                    acceptResources=True,
                )
            )
            child = monitor.RegisterResource(
                resource_pb2.RegisterResourceRequest(
                    type=SOLUTION_VERSION_TOKEN,
                    name=child_name,
                    parent=component.urn,
                    custom=True,
                    object=_child_inputs(request.inputs),
                    propertyDependencies={
                        key: resource_pb2.RegisterResourceRequest.PropertyDependencies(urns=list(deps.urns))
                        for key, deps in request.inputDependencies.items()
                    },
                    dependencies=sorted({owner.urn, *_dependencies(request, request.inputDependencies)}),
                    provider=request.providers.get(PACKAGE, ""),
                    protect=request.protect,
                    acceptSecrets=True,
                    acceptResources=True,
                )
            )
        except grpc.RpcError as error:
            detail = (error.details() or "").strip().splitlines()
            said_above = not detail or "resource monitor" in detail[-1]  # the engine's own words for a failed child
            message = model_not_trained(request.name, child_name, None if said_above else detail[-1])
            context.abort(grpc.StatusCode.UNKNOWN, str(message))
        outputs = _outputs(child)
        monitor.RegisterResourceOutputs(resource_pb2.RegisterResourceOutputsRequest(urn=component.urn, outputs=outputs))
    return provider_pb2.ConstructResponse(
        urn=component.urn,
        state=outputs,
        stateDependencies={
            key: provider_pb2.ConstructResponse.PropertyDependencies(urns=[child.urn]) for key in outputs
        },
    )


def _dependencies(request: provider_pb2.ConstructRequest, keys: Iterable[str]) -> list[str]:
    """The URNs the component's inputs `keys` depend on."""
    deps = request.inputDependencies
    return sorted({urn for key in keys if key in deps for urn in deps[key].urns})


def _owner_inputs(inputs: struct_pb2.Struct, child_name: str) -> struct_pb2.Struct:
    """The inputs of the child's TrainingOwner: where the child trains, and its name."""
    owner = struct_pb2.Struct()
    for key in OWNER_INPUTS:
        if key in inputs.fields:
            owner.fields[key].CopyFrom(inputs.fields[key])
    owner.fields[VERSION_NAME].string_value = child_name
    return owner


def _child_inputs(inputs: struct_pb2.Struct) -> struct_pb2.Struct:
    """The component's inputs that are its child's, encoded as they arrived."""
    keys = {i.key for i in TRAINED_MODEL_INPUTS}
    child = struct_pb2.Struct()
    for key, value in inputs.fields.items():
        if key in keys:
            child.fields[key].CopyFrom(value)
    return child


def _outputs(child: resource_pb2.RegisterResourceResponse) -> struct_pb2.Struct:
    outputs = struct_pb2.Struct()
    for key, (source, _) in TRAINED_MODEL_OUTPUTS.items():
        if source == "id":
            outputs.fields[key].string_value = child.id or UNKNOWN  # no id yet in a preview
        elif source in child.object.fields:
            outputs.fields[key].CopyFrom(child.object.fields[source])
    return outputs
