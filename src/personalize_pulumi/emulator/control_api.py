"""The `/_emulator/` control API, served on the emulator's own port (`emulator/control.py` is its Python client).

| method and path | body | answer |
|---|---|---|
| `GET /_emulator/health` | | `{"ok": true, "iam": bool, "trainingSeconds": S, "setupSeconds": S}` (`iam`: `--iam`) |
| `GET /_emulator/requests` | | `{"requests": [{"operation", "params", "time", "status"}, ...]}`, oldest first (see below) |
| `DELETE /_emulator/requests` | | `{}`; the log is emptied |
| `GET /_emulator/faults` | | `{"faults": [rule, ...]}`, the armed rules |
| `POST /_emulator/faults` | a rule or a list of rules (see `faults.py`) | `{"faults": [...]}`; 400 `{"error"}` if any is bad |
| `DELETE /_emulator/faults` | | `{}`; every rule is disarmed |
| `POST /_emulator/timing` | `{"trainingSeconds": S, "setupSeconds": S}`, either optional | the timing now in force |
| `GET /_emulator/settings` | | `{"acceptDuplicateNames": false, "clockOffsetSeconds": 0.0, "listingLagSeconds": 0.0}`, the settings in force (see `settings.py`) |
| `POST /_emulator/settings` | e.g. `{"clockOffsetSeconds": -7200}`, every field optional | all the settings now in force; 400 `{"error"}` (one line naming the field) if any field is bad, and nothing changes |
| `POST /_emulator/reset` | | `{}`; every resource, fault rule and logged request is forgotten, the settings are those of the start-up |
| `POST /_emulator/automatic-training` | `{"solutionArn": ARN}` | `{"solutionVersionArn": ...}`, see below |

A logged request's `time` is the machine's clock (epoch seconds; the clock offset does not move it); its `status` is
the HTTP status answered, `"dropped"` for a `drop` fault, or `None` while it is being answered. A call whose answer
a `lose_answer` fault lost has the status the service answered (200 if it was carried out: a CreateSolutionVersion
that started a training) and `"answerLost": true`.

`automatic-training` starts what the solution's automatic training would (`PersonalizeEmulatorBackend.
start_automatic_training`: trainingType AUTOMATIC, no name, FULL, no tags; an armed `fail_training` rule applies to it).
It answers 400 `{"error"}` for a bad body, 404 `{"error", "code": "ResourceNotFoundException"}` for an unknown
solution, and 409 `{"error", "code"}` when no training can start: the solution is not ACTIVE
(`ResourceInUseException`), has performAutoTraining false (`InvalidInputException`), or 20 trainings are running in
its region (`LimitExceededException`).

Anything else answers 404 `{"error": "no control route ..."}`; a body that is not JSON, 400 `{"error"}`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from moto.core.base_backend import BackendDict

from . import iam
from .exceptions import PersonalizeError, ResourceNotFoundException
from .faults import faults, parse_rules
from .models import personalize_emulator_backends
from .request_log import request_log
from .settings import settings
from .timing import set_timing, timing
from .wsgi import Environ, StartResponse, json_response, read_body

PREFIX = "/_emulator/"

Answer = tuple[int, Any]
Handler = Callable[[Any], Answer]


def reset() -> None:
    """Forget every resource, fault rule and logged request, and go back to the start-up settings (the timing
    stays)."""
    BackendDict.reset()
    faults.clear()
    request_log.clear()
    settings.reset()


def _health(body: Any) -> Answer:
    return 200, {"ok": True, "iam": iam.enabled(), **timing()}


def _requests(body: Any) -> Answer:
    return 200, {"requests": request_log.entries()}


def _clear_requests(body: Any) -> Answer:
    request_log.clear()
    return 200, {}


def _faults(body: Any) -> Answer:
    return 200, {"faults": faults.rules()}


def _add_faults(body: Any) -> Answer:
    try:
        faults.add(*parse_rules(body))
    except ValueError as error:
        return 400, {"error": str(error)}
    return 200, {"faults": faults.rules()}


def _clear_faults(body: Any) -> Answer:
    faults.clear()
    return 200, {}


def _set_timing(body: Any) -> Answer:
    if not isinstance(body, dict):
        return 400, {"error": "timing must be a JSON object"}
    seconds = {key: body.get(key) for key in ("trainingSeconds", "setupSeconds")}
    for key, value in seconds.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
            return 400, {"error": f"{key!r} must be a number >= 0; got {value!r}"}
    set_timing(seconds["trainingSeconds"], seconds["setupSeconds"])
    return 200, timing()


def _settings(body: Any) -> Answer:
    return 200, settings.current.to_json()


def _update_settings(body: Any) -> Answer:
    try:
        return 200, settings.update(body).to_json()
    except ValueError as error:
        return 400, {"error": str(error)}


def _start_automatic_training(body: Any) -> Answer:
    if not isinstance(body, dict) or set(body) != {"solutionArn"} or not isinstance(body["solutionArn"], str):
        return 400, {"error": f'the body must be {{"solutionArn": "<solution ARN>"}} and nothing else; got {body!r}'}
    arn = body["solutionArn"]
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "personalize" or not parts[5].startswith("solution/"):
        shape = "arn:<partition>:personalize:<region>:<account>:solution/<name>"
        return 400, {"error": f"'solutionArn' must be a solution ARN ({shape}); got {arn!r}"}
    region, account = parts[3], parts[4]
    try:
        # Never create a backend for an account or region nothing was created in: its solution cannot exist.
        if account not in personalize_emulator_backends or region not in personalize_emulator_backends[account]:
            raise ResourceNotFoundException(arn)
        version = personalize_emulator_backends[account][region].start_automatic_training(solution_arn=arn)
    except PersonalizeError as error:
        status = 404 if isinstance(error, ResourceNotFoundException) else 409
        return status, {"error": error.message, "code": error.error_type}
    faults.fail_training_if_armed(version)
    return 200, {"solutionVersionArn": version.arn}


def _reset(body: Any) -> Answer:
    reset()
    return 200, {}


ROUTES: dict[tuple[str, str], Handler] = {
    ("GET", "health"): _health,
    ("GET", "requests"): _requests,
    ("DELETE", "requests"): _clear_requests,
    ("GET", "faults"): _faults,
    ("POST", "faults"): _add_faults,
    ("DELETE", "faults"): _clear_faults,
    ("POST", "timing"): _set_timing,
    ("GET", "settings"): _settings,
    ("POST", "settings"): _update_settings,
    ("POST", "reset"): _reset,
    ("POST", "automatic-training"): _start_automatic_training,
}


def handles(environ: Environ) -> bool:
    path: str = environ.get("PATH_INFO", "")
    return path.startswith(PREFIX)


def serve(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    """Answer one control request (one whose path starts with `/_emulator/`)."""
    method = environ["REQUEST_METHOD"]
    route = environ.get("PATH_INFO", "")[len(PREFIX) :]
    try:
        body = json.loads(read_body(environ) or b"{}")
    except ValueError:
        return json_response(start_response, 400, {"error": "body must be JSON"})
    handler = ROUTES.get((method, route))
    if handler is None:
        return json_response(start_response, 404, {"error": f"no control route {method} /_emulator/{route}"})
    status, payload = handler(body)
    return json_response(start_response, status, payload)
