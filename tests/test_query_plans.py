"""Every list filter is served by an index, on SQLite and on PostgreSQL: the plans say so.

The store is filled with generated notices (benchmarks/data.py). PostgreSQL is told not to
scan sequentially, since on a few hundred rows a scan is cheapest: the question is whether
an index can serve the filter, which is what keeps its cost flat from 10,000 to 100,000.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import Connection, Select, select, text

from benchmarks import data
from notices.store import NoticeQuery, Store
from notices.tables import NoticeRow, newest_ids, notice_filters

DAY = date.today()
KIND = "ix_notices_kind_last_seen_id"
# Each filter, and the index (by name, as each database names it) its plan must use.
FILTERS = [
    # A window's end, or the kind read newest first, which stops when the page is full.
    (NoticeQuery(kind="road_closure", active_on=DAY), {"ix_notices_kind_window_end", KIND}),
    (NoticeQuery(kind="road_closure", active_on=DAY, active_until=date(2024, 12, 2)),
     {"ix_notices_kind_window_end", KIND}),
    (NoticeQuery(route="G12"), {"pk_notice_routes", "sqlite_autoindex_notice_routes_1"}),
    (NoticeQuery(region="本溪"), {"ix_notices_region_last_seen_id"}),
    (NoticeQuery(region_code="2105"), {"ix_notices_region_code_last_seen_id"}),
    (NoticeQuery(publication="本溪日报"), {"ix_notices_publication_last_seen_id"}),
    (NoticeQuery(issuer="公路管理处"), {"pk_notice_issuers", "sqlite_autoindex_notice_issuers_1"}),
    (NoticeQuery(kind="loss_declaration"),  # any index led by kind serves it
     {KIND, "ix_notices_kind_window_end"}),
]  # fmt: skip


# The filters whose newest-first index also holds what every list asks of a notice (shown
# or not; a closure's window): a page of ids is read from the index alone (migration 0006).
COVERED = [
    (NoticeQuery(kind="road_closure", active_on=DAY), KIND),
    (NoticeQuery(active_on=DAY), KIND),  # without a kind: only closures have windows
    (NoticeQuery(kind="road_closure", active_on=DAY, active_until=date(2024, 12, 2)), KIND),
    (NoticeQuery(region="本溪"), "ix_notices_region_last_seen_id"),
    (NoticeQuery(region_code="2105"), "ix_notices_region_code_last_seen_id"),
    (NoticeQuery(publication="本溪日报"), "ix_notices_publication_last_seen_id"),
    (NoticeQuery(kind="loss_declaration"), KIND),
]


@pytest.fixture
def filled(database_url: str) -> Iterator[Store]:
    data.fill(database_url, 120)
    store = Store.open(database_url)
    yield store
    store.close()


def plan(conn: Connection, query: NoticeQuery, *, texts: bool = True) -> str:
    """The plan of a list's query, as the database explains it (``texts``: with the texts)."""
    columns = (NoticeRow.id, NoticeRow.published) if texts else (NoticeRow.id,)
    stmt = select(*columns).where(*notice_filters(query))
    return explain(conn, stmt.order_by(NoticeRow.last_seen.desc(), NoticeRow.id.desc()).limit(51))


def explain(conn: Connection, stmt: Select[Any]) -> str:
    """The plan of a statement, as the database explains it."""
    sql = str(stmt.compile(conn, compile_kwargs={"literal_binds": True}))
    if conn.dialect.name == "postgresql":
        conn.execute(text("SET enable_seqscan = off"))
        return "\n".join(row[0] for row in conn.execute(text(f"EXPLAIN {sql}")))
    return "\n".join(row[-1] for row in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}")))


@pytest.mark.parametrize(("query", "indexes"), FILTERS)
def test_each_filter_is_served_by_its_index(
    filled: Store, query: NoticeQuery, indexes: set[str]
) -> None:
    with filled._engine.connect() as conn:
        explained = plan(conn, query)
    assert any(index in explained for index in indexes), explained


def test_a_plan_without_the_index_would_fail(filled: Store) -> None:
    """The check above can fail: with the region index gone, its plan names it no more."""
    with filled._engine.begin() as conn:  # this test's own database: the index may go
        conn.execute(text("DROP INDEX ix_notices_region_last_seen_id"))
    with filled._engine.connect() as conn:
        assert "ix_notices_region_last_seen_id" not in plan(conn, NoticeQuery(region="本溪"))


@pytest.mark.parametrize(("query", "index"), COVERED)
def test_a_page_of_ids_is_read_from_its_index_alone(
    filled: Store, query: NoticeQuery, index: str
) -> None:
    """Store.published_page reads the page's ids so, then only their rows' texts."""
    with filled._engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # an index-only scan needs the visibility map
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text("VACUUM ANALYZE notices")
            )
        explained = plan(conn, query, texts=False)
    only = {"sqlite": f"COVERING INDEX {index}\\b",
            "postgresql": f"Index Only Scan (Backward )?using {index}\\b"}  # fmt: skip
    assert re.search(only[filled._engine.dialect.name], explained), explained


def test_a_plan_reading_rows_is_told_apart(filled: Store) -> None:
    """The check above can fail: with the texts asked for too, the rows must be read."""
    with filled._engine.connect() as conn:
        explained = plan(conn, NoticeQuery(region_code="2105"))
    assert "COVERING INDEX" not in explained and "Index Only Scan" not in explained, explained


def test_a_road_of_one_key_is_read_newest_first_from_its_keys(filled: Store) -> None:
    """Store.published_page's statement for a road: notice_routes' index in order, no sort."""
    stmt, (seen, key) = newest_ids(NoticeQuery(route="G12"), frozenset())
    with filled._engine.connect() as conn:
        if conn.dialect.name == "postgresql":  # a few rows sort cheaply: is there a plan that need not?
            conn.execute(text("SET enable_sort = off"))
            conn.execute(text("SET enable_bitmapscan = off"))
        explained = explain(conn, stmt.order_by(seen.desc(), key.desc()).limit(51))
    assert "ix_notice_routes_route_last_seen_notice_id" in explained, explained
    assert "TEMP B-TREE" not in explained and "Sort" not in explained, explained
