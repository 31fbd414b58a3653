"""The resource's state (its outputs): the checked inputs plus what the service reports about the version."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from .ownership import is_marker_tag
from .properties import DESCRIBED_OUTPUTS, INPUTS, NAME_SCOPE, OUTPUTS, TAGS_ALL, is_reserved_tag


def outputs(
    inputs: dict[str, Any], described: dict[str, Any], live_tags: dict[str, str], metrics: dict[str, float]
) -> dict[str, Any]:
    """The full state: the checked inputs (`name` stays the checked name) plus the described version; `tagsAll` is
    `live_tags`, the version's tags as the service reports them, without the `aws:` ones."""
    result = {key: inputs[key] for key in input_keys(inputs)}
    result.update({key: _iso(described.get(field)) for key, field in DESCRIBED_OUTPUTS.items()})
    result.update(
        trainingMode=described.get("trainingMode", inputs.get("trainingMode")),  # an input, as the service reports it
        tagsAll=user_tags(live_tags),
        metrics=metrics,
    )
    return result


def with_new_inputs(olds: dict[str, Any], news: dict[str, Any]) -> dict[str, Any]:
    """The previous outputs `olds` with the inputs replaced by `news` (for changes that need no service call)."""
    result = {key: news[key] for key in input_keys(news)}
    result.update({key: olds.get(key) for key in OUTPUTS.values()})
    return result


def input_keys(props: dict[str, Any]) -> list[str]:
    """The input keys present in `props`."""
    return [key for key in (*INPUTS.values(), NAME_SCOPE) if key in props]


def display_name(props: dict[str, Any]) -> str:
    """How messages name the version: the attempt's name, the checked name, or for an adopted version without either
    the end of its ARN (`<solution name>/<id>`)."""
    name = props.get("versionName") or props.get("name")
    if isinstance(name, str) and name:
        return name
    arn = props.get("solutionVersionArn") or props.get("existingVersionArn")
    if isinstance(arn, str) and ":solution/" in arn:
        return arn.split(":solution/", 1)[1]
    return str(name)


def tags_all(props: dict[str, Any]) -> dict[str, str]:
    """The effective tags in `props`: what check computed (checked inputs), or what the version had (outputs)."""
    return user_tags(props.get(TAGS_ALL) or {})


def user_tags(tags: dict[str, str]) -> dict[str, str]:
    """Tags without the `aws:` ones, which only AWS may set, and without this provider's marker (ownership.py)."""
    return {key: value for key, value in tags.items() if not is_provider_tag(key)}


def is_provider_tag(key: str) -> bool:
    """Tags the stack never declares, changes or removes: AWS's `aws:` ones and the marker of ownership."""
    return is_reserved_tag(key) or is_marker_tag(key)


def _iso(moment: Any) -> str | None:
    return moment.isoformat() if isinstance(moment, datetime) else moment
