"""The `personalize` Pulumi provider plugin (`pulumi-resource-personalize`): the package for every Pulumi language."""
