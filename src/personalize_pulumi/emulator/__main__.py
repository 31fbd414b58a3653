"""`python -m personalize_pulumi.emulator`: see cli.py. Says in one line when the emulator extra is not installed."""

import importlib.util
import sys

NEEDS_THE_EXTRA = (
    'python -m personalize_pulumi.emulator needs the emulator extra: pip install "personalize-pulumi[emulator]"'
)

if importlib.util.find_spec("moto") is None:
    sys.exit(NEEDS_THE_EXTRA)

from .cli import main  # noqa: E402 - imports moto, checked above

sys.exit(main())
