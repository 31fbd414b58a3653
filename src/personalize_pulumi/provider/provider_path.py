"""Where a stored `__provider` says its class lives, read without unpickling it (so nothing is imported).

Every resource's state holds its provider pickled by reference: `module.Class`. That path is a promise (see
`STATE_PATH`). A stack created from the vendored layout of earlier releases holds `providers.solution_version.
SolutionVersionProvider`; `diff` sees that path in the old outputs and plans one in-place update, which writes the
current path into the outputs (the host stores the new `__provider` with them) and calls nothing on AWS. After it,
refresh and destroy no longer need the old folders.
"""

from __future__ import annotations

import base64
import binascii
import pickletools
from typing import Any

PROVIDER_KEY = "__provider"
"""The state key the SDK stores the pickled provider under."""
STATE_PATH = "personalize_pulumi.provider.solution_version.SolutionVersionProvider"
"""What every SolutionVersion's state records; it never changes (tests/provider/test_serialization.py)."""


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
