"""The development server of ``notices serve``: bind an address, say which, log plainly.

Port 0 asks the system for a free port, so the address is read back from the bound socket,
and that is the one the banner and the feeds' links name. Log lines lose werkzeug's ANSI
colours where stderr is not a terminal (a file, a pipe, journald), and the libraries that
log at every store open or job (alembic, APScheduler) say only their warnings. Werkzeug's
request handler names its version and Python's in ``Server`` and logs each request line
whole, query string included, and a lookup's query string is a full ID number: the one
here answers ``Server: notices`` and logs paths with their queries left out.
"""

from __future__ import annotations

import logging
import re
import socket
import sys
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from notices.errors import ConfigError
from notices.logs import JsonFormatter, log_format

_CHATTY = ("alembic", "apscheduler")
_LAYOUT = "%(asctime)s %(levelname)s %(message)s"
_QUERY = re.compile(r"\?[^\s\"']*")


def redact(line: str) -> str:
    """Leave query strings out of a log line: ``GET /lookup?identifier=… HTTP/1.1``."""
    return _QUERY.sub("?…", line)


class QuietRequestHandler(WSGIRequestHandler):
    """A request handler that names no version and logs no query string."""

    def version_string(self) -> str:
        return "notices"

    def log(self, type: str, message: str, *args: Any) -> None:
        super().log(type, "%s", redact(message % args if args else message))


def listen(host: str, port: int, app: Flask) -> BaseWSGIServer:
    """Bind the server to host and port; an address that cannot be had is a ConfigError."""
    try:  # werkzeug reports an unknown host by its errno text alone, then exits
        socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except OSError as exc:
        raise ConfigError(f"cannot listen on {host}: {exc.strerror or exc}") from exc
    # a port in use: werkzeug says so
    return make_server(host, port, app, threaded=True, request_handler=QuietRequestHandler)


def address(server: BaseWSGIServer) -> str:
    """Return the URL the server answers on, with the port it was given."""
    host, port = server.socket.getsockname()[:2]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}/"


class PlainFormatter(logging.Formatter):
    """A formatter that drops ANSI colour codes (werkzeug colours some request lines)."""

    _ANSI = re.compile(r"\x1b\[[0-9;]*m")

    def format(self, record: logging.LogRecord) -> str:
        """Format the record without colour codes."""
        return self._ANSI.sub("", super().format(record))


def log_to_stderr() -> None:
    """Log INFO and up to stderr, coloured only on a terminal, or as JSON lines if asked."""
    handler = logging.StreamHandler()
    tty = sys.stderr.isatty()
    if log_format() == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter(_LAYOUT) if tty else PlainFormatter(_LAYOUT))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    for name in _CHATTY:
        logging.getLogger(name).setLevel(logging.WARNING)
