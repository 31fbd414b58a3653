"""The IAM policy a deploy role needs for SolutionVersion, shipped in the package as `policy.json`: every Personalize
action the provider calls and nothing else, one statement per operation (tested against what the provider calls over
a whole lifecycle: `tests/provider/test_iam_policy.py`). `python -m personalize_pulumi.iam` prints it, e.g. for
`aws iam create-policy --policy-name personalize-pulumi --policy-document file://policy.json`.

- `pulumi preview` needs **no** permission: check and diff make no AWS calls (a preview runs with no credentials).
- `Up`: create waits for the solution (DescribeSolution), checks before it trains that it may read the version it
  will wait for (DescribeSolutionVersion, GetSolutionMetrics and ListTagsForResource on `<solution ARN>/*`, which
  names no version, so that a missing permission fails before a training starts), trains with the tags
  (CreateSolutionVersion, and TagResource, which AWS requires for a create that tags), waits (DescribeSolutionVersion)
  and reads metrics and tags. A rerun that finds the training an interrupted `up` started adopts it and sets its tags
  (UntagResource, TagResource); finding it lists the solution's versions (`UpFindsAnEarlierAttempt`). A replace
  forgets the old version (DescribeSolutionVersion).
- `QualityGate` (`minMetrics`): the metrics of the version judged, and before training the metric names the
  solution reports, from its newest ACTIVE version (`QualityGateFindsReportedMetrics`: ListSolutionVersions).
- `Adoption` (`existingVersionArn`): describe the version, judge it, set its tags.
- `TagUpdate`: a change of tags, `aws:defaultTags` or `minMetrics` describes the version, reads its metrics, untags,
  tags and reads its tags.
- `Refresh`: describe, tags and metrics.
- `Destroy`: describe, and stop a version still training (StopSolutionVersionCreation); listing the solution's
  versions finds trainings an interrupted `up` left (`DestroyFindsLeftTrainings`).

Resources: Personalize authorizes every solution-version action on the `solution` resource type,
`arn:${Partition}:personalize:${Region}:${Account}:solution/${ResourceId}`, and a version's ARN is
`<solution ARN>/<id>`, so `arn:aws:personalize:*:*:solution/*` covers solutions and their versions. Narrow it to your
region, account and solution names (`...:us-east-1:123456789012:solution/recs-*`); change `aws` for other partitions
(`aws-cn`, `aws-us-gov`). ListSolutionVersions supports no resource-level permissions (the service authorization
reference lists no resource type for it), so its statements name `*`. The statements overlap on purpose: each says
what one operation needs; their union is the policy.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

POLICY_FILE = "policy.json"


def policy_text() -> str:
    """The policy document as shipped (JSON text)."""
    return resources.files(__name__).joinpath(POLICY_FILE).read_text(encoding="utf-8")


def policy() -> dict[str, Any]:
    """The policy document, parsed."""
    document: dict[str, Any] = json.loads(policy_text())
    return document


def actions(document: dict[str, Any] | None = None) -> frozenset[str]:
    """Every action the policy (`document`, default the shipped one) allows, e.g. `personalize:CreateSolutionVersion`."""
    statements = (document or policy())["Statement"]
    return frozenset(action for statement in statements for action in _as_list(statement["Action"]))


def statement(sid: str, document: dict[str, Any] | None = None) -> dict[str, Any]:
    """The statement of one operation (`Sid`, e.g. `Destroy`)."""
    for found in (document or policy())["Statement"]:
        if found.get("Sid") == sid:
            return dict(found)
    raise KeyError(sid)


def without(action: str, document: dict[str, Any] | None = None) -> dict[str, Any]:
    """The policy with `action` removed from every statement (a statement left with no action is dropped): the policy
    of a deploy role that lacks that one permission."""
    kept = []
    for found in (document or policy())["Statement"]:
        remaining = [a for a in _as_list(found["Action"]) if a != action]
        if remaining:
            kept.append({**found, "Action": remaining})
    return {**(document or policy()), "Statement": kept}


def _as_list(value: Any) -> list[str]:
    return [value] if isinstance(value, str) else list(value)
