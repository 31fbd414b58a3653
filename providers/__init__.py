"""This example infrastructure repo's own dynamic providers.

Infrastructure repos often have a top-level `providers` package of their own; personalize-pulumi lives beside it under
its own name (`personalize_pulumi`) and never imports it. This one holds `ModelCard`, a small resource of the team's.
"""

from .model_card import ModelCard, ModelCardArgs

__all__ = ["ModelCard", "ModelCardArgs"]
