"""Example infrastructure-repo stack: one trained Personalize model, driven by stack config (see Pulumi.dev.yaml)."""

import pulumi

from components import TrainedModel, TrainedModelArgs
from example_config import ExampleConfig

settings = ExampleConfig.load()

model = TrainedModel(
    "recommendations",
    TrainedModelArgs(
        solution_arn=settings.solution_arn,
        training_mode=settings.training_mode,
        tags=settings.tags,
        retrain_triggers={"data": settings.retrain_trigger} if settings.retrain_trigger else None,
        wait_timeout_minutes=settings.wait_timeout_minutes,
        min_metrics=settings.min_metrics or None,
    ),
)

pulumi.export("solutionVersionArn", model.version_arn)
pulumi.export("status", model.status)
pulumi.export("trainingHours", model.training_hours)
pulumi.export("metrics", model.metrics)
pulumi.export("tags", model.tags)
pulumi.export("tagsAll", model.tags_all)
