"""The store, run alike on SQLite and on a real PostgreSQL (see tests/db.py)."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from typing import TypeVar

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlalchemy.exc import StatementError

from notices.model import Record, RoadClosure
from notices.parse import parse_page
from notices.serialize import to_dict
from notices.store import (
    MIGRATIONS,
    SHANGHAI,
    Base,
    NoticeQuery,
    PageVisit,
    RunStats,
    SaveResult,
    Sighting,
    Store,
)

T = TypeVar("T")
SOURCE = "本溪日报"
MORNING = datetime(2025, 7, 8, 6, 30, tzinfo=SHANGHAI)


@pytest.fixture
def records(notice_page: str) -> list[Record]:
    """Seed page 000 as the parser reads it: two road closures, three loss declarations."""
    found = parse_page(notice_page, url="https://example.cn/bxrb/20250708/A3.html",
                       published_on=date(2025, 7, 8), publication=SOURCE, page="A3")  # fmt: skip
    assert len(found) == 5
    return found


def seen(day: int, url: str | None = None) -> Sighting:
    """A sighting in the July ``day`` edition, fetched that morning."""
    url = url or f"https://example.cn/bxrb/202507{day:02}/A3.html"
    return Sighting(SOURCE, url, date(2025, 7, day), "A3", MORNING.replace(day=day))


def visit(url: str, text: str | None, status: str = "parsed", **more: str | None) -> PageVisit:
    """A fetch of ``url`` on 8 July."""
    content_hash = None if text is None else f"hash of {text}"
    return PageVisit(url, SOURCE, date(2025, 7, 8), "A3", MORNING, content_hash, text, status,
                     **more)  # fmt: skip


def test_saving_twice_stores_one_notice_and_one_sighting(
    store: Store, records: list[Record]
) -> None:
    assert store.save_notices(records, seen(8)) == SaveResult(new=5, seen_again=0)
    assert store.save_notices(records, seen(8)) == SaveResult(new=0, seen_again=5)
    assert store.count_notices() == 5
    assert all(len(store.sightings(r.id)) == 1 for r in records)


def test_a_notice_reprinted_three_days_is_one_notice_seen_three_times(
    store: Store, records: list[Record]
) -> None:
    for day in (9, 7, 8):  # out of order: first and last seen are still right
        store.save_notices(records[:1], seen(day))
    assert store.count_notices() == 1
    assert [s.edition for s in store.sightings(records[0].id)] == [
        date(2025, 7, 7), date(2025, 7, 8), date(2025, 7, 9)
    ]  # fmt: skip
    stored = store.notice(records[0].id)
    assert stored is not None
    assert stored["first_seen"] == "2025-07-07T06:30:00+08:00"
    assert stored["last_seen"] == "2025-07-09T06:30:00+08:00"
    assert [s["edition"] for s in stored["sightings"]] == ["2025-07-07", "2025-07-08", "2025-07-09"]


def test_a_sighting_without_url_or_edition_is_not_repeated(
    store: Store, records: list[Record]
) -> None:
    manual = Sighting("file", None, None, None, MORNING)
    store.save_notices(records, manual)
    assert store.save_notices(records, manual) == SaveResult(new=0, seen_again=5)
    assert store.sightings(records[0].id) == [manual.__class__(**dataclasses.asdict(manual))]


def test_a_stored_notice_is_the_record_as_serialised(store: Store, records: list[Record]) -> None:
    store.save_notices(records, seen(8))
    for record in records:
        stored = store.notice(record.id)
        assert stored is not None
        sightings = stored.pop("sightings")
        assert stored.pop("first_seen") == stored.pop("last_seen") == "2025-07-08T06:30:00+08:00"
        assert stored.pop("changed_at") == "2025-07-08T06:30:00+08:00"
        assert (stored.pop("revision"), stored.pop("previous_changed_at")) == (1, None)
        assert stored.pop("updated_at") == "2025-07-08T00:00:00+08:00"  # the edition's day
        assert (stored.pop("status"), stored.pop("published_on")) == ("active", "2025-07-08")
        assert (stored.pop("cancelled_on"), stored.pop("superseded_by")) == (None, None)
        assert [r["action"] for r in stored.pop("revisions")] == ["notice"]
        assert list(stored.items()) == list(to_dict(record).items())  # key order kept too
        assert sightings == [{"source": SOURCE, "url": "https://example.cn/bxrb/20250708/A3.html",
                              "edition": "2025-07-08", "page": "A3",
                              "fetched_at": "2025-07-08T06:30:00+08:00"}]  # fmt: skip
    assert store.notice("rc_nothing") is None


def test_notices_come_newest_first_by_kind_and_by_pages(
    store: Store, records: list[Record]
) -> None:
    store.save_notices(records[:2], seen(7))
    store.save_notices(records[2:], seen(8))
    newest = [n["id"] for n in store.notices()]
    by_id = sorted(r.id for r in records[2:])[::-1] + sorted(r.id for r in records[:2])[::-1]
    assert newest == by_id  # the 8 July ones, then the 7 July ones; ties by id, descending
    roads = store.notices(kind="road_closure")
    assert {n["kind"] for n in roads} == {"road_closure"} and len(roads) == 2
    pages, after = [], None
    while page := store.notices(limit=2, after=after):
        pages.append([n["id"] for n in page])
        after = page[-1]["id"]
    assert [len(p) for p in pages] == [2, 2, 1]
    assert [id_ for page in pages for id_ in page] == newest
    assert store.notices(after="rc_nothing") == []


def test_a_page_is_remembered_and_a_failed_fetch_keeps_the_text(store: Store) -> None:
    url = "https://example.cn/bxrb/20250708/A3.html"
    assert store.page_state(url) is None
    store.save_page(
        visit(url, "第一版", etag='"v1"', last_modified="Tue, 08 Jul 2025 00:00:00 GMT")
    )
    state = store.page_state(url)
    assert state is not None
    assert (state.content_hash, state.etag, state.status) == ("hash of 第一版", '"v1"', "parsed")
    assert state.last_modified == "Tue, 08 Jul 2025 00:00:00 GMT"
    assert state.fetched_at == MORNING and state.fetched_at.tzinfo is not None

    store.save_page(visit(url, None, "failed", error="HTTP 503"))
    state = store.page_state(url)
    assert state is not None
    assert (state.status, state.content_hash, state.etag) == ("failed", "hash of 第一版", None)
    assert _page_text(store, url) == "第一版"

    store.save_page(visit(url, "第二版"))
    state = store.page_state(url)
    assert state is not None
    assert (state.status, state.content_hash) == ("parsed", "hash of 第二版")
    assert _page_text(store, url) == "第二版"


def _page_text(store: Store, url: str) -> str | None:
    from notices.tables import PageRow  # the text has no reader yet but the tests

    with store._read() as session:
        row = session.get(PageRow, url)
        return None if row is None else row.text


def test_runs_start_finish_and_list_newest_first(store: Store) -> None:
    first = store.start_run(SOURCE, MORNING)
    second = store.start_run("file", MORNING + timedelta(minutes=5))
    stats = RunStats(pages_fetched=3, pages_skipped=1, pages_failed=1, notices_new=4,
                     notices_seen=2, errors=("A4: HTTP 503",))  # fmt: skip
    store.finish_run(first, stats, MORNING + timedelta(minutes=1))
    runs = store.runs()
    assert [r.id for r in runs] == [second, first]
    assert runs[0].finished_at is None and runs[0].stats == RunStats()
    assert runs[1].stats == stats
    assert runs[1].started_at == MORNING and runs[1].started_at.tzinfo is not None
    assert runs[1].finished_at == MORNING + timedelta(minutes=1)
    assert [r.id for r in store.runs(SOURCE)] == [first]
    assert len(store.runs(limit=1)) == 1
    with pytest.raises(LookupError):
        store.finish_run(second + 100, stats, MORNING)


def test_a_lock_has_one_holder_until_it_expires(store: Store) -> None:
    hour = timedelta(hours=1)
    assert store.try_lock("ingest:本溪日报", "scheduler", MORNING, hour)
    assert not store.try_lock("ingest:本溪日报", "cli", MORNING + timedelta(minutes=59), hour)
    assert store.try_lock("ingest:other", "cli", MORNING, hour)  # locks are by name
    assert store.try_lock("ingest:本溪日报", "scheduler", MORNING, hour)  # renewing is fine
    assert store.try_lock("ingest:本溪日报", "cli", MORNING + 2 * hour, hour)  # expired
    store.unlock("ingest:本溪日报", "scheduler")  # not the holder any more: no effect
    assert not store.try_lock("ingest:本溪日报", "scheduler", MORNING + 2 * hour, hour)
    store.unlock("ingest:本溪日报", "cli")
    assert store.try_lock("ingest:本溪日报", "scheduler", MORNING + 2 * hour, hour)


def test_of_many_processes_racing_for_a_lock_one_wins(database_url: str) -> None:
    stores = [Store.open(database_url) for _ in range(6)]
    won = _race(stores, lambda s: s.try_lock("ingest", f"p{id(s)}", MORNING, timedelta(hours=1)))
    assert sorted(won) == [False] * 5 + [True]


def _race(stores: list[Store], act: Callable[[Store], T]) -> list[T]:
    """Let each store act at the same moment, each in its own thread; close them after."""
    start = threading.Barrier(len(stores))
    results: list[T] = []
    failures: list[BaseException] = []

    def run(store: Store) -> None:
        start.wait()
        try:
            results.append(act(store))
        except BaseException as failure:
            failures.append(failure)

    threads = [threading.Thread(target=run, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for store in stores:
        store.close()
    assert not failures, failures
    return results


def test_savers_racing_store_each_notice_once_and_count_it_new_once(
    store: Store, database_url: str, records: list[Record]
) -> None:
    stores = [Store.open(database_url) for _ in range(4)]
    results = _race(stores, lambda saver: saver.save_notices(records, seen(8)))
    assert sum(r.new for r in results) == 5
    assert sum(r.seen_again for r in results) == 15
    assert store.count_notices() == 5
    assert all(len(store.sightings(r.id)) == 1 for r in records)


def test_a_failure_midway_leaves_nothing_written(store: Store, records: list[Record]) -> None:
    store.save_notices(records[:1], seen(7))
    broken = dataclasses.replace(records[3], warnings=(object(),))  # type: ignore[arg-type]
    # SQLAlchemy (SQLite) or psycopg (PostgreSQL) turns the record into JSON, and fails.
    with pytest.raises((StatementError, TypeError), match="not JSON serializable"):
        store.save_notices([records[0], records[2], broken, records[4]], seen(8))
    assert store.count_notices() == 1
    assert len(store.sightings(records[0].id)) == 1
    stored = store.notice(records[0].id)
    assert stored is not None and stored["last_seen"] == "2025-07-07T06:30:00+08:00"


def test_timestamps_must_carry_an_offset_and_come_back_in_utc(
    store: Store, records: list[Record]
) -> None:
    with pytest.raises(StatementError, match="naive datetime"):
        store.start_run(SOURCE, datetime(2025, 7, 8, 6, 30))
    new_york = timezone(timedelta(hours=-4))
    store.save_notices(
        records[:1], Sighting(SOURCE, None, None, None, MORNING.astimezone(new_york))
    )
    [sighting] = store.sightings(records[0].id)
    assert sighting.fetched_at == MORNING and sighting.fetched_at.tzinfo == UTC


def test_migrations_make_exactly_the_models_schema(database_url: str) -> None:
    Store.open(database_url).close()
    Store.open(database_url).close()  # a second open finds nothing to do
    engine = create_engine(database_url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    engine.dispose()


def test_a_notice_reprinted_in_another_edition_keeps_its_revision(
    store: Store, records: list[Record], notice_page: str
) -> None:
    store.save_notices(records, seen(7))
    url = "https://example.cn/lswb/20250709/B2.html"
    reprinted = parse_page(notice_page, url=url, published_on=date(2025, 7, 9),
                           publication="辽沈晚报", page="B2")  # fmt: skip
    assert [r.id for r in reprinted] == [r.id for r in records]
    store.save_notices(reprinted, seen(9, url))
    for record in records:
        stored = store.notice(record.id)
        assert stored is not None
        assert stored["source"]["publication"] == "辽沈晚报"  # the latest printing's source
        assert (stored["revision"], stored["previous_changed_at"]) == (1, None)
        assert stored["changed_at"] == "2025-07-07T06:30:00+08:00"
        assert stored["last_seen"] == "2025-07-09T06:30:00+08:00"


def test_a_corrected_notice_is_a_new_revision(store: Store, records: list[Record]) -> None:
    closure = records[0]
    assert isinstance(closure, RoadClosure) and closure.window is not None
    store.save_notices([closure], seen(7))
    store.save_notices([closure], seen(8))  # the same again: no change
    later = dataclasses.replace(closure.window, end=date(2025, 7, 31))
    corrected = dataclasses.replace(closure, window=later)
    store.save_notices([corrected], seen(9))
    stored = store.notice(closure.id)
    assert stored is not None
    assert stored["window"]["end"] == "2025-07-31"
    assert stored["revision"] == 2
    assert stored["changed_at"] == "2025-07-09T06:30:00+08:00"
    assert stored["previous_changed_at"] == "2025-07-07T06:30:00+08:00"
    assert [r["action"] for r in stored.pop("revisions")] == ["notice", "notice"]
    assert store.query(NoticeQuery(active_on=date(2025, 7, 30))) == [stored]  # filters follow
    store.save_notices([closure], seen(6))  # an older printing: nothing but when first printed
    again = store.notice(closure.id)
    assert again is not None and again["first_seen"] == "2025-07-06T06:30:00+08:00"
    assert again["published_on"] == "2025-07-06"
    moved = ("first_seen", "published_on", "sightings", "revisions")
    assert {k: v for k, v in again.items() if k not in moved} == {
        k: v for k, v in stored.items() if k not in moved
    }
    store.save_notices([closure], seen(10))  # the uncorrected text printed again, later
    latest = store.notice(closure.id)
    assert latest is not None
    assert (latest["revision"], latest["window"]["end"]) == (3, "2025-07-22")
    assert latest["previous_changed_at"] == "2025-07-09T06:30:00+08:00"


def test_the_version_changes_when_a_notice_is_added_or_seen_again(
    store: Store, records: list[Record]
) -> None:
    assert store.version() == (0, None)
    store.save_notices(records[:1], seen(7))
    assert store.version() == (1, MORNING.replace(day=7))
    assert store.version("loss_declaration") == (0, None)
    store.save_notices(records[2:3], seen(7))
    assert store.version() == (2, MORNING.replace(day=7))
    assert store.version("loss_declaration") == (1, MORNING.replace(day=7))
    store.save_notices(records[:1], seen(8))
    count, latest = store.version()
    assert (count, latest) == (2, MORNING.replace(day=8))
    assert latest is not None and latest.tzinfo is not None
    assert store.version("road_closure") == (1, MORNING.replace(day=8))
    assert store.version("loss_declaration") == (1, MORNING.replace(day=7))


def test_migrating_stored_notices_fills_what_saving_fills(
    database_url: str, records: list[Record]
) -> None:
    key = b"migration test key"
    store = Store.open(database_url, identifier_key=key)
    closure = records[0]
    assert isinstance(closure, RoadClosure)
    store.save_notices(records, seen(7), identifier_key=key)
    store.save_notices(records[:2], seen(8), identifier_key=key)
    saved = _derived(store)
    with store._writer.begin() as conn:  # back to 0001, as a store of last month had it
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    store.close()
    migrated = Store.open(database_url, identifier_key=key)
    assert _derived(migrated) == saved
    assert migrated.find_identifier("企独朝总字第000103号", key) != []
    assert [n["id"] for n in migrated.query(NoticeQuery(route="丹霍线"))] == [closure.id]
    migrated.close()


def _derived(store: Store) -> dict[str, object]:
    """Every column and row the records are spread over, by table."""
    from sqlalchemy import select

    from notices.tables import IdentifierDigestRow, NoticeCountRow, NoticeRouteRow, NoticeRow

    tables = (NoticeRow, NoticeRouteRow, IdentifierDigestRow, NoticeCountRow)
    with store._read() as session:
        return {t.__tablename__: sorted(map(tuple, session.execute(select(t.__table__)).all()),
                                        key=repr) for t in tables}  # fmt: skip
