"""Lists read their indexes alone: covering newest-first indexes, and a closure's windows apart.

Every public list asks each notice it reads whether it is shown (``hidden``, ``status``);
``active_on`` asks a closure's window too. The newest-first indexes of the kind, the
publication, the region and the region code now hold those columns after their own, so a
list scans an index and reads the rows of its page only, not of every notice it passes
over: in a store of 100,000 notices a row read is a page of a large file, and the scans
cost the same at any size once they read no row.

``windows`` keeps a closure's windows alone (its record's ``windows``, else its one
``window``), backfilled from the record JSON: the closures in force at a moment are
chosen by their windows, which no longer means reading and parsing each whole record.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_SHOWN = ["hidden", "status"]
_WINDOW = ["window_start", "window_end", "cancelled_on"]
# Each index by name: its columns before (0002, 0005) and now.
_INDEXES = {
    "ix_notices_kind_last_seen_id": (["kind", "last_seen", "id"], _SHOWN + _WINDOW),
    "ix_notices_publication_last_seen_id": (["publication", "last_seen", "id"], _SHOWN),
    "ix_notices_region_code_last_seen_id": (["region_code", "last_seen", "id"], _SHOWN),
    "ix_notices_region_last_seen_id": (["region", "last_seen", "id"], _SHOWN),
}
_BATCH = 1000

notices = sa.table(
    "notices",
    sa.column("id", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("record", sa.JSON()),
    sa.column("windows", sa.JSON()),
)


def upgrade() -> None:
    for name, (columns, covered) in _INDEXES.items():
        op.drop_index(name, table_name="notices")
        op.create_index(name, "notices", columns + covered)
    op.add_column("notices", sa.Column("windows", sa.JSON(), nullable=True))
    _backfill()


def _windows(record: dict[str, Any]) -> list[Any]:
    """A closure's windows as 0006 reads them: ``windows``, else its one ``window``."""
    found: list[Any] = record.get("windows") or []
    return found or ([record["window"]] if record.get("window") else [])


def _backfill() -> None:
    bind = op.get_bind()
    closures = sa.select(notices.c.id, notices.c.record).where(notices.c.kind == "road_closure")
    write = (
        sa.update(notices)
        .where(notices.c.id == sa.bindparam("notice_id"))
        .values(windows=sa.bindparam("found", type_=sa.JSON()))
    )
    rows = [{"notice_id": i, "found": _windows(record)} for i, record in bind.execute(closures)]
    for first in range(0, len(rows), _BATCH):
        bind.execute(write, rows[first : first + _BATCH])


def downgrade() -> None:
    op.drop_column("notices", "windows")
    for name, (columns, _) in _INDEXES.items():
        op.drop_index(name, table_name="notices")
        op.create_index(name, "notices", columns)
