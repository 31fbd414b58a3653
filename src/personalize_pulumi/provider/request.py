"""What a create asks for: its checked inputs, read once into the fields every step of it uses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from .outputs import display_name, tags_all
from .ownership import OwnerKey, owner_key
from .properties import OWNER_CREATED_AT, OWNER_TOKEN


@dataclass(frozen=True)
class Request:
    """A create's checked inputs (`inputs`, kept whole for the outputs) and the fields read from them."""

    inputs: dict[str, Any]
    name: str
    """The checked name, the base of every attempt's name (empty for an adopted version without one)."""
    display_name: str
    """How messages name the version (`outputs.display_name`)."""
    solution_arn: str
    training_mode: str
    tags: dict[str, str]
    """The effective tags (`tagsAll`) without the `aws:` ones: what the version is given."""
    minimums: dict[str, Any]
    """`minMetrics`, empty when there is no gate."""
    minutes: str
    """`waitTimeoutMinutes` as messages write it (`90`, `0.5`)."""
    existing_arn: str | None
    owner_created: datetime | None
    """When the resource's owner was created, by the service's clock (no attempt of this resource is older), if its
    owner says (owners of releases before 1.2 knew only the machine's clock, which says nothing here)."""
    owner: OwnerKey | None
    """The key the resource's attempts are marked with (ownership.py); None for a resource without an owner."""

    @classmethod
    def of(cls, inputs: dict[str, Any]) -> Request:
        """Read checked inputs (check has validated and defaulted every field used here)."""
        return cls(
            inputs=inputs,
            name=str(inputs.get("name") or ""),
            display_name=display_name(inputs),
            solution_arn=str(inputs["solutionArn"]),
            training_mode=str(inputs.get("trainingMode") or ""),
            tags=tags_all(inputs),
            minimums=dict(inputs.get("minMetrics") or {}),
            minutes=f"{float(inputs['waitTimeoutMinutes']):g}",
            existing_arn=inputs.get("existingVersionArn") or None,
            owner_created=_moment(inputs.get(OWNER_CREATED_AT)),
            owner=owner_key(inputs.get(OWNER_TOKEN)),
        )

    @property
    def budget_seconds(self) -> float:
        """How long the whole create may take."""
        return float(self.inputs["waitTimeoutMinutes"]) * 60


def _moment(value: Any) -> datetime | None:
    try:
        return datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        return None
