"""Records → plain JSON-ready dicts, with the field names of ``shared/spec/records.md``."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from datetime import date
from typing import Any, TypeVar

from notices.model import LossDeclaration, Record, RoadClosure

_D = TypeVar("_D")
_RENAMED = {"from_": "from"}
_HIDDEN = {"span"}
_ORDER = (
    "id",
    "kind",
    "title",
    "text",
    "issued_on",
    "issuers",
    "source",
    "region",
    "region_code",
    "checks",
    "warnings",
)


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


_KINDS: dict[str, type[RoadClosure] | type[LossDeclaration]] = {
    "road_closure": RoadClosure,
    "loss_declaration": LossDeclaration,
}


def from_dict(data: dict[str, Any]) -> Record:
    """Return the record a dict from :func:`to_dict` (or its stored JSON) describes.

    Read through the model's own type hints, so it keeps no list of fields: a key the
    model lacks is ignored, a field the dict lacks takes its default.
    """
    kind = data.get("kind")
    if kind not in _KINDS:
        raise ValueError(f"not a notice record: kind {kind!r}")
    record: Record = _built(_KINDS[kind], data)
    return record


def from_plain(cls: type[_D], data: dict[str, Any]) -> _D:
    """Return one part of a record (a Window, a Stake…) from its dict, as from_dict reads it."""
    built: _D = _built(cls, data)
    return built


def _built(cls: type[Any], data: dict[str, Any]) -> Any:
    hints = _hints(cls)
    values = {}
    for f in dataclasses.fields(cls):
        key = _RENAMED.get(f.name, f.name)
        if f.name not in _HIDDEN and key in data:
            values[f.name] = _decoded(hints[f.name], data[key])
    return cls(**values)


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type[Any]) -> dict[str, Any]:
    """Return a model class's field types, resolved once (resolving is slow)."""
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def _decoded(hint: Any, value: Any) -> Any:
    if value is None:
        return None
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        (present,) = (a for a in args if a is not type(None))
        return _decoded(present, value)
    if origin is tuple:
        item = args[0]  # the model's tuples are all tuple[X, ...]
        return tuple(_decoded(item, v) for v in value)
    if hint is date:
        return date.fromisoformat(value)
    if hint is float:
        return float(value)
    if dataclasses.is_dataclass(hint):
        return _built(hint, value)  # type: ignore[arg-type]
    return value
