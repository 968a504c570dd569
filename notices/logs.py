"""Log lines as people read them, or as JSON objects one a line (``LOG_FORMAT=json``).

A JSON line holds ``time`` (UTC, ISO 8601), ``level``, ``logger``, ``message``, ``pid``
and, after an exception, ``exception`` (its traceback as one string), so a log collector
needs no pattern to read the web app's, gunicorn's and the worker's lines alike.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from notices import settings
from notices.errors import ConfigError

FORMATS = ("text", "json")


class JsonFormatter(logging.Formatter):
    """Format a record as one JSON object on one line."""

    def format(self, record: logging.LogRecord) -> str:
        """Return the record as a JSON line."""
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            "pid": record.process,
        }
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False)


def log_format() -> str:
    """Return ``LOG_FORMAT``: text or json; anything else is a ConfigError."""
    chosen = settings.get("LOG_FORMAT").strip().lower()
    if chosen not in FORMATS:
        raise ConfigError(f"NOTICES_LOG_FORMAT must be text or json, not {chosen!r}")
    return chosen


def gunicorn_logconfig() -> dict[str, Any] | None:
    """gunicorn's ``logconfig_dict`` for JSON lines, or None to keep its own text lines."""
    if log_format() != "json":
        return None
    handler = {"class": "logging.StreamHandler", "formatter": "json", "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"json": {"()": JsonFormatter}},
        "handlers": {"stderr": handler},
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            "gunicorn.error": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "gunicorn.access": {"level": "INFO", "handlers": ["stderr"], "propagate": False},
            "alembic": {"level": "WARNING"},
        },
    }
