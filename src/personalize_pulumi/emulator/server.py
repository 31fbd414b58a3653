"""The emulator's HTTP server: moto's own server with the extended Personalize backend plugged in, behind a thin
WSGI layer that serves the control API (`control_api.py`), logs Personalize calls (`request_log.py`), applies armed
faults (`faults.py`) and validates requests against botocore's model (`shape_validation.py`) before moto sees them.

Every answer carries exactly one `Date` header, on the service's clock (`timing.utcnow`, which honours the
`clockOffsetSeconds` setting): werkzeug's request handler always sends one (`http.server`'s `send_response` adds
`date_time_string()` whatever the application's headers hold), so `EmulatorRequestHandler` makes that one tell the
service's time, and the application's own headers never carry one.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable
from email.utils import format_datetime
from typing import Any, cast

import moto.personalize
from moto.core.utils import camelcase_to_underscores
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from . import control_api
from .faults import faults
from .models import personalize_emulator_backends
from .request_log import request_log
from .responses import PersonalizeEmulatorResponse
from .shape_validation import service_model, validate_input
from .timing import utcnow
from .wsgi import JSON_CONTENT_TYPE, Environ, StartResponse, WsgiApp, json_response, read_body

TARGET_PREFIX = "AmazonPersonalize."


def plug_into_moto() -> None:
    """Make moto's server serve Personalize from the emulator's backend: it looks the backend up as
    `moto.personalize.personalize_backends`. The one place the emulator changes moto; done when an app is made (not
    on import), and again by each app."""
    cast(Any, moto.personalize).personalize_backends = personalize_emulator_backends  # moto types it as its own


class EmulatorApp:
    """WSGI wrapper around moto's dispatcher for Personalize calls and the `/_emulator/` control API; everything
    else (moto's own `/moto-api/`, e.g. its state manager) goes to moto unchanged."""

    def __init__(self) -> None:
        plug_into_moto()
        self.moto_app: WsgiApp = DomainDispatcherApplication(create_backend_app)
        # Personalize calls go straight to moto's app for the service: its dispatcher would find the service from the
        # Host header by listing moto's modules on disk, twice per request.
        self.personalize_app: WsgiApp = create_backend_app("personalize")

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        def without_date(status: str, headers: list[Any], *rest: Any) -> Any:
            # The request handler sends the one Date header (see EmulatorRequestHandler).
            return start_response(status, [(k, v) for k, v in headers if k.lower() != "date"], *rest)

        if control_api.handles(environ):
            return control_api.serve(environ, without_date)
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith(TARGET_PREFIX):
            return self.moto_app(environ, without_date)
        return self._personalize(environ, without_date, target[len(TARGET_PREFIX) :])

    def _personalize(self, environ: Environ, start_response: StartResponse, operation: str) -> Iterable[bytes]:
        try:
            params = json.loads(read_body(environ) or b"{}")
        except ValueError:
            payload = {"__type": "SerializationException", "message": "Request body is not JSON."}
            return json_response(start_response, 400, payload)
        entry = request_log.record(operation, params)

        def record_status(status: Any) -> None:
            entry["status"] = status

        def lose_answer() -> None:
            entry["answerLost"] = True

        def carry_out(respond: StartResponse) -> Iterable[bytes]:
            return self._carry_out(environ, respond, operation, params, record_status)

        faulty = faults.answer_request(operation, environ, start_response, record_status, carry_out, lose_answer)
        if faulty is not None:
            return faulty
        return carry_out(start_response)

    def _carry_out(
        self,
        environ: Environ,
        start_response: StartResponse,
        operation: str,
        params: Any,
        record_status: Callable[[Any], None],
    ) -> Iterable[bytes]:
        """The call's answer, as the service gives it (no fault): refused by the emulator's checks, or moto's."""

        def answer(status: int, payload: dict[str, Any]) -> Iterable[bytes]:
            record_status(status)
            return json_response(start_response, status, payload)

        if operation not in service_model().operation_names:
            return answer(400, {"__type": "UnknownOperationException", "message": f"Unknown operation {operation}."})
        if not hasattr(PersonalizeEmulatorResponse, camelcase_to_underscores(operation)):
            # moto would crash with an HTML 500 page (and log a traceback); say plainly what is missing instead.
            message = f"The emulator does not implement {operation}."
            return answer(501, {"__type": "NotImplementedException", "message": message})
        errors = validate_input(operation, params)
        if errors:
            count = f"{len(errors)} validation error{'s' if len(errors) > 1 else ''} detected: "
            return answer(400, {"__type": "InvalidInputException", "message": count + "; ".join(errors)})

        def recording_start_response(status: str, headers: list[Any], *rest: Any) -> Any:
            record_status(int(status.split()[0]))
            headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
            return start_response(status, [*headers, ("Content-Type", JSON_CONTENT_TYPE)], *rest)

        return self.personalize_app(environ, recording_start_response)


class EmulatorRequestHandler(WSGIRequestHandler):
    """werkzeug's request handler, with its Date header on the service's clock (`timing.utcnow`)."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        """RFC 7231's HTTP-date of `timestamp`, or of the service's clock's now (what the Date header gets)."""
        if timestamp is not None:
            return super().date_time_string(timestamp)
        return format_datetime(utcnow(), usegmt=True)


class EmulatorServer:
    """A Personalize endpoint on 127.0.0.1 (`python -m personalize_pulumi.emulator` serves it in the foreground)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        # werkzeug's own request handler: moto's MotoRequestHandler (moto >= 5.2.5) only keeps S3 metadata headers
        # with underscores, which Personalize has none of.
        self._server: BaseWSGIServer = make_server(
            host, port, EmulatorApp(), threaded=True, request_handler=EmulatorRequestHandler
        )

    @property
    def url(self) -> str:
        return f"http://{self._server.host}:{self._server.port}"

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def quiet_request_logging() -> None:
    """Werkzeug logs one line per request; the emulator's own request log is the record."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
