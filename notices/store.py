"""Records → database: notices, where they were seen, pages fetched, runs and locks.

One :class:`Store` speaks to SQLite or PostgreSQL through the same SQLAlchemy tables;
the schema is made by the Alembic migrations in ``notices/migrations``, run to head by
:meth:`Store.open`. A notice is stored once under its stable id, as
:func:`notices.serialize.to_dict` gives it; every printing of it is a sighting.

Timestamps go in as aware datetimes, are kept in UTC and come back aware; the dicts
handed to renderers carry them at +08:00, the papers' own time.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import (
    JSON,
    Connection,
    Date,
    DateTime,
    Dialect,
    Engine,
    ForeignKey,
    Index,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    case,
    create_engine,
    delete,
    event,
    func,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from notices.model import Record
from notices.serialize import to_dict

MIGRATIONS = Path(__file__).with_name("migrations")
# China has kept one offset, without summer time, since 1991: no tz database needed.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
_SQLITE_BUSY_MS = 10_000


@dataclass(frozen=True)
class Sighting:
    """Where and when a notice was seen."""

    source: str
    url: str | None
    edition: date | None
    page: str | None
    fetched_at: datetime


@dataclass(frozen=True)
class PageState:
    """What we know of a page URL from its last fetch."""

    url: str
    content_hash: str | None
    etag: str | None
    last_modified: str | None
    fetched_at: datetime | None
    status: str


@dataclass(frozen=True)
class PageVisit:
    """One fetch of a page, to be recorded."""

    url: str
    source: str
    edition: date | None
    page: str | None
    fetched_at: datetime
    content_hash: str | None
    text: str | None
    status: str
    error: str | None = None
    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True)
class SaveResult:
    """How many of the notices saved were new, and how many already stored."""

    new: int
    seen_again: int


@dataclass(frozen=True)
class RunStats:
    """What one ingest run did."""

    pages_fetched: int = 0
    pages_skipped: int = 0
    pages_failed: int = 0
    notices_new: int = 0
    notices_seen: int = 0
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Run:
    """One ingest run of a source."""

    id: int
    source: str
    started_at: datetime
    finished_at: datetime | None
    stats: RunStats


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime kept in UTC; SQLite drops the offset, so it is put back on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: timestamps must carry their offset")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    # Named constraints, so both databases and every migration agree on them.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(table_name)s_%(column_0_N_name)s",
            "uq": "uq_%(table_name)s_%(column_0_N_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class NoticeRow(Base):
    """A notice, once, under its stable id; ``record`` is its JSON as serialize gave it."""

    __tablename__ = "notices"
    __table_args__ = (Index(None, "last_seen", "id"),)

    id: Mapped[str] = mapped_column(String, primary_key=True)
    kind: Mapped[str] = mapped_column(String, index=True)
    # JSON, not JSONB: it keeps the record's key order, which readers of the API see.
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)


class SightingRow(Base):
    """One printing of a notice: a page of an edition of a source."""

    __tablename__ = "sightings"
    __table_args__ = (UniqueConstraint("notice_id", "url", "edition"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String)
    url: Mapped[str | None] = mapped_column(String)
    edition: Mapped[date | None] = mapped_column(Date)
    page: Mapped[str | None] = mapped_column(String)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)


class PageRow(Base):
    """The last fetch of a page URL, with the text of the last one that gave text."""

    __tablename__ = "pages"

    url: Mapped[str] = mapped_column(String, primary_key=True)
    source: Mapped[str] = mapped_column(String)
    edition: Mapped[date | None] = mapped_column(Date)
    page: Mapped[str | None] = mapped_column(String)
    content_hash: Mapped[str | None] = mapped_column(String)
    text: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String)
    error: Mapped[str | None] = mapped_column(Text)
    etag: Mapped[str | None] = mapped_column(String)
    last_modified: Mapped[str | None] = mapped_column(String)
    fetched_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RunRow(Base):
    """One ingest run; the counts are :class:`RunStats`' fields."""

    __tablename__ = "runs"
    __table_args__ = (Index(None, "source", "started_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    pages_fetched: Mapped[int] = mapped_column(default=0)
    pages_skipped: Mapped[int] = mapped_column(default=0)
    pages_failed: Mapped[int] = mapped_column(default=0)
    notices_new: Mapped[int] = mapped_column(default=0)
    notices_seen: Mapped[int] = mapped_column(default=0)
    errors: Mapped[list[str]] = mapped_column(JSON, default=list)


class LockRow(Base):
    """A named lock: who holds it, and until when."""

    __tablename__ = "locks"

    name: Mapped[str] = mapped_column(String, primary_key=True)
    holder: Mapped[str] = mapped_column(String)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Store:
    """Notices, sightings, pages, runs and locks in one SQLite or PostgreSQL database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # Writers ask SQLite for the write lock up front (see _begin_sqlite).
        self._writer = engine.execution_options(notices_write=True)

    @classmethod
    def open(cls, url: str) -> Store:
        """Connect to ``url`` and bring its schema to the latest migration."""
        engine = create_engine(url, json_serializer=_json_dumps)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _connect_sqlite)
            event.listen(engine, "begin", _begin_sqlite)
        store = cls(engine)
        try:
            store._migrate()
        except BaseException:
            engine.dispose()
            raise
        return store

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def _migrate(self) -> None:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self._writer.begin() as conn:
            if conn.dialect.name == "postgresql":  # two processes opening a new database
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('notices.migrate'))"))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with Session(self._writer) as session, session.begin():
            yield session

    @contextmanager
    def _read(self) -> Iterator[Session]:
        with Session(self._engine) as session, session.begin():
            yield session

    # Pages

    def page_state(self, url: str) -> PageState | None:
        """Return what the last fetch of ``url`` found, or None if it was never fetched."""
        with self._read() as session:
            row = session.get(PageRow, url)
            if row is None:
                return None
            return PageState(
                row.url, row.content_hash, row.etag, row.last_modified, row.fetched_at, row.status
            )

    def save_page(self, visit: PageVisit) -> None:
        """Record a fetch of a page; one without text keeps the text (and hash) it had."""
        with self._write() as session:
            stmt = _insert(session, PageRow).values(dataclasses.asdict(visit))
            fresh = stmt.excluded
            keep_old = fresh.text.is_(None)
            changes: dict[str, Any] = {c: fresh[c] for c in _columns(PageVisit) if c != "url"}
            changes["text"] = func.coalesce(fresh.text, PageRow.text)
            changes["content_hash"] = case(
                (keep_old, PageRow.content_hash), else_=fresh.content_hash
            )
            session.execute(stmt.on_conflict_do_update(index_elements=["url"], set_=changes))

    # Notices

    def save_notices(self, records: Sequence[Record], sighting: Sighting) -> SaveResult:
        """Store records seen at ``sighting``, all or none; count the new ones."""
        ids = [record.id for record in records]
        with self._write() as session:
            if session.get_bind().dialect.name == "postgresql":
                # One saver at a time, as SQLite has it: exact counts, no deadlocks.
                session.execute(text("SELECT pg_advisory_xact_lock(hashtext('notices.save'))"))
            known = set(session.scalars(select(NoticeRow.id).where(NoticeRow.id.in_(ids))))
            for record in records:
                _upsert_notice(session, record, sighting.fetched_at)
                _add_sighting(session, record.id, sighting)
        new = len(set(ids) - known)
        return SaveResult(new=new, seen_again=len(records) - new)

    def notice(self, notice_id: str) -> dict[str, Any] | None:
        """Return a stored notice with its sightings, or None."""
        with self._read() as session:
            row = session.get(NoticeRow, notice_id)
            return None if row is None else _notice_dict(row, _sightings(session, [row.id]))

    def notices(
        self, *, kind: str | None = None, limit: int = 100, after: str | None = None
    ) -> list[dict[str, Any]]:
        """Return notices newest first; ``after`` is the id the previous page ended with.

        An ``after`` that names no stored notice gives an empty list.
        """
        stmt = select(NoticeRow).order_by(NoticeRow.last_seen.desc(), NoticeRow.id.desc())
        if kind is not None:
            stmt = stmt.where(NoticeRow.kind == kind)
        with self._read() as session:
            if after is not None:
                cursor = session.get(NoticeRow, after)
                if cursor is None:
                    return []
                stmt = stmt.where(
                    (NoticeRow.last_seen < cursor.last_seen)
                    | ((NoticeRow.last_seen == cursor.last_seen) & (NoticeRow.id < cursor.id))
                )
            rows = list(session.scalars(stmt.limit(limit)))
            seen = _sightings(session, [row.id for row in rows])
            return [_notice_dict(row, seen) for row in rows]

    def count_notices(self) -> int:
        """Return how many notices are stored."""
        with self._read() as session:
            return session.scalar(select(func.count()).select_from(NoticeRow)) or 0

    def sightings(self, notice_id: str) -> list[Sighting]:
        """Return where a notice was seen, oldest first."""
        with self._read() as session:
            return _sightings(session, [notice_id]).get(notice_id, [])

    # Runs

    def start_run(self, source: str, started_at: datetime) -> int:
        """Record that a run of ``source`` started; return its id."""
        with self._write() as session:
            run = RunRow(source=source, started_at=started_at, errors=[])
            session.add(run)
            session.flush()
            return run.id

    def finish_run(self, run_id: int, stats: RunStats, finished_at: datetime) -> None:
        """Record how a run ended."""
        values = dataclasses.asdict(stats) | {"errors": list(stats.errors)}
        with self._write() as session:
            done = session.execute(
                update(RunRow).where(RunRow.id == run_id).values(finished_at=finished_at, **values)
            )
            if done.rowcount != 1:  # type: ignore[attr-defined]
                raise LookupError(f"no run {run_id}")

    def runs(self, source: str | None = None, limit: int = 10) -> list[Run]:
        """Return the latest runs, of one source or all, newest first."""
        stmt = select(RunRow).order_by(RunRow.started_at.desc(), RunRow.id.desc()).limit(limit)
        if source is not None:
            stmt = stmt.where(RunRow.source == source)
        with self._read() as session:
            return [_run(row) for row in session.scalars(stmt)]

    # Locks

    def try_lock(self, name: str, holder: str, now: datetime, ttl: timedelta) -> bool:
        """Take lock ``name`` until ``now + ttl`` if it is free, expired or already ours."""
        with self._write() as session:
            stmt = _insert(session, LockRow).values(name=name, holder=holder, expires_at=now + ttl)
            taken = stmt.on_conflict_do_update(
                index_elements=["name"],
                set_={"holder": stmt.excluded.holder, "expires_at": stmt.excluded.expires_at},
                where=(LockRow.expires_at <= now) | (LockRow.holder == holder),
            ).returning(LockRow.name)
            return session.execute(taken).first() is not None

    def unlock(self, name: str, holder: str) -> None:
        """Release lock ``name`` if ``holder`` holds it."""
        with self._write() as session:
            session.execute(delete(LockRow).where(LockRow.name == name, LockRow.holder == holder))


def _json_dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _connect_sqlite(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, in _begin_sqlite
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={_SQLITE_BUSY_MS}")
    cursor.close()


def _begin_sqlite(conn: Connection) -> None:
    # A deferred transaction that reads, then writes, fails at once when another writer
    # holds the lock, whatever the busy timeout; IMMEDIATE waits for it instead.
    mode = "IMMEDIATE" if conn.get_execution_options().get("notices_write") else "DEFERRED"
    conn.exec_driver_sql(f"BEGIN {mode}")


def _insert(session: Session, table: type[Base]) -> postgresql.Insert | sqlite.Insert:
    """Return an INSERT that knows ON CONFLICT, in the session's dialect."""
    if session.get_bind().dialect.name == "postgresql":
        return postgresql.insert(table)
    return sqlite.insert(table)


def _columns(cls: type[Any]) -> list[str]:
    return [f.name for f in dataclasses.fields(cls)]


def _upsert_notice(session: Session, record: Record, seen: datetime) -> None:
    """Insert a notice, or update it: the latest sighting's version of it wins."""
    stmt = _insert(session, NoticeRow).values(
        id=record.id,
        kind=record.kind,
        record=to_dict(record),
        text=record.text,
        first_seen=seen,
        last_seen=seen,
    )
    fresh = stmt.excluded
    newer = fresh.last_seen >= NoticeRow.last_seen

    def latest(column: str) -> Any:
        return case((newer, fresh[column]), else_=getattr(NoticeRow, column))

    changes = {c: latest(c) for c in ("kind", "record", "text", "last_seen")}
    changes["first_seen"] = case(
        (fresh.first_seen < NoticeRow.first_seen, fresh.first_seen), else_=NoticeRow.first_seen
    )
    session.execute(stmt.on_conflict_do_update(index_elements=["id"], set_=changes))


def _add_sighting(session: Session, notice_id: str, sighting: Sighting) -> None:
    """Add a sighting unless this notice was already seen at this URL in this edition."""
    # NULL url or edition never collide in a unique index, so look first.
    same = select(SightingRow.id).where(
        SightingRow.notice_id == notice_id,
        SightingRow.url.is_not_distinct_from(sighting.url),
        SightingRow.edition.is_not_distinct_from(sighting.edition),
    )
    if session.scalar(same) is None:
        values = dataclasses.asdict(sighting) | {"notice_id": notice_id}
        session.execute(_insert(session, SightingRow).values(values).on_conflict_do_nothing())


def _sightings(session: Session, ids: Sequence[str]) -> dict[str, list[Sighting]]:
    stmt = (
        select(SightingRow)
        .where(SightingRow.notice_id.in_(ids))
        .order_by(SightingRow.fetched_at, SightingRow.id)
    )
    found: dict[str, list[Sighting]] = {}
    for row in session.scalars(stmt):
        found.setdefault(row.notice_id, []).append(
            Sighting(row.source, row.url, row.edition, row.page, row.fetched_at)
        )
    return found


def _local(moment: datetime) -> str:
    return moment.astimezone(SHANGHAI).isoformat()


def _notice_dict(row: NoticeRow, sightings: dict[str, list[Sighting]]) -> dict[str, Any]:
    return row.record | {
        "first_seen": _local(row.first_seen),
        "last_seen": _local(row.last_seen),
        "sightings": [_sighting_dict(s) for s in sightings.get(row.id, [])],
    }


def _sighting_dict(sighting: Sighting) -> dict[str, Any]:
    return {
        "source": sighting.source,
        "url": sighting.url,
        "edition": None if sighting.edition is None else sighting.edition.isoformat(),
        "page": sighting.page,
        "fetched_at": _local(sighting.fetched_at),
    }


def _run(row: RunRow) -> Run:
    counts = {c: getattr(row, c) for c in _columns(RunStats)}
    stats = RunStats(**counts | {"errors": tuple(row.errors)})
    return Run(row.id, row.source, row.started_at, row.finished_at, stats)
