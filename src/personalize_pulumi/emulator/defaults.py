"""The emulator's defaults, each declared once: the command line, the launcher, the pytest plugin and the seeding
helpers read them from here."""

from __future__ import annotations

REGION = "us-east-1"
"""The region clients are pointed at unless told otherwise."""
PORT = 4570
"""The command line's port: not 4566, LocalStack's, which users often run beside it."""
TRAINING_SECONDS = 3.0
"""How long a solution version trains (CREATE PENDING, then CREATE IN_PROGRESS, half each)."""
SETUP_SECONDS = 1.0
"""How long dataset groups and solutions take to become ACTIVE."""
METRIC_RANGE = (0.05, 0.95)
"""Every metric an emulated version reports lies in this range (deterministic per version ARN)."""
UNMET_MINIMUMS = {"coverage": round(min(1.0, METRIC_RANGE[1] + 0.04), 2)}
"""A `minMetrics` gate no emulated version meets: above the top of the metric range."""
