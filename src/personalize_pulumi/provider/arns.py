r"""The ARNs a SolutionVersion takes, the region an ARN names, and whether Amazon Personalize is offered there.

Every pattern spells its digit and letter classes out in ASCII (`[0-9]`, never `\d`, which in Python matches any
Unicode digit such as Arabic-Indic ones): the service's patterns mean ASCII.

Where Personalize is offered comes from botocore's own endpoint data, with no AWS call: read once per process, when the
first region is checked (not at import).
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .values import show

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


PERSONALIZE_ENDPOINT_PREFIX = "personalize"
"""The service's key in botocore's endpoint data (its model's `endpointPrefix`)."""


@dataclass(frozen=True)
class PersonalizeRegions:
    """Where botocore's own endpoint data (installed with it) says Amazon Personalize is offered."""

    botocore_version: str
    by_partition: dict[str, tuple[str, ...]]
    """Every partition botocore knows (`aws`, `aws-cn`, ...) -> the regions of Personalize in it (maybe none)."""


@functools.cache
def personalize_regions() -> PersonalizeRegions:
    """The regions of Amazon Personalize per partition, as botocore's bundled `endpoints.json` lists them (what
    `Session.get_available_regions("personalize", partition)` returns, without loading the service model: about 20
    ms once per process). Read lazily, on the first region checked, and kept for the life of the process."""
    import botocore

    data = _endpoint_data(Path(botocore.__file__).parent / "data")
    by_partition = {}
    for partition in data["partitions"]:
        service = partition["services"].get(PERSONALIZE_ENDPOINT_PREFIX, {})
        regional = (name for name in service.get("endpoints", {}) if name in partition["regions"])
        by_partition[partition["partition"]] = tuple(sorted(regional))
    return PersonalizeRegions(botocore.__version__, by_partition)


def _endpoint_data(data_dir: Path) -> Any:
    """botocore's endpoint data: its `endpoints.json` in `data_dir`, read directly (the cheapest way), or through
    botocore's loader if it is not there as plain JSON (a botocore that ships it compressed, say)."""
    path = data_dir / "endpoints.json"
    if path.is_file():
        return json.loads(path.read_bytes())
    from botocore.loaders import create_loader

    return create_loader().load_data("endpoints")


def region_problem(region: str, partition: str | None, fix: str) -> str | None:
    """None if Amazon Personalize is offered in `region` of `partition` (None: of any partition) per botocore's
    endpoint data; else what is wrong, with `fix` (what to check) and a hint that botocore may predate the region."""
    known = personalize_regions()
    version = known.botocore_version
    if partition is None:
        if any(region in regions for regions in known.by_partition.values()):
            return None
        lists = "; ".join(f"{name}: {', '.join(regions)}" for name, regions in known.by_partition.items() if regions)
        where, newer = f"(botocore {version} lists {lists})", "region"
        problem = f"region {show(region)} is not a region where Amazon Personalize is offered {where}"
    elif partition not in known.by_partition:
        where, newer = f"(botocore {version} knows: {', '.join(sorted(known.by_partition))})", "partition"
        problem = f"partition {show(partition)} is not an AWS partition {where}"
    elif region not in known.by_partition[partition]:
        regions = known.by_partition[partition]
        where = f"(botocore {version} lists: {', '.join(regions)})" if regions else f"(botocore {version} lists none)"
        newer = "region"
        problem = (
            f"region {show(region)} is not a region where Amazon Personalize is offered in partition {show(partition)} "
            f"{where}"
        )
    else:
        return None
    return f"{problem}; {fix} (a newer {newer} may need a newer botocore)"


def location_of(arn: str) -> tuple[str, str] | None:
    """The partition and region a solution or solution version ARN names, or None if it is neither."""
    match = (SOLUTION_ARN_RE.fullmatch(arn) or VERSION_ARN_RE.fullmatch(arn)) if len(arn) <= ARN_MAX else None
    return (match["partition"], match["region"]) if match else None


def solution_of(version_arn: str) -> str:
    """The solution ARN of a solution version ARN (`arn:...:solution/<name>/<id>` -> `arn:...:solution/<name>`)."""
    return version_arn.rsplit("/", 1)[0] if version_arn.count("/") >= 2 else version_arn
