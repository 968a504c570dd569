"""Notices: the ``text`` column, which ``q`` searches, holds the text as the public sees it.

Until now it held the text as printed, so ``?q=<a full ID number>`` confirmed a number
the outputs mask. The record JSON keeps the text as printed; the column is rewritten
from it with resident ID numbers masked. Unlike other derivations this one uses the
package's mask, not a copy frozen here: a stronger mask must reach stored rows too.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from notices.privacy import mask_text

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

notices = sa.table(
    "notices", sa.column("id", sa.String()), sa.column("record", sa.JSON()), sa.column("text")
)


def upgrade() -> None:
    bind = op.get_bind()
    for notice_id, record in bind.execute(sa.select(notices.c.id, notices.c.record)).all():
        shown = mask_text(str(record.get("text") or ""))
        bind.execute(sa.update(notices).where(notices.c.id == notice_id).values(text=shown))


def downgrade() -> None:
    bind = op.get_bind()
    for notice_id, record in bind.execute(sa.select(notices.c.id, notices.c.record)).all():
        printed = str(record.get("text") or "")
        bind.execute(sa.update(notices).where(notices.c.id == notice_id).values(text=printed))
