"""The notice records: one model every output (JSON, feeds, database rows) is derived from.

Field names follow ``shared/spec/records.md``. Python names that clash with keywords
(``from``) carry a trailing underscore; :mod:`notices.serialize` maps them back.
Positions in the page are kept with ``compare=False`` so tests compare meaning.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any, Literal, TypeVar

from notices import compiled

# Before the first of the parser's classes is made: the code of the methods dataclasses
# writes for them (and the patterns their modules compile), from the install's cache.
compiled.seed()

Closure = Literal["full", "half", "partial", "control"]
HolderType = Literal["organization", "person"]
Span = tuple[int, int]


@dataclass(frozen=True)
class Stake:
    """A kilometre stake as printed, with its distance from the route's origin in metres."""

    text: str
    m: int


@dataclass(frozen=True)
class Route:
    """A road: its code (G1212) and/or its name (沈吉高速)."""

    code: str | None
    name: str | None

    @property
    def key(self) -> str:
        """Return the code if there is one, else the name."""
        return self.code or self.name or ""


@dataclass(frozen=True)
class Segment:
    """One closed stretch of a road."""

    route: str | None
    from_: Stake | None = None
    to: Stake | None = None
    from_place: str | None = None
    to_place: str | None = None
    length_km: float | None = None


@dataclass(frozen=True)
class Daily:
    """Hours of each day in which a closure applies."""

    from_: str
    to: str


@dataclass(frozen=True)
class Window:
    """When a closure applies."""

    start: date
    end: date | None = None
    start_time: str | None = None
    end_time: str | None = None
    daily: Daily | None = None
    days_stated: int | None = None
    until_complete: bool = False


@dataclass(frozen=True)
class Detour:
    """The way round: as printed, the roads it names, the places it passes in order."""

    text: str
    routes: tuple[str, ...] = ()
    via: tuple[str, ...] = ()


@dataclass(frozen=True)
class Check:
    """One cross-check the notice allows, and its verdict."""

    code: str
    ok: bool
    message: str


@dataclass(frozen=True)
class Source:
    """Where a notice was read."""

    url: str | None = None
    publication: str | None = None
    published_on: date | None = None
    page: str | None = None
    region: str | None = None
    region_code: str | None = None  # administrative division code (GB/T 2260), where known


@dataclass(frozen=True)
class Identifier:
    """An identifier printed in a loss declaration, with its check-character verdict."""

    type: str | None
    value: str
    valid: bool | None = None


@dataclass(frozen=True)
class RoadClosure:
    """A road-closure notice (封路通告, 封闭施工通告, 交通管制通告)."""

    id: str
    title: str | None
    text: str
    issued_on: date | None
    issuers: tuple[str, ...]
    source: Source
    reason: str | None
    routes: tuple[Route, ...]
    segments: tuple[Segment, ...]
    closure: Closure
    window: Window | None
    windows: tuple[Window, ...] = ()
    detour: Detour | None = None
    checks: tuple[Check, ...] = ()
    warnings: tuple[str, ...] = ()
    region: str | None = None  # where it applies: its issuers and places, else the source
    region_code: str | None = None  # GB/T 2260
    kind: Literal["road_closure"] = "road_closure"
    span: Span = field(default=(0, 0), compare=False)


@dataclass(frozen=True)
class LossDeclaration:
    """One holder's entry in a loss declaration (遗失声明)."""

    id: str
    title: str | None
    text: str
    issued_on: date | None
    issuers: tuple[str, ...]
    source: Source
    holder: str
    holder_type: HolderType
    documents: tuple[str, ...]
    identifiers: tuple[Identifier, ...]
    declared_void: bool
    checks: tuple[Check, ...] = ()
    warnings: tuple[str, ...] = ()
    region: str | None = None  # where it applies: its issuers and places, else the source
    region_code: str | None = None  # GB/T 2260
    kind: Literal["loss_declaration"] = "loss_declaration"
    span: Span = field(default=(0, 0), compare=False)


Record = RoadClosure | LossDeclaration


_Frozen = TypeVar("_Frozen")
_COPYABLE: dict[type, frozenset[str] | None] = {}


def evolve(instance: _Frozen, **changes: Any) -> _Frozen:
    """``dataclasses.replace`` for the model's frozen dataclasses, in a fifth of the time.

    Their ``__init__`` only sets each field (every field an argument, no ``__post_init__``),
    so a copy of the instance's dictionary with the changes is the object ``replace`` would
    make; a class that does more goes through ``replace`` itself.
    """
    cls = type(instance)
    names = _COPYABLE[cls] if cls in _COPYABLE else _copyable(cls)
    if names is None or not names.issuperset(changes):
        return replace(instance, **changes)  # type: ignore[type-var]
    copy = object.__new__(cls)
    attrs = copy.__dict__
    attrs.update(instance.__dict__)
    attrs.update(changes)
    return copy


def _copyable(cls: type) -> frozenset[str] | None:
    params = getattr(cls, "__dataclass_params__", None)
    plain = params is not None and params.frozen and "__slots__" not in vars(cls)
    every = plain and all(f.init for f in fields(cls)) and not hasattr(cls, "__post_init__")
    _COPYABLE[cls] = frozenset(f.name for f in fields(cls)) if every else None
    return _COPYABLE[cls]
