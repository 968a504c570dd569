"""The development server's request handler (``notices serve``): quiet about itself and its clients.

Werkzeug's handler names its version and Python's in ``Server`` and logs each request
line whole, query string included, and a lookup's query string is a full ID number.
This one answers ``Server: notices`` and logs paths with their queries left out.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.serving import WSGIRequestHandler

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
