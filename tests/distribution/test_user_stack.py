"""An infrastructure repo tests its own stack offline, as the docs show: only the wheel (with its `emulator` extra)
and pytest installed, no conftest and no import of the plugin, `personalize_solution` and `personalize_stack` on the
real engine against the emulator."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from harness.automation import pulumi_cli
from scripts.cached_venv import clean_env
from tests.packaging import PROJECT, python_with_wheel

PROGRAM = """
import pulumi
from personalize_pulumi import TrainedModel, TrainedModelArgs

config = pulumi.Config()
model = TrainedModel("recs", TrainedModelArgs(solution_arn=config.require("solutionArn"), tags={"team": "shop"}))
pulumi.export("modelArn", model.version_arn)
pulumi.export("status", model.status)
"""

USER_TEST = """
def test_the_model_trains_and_a_second_preview_is_clean(personalize_stack, personalize_solution):
    stack = personalize_stack("infra", config={"shop-infra:solutionArn": personalize_solution})
    outputs = stack.up().outputs
    assert outputs["status"].value == "ACTIVE" and outputs["modelArn"].value.startswith(personalize_solution)
    assert stack.preview().change_summary == {"same": 4}
"""


def test_a_users_repo_tests_its_own_stack_with_the_wheel_and_no_conftest(tmp_path: Path, wheel: Path) -> None:
    python = python_with_wheel(wheel, "user-repo", (*PROJECT["optional-dependencies"]["emulator"], "pytest>=8"))
    repo = tmp_path / "repo"
    (repo / "infra").mkdir(parents=True)
    (repo / "infra" / "Pulumi.yaml").write_text("name: shop-infra\nruntime: python\n")
    (repo / "infra" / "__main__.py").write_text(PROGRAM)
    (repo / "tests").mkdir()
    (repo / "tests" / "test_stack.py").write_text(USER_TEST)
    env = {**clean_env(), **_only_the_built_cli(pulumi_cli(), python)}

    done = subprocess.run(
        [str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"],
        cwd=repo,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
    assert not (repo / "infra" / "Pulumi.test.yaml").exists(), "the stack's config is written in the copy, not the repo"


def _only_the_built_cli(cli: Path, python: Path) -> dict[str, str]:
    """An environment whose one Pulumi CLI is the one scripts/pulumi-cli built (in its cache: no `PULUMI_CLI`, no
    `pulumi` on `PATH`, which keeps the user's Python and the system's tools)."""
    env = {"PATH": f"{python.parent}:/usr/bin:/bin"}
    default_cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "personalize-pulumi"
    if not cli.is_relative_to(default_cache):  # found elsewhere: stands in for the cache scripts/pulumi-cli honours
        env["PULUMI_CLI_CACHE"] = str(cli.parent.parent)
    return env


def test_a_folder_that_is_not_a_program_fails_the_test_in_one_line_and_copies_nothing(tmp_path: Path) -> None:
    (tmp_path / "repo").mkdir()
    (tmp_path / "repo" / "big.bin").write_bytes(b"x" * 1024)
    (tmp_path / "repo" / "test_stack.py").write_text("def test_stack(personalize_stack):\n    personalize_stack('.')\n")
    basetemp = tmp_path / "basetemp"
    env = {**clean_env(), "PULUMI_CLI": str(pulumi_cli())}

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--basetemp={basetemp}", "."],
        cwd=tmp_path / "repo",
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1
    report = done.stdout.split("short test summary info")[0]
    failure = [line for line in report.splitlines() if "personalize_stack:" in line]
    assert len(failure) == 1 and "has no Pulumi.yaml" in failure[0], done.stdout
    assert "During handling" not in done.stdout, "one error, not two chained"
    assert str((tmp_path / "repo").resolve()) in failure[0], "names the folder"
    assert "Traceback" not in done.stdout and "During handling" not in done.stdout
    assert not list(basetemp.rglob("big.bin")), "nothing was copied"


def test_without_a_cli_personalize_stack_fails_the_test_with_one_line_saying_how_to_install_it(tmp_path: Path) -> None:
    (tmp_path / "test_stack.py").write_text("def test_stack(personalize_stack):\n    personalize_stack('.')\n")
    env = {
        **clean_env(),
        "PATH": os.path.dirname(os.path.realpath(sys.executable)),
        "HOME": str(tmp_path),
        "XDG_CACHE_HOME": str(tmp_path / "cache"),
    }
    env.pop("PULUMI_CLI", None)
    env.pop("PULUMI_CLI_CACHE", None)

    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert done.returncode == 1
    assert "personalize_stack: no Pulumi CLI found" in done.stdout and "install the Pulumi CLI" in done.stdout
    assert "Traceback" not in done.stdout and "During handling" not in done.stdout
