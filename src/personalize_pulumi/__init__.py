"""Amazon Personalize solution versions (trained models) as Pulumi resources.

    from personalize_pulumi import TrainedModel, TrainedModelArgs

`SolutionVersion` is the resource (a Pulumi dynamic resource); `TrainedModel` bundles it for infrastructure repos.
The provider class is recorded in every stack's state as `personalize_pulumi.provider.solution_version.
SolutionVersionProvider`: that path never changes (tests/test_provider_serialization.py fails if it does).
"""

from importlib.metadata import PackageNotFoundError, version

from .provider import SolutionVersion, SolutionVersionArgs
from .trained_model import TrainedModel, TrainedModelArgs

try:
    __version__ = version("personalize-pulumi")
except PackageNotFoundError:  # imported from a source tree that is not installed
    __version__ = "0+unknown"

__all__ = ["SolutionVersion", "SolutionVersionArgs", "TrainedModel", "TrainedModelArgs", "__version__"]
