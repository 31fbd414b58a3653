"""Amazon Personalize solution versions (trained models) as Pulumi resources.

    from personalize_pulumi import TrainedModel, TrainedModelArgs

`SolutionVersion` is the resource (a Pulumi dynamic resource); `TrainedModel` bundles it for infrastructure repos.
The provider class is recorded in every stack's state as `personalize_pulumi.provider.solution_version.
SolutionVersionProvider`: that path never changes (tests/provider/test_serialization.py fails if it does).
"""

from __future__ import annotations

from importlib import import_module
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the names as type checkers see them; at run time, __getattr__ below imports them
    from .provider import SolutionVersion as SolutionVersion
    from .provider import SolutionVersionArgs as SolutionVersionArgs
    from .provider.properties import TrainingMode as TrainingMode
    from .trained_model import TrainedModel as TrainedModel
    from .trained_model import TrainedModelArgs as TrainedModelArgs

    __version__: str

_EXPORTS = {
    "SolutionVersion": ".provider",
    "SolutionVersionArgs": ".provider",
    "TrainingMode": ".provider.properties",
    "TrainedModel": ".trained_model",
    "TrainedModelArgs": ".trained_model",
}
"""Where each public name lives. They are imported on first use, so that `python -m personalize_pulumi.emulator`
(which needs neither the Pulumi SDK nor boto3's clients) starts without importing them."""


def _version() -> str:
    try:
        return version("personalize-pulumi")
    except PackageNotFoundError:  # imported from a source tree that is not installed
        return "0+unknown"


__all__ = [*_EXPORTS, "__version__"]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        value: Any = _version()
    elif name in _EXPORTS:
        value = getattr(import_module(_EXPORTS[name], __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
