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
# The window's ends (active_on, at), and a region code's range read newest first. Roads
# have notice_routes' key, publications their index of 0002.
_INDEXES = {
    "ix_notices_kind_window_start": ["kind", "window_start"],
    "ix_notices_kind_window_end": ["kind", "window_end"],
    "ix_notices_region_code_last_seen_id": ["region_code", "last_seen", "id"],
}


def upgrade() -> None:
    for name, kind in _COLUMNS.items():
        op.add_column("notices", sa.Column(name, kind, nullable=True))
    for name, columns in _INDEXES.items():
        op.create_index(name, "notices", columns)


def downgrade() -> None:
    for name in _INDEXES:
        op.drop_index(name, table_name="notices")
    for name in _COLUMNS:
        op.drop_column("notices", name)
