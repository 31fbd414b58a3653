"""pytest plugin (registered by the `pytest11` entry point, so a test needs no import): offline tests of Personalize
stacks against the local emulator.

    def test_trains(personalize_emulator):
        client = boto3.client("personalize", endpoint_url=personalize_emulator.endpoint_url,
                              region_name=personalize_emulator.region)
        ...

`personalize_emulator` (session scope) starts one `python -m personalize_pulumi.emulator` on a free port of
127.0.0.1 and stops it after the session. It exposes `endpoint_url`, `region`, `env()` (the AWS variables that point
boto3 and the provider at it: `AWS_ENDPOINT_URL_PERSONALIZE`, dummy credentials, the region) and `control` (the
request log, fault injection and timing; see `personalize_pulumi.emulator.client.EmulatorControl`). Trainings take
`--personalize-training-seconds` (ini `personalize_training_seconds`, default 3) seconds.
`--personalize-accept-duplicate-names` (ini `personalize_accept_duplicate_names`, default false) starts it accepting a
second solution version under a name the solution already has, which it otherwise refuses with
ResourceAlreadyExistsException (no source says which the service does; `control.set_duplicate_names(accept=...)`
switches it for one test).

`--personalize-iam` (ini `personalize_iam = true`) makes the emulator check every request against IAM policies, as
AWS does (`python -m personalize_pulumi.emulator --iam`): `env()` then holds the account root's credentials, which may
do anything, and `user_env(user, policy)` those of a new IAM user whose policy is `policy`, e.g. the policy the
provider ships (`personalize_pulumi.iam.policy()`):

    def test_deploys_with_the_documented_policy(personalize_emulator):
        env = personalize_emulator.user_env("deployer", personalize_pulumi.iam.policy())
        ...  # run the stack with env; a missing permission fails with AccessDeniedException

Your own stack, on the real engine against that emulator (`personalize_solution` is a fresh ACTIVE solution's ARN;
`personalize_stack` runs `program_dir/__main__.py` as an inline program and destroys the stack at teardown):

    def test_my_stack_trains(personalize_stack, personalize_solution):
        stack = personalize_stack("infra", config={"infra:solutionArn": personalize_solution})
        assert stack.up().outputs["status"].value == "ACTIVE"

The emulator needs the `emulator` extra (`pip install "personalize-pulumi[emulator]"`); without it, only a test that
asks for the fixture fails, with one line saying so.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from .emulator import defaults

if TYPE_CHECKING:
    from .emulator.launcher import EmulatorProcess
    from .engine import ProgramStack

TRAINING_SECONDS_OPTION = "personalize_training_seconds"
IAM_OPTION = "personalize_iam"
DUPLICATE_NAMES_OPTION = "personalize_accept_duplicate_names"
DEFAULT_TRAINING_SECONDS = defaults.TRAINING_SECONDS
DEFAULT_REGION = defaults.REGION


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("personalize_pulumi", "Amazon Personalize emulator (personalize-pulumi)")
    group.addoption(
        "--personalize-training-seconds",
        type=float,
        default=None,
        help=f"how long a solution version trains in the personalize_emulator fixture (default {DEFAULT_TRAINING_SECONDS:g})",
    )
    parser.addini(
        TRAINING_SECONDS_OPTION,
        help="how long a solution version trains in the personalize_emulator fixture",
        default=str(DEFAULT_TRAINING_SECONDS),
    )
    group.addoption(
        "--personalize-iam",
        action="store_true",
        default=None,
        help="the personalize_emulator fixture checks every request against IAM policies (see user_env)",
    )
    parser.addini(
        IAM_OPTION,
        type="bool",
        help="the personalize_emulator fixture checks every request against IAM policies",
        default=False,
    )
    group.addoption(
        "--personalize-accept-duplicate-names",
        action="store_true",
        default=None,
        help="the personalize_emulator fixture accepts a solution version name the solution already has (default: "
        "refused with ResourceAlreadyExistsException)",
    )
    parser.addini(
        DUPLICATE_NAMES_OPTION,
        type="bool",
        help="the personalize_emulator fixture accepts a solution version name the solution already has",
        default=False,
    )


@pytest.fixture(scope="session")
def personalize_emulator(request: pytest.FixtureRequest) -> Iterator[EmulatorProcess]:
    """One local Personalize emulator for the test session (see the module docstring)."""
    if importlib.util.find_spec("moto") is None:
        pytest.fail(
            'personalize_emulator needs the emulator extra: pip install "personalize-pulumi[emulator]"', pytrace=False
        )
    from .emulator.launcher import EmulatorProcess

    seconds = request.config.getoption("--personalize-training-seconds")
    if seconds is None:
        seconds = float(request.config.getini(TRAINING_SECONDS_OPTION))
    iam = request.config.getoption("--personalize-iam")
    if iam is None:
        iam = bool(request.config.getini(IAM_OPTION))
    accept_duplicates = request.config.getoption("--personalize-accept-duplicate-names")
    if accept_duplicates is None:
        accept_duplicates = bool(request.config.getini(DUPLICATE_NAMES_OPTION))
    process = EmulatorProcess(
        training_seconds=seconds,
        setup_seconds=0.2,
        region=DEFAULT_REGION,
        iam=iam,
        accept_duplicate_names=accept_duplicates,
    )
    try:
        yield process
    finally:
        process.stop()


STACK_POLLING = {"PERSONALIZE_POLL_INITIAL_SECONDS": "0.2", "PERSONALIZE_POLL_MAX_SECONDS": "1"}
"""How often the provider polls in a `personalize_stack` (real defaults: 5 s growing to 60 s, for real trainings)."""


@pytest.fixture
def personalize_solution(personalize_emulator: EmulatorProcess) -> str:
    """The ARN of an ACTIVE solution (a dataset group and a User-Personalization solution) created in the emulator for
    this test."""
    from .seeding import active_solution

    return active_solution(personalize_emulator.client())


@pytest.fixture
def personalize_stack(personalize_emulator: EmulatorProcess, tmp_path: Path) -> Iterator[Callable[..., ProgramStack]]:
    """A factory, `personalize_stack(program_dir, *, stack="test", config=None)`, of stacks of your Pulumi program
    on the real engine against the emulator: `preview(diff=False)`, `up()`, `refresh()`, `destroy()` return the
    Automation API's results (`change_summary`, `outputs`, `stdout`). The program (`program_dir/__main__.py`, run as
    an inline program) is copied under the test's temporary directory, with a file backend beside it and
    its secrets under a new KMS key of the emulator; the provider host runs in this Python; `config` keys are the program's (`project:key`). Each stack is
    destroyed at teardown; `stack.set_config(key, value)` changes config between operations. The Pulumi CLI is found
    as `PULUMI_CLI`, `pulumi` on `PATH`, `~/.pulumi/bin/pulumi`, or the one this repository's `scripts/pulumi-cli`
    built. A `program_dir` with no `Pulumi.yaml` fails the test in one line, copying nothing."""
    from .engine import CliNotFound, NotAProgram, ProgramStack, find_cli, program_folder

    try:
        cli, problem = find_cli(), None
    except CliNotFound as missing:
        problem = missing
    if problem is not None:  # outside the except: pytest would print the CliNotFound too
        pytest.fail(f"personalize_stack: {problem}", pytrace=False)
    made: list[ProgramStack] = []

    def make(program_dir: str | Path, *, stack: str = "test", config: Mapping[str, Any] | None = None) -> ProgramStack:
        folder = tmp_path / f"stack-{len(made)}"
        env = {**personalize_emulator.env(), **STACK_POLLING}
        try:
            program = program_folder(Path(program_dir))
        except NotAProgram as wrong:
            problem = wrong
        else:
            made.append(ProgramStack(program, folder, stack=stack, env=env, config=config, cli=cli))
            return made[-1]
        pytest.fail(f"personalize_stack: {problem}", pytrace=False)

    yield make
    for stack in made:
        stack.destroy()
