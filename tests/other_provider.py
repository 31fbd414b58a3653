"""Another dynamic provider of the same program (a team's own), for tests/host/test_adjustments.py: the host must
answer it exactly as the SDK does, whatever this project's provider changed in the host."""

from __future__ import annotations

from typing import Any

from pulumi.dynamic import CreateResult, DiffResult, ResourceProvider


class TeamProvider(ResourceProvider):
    def create(self, props: dict[str, Any]) -> CreateResult:
        if props.get("fail"):
            raise ValueError("the team's provider failed")
        return CreateResult("team-1", {"value": props.get("value")})

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        return DiffResult(
            changes=olds.get("value") != news.get("value"), replaces=[], stables=[], delete_before_replace=False
        )
