"""`TrainingOwner`: a random token that makes a SolutionVersion's training this stack's own.

A version's default name is a hash of project/stack/resource name and its identity inputs, so that a `pulumi up`
rerun after an interrupted one finds (adopts) the training it started instead of starting a second one. Two stacks
with the same project, stack and resource name in different backends (a local one and a shared one, say) would get
the same name and adopt each other's versions. Each SolutionVersion therefore declares a `<name>-owner` resource first:
its token is created once, recorded in the stack's state before the training starts, and seeds the version's name.
A rerun of this stack finds the same token; another stack has its own and trains its own version.

The class is pickled by reference into state (`personalize_pulumi.provider.owner.TrainingOwnerProvider`): keep the
path. Nothing here calls AWS.
"""

from __future__ import annotations

import secrets
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider

from .properties import OWNER_RESOURCE_NAME, RESOURCE_MODULE

TOKEN = "token"
TOKEN_BYTES = 8


class TrainingOwnerProvider(ResourceProvider):
    """Creates a token once; it never changes and deleting it deletes nothing outside the state."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        token = secrets.token_hex(TOKEN_BYTES)
        return CreateResult(token, {TOKEN: token})

    def diff(self, _id: str, _olds: dict[str, Any], _news: dict[str, Any]) -> DiffResult:
        return DiffResult(changes=False, replaces=[], stables=[], delete_before_replace=False)

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        return ReadResult(id_, {TOKEN: props.get(TOKEN) or id_})


class TrainingOwner(Resource, module=RESOURCE_MODULE, name=OWNER_RESOURCE_NAME):
    """The owner token of one SolutionVersion (declared by it; not for direct use)."""

    token: pulumi.Output[str]
    """Random hex, created once per resource and stack."""

    def __init__(self, resource_name: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TrainingOwnerProvider(), resource_name, {TOKEN: None}, opts)
