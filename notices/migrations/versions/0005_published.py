"""The public JSON of each notice, written at save time; indexes for every list filter.

``published`` holds a notice as ``GET /api/v1/notices`` prints it (masked), ``published_revisions``
its revisions as the single notice adds them, ``published_declaration`` a loss declaration as
the identifier lookup prints it, and ``declared_void`` whether it declares its identifiers
void, so that a list is one indexed query and a concatenation of stored text.

The backfill is not here: the public JSON is the app's view of a record (masking, field order),
which a copy frozen in a migration would soon contradict. Every row is added with NULL, and
``Store.open`` writes the rows that have none with the code of the day, right after migrating:
a later migration that changes what the API shows need only set the column back to NULL.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

_COLUMNS: dict[str, sa.types.TypeEngine[Any]] = {
    "published": sa.Text(),
    "published_revisions": sa.Text(),
    "published_declaration": sa.Text(),
    "declared_void": sa.Boolean(),
}
# A window's end (active_on, at: few end after today; for a day long past, the newest-first
# scan of the kind stops when a page is full, at any size), a region code's range and a
# region read newest first.
# Roads have notice_routes' key, publications their index of 0002. A region is asked for by
# a part of its name: notice_names holds the few distinct regions the part is looked for in;
# an issuer likewise, then notice_issuers (an issuer's notices) as notice_routes has a road's.
_INDEXES = {
    "ix_notices_kind_window_end": ["kind", "window_end"],
    "ix_notices_region_code_last_seen_id": ["region_code", "last_seen", "id"],
    "ix_notices_region_last_seen_id": ["region", "last_seen", "id"],
}


def upgrade() -> None:
    for name, kind in _COLUMNS.items():
        op.add_column("notices", sa.Column(name, kind, nullable=True))
    for name, columns in _INDEXES.items():
        op.create_index(name, "notices", columns)
    unpublished = sa.text("published IS NULL")  # what Store.open looks for, at every start
    op.create_index("ix_notices_unpublished", "notices", ["id"], sqlite_where=unpublished,
                    postgresql_where=unpublished)  # fmt: skip
    op.create_table(
        "notice_names",
        sa.Column("field", sa.String(), nullable=False),
        sa.Column("value", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("field", "value", name="pk_notice_names"),
    )
    op.create_table(
        "notice_issuers",
        sa.Column("issuer", sa.String(), nullable=False),
        sa.Column("notice_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(["notice_id"], ["notices.id"],
                                name="fk_notice_issuers_notice_id_notices", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("issuer", "notice_id", name="pk_notice_issuers"),
    )  # fmt: skip
    op.create_index("ix_notice_issuers_notice_id", "notice_issuers", ["notice_id"])
    _backfill()


def _backfill() -> None:
    """Name each stored region and issuer once; index each notice under its issuers."""
    bind = op.get_bind()
    notices = sa.table("notices", sa.column("id"), sa.column("region"), sa.column("issuers"))
    names = sa.table("notice_names", sa.column("field"), sa.column("value"))
    signed = sa.table("notice_issuers", sa.column("issuer"), sa.column("notice_id"))
    regions = sa.select(sa.literal("region"), notices.c.region).where(notices.c.region.is_not(None))
    bind.execute(sa.insert(names).from_select(["field", "value"], regions.distinct()))
    issuers: set[str] = set()
    for notice_id, joined in bind.execute(sa.select(notices.c.id, notices.c.issuers)):
        mine = {issuer for issuer in (joined or "").split("\n") if issuer}  # 0002's separator
        issuers |= mine
        if mine:
            bind.execute(sa.insert(signed), [{"issuer": i, "notice_id": notice_id} for i in mine])
    if issuers:
        bind.execute(sa.insert(names), [{"field": "issuer", "value": i} for i in sorted(issuers)])


def downgrade() -> None:
    op.drop_index("ix_notice_issuers_notice_id", table_name="notice_issuers")
    op.drop_table("notice_issuers")
    op.drop_table("notice_names")
    op.drop_index("ix_notices_unpublished", table_name="notices")
    for name in _INDEXES:
        op.drop_index(name, table_name="notices")
    for name in _COLUMNS:
        op.drop_column("notices", name)
