"""The SolutionVersion resource's property names and defaults: the one place Python names map to state keys.

Python arguments are snake_case; state keys are camelCase like every Pulumi AWS resource.
"""

from __future__ import annotations

TYPE_TOKEN = "pulumi-python:dynamic/personalize:SolutionVersion"

# Inputs: Python argument name -> state key.
INPUTS = {
    "solution_arn": "solutionArn",
    "name": "name",
    "training_mode": "trainingMode",
    "tags": "tags",
    "retrain_triggers": "retrainTriggers",
    "wait_timeout_minutes": "waitTimeoutMinutes",
    "region": "region",
    "profile": "profile",
}
# Set by the resource class, not by users: `project/stack/resource-name`, the seed of the autoname.
NAME_SCOPE = "nameScope"

# Outputs read from the service: Python attribute name -> state key.
OUTPUTS = {
    "solution_version_arn": "solutionVersionArn",
    "version_name": "versionName",  # the name of the attempt this resource trained: `name`, or `name-2`, `-3`, ...
    "status": "status",
    "failure_reason": "failureReason",
    "training_type": "trainingType",
    "training_hours": "trainingHours",
    "recipe_arn": "recipeArn",
    "dataset_group_arn": "datasetGroupArn",
    "creation_date_time": "creationDateTime",
    "last_updated_date_time": "lastUpdatedDateTime",
    "tags_all": "tagsAll",
    "metrics": "metrics",
}

SNAKE_TO_CAMEL = {**INPUTS, **OUTPUTS, "name_scope": NAME_SCOPE}
CAMEL_TO_SNAKE = {camel: snake for snake, camel in SNAKE_TO_CAMEL.items()}

TRAINING_MODES = ("FULL", "UPDATE", "AUTOTRAIN")
DEFAULT_TRAINING_MODE = "FULL"
DEFAULT_WAIT_TIMEOUT_MINUTES = 720.0
"""Twelve hours: real trainings take from ~20 minutes to many hours (about 6 h for 25 M interactions)."""

# Changing one of these trains a new version (replacement, create-before-delete).
REPLACE_ON_CHANGE = ("solutionArn", "name", "trainingMode", "retrainTriggers")
# Changing these is applied in place.
UPDATE_IN_PLACE = ("tags",)
# Operational inputs: they change how the provider works, never the version itself.
NO_DIFF = ("waitTimeoutMinutes", "region", "profile", NAME_SCOPE, "__provider")

# Solution version statuses, as the API spells them (with spaces).
PENDING = "CREATE PENDING"
IN_PROGRESS = "CREATE IN_PROGRESS"
ACTIVE = "ACTIVE"
FAILED = "CREATE FAILED"
STOPPING = "CREATE STOPPING"
STOPPED = "CREATE STOPPED"
TRAINING = (PENDING, IN_PROGRESS)
ENDED_UNTRAINED = (FAILED, STOPPING, STOPPED)
"""A version in one of these will never be ACTIVE: the next create starts the next attempt."""
