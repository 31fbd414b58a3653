"""`python -m emulator` from a checkout of this repository: the same as `python -m personalize_pulumi.emulator`."""
