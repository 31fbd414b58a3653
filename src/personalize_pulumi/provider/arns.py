r"""The ARNs a SolutionVersion takes, and the region an ARN names.

Every pattern spells its digit and letter classes out in ASCII (`[0-9]`, never `\d`, which in Python matches any
Unicode digit such as Arabic-Indic ones): the service's patterns mean ASCII.
"""

from __future__ import annotations

import re

ARN_MAX = 256


SOLUTION_ARN_RE = re.compile(
    r"arn:(?P<partition>[a-z0-9-]+):personalize:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):solution/"
    r"(?P<name>[a-zA-Z0-9][a-zA-Z0-9\-_]*)"
)


SOLUTION_ARN_RULE = "arn:PARTITION:personalize:REGION:ACCOUNT:solution/NAME, at most 256 characters"


VERSION_ARN_RE = re.compile(SOLUTION_ARN_RE.pattern + r"/(?P<id>[a-zA-Z0-9]+)")


VERSION_ARN_RULE = "arn:PARTITION:personalize:REGION:ACCOUNT:solution/NAME/ID, at most 256 characters"


REGION_RE = re.compile(r"[a-z]{2}(-[a-z]+)+-[0-9]+")


def region_of(solution_arn: str) -> str | None:
    """The region an ARN names (where API calls about it must go), or None if it is not a solution ARN."""
    match = SOLUTION_ARN_RE.fullmatch(solution_arn) if len(solution_arn) <= ARN_MAX else None
    return match["region"] if match else None
