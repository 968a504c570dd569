"""The settings table is the one source of truth: the README documents every setting.

A setting that cannot be used is a one-line error from any command, never a traceback.
"""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from notices import settings
from notices.cli import main
from notices.errors import ConfigError

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_documents_every_setting() -> None:
    text = README.read_text(encoding="utf-8")
    for setting in settings.SETTINGS:
        row = next(
            (
                line
                for line in text.splitlines()
                if line.startswith("|") and f"`{setting.variable}`" in line
            ),
            None,
        )
        assert row is not None, f"README lacks {setting.variable}"
        assert setting.help.split(":")[0].split(",")[0] in row, (
            f"README's row for {setting.variable} drifted"
        )


def test_environment_overrides_defaults(monkeypatch: object) -> None:
    import pytest

    assert isinstance(monkeypatch, pytest.MonkeyPatch)
    monkeypatch.setenv("NOTICES_HTTP_TIMEOUT", "3.5")
    assert settings.get_float("HTTP_TIMEOUT") == 3.5
    monkeypatch.delenv("NOTICES_SOURCES", raising=False)
    assert settings.sources_path().name == "sources.toml"


# ── bad settings are one-line errors ─────────────────────────────────────────────────


def _closed_port() -> int:
    with socket.socket() as probe:  # bound, never listening: connections are refused
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _fails_in_one_line(args: list[str], env: dict[str, str]) -> str:
    result = CliRunner().invoke(main, args, env=env)
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a traceback
    assert "Traceback" not in result.output
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ")
    return line


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("not a url", "Could not parse SQLAlchemy URL"),
        ("postgres://u:pw@127.0.0.1/x", "Can't load plugin"),
        ("mysql://u@127.0.0.1/x", "MySQLdb"),
        ("sqlite:////nonexistent/folder/notices.sqlite3", "unable to open database file"),
        ("postgresql+psycopg://u:secret@127.0.0.1:{port}/x", "Connection refused"),
    ],
)
def test_a_wrong_database_url_is_a_one_line_error(url: str, reason: str) -> None:
    url = url.format(port=_closed_port())
    for command in (["sources"], ["worker"], ["serve", "--port", "0"]):
        line = _fails_in_one_line(command, {"NOTICES_DATABASE_URL": url})
        assert "NOTICES_DATABASE_URL" in line and reason in line, line
        assert "secret" not in line and "pw@" not in line  # passwords stay hidden


@pytest.mark.parametrize(
    ("variable", "value", "args"),
    [
        ("NOTICES_HTTP_TIMEOUT", "soon", ["ingest", "demo"]),
        ("NOTICES_HTTP_DELAY", "-1", ["ingest", "demo"]),
        ("NOTICES_HTTP_RETRIES", "nan", ["ingest", "demo"]),
        ("NOTICES_PORT", "80000", ["serve", "--no-scheduler"]),
        ("NOTICES_PORT", "http", ["serve", "--no-scheduler"]),
    ],
)
def test_a_bad_setting_is_a_one_line_error(
    variable: str, value: str, args: list[str], sqlite_url: str
) -> None:
    line = _fails_in_one_line([*args, "--db", sqlite_url], {variable: value})
    assert variable in line and repr(value) in line, line


def test_numbers_and_ports_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTICES_PORT", "0")
    assert settings.get_port() == 0
    monkeypatch.setenv("NOTICES_PORT", "65535")
    assert settings.get_port() == 65535
    monkeypatch.setenv("NOTICES_HTTP_DELAY", "0")
    assert settings.get_float("HTTP_DELAY") == 0.0
    monkeypatch.setenv("NOTICES_HTTP_DELAY", "inf")
    with pytest.raises(ConfigError, match="NOTICES_HTTP_DELAY"):
        settings.get_float("HTTP_DELAY")
