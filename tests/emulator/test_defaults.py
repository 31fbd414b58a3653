"""The emulator's defaults are declared once (emulator/defaults.py), and what depends on them follows them."""

from __future__ import annotations

from personalize_pulumi.emulator import defaults
from personalize_pulumi.emulator.defaults import UNMET_MINIMUMS
from personalize_pulumi.emulator.launcher import EmulatorProcess
from tests.helpers import active_solution, wait_for


def test_the_unmet_gate_is_above_every_metric_the_emulator_reports(personalize, fast):
    solution = active_solution(personalize)
    arns = [
        personalize.create_solution_version(solutionArn=solution, name=f"v{n}")["solutionVersionArn"] for n in range(3)
    ]
    low, high = defaults.METRIC_RANGE
    for arn in arns:
        wait_for(
            lambda arn=arn: personalize.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]["status"],
            ("ACTIVE",),
        )
        metrics = personalize.get_solution_metrics(solutionVersionArn=arn)["metrics"]
        assert metrics and all(low <= value <= high for value in metrics.values()), metrics
        assert all(metrics[name] < minimum for name, minimum in UNMET_MINIMUMS.items())


def test_the_launcher_starts_with_the_declared_defaults():
    process = EmulatorProcess()
    try:
        health = process.control.health()
        assert health["trainingSeconds"] == defaults.TRAINING_SECONDS
        assert process.region == defaults.REGION
    finally:
        process.stop()
