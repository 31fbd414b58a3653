"""`python -m personalize_pulumi.emulator --port P --training-seconds S [--iam]`: run the Personalize emulator in the
foreground."""

from __future__ import annotations

import argparse
import json
import math
import signal
import threading
from typing import Any

from . import defaults, iam
from .faults import faults, parse_rules
from .server import EmulatorServer, quiet_request_logging
from .settings import Settings, settings
from .timing import DEFAULT_SETUP_SECONDS, DEFAULT_TRAINING_SECONDS, set_timing

DEFAULT_PORT = defaults.PORT


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m personalize_pulumi.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    parser.add_argument(
        "--port",
        type=int,
        default=DEFAULT_PORT,
        help=f"port to listen on; 0 picks a free one (default {DEFAULT_PORT}; not LocalStack's 4566)",
    )
    parser.add_argument(
        "--seed-solution",
        metavar="NAME",
        default=None,
        help="create an ACTIVE dataset group and solution NAME (User-Personalization) and print its ARN",
    )
    parser.add_argument(
        "--training-seconds",
        type=float,
        default=DEFAULT_TRAINING_SECONDS,
        help="how long a solution version trains (default %(default)g)",
    )
    parser.add_argument(
        "--setup-seconds",
        type=float,
        default=DEFAULT_SETUP_SECONDS,
        help="how long dataset groups and solutions take to become ACTIVE (default %(default)g)",
    )
    parser.add_argument(
        "--faults", default=None, help="JSON list of fault rules armed at start-up (see emulator/faults.py)"
    )
    parser.add_argument(
        "--iam",
        action="store_true",
        help=(
            "check every request against IAM policies, as AWS does, and serve IAM's API here: the default "
            f"credentials ({iam.ROOT_ACCESS_KEY_ID} / {iam.ROOT_SECRET_ACCESS_KEY}) act as the account's root, any "
            "other access key must be an IAM user's created on this endpoint and may do what its policies allow"
        ),
    )
    parser.add_argument(
        "--accept-duplicate-names",
        action="store_true",
        help="CreateSolutionVersion accepts a name another version of the solution has (default: refused with "
        "ResourceAlreadyExistsException; no source says which the service does)",
    )
    parser.add_argument(
        "--clock-offset-seconds",
        type=float,
        default=0.0,
        metavar="S",
        help="the service's clock is the machine's plus S seconds (may be negative): every timestamp and HTTP Date "
        "header it reports; trainings still take their seconds (default %(default)g)",
    )
    parser.add_argument(
        "--listing-lag-seconds",
        type=float,
        default=0.0,
        metavar="S",
        help="ListSolutionVersions leaves out the versions created less than S seconds ago, as an eventually "
        "consistent listing would; calls by ARN see them at once (default %(default)g)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every HTTP request")
    args = parser.parse_args(argv)

    if args.training_seconds < 0 or args.setup_seconds < 0:
        parser.error("--training-seconds and --setup-seconds must be >= 0")
    if not math.isfinite(args.clock_offset_seconds):
        parser.error("--clock-offset-seconds must be a finite number")
    if not (math.isfinite(args.listing_lag_seconds) and args.listing_lag_seconds >= 0):
        parser.error("--listing-lag-seconds must be a finite number >= 0")
    set_timing(args.training_seconds, args.setup_seconds)
    settings.start_with(
        Settings(
            accept_duplicate_names=args.accept_duplicate_names,
            clock_offset_seconds=args.clock_offset_seconds,
            listing_lag_seconds=args.listing_lag_seconds,
        )
    )
    if args.faults:
        try:
            rules = json.loads(args.faults)
        except ValueError as error:
            parser.error(f"--faults: not JSON ({error})")
        try:
            faults.add(*parse_rules(rules))
        except ValueError as error:
            parser.error(f"--faults: {error}")
    if args.iam:
        iam.enable()
    if not args.verbose:
        quiet_request_logging()
    try:
        server = EmulatorServer(args.host, args.port)
    except OSError as error:
        parser.error(f"cannot listen on {args.host}:{args.port}: {error.strerror}")
    # SIGTERM and SIGINT stop the server cleanly, even when started from a shell that ignores SIGINT in
    # background jobs; installed before the "listening" line so that whoever reads it can rely on them.
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _interrupt)
    print(f"Personalize emulator listening on {server.url}", flush=True)
    try:
        if args.seed_solution is None:
            print(f"  export {_exports(server.url)}", flush=True)
            server.serve_forever()
        else:
            threading.Thread(target=server.serve_forever, name="emulator", daemon=True).start()
            solution = _seed(server.url, args.seed_solution)
            print(f"  solution {args.seed_solution}: {solution} (ACTIVE)", flush=True)
            print(f"  export {_exports(server.url)}", flush=True)
            print(f"  pulumi config set solutionArn {solution}", flush=True)
            threading.Event().wait()
    except KeyboardInterrupt:
        pass
    return 0


REGION = defaults.REGION


def _exports(url: str) -> str:
    """The variables that point boto3, and so `pulumi` and its provider host, at this emulator."""
    return (
        f"AWS_ENDPOINT_URL_PERSONALIZE={url} AWS_ACCESS_KEY_ID=testing AWS_SECRET_ACCESS_KEY=testing "
        f"AWS_DEFAULT_REGION={REGION}"
    )


def _seed(url: str, name: str) -> str:
    from ..seeding import active_solution
    from .client import aws_client

    return active_solution(aws_client(url, region=REGION), name)


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt
