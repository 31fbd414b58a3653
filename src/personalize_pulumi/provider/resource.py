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
    SOLUTION_VERSION_INPUTS,
    TAGS_ALL,
    SolutionVersionState,
    TrainingMode,
    args_doc,
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
        """Every parameter is documented in `properties.SOLUTION_VERSION_INPUTS`, its one declaration, from which
        this docstring is filled in at import (and docs/reference/solution-version.md is generated)."""
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


SolutionVersionArgs.__init__.__doc__ = args_doc(SOLUTION_VERSION_INPUTS)


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
