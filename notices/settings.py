"""Settings: one declarative table (name, default, help), read from ``NOTICES_*`` variables.

The CLI's options and the README are checked against this table (tests/test_settings.py).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass
from pathlib import Path

from notices.errors import ConfigError


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
    Setting("PORT", "8000", "port `notices serve` (and so `make run`) listens on"),
    Setting("LOOKUP_RATE", "30/hour", "lookups one client may make: N/second, N/minute or N/hour"),
    Setting("PARSE_RATE", "20/minute", "POST /api/v1/parse requests one client may make"),
    Setting("PARSE_SECONDS", "2", "CPU seconds one POST /api/v1/parse may spend parsing"),
    Setting("TRUSTED_PROXIES", "0", "proxies in front whose X-Forwarded-For names the client"),
    Setting("LOCK_LEASE", "90", "seconds a source's lock outlives its run's last heartbeat"),
    Setting("FETCH_DEADLINE", "60", "seconds one fetch may take in all, however the bytes trickle"),
    Setting("EXTRACT_MEMORY_MB", "512", "memory a PDF's extraction may use, in its own process"),
    Setting("EXTRACT_SECONDS", "30", "CPU seconds a PDF's extraction may use"),
    Setting(
        "SCHEDULER_LEASE",
        "30",
        "seconds a standby `notices worker` waits after the active one's last heartbeat "
        "before it takes the schedule over",
    ),
    Setting("WEB_BIND", "127.0.0.1:8000", "address gunicorn listens on (deploy/gunicorn.conf.py)"),
    Setting("WEB_WORKERS", "2", "gunicorn worker processes of the web service (deploy/)"),
    Setting("WEB_THREADS", "24", "threads of each gunicorn worker (gthread)"),
    Setting("WEB_WORKER_CLASS", "gthread", "gunicorn's worker class"),
    Setting(
        "WEB_SWITCH_INTERVAL",
        "0.001",
        "seconds a gunicorn worker's thread may hold the interpreter while another waits "
        "(`sys.setswitchinterval`; 0: Python's 0.005)",
    ),
    Setting(
        "WEB_REUSE_PORT",
        "1",
        "1: each gunicorn worker listens on a socket of its own (SO_REUSEPORT) and the kernel "
        "deals connections out to them; 0: one socket, shared. With 1, set the kernel's "
        "net.ipv4.tcp_migrate_req=1 (deploy/), or a reload resets connections a retiring "
        "worker had queued",
    ),
    Setting(
        "WEB_ACCESS_LOG", "off", "gunicorn's access log: off (nginx logs), - for stdout, or a file"
    ),
    Setting("LOG_FORMAT", "text", "text, or json: one JSON object a line, for log collectors"),
    Setting(
        "METRICS_ALLOW",
        "127.0.0.1/8,::1",
        "addresses or networks that may read /metrics, comma-separated; `none`: nobody",
    ),
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
    """Return a numeric setting, zero or more; anything else is a ConfigError."""
    value = get(name)
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not number >= 0 or math.isinf(number):  # NaN fails the comparison
        raise ConfigError(f"{_BY_NAME[name].variable} must be a number, 0 or more, not {value!r}")
    return number


def get_port(name: str = "PORT") -> int:
    """Return a port setting (0 to 65535; 0 asks for any free port)."""
    value = get(name)
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise ConfigError(f"{_BY_NAME[name].variable} must be a port, 0 to 65535, not {value!r}")
    return port


def sources_path() -> Path:
    """The sources file in force."""
    return Path(get("SOURCES"))
