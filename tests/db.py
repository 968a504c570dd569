"""Databases for tests: a throwaway PostgreSQL server, and a fresh database per test.

The server is the real thing, started by the test session: ``initdb`` into a temporary
directory, ``pg_ctl start`` on a free 127.0.0.1 port with trust authentication, stopped
when the session ends. PostgreSQL refuses to run as root, so under root (as in CI) its
commands run as the ``postgres`` user, who owns the data directory.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from pathlib import Path

import psycopg

_FAST = "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"


class PostgresMissing(Exception):
    """No PostgreSQL server binaries on this machine."""


def postgres_bindir() -> Path:
    """Return the directory holding initdb and pg_ctl, newest version first."""
    versions = sorted(
        Path("/usr/lib/postgresql").glob("*/bin"),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
        reverse=True,
    )
    candidates = [*versions]
    if pg_config := shutil.which("pg_config"):
        bindir = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True)
        candidates.append(Path(bindir.stdout.strip()))
    if initdb := shutil.which("initdb"):
        candidates.append(Path(initdb).resolve().parent)
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    raise PostgresMissing(
        "PostgreSQL server binaries (initdb, pg_ctl) not found; "
        "install them with: apt-get install postgresql"
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class PostgresServer:
    """A running PostgreSQL server that hands out empty databases."""

    port: int
    _names: Iterator[int]

    def url(self, database: str) -> str:
        """Return the SQLAlchemy URL of one of its databases."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def _admin(self) -> psycopg.Connection[tuple[object, ...]]:
        conninfo = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        return psycopg.connect(conninfo, autocommit=True)

    @contextmanager
    def database(self) -> Iterator[str]:
        """Create an empty database, yield its URL, then drop it."""
        name = f"test_{next(self._names)}"
        with self._admin() as admin:
            admin.execute(f"CREATE DATABASE {name} TEMPLATE template0 STRATEGY file_copy")
        try:
            yield self.url(name)
        finally:
            with self._admin() as admin:
                admin.execute(f"DROP DATABASE {name} WITH (FORCE)")


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *argv] if os.geteuid() == 0 else argv


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a PostgreSQL server in a temporary directory; stop and remove it after."""
    bindir = postgres_bindir()
    # Not under pytest's tmp_path: its parent is private to root, out of postgres' reach.
    home = Path(tempfile.mkdtemp(prefix="notices-pg-"))
    data = home / "data"
    if os.geteuid() == 0:
        shutil.chown(home, "postgres", "postgres")

    def run(*argv: str) -> None:
        cmd = _as_postgres([str(bindir / argv[0]), *argv[1:]])
        subprocess.run(cmd, check=True, cwd=home, capture_output=True, text=True)

    port = _free_port()
    try:
        run("initdb", "-D", str(data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
            "--locale=C", "--no-sync")  # fmt: skip
        options = f"-p {port} -c listen_addresses=127.0.0.1 -k {home} {_FAST}"
        run("pg_ctl", "-D", str(data), "-l", str(home / "log"), "-o", options, "-w", "start")
        try:
            yield PostgresServer(port, count())
        finally:
            run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
    except subprocess.CalledProcessError as error:
        log = home / "log"
        tail = log.read_text()[-2000:] if log.exists() else ""
        raise RuntimeError(f"{error.cmd} failed:\n{error.stderr}\n{tail}") from error
    finally:
        shutil.rmtree(home, ignore_errors=True)
