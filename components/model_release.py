"""`ModelRelease`: the team's convention for promoting a trained model, built on the repo's own `ModelCard`."""

from __future__ import annotations

import pulumi

from personalize_pulumi import TrainedModel
from providers import ModelCard, ModelCardArgs


class ModelRelease(pulumi.ComponentResource):
    """Records that the stack serves `model`'s version (a `ModelCard` child named `<name>-card`). Output `card`."""

    card: pulumi.Output[str]
    """One line naming the model, the version it serves and its owner."""

    def __init__(self, name: str, model: TrainedModel, owner: str, opts: pulumi.ResourceOptions | None = None):
        super().__init__("team:models:ModelRelease", name, None, opts)
        card = ModelCard(
            f"{name}-card",
            ModelCardArgs(model=name, version_arn=model.version_arn, owner=owner),
            pulumi.ResourceOptions(parent=self),
        )
        self.card = card.card
        self.register_outputs({"card": self.card})
