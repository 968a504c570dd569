"""Staff edits: correct a field, hide or show a notice, merge two closures, split one.

Each edit is a revision of the notice (by its author, not a printing), so every output
shows it as an update under the same id, and an audit entry (who, when, before, after).
A corrected field is kept as an override over the record the printings give
(:mod:`notices.revisions`), so ingesting the page again does not undo it; merges and
splits pin the printings they move, and a printing is always found again by its own id.

Everything here works inside the store's write transaction, on its session.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from notices import identity
from notices.errors import EditError, UnknownNotice
from notices.model import LossDeclaration, Record, RoadClosure
from notices.revisions import add_revision, bump, changes, set_record
from notices.serialize import from_dict, to_dict
from notices.tables import AuditRow, NoticeRow, PrintingRow, SightingRow, notice_values

_FIXED = ("id", "kind", "source", "span", "checks", "warnings")
_KINDS: dict[str, type[RoadClosure] | type[LossDeclaration]] = {
    "road_closure": RoadClosure,
    "loss_declaration": LossDeclaration,
}
_RENAMED = {"from_": "from"}


def correctable(kind: str) -> list[str]:
    """Return the fields of a kind of record staff may correct."""
    return [f.name for f in dataclasses.fields(_KINDS[kind]) if f.name not in _FIXED]


def notice_row(session: Session, notice_id: str) -> NoticeRow:
    """Return a notice's row to edit; a merged-away one cannot be edited."""
    row = session.get(NoticeRow, notice_id)
    if row is None:
        raise UnknownNotice(f"no notice {notice_id!r}")
    if row.status == "superseded":
        raise EditError(f"{notice_id} was merged into {row.superseded_by}: edit that one")
    return row


def correct(
    session: Session, notice_id: str, field: str, value: Any, actor: str, now: datetime
) -> NoticeRow:
    """Set one field of a notice to ``value`` (as the JSON record spells it)."""
    row = notice_row(session, notice_id)
    if field not in correctable(row.kind):
        allowed = ", ".join(correctable(row.kind))
        raise EditError(f"{field!r} is not a field staff may correct; one of: {allowed}")
    hints = typing.get_type_hints(_KINDS[row.kind])
    if not fits(hints[field], value):
        raise EditError(f"{field}: {value!r} is not a value of that field (see records.md)")
    before = row.record.get(field)
    if before == value:
        return row
    row.overrides = (row.overrides or {}) | {field: value}
    set_record(row, from_dict(row.base or row.record))
    _revised(session, row, "correction", [field], actor, now)
    audit(session, row.id, "correct", actor, now, {field: before}, {field: value})
    return row


def set_hidden(
    session: Session, notice_id: str, hidden: bool, actor: str, now: datetime
) -> NoticeRow:
    """Hide a notice from every public output, or show it again."""
    row = notice_row(session, notice_id)
    if row.hidden == hidden:
        return row
    row.hidden = hidden
    _revised(session, row, "hide" if hidden else "unhide", ["hidden"], actor, now)
    audit(session, row.id, "hide" if hidden else "unhide", actor, now,
          {"hidden": not hidden}, {"hidden": hidden})  # fmt: skip
    return row


def merge(session: Session, into: str, other: str, actor: str, now: datetime) -> NoticeRow:
    """Fold closure ``other`` into ``into``: its printings and sightings, its id thereafter."""
    if into == other:
        raise EditError("a notice cannot be merged into itself")
    kept, gone = notice_row(session, into), notice_row(session, other)
    if kept.kind != gone.kind:
        raise EditError(f"cannot merge a {gone.kind} into a {kept.kind}")
    moved = _move_printings(session, gone.id, kept.id, None)
    kept.first_seen = min(kept.first_seen, gone.first_seen)
    kept.last_seen = max(kept.last_seen, gone.last_seen)
    kept.published_on = _earliest(kept.published_on, gone.published_on)
    session.execute(update(NoticeRow).where(NoticeRow.superseded_by == gone.id)
                    .values(superseded_by=kept.id))  # fmt: skip
    before = {"status": gone.status, "printings": moved}
    gone.status, gone.superseded_by = "superseded", kept.id
    _revised(session, gone, "merged", ["status"], actor, now)
    _revised(session, kept, "merge", [], actor, now)
    audit(session, kept.id, "merge", actor, now, before | {"notice": gone.id},
          {"status": "superseded", "superseded_by": kept.id})  # fmt: skip
    return kept


def split(
    session: Session, notice_id: str, printing_id: str, actor: str, now: datetime
) -> NoticeRow:
    """Take one printing out of a closure into a closure of its own, named by the printing."""
    row = notice_row(session, notice_id)
    printing = session.get(PrintingRow, printing_id)
    if printing is None or printing.notice_id != row.id:
        raise UnknownNotice(f"{notice_id} has no printing {printing_id!r}")
    if printing_id == row.id:
        raise EditError("the first printing keeps the notice's id: split off the others")
    fresh = _split_row(session, printing, now)
    _move_printings(session, row.id, fresh.id, printing_id)
    session.flush()
    before = to_dict(from_dict(row.base or row.record))
    refolded = _fold(session, row.id)
    row.base = to_dict(refolded)
    set_record(row, refolded)
    _revised(session, row, "split", changes(from_dict(before), refolded), actor, now)
    _revised(session, fresh, "split", [], actor, now)
    if fresh.revision == 1:
        fresh.previous_changed_at = None
    audit(session, row.id, "split", actor, now, {"printings": [printing_id]},
          {"notice": fresh.id})  # fmt: skip
    return fresh


def _split_row(session: Session, printing: PrintingRow, now: datetime) -> NoticeRow:
    record = from_dict(printing.record)
    row = session.get(NoticeRow, printing.id)
    if row is None:  # revision 0: _revised makes it 1
        seen = printing.first_seen
        row = NoticeRow(id=printing.id, first_seen=seen, last_seen=seen, revision=0,
                        changed_at=now, previous_changed_at=None, hidden=False,
                        published_on=printing.edition, updated_at=None, overrides=None,
                        **notice_values(record))  # fmt: skip
        session.add(row)
    row.status, row.superseded_by, row.base = "active", None, to_dict(record)
    if identity.action(record) == "cancellation":
        row.status, row.cancelled_on = "cancelled", identity.lifted_on(record)
    set_record(row, record)
    return row


def _fold(session: Session, notice_id: str) -> Record:
    """The closure its printings give, read again in edition order."""
    stmt = (
        select(PrintingRow)
        .where(PrintingRow.notice_id == notice_id)
        .order_by(PrintingRow.edition, PrintingRow.first_seen, PrintingRow.id)
    )
    records = [from_dict(p.record) for p in session.scalars(stmt)]
    folded = dataclasses.replace(records[0], id=notice_id)
    for record in records[1:]:
        if isinstance(folded, RoadClosure) and isinstance(record, RoadClosure):
            folded = identity.revise(folded, record)
    return folded


def _move_printings(session: Session, source: str, target: str, printing: str | None) -> list[str]:
    """Move printings (one, or all) and their sightings to another notice, pinned there."""
    which = [PrintingRow.notice_id == source]
    if printing is not None:
        which.append(PrintingRow.id == printing)
    moved = list(session.scalars(select(PrintingRow.id).where(*which)))
    session.execute(update(PrintingRow).where(*which).values(notice_id=target, pinned=True))
    seen = select(SightingRow).where(SightingRow.notice_id == source)
    if printing is not None:
        seen = seen.where(SightingRow.printing_id == printing)
    taken = {(s.url, s.edition) for s in session.scalars(
        select(SightingRow).where(SightingRow.notice_id == target))}  # fmt: skip
    for sighting in list(session.scalars(seen)):
        if (sighting.url, sighting.edition) in taken:  # seen there already: one sighting
            session.execute(delete(SightingRow).where(SightingRow.id == sighting.id))
        else:
            sighting.notice_id = target
    return moved


def _earliest(a: date | None, b: date | None) -> date | None:
    return min(a, b) if a and b else a or b


def _revised(
    session: Session, row: NoticeRow, action: str, changed: list[str], actor: str, now: datetime
) -> None:
    bump(row, now, now)
    add_revision(session, row, action, changed, None, None, actor)


def audit(
    session: Session,
    notice_id: str,
    action: str,
    actor: str,
    now: datetime,
    before: Any,
    after: Any,
) -> None:
    """Write an audit entry: who did what to which notice, when, and the values either side."""
    session.add(AuditRow(at=now, actor=actor, action=action, notice_id=notice_id,
                         before=before, after=after))  # fmt: skip


def audit_entries(session: Session, notice_id: str) -> list[AuditRow]:
    """Return a notice's audit entries, oldest first."""
    stmt = select(AuditRow).where(AuditRow.notice_id == notice_id)
    return list(session.scalars(stmt.order_by(AuditRow.at, AuditRow.id)))


# ── the shape of a value ───────────────────────────────────────────────────────────


def fits(hint: Any, value: Any) -> bool:
    """Tell whether a JSON value has the shape of a model field's type (as to_dict spells it)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        return any(fits(arg, value) for arg in args)
    if hint is type(None):
        return value is None
    if origin is Literal:
        return value in args
    if origin is tuple:
        return isinstance(value, list) and all(fits(args[0], v) for v in value)
    if hint is date:
        return isinstance(value, str) and _is_date(value)
    if hint is bool:
        return isinstance(value, bool)
    if hint in (int, float):
        return isinstance(value, int | float) and not isinstance(value, bool)
    if hint is str:
        return isinstance(value, str)
    if dataclasses.is_dataclass(hint):
        return isinstance(value, dict) and _fits_fields(hint, value)
    return False


def _fits_fields(cls: Any, value: dict[str, Any]) -> bool:
    hints = typing.get_type_hints(cls)
    fields = {_RENAMED.get(f.name, f.name): f for f in dataclasses.fields(cls)}
    if not set(value) <= set(fields):
        return False
    for key, f in fields.items():
        if key not in value:
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if required:
                return False
        elif not fits(hints[f.name], value[key]):
            return False
    return True


def _is_date(value: str) -> bool:
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return len(value) == 10
