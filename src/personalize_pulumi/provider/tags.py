"""Tags: the service's rules for a tag, and the effective set `tagsAll` (the stack's `aws:defaultTags` overlaid by the
resource's `tags`, as pulumi-aws computes it).

The tag pattern is the service's own tagKey/tagValue pattern (botocore's model), which allows any Unicode letter,
space and number.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import regex
from pulumi.output import Unknown

from .ownership import MARKER_TAG, is_marker_tag
from .properties import DEFAULT_TAGS_CONFIG, MAX_TAGS, is_reserved_tag
from .values import is_unknown_itself, show, unknown

TAG_KEY_MAX = 128


TAG_VALUE_MAX = 256


TAG_RE = regex.compile(r"[\p{L}\p{Z}\p{N}_.:/=+\-@]*")


TAG_CHARS = "letters, digits, spaces and _ . : / = + - @"


MAX_USER_TAGS = MAX_TAGS - 1
"""Tags a stack may give a version: Personalize allows 50, and one is the marker of ownership (ownership.py)."""


@dataclass(frozen=True)
class DefaultTags:
    """The stack's `aws:defaultTags` as `configure` received them: the tags, or the one line saying why they cannot be
    used (reported by `check`, so a malformed config fails the preview of every SolutionVersion, naming the key)."""

    tags: dict[str, str] = field(default_factory=dict)
    problem: str | None = None

    @classmethod
    def from_config(cls, raw: Any) -> DefaultTags:
        try:
            return cls(tags=parse_default_tags(raw))
        except ValueError as error:
            return cls(problem=str(error))


NO_DEFAULT_TAGS = DefaultTags()


def parse_default_tags(raw: Any) -> dict[str, str]:
    """The `tags` map of `aws:defaultTags` (JSON text, as stack config holds it, or the parsed object); {} if unset.

    A malformed value raises ValueError with one line naming the config key.
    """
    rule = f"config {DEFAULT_TAGS_CONFIG!r} must be an object like {{tags: {{team: ml}}}} with string values"
    if raw is None or raw == "":
        return {}
    value = raw
    if isinstance(raw, str):
        try:
            value = json.loads(raw)
        except (ValueError, RecursionError) as error:  # RecursionError: nested too deeply for the decoder
            raise ValueError(f"{rule}; it is not JSON ({error})") from None
    tags = value.get("tags") if isinstance(value, dict) else None
    if (
        not isinstance(value, dict)
        or set(value) - {"tags"}
        or not isinstance(tags, (dict, type(None)))
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in (tags or {}).items())
    ):
        raise ValueError(f"{rule}; got {show(value)}")
    return dict(tags or {})


def effective_tags(defaults: DefaultTags, tags: Any) -> tuple[dict[str, Any] | Unknown | None, list[str]]:
    """`tagsAll`, as pulumi-aws computes it: the stack's default tags overlaid by the declared `tags` (which win), and
    what is wrong with it that `tags` alone does not show (the default tags' own keys and values, the 50-tag limit on
    the whole set). Unknown while `tags` as a whole is; a declared value not known yet is unknown in `tagsAll` too.
    None when there is no effective set to compute (a malformed config, or `tags` not a map). The problems are
    those of `tagsAll`."""
    if defaults.problem is not None:
        return None, [defaults.problem]
    problems = [
        f"{DEFAULT_TAGS_CONFIG}: {problem}"
        for key, value in defaults.tags.items()
        for problem in tag_problems(key, value)
    ]
    if is_unknown_itself(tags):
        merged: dict[str, Any] | Unknown | None = unknown()
        count, declared = len(defaults.tags), "an unknown number"  # at least that many
    elif isinstance(tags, dict):
        merged = {**defaults.tags, **tags}
        count, declared = len(merged), str(len(tags))
    else:
        merged, count, declared = None, 0, ""
    too_many_declared = isinstance(tags, dict) and len(tags) > MAX_USER_TAGS  # fails on `tags` already
    if count > MAX_USER_TAGS and not too_many_declared:
        problems.append(
            f"tagsAll (the stack's {DEFAULT_TAGS_CONFIG} overlaid by tags) may hold at most {MAX_USER_TAGS} tags "
            f"(Personalize allows {MAX_TAGS}; one is this provider's {MARKER_TAG} tag); got {count}: "
            f"{len(defaults.tags)} from {DEFAULT_TAGS_CONFIG}, {declared} from tags"
        )
    return merged, problems


def tag_problems(key: Any, value: Any) -> list[str]:
    """What the service would refuse about one tag (nothing about a key or value not known yet)."""
    if is_unknown_itself(key) or is_unknown_itself(value):
        return []
    problems, shown = [], show(key)
    if not isinstance(key, str) or not 1 <= len(key) <= TAG_KEY_MAX or not TAG_RE.fullmatch(key):
        problems.append(f"tag key {shown} must be 1-{TAG_KEY_MAX} characters of {TAG_CHARS}")
    elif is_reserved_tag(key):
        problems.append(f"tag key {shown} starts with 'aws:', which is reserved for AWS")
    elif is_marker_tag(key):
        problems.append(f"tag key {shown} is reserved: this provider marks the versions it trains with it")
    if not isinstance(value, str):
        problems.append(f"tag {shown} must have a string value; got {type(value).__name__}")
    elif len(value) > TAG_VALUE_MAX or not TAG_RE.fullmatch(value):
        problems.append(f"tag {shown} value must be 0-{TAG_VALUE_MAX} characters of {TAG_CHARS}")
    return problems
