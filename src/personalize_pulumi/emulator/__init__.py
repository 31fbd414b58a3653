"""A local Amazon Personalize endpoint built on moto (see README: "The local emulator")."""

ROOT_ACCESS_KEY_ID = "testing"
"""The emulator's default credentials (what `EmulatorProcess.env()` hands out). With `--iam` they act as the
account's root, whose requests are never checked (see `emulator/iam.py`)."""
ROOT_SECRET_ACCESS_KEY = "testing"
