"""Settings: one declarative table (name, default, help), read from ``NOTICES_*`` variables.

The CLI's options and the README are checked against this table (tests/test_settings.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    """One setting: its name (the variable is ``NOTICES_<NAME>``), default and meaning."""

    name: str
    default: str
    help: str

    @property
    def variable(self) -> str:
        return f"NOTICES_{self.name}"


def _demo_sources() -> str:
    return str(Path(__file__).resolve().parent / "demo" / "sources.toml")


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "DATABASE_URL",
        "sqlite:///notices.sqlite3",
        "SQLAlchemy URL of the store: SQLite by default, or postgresql+psycopg://…",
    ),
    Setting("SOURCES", "", "TOML file listing the sources to ingest"),
    Setting(
        "USER_AGENT",
        "notices/0.1 (+https://example.invalid/notices)",
        "User-Agent sent with every request",
    ),
    Setting("HTTP_TIMEOUT", "10", "seconds before a request times out"),
    Setting("HTTP_RETRIES", "3", "retries after a timeout, a dropped connection or a 5xx"),
    Setting("HTTP_PER_HOST", "2", "requests in flight to one host at most"),
    Setting("HTTP_DELAY", "0.2", "seconds between two requests to one host at least"),
    Setting("IDENTIFIER_KEY", "change-me", "secret key of the identifier digests used for lookups"),
    Setting("SENDER", "notices@example.invalid", "CAP sender of the alerts"),
    Setting("BASE_URL", "http://127.0.0.1:8000", "the public address, for links in feeds"),
    Setting(
        "API_TOKENS",
        "",
        "staff API tokens as name=token pairs, comma-separated (or made by `notices token`)",
    ),
)
_BY_NAME = {s.name: s for s in SETTINGS}
MAX_PARSE_BYTES = 512 * 1024  # the largest body POST /api/v1/parse accepts


def get(name: str) -> str:
    """The value of a setting: its ``NOTICES_`` variable if set, else its default."""
    setting = _BY_NAME[name]
    value = os.environ.get(setting.variable, setting.default)
    if name == "SOURCES" and not value:
        return _demo_sources()
    return value


def get_float(name: str) -> float:
    """A numeric setting."""
    return float(get(name))


def sources_path() -> Path:
    """The sources file in force."""
    return Path(get("SOURCES"))
