"""A stored notice as the public API prints it: JSON text, written when the notice changes.

The store calls :func:`texts` whenever it writes a notice (a printing, a sighting, a staff
edit) and keeps what it gives beside the row, so that the API answers a list by
concatenating stored text: no record is rebuilt, masked or serialised per request.
Every text is the public view (:func:`notices.render.view.public`): resident ID numbers
masked wherever they are printed, server paths of directory sources left out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from notices.model import LossDeclaration
from notices.render.view import is_private_url, public
from notices.serialize import from_dict, to_dict

# What the store adds to a record: when and where it was seen, and its revisions.
STORED = ("first_seen", "last_seen", "sightings", "revision", "updated_at", "status",
          "published_on", "cancelled_on", "superseded_by", "changed_at",
          "previous_changed_at")  # fmt: skip
_DECLARATION = ("id", "holder", "documents", "declared_void", "issued_on", "source")


@dataclass(frozen=True)
class Published:
    """A notice's public texts: as a list item, its revisions, as a lookup's declaration."""

    item: str
    revisions: str
    declaration: str | None
    declared_void: bool | None


def texts(row: dict[str, Any]) -> Published:
    """Return the public texts of a stored notice (the store's dict of it, with revisions)."""
    record = from_dict(row)
    shown = to_dict(public(record))
    item = shown | {key: row[key] for key in STORED if key in row}
    item["sightings"] = [_public_sighting(s) for s in item.get("sightings", [])]
    declaration = None
    if isinstance(record, LossDeclaration):
        found = {name: shown.get(name) for name in _DECLARATION}
        declaration = dumps(found | {"first_seen": row["first_seen"]})
    return Published(
        item=dumps(item),
        revisions=dumps(row.get("revisions", [])),
        declaration=declaration,
        declared_void=record.declared_void if isinstance(record, LossDeclaration) else None,
    )


def with_revisions(item: str, revisions: str) -> str:
    """Return a list item's text as the single notice prints it: with its revisions."""
    return f'{item[:-1]}, "revisions": {revisions}}}'


def dumps(value: Any) -> str:
    """Write JSON as the API does: UTF-8 text, keys in the record's order."""
    return json.dumps(value, ensure_ascii=False)


def _public_sighting(sighting: dict[str, Any]) -> dict[str, Any]:
    return sighting | {"url": None} if is_private_url(sighting.get("url")) else sighting
