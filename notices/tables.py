"""The database tables, how a record is spread over them, and how a query finds it again.

A notice row keeps the record's JSON as serialised, plus copies of the fields the
queries filter on (region, publication, issuers, window, holder) so that filtering is
SQL on indexed columns. Roads go to ``notice_routes`` as lookup keys (a code, or a name
without its ``公路`` suffix), identifiers to ``identifier_digests`` as keyed digests:
never the identifier itself.

The migrations in ``notices/migrations`` make exactly these tables; they keep their own
copies of types and of the derivation, so a later change here does not rewrite history.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ColumnElement,
    Date,
    DateTime,
    Dialect,
    ForeignKey,
    Index,
    MetaData,
    Select,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    false,
    or_,
    select,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from notices.model import LossDeclaration, Record, RoadClosure
from notices.privacy import identifier_digest, mask_text
from notices.serialize import to_dict

# Issuers are kept one per line: no issuer's name holds a line break.
ISSUER_SEPARATOR = "\n"
_ROUTE_CODE = re.compile(r"([A-Z]\d+)(.*)")
_ROAD_SUFFIX = "公路"


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


_SHOWN = ("hidden", "status")  # what every public list asks of a notice (notice_filters)
_WINDOW = ("window_start", "window_end", "cancelled_on")  # what active_on asks of a closure


class NoticeRow(Base):
    """A notice, once, under its stable id; ``record`` is its JSON as serialize gave it.

    ``revision`` counts changes of the record's content (not of its source), the
    current one stored at ``changed_at``, the one before at ``previous_changed_at``.
    """

    __tablename__ = "notices"
    __table_args__ = (
        Index(None, "last_seen", "id"),
        # Each list's newest-first index holds what every list filters on too (shown or
        # not, and a closure's window): a scan of it reads no row it then throws away, so
        # it costs the same in a store ten times the size (migration 0006).
        Index("ix_notices_kind_last_seen_id", "kind", "last_seen", "id", *_SHOWN, *_WINDOW),
        Index("ix_notices_publication_last_seen_id", "publication", "last_seen", "id", *_SHOWN),
        # active_on and at: a window ends after the day asked about (few do, for today);
        # else the newest-first scan of the kind stops as soon as a page is full.
        Index(None, "kind", "window_end"),
        # The rows Store.open must still write the public texts of: none, once it has.
        Index(
            "ix_notices_unpublished",
            "id",
            sqlite_where=text("published IS NULL"),
            postgresql_where=text("published IS NULL"),
        ),
        Index("ix_notices_region_code_last_seen_id", "region_code", "last_seen", "id", *_SHOWN),
        Index("ix_notices_region_last_seen_id", "region", "last_seen", "id", *_SHOWN),
    )

    id: Mapped[str] = mapped_column(String, primary_key=True)
    kind: Mapped[str] = mapped_column(String)
    # JSON, not JSONB: it keeps the record's key order, which readers of the API see.
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    text: Mapped[str] = mapped_column(Text)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    # Copies of record fields, for filtering in SQL.
    region: Mapped[str | None] = mapped_column(String)
    region_code: Mapped[str | None] = mapped_column(String)
    publication: Mapped[str | None] = mapped_column(String)
    issuers: Mapped[str] = mapped_column(Text)
    holder: Mapped[str | None] = mapped_column(String)
    window_start: Mapped[date | None] = mapped_column(Date)
    window_end: Mapped[date | None] = mapped_column(Date)
    # A closure's windows alone (the record's ``windows``, else its ``window``): what the
    # closures in force are read by, without their whole records.
    windows: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    # Revisions.
    content_hash: Mapped[str] = mapped_column(String)
    revision: Mapped[int] = mapped_column()
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    previous_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # One closure across printings (notices.identity) and staff corrections.
    status: Mapped[str] = mapped_column(String, default="active")  # active|cancelled|superseded
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # as shown: edition dates
    published_on: Mapped[date | None] = mapped_column(Date)  # the first printing's edition
    cancelled_on: Mapped[date | None] = mapped_column(Date)
    superseded_by: Mapped[str | None] = mapped_column(String)
    hidden: Mapped[bool] = mapped_column(Boolean, default=False)
    # The record as the printings left it, before staff overrides ({field: value}).
    base: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    overrides: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # What the public API prints, written when the row changes (notices.published).
    published: Mapped[str | None] = mapped_column(Text)
    published_revisions: Mapped[str | None] = mapped_column(Text)
    published_declaration: Mapped[str | None] = mapped_column(Text)
    declared_void: Mapped[bool | None] = mapped_column(Boolean)


class PrintingRow(Base):
    """One printing's own record (its id from its text), and the closure it belongs to.

    ``pinned``: staff put it there (merge, split); the identity rule never moves it.
    """

    __tablename__ = "printings"
    __table_args__ = (Index(None, "notice_id"),)

    id: Mapped[str] = mapped_column(String, primary_key=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    record: Mapped[dict[str, Any]] = mapped_column(JSON)
    edition: Mapped[date | None] = mapped_column(Date)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime)
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)


class RevisionRow(Base):
    """One change of a closure: what changed, from which printing (or by whom)."""

    __tablename__ = "revisions"
    __table_args__ = (UniqueConstraint("notice_id", "revision"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[str] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    revision: Mapped[int] = mapped_column()
    action: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(String)
    changed: Mapped[list[str]] = mapped_column(JSON)  # the fields that changed
    printing_id: Mapped[str | None] = mapped_column(String)
    edition: Mapped[date | None] = mapped_column(Date)
    actor: Mapped[str | None] = mapped_column(String)
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime)  # when the store took it
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)  # as shown


class AuditRow(Base):
    """A staff change: who, when, what, the values before and after."""

    __tablename__ = "audit_entries"
    __table_args__ = (Index(None, "notice_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String)
    action: Mapped[str] = mapped_column(String)
    notice_id: Mapped[str] = mapped_column(String)
    before: Mapped[Any] = mapped_column(JSON, nullable=True)
    after: Mapped[Any] = mapped_column(JSON, nullable=True)


class TokenRow(Base):
    """An API token of the staff: its name and the SHA-256 of the token, never the token."""

    __tablename__ = "api_tokens"

    name: Mapped[str] = mapped_column(String, primary_key=True)
    digest: Mapped[str] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class NoticeRouteRow(Base):
    """A road a notice names, as a lookup key (see :func:`route_keys`)."""

    __tablename__ = "notice_routes"
    __table_args__ = (
        Index(None, "notice_id"),
        Index(None, "route", "last_seen", "notice_id"),  # a road's notices, newest first
    )

    route: Mapped[str] = mapped_column(String, primary_key=True)
    notice_id: Mapped[str] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True
    )
    # The notice's last_seen, copied whenever its keys are written (every save and staff
    # edit writes them): a road's page is then read in order from the index, not sorted.
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime)


class IdentifierDigestRow(Base):
    """A keyed digest of an identifier a loss declaration names; never the identifier."""

    __tablename__ = "identifier_digests"
    __table_args__ = (Index(None, "notice_id"),)

    digest: Mapped[str] = mapped_column(String, primary_key=True)
    notice_id: Mapped[str] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True
    )


class NoticeIssuerRow(Base):
    """An organisation signing a notice, whole, as the issuer filter finds it."""

    __tablename__ = "notice_issuers"
    __table_args__ = (Index(None, "notice_id"),)

    issuer: Mapped[str] = mapped_column(String, primary_key=True)
    notice_id: Mapped[str] = mapped_column(
        ForeignKey("notices.id", ondelete="CASCADE"), primary_key=True
    )


class NoticeNameRow(Base):
    """A region or issuer some notice names: a substring filter reads these few, then an index."""

    __tablename__ = "notice_names"

    field: Mapped[str] = mapped_column(String, primary_key=True)  # "region" or "issuer"
    value: Mapped[str] = mapped_column(String, primary_key=True)


class NoticeCountRow(Base):
    """How many notices of a kind are stored, and the latest time one was seen (or changed).

    Kept exact by every save, so that the feeds' ETag costs one row read, not a count.
    """

    __tablename__ = "notice_counts"

    kind: Mapped[str] = mapped_column(String, primary_key=True)
    notices: Mapped[int] = mapped_column()
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
    printing_id: Mapped[str | None] = mapped_column(String)  # the printing seen there


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
    """One ingest run; the counts are the store's ``RunStats`` fields."""

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


@dataclass(frozen=True)
class NoticeQuery:
    """Which notices to list, newest first (by last seen, then id); every filter narrows.

    ``route``: a code (any case) or a name, matched against the roads a closure names in
    its routes and segments, so ``G1212`` finds ``G1212沈吉高速`` and ``沈吉高速`` finds
    ``沈吉高速公路``. ``region``, ``issuer`` and ``q`` are substrings (``q`` of the text or
    the holder), ``region_code`` a prefix, ``publication`` exact. ``active_on``: closures
    whose window covers that day (an open end covers every day after the start).
    ``since``: notices changed or seen at or after it. ``after``: the id the previous
    page ended with.
    """

    kind: str | None = None
    route: str | None = None
    region: str | None = None
    region_code: str | None = None
    publication: str | None = None
    issuer: str | None = None
    q: str | None = None
    active_on: date | None = None
    active_until: date | None = None
    holder: str | None = None
    since: datetime | None = None
    limit: int = 50
    after: str | None = None


# From records to rows


def notice_values(record: Record) -> dict[str, Any]:
    """Return a notice row's record-derived columns: the JSON, its copies, its content hash."""
    plain = to_dict(record)
    window = plain.get("window") or {}
    return {
        "kind": record.kind,
        "record": plain,
        "text": mask_text(record.text),  # what ?q= searches: never a hidden digit
        "region": record.region,
        "region_code": record.region_code,
        "publication": record.source.publication,
        "issuers": ISSUER_SEPARATOR.join(record.issuers),
        "holder": record.holder if isinstance(record, LossDeclaration) else None,
        "window_start": _date(window.get("start")),
        "window_end": _date(window.get("end")),
        "windows": closure_windows(plain) if isinstance(record, RoadClosure) else None,
        "content_hash": content_hash(plain),
    }


def closure_windows(plain: dict[str, Any]) -> list[dict[str, Any]]:
    """Return a serialised closure's windows: its ``windows``, else its one ``window``."""
    found: list[dict[str, Any]] = plain.get("windows") or []
    return found or ([plain["window"]] if plain.get("window") else [])


def content_hash(plain: dict[str, Any]) -> str:
    """Hash what a notice says: its serialised record without ``id`` and ``source``.

    The same notice reprinted in another edition hashes alike; a corrected one does not.
    """
    content = {k: v for k, v in plain.items() if k not in ("id", "source")}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def route_keys(record: Record, keys_of: Callable[[str], set[str]] | None = None) -> set[str]:
    """Return the lookup keys of the roads a closure names in its routes and segments
    (``keys_of`` reads one road's keys; :func:`road_keys` by default)."""
    if not isinstance(record, RoadClosure):
        return set()
    read = keys_of or road_keys
    keys: set[str] = set()
    for route in record.routes:
        keys |= read(route.code or "") | read(route.name or "")
    for segment in record.segments:
        keys |= read(segment.route or "")
    return keys


def road_keys(road: str) -> set[str]:
    """Return the lookup keys of a road as printed or asked for.

    G1212沈吉高速公路 → G1212 and 沈吉高速: a code, upper-cased, and a name without ``公路``.
    """
    road = "".join(road.split()).upper()
    keys = set()
    if code := _ROUTE_CODE.fullmatch(road):
        keys.add(code.group(1))
        road = code.group(2)
    road = road.removesuffix(_ROAD_SUFFIX)
    if road:
        keys.add(road)
    return keys


def identifier_digests(record: Record, key: bytes) -> set[str]:
    """Return the keyed digests of the identifiers a loss declaration names."""
    if not isinstance(record, LossDeclaration):
        return set()
    return {identifier_digest(i.value, key) for i in record.identifiers}


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


# From queries to conditions


def notice_filters(
    query: NoticeQuery, common: frozenset[str] = frozenset()
) -> list[ColumnElement[bool]]:
    """Return the SQL conditions of a query's filters; hidden and merged notices never show.

    ``common`` names the region or issuer filters that many notices match (see
    :data:`COMMON_NAMES`): read by the newest-first scan, which stops when a page is full,
    rather than through their index, which would sort every match.
    """
    found: list[ColumnElement[bool]] = [
        NoticeRow.hidden.is_(False),
        NoticeRow.status != "superseded",
    ]
    if query.kind is not None:
        found.append(NoticeRow.kind == query.kind)
    elif query.active_on is not None:  # only closures have windows: their index serves it
        found.append(NoticeRow.kind == "road_closure")
    if query.route is not None:
        found.append(_names_road(query.route))
    if query.region is not None and "region" in common:
        found.append(NoticeRow.region.icontains(query.region, autoescape=True))
    elif query.region is not None:
        found.append(NoticeRow.region.in_(_names("region", query.region)))
    if query.region_code is not None:
        found.append(_starts_with(NoticeRow.region_code, query.region_code))
    if query.publication is not None:
        found.append(NoticeRow.publication == query.publication)
    if query.issuer is not None and "issuer" in common:
        found.append(NoticeRow.issuers.icontains(query.issuer, autoescape=True))
    elif query.issuer is not None:
        signed = select(NoticeIssuerRow.notice_id).where(
            NoticeIssuerRow.issuer.in_(_names("issuer", query.issuer))
        )
        found.append(NoticeRow.id.in_(signed))
    if query.q is not None:
        found.append(or_(NoticeRow.text.icontains(query.q, autoescape=True),
                         NoticeRow.holder.icontains(query.q, autoescape=True)))  # fmt: skip
    if query.holder is not None:
        found.append(NoticeRow.holder.icontains(query.holder, autoescape=True))
    if query.active_on is not None:
        found.append(_active_on(query.active_on, query.active_until or query.active_on))
    if query.since is not None:  # seen again, or changed (staff edits change unseen)
        found.append(or_(NoticeRow.last_seen >= query.since, NoticeRow.changed_at >= query.since))
    return found


COMMON_NAMES = 20  # a part of this many regions' or issuers' names or more is common


def common_names(query: NoticeQuery) -> list[tuple[str, Select[Any]]]:
    """For the region and issuer a query asks for: a select of up to COMMON_NAMES names."""
    asked = {"region": query.region, "issuer": query.issuer}
    return [(field, _names(field, part).limit(COMMON_NAMES))
            for field, part in asked.items() if part is not None]  # fmt: skip


def _names(field: str, part: str) -> Select[Any]:
    """The stored values of ``field`` holding ``part``: a few names, not every notice."""
    named = NoticeNameRow.value.icontains(part, autoescape=True)
    return select(NoticeNameRow.value).where(NoticeNameRow.field == field, named)


def _names_road(road: str) -> ColumnElement[bool]:
    keys = road_keys(road)
    if not keys:
        return false()
    named = select(NoticeRouteRow.notice_id).where(NoticeRouteRow.route.in_(sorted(keys)))
    return NoticeRow.id.in_(named)


def _starts_with(column: Any, prefix: str) -> ColumnElement[bool]:
    """Match a prefix; a prefix of digits as a range, which an index serves."""
    if not (prefix.isascii() and prefix.isdigit()):
        condition: ColumnElement[bool] = column.startswith(prefix, autoescape=True)
        return condition
    following = str(int(prefix) + 1).zfill(len(prefix))
    if len(following) > len(prefix):  # 99…: nothing above but longer codes
        return column >= prefix  # type: ignore[no-any-return]
    return and_(column >= prefix, column < following)


def _active_on(first: date, last: date) -> ColumnElement[bool]:
    ends = or_(NoticeRow.window_end >= first, NoticeRow.window_end.is_(None))
    standing = or_(NoticeRow.cancelled_on.is_(None), NoticeRow.cancelled_on > first)
    return and_(NoticeRow.window_start <= last, ends, standing)


NOTICE_ORDER = (NoticeRow.last_seen, NoticeRow.id)


def newest_first_after(
    last_seen: datetime, notice_id: str, order: tuple[Any, Any] = NOTICE_ORDER
) -> ColumnElement[bool]:
    """Match the notices that come after (last_seen, id) in newest-first ``order``."""
    seen, key = order
    same_time = and_(seen == last_seen, key < notice_id)
    return or_(seen < last_seen, same_time)


ROAD_ORDER = (NoticeRouteRow.last_seen, NoticeRouteRow.notice_id)


def newest_ids(query: NoticeQuery, common: frozenset[str]) -> tuple[Select[Any], tuple[Any, Any]]:
    """A select of the ids ``query`` asks for, and the (time, id) it is read newest first by.

    A road of one key is read from its notices' keys in order (``notice_routes``' index),
    stopping when a page is full; any other query from the notices.
    """
    keys = sorted(road_keys(query.route)) if query.route is not None else []
    if len(keys) != 1:
        return select(NoticeRow.id).where(*notice_filters(query, common)), NOTICE_ORDER
    rest = notice_filters(replace(query, route=None), common)
    road = NoticeRouteRow
    stmt = select(road.notice_id).join(NoticeRow, NoticeRow.id == road.notice_id)
    return stmt.where(NoticeRouteRow.route == keys[0], *rest), ROAD_ORDER
