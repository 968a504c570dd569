"""Shared fixtures: the seed pages beside the checkout, and the labelled corpora.

The seed pages live in ``../shared/seeds``, beside the checkout, as CI lays them; a clone
on its own has none. Tests that read them (through ``seed_pages``) are marked ``seeds``
and named so in the JUnit report (``.ci/check-seeds`` counts them there); without the pages
they are left out with one line saying why, except in CI, where they fail.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from db import PostgresMissing, PostgresServer, postgres_server

from notices.store import Store

pytest_plugins = ("httpserver",)  # the local HTTP server fixture: http_server

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
CORPUS = ROOT / "tests" / "corpus"
_LEFT_OUT = pytest.StashKey[int]()  # how many seed tests were left out of this run


def in_ci() -> bool:
    """Tell whether this run is CI's, where nothing may be skipped."""
    return os.environ.get("CI", "").lower() in {"true", "1", "yes"}


def _have_seeds() -> bool:
    return len(list(SEEDS.glob("*.txt"))) == 5


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that read the seed pages; leave them out, outside CI, without the pages."""
    seeded = [item for item in items if "seed_pages" in getattr(item, "fixturenames", ())]
    for item in seeded:
        item.add_marker(pytest.mark.seeds)
        item.user_properties.append(("seeds", "true"))  # .ci/check-seeds counts these
    if seeded and not _have_seeds() and not in_ci():
        # One line for them all, not one skip line per test (see pytest_terminal_summary).
        config.hook.pytest_deselected(items=seeded)
        items[:] = [item for item in items if item.get_closest_marker("seeds") is None]
        config.stash[_LEFT_OUT] = len(seeded)


def pytest_terminal_summary(
    terminalreporter: pytest.TerminalReporter, config: pytest.Config
) -> None:
    """Say in one line why the seed tests did not run."""
    if left_out := config.stash.get(_LEFT_OUT, 0):
        terminalreporter.write_line(
            f"{left_out} tests deselected: they read the seed pages in {SEEDS} "
            "(shared/ beside the checkout), missing here; CI runs them"
        )


@pytest.fixture(scope="session")
def seed_pages() -> list[Path]:
    """The five seed pages (CI has shared/ beside the checkout)."""
    pages = sorted(SEEDS.glob("*.txt"))
    if not _have_seeds():
        if in_ci():
            pytest.fail(f"CI must run the seed tests: expected the five seed pages in {SEEDS}")
        pytest.skip(f"needs the seed pages in {SEEDS} (shared/ beside the checkout); CI runs it")
    return pages


@pytest.fixture(scope="session")
def notice_page(seed_pages: list[Path]) -> str:
    """Seed page 000: two road closures and three loss declarations."""
    return seed_pages[0].read_text(encoding="utf-8")


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A store URL on a fresh SQLite file."""
    return f"sqlite:///{tmp_path / 'notices.sqlite3'}"


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A real PostgreSQL server for the session: skipped where none is found, but not in CI."""
    try:
        with postgres_server() as server:
            yield server
    except PostgresMissing as missing:
        if in_ci() or os.environ.get("NOTICES_TEST_PG"):
            pytest.fail(f"PostgreSQL must be tested here: {missing}")
        pytest.skip(str(missing))


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, SQLite in tmp_path or a new one on the PostgreSQL server."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'notices.sqlite3'}"
        return
    server: PostgresServer = request.getfixturevalue("postgres")
    with server.database() as url:
        yield url


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    """A migrated store on each database."""
    opened = Store.open(database_url)
    yield opened
    opened.close()
