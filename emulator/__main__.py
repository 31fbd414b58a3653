"""`python -m emulator --port P --training-seconds S` from the repository root: runs `personalize_pulumi.emulator`."""

import runpy

runpy.run_module("personalize_pulumi.emulator", run_name="__main__")
