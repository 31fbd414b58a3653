"""botocore's endpoint data is read when the first region is checked, not when the provider is imported: a preview's
host that checks no region pays nothing for it. In a fresh interpreter, so nothing read before counts."""

from __future__ import annotations

import subprocess
import sys


def test_the_endpoint_data_is_read_on_the_first_region_checked_not_at_import():
    code = (
        "from personalize_pulumi.provider import arns, checks\n"
        "assert arns.personalize_regions.cache_info().currsize == 0\n"
        "checks.check_inputs({}, {'solutionArn': 'arn:aws:personalize:eu-west-1:123456789012:solution/s'})\n"
        "assert arns.personalize_regions.cache_info().currsize == 1\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
