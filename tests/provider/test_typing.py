"""What a type checker reports on a user's program: a typo in a closed set of values is an error, not a training."""

from __future__ import annotations

from pathlib import Path

from mypy import api


def test_mypy_reports_a_training_mode_that_is_not_one_of_the_services(tmp_path: Path) -> None:
    program = tmp_path / "program.py"
    program.write_text(
        "from personalize_pulumi import SolutionVersionArgs, TrainedModelArgs\n"
        'SolutionVersionArgs(solution_arn="arn", training_mode="FUL")\n'
        'TrainedModelArgs(solution_arn="arn", training_mode="full")\n'
        'SolutionVersionArgs(solution_arn="arn", training_mode="UPDATE")\n'
        'TrainedModelArgs(solution_arn="arn", training_mode="AUTOTRAIN")\n'
    )
    out, _, status = api.run(["--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache"), str(program)])
    errors = [line for line in out.splitlines() if ": error:" in line]
    assert status == 1
    assert [line.split(":")[1] for line in errors] == ["2", "3"], out
    assert all("training_mode" in line for line in errors), out
