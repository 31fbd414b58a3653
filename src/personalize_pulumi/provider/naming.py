"""A version's name: the service's rule for it, the name a resource derives when none is given, and the names of its
attempts.

The first training of a resource uses its checked `name`; after a CREATE FAILED or CREATE STOPPED attempt, the next
one is `<name>-2`, then `<name>-3`, and so on. Names are derived only from the checked name and the attempt number, so
every run (and every interrupted or concurrent one) agrees on them, and a create finds the attempt an earlier run
started by its name (see `training._Create.start_or_adopt`).

Derived names stay within the service's 63 characters. A name that fits is `<name>-<number>`; when `<name>` must be
shortened, its tail gives way to a hash of the whole name (`<first characters>-<6 hex>-<number>`), so two names that
share their first characters still have attempts of their own. Names that fit never changed: versions in users'
stacks are found by them.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from pulumi.output import Unknown

from .properties import NAME_IDENTITY, NAME_SCOPE, OWNER_TOKEN
from .values import is_unknown, unknown

NAME_MAX = 63


NAME_RULE = "1-63 characters: letters, digits, '-' and '_', starting with a letter or digit"


NAME_RE = re.compile(r"[a-zA-Z0-9][a-zA-Z0-9\-_]*")


AUTONAME_HASH_LENGTH = 8


def autoname(olds: dict[str, Any], inputs: dict[str, Any]) -> str | Unknown:
    """A version name derived only from stable inputs, so a retried `pulumi up` finds the version it started, and no
    other stack's.

    `<resource name>-<8 hex>`, the hash covering project/stack/resource name, the stack's own owner token (see
    owner.py: two stacks with the same names in different backends get different names), solution ARN, training mode
    and retrain triggers. A name from the previous check is kept while none of solution ARN, training mode and
    triggers differ (so neither aliases nor a new owner token rename a version in the stack). While an input of a new
    name is unknown (a preview), so is the name: `Unknown()`, which the host sends back to the engine as the unknown
    sentinel.
    """
    identity = NAME_IDENTITY
    old_name = olds.get("name")
    if isinstance(old_name, str) and is_name(old_name) and all(olds.get(k) == inputs.get(k) for k in identity):
        return old_name
    seeds = (NAME_SCOPE, OWNER_TOKEN, *identity)
    if any(is_unknown(inputs.get(k)) for k in seeds):
        return unknown()
    scope = inputs.get(NAME_SCOPE) or "solution-version"
    seed = json.dumps([scope, *(inputs.get(k) for k in identity)], sort_keys=True, separators=(",", ":"))
    if inputs.get(OWNER_TOKEN):
        seed += "|" + inputs[OWNER_TOKEN]
    digest = hashlib.sha256(seed.encode()).hexdigest()[:AUTONAME_HASH_LENGTH]
    base = re.sub(r"[^a-zA-Z0-9\-_]", "-", scope.rsplit("/", 1)[-1])
    if not base or not base[0].isalnum():
        base = "v" + base
    return f"{base[: NAME_MAX - AUTONAME_HASH_LENGTH - 1]}-{digest}"


def is_name(value: str) -> bool:
    return 1 <= len(value) <= NAME_MAX and NAME_RE.fullmatch(value) is not None


_SUFFIX = re.compile(r"-([1-9][0-9]*)\Z")
SHORTENED_HASH_LENGTH = 6


def attempt_name(base: str, number: int) -> str:
    """The version name of attempt `number` (1 is `base` itself)."""
    if number <= 1:
        return base
    suffix = f"-{number}"
    if len(base) + len(suffix) <= NAME_MAX:
        return base + suffix
    digest = hashlib.sha256(base.encode()).hexdigest()[:SHORTENED_HASH_LENGTH]
    return f"{base[: NAME_MAX - len(suffix) - SHORTENED_HASH_LENGTH - 1]}-{digest}{suffix}"


def attempt_number(base: str, name: str | None) -> int | None:
    """Which attempt of `base` the version called `name` is, or None if it is not one."""
    if not name:
        return None
    if name == base:
        return 1
    match = _SUFFIX.search(name)
    if match is None:
        return None
    number = int(match[1])
    return number if number >= 2 and attempt_name(base, number) == name else None
