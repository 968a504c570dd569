"""Printings → closures: each printing joins the closure it is (or starts one), as a revision.

A printing is found by its own id (the same text printed again), else matched by the
identity rule (:mod:`notices.identity`) against the stored closures on its roads. A
printing that changes what the closure says (its roads, stretches, window, detour…) or its
status makes a new revision: the notice row takes the new record, the revision row says
what changed and from which printing. A reprint changes nothing but where it was last seen.

Staff overrides (``NoticeRow.overrides``) are laid over the record the printings give
(``NoticeRow.base``) after every revision, so a correction survives re-ingestion; a later
printing that changes a corrected field itself takes over that field.

Everything here works inside the store's write transaction, on its session.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from notices import identity
from notices.model import Record, RoadClosure
from notices.serialize import from_dict, to_dict
from notices.tables import (
    NoticeRouteRow,
    NoticeRow,
    PrintingRow,
    RevisionRow,
    notice_values,
)

_CONTENT_FIELDS = ("id", "source", "span", "checks", "warnings", "kind")
_CANDIDATES = 200  # closures put to the rule, the latest seen first
SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")  # one offset since 1991


def printed_at(edition: date | None, fetched_at: datetime) -> datetime:
    """Return the moment a printing is dated by: its edition's day (00:00 local), else its fetch."""
    if edition is None:
        return fetched_at
    return datetime.combine(edition, time(), SHANGHAI)


def place(
    session: Session, record: Record, edition: date | None, seen: datetime
) -> tuple[NoticeRow, bool]:
    """Store one printing: join the closure it is, or start one; return its row, and if new."""
    printing = session.get(PrintingRow, record.id)
    row = session.get(NoticeRow, printing.notice_id) if printing else _match(session, record)
    if printing is None:
        notice_id = row.id if row is not None else record.id
        printing = PrintingRow(id=record.id, notice_id=notice_id, record=to_dict(record),
                               edition=edition, first_seen=seen, pinned=False)  # fmt: skip
        session.add(printing)
    elif edition is not None and (printing.edition is None or edition > printing.edition):
        printing.record, printing.edition = to_dict(record), edition
    started = row is None
    if row is None:
        row = _start(session, record, edition, seen)
    else:
        _join(session, row, record, edition, seen)
    session.flush()
    return row, started


def _match(session: Session, record: Record) -> NoticeRow | None:
    """The stored closure on the printing's roads that the identity rule says it is.

    An update whose roads were not read is put to the closures its first issuer signed.
    """
    if not isinstance(record, RoadClosure):
        return None
    if keys := sorted(identity.roads(record)):
        on_roads = select(NoticeRouteRow.notice_id).where(NoticeRouteRow.route.in_(keys))
        near: ColumnElement[bool] = NoticeRow.id.in_(on_roads)
    elif record.issuers and identity.action(record) in identity.UPDATES:
        near = NoticeRow.issuers.contains(record.issuers[0], autoescape=True)
    else:
        return None
    stmt = (
        select(NoticeRow)
        .where(near, NoticeRow.kind == "road_closure", NoticeRow.status != "superseded")
        .order_by(NoticeRow.last_seen.desc(), NoticeRow.id.desc())
        .limit(_CANDIDATES)
    )
    for row in session.scalars(stmt):
        if identity.same_closure(from_dict(row.base or row.record), record):
            return row
    return None


def _start(session: Session, record: Record, edition: date | None, seen: datetime) -> NoticeRow:
    status = "cancelled" if identity.action(record) == "cancellation" else "active"
    row = NoticeRow(id=record.id, first_seen=seen, last_seen=seen, revision=1, changed_at=seen,
                    previous_changed_at=None, status=status, hidden=False, published_on=edition,
                    updated_at=printed_at(edition, seen), base=to_dict(record), overrides=None,
                    cancelled_on=identity.lifted_on(record) if status == "cancelled" else None,
                    **notice_values(record))  # fmt: skip
    session.add(row)
    session.flush()
    add_revision(session, row, identity.action(record), [], record.id, edition, None)
    return row


def _join(
    session: Session, row: NoticeRow, record: Record, edition: date | None, seen: datetime
) -> None:
    row.first_seen = min(row.first_seen, seen)
    if edition is not None and (row.published_on is None or edition < row.published_on):
        row.published_on = edition
    if _older(session, row, edition, seen):
        return  # an older printing: the closure has moved on since
    row.last_seen = max(row.last_seen, seen)
    known = from_dict(row.base or row.record)
    after = _folded(known, record)
    status = _status(row.status, record)
    changed = changes(known, after)
    if not changed and status == row.status:
        # a reprint: where it was printed last is all that changes
        base = dict(row.base or row.record) | {"source": to_dict(record)["source"]}
        row.base = base
        set_record(row, from_dict(base))
        return
    if status != row.status:
        changed.append("status")
    row.status = status
    if status == "cancelled" and row.cancelled_on is None:
        row.cancelled_on = identity.lifted_on(record)
    elif status != "cancelled":
        row.cancelled_on = None
    row.overrides = {k: v for k, v in (row.overrides or {}).items() if k not in changed} or None
    row.base = to_dict(after)
    set_record(row, from_dict(row.base))
    bump(row, seen, printed_at(edition, seen))
    add_revision(session, row, identity.action(record), changed, record.id, edition, None)


def _older(session: Session, row: NoticeRow, edition: date | None, seen: datetime) -> bool:
    latest = _latest(session, row.id)
    if edition is not None and latest is not None and latest.edition is not None:
        return edition < latest.edition
    return seen < row.last_seen


def _latest(session: Session, notice_id: str) -> RevisionRow | None:
    stmt = (
        select(RevisionRow)
        .where(RevisionRow.notice_id == notice_id, RevisionRow.printing_id.is_not(None))
        .order_by(RevisionRow.revision.desc())
        .limit(1)
    )
    return session.scalar(stmt)


def _folded(known: Record, record: Record) -> Record:
    if isinstance(known, RoadClosure) and isinstance(record, RoadClosure):
        return identity.revise(known, record)
    return replace(record, id=known.id)


def _status(current: str, record: Record) -> str:
    done = identity.action(record)
    if done == "cancellation":
        return "cancelled"
    # a reprint of the original after its cancellation does not bring it back
    return "active" if done in ("extension", "correction") else current


def changes(before: Record, after: Record) -> list[str]:
    """Return the fields whose change makes a new revision."""
    if isinstance(before, RoadClosure):
        return identity.meaning_changed(before, after)
    plain_before, plain_after = to_dict(before), to_dict(after)
    fields = [k for k in plain_after if k not in _CONTENT_FIELDS]
    return [k for k in fields if plain_before.get(k) != plain_after[k]]


def set_record(row: NoticeRow, base: Record) -> None:
    """Give a notice row its record: the base with the staff's overrides laid over it."""
    plain = to_dict(base) | (row.overrides or {})
    shown = from_dict(plain)
    for column, value in notice_values(shown).items():
        setattr(row, column, value)
    if row.cancelled_on is not None and row.window_end is not None:
        # the query columns follow the cancellation: not in force from the day it is lifted
        row.window_end = min(row.window_end, row.cancelled_on)


def bump(row: NoticeRow, changed_at: datetime, updated_at: datetime) -> None:
    """Count a new revision of a notice."""
    row.revision += 1
    row.previous_changed_at, row.changed_at = row.changed_at, changed_at
    row.updated_at = max(row.updated_at or updated_at, updated_at)


def add_revision(
    session: Session,
    row: NoticeRow,
    action: str,
    changed: list[str],
    printing_id: str | None,
    edition: date | None,
    actor: str | None,
) -> None:
    """Write the revision a notice row has just taken."""
    session.add(
        RevisionRow(notice_id=row.id, revision=row.revision, action=action, status=row.status,
                    changed=changed, printing_id=printing_id, edition=edition, actor=actor,
                    changed_at=row.changed_at, updated_at=row.updated_at or row.changed_at)
    )  # fmt: skip


def revisions(session: Session, notice_id: str) -> list[dict[str, Any]]:
    """Return a notice's revisions, oldest first, as the API shows them."""
    stmt = select(RevisionRow).where(RevisionRow.notice_id == notice_id)
    return [_revision_dict(r) for r in session.scalars(stmt.order_by(RevisionRow.revision))]


def revisions_of(session: Session, ids: list[str]) -> dict[str, list[dict[str, Any]]]:
    """Return the revisions of several notices, each's oldest first, in one query."""
    stmt = select(RevisionRow).where(RevisionRow.notice_id.in_(ids))
    found: dict[str, list[dict[str, Any]]] = {notice_id: [] for notice_id in ids}
    for row in session.scalars(stmt.order_by(RevisionRow.notice_id, RevisionRow.revision)):
        found[row.notice_id].append(_revision_dict(row))
    return found


def _revision_dict(row: RevisionRow) -> dict[str, Any]:
    return {
        "revision": row.revision,
        "action": row.action,
        "status": row.status,
        "changed": list(row.changed),
        "printing": row.printing_id,
        "edition": row.edition.isoformat() if row.edition else None,
        "by": row.actor,
        "updated_at": row.updated_at.astimezone(SHANGHAI).isoformat(),
    }
