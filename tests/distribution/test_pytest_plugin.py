"""The pytest plugin as an infrastructure repo meets it: a test file with no conftest and no import of the plugin asks
for `personalize_emulator` and trains a model with plain boto3 against it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scripts.cached_venv import clean_env

USER_TEST = """
import time

import boto3


def wait_active(read):
    deadline = time.monotonic() + 30
    while read() != "ACTIVE":
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_a_model_trains(personalize_emulator, monkeypatch):
    for key, value in personalize_emulator.env().items():
        monkeypatch.setenv(key, value)
    assert personalize_emulator.endpoint_url.startswith("http://127.0.0.1:")
    client = boto3.client("personalize", region_name=personalize_emulator.region)
    group = client.create_dataset_group(name="shop")["datasetGroupArn"]
    wait_active(lambda: client.describe_dataset_group(datasetGroupArn=group)["datasetGroup"]["status"])
    solution = client.create_solution(
        name="shop-recs", datasetGroupArn=group, recipeArn="arn:aws:personalize:::recipe/aws-user-personalization"
    )["solutionArn"]
    wait_active(lambda: client.describe_solution(solutionArn=solution)["solution"]["status"])
    version = client.create_solution_version(solutionArn=solution, name="nightly")["solutionVersionArn"]
    wait_active(lambda: client.describe_solution_version(solutionVersionArn=version)["solutionVersion"]["status"])
    assert personalize_emulator.control.count("CreateSolutionVersion") == 1
    print("training seconds:", personalize_emulator.control.health()["trainingSeconds"])
    again = client.create_solution_version(solutionArn=solution, name="nightly")["solutionVersionArn"]
    assert again != version, "--personalize-accept-duplicate-names: a second version under the same name"


def test_the_same_emulator_serves_the_whole_session(personalize_emulator):
    assert personalize_emulator.control.count("CreateSolutionVersion") == 2
"""


def user_pytest(repo: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """pytest in `repo`, as a user's repo runs it (the plugin comes from the installed package, no conftest)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=repo,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_a_users_test_gets_the_emulator_fixture_without_importing_anything(tmp_path):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_model.py").write_text(USER_TEST)

    done = user_pytest(
        tmp_path, "-s", "--personalize-training-seconds", "1", "--personalize-accept-duplicate-names", "tests"
    )

    assert done.returncode == 0, done.stdout + done.stderr
    assert "2 passed" in done.stdout
    assert "training seconds: 1.0" in done.stdout, "the option set the emulator's training time"


def test_the_plugin_documents_its_options_in_pytest_help(tmp_path):
    done = user_pytest(tmp_path, "--help", timeout=60)
    assert "--personalize-training-seconds" in done.stdout and "personalize_training_seconds" in done.stdout
    assert "--personalize-iam" in done.stdout and "personalize_iam" in done.stdout
    assert "--personalize-accept-duplicate-names" in done.stdout and "personalize_accept_duplicate_names" in done.stdout


IAM_TEST = """
import boto3
import pytest
from botocore.exceptions import ClientError


def test_a_user_may_only_do_what_its_policy_allows(personalize_emulator):
    assert personalize_emulator.control.health()["iam"] is True
    policy = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "personalize:ListSolutions", "Resource": "*"}],
    }
    env = personalize_emulator.user_env("reader", policy)
    client = boto3.client(
        "personalize",
        region_name=personalize_emulator.region,
        endpoint_url=personalize_emulator.endpoint_url,
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )
    assert client.list_solutions()["solutions"] == []
    with pytest.raises(ClientError) as exc:
        client.create_dataset_group(name="shop")
    assert exc.value.response["Error"]["Code"] == "AccessDeniedException"
"""


@pytest.mark.parametrize("how", ["option", "ini"])
def test_the_iam_option_makes_the_fixture_check_iam(tmp_path, how):
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_iam.py").write_text(IAM_TEST)
    options = ["--personalize-iam"] if how == "option" else []
    if how == "ini":
        (tmp_path / "pytest.ini").write_text("[pytest]\npersonalize_iam = true\n")
    done = user_pytest(tmp_path, *options, "tests")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout
