"""One closure across printings; staff corrections, their audit, API tokens.

Notices gain their status (active, cancelled, superseded), the date shown as their last
change (``updated_at``), the first printing's edition, the day a cancellation lifts them,
the notice a merge folded them into, a hidden flag, and the record as the printings give it
(``base``) beside the staff's ``overrides``. ``printings`` keeps each printing's own record
and the closure it belongs to; ``revisions`` each change; ``audit_entries`` each staff change;
``api_tokens`` the digests of the staff's tokens. Sightings name the printing seen.

Stored notices are backfilled as one printing each (their own), one revision (their
current one), active, shown as changed when they last changed.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta, timezone
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Timestamp = sa.DateTime(timezone=True)
_SHANGHAI = timezone(timedelta(hours=8))
_NULLABLE: dict[str, sa.types.TypeEngine[Any]] = {
    "updated_at": Timestamp,
    "published_on": sa.Date(),
    "cancelled_on": sa.Date(),
    "superseded_by": sa.String(),
    "base": sa.JSON(),
    "overrides": sa.JSON(),
}
_REQUIRED: dict[str, tuple[sa.types.TypeEngine[Any], Any]] = {
    "status": (sa.String(), "active"),
    "hidden": (sa.Boolean(), sa.false()),
}

notices = sa.table(
    "notices",
    sa.column("id", sa.String()),
    sa.column("record", sa.JSON()),
    sa.column("base", sa.JSON()),
    sa.column("first_seen", Timestamp),
    sa.column("changed_at", Timestamp),
    sa.column("updated_at", Timestamp),
    sa.column("published_on", sa.Date()),
    sa.column("revision", sa.Integer()),
)
sightings = sa.table(
    "sightings",
    sa.column("notice_id", sa.String()),
    sa.column("edition", sa.Date()),
    sa.column("fetched_at", Timestamp),
    sa.column("printing_id", sa.String()),
)


def upgrade() -> None:
    for name, kind in _NULLABLE.items():
        op.add_column("notices", sa.Column(name, kind, nullable=True))
    for name, (kind, default) in _REQUIRED.items():
        op.add_column("notices", sa.Column(name, kind, nullable=False, server_default=default))
    op.add_column("sightings", sa.Column("printing_id", sa.String(), nullable=True))
    _create_tables()
    _backfill()
    if op.get_bind().dialect.name != "sqlite":
        for name in _REQUIRED:
            op.alter_column("notices", name, server_default=None)


def _create_tables() -> None:
    op.create_table(
        "printings",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("notice_id", sa.String(), nullable=False),
        sa.Column("record", sa.JSON(), nullable=False),
        sa.Column("edition", sa.Date(), nullable=True),
        sa.Column("first_seen", Timestamp, nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        _notice_key("printings"),
        sa.PrimaryKeyConstraint("id", name="pk_printings"),
    )
    op.create_index("ix_printings_notice_id", "printings", ["notice_id"])
    op.create_table(
        "revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("notice_id", sa.String(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("changed", sa.JSON(), nullable=False),
        sa.Column("printing_id", sa.String(), nullable=True),
        sa.Column("edition", sa.Date(), nullable=True),
        sa.Column("actor", sa.String(), nullable=True),
        sa.Column("changed_at", Timestamp, nullable=False),
        sa.Column("updated_at", Timestamp, nullable=False),
        _notice_key("revisions"),
        sa.PrimaryKeyConstraint("id", name="pk_revisions"),
        sa.UniqueConstraint("notice_id", "revision", name="uq_revisions_notice_id_revision"),
    )
    op.create_table(
        "audit_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", Timestamp, nullable=False),
        sa.Column("actor", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("notice_id", sa.String(), nullable=False),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_audit_entries"),
    )
    op.create_index("ix_audit_entries_notice_id", "audit_entries", ["notice_id"])
    op.create_table(
        "api_tokens",
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("digest", sa.String(), nullable=False),
        sa.Column("created_at", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("name", name="pk_api_tokens"),
    )


def _notice_key(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["notice_id"], ["notices.id"], name=f"fk_{table}_notice_id_notices", ondelete="CASCADE"
    )


def _backfill() -> None:
    bind = op.get_bind()
    printings = sa.table(
        "printings", sa.column("id"), sa.column("notice_id"), sa.column("record", sa.JSON()),
        sa.column("edition", sa.Date()), sa.column("first_seen", Timestamp),
        sa.column("pinned", sa.Boolean()),
    )  # fmt: skip
    revisions = sa.table(
        "revisions", sa.column("notice_id"), sa.column("revision"), sa.column("action"),
        sa.column("status"), sa.column("changed", sa.JSON()), sa.column("printing_id"),
        sa.column("edition", sa.Date()), sa.column("changed_at", Timestamp),
        sa.column("updated_at", Timestamp),
    )  # fmt: skip
    bind.execute(sa.update(sightings).values(printing_id=sightings.c.notice_id))
    first = (
        sa.select(sightings.c.notice_id, sa.func.min(sightings.c.edition).label("first"))
        .group_by(sightings.c.notice_id)
    ).subquery()  # fmt: skip
    changed = (  # the edition of the sighting the current revision came from
        sa.select(sightings.c.notice_id, sa.func.max(sightings.c.edition).label("last"))
        .join(notices, notices.c.id == sightings.c.notice_id)
        .where(sightings.c.fetched_at == notices.c.changed_at)
        .group_by(sightings.c.notice_id)
    ).subquery()  # fmt: skip
    stored = bind.execute(
        sa.select(notices, first.c.first, changed.c.last)
        .outerjoin(first, first.c.notice_id == notices.c.id)
        .outerjoin(changed, changed.c.notice_id == notices.c.id)
    ).all()
    for row in stored:
        updated = row.changed_at
        if row.last is not None:  # shown as of its edition's day, as saving does
            updated = _utc(datetime.combine(row.last, time(), _SHANGHAI), bind.dialect.name)
        bind.execute(
            sa.update(notices)
            .where(notices.c.id == row.id)
            .values(base=row.record, updated_at=updated, published_on=row.first)
        )
        bind.execute(sa.insert(printings).values(id=row.id, notice_id=row.id, record=row.record,
                                                 edition=row.first, first_seen=row.first_seen,
                                                 pinned=False))  # fmt: skip
        bind.execute(sa.insert(revisions).values(notice_id=row.id, revision=row.revision,
                                                 action="notice", status="active", changed=[],
                                                 printing_id=row.id, edition=row.last,
                                                 changed_at=row.changed_at,
                                                 updated_at=updated))  # fmt: skip


def _utc(moment: datetime, dialect: str) -> datetime:
    """A moment as the store keeps it: UTC, and naive in SQLite, which drops offsets."""
    moment = moment.astimezone(UTC)
    return moment.replace(tzinfo=None) if dialect == "sqlite" else moment


def downgrade() -> None:
    op.drop_table("api_tokens")
    op.drop_index("ix_audit_entries_notice_id", table_name="audit_entries")
    op.drop_table("audit_entries")
    op.drop_table("revisions")
    op.drop_index("ix_printings_notice_id", table_name="printings")
    op.drop_table("printings")
    with op.batch_alter_table("sightings") as batch:
        batch.drop_column("printing_id")
    for name in (*_NULLABLE, *_REQUIRED):
        op.drop_column("notices", name)
