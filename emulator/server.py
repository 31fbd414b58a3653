"""The emulator's HTTP server: moto's own server with the extended Personalize backend plugged in, behind a thin
WSGI layer that logs requests, validates them against botocore's model, injects faults and serves `/_emulator/*`.
"""

from __future__ import annotations

import io
import json
import logging
import socket
import threading
from http import HTTPStatus
from collections.abc import Callable, Iterable
from typing import Any

import moto.personalize
from moto.core.base_backend import BackendDict
from moto.core.utils import camelcase_to_underscores
from moto.moto_api import state_manager
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, MotoRequestHandler, create_backend_app
from werkzeug.serving import BaseWSGIServer, make_server

from .faults import faults, parse_rules
from .models import SETUP_MODEL, TRAINING_MODEL, personalize_emulator_backends
from .request_log import request_log
from .responses import PersonalizeEmulatorResponse
from .shape_validation import service_model, validate_input

TARGET_PREFIX = "AmazonPersonalize."
CONTROL_PREFIX = "/_emulator/"

StartResponse = Callable[..., Any]

# moto's server looks the backend up as `moto.personalize.personalize_backends`; this is the one place the emulator
# plugs its extension into moto.
moto.personalize.personalize_backends = personalize_emulator_backends  # type: ignore[attr-defined]


def set_timing(training_seconds: float | None = None, setup_seconds: float | None = None) -> None:
    """How long a solution version trains (CREATE PENDING + CREATE IN_PROGRESS, half each; stopping takes half) and how
    long dataset groups and solutions take to become ACTIVE."""
    if training_seconds is not None:
        state_manager.set_transition(TRAINING_MODEL, {"progression": "time", "seconds": training_seconds / 2})
    if setup_seconds is not None:
        state_manager.set_transition(SETUP_MODEL, {"progression": "time", "seconds": setup_seconds / 2})


def timing() -> dict[str, float]:
    def total(model: str) -> float:
        config = state_manager.get_transition(model)
        return config.get("seconds", 0) * 2 if config["progression"] == "time" else 0

    return {"trainingSeconds": total(TRAINING_MODEL), "setupSeconds": total(SETUP_MODEL)}


def reset() -> None:
    """Forget every resource, fault rule and logged request."""
    BackendDict.reset()
    faults.clear()
    request_log.clear()


class EmulatorApp:
    """WSGI wrapper around moto's dispatcher for Personalize calls and the `/_emulator/` control API."""

    def __init__(self) -> None:
        self.moto_app = DomainDispatcherApplication(create_backend_app)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path.startswith(CONTROL_PREFIX):
            return self._control(environ, start_response, path[len(CONTROL_PREFIX):])
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith(TARGET_PREFIX):
            return self.moto_app(environ, start_response)
        return self._personalize(environ, start_response, target[len(TARGET_PREFIX):])

    def _personalize(self, environ: dict[str, Any], start_response: StartResponse, operation: str) -> Iterable[bytes]:
        body = _read_body(environ)
        try:
            params = json.loads(body or b"{}")
        except ValueError:
            return _json(start_response, 400, {"__type": "SerializationException", "message": "Request body is not JSON."})
        entry = request_log.record(operation, params)

        def answer(status: int, payload: dict[str, Any]) -> Iterable[bytes]:
            entry["status"] = status
            return _json(start_response, status, payload)

        fault = faults.take_request_fault(operation)
        if fault is not None and fault.kind == "drop":
            entry["status"] = "dropped"
            _drop_connection(environ)
            start_response("500 Internal Server Error", [("Content-Length", "0")])
            return []
        if fault is not None and fault.kind == "http500":
            return answer(500, {"__type": "InternalFailure", "message": "Emulated internal server error."})
        if fault is not None:
            return answer(400, {"__type": fault.code, "message": "Rate exceeded"})
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
            entry["status"] = int(status.split()[0])
            headers = [(k, v) for k, v in headers if k.lower() != "content-type"]
            return start_response(status, [*headers, ("Content-Type", "application/x-amz-json-1.1")], *rest)

        return self.moto_app(environ, recording_start_response)

    def _control(self, environ: dict[str, Any], start_response: StartResponse, route: str) -> Iterable[bytes]:
        method = environ["REQUEST_METHOD"]
        try:
            data = json.loads(_read_body(environ) or b"{}")
        except ValueError:
            return _json(start_response, 400, {"error": "body must be JSON"})
        if route == "health":
            return _json(start_response, 200, {"ok": True, **timing()})
        if route == "requests" and method == "GET":
            return _json(start_response, 200, {"requests": request_log.entries()})
        if route == "requests" and method == "DELETE":
            request_log.clear()
            return _json(start_response, 200, {})
        if route == "faults" and method == "GET":
            return _json(start_response, 200, {"faults": faults.rules()})
        if route == "faults" and method == "POST":
            try:
                faults.add(*parse_rules(data))
            except ValueError as error:
                return _json(start_response, 400, {"error": str(error)})
            return _json(start_response, 200, {"faults": faults.rules()})
        if route == "faults" and method == "DELETE":
            faults.clear()
            return _json(start_response, 200, {})
        if route == "timing" and method == "POST":
            set_timing(data.get("trainingSeconds"), data.get("setupSeconds"))
            return _json(start_response, 200, timing())
        if route == "reset" and method == "POST":
            reset()
            return _json(start_response, 200, {})
        return _json(start_response, 404, {"error": f"no control route {method} /_emulator/{route}"})


class EmulatorServer:
    """A Personalize endpoint on 127.0.0.1, served from a background thread of this process."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self._server: BaseWSGIServer = make_server(
            host, port, EmulatorApp(), threaded=True, request_handler=MotoRequestHandler
        )
        self._thread = threading.Thread(target=self._server.serve_forever, name="personalize-emulator", daemon=True)

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> EmulatorServer:
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        self._server.serve_forever()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def quiet_request_logging() -> None:
    """Werkzeug logs one line per request; the emulator's own request log is the record."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)


def _read_body(environ: dict[str, Any]) -> bytes:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _json(start_response: StartResponse, status: int, payload: Any) -> Iterable[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [("Content-Type", "application/x-amz-json-1.1"), ("Content-Length", str(len(body)))],
    )
    return [body]


def _drop_connection(environ: dict[str, Any]) -> None:
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
