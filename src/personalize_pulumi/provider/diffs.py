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
releases) is an in-place update that calls nothing on AWS: it moves `__provider` in the outputs (`provider_moved` below).
"""

from __future__ import annotations

import base64
import binascii
import pickletools
from dataclasses import dataclass, field
from typing import Any

from .outputs import user_tags
from .properties import (
    ACTIVE,
    ADOPTED_IDENTITY,
    IDENTITY_CAUSES,
    NAME_SCOPE,
    OPERATIONAL,
    PROVIDER_KEY,
    REPLACE_ON_CHANGE,
    TAGS_ALL,
    TRAINING,
    UPDATE_IN_PLACE,
)
from .values import MAX_DEPTH, depth, is_unknown, normalize_numbers, printable, show

QUOTED_MAX = 100
"""Longest name or ARN a reviewer's line quotes."""

# A missing map and an empty one are the same input.
_EMPTY_MAPS = ("tags", TAGS_ALL, "retrainTriggers", "minMetrics")


@dataclass(frozen=True)
class Decision:
    """Which properties changed, which of those force a new training, and what the preview lists."""

    changes: list[str]
    replaces: list[str]
    shown: dict[str, str] = field(default_factory=dict)
    """The detailed diff the engine displays (host.py sends it): property -> "add", "delete" or "update", with
    "-replace" when it forces a new training. Output-only properties are never listed (the SDK's host would otherwise
    have the engine list each as removed in a replace), nor a derived `name` whose change another identity input
    explains."""


def decide(olds: dict[str, Any], news: dict[str, Any]) -> Decision:
    """Replace when an identity input changed or is not known yet (or the live version is no longer ACTIVE); update
    when only tags, minimums or operational inputs did (or are not known yet)."""
    adopted = olds.get("existingVersionArn") is not None or news.get("existingVersionArn") is not None
    identity = ADOPTED_IDENTITY if adopted else REPLACE_ON_CHANGE
    replaces = [key for key in identity if _differs(olds, news, key)]
    # A refresh that found the version stopped or failed out of band: the next `up` trains a new one. A version
    # recorded while still training (the plugin records the training an interrupted create leaves) is waited for by
    # the update the engine then sends, never replaced: its replacement would adopt it and the delete stop it.
    status = olds.get("status")
    if status is not None and status != ACTIVE and status not in TRAINING:
        replaces.append("status")
    updates = [key for key in (*UPDATE_IN_PLACE, *OPERATIONAL) if _differs(olds, news, key)]
    if provider_moved(olds, news):
        updates.append(PROVIDER_KEY)
    changes = replaces + updates
    name_derived = "name" in replaces and any(key in replaces for key in IDENTITY_CAUSES)
    shown = {
        key: _kind(olds, news, key) + ("-replace" if key in replaces else "")
        for key in changes
        if not (key == "name" and name_derived)
    }
    return Decision(changes=changes, replaces=replaces, shown=shown)


def _kind(olds: dict[str, Any], news: dict[str, Any], key: str) -> str:
    if olds.get(key) is None:
        return "add"
    return "delete" if news.get(key) is None else "update"


def _resource_name(props: dict[str, Any]) -> str | None:
    """The resource's name as the engine shows it (the last part of `project/stack/name`), if it reads as one."""
    scope = props.get(NAME_SCOPE)
    if not isinstance(scope, str):
        return None
    return printable(scope.rsplit("/", 1)[-1], limit=QUOTED_MAX) or None


def explain(decision: Decision, olds: dict[str, Any], news: dict[str, Any]) -> str | None:
    """One line for the reviewer of a preview: whether the change trains a new version (and what the current one
    cost), adopts one, or changes the version in place with no training. None when nothing changes."""
    if not decision.changes:
        return None
    who = _resource_name(news) or _resource_name(olds) or "solution version"
    if decision.replaces:
        adopting = news.get("existingVersionArn")
        if isinstance(adopting, str):
            return f"{who}: adopts {printable(adopting, limit=QUOTED_MAX) or 'another version'}: no training"
        causes = [key for key in decision.shown if key in decision.replaces]
        hours = olds.get("trainingHours")
        cost = f"; the current one took {hours:.3g} training hours" if isinstance(hours, (int, float)) else ""
        if causes == ["status"]:
            status = olds.get("status")  # a string, unless the state was edited by hand
            status_text = status if isinstance(status, str) else show(status)
            return f"{who}: trains a new version because the current one is {status_text}"
        because = " and ".join(", ".join(causes).rsplit(", ", 1))
        verb = "changes" if len(causes) == 1 else "change"
        return f"{who}: trains a new version because {because} {verb}{cost}"
    doing = []
    if any(key in decision.changes for key in ("tags", TAGS_ALL)):
        doing.append("retags it")
    if "minMetrics" in decision.changes:
        doing.append("judges it again against minMetrics")
    stored = [key for key in OPERATIONAL if key in decision.changes]
    if stored:
        doing.append(f"stores {', '.join(stored)}")
    if PROVIDER_KEY in decision.changes:
        doing.append("moves its stored provider to the installed package")
    return f"{who}: no training; updates the version in place: {'; '.join(doing)}"


def explain_create(news: dict[str, Any], resource_name: str | None = None) -> str:
    """The reviewer's line for a new resource (the engine diffs nothing for one, so check says it): it trains a new
    version, or adopts one."""
    who = _resource_name(news) or resource_name or "solution version"
    if "existingVersionArn" in news:
        adopting = news["existingVersionArn"]
        if isinstance(adopting, str):
            return f"{who}: adopts {printable(adopting, limit=QUOTED_MAX) or 'another version'}: no training"
        return f"{who}: adopts the version existingVersionArn names (not known yet): no training"
    return f"{who}: trains a new version"


def explain_drift(decision: Decision, olds: dict[str, Any], news: dict[str, Any]) -> str | None:
    """The line of a refresh that found the version changed outside the stack (the engine diffs what it read, `olds`,
    against the program's last inputs, `news`): what it found and what the next `pulumi up` does about it. A refresh
    changes nothing itself. None when it found nothing."""
    if not decision.changes:
        return None
    who = _resource_name(news) or _resource_name(olds) or "solution version"
    status = olds.get("status")
    if "status" in decision.replaces:
        status_text = status if isinstance(status, str) else show(status)
        return f"{who}: found the version {status_text}; the next `pulumi up` trains a new one"
    found = [key for key in decision.shown if key != PROVIDER_KEY]
    if not found:
        return None
    keys = " and ".join(", ".join(found).rsplit(", ", 1))
    verb = "differs" if len(found) == 1 else "differ"
    then = "trains a new version" if decision.replaces else "sets it back" if len(found) == 1 else "sets them back"
    changed = f"found the version changed outside the stack: {keys} {verb} from the program's"
    return f"{who}: {changed}; the next `pulumi up` {then}"


def _differs(olds: dict[str, Any], news: dict[str, Any], key: str) -> bool:
    old, new = _value(olds, key), _value(news, key)
    if depth(old) > MAX_DEPTH or depth(new) > MAX_DEPTH:
        # Too deep to compare (check refuses such inputs; a state may hold one from before that, or edited by hand).
        # Checked inputs never are, so the two differ.
        return True
    if is_unknown(old) or is_unknown(new):
        return True  # it may change: say so in the preview rather than promise no change
    # Numbers come back from state as floats; 3 and 3.0 are the same input.
    return bool(normalize_numbers(old) != normalize_numbers(new))


def _value(props: dict[str, Any], key: str) -> Any:
    value = props.get(key)
    if value is None and key in _EMPTY_MAPS:
        return {}
    if key == TAGS_ALL and isinstance(value, dict):
        return user_tags(value)  # AWS's own tags are not the stack's (outputs of earlier versions may hold them)
    return value


# Where a stored `__provider` says its class lives, read without unpickling it (so nothing is imported). Every
# resource's state holds its provider pickled by reference (`module.Class`, properties.STATE_PATH). A stack created
# from the vendored layout of earlier releases holds `providers.solution_version.SolutionVersionProvider`; `decide`
# sees that path in the old outputs and plans one in-place update, which writes the current path into the outputs and
# calls nothing on AWS. After it, refresh and destroy no longer need the old folders.


def pickled_class(serialized: Any) -> str | None:
    """`module.Class` of the first class a base64 pickle refers to; None if it is not one that can be read."""
    if not isinstance(serialized, str):
        return None
    try:
        strings: list[str] = []
        for opcode, argument, _ in pickletools.genops(base64.b64decode(serialized, validate=True)):
            if opcode.name == "GLOBAL" and isinstance(argument, str):
                return argument.replace(" ", ".")
            if opcode.name == "STACK_GLOBAL" and len(strings) >= 2:
                return f"{strings[-2]}.{strings[-1]}"
            if isinstance(argument, str) and "UNICODE" in opcode.name:
                strings.append(argument)
    except (binascii.Error, ValueError):
        return None
    return None


def provider_moved(olds: dict[str, Any], news: dict[str, Any]) -> bool:
    """True when the stored provider's class path differs from the new one (e.g. the vendored `providers.` path)."""
    old, new = pickled_class(olds.get(PROVIDER_KEY)), pickled_class(news.get(PROVIDER_KEY))
    return old is not None and new is not None and old != new
