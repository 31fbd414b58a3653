"""`python -m personalize_pulumi.iam`: print the IAM policy a deploy role needs (see `personalize_pulumi.iam`)."""

from __future__ import annotations

import argparse
import sys

from . import policy_text

DESCRIPTION = """Print the IAM policy (JSON) a deploy role needs to run SolutionVersion's whole lifecycle: every
Personalize action the provider calls and nothing else, one statement per operation (Up, QualityGate, Adoption,
TagUpdate, Refresh, Destroy). `pulumi preview` needs none of it. A CI role also needs its state backend's permissions
(see docs/guides/region-and-credentials.md)."""

EPILOG = """example:
  python -m personalize_pulumi.iam > policy.json
  aws iam create-policy --policy-name personalize-pulumi --policy-document file://policy.json"""


def main(argv: list[str] | None = None) -> int:
    """Parse `argv` (`--help` explains), then write the policy to stdout."""
    parser = argparse.ArgumentParser(
        prog="python -m personalize_pulumi.iam",
        description=DESCRIPTION,
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.parse_args(argv)
    sys.stdout.write(policy_text())
    return 0


if __name__ == "__main__":
    sys.exit(main())
