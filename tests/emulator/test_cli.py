"""`python -m emulator` as a person (or a script) runs it: the first line, boto3 against it, signals, `--faults`,
`--accept-duplicate-names`."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from botocore.config import Config
from botocore.exceptions import ClientError

from personalize_pulumi.emulator.client import aws_client
from tests.helpers import active_solution

PROJECT_ROOT = Path(__file__).resolve().parents[2]
LISTENING = re.compile(r"listening on (http://127\.0\.0\.1:(\d+))$")


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "emulator", "--port", "0", "--training-seconds", "2", *args]


class Running:
    """A started `python -m emulator` and the URL its first line announced."""

    def __init__(self, *args: str):
        self.process = subprocess.Popen(
            command(*args), cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        assert self.process.stdout is not None
        self.first_line = self.process.stdout.readline().rstrip("\n")
        match = LISTENING.search(self.first_line)
        if not match:
            self.process.kill()
            raise AssertionError(f"unexpected first line {self.first_line!r}; stderr: {self.process.stderr.read()}")
        self.url = match.group(1)

    def client(self, attempts: int = 1):
        return aws_client(
            self.url,
            config=Config(retries={"mode": "standard", "total_max_attempts": attempts}),
        )

    def stop(self, signum: int) -> int:
        self.process.send_signal(signum)
        return self.process.wait(timeout=10)


@pytest.fixture
def start() -> Iterator[Callable[..., Running]]:
    """Start emulators with `start(*args)`; any still running at the end are killed."""
    started: list[Running] = []

    def run(*args: str) -> Running:
        running = Running(*args)
        started.append(running)
        return running

    yield run
    for running in started:
        if running.process.poll() is None:
            running.process.kill()
        running.process.wait()
        for stream in (running.process.stdout, running.process.stderr):
            if stream is not None:
                stream.close()


def test_first_line_announces_the_url_and_boto3_is_served(start):
    emulator = start()

    assert emulator.first_line.startswith("Personalize emulator listening on http://127.0.0.1:")
    assert int(LISTENING.search(emulator.first_line).group(2)) > 0
    assert emulator.client().list_solutions()["solutions"] == []
    with urllib.request.urlopen(f"{emulator.url}/_emulator/health", timeout=5) as response:
        assert json.loads(response.read())["trainingSeconds"] == 2


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_stops_the_emulator_cleanly(start, signum):
    emulator = start()
    emulator.client().list_solutions()

    assert emulator.stop(signum) == 0
    assert "Traceback" not in emulator.process.stderr.read()


def test_faults_option_arms_rules_at_start_up(start):
    rules = [
        {"kind": "throttle", "operation": "ListSolutions", "count": 1},
        {"kind": "in_use", "operation": "CreateSolutionVersion", "count": 1},
    ]
    emulator = start("--faults", json.dumps(rules))
    client = emulator.client()

    with pytest.raises(ClientError) as exc:
        client.list_solutions()

    err = exc.value.response["Error"]
    assert err["Code"] == "ThrottlingException"
    assert client.list_solutions()["solutions"] == []
    with pytest.raises(ClientError) as exc:
        client.create_solution_version(solutionArn="arn:aws:personalize:us-east-1:123456789012:solution/any")
    assert exc.value.response["Error"]["Code"] == "ResourceInUseException"


def test_accept_duplicate_names_option_lets_a_solution_have_two_versions_of_one_name(start):
    emulator = start("--accept-duplicate-names", "--setup-seconds", "0")
    client = emulator.client(attempts=3)
    solution = active_solution(client)

    first = client.create_solution_version(solutionArn=solution, name="nightly")["solutionVersionArn"]
    second = client.create_solution_version(solutionArn=solution, name="nightly")["solutionVersionArn"]

    assert first != second
    with urllib.request.urlopen(f"{emulator.url}/_emulator/settings", timeout=5) as response:
        assert json.loads(response.read())["acceptDuplicateNames"] is True


def test_clock_offset_and_listing_lag_options_are_the_settings_at_start_up(start):
    emulator = start("--clock-offset-seconds", "-7200", "--listing-lag-seconds", "2.5")

    with urllib.request.urlopen(f"{emulator.url}/_emulator/settings", timeout=5) as response:
        settings = json.loads(response.read())
    assert (settings["clockOffsetSeconds"], settings["listingLagSeconds"]) == (-7200, 2.5)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["--clock-offset-seconds", "soon"], id="offset-not-a-number"),
        pytest.param(["--clock-offset-seconds", "nan"], id="offset-nan"),
        pytest.param(["--listing-lag-seconds", "-1"], id="lag-negative"),
        pytest.param(["--listing-lag-seconds", "inf"], id="lag-infinite"),
    ],
)
def test_bad_clock_offset_or_listing_lag_exits_with_a_usage_error_naming_the_option(args):
    done = subprocess.run(command(*args), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30)

    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    [error] = [line for line in done.stderr.splitlines() if "error:" in line]
    assert args[0] in error


@pytest.mark.parametrize(
    "value",
    [
        pytest.param("not json", id="not-json"),
        pytest.param('[{"kind": "explode", "operation": "ListSolutions"}]', id="unknown-kind"),
        pytest.param('{"kind": "throttle"}', id="no-operation"),
        pytest.param('["throttle"]', id="not-an-object"),
    ],
)
def test_bad_faults_option_exits_with_a_usage_error(value):
    done = subprocess.run(command("--faults", value), cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=30)

    assert done.returncode == 2
    assert done.stdout == ""
    assert "Traceback" not in done.stderr
    errors = [line for line in done.stderr.splitlines() if "error:" in line]
    assert len(errors) == 1
    assert errors[0].startswith("python -m personalize_pulumi.emulator: error: --faults: ")
    assert done.stderr.splitlines()[-1] == errors[0]


def test_the_emulator_starts_without_importing_the_pulumi_sdk_or_the_provider():
    # `personalize_pulumi` imports its resources on first use, so the emulator (one per test module here, one per
    # session in users' repos) does not pay for the Pulumi SDK.
    probe = (
        "import sys, personalize_pulumi.emulator.cli;"
        "print([m for m in sys.modules if m.split('.')[0] == 'pulumi' or m.startswith('personalize_pulumi.provider')])"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True)

    assert done.stdout.strip() == "[]"


def test_seed_solution_starts_with_an_active_solution_and_prints_what_to_paste(start):
    running = start("--seed-solution", "shop", "--setup-seconds", "0.2")
    assert running.process.stdout is not None
    lines = [running.process.stdout.readline().strip() for _ in range(3)]
    [solution] = re.findall(r"^solution shop: (arn:aws:personalize:\S+:solution/shop) \(ACTIVE\)$", lines[0])
    assert lines[1] == (
        f"export AWS_ENDPOINT_URL_PERSONALIZE={running.url} AWS_ACCESS_KEY_ID=testing "
        "AWS_SECRET_ACCESS_KEY=testing AWS_DEFAULT_REGION=us-east-1"
    )
    assert lines[2] == f"pulumi config set solutionArn {solution}"
    assert running.client().describe_solution(solutionArn=solution)["solution"]["status"] == "ACTIVE"
    assert running.stop(signal.SIGTERM) == 0


def test_the_default_port_is_not_localstacks():
    done = subprocess.run(
        [sys.executable, "-m", "personalize_pulumi.emulator", "--help"], capture_output=True, text=True, timeout=60
    )
    assert "default 4570" in done.stdout and "4566;" not in done.stdout.replace("not LocalStack's 4566", "")
