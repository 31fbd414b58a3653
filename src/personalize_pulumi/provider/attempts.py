"""Attempt names: the first training of a resource uses its checked `name`; after a CREATE FAILED or CREATE STOPPED
attempt, the next one is `<name>-2`, then `<name>-3`, and so on.

Names are derived only from the checked name and the attempt number, so every run (and every interrupted or
concurrent one) agrees on them; the service refuses a second version with the same name, which makes starting an
attempt idempotent.

Derived names stay within the service's 63 characters. A name that fits is `<name>-<number>`; when `<name>` must be
shortened, its tail gives way to a hash of the whole name (`<first characters>-<6 hex>-<number>`), so two names that
share their first characters still have attempts of their own (cutting alone gave both the same `-2`, and the second
resource adopted the first one's training). Names that fit never changed: versions in users' stacks are found by them.
"""

from __future__ import annotations

import hashlib
import re

from .naming import NAME_MAX

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
