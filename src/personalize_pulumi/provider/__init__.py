"""Amazon Personalize solution versions (trained models): the lifecycle every front door shares, and the Pulumi
dynamic provider. `SolutionVersion` and `SolutionVersionArgs` are imported on first use, so the plugin
(personalize_pulumi.plugin), which imports modules of this package, never loads the dynamic host's front door."""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .resource import SolutionVersion as SolutionVersion
    from .resource import SolutionVersionArgs as SolutionVersionArgs

__all__ = ["SolutionVersion", "SolutionVersionArgs"]


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(import_module(".resource", __name__), name)
    globals()[name] = value
    return value
