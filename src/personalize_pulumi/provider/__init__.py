"""A Pulumi dynamic provider for Amazon Personalize solution versions (trained models)."""

from .resource import SolutionVersion, SolutionVersionArgs

__all__ = ["SolutionVersion", "SolutionVersionArgs"]
