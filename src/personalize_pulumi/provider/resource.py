"""`SolutionVersion`: an Amazon Personalize solution version (a trained model) as a Pulumi resource."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from .owner import TrainingOwner, owner_aliases, owner_name
from .properties import (
    DEFAULT_TAGS_CONFIG,
    INPUTS,
    NAME_SCOPE,
    OUTPUTS,
    OWNER_CREATED_AT,
    OWNER_TOKEN,
    RESOURCE_MODULE,
    RESOURCE_NAME,
    TAGS_ALL,
    SolutionVersionState,
    TrainingMode,
)
from .solution_version import SolutionVersionProvider


class SolutionVersionArgs:
    """Inputs of a SolutionVersion."""

    def __init__(
        self,
        *,
        solution_arn: pulumi.Input[str],
        name: pulumi.Input[str] | None = None,
        training_mode: pulumi.Input[TrainingMode] | None = None,
        tags: pulumi.Input[Mapping[str, pulumi.Input[str]]] | None = None,
        retrain_triggers: pulumi.Input[Mapping[str, Any]] | None = None,
        wait_timeout_minutes: pulumi.Input[float] | None = None,
        region: pulumi.Input[str | None] | None = None,
        profile: pulumi.Input[str | None] | None = None,
        min_metrics: pulumi.Input[Mapping[str, pulumi.Input[float]]] | None = None,
        existing_version_arn: pulumi.Input[str] | None = None,
    ):
        """:param solution_arn: ARN of the Personalize solution to train; it must exist, and `create` waits for it to become
            ACTIVE. Changing it trains a new version (replace).
        :param name: Name of the version, 1-63 characters of letters, digits, '-' and '_'. Default: the resource name plus a
            hash of the stack's names, its owner token, the solution ARN, training mode and retrain triggers, so a retried
            `pulumi up` finds the version an interrupted one started. After a failed or stopped training the next attempt is
            named `<name>-2`, `-3`, ... (output `version_name`). Changing it trains a new version.
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
        :param region: AWS region of the calls; default, and must equal, the solution ARN's region.
        :param profile: AWS shared-config profile for the calls; default the stack's `aws:profile`, then the standard
            credential chain.
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
        self.name = name
        self.training_mode = training_mode
        self.tags = tags
        self.retrain_triggers = retrain_triggers
        self.wait_timeout_minutes = wait_timeout_minutes
        self.region = region
        self.profile = profile
        self.min_metrics = min_metrics
        self.existing_version_arn = existing_version_arn

    def to_inputs(self) -> dict[str, Any]:
        """State keys (camelCase) for the arguments that were given."""
        return {camel: getattr(self, snake) for snake, camel in INPUTS.items() if getattr(self, snake) is not None}


class SolutionVersion(SolutionVersionState, Resource, module=RESOURCE_MODULE, name=RESOURCE_NAME):
    """An Amazon Personalize solution version: `pulumi up` trains it and waits until it is ACTIVE.

    Deleting it stops a training still in progress; an ACTIVE, failed or stopped version is only removed from the
    stack (Personalize has no API to delete a solution version; it goes away with its solution). Its outputs are the
    typed attributes declared in `SolutionVersionState` (`solution_version_arn`, `status`, `metrics`, ...).
    """

    def __init__(self, resource_name: str, args: SolutionVersionArgs, opts: pulumi.ResourceOptions | None = None):
        props: dict[str, Any] = {camel: None for camel in (*INPUTS.values(), *OUTPUTS.values())}
        props.update(args.to_inputs())
        props[NAME_SCOPE] = f"{pulumi.get_project()}/{pulumi.get_stack()}/{resource_name}"
        # Marks the effective tags secret wherever `tags` holds a secret: the engine carries an input's secrets over
        # to the checked input and the output of the same key (check replaces the value itself).
        props[TAGS_ALL] = args.tags
        if pulumi.runtime.is_config_secret(DEFAULT_TAGS_CONFIG):
            # check merges the stack's default tags into `tagsAll`, and the provider host receives them as plain
            # text: only the program knows they are secret. A secret input makes the checked input secret; the
            # option makes the output secret.
            props[TAGS_ALL] = pulumi.Output.secret(args.tags)
            opts = pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(additional_secret_outputs=[TAGS_ALL]))
        if args.existing_version_arn is None:  # a version this resource trains: its owner exists before it starts
            owner_opts = pulumi.ResourceOptions(
                parent=opts.parent if opts else None,
                aliases=owner_aliases(opts.aliases if opts else None),
            )
            owner = TrainingOwner(owner_name(resource_name), props, owner_opts)
            props[OWNER_TOKEN] = owner.token
            props[OWNER_CREATED_AT] = owner.service_created_at
        super().__init__(SolutionVersionProvider(), resource_name, props, opts)
