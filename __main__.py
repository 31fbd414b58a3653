"""Example infrastructure-repo stack: one trained Personalize model, driven by stack config (see Pulumi.dev.yaml).

Like many infrastructure repos, this one has top-level `components` and `providers` packages of its own; the installed
`personalize_pulumi` package lives beside them.
"""

import pulumi

from components import ModelRelease
from example_config import ExampleConfig
from personalize_pulumi import TrainedModel, TrainedModelArgs

settings = ExampleConfig.load()

adopting = settings.existing_version_arn is not None  # a version to adopt is trained already: no training inputs
model = TrainedModel(
    "recommendations",
    TrainedModelArgs(
        solution_arn=settings.solution_arn,
        training_mode=None if adopting else settings.training_mode,
        tags=settings.tags,
        retrain_triggers={"data": settings.retrain_trigger} if settings.retrain_trigger and not adopting else None,
        wait_timeout_minutes=settings.wait_timeout_minutes,
        min_metrics=settings.min_metrics or None,
        existing_version_arn=settings.existing_version_arn,
    ),
)

release = ModelRelease("recommendations", model, owner="ml-platform")

pulumi.export("solutionVersionArn", model.version_arn)
pulumi.export("status", model.status)
pulumi.export("trainingHours", model.training_hours)
pulumi.export("metrics", model.metrics)
pulumi.export("tags", model.tags)
pulumi.export("tagsAll", model.tags_all)
pulumi.export("modelCard", release.card)
