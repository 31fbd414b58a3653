"""The `personalize` plugin's configuration: the `personalize:` namespace of the stack, or an explicit provider's inputs.

Credentials are never configuration: they come from the standard AWS chain (environment, profile, instance role), so
no key is ever stored in the provider's state. The plugin adds one input of its own, `ownershipKey` (check_config):
a random secret made when the provider is first created and kept in its state from then on, from which each resource
derives the owner token its attempts are marked with (ownership.py), so that an `up` interrupted before anything was
recorded is resumed by the next one and never trains twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

from ..provider.clients import StackAwsConfig
from ..provider.tags import DefaultTags

OWNERSHIP_KEY = "ownershipKey"

CONFIG_VARIABLES: dict[str, dict[str, Any]] = {
    "region": {
        "type": "string",
        "description": "AWS region of the calls when a resource says none (default: the solution ARN's region).",
    },
    "profile": {
        "type": "string",
        "description": "AWS shared-config profile of the calls when a resource says none (default: the standard "
        "credential chain).",
    },
    "defaultTags": {
        "type": "object",
        "additionalProperties": {"$ref": "pulumi.json#/Any"},
        "description": "Tags every version gets, as pulumi-aws's `aws:defaultTags`: `{tags: {team: ml}}`; a "
        "resource's own `tags` win on conflicts.",
    },
}


@dataclass(frozen=True)
class PluginConfig:
    """What `Configure` received."""

    aws: StackAwsConfig
    default_tags: DefaultTags
    ownership_key: str | None
    secret_default_tags: bool = False
    """Whether `defaultTags` is a secret: then every resource's effective tags (`tagsAll`) are too."""

    @classmethod
    def of(cls, args: dict[str, Any], secrets: Collection[str] = ()) -> PluginConfig:
        """Read the provider's checked inputs (values may be JSON text, as stack config holds them); `secrets`: the
        keys the engine sent as secrets."""
        tags = args.get("defaultTags")
        return cls(
            aws=StackAwsConfig(region=_text(args.get("region")), profile=_text(args.get("profile"))),
            default_tags=DefaultTags.from_config(json.dumps(tags) if isinstance(tags, dict) else tags),
            ownership_key=_text(args.get(OWNERSHIP_KEY)),
            secret_default_tags="defaultTags" in secrets,
        )

    def owner_token(self, urn: str) -> str | None:
        """The owner token of the resource `urn`: the same for every operation of this provider, different for any
        other stack or provider (None before the provider has its key)."""
        if not self.ownership_key:
            return None
        return hmac.new(self.ownership_key.encode(), urn.encode(), hashlib.sha256).hexdigest()


def with_ownership_key(olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
    """The provider's inputs `news`, with the ownership key it already has (`olds`), or a new one."""
    key = olds.get(OWNERSHIP_KEY) or news.get(OWNERSHIP_KEY) or secrets.token_hex(32)
    return {**news, OWNERSHIP_KEY: key}


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
