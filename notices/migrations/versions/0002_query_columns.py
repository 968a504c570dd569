"""Notices: columns to filter on, revisions, road keys, identifier digests and counts.

Copies of record fields (region, region code, publication, issuers, holder, window)
let queries filter in SQL; ``notice_routes`` and ``identifier_digests`` index the roads
a closure names and the identifiers a declaration names (as keyed digests, never in the
clear); ``notice_counts`` keeps the count and latest sighting of each kind. Stored notices
are backfilled from their record JSON: revision 1, changed when first seen.

SQLite cannot add a NOT NULL column without a default, nor drop a default without
rebuilding the table (and rebuilding ``notices`` would cascade-delete its sightings, as
foreign keys are on): there the new NOT NULL columns keep the placeholder defaults they
were added with. No code relies on them; every insert sets these columns.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from datetime import date
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Migrations keep their own types and derivations: later changes must not rewrite history.
Timestamp = sa.DateTime(timezone=True)
_NULLABLE: dict[str, sa.types.TypeEngine[Any]] = {
    "region": sa.String(),
    "region_code": sa.String(),
    "publication": sa.String(),
    "holder": sa.String(),
    "window_start": sa.Date(),
    "window_end": sa.Date(),
    "previous_changed_at": Timestamp,
}
# NOT NULL columns, with the placeholder each is added with.
_REQUIRED: dict[str, tuple[sa.types.TypeEngine[Any], str]] = {
    "issuers": (sa.Text(), ""),
    "content_hash": (sa.String(), ""),
    "revision": (sa.Integer(), "1"),
    "changed_at": (Timestamp, "1970-01-01 00:00:00"),
}
_INDEXES = {
    "ix_notices_kind_last_seen_id": ["kind", "last_seen", "id"],
    "ix_notices_publication_last_seen_id": ["publication", "last_seen", "id"],
}
_ROUTE_CODE = re.compile(r"([A-Z]\d+)(.*)")

notices = sa.table(
    "notices",
    sa.column("id", sa.String()),
    sa.column("record", sa.JSON()),
    *(sa.column(name, kind) for name, kind in _NULLABLE.items()),
    *(sa.column(name, kind) for name, (kind, _) in _REQUIRED.items()),
    sa.column("kind", sa.String()),
    sa.column("first_seen", Timestamp),
    sa.column("last_seen", Timestamp),
)
notice_routes = sa.table("notice_routes", sa.column("route"), sa.column("notice_id"))
identifier_digests = sa.table("identifier_digests", sa.column("digest"), sa.column("notice_id"))
notice_counts = sa.table(
    "notice_counts", sa.column("kind"), sa.column("notices"), sa.column("last_seen")
)


def upgrade() -> None:
    for name, kind in _NULLABLE.items():
        op.add_column("notices", sa.Column(name, kind, nullable=True))
    for name, (kind, placeholder) in _REQUIRED.items():
        op.add_column("notices", sa.Column(name, kind, nullable=False, server_default=placeholder))
    op.drop_index("ix_notices_kind", table_name="notices")
    for name, columns in _INDEXES.items():
        op.create_index(name, "notices", columns)
    _create_lookup_table("notice_routes", "route")
    _create_lookup_table("identifier_digests", "digest")
    op.create_table(
        "notice_counts",
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("notices", sa.Integer(), nullable=False),
        sa.Column("last_seen", Timestamp, nullable=False),
        sa.PrimaryKeyConstraint("kind", name="pk_notice_counts"),
    )
    _backfill(_identifier_key())
    if op.get_bind().dialect.name != "sqlite":
        for name in _REQUIRED:
            op.alter_column("notices", name, server_default=None)


def downgrade() -> None:
    op.drop_table("notice_counts")
    op.drop_index("ix_identifier_digests_notice_id", table_name="identifier_digests")
    op.drop_table("identifier_digests")
    op.drop_index("ix_notice_routes_notice_id", table_name="notice_routes")
    op.drop_table("notice_routes")
    for name in _INDEXES:
        op.drop_index(name, table_name="notices")
    op.create_index("ix_notices_kind", "notices", ["kind"])
    for name in (*_NULLABLE, *_REQUIRED):
        op.drop_column("notices", name)


def _create_lookup_table(name: str, key: str) -> None:
    op.create_table(
        name,
        sa.Column(key, sa.String(), nullable=False),
        sa.Column("notice_id", sa.String(), nullable=False),
        sa.ForeignKeyConstraint(
            ["notice_id"], ["notices.id"], name=f"fk_{name}_notice_id_notices", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(key, "notice_id", name=f"pk_{name}"),
    )
    op.create_index(f"ix_{name}_notice_id", name, ["notice_id"])


def _identifier_key() -> bytes:
    """The key Store.open hands over, else the one settings name (alembic's command line)."""
    config = op.get_context().config
    key: bytes | None = None if config is None else config.attributes.get("identifier_key")
    if key is None:
        from notices import settings

        key = settings.get("IDENTIFIER_KEY").encode()
    return key


def _backfill(key: bytes) -> None:
    bind = op.get_bind()
    stored = bind.execute(sa.select(notices.c.id, notices.c.record)).all()
    for notice_id, record in stored:
        values = _copies(record)
        bind.execute(sa.update(notices).where(notices.c.id == notice_id).values(values))
        routes = [{"route": r, "notice_id": notice_id} for r in sorted(_route_keys(record))]
        digests = [{"digest": d, "notice_id": notice_id} for d in _digests(record, key)]
        if routes:
            bind.execute(sa.insert(notice_routes), routes)
        if digests:
            bind.execute(sa.insert(identifier_digests), digests)
    bind.execute(sa.update(notices).values(revision=1, changed_at=notices.c.first_seen))
    counted = sa.select(notices.c.kind, sa.func.count(), sa.func.max(notices.c.last_seen))
    columns = ["kind", "notices", "last_seen"]
    bind.execute(sa.insert(notice_counts).from_select(columns, counted.group_by(notices.c.kind)))


def _copies(record: dict[str, Any]) -> dict[str, Any]:
    source = record.get("source") or {}
    window = record.get("window") or {}
    content = {k: v for k, v in record.items() if k not in ("id", "source")}
    canonical = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return {
        # records parsed since regions were read from the notice carry their own
        "region": record.get("region", source.get("region")),
        "region_code": record.get("region_code", source.get("region_code")),
        "publication": source.get("publication"),
        "issuers": "\n".join(record.get("issuers") or []),
        "holder": record.get("holder"),
        "window_start": _date(window.get("start")),
        "window_end": _date(window.get("end")),
        "content_hash": hashlib.sha256(canonical.encode()).hexdigest(),
    }


def _route_keys(record: dict[str, Any]) -> set[str]:
    if record.get("kind") != "road_closure":
        return set()
    roads = [r.get(f) for r in record.get("routes") or [] for f in ("code", "name")]
    roads += [s.get("route") for s in record.get("segments") or []]
    return {key for road in roads for key in _road_keys(road or "")}


def _road_keys(road: str) -> set[str]:
    road = "".join(road.split()).upper()
    keys = set()
    if code := _ROUTE_CODE.fullmatch(road):
        keys.add(code.group(1))
        road = code.group(2)
    road = road.removesuffix("公路")
    if road:
        keys.add(road)
    return keys


def _digests(record: dict[str, Any], key: bytes) -> set[str]:
    if record.get("kind") != "loss_declaration":
        return set()
    values = ("".join(i["value"].split()).upper() for i in record.get("identifiers") or [])
    return {hmac.new(key, v.encode(), hashlib.sha256).hexdigest() for v in values}


def _date(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)
