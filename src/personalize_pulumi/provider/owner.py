"""`TrainingOwner`: the record that makes a SolutionVersion's training this stack's own, from before it starts.

A version's default name is a hash of project/stack/resource name and its identity inputs, so that a `pulumi up`
rerun after an interrupted one finds (adopts) the training it started instead of starting a second one. Two stacks
with the same project, stack and resource name in different backends (a local one and a shared one, say) would get
the same name and adopt each other's versions. Each SolutionVersion that trains therefore declares a `<name>-owner`
resource first: its random token is created once, recorded in the stack's state before the training starts, and
seeds the version's name. A rerun of this stack finds the same token; another stack has its own.

The token is a secret output: a derived name hashes it with the retrain triggers, so without it plaintext state
cannot confirm a guessed secret trigger. The owner's id is not the token (ids are never secret). An owner of an
earlier release, whose id is its token, is replaced once (no AWS call; the version keeps its name).

The token also keys the marker every attempt is created with (ownership.py), and the service's clock when the owner
was created (`serviceCreatedAt`) bounds the cost of the search for those attempts. The owner keeps the version's
identity inputs (`OWNER_IDENTITY`; the engine records an owner's inputs on every `up` that includes it, and its diff
never reports a change). A training an interrupted `up` started is in no state but the owner's: destroying the owner
(`pulumi destroy`, or removing the model from the program) stops every version of the solution still training that
carries its marker, after the version itself, if recorded, was deleted.

A SolutionVersion passes its aliases on to its owner (`owner_aliases`): a model renamed or moved with `aliases` keeps
its owner and token, so nothing is replaced and its attempts stay its own.

The class is pickled by reference into state (`personalize_pulumi.provider.owner.TrainingOwnerProvider`): keep the
path.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import Any, cast

import pulumi
from botocore.exceptions import BotoCoreError, ClientError
from pulumi.dynamic import ConfigureRequest, CreateResult, DiffResult, ReadResult, Resource, ResourceProvider

from . import calls
from .arns import region_of
from .clients import StackAwsConfig, answer_time
from .errors import UnknownProfile
from .host import SESSION, current_urn, old_inputs_of_delete, prepare_host
from .properties import NAME_SCOPE, OWNER_IDENTITY, OWNER_RESOURCE_NAME, OWNER_TYPE_TOKEN, RESOURCE_MODULE, StateKey

TOKEN = "token"
CREATED_AT = "createdAt"
SERVICE_CREATED_AT = "serviceCreatedAt"
TOKEN_BYTES = 8


class TrainingOwnerProvider(ResourceProvider):
    """Creates a token once; it never changes. Deleting it stops what an interrupted `pulumi up` left training."""

    def configure(self, req: ConfigureRequest) -> None:
        self._stack_aws = StackAwsConfig.from_config(req.config.get)
        prepare_host()  # a destroy may load only this provider: its errors too are one line

    def create(self, props: dict[str, Any]) -> CreateResult:
        created = datetime.now(timezone.utc).isoformat(timespec="seconds")
        outs = {
            TOKEN: secrets.token_hex(TOKEN_BYTES),
            CREATED_AT: created,
            SERVICE_CREATED_AT: self._service_time(props),
        }
        return CreateResult(f"owner-{secrets.token_hex(TOKEN_BYTES)}", outs)

    def _service_time(self, identity: dict[str, Any]) -> str | None:
        """The service's clock now (the `Date` of one answer of Personalize in the solution's region, an error's
        included), so that the search for the resource's attempts is bounded by the service's clock alone; None when
        no answer comes (the search is then bounded by the resource's attempts only)."""
        solution_arn = identity.get("solutionArn")
        region = identity.get("region") or (region_of(solution_arn) if isinstance(solution_arn, str) else None)
        if not isinstance(solution_arn, str) or region is None:
            return None
        try:
            service = SESSION.clients.get(
                region, identity.get("profile"), getattr(self, "_stack_aws", StackAwsConfig())
            )
            answer = service.api.list_solution_versions(solutionArn=solution_arn, maxResults=1)
        except ClientError as error:
            answer = error.response
        except (BotoCoreError, UnknownProfile):
            return None
        moment = answer_time(answer)
        return moment.isoformat() if moment is not None else None

    def diff(self, id_: str, olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        replaces = [TOKEN] if id_ == olds.get(TOKEN) else []  # an owner from before: its id shows its token
        return DiffResult(changes=bool(replaces), replaces=replaces, stables=[], delete_before_replace=False)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        outs = {TOKEN: props.get(TOKEN) or id_, CREATED_AT: props.get(CREATED_AT)}
        return ReadResult(id_, outs | {SERVICE_CREATED_AT: props.get(SERVICE_CREATED_AT)})

    def delete(self, id_: str, props: dict[str, Any]) -> None:
        identity = old_inputs_of_delete()  # read on the handler's thread, where the request is
        token = props.get(TOKEN)
        solution_arn = (identity or {}).get("solutionArn")
        if not isinstance(solution_arn, str) or region_of(solution_arn) is None or not token:
            return  # an owner recorded before it kept its inputs: nothing to look for
        scope = str((identity or {}).get(NAME_SCOPE) or "")
        name = str((identity or {}).get("name") or scope.rsplit("/", 1)[-1] or id_)
        reporter = SESSION.reporter(
            f"personalize solution version {name}", current_urn()
        )  # its line goes on this owner's row
        stack = getattr(self, "_stack_aws", StackAwsConfig())
        where = (solution_arn, (identity or {}).get("region"), (identity or {}).get("profile"))
        calls.stop_unrecorded(SESSION, where, stack, token, name, reporter)


class TrainingOwner(Resource, module=RESOURCE_MODULE, name=OWNER_RESOURCE_NAME):
    """The owner of one SolutionVersion's trainings (declared by it; not for direct use)."""

    token: pulumi.Output[str]
    """Random hex, created once per resource and stack (secret)."""
    created_at: StateKey[str | None] = StateKey(CREATED_AT)
    """When the token was created, by the machine's clock (ISO 8601; None for owners of releases before 1.1)."""
    service_created_at: StateKey[str | None] = StateKey(SERVICE_CREATED_AT)
    """When the token was created, by the service's clock (ISO 8601; None for owners of releases before 1.2, or
    when Personalize did not answer): no attempt of the model is older."""

    def __init__(
        self, resource_name: str, identity: dict[str, Any], opts: pulumi.ResourceOptions | None = None
    ) -> None:
        opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=[TOKEN]))
        props = {
            **{key: identity.get(key) for key in OWNER_IDENTITY},
            TOKEN: None,
            CREATED_AT: None,
            SERVICE_CREATED_AT: None,
        }
        super().__init__(TrainingOwnerProvider(), resource_name, props, opts)


OwnerAlias = str | pulumi.Alias
"""An alias as `ResourceOptions.aliases` holds one, once resolved: a URN, or an `Alias` spec."""


def owner_name(version_name: str) -> str:
    """The name of a SolutionVersion's `TrainingOwner`."""
    return f"{version_name}-owner"


def owner_aliases(aliases: Sequence[pulumi.Input[OwnerAlias]] | None) -> list[pulumi.Input[OwnerAlias]] | None:
    """The owner's aliases, from its SolutionVersion's: where the version was before, its owner was too (same parent,
    stack and project, the name with `-owner`), so a renamed or moved version keeps its owner and owner token."""
    if aliases is None:
        return None
    derived: list[pulumi.Input[OwnerAlias]] = []
    for alias in aliases:
        if isinstance(alias, (str, pulumi.Alias)):
            owner = owner_alias(alias)
            if owner is not None:
                derived.append(owner)
        else:  # an Output or awaitable: derived once known
            derived.append(owner_alias_later(alias))
    return derived


def owner_alias_later(alias: pulumi.Input[OwnerAlias]) -> pulumi.Output[OwnerAlias]:
    """`owner_alias` of an alias not known yet (the SDK skips an alias that resolves to None)."""
    source: pulumi.Output[OwnerAlias] = pulumi.Output.from_input(alias)
    resolved: pulumi.Output[OwnerAlias | None] = source.apply(owner_alias)
    return cast("pulumi.Output[OwnerAlias]", resolved)


def owner_alias(alias: OwnerAlias | None) -> OwnerAlias | None:
    """The owner's alias for one alias of its SolutionVersion; None where it names no other URN for the owner.

    A URN becomes the owner's URN in the same place (same stack, project and parents; the owner's type and name).
    An `Alias` keeps its parent, stack and project; a name becomes that name with `-owner`; a type is dropped (the
    owner's type never changed with the version's). Fields not given stay not given (the SDK's `...`): they mean
    "as now" to the SDK and the engine.
    """
    if alias is None:
        return None
    if isinstance(alias, str):
        return owner_urn(alias)
    name = alias.name if given(alias.name) else None
    if name is None and not any(given(field) for field in (alias.parent, alias.stack, alias.project)):
        return None  # only a type (or nothing): the owner's URN as it is now
    return pulumi.Alias(
        name=owner_name(name) if name is not None else ...,  # type: ignore[arg-type]  # the SDK's "not given"
        parent=alias.parent,
        stack=alias.stack,
        project=alias.project,
    )


def given(field: object) -> bool:
    """Whether an `Alias` field was given: the SDK marks one not given with `...` (None means "none", e.g. no
    parent)."""
    return field is not ...


def owner_urn(version_urn: str) -> str | None:
    """The URN of the owner of the SolutionVersion `version_urn` (`urn:pulumi:<stack>::<project>::<type>::<name>`,
    the type qualified by its parents' as `parent$type`); None if it is not a URN."""
    parts = version_urn.split("::", 3)
    if len(parts) != 4 or not parts[0].startswith("urn:pulumi:") or not parts[2] or not parts[3]:
        return None
    prefix, project, qualified_type, name = parts
    parents = qualified_type.split("$")[:-1]
    return "::".join((prefix, project, "$".join((*parents, OWNER_TYPE_TOKEN)), owner_name(name)))
