"""`ModelCard`: the team's record of which trained model a stack promotes (a dynamic resource of the example repo).

It calls no service: its one output, `card`, is a line a release note or a dashboard can show.
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider, UpdateResult
from pulumi.dynamic import Resource as DynamicResource

FIELDS = ("model", "versionArn", "owner")


def card_text(props: dict[str, Any]) -> str:
    """`<model> serves <version ARN> (owner <team>)`."""
    return f"{props['model']} serves {props['versionArn']} (owner {props['owner']})"


class ModelCardProvider(ResourceProvider):
    """Keeps the card in the state; nothing outside Pulumi is touched."""

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(f"{props['model']}-card", {**props, "card": card_text(props)})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in FIELDS if olds.get(key) != news.get(key)]
        return DiffResult(changes=bool(changed), replaces=[], stables=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult({**news, "card": card_text(news)})


class ModelCardArgs:
    """Inputs of a ModelCard."""

    def __init__(self, *, model: pulumi.Input[str], version_arn: pulumi.Input[str], owner: pulumi.Input[str]):
        """
        :param model: The model's name in the team's catalogue.
        :param version_arn: The solution version the stack serves.
        :param owner: The team that owns the model.
        """
        self.model = model
        self.version_arn = version_arn
        self.owner = owner


class ModelCard(DynamicResource, module="team", name="ModelCard"):
    """The team's record of a promoted model. Output `card`: one line naming the model, its version and owner."""

    card: pulumi.Output[str]

    def __init__(self, name: str, args: ModelCardArgs, opts: pulumi.ResourceOptions | None = None):
        props = {"model": args.model, "versionArn": args.version_arn, "owner": args.owner, "card": None}
        super().__init__(ModelCardProvider(), name, props, opts)
