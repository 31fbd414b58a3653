"""`TrainedModel`: one declaration that trains an Amazon Personalize model with the team's tags and training mode."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import pulumi

from .provider import SolutionVersion, SolutionVersionArgs
from .provider.properties import TrainingMode


class AwsProviderLike(Protocol):
    """What `aws_provider` must offer: a `pulumi_aws.Provider` does (pulumi-aws is not a dependency of this package)."""

    @property
    def region(self) -> pulumi.Output[str | None]: ...

    @property
    def profile(self) -> pulumi.Output[str | None]: ...


TYPE_TOKEN = "personalize:models:TrainedModel"


class TrainedModelArgs:
    """Inputs of a TrainedModel."""

    def __init__(
        self,
        *,
        solution_arn: pulumi.Input[str],
        training_mode: pulumi.Input[TrainingMode] | None = None,
        tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        retrain_triggers: pulumi.Input[Mapping[str, Any]] | None = None,
        wait_timeout_minutes: pulumi.Input[float] | None = None,
        aws_provider: AwsProviderLike | None = None,
        region: pulumi.Input[str] | None = None,
        profile: pulumi.Input[str] | None = None,
        min_metrics: pulumi.Input[Mapping[str, pulumi.Input[float]]] | None = None,
        existing_version_arn: pulumi.Input[str] | None = None,
    ):
        """:param solution_arn: ARN of the Personalize solution to train; it must exist, and `create` waits for it to become
            ACTIVE. Changing it trains a new version (replace).
        :param training_mode: FULL (default: train on all data), UPDATE (incremental, needs an ACTIVE FULL version and the
            User-Personalization or HRNN-Coldstart recipe; Personalize then stops its automatic updates for that version) or
            AUTOTRAIN. Changing it trains a new version.
        :param tags: Tags of the version; keys must not start with `aws:`. The version gets the stack's `aws:defaultTags`
            overlaid by these (these win on conflicts; at most 49 in all: Personalize allows 50, one is the provider's
            ownership marker), as pulumi-aws resources do: output `tags_all`. Changes, and changes of `aws:defaultTags`,
            apply in place.
        :param retrain_triggers: Any values; changing one trains a new version (e.g. a dataset import job ARN).
        :param wait_timeout_minutes: How long `create` waits for ACTIVE before failing (default 720, i.e. 12 hours). The
            engine ignores customTimeouts for dynamic resources, so this is the wait budget. A training still running when
            it runs out continues; the next `pulumi up` adopts it.
        :param aws_provider: A `pulumi_aws.Provider` whose region and profile the training should use, so a multi-region or
            multi-account stack trains where the rest of its AWS resources live. Its static keys are not used (they would be
            stored in state): give it a profile, or use the environment's credentials.
        :param region: Region override (default: the provider's, then the solution ARN's; all must agree).
        :param profile: Profile override (default: the provider's, then the stack's `aws:profile`).
        :param min_metrics: A quality gate: GetSolutionMetrics names (`[a-z0-9_]+`) mapped to minimum values, e.g.
            `{"precision_at_25": 0.2}`. Once the version is ACTIVE, a metric below its minimum (or not reported) fails the
            create with one line naming it; the version stays in Personalize, out of the stack (a retrain that fails leaves
            the previous version in the stack). Not part of the version's identity: a change re-judges the version already
            in the stack on update, changing nothing on the service.
        :param existing_version_arn: Adopt this existing version of `solution_arn` (trained by hand, or by the solution's
            automatic training) instead of training one: create waits for it if it is still training, judges it against
            `min_metrics`, gives it `tags`, and never calls CreateSolutionVersion. Cannot be combined with `name`,
            `training_mode` or `retrain_triggers`. Changing it replaces the resource. (The package's resource can also be
            given a version with `pulumi import`; the Python dynamic resource cannot, pulumi/pulumi#16175.)
        """
        self.solution_arn = solution_arn
        self.training_mode = training_mode
        self.tags = tags
        self.retrain_triggers = retrain_triggers
        self.wait_timeout_minutes = wait_timeout_minutes
        self.aws_provider = aws_provider
        self.region = region
        self.profile = profile
        self.min_metrics = min_metrics
        self.existing_version_arn = existing_version_arn


OWN_DOCS = {
    "aws_provider": (
        "A `pulumi_aws.Provider` whose region and profile the training should use, so a multi-region or "
        "multi-account stack trains where the rest of its AWS resources live. Its static keys are not used (they "
        "would be stored in state): give it a profile, or use the environment's credentials."
    ),
    "region": ("Region override (default: the provider's, then the solution ARN's; all must agree)."),
    "profile": ("Profile override (default: the provider's, then the stack's `aws:profile`)."),
}
"""What TrainedModelArgs means by these parameters (the rest are SolutionVersion's own, passed on)."""


class TrainedModel(pulumi.ComponentResource):
    """A trained Personalize model: a SolutionVersion child named `<name>-version`.

    Outputs: `version_arn`, `status`, `training_hours`, `metrics`, `tags` (the component's own), `tags_all` (the
    effective set, with the stack's `aws:defaultTags`).
    """

    version_arn: pulumi.Output[str]
    """ARN of the trained solution version; it only ever names a version that passed `min_metrics`."""
    status: pulumi.Output[str]
    """ACTIVE once trained."""
    training_hours: pulumi.Output[float]
    """Billed training hours."""
    metrics: pulumi.Output[Mapping[str, float]]
    """Offline metrics of the trained version (GetSolutionMetrics)."""
    tags: pulumi.Output[Mapping[str, str]]
    """The component's own tags, as given."""
    tags_all: pulumi.Output[Mapping[str, str]]
    """The effective tags on the version: the stack's `aws:defaultTags` overlaid by `tags`."""

    def __init__(self, name: str, args: TrainedModelArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(TYPE_TOKEN, name, None, opts)
        region = args.region if args.region is not None else (args.aws_provider.region if args.aws_provider else None)
        profile = (
            args.profile if args.profile is not None else (args.aws_provider.profile if args.aws_provider else None)
        )
        self.solution_version = SolutionVersion(
            f"{name}-version",
            SolutionVersionArgs(
                solution_arn=args.solution_arn,
                training_mode=args.training_mode,
                tags=args.tags,
                retrain_triggers=args.retrain_triggers,
                wait_timeout_minutes=args.wait_timeout_minutes,
                region=region,
                profile=profile,
                min_metrics=args.min_metrics,
                existing_version_arn=args.existing_version_arn,
            ),
            pulumi.ResourceOptions(parent=self),
        )
        # The resource's id is the version's ARN. Unlike the `solution_version_arn` output, the id stays known in a
        # preview of an in-place update (tags, gate), so what consumes it (a campaign) previews no spurious change.
        self.version_arn = self.solution_version.id
        self.status = self.solution_version.status
        self.training_hours = self.solution_version.training_hours
        self.metrics = self.solution_version.metrics
        self.tags = self.solution_version.tags
        self.tags_all = self.solution_version.tags_all
        self.register_outputs(
            {
                "versionArn": self.version_arn,
                "status": self.status,
                "trainingHours": self.training_hours,
                "metrics": self.metrics,
                "tags": self.tags,
                "tagsAll": self.tags_all,
            }
        )
