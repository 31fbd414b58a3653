"""`diff`: decide replace / update / nothing for a SolutionVersion. Pure: no AWS calls, no output.

`olds` are the previous outputs (which carry the checked inputs), `news` the new checked inputs. During a preview
`news` may hold unknown values (`pulumi.output.Unknown`, at any depth); diff is conservative about them and names the
property: an unknown identity input is a replace, unknown tags, minimums or operational inputs an update.

Tags are compared as pulumi-aws does: `tagsAll` (the effective set check computed from the stack's `aws:defaultTags`
and `tags`) against the tags the version had at the last create, update or refresh, so a change of `aws:defaultTags`
or a tag changed outside the stack is an in-place update; `tags` is compared too, so the state keeps what the program
declares.

A version adopted with `existingVersionArn` is identified by that ARN (and its solution) alone: its name, training
mode and triggers are the service's, and a change of the ARN (or a switch between adopting and training) replaces.

A stored provider whose class path is not today's (a stack created with the vendored `providers/` folder of earlier
releases) is an in-place update that calls nothing on AWS: it moves `__provider` in the outputs (see provider_path.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .checks import is_unknown, normalize_numbers
from .properties import ACTIVE, ADOPTED_IDENTITY, OPERATIONAL, REPLACE_ON_CHANGE, TAGS_ALL, UPDATE_IN_PLACE
from .provider_path import PROVIDER_KEY, provider_moved
from .state import user_tags

# A missing map and an empty one are the same input.
_EMPTY_MAPS = ("tags", TAGS_ALL, "retrainTriggers", "minMetrics")


@dataclass(frozen=True)
class Decision:
    """Which properties changed, and which of those force a new training."""

    changes: list[str]
    replaces: list[str]


def decide(olds: dict[str, Any], news: dict[str, Any]) -> Decision:
    """Replace when an identity input changed or is not known yet (or the live version is no longer ACTIVE); update
    when only tags, minimums or operational inputs did (or are not known yet)."""
    adopted = olds.get("existingVersionArn") is not None or news.get("existingVersionArn") is not None
    identity = ADOPTED_IDENTITY if adopted else REPLACE_ON_CHANGE
    replaces = [key for key in identity if _differs(olds, news, key)]
    # A refresh that found the version stopped or failed out of band: the next `up` trains a new one.
    status = olds.get("status")
    if status is not None and status != ACTIVE:
        replaces.append("status")
    updates = [key for key in (*UPDATE_IN_PLACE, *OPERATIONAL) if _differs(olds, news, key)]
    if provider_moved(olds, news):
        updates.append(PROVIDER_KEY)
    return Decision(changes=replaces + updates, replaces=replaces)


def _differs(olds: dict[str, Any], news: dict[str, Any], key: str) -> bool:
    old, new = _value(olds, key), _value(news, key)
    if is_unknown(old) or is_unknown(new):
        return True  # it may change: say so in the preview rather than promise no change
    # Numbers come back from state as floats; 3 and 3.0 are the same input.
    return normalize_numbers(old) != normalize_numbers(new)


def _value(props: dict[str, Any], key: str) -> Any:
    value = props.get(key)
    if value is None and key in _EMPTY_MAPS:
        return {}
    if key == TAGS_ALL and isinstance(value, dict):
        return user_tags(value)  # AWS's own tags are not the stack's (outputs of earlier versions may hold them)
    return value
