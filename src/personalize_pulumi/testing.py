"""pytest plugin (registered by the `pytest11` entry point, so a test needs no import): offline tests of Personalize
stacks against the local emulator.

    def test_trains(personalize_emulator):
        client = boto3.client("personalize", endpoint_url=personalize_emulator.endpoint_url,
                              region_name=personalize_emulator.region)
        ...

`personalize_emulator` (session scope) starts one `python -m personalize_pulumi.emulator` on a free port of
127.0.0.1 and stops it after the session. It exposes `endpoint_url`, `region`, `env()` (the AWS variables that point
boto3 and the provider at it: `AWS_ENDPOINT_URL_PERSONALIZE`, dummy credentials, the region) and `control` (the
request log, fault injection and timing; see `personalize_pulumi.emulator.control.EmulatorControl`). Trainings take
`--personalize-training-seconds` (ini `personalize_training_seconds`, default 3) seconds.
`--personalize-accept-duplicate-names` (ini `personalize_accept_duplicate_names`, default false) starts it accepting a
second solution version under a name the solution already has, which it otherwise refuses with
ResourceAlreadyExistsException (no source says which the service does; `control.set_duplicate_names(accept=...)`
switches it for one test).

The emulator needs the `emulator` extra (`pip install "personalize-pulumi[emulator]"`); without it, only a test that
asks for the fixture fails, with one line saying so.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .emulator.control import EmulatorProcess

TRAINING_SECONDS_OPTION = "personalize_training_seconds"
DUPLICATE_NAMES_OPTION = "personalize_accept_duplicate_names"
DEFAULT_TRAINING_SECONDS = 3.0
DEFAULT_REGION = "us-east-1"


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
    from .emulator.control import EmulatorProcess

    seconds = request.config.getoption("--personalize-training-seconds")
    if seconds is None:
        seconds = float(request.config.getini(TRAINING_SECONDS_OPTION))
    accept_duplicates = request.config.getoption("--personalize-accept-duplicate-names")
    if accept_duplicates is None:
        accept_duplicates = bool(request.config.getini(DUPLICATE_NAMES_OPTION))
    process = EmulatorProcess(
        training_seconds=seconds,
        setup_seconds=0.2,
        region=DEFAULT_REGION,
        accept_duplicate_names=accept_duplicates,
    )
    try:
        yield process
    finally:
        process.stop()
