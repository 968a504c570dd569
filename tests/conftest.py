"""Shared fixtures: the seed pages beside the checkout, and the labelled corpora.

The seed pages live in ``../shared/seeds``, beside the checkout, as CI lays them; a clone
on its own has none. Tests that read them (through ``seed_pages``) are marked ``seeds``
and named so in the JUnit report (``.ci/check-seeds`` counts them there); outside CI they
are skipped with one reason, in CI they fail without the pages.
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


def in_ci() -> bool:
    """Tell whether this run is CI's, where nothing may be skipped."""
    return os.environ.get("CI", "").lower() in {"true", "1", "yes"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the tests that read the seed pages, and name them in the JUnit report."""
    for item in items:
        if "seed_pages" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.seeds)
            item.user_properties.append(("seeds", "true"))


@pytest.fixture(scope="session")
def seed_pages() -> list[Path]:
    """The five seed pages (CI has shared/ beside the checkout)."""
    pages = sorted(SEEDS.glob("*.txt"))
    if len(pages) != 5:
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
