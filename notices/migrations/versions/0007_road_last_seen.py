"""A road's notices newest first from its keys: ``notice_routes`` carries each notice's last_seen.

A list by road read every notice the road names from the notices table (its last-seen
time, whether it is shown) and sorted them all before the page was cut: 14 notices of a
road at 10,000 notices, 140 at 100,000. With the notice's ``last_seen`` beside each of its
road keys, indexed ``(route, last_seen, notice_id)``, a page of one key is read in order
and stops when full. The copy is written with the keys, which every save and staff edit
writes afresh; here it is filled from the notices.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

_INDEX = "ix_notice_routes_route_last_seen_notice_id"


def upgrade() -> None:
    op.add_column("notice_routes", sa.Column("last_seen", sa.DateTime(timezone=True)))
    routes = sa.table("notice_routes", sa.column("notice_id"), sa.column("last_seen"))
    notices = sa.table("notices", sa.column("id"), sa.column("last_seen"))
    seen = sa.select(notices.c.last_seen).where(notices.c.id == routes.c.notice_id)
    op.get_bind().execute(sa.update(routes).values(last_seen=seen.scalar_subquery()))
    op.create_index(_INDEX, "notice_routes", ["route", "last_seen", "notice_id"])


def downgrade() -> None:
    op.drop_index(_INDEX, table_name="notice_routes")
    op.drop_column("notice_routes", "last_seen")
