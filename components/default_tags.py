"""The stack's `aws:defaultTags`, the same config pulumi-aws reads (`aws:defaultTags: {tags: {key: value}}`)."""

from __future__ import annotations

import pulumi


def stack_default_tags() -> dict[str, str]:
    """The `tags` map of `aws:defaultTags`, or {} if unset; a malformed value stops the program naming the key."""
    try:
        value = pulumi.Config("aws").get_object("defaultTags")
    except Exception as error:  # noqa: BLE001 - pulumi raises a bare JSON error for malformed objects
        raise pulumi.RunError(f"config 'aws:defaultTags' must be an object like {{tags: {{team: ml}}}}: {error}") from None
    if value is None:
        return {}
    tags = value.get("tags") if isinstance(value, dict) else None
    if not isinstance(tags, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in tags.items()):
        raise pulumi.RunError("config 'aws:defaultTags' must be an object like {tags: {team: ml}} with string values")
    return dict(tags)
