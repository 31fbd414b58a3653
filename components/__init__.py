"""This example infrastructure repo's own components.

Infrastructure repos often have a top-level `components` package of their own; personalize-pulumi's component
(`personalize_pulumi.TrainedModel`) lives under its own name beside it.
"""

from .model_release import ModelRelease

__all__ = ["ModelRelease"]
