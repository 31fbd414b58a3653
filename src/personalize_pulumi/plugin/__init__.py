"""The `personalize` Pulumi provider plugin (`pulumi-resource-personalize`): the package for every Pulumi language."""

PACKAGE = "personalize"
SOLUTION_VERSION_TOKEN = f"{PACKAGE}:index:SolutionVersion"
"""The resource's type token: part of every URN it has."""
TRAINED_MODEL_TOKEN = f"{PACKAGE}:index:TrainedModel"
"""The component's type token (component.py)."""
TRAINING_OWNER_TOKEN = f"{PACKAGE}:index:TrainingOwner"
"""The type token of what makes a destroy stop a killed `up`'s training (owner.py)."""
