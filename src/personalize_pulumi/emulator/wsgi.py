"""WSGI helpers the emulator's layers share: read a body without consuming it, answer JSON, drop a connection."""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

Environ = dict[str, Any]
StartResponse = Callable[..., Any]
WsgiApp = Callable[[Environ, StartResponse], Iterable[bytes]]
JSON_CONTENT_TYPE = "application/x-amz-json-1.1"


def read_body(environ: Environ) -> bytes:
    """The request body; put back so that the next layer (moto) can read it again."""
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def json_response(start_response: StartResponse, status: int, payload: Any) -> Iterable[bytes]:
    body = json.dumps(payload).encode()
    start_response(
        f"{status} {HTTPStatus(status).phrase}",
        [("Content-Type", JSON_CONTENT_TYPE), ("Content-Length", str(len(body)))],
    )
    return [body]


def drop_connection(environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
    """Close the client's connection with no response (the client sees a dropped connection)."""
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
    start_response("500 Internal Server Error", [("Content-Length", "0")])
    return []
