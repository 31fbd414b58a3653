"""`python -m personalize_pulumi.iam`: print the IAM policy a deploy role needs (see `personalize_pulumi.iam`)."""

import sys

from . import policy_text

if __name__ == "__main__":
    sys.stdout.write(policy_text())
