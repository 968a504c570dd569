"""Records → plain JSON-ready dicts, with the field names of ``shared/spec/records.md``."""

from __future__ import annotations

import dataclasses
import json
from datetime import date
from typing import Any

from notices.model import Record

_RENAMED = {"from_": "from"}
_HIDDEN = {"span"}
_ORDER = ("id", "kind", "title", "text", "issued_on", "issuers", "source", "checks", "warnings")


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {
            _RENAMED.get(f.name, f.name): _plain(getattr(value, f.name))
            for f in dataclasses.fields(value)
            if f.name not in _HIDDEN
        }
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    return value


def to_dict(record: Record) -> dict[str, Any]:
    """Return a record as a dict: the common fields first, then its kind's."""
    plain = _plain(record)
    ordered = {k: plain[k] for k in _ORDER}
    ordered.update((k, v) for k, v in plain.items() if k not in ordered)
    return ordered


def to_json(records: list[Record], *, indent: int | None = 2) -> str:
    """Return records as a JSON array."""
    return json.dumps([to_dict(r) for r in records], ensure_ascii=False, indent=indent)
