"""Small helpers the tests share: set up a solution in the emulator, wait for statuses, and hold a training in a
state until the test lets it go on (so that no outcome depends on how fast the machine is)."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from typing import Any

from personalize_pulumi import seeding
from personalize_pulumi.emulator.launcher import EmulatorProcess
from personalize_pulumi.provider.backoff import polling_env
from personalize_pulumi.seeding import RECIPE_USER_PERSONALIZATION

__all__ = [
    "HELD",
    "RECIPE_USER_PERSONALIZATION",
    "RECIPE_SIMS",
    "VERSION_MODEL",
    "InBackground",
    "active_solution",
    "live_tags",
    "marked",
    "marker_of",
    "held_in_progress",
    "poll_until",
    "unique",
    "checked",
    "is_permission_check",
    "message",
    "trainings_started",
    "version_status",
    "wait_for",
]

RECIPE_SIMS = "arn:aws:personalize:::recipe/aws-sims"

VERSION_MODEL = "personalize::solutionversion"
"""The solution versions' model in moto's state manager (`set_transition`, the `moto_progression` fixture)."""

HELD = 600.0
"""Training seconds for a state that must last until the test lets it go on: each status lasts 300 s (stopping too),
beyond any machine's slowness. The test ends the hold with `control.set_timing(training_seconds=<short>)` once it has
seen what it waits for; a shorter timing applies to the versions already training, from their last status change."""


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


def wait_for(read: Any, statuses: tuple[str, ...], timeout: float = 60.0) -> str:
    """Poll `read()` (returns a status) until it is one of `statuses`; fail after `timeout` seconds (a bound for a
    broken build, not a timing the test depends on: a loaded machine may need many seconds for a host's first call)."""
    deadline = time.monotonic() + timeout
    status = read()
    while status not in statuses:
        assert time.monotonic() < deadline, f"still {status!r} after {timeout}s, wanted one of {statuses}"
        time.sleep(0.1)
        status = read()
    return status


def poll_until(condition: Callable[[], Any], what: str, timeout: float = 60.0) -> Any:
    """Poll `condition()` every 50 ms until it is truthy and return it; fail naming `what` after `timeout` seconds
    (a bound for a broken build, not a timing the test depends on)."""
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        assert time.monotonic() < deadline, f"timed out after {timeout} s waiting for {what}"
        time.sleep(0.05)
    return value


class InBackground:
    """`call()` in a thread of its own, so the test can arrange what the call will meet while it runs."""

    def __init__(self, call: Callable[[], Any]):
        self._outcome: dict[str, Any] = {}
        self._thread = threading.Thread(target=self._run, args=(call,), daemon=True)
        self._thread.start()

    def _run(self, call: Callable[[], Any]) -> None:
        try:
            self._outcome["value"] = call()
        except BaseException as error:  # handed to the test by result()
            self._outcome["error"] = error

    def result(self, timeout: float = 120.0) -> Any:
        """The call's return value, or its exception raised here; fails if it has not returned within `timeout`."""
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"the call did not return within {timeout} s"
        if "error" in self._outcome:
            raise self._outcome["error"]
        return self._outcome["value"]


def held_in_progress(client: Any, control: Any, solution_arn: str, **create_args: Any) -> str:
    """A new version of `solution_arn` that is CREATE IN_PROGRESS and stays so (as does a stop of it, CREATE STOPPING)
    until the test shortens the training: one step by moto's manual progression (one Describe call), then trainings
    of HELD seconds."""
    from tests.helpers import set_transition

    set_transition(control.url, VERSION_MODEL, progression="manual", times=1)
    try:
        arn = str(client.create_solution_version(solutionArn=solution_arn, **create_args)["solutionVersionArn"])
        status = version_status(client, arn)
    finally:
        control.set_timing(training_seconds=HELD)  # back on time, from the step just taken
    assert status == "CREATE IN_PROGRESS", status
    return arn


def marked(inputs: dict[str, Any], attempt: int = 1) -> list[dict[str, str]]:
    """The `tags` of CreateSolutionVersion that make a version attempt `attempt` of the resource whose checked inputs
    are `inputs`, as the provider creates its own (ownership.py): for a test that arranges what an earlier, interrupted
    run of that resource left."""
    from personalize_pulumi.provider.ownership import MARKER_TAG, OwnerKey

    marker = OwnerKey(inputs["ownerToken"]).marker(inputs, attempt)
    return [{"tagKey": MARKER_TAG, "tagValue": marker.value}]


def live_tags(client: Any, arn: str) -> dict[str, str]:
    """The tags `arn` has on the service, as a map, without the provider's marker of ownership (which the stack never
    shows: it is not in `tagsAll`)."""
    from personalize_pulumi.provider.ownership import MARKER_TAG

    tags = client.list_tags_for_resource(resourceArn=arn)["tags"]
    return {tag["tagKey"]: tag["tagValue"] for tag in tags if tag["tagKey"] != MARKER_TAG}


def marker_of(client: Any, arn: str) -> str | None:
    """The value of the provider's marker of ownership on `arn`, if it has one."""
    from personalize_pulumi.provider.ownership import MARKER_TAG

    tags = client.list_tags_for_resource(resourceArn=arn)["tags"]
    return next((tag["tagValue"] for tag in tags if tag["tagKey"] == MARKER_TAG), None)


def active_solution(client: Any, recipe_arn: str = RECIPE_USER_PERSONALIZATION, wait: bool = True) -> str:
    """A new dataset group and solution; returns the solution ARN once ACTIVE (or at once with wait=False)."""
    return seeding.active_solution(client, None, recipe_arn, wait)


def version_status(client: Any, arn: str) -> str:
    return client.describe_solution_version(solutionVersionArn=arn)["solutionVersion"]["status"]


def is_permission_check(entry: dict[str, Any]) -> bool:
    """Whether a logged call is one of the permission checks a create makes before it trains (on `<solution ARN>/*`,
    which names no version: personalize_pulumi/provider/permissions.py)."""
    arn = entry["params"].get("solutionVersionArn") or entry["params"].get("resourceArn") or ""
    return str(arn).endswith("/*")


def trainings_started(control: Any) -> int:
    """CreateSolutionVersion calls that started a training (a call refused, e.g. as a duplicate name, started none)."""
    return sum(1 for entry in control.requests("CreateSolutionVersion") if entry["status"] == 200)


def checked(host: Any, solution_arn: str, **extra: Any) -> tuple[str, dict[str, Any]]:
    """Check new inputs of a SolutionVersion (resource name `resource=`, default a new unique one) through `host`;
    returns the resource name and the checked inputs, failing the test on any check failure. A resource that trains
    gets an owner token of its own (`ownerToken=None`: none), as its `<name>-owner` gives it."""
    name = extra.pop("resource", None) or unique("model")
    extra.setdefault("ownerToken", f"token-of-{name}")  # what its `<name>-owner` gives a resource that trains
    if extra.get("existingVersionArn") or extra["ownerToken"] is None:
        extra.pop("ownerToken")
    inputs, failures = host.check(name, {"solutionArn": solution_arn, "nameScope": f"proj/dev/{name}", **extra})
    assert failures == []
    return name, inputs


def message(error: Any) -> str:
    """The provider's message from a HostError: host.py sends it alone, except on the very first call a host serves
    (before the provider is loaded), which carries the SDK's traceback: then its last line, without the class."""
    return str(error.last_line.split("SolutionVersionError: ", 1)[-1])


def said_it_adopted(output: list[str], arn: str) -> bool:
    """Whether a host's output has the line saying it adopted `arn` instead of training again: "adopted training <arn>
    ... no second training" while it still trains, or "adopted <arn> ..., already ACTIVE" if it ended before the host
    looked (on a loaded machine a host can take longer to start than an emulated training)."""
    return any(
        ": adopted " in line and arn in line and ("no second training is started" in line or "already ACTIVE" in line)
        for line in output
    )


REGION = "us-east-1"

FAST_POLLING = {
    **polling_env(initial=0.1, cap=0.25),
    "AWS_MAX_ATTEMPTS": "4",
}
"""Host environment for tests: poll the emulator often (real defaults: 5 s growing to 60 s) and retry briefly."""


def start_host(emulator: EmulatorProcess, **extra_env: str) -> Any:
    from harness.dynamic_host import DynamicHost

    host = DynamicHost(env={**emulator.env(REGION), **FAST_POLLING, **extra_env})
    host.configure({"aws:region": REGION})
    return host


def moto_api(url: str, action: str, payload: dict[str, Any]) -> None:
    """POST to moto's `/moto-api/state-manager/<action>`, as moto's docs show for server mode."""
    request = urllib.request.Request(
        f"{url}/moto-api/state-manager/{action}", data=json.dumps(payload).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status in (200, 201), response.status


def set_transition(url: str, model: str, **transition: Any) -> None:
    moto_api(url, "set-transition", {"model_name": model, "transition": transition})


def duplicate_names_mode(emulator: Any, accept: bool) -> Iterator[bool]:
    """The body of a `duplicate_names` fixture: the emulator in that mode for the test, then back as it was."""
    before = bool(emulator.control.settings()["acceptDuplicateNames"])
    emulator.control.set_duplicate_names(accept=accept)
    try:
        yield accept
    finally:
        emulator.control.set_duplicate_names(accept=before)
