"""Proof of ownership: the tag every attempt this provider trains is created with, and how a stack recognizes it.

Names and times can lie: another stack may give its version the same explicit name, a derived name of another
project may look like an attempt (`recs-19301250`), the service's clock may be hours off the machine's, and a new
version may be missing from ListSolutionVersions for a while. So a stack adopts, retags, stops or counts as an
attempt only a version that carries its **marker**: the tag `MARKER_TAG`, set by CreateSolutionVersion itself (the
version has it from its first moment), whose value is

    <owner>.<identity>.<attempt>

- `owner`: an HMAC-SHA256 of a fixed text keyed by the resource's owner token (owner.py: random, created once per
  resource and stack, secret in state). It names the resource whose attempt this is, whatever its inputs were then:
  destroying the owner stops every attempt still training that carries it.
- `identity`: an HMAC of the attempt's identity (solution ARN, training mode, retrain triggers, and the name if it is
  not the one derived from them: naming.py) under the same key: a create adopts only an attempt of the inputs it was
  asked for. A derived name is left out because it also hashes where the resource is (project, stack, resource
  name): a model renamed with `aliases` keeps its owner, and `pulumi up --replace` of it then adopts the version it
  trained under its old name instead of training again.
- `attempt`: the attempt's number (1 is the name itself, then `<name>-2`, ...; see naming.py).

Keyed digests, never the token: the tag is readable by anyone allowed ListTagsForResource, and neither reveals the
token nor can be made from plaintext state (the token is stored encrypted; the marker is not in state at all: it is
left out of `tagsAll`, and no update or refresh ever touches it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from typing import Any

from .naming import autoname

MARKER_TAG = "personalize-pulumi:owner"
"""The tag key of the marker. Reserved: `tags` may not use it, and tag updates never add, change or remove it."""
_OWNER_LENGTH = 32
_IDENTITY_LENGTH = 16
_VALUE = re.compile(rf"([0-9a-f]{{{_OWNER_LENGTH}}})\.([0-9a-f]{{{_IDENTITY_LENGTH}}})\.([1-9][0-9]*)")


@dataclass(frozen=True)
class Marker:
    """One attempt's marker: whose (`owner`), of which inputs (`identity`), which attempt."""

    owner: str
    identity: str
    attempt: int

    @property
    def value(self) -> str:
        return f"{self.owner}.{self.identity}.{self.attempt}"

    @classmethod
    def parse(cls, value: Any) -> Marker | None:
        match = _VALUE.fullmatch(value) if isinstance(value, str) else None
        return cls(match[1], match[2], int(match[3])) if match else None


@dataclass(frozen=True)
class OwnerKey:
    """What a resource proves its attempts with: its owner token, kept only in the provider process."""

    token: str

    def __repr__(self) -> str:  # never print the token
        return "OwnerKey(<secret>)"

    def _digest(self, text: str, length: int) -> str:
        return hmac.new(self.token.encode(), text.encode(), hashlib.sha256).hexdigest()[:length]

    @property
    def owner(self) -> str:
        return self._digest("personalize-pulumi/owner/v1", _OWNER_LENGTH)

    def identity(self, inputs: dict[str, Any]) -> str:
        """The digest of an attempt's identity: the checked inputs' solution ARN, training mode and retrain triggers,
        and their `name` (the base of its attempts' names) unless it is the name derived from them."""
        name = inputs.get("name")
        explicit = None if name == autoname({}, inputs) else name
        identity = [explicit, *(inputs.get(key) for key in ("solutionArn", "trainingMode", "retrainTriggers"))]
        text = json.dumps(identity, sort_keys=True, separators=(",", ":"), default=str)
        return self._digest(f"personalize-pulumi/identity/v1|{text}", _IDENTITY_LENGTH)

    def marker(self, inputs: dict[str, Any], attempt: int) -> Marker:
        return Marker(self.owner, self.identity(inputs), attempt)

    def recognize(self, tags: dict[str, str]) -> Marker | None:
        """The marker in `tags` if it is this resource's (any of its identities), else None."""
        marker = Marker.parse(tags.get(MARKER_TAG))
        if marker is None or not hmac.compare_digest(marker.owner, self.owner):
            return None
        return marker


def owner_key(token: Any) -> OwnerKey | None:
    """The key of a resource whose owner token is `token`; None without one (nothing can then be proven: such a
    resource adopts nothing and marks nothing)."""
    return OwnerKey(token) if isinstance(token, str) and token else None


def is_marker_tag(key: str) -> bool:
    return key == MARKER_TAG
