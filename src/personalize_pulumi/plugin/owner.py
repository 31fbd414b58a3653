"""`personalize:index:TrainingOwner`: what makes `pulumi destroy` stop a training that a killed `pulumi up` started.

A SolutionVersion's create waits for its training, so a `pulumi up` killed hard (SIGKILL, a lost CI runner) leaves
a training the state does not hold: only a pending create, which `pulumi destroy` does not send to the plugin. The next
`up` adopts that training (the owner token of the version's URN marks it, config.py), but a `destroy` instead would
leave it running, billed. A TrainingOwner is recorded before its version starts: the TrainedModel component
registers `<name>-version-owner` before its child `<name>-version` (component.py), and a program that declares a bare
SolutionVersion can declare one with `dependsOn`. Its state holds the version's owner token (secret); deleting it, after
the version (which depends on it), stops every version of the solution still training with that token's marker, and
only those (lifecycle.stop_unrecorded). It makes no AWS call but that one.
"""

from __future__ import annotations

from typing import Any

import grpc
from pulumi.runtime.proto import provider_pb2

from ..provider import calls
from ..provider.checks import check_owner_inputs
from ..provider.clients import StackAwsConfig
from ..provider.errors import SolutionVersionError, owner_not_importable
from ..provider.properties import OWNER_TOKEN
from ..provider.session import Session
from . import SOLUTION_VERSION_TOKEN, TRAINING_OWNER_TOKEN
from .config import PluginConfig
from .wire import from_struct, secret_keys, to_struct_with_secrets

VERSION_NAME = "versionName"
OWNER_INPUT_DOCS = {
    "solutionArn": "ARN of the Personalize solution the version trains on: where destroying this owner looks for "
    "trainings to stop. Changing it replaces the owner.",
    VERSION_NAME: "Name of the SolutionVersion resource whose trainings this owns, a sibling of this one (same "
    "parent). Changing it replaces the owner.",
    "region": "AWS region of the calls (default: the solution ARN's, where its versions are).",
    "profile": "AWS shared-config profile of the calls (default: the provider's, else the standard credential chain).",
}
"""The owner's inputs (all strings) and their descriptions in the schema."""
OWNER_INPUTS = tuple(OWNER_INPUT_DOCS)
REPLACES = ("solutionArn", VERSION_NAME)
"""The inputs that name other trainings: a change replaces the owner (its old self stops the old ones it finds)."""


def type_of(urn: str) -> str:
    """The type token of `urn` (`urn:pulumi:<stack>::<project>::[<parent type>$]<type>::<name>`)."""
    parts = urn.split("::")
    return parts[2].rsplit("$", 1)[-1] if len(parts) >= 4 else ""


def version_urn(owner_urn: str, version_name: str) -> str:
    """The URN of the SolutionVersion `version_name` beside the owner `owner_urn` (same stack, project and parent)."""
    prefix, project, qualified_type, _ = owner_urn.split("::", 3)
    parents = qualified_type.split("$")[:-1]
    return "::".join((prefix, project, "$".join((*parents, SOLUTION_VERSION_TOKEN)), version_name))


def is_owner(urn: str) -> bool:
    """Whether a request is for a TrainingOwner."""
    return type_of(urn) == TRAINING_OWNER_TOKEN


class TrainingOwnerCalls:
    """The provider calls of TrainingOwner resources, for the plugin's servicer (server.py), which routes them here."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def check(self, request: provider_pb2.CheckRequest, config: PluginConfig) -> provider_pb2.CheckResponse:
        olds, news = from_struct(request.olds), from_struct(request.news)
        inputs, failures = check_owner_inputs({key: news.get(key) for key in OWNER_INPUTS})
        name = inputs.get(VERSION_NAME)
        if not failures and isinstance(name, str):
            same = olds.get(VERSION_NAME) == name and olds.get(OWNER_TOKEN)
            token = olds[OWNER_TOKEN] if same else config.owner_token(version_urn(request.urn, name))
            if token:
                inputs[OWNER_TOKEN] = token
        return provider_pb2.CheckResponse(
            inputs=_state(inputs, secret_keys(request.news)),
            failures=[provider_pb2.CheckFailure(property=f.property, reason=f.sentence()) for f in failures],
        )

    def diff(self, request: provider_pb2.DiffRequest) -> provider_pb2.DiffResponse:
        olds, news = from_struct(request.olds), from_struct(request.news)
        changed = [key for key in OWNER_INPUTS if olds.get(key) != news.get(key)]
        replaces = [key for key in changed if key in REPLACES]
        response = provider_pb2.DiffResponse(
            changes=provider_pb2.DiffResponse.DIFF_SOME if changed else provider_pb2.DiffResponse.DIFF_NONE,
            replaces=replaces,
            diffs=changed,
            hasDetailedDiff=True,
        )
        for key in changed:
            kind = provider_pb2.PropertyDiff.UPDATE_REPLACE if key in replaces else provider_pb2.PropertyDiff.UPDATE
            response.detailedDiff[key].kind = kind
        return response

    def create(self, request: provider_pb2.CreateRequest) -> provider_pb2.CreateResponse:
        props = from_struct(request.properties)
        name = props.get(VERSION_NAME) or "model"
        return provider_pb2.CreateResponse(id=f"{name}-owner", properties=request.properties)

    def read(self, request: provider_pb2.ReadRequest, context: grpc.ServicerContext) -> provider_pb2.ReadResponse:
        if not from_struct(request.properties):  # `pulumi import`: nothing on the service is an owner
            context.abort(grpc.StatusCode.INVALID_ARGUMENT, str(owner_not_importable(request.urn.rsplit("::", 1)[-1])))
        return provider_pb2.ReadResponse(id=request.id, properties=request.properties, inputs=request.inputs)

    def delete(self, request: provider_pb2.DeleteRequest, context: grpc.ServicerContext, stack: StackAwsConfig) -> None:
        props = from_struct(request.properties)
        solution_arn, token, name = props.get("solutionArn"), props.get(OWNER_TOKEN), props.get(VERSION_NAME)
        if not (isinstance(solution_arn, str) and isinstance(token, str) and isinstance(name, str)):
            return  # recorded before the provider had its key: it marked nothing
        where = (solution_arn, props.get("region"), props.get("profile"))
        reporter = self._session.reporter(f"personalize solution version {name}", request.urn)
        try:
            calls.stop_unrecorded(self._session, where, stack, token, name, reporter)
        except SolutionVersionError as error:
            context.abort(grpc.StatusCode.UNKNOWN, str(error))


def _state(props: dict[str, Any], secret: set[str]) -> Any:
    """`props` as the engine records them: what arrived secret stays secret, and the owner token always is."""
    return to_struct_with_secrets(props, secret | {OWNER_TOKEN})
