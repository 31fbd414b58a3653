"""Serving a gated model: `TrainedModel(...).version_arn` -> pulumi-aws-native `personalize.Campaign`.

Rollout: a new `retrainTrigger` trains a new version (a replace: the new version is created before the old one goes).
Only when it is ACTIVE *and* passes `minMetrics` does `version_arn` change; the engine then updates the campaign in
place (CloudFormation's AWS::Personalize::Campaign changes SolutionVersionArn with no interruption: the old version
serves until the campaign update is ACTIVE). A version that misses the gate fails `pulumi up` before the campaign is
touched: the stack keeps the previous version and the campaign keeps serving it.

Config (`pulumi config set ...`): `solutionArn` (required), `minMetrics` (required: the gate, e.g.
`{"precision_at_25": 0.2}`), `retrainTrigger` (e.g. the latest dataset import job ARN), `existingVersionArn` (serve a
version the stack did not train, e.g. one from the solution's automatic training, instead of training one),
`minProvisionedTps` (default 1).
"""

import pulumi
import pulumi_aws_native as aws_native

from personalize_pulumi import TrainedModel, TrainedModelArgs

config = pulumi.Config()
existing_version_arn = config.get("existingVersionArn")
retrain_trigger = config.get("retrainTrigger")

model = TrainedModel(
    "recommendations",
    TrainedModelArgs(
        solution_arn=config.require("solutionArn"),
        min_metrics=config.require_object("minMetrics"),
        existing_version_arn=existing_version_arn,
        # An adopted version is trained already: triggers only apply when the stack trains.
        retrain_triggers={"data": retrain_trigger} if retrain_trigger and not existing_version_arn else None,
        tags={"app": "recommendations"},
    ),
)

campaign = aws_native.personalize.Campaign(
    "recommendations",
    solution_version_arn=model.version_arn,
    min_provisioned_tps=config.get_int("minProvisionedTps") or 1,
    # Not campaign_config.sync_with_latest_solution_version: it follows every new ACTIVE version, gate or not.
)

pulumi.export("campaignArn", campaign.campaign_arn)
pulumi.export("servingVersionArn", campaign.solution_version_arn)
pulumi.export("metrics", model.metrics)
