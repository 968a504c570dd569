"""Records → database: notices, where they were seen, pages fetched, runs and locks.

One :class:`Store` speaks to SQLite or PostgreSQL through the tables of
:mod:`notices.tables`; the schema is made by the Alembic migrations in
``notices/migrations``, run to head by :meth:`Store.open`. A notice is stored once under
its stable id, as :func:`notices.serialize.to_dict` gives it; every printing of it is a
sighting, and every change of what it says a new revision. Which closure a printing is,
and what it changes, is :mod:`notices.revisions`' job; staff edits are :mod:`notices.staff`'s.

Timestamps go in as aware datetimes, are kept in UTC and come back aware; the dicts
handed to renderers carry them at +08:00, the papers' own time.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from sqlalchemy import (
    Connection,
    Engine,
    case,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from notices import published, revisions, settings, staff
from notices.errors import EditError
from notices.model import Record
from notices.privacy import identifier_digest
from notices.serialize import from_dict
from notices.tables import (
    COMMON_NAMES,
    ISSUER_SEPARATOR,
    AuditRow,
    IdentifierDigestRow,
    LockRow,
    NoticeCountRow,
    NoticeIssuerRow,
    NoticeNameRow,
    NoticeRouteRow,
    NoticeRow,
    PageRow,
    RunRow,
    SightingRow,
    TokenRow,
    common_names,
    identifier_digests,
    newest_first_after,
    newest_ids,
    notice_filters,
    route_keys,
)
from notices.tables import Base as Base  # migrations/env.py takes it from here
from notices.tables import NoticeQuery as NoticeQuery

MIGRATIONS = Path(__file__).with_name("migrations")
# China has kept one offset, without summer time, since 1991: no tz database needed.
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")
_SQLITE_BUSY_MS = 10_000
# The key of the identifier digests (see find_identifier); settings say which.
DEFAULT_KEY = settings.get("IDENTIFIER_KEY").encode()
MAX_LIMIT = 500
_PUBLISH_BATCH = 500  # notices written per transaction when Store.open fills their texts


@dataclass(frozen=True)
class Sighting:
    """Where and when a notice was seen."""

    source: str
    url: str | None
    edition: date | None
    page: str | None
    fetched_at: datetime


@dataclass(frozen=True)
class Facets:
    """The values a list can be narrowed by, commonest first, each with how many it holds."""

    regions: list[tuple[str, int]]
    publications: list[tuple[str, int]]
    roads: list[tuple[str, int]]


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
class RunTotals:
    """What all the runs of one source did, added up (for /metrics)."""

    runs: int
    pages_fetched: int
    pages_skipped: int
    pages_failed: int
    notices_new: int
    notices_seen: int


@dataclass(frozen=True)
class Run:
    """One ingest run of a source."""

    id: int
    source: str
    started_at: datetime
    finished_at: datetime | None
    stats: RunStats


class Store:
    """Notices, sightings, pages, runs and locks in one SQLite or PostgreSQL database."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        # Writers ask SQLite for the write lock up front (see _begin_sqlite).
        self._writer = engine.execution_options(notices_write=True)

    @classmethod
    def open(cls, url: str, *, identifier_key: bytes = DEFAULT_KEY) -> Store:
        """Connect to ``url`` and bring its schema to the latest migration.

        A migration that indexes stored identifiers digests them under ``identifier_key``.
        """
        engine = create_engine(url, json_serializer=_json_dumps)
        if engine.dialect.name == "sqlite":
            event.listen(engine, "connect", _connect_sqlite)
            event.listen(engine, "begin", _begin_sqlite)
        store = cls(engine)
        try:
            store._migrate(identifier_key)
            store._publish_unpublished()
        except BaseException:
            engine.dispose()
            raise
        return store

    def close(self) -> None:
        """Close every pooled connection."""
        self._engine.dispose()

    def schema_revision(self) -> str | None:
        """Return the Alembic revision the schema is at."""
        with self._engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()

    def _migrate(self, identifier_key: bytes) -> None:
        config = Config()
        config.attributes["identifier_key"] = identifier_key
        config.set_main_option("script_location", str(MIGRATIONS))
        with self._writer.begin() as conn:
            if conn.dialect.name == "postgresql":  # two processes opening a new database
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext('notices.migrate'))"))
            config.attributes["connection"] = conn
            command.upgrade(config, "head")

    def _publish_unpublished(self) -> None:
        """Write the public texts of the notices that have none (migration 0005 left them)."""
        missing = select(NoticeRow.id).where(NoticeRow.published.is_(None)).limit(_PUBLISH_BATCH)
        while True:
            with self._write() as session:
                ids = list(session.scalars(missing))
                _publish(session, ids)
            if len(ids) < _PUBLISH_BATCH:
                return

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

    def page_text(self, url: str) -> str | None:
        """Return the text kept from the last read of ``url``, or None."""
        with self._read() as session:
            return session.scalar(select(PageRow.text).where(PageRow.url == url))

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

    def save_notices(
        self, records: Sequence[Record], sighting: Sighting, *, identifier_key: bytes = DEFAULT_KEY
    ) -> SaveResult:
        """Store records seen at ``sighting``, all or none; count the closures they start.

        Each record is a printing: it joins the closure it is (:mod:`notices.revisions`).
        The identifiers of loss declarations are indexed as digests under ``identifier_key``.
        """
        edition = sighting.edition
        with self._write() as session:
            if session.get_bind().dialect.name == "postgresql":
                # One saver at a time, as SQLite has it: exact counts, no deadlocks.
                session.execute(text("SELECT pg_advisory_xact_lock(hashtext('notices.save'))"))
            placed: list[tuple[str, str]] = []
            rows: dict[str, NoticeRow] = {}
            new = 0
            for record in records:
                row, started = revisions.place(session, record, edition, sighting.fetched_at)
                new += started
                rows[row.id] = row
                placed.append((row.id, record.id))
            _index_notices(session, [from_dict(r.record) for r in rows.values()], identifier_key)
            _add_sightings(session, placed, sighting)
            _count_notices(session, {record.kind for record in records})
            _publish(session, list(rows))
        return SaveResult(new=new, seen_again=len(records) - new)

    def notice(self, notice_id: str, *, hidden: bool = False) -> dict[str, Any] | None:
        """Return a stored notice with its sightings and revisions, or None.

        A hidden notice is None unless ``hidden`` asks for it (the staff's view).
        """
        with self._read() as session:
            row = session.get(NoticeRow, notice_id)
            if row is None or (row.hidden and not hidden):
                return None
            found = _notice_dict(row, _sightings(session, [row.id]))
            return found | {"revisions": revisions.revisions(session, row.id)}

    def notices(
        self, *, kind: str | None = None, limit: int = 100, after: str | None = None
    ) -> list[dict[str, Any]]:
        """Return notices newest first; ``after`` is the id the previous page ended with.

        An ``after`` that names no stored notice gives an empty list.
        """
        return self.query(NoticeQuery(kind=kind, limit=limit, after=after))

    def query(self, query: NoticeQuery) -> list[dict[str, Any]]:
        """Return the notices ``query`` asks for, a page of them, newest first.

        An ``after`` that names no stored notice gives an empty list.
        """
        assert 1 <= query.limit <= MAX_LIMIT, f"limit {query.limit} out of 1..{MAX_LIMIT}"
        with self._read() as session:
            stmt = select(NoticeRow).where(*notice_filters(query, _common(session, query)))
            if query.after is not None:
                where = select(NoticeRow.last_seen).where(NoticeRow.id == query.after)
                last_seen = session.scalar(where)
                if last_seen is None:
                    return []
                stmt = stmt.where(newest_first_after(last_seen, query.after))
            stmt = stmt.order_by(NoticeRow.last_seen.desc(), NoticeRow.id.desc())
            rows = list(session.scalars(stmt.limit(query.limit)))
            return _notice_dicts(session, rows)

    def published_page(self, query: NoticeQuery) -> list[tuple[str, str]]:
        """Return the public texts of the notices ``query`` asks for, with their ids, newest first.

        One indexed query: the texts were written when each notice last changed.
        """
        assert 1 <= query.limit <= MAX_LIMIT, f"limit {query.limit} out of 1..{MAX_LIMIT}"
        with self._engine.connect() as session:
            stmt, (seen, key) = newest_ids(query, _common(session, query))
            if query.after is not None:
                stmt = _after(session, stmt, query.after, (seen, key))
                if stmt is None:
                    return []
            stmt = stmt.order_by(seen.desc(), key.desc())
            # The page's ids first, then their texts: a sort of every match (a region's
            # notices) then moves ids, not texts, and reads 50 texts only.
            ids = list(session.scalars(stmt.limit(query.limit)))
            texts = select(NoticeRow.id, NoticeRow.published).where(NoticeRow.id.in_(ids))
            found = {notice_id: text for notice_id, text in session.execute(texts)}
        return [(notice_id, found[notice_id] or "") for notice_id in ids]

    def has_notice(self, notice_id: str) -> bool:
        """Tell whether a notice of this id is stored."""
        with self._engine.connect() as session:
            return session.scalar(select(NoticeRow.id).where(NoticeRow.id == notice_id)) is not None

    def published_notice(self, notice_id: str) -> str | None:
        """Return a shown notice's public text with its revisions, or None."""
        stmt = select(NoticeRow.published, NoticeRow.published_revisions).where(
            NoticeRow.id == notice_id, NoticeRow.hidden.is_(False)
        )
        with self._engine.connect() as session:
            found = session.execute(stmt).first()
        if found is None or found[0] is None:
            return None
        return published.with_revisions(found[0], found[1] or "[]")

    def closures_from(
        self, query: NoticeQuery, *, whole: bool = False
    ) -> list[tuple[str, dict[str, Any]]]:
        """Return what ``query`` asks for, newest first, after its ``after``: ids and windows.

        Each row holds the closure's ``windows``, ``status`` and ``cancelled_on``: what says
        whether it is in force; ``whole`` adds the rest of its record (a stretch needs it).
        """
        columns = [NoticeRow.id, NoticeRow.windows, NoticeRow.status, NoticeRow.cancelled_on]
        stmt = select(*columns, *([NoticeRow.record] if whole else [])).where(
            *notice_filters(query)
        )
        with self._engine.connect() as session:
            if query.after is not None:
                stmt = _after(session, stmt, query.after)
                if stmt is None:
                    return []
            stmt = stmt.order_by(NoticeRow.last_seen.desc(), NoticeRow.id.desc())
            found = session.execute(stmt.limit(query.limit)).all()
        return [
            (i, (record[0] if record else {})
             | {"windows": windows or [], "status": status, "cancelled_on": _iso(cancelled)})
            for i, windows, status, cancelled, *record in found
        ]  # fmt: skip

    def published_texts(self, ids: Sequence[str]) -> list[tuple[str, str]]:
        """Return the public texts of these notices, with their ids, in the order asked."""
        stmt = select(NoticeRow.id, NoticeRow.published).where(NoticeRow.id.in_(ids))
        with self._engine.connect() as session:
            found = {notice_id: text for notice_id, text in session.execute(stmt)}
        return [(notice_id, found.get(notice_id) or "") for notice_id in ids]

    def declarations(
        self, value: str, key: bytes, *, limit: int, after: str | None = None
    ) -> tuple[bool, list[tuple[str, str]]]:
        """Return whether any declaration of ``value`` voids it, and a page of their texts.

        Newest first; ``after`` is the id the previous page ended with.
        """
        digest = identifier_digest(value, key)
        # The digest's few notices first (its index), then theirs: never a scan of every notice.
        digested = select(IdentifierDigestRow.notice_id).where(IdentifierDigestRow.digest == digest)
        named = (NoticeRow.id.in_(digested), *notice_filters(NoticeQuery()))
        voids = select(NoticeRow.id).where(*named, NoticeRow.declared_void.is_(True))
        page = select(NoticeRow.id, NoticeRow.published_declaration).where(*named)
        with self._engine.connect() as session:
            void = session.execute(voids.limit(1)).first() is not None
            if after is not None:
                page = _after(session, page, after)
                if page is None:
                    return void, []
            page = page.order_by(NoticeRow.last_seen.desc(), NoticeRow.id.desc()).limit(limit)
            return void, [(i, text or "") for i, text in session.execute(page)]

    def version(self, kind: str | None = None) -> tuple[int, datetime | None]:
        """Return how many notices (of ``kind``) are stored and when any last changed or was seen.

        A printing changes a notice when it is seen; a staff edit moves the kind's time on
        (``_touch_count``): either way the latest time is the version's.
        """
        stmt = select(func.coalesce(func.sum(NoticeCountRow.notices), 0),
                      func.max(NoticeCountRow.last_seen))  # fmt: skip
        if kind is not None:
            stmt = stmt.where(NoticeCountRow.kind == kind)
        with self._read() as session:
            count, latest = session.execute(stmt).one()
            return int(count), latest

    def find_identifier(self, value: str, key: bytes) -> list[dict[str, Any]]:
        """Return the loss declarations naming exactly this identifier, newest first.

        Spaces and case do not matter; the lookup goes by keyed digest, never by text.
        """
        digest = identifier_digest(value, key)
        stmt = (
            select(NoticeRow)
            .join(IdentifierDigestRow, IdentifierDigestRow.notice_id == NoticeRow.id)
            .where(IdentifierDigestRow.digest == digest, *notice_filters(NoticeQuery()))
            .order_by(NoticeRow.last_seen.desc(), NoticeRow.id.desc())
        )
        with self._read() as session:
            return _notice_dicts(session, list(session.scalars(stmt)))

    def count_notices(self) -> int:
        """Return how many notices are stored."""
        with self._read() as session:
            return session.scalar(select(func.count()).select_from(NoticeRow)) or 0

    def facets(self, kind: str, limit: int = 12) -> Facets:
        """Return the commonest regions, publications and roads of a kind, with their counts."""
        by_road = (
            select(NoticeRouteRow.route, func.count())
            .join(NoticeRow, NoticeRow.id == NoticeRouteRow.notice_id)
            .where(NoticeRow.kind == kind)
            .group_by(NoticeRouteRow.route)
        )
        with self._read() as session:
            return Facets(
                regions=_commonest(session, NoticeRow.region, kind, limit),
                publications=_commonest(session, NoticeRow.publication, kind, limit),
                roads=_counted(session, by_road, func.count(), NoticeRouteRow.route, limit),
            )

    def last_pages(self) -> dict[str, datetime]:
        """Return, for each source, when it last gave a page that was read."""
        stmt = (
            select(PageRow.source, func.max(PageRow.fetched_at))
            .where(PageRow.status == "parsed")
            .group_by(PageRow.source)
        )
        with self._read() as session:
            return {source: latest for source, latest in session.execute(stmt)}

    def sightings(self, notice_id: str) -> list[Sighting]:
        """Return where a notice was seen, oldest first."""
        with self._read() as session:
            return _sightings(session, [notice_id]).get(notice_id, [])

    # Staff edits (notices.staff): each returns the notice as the staff see it

    def correct(self, notice_id: str, field: str, value: Any, *, actor: str,
                now: datetime) -> dict[str, Any]:  # fmt: skip
        """Correct one field of a notice; the correction outlives re-ingestion."""
        return self._edit(lambda s: staff.correct(s, notice_id, field, value, actor, now),
                          [notice_id], now)  # fmt: skip

    def set_hidden(self, notice_id: str, hidden: bool, *, actor: str,
                   now: datetime) -> dict[str, Any]:  # fmt: skip
        """Hide a notice from every public output, or show it again."""
        return self._edit(lambda s: staff.set_hidden(s, notice_id, hidden, actor, now),
                          [notice_id], now)  # fmt: skip

    def merge(self, into: str, other: str, *, actor: str, now: datetime) -> dict[str, Any]:
        """Fold closure ``other`` into ``into``, which the identity rule kept apart."""
        return self._edit(lambda s: staff.merge(s, into, other, actor, now), [into, other], now)

    def split(self, notice_id: str, printing_id: str, *, actor: str,
              now: datetime) -> dict[str, Any]:  # fmt: skip
        """Take a printing out of a closure into one of its own; return the new one."""
        return self._edit(lambda s: staff.split(s, notice_id, printing_id, actor, now),
                          [notice_id, printing_id], now)  # fmt: skip

    def _edit(
        self, change: Callable[[Session], NoticeRow], touched: list[str], now: datetime
    ) -> dict[str, Any]:
        with self._write() as session:
            if session.get_bind().dialect.name == "postgresql":
                session.execute(text("SELECT pg_advisory_xact_lock(hashtext('notices.save'))"))
            shown = change(session).id
            session.flush()
            rows = [r for r in (session.get(NoticeRow, i) for i in touched) if r is not None]
            _index_notices(session, [from_dict(r.record) for r in rows], DEFAULT_KEY)
            for kind in {r.kind for r in rows}:
                _touch_count(session, kind, now)
            _publish(session, list(dict.fromkeys([*touched, shown])))
        found = self.notice(shown, hidden=True)
        assert found is not None
        return found

    def audit(self, notice_id: str) -> list[dict[str, Any]]:
        """Return the staff's changes to a notice, oldest first: who, when, before, after."""
        with self._read() as session:
            return [_audit_dict(e) for e in staff.audit_entries(session, notice_id)]

    # API tokens: only their SHA-256 digests are kept

    def add_token(self, name: str, digest: str, now: datetime) -> None:
        """Keep the digest of a new staff token under ``name``, which must be new."""
        with self._write() as session:
            if session.get(TokenRow, name) is not None:
                raise EditError(f"a token named {name!r} exists already: revoke it first")
            session.add(TokenRow(name=name, digest=digest, created_at=now))

    def revoke_token(self, name: str) -> bool:
        """Forget the token named ``name``; tell whether there was one."""
        with self._write() as session:
            gone = session.execute(delete(TokenRow).where(TokenRow.name == name))
            return bool(gone.rowcount)  # type: ignore[attr-defined]

    def tokens(self) -> list[tuple[str, str, datetime]]:
        """Return every stored token: name, digest, when it was made."""
        with self._read() as session:
            rows = session.scalars(select(TokenRow).order_by(TokenRow.name))
            return [(r.name, r.digest, r.created_at) for r in rows]

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

    def close_abandoned_runs(self, source: str, keep: int, now: datetime, reason: str) -> int:
        """Mark the unfinished runs of ``source`` but ``keep`` failed with ``reason``; count them.

        Only the holder of the source's lock calls this: no other run of it can be alive.
        """
        with self._write() as session:
            stmt = select(RunRow).where(
                RunRow.source == source, RunRow.finished_at.is_(None), RunRow.id != keep
            )
            abandoned = list(session.scalars(stmt))
            for row in abandoned:
                row.finished_at = now
                row.errors = [*row.errors, reason]
            return len(abandoned)

    def runs(self, source: str | None = None, limit: int = 10) -> list[Run]:
        """Return the latest runs, of one source or all, newest first."""
        stmt = select(RunRow).order_by(RunRow.started_at.desc(), RunRow.id.desc()).limit(limit)
        if source is not None:
            stmt = stmt.where(RunRow.source == source)
        with self._read() as session:
            return [_run(row) for row in session.scalars(stmt)]

    def run_totals(self) -> dict[str, RunTotals]:
        """Return, for each source, its finished runs and what they did, added up."""
        counts = [func.coalesce(func.sum(getattr(RunRow, c)), 0) for c in _columns(RunStats)[:-1]]
        stmt = (
            select(RunRow.source, func.count(), *counts)
            .where(RunRow.finished_at.is_not(None))
            .group_by(RunRow.source)
        )
        with self._read() as session:
            rows = session.execute(stmt).all()
            return {row[0]: RunTotals(*(int(n) for n in row[1:])) for row in rows}

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


def _common(session: Session | Connection, query: NoticeQuery) -> frozenset[str]:
    """The region and issuer filters of ``query`` that many names match (notice_filters)."""
    return frozenset(
        field
        for field, names in common_names(query)
        if len(session.execute(names).all()) >= COMMON_NAMES
    )


def _after(
    session: Session | Connection,
    stmt: Any,
    notice_id: str,
    order: tuple[Any, Any] = (NoticeRow.last_seen, NoticeRow.id),
) -> Any:
    """Narrow a newest-first select to what follows ``notice_id``; None if it is unknown."""
    last_seen = session.scalar(select(NoticeRow.last_seen).where(NoticeRow.id == notice_id))
    if last_seen is None:
        return None
    return stmt.where(newest_first_after(last_seen, notice_id, order))


def _publish(session: Session, ids: Sequence[str]) -> None:
    """Write the public texts of these notices, from what the session holds of them now."""
    session.flush()
    seen, changes = _sightings(session, ids), revisions.revisions_of(session, list(ids))
    rows = session.scalars(select(NoticeRow).where(NoticeRow.id.in_(ids)))
    names: set[tuple[str, str]] = set()
    with session.no_autoflush:  # each row written would be flushed before the next is read
        for row in list(rows):
            shown = _notice_dict(row, seen) | {"revisions": changes[row.id]}
            texts = published.texts(shown)
            row.published, row.published_revisions = texts.item, texts.revisions
            row.published_declaration, row.declared_void = texts.declaration, texts.declared_void
            signers = row.issuers.split(ISSUER_SEPARATOR)
            names |= {("issuer", issuer) for issuer in signers if issuer}
            names |= {("region", row.region)} if row.region else set()
    if names:
        values = [{"field": field, "value": value} for field, value in sorted(names)]
        session.execute(_insert(session, NoticeNameRow).on_conflict_do_nothing(), values)


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


def _index_notices(session: Session, records: Sequence[Record], key: bytes) -> None:
    """Write the route keys and identifier digests of notices, in place of any they had."""
    ids = [record.id for record in records]
    for table in (NoticeRouteRow, IdentifierDigestRow, NoticeIssuerRow):
        session.execute(delete(table).where(table.notice_id.in_(ids)))
    routes = [{"route": k, "notice_id": r.id} for r in records for k in sorted(route_keys(r))]
    signed = [{"issuer": i, "notice_id": r.id} for r in records for i in sorted(set(r.issuers))]
    if signed:
        session.execute(insert(NoticeIssuerRow), signed)
    digests = [
        {"digest": d, "notice_id": r.id} for r in records for d in identifier_digests(r, key)
    ]
    if routes:
        session.execute(insert(NoticeRouteRow), routes)
        seen = select(NoticeRow.last_seen).where(NoticeRow.id == NoticeRouteRow.notice_id)
        copied = update(NoticeRouteRow).values(last_seen=seen.scalar_subquery())
        session.execute(copied.where(NoticeRouteRow.notice_id.in_(ids)))
    if digests:
        session.execute(insert(IdentifierDigestRow), digests)


def _count_notices(session: Session, kinds: set[str]) -> None:
    """Count the notices of these kinds again, and note the latest time one was seen."""
    counted = (
        select(NoticeRow.kind, func.count(), func.max(NoticeRow.last_seen))
        .where(NoticeRow.kind.in_(kinds))
        .group_by(NoticeRow.kind)
    )
    for kind, notices, last_seen in session.execute(counted).all():
        stmt = _insert(session, NoticeCountRow).values(
            kind=kind, notices=notices, last_seen=last_seen
        )
        fresh = {"notices": stmt.excluded.notices, "last_seen": stmt.excluded.last_seen}
        session.execute(stmt.on_conflict_do_update(index_elements=["kind"], set_=fresh))


def _audit_dict(entry: AuditRow) -> dict[str, Any]:
    return {"at": _local(entry.at), "by": entry.actor, "action": entry.action,
            "before": entry.before, "after": entry.after}  # fmt: skip


def _touch_count(session: Session, kind: str, now: datetime) -> None:
    """Note a staff change in the kind's version, so that feeds are rendered afresh."""
    row = session.get(NoticeCountRow, kind)
    if row is not None:
        row.last_seen = max(row.last_seen, now)


def _add_sightings(session: Session, placed: Sequence[tuple[str, str]], sighting: Sighting) -> None:
    """Add a sighting to each notice not already seen at this URL in this edition.

    ``placed`` pairs each notice with the printing of it seen here.
    """
    ids = [notice_id for notice_id, _ in placed]
    # NULL url or edition never collide in a unique index, so look first.
    same = select(SightingRow.notice_id).where(
        SightingRow.notice_id.in_(ids),
        SightingRow.url.is_not_distinct_from(sighting.url),
        SightingRow.edition.is_not_distinct_from(sighting.edition),
    )
    seen = set(session.scalars(same))
    printings = dict(reversed(placed))  # the first printing of each notice on the page
    fresh = [
        dataclasses.asdict(sighting) | {"notice_id": i, "printing_id": printings[i]}
        for i in dict.fromkeys(ids)
    ]
    fresh = [values for values in fresh if values["notice_id"] not in seen]
    if fresh:
        session.execute(_insert(session, SightingRow).on_conflict_do_nothing(), fresh)


def _commonest(session: Session, column: Any, kind: str, limit: int) -> list[tuple[str, int]]:
    stmt = select(column, func.count()).where(NoticeRow.kind == kind, column.is_not(None))
    return _counted(session, stmt.group_by(column), func.count(), column, limit)


def _counted(
    session: Session, stmt: Any, count: Any, column: Any, limit: int
) -> list[tuple[str, int]]:
    ordered = stmt.order_by(count.desc(), column).limit(limit)
    return [(value, int(n)) for value, n in session.execute(ordered)]


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


def _notice_dicts(session: Session, rows: list[NoticeRow]) -> list[dict[str, Any]]:
    seen = _sightings(session, [row.id for row in rows])
    return [_notice_dict(row, seen) for row in rows]


def _notice_dict(row: NoticeRow, sightings: dict[str, list[Sighting]]) -> dict[str, Any]:
    previous = row.previous_changed_at
    return row.record | {
        "first_seen": _local(row.first_seen),
        "last_seen": _local(row.last_seen),
        "revision": row.revision,
        "updated_at": _local(row.updated_at or row.changed_at),
        "status": row.status,
        "published_on": _iso(row.published_on),
        "cancelled_on": _iso(row.cancelled_on),
        "superseded_by": row.superseded_by,
        "changed_at": _local(row.changed_at),
        "previous_changed_at": None if previous is None else _local(previous),
        "sightings": [_sighting_dict(s) for s in sightings.get(row.id, [])],
    }


def _iso(day: date | None) -> str | None:
    return None if day is None else day.isoformat()


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
