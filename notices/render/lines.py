"""Records as the dashboard's lines: what a list item or a notice page says, in words.

Pure functions of a public record (:func:`notices.render.view.public`, ID numbers
masked) and the day the view is for; the templates only place and escape these strings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

from notices.model import Identifier, LossDeclaration, Record, RoadClosure, Window
from notices.render.titles import CLOSURE_WORDS, route_label, stretches, window_phrase

HOLDER_TYPES = {"organization": "单位", "person": "个人"}


@dataclass(frozen=True)
class Closure:
    """A road closure as a line of the list."""

    record: RoadClosure
    roads: str
    stretches: str
    closure: str
    window: str
    daily: bool
    detour: str
    in_force: bool
    source_url: str | None


@dataclass(frozen=True)
class Declaration:
    """A loss declaration as a line of the list."""

    record: LossDeclaration
    identifiers: str
    seen: datetime


def closure_line(record: RoadClosure, today: date) -> Closure:
    """Return a closure as the list shows it, and whether it is in force on ``today``."""
    window = record.window
    return Closure(
        record=record,
        roads=roads(record) or (record.title or ""),
        stretches=stretches(record),
        closure=CLOSURE_WORDS[record.closure],
        window=window_phrase(window, years=True) if window else "时间不详",
        daily=any(w.daily for w in windows(record)),
        detour=record.detour.text if record.detour else "",
        in_force=covers(record, today),
        source_url=web_url(record.source.url),
    )


def declaration_line(record: LossDeclaration, seen: datetime) -> Declaration:
    """Return a loss declaration as the list shows it, first seen at ``seen``."""
    return Declaration(record, numbers(record.identifiers), seen)


def roads(record: RoadClosure) -> str:
    """Return the roads a closure names: 丹霍线、G1212 沈吉高速."""
    return "、".join(route_label(r) for r in record.routes)


def windows(record: RoadClosure) -> tuple[Window, ...]:
    """Return each window of a closure (the one window when it states one)."""
    return record.windows or ((record.window,) if record.window else ())


def covers(record: RoadClosure, day: date) -> bool:
    """Tell whether any window of a closure holds (some hours of) a day."""
    return any(w.start <= day and (w.end is None or day <= w.end) for w in windows(record))


def web_url(url: str | None) -> str | None:
    """Return a URL worth linking: a stored URL of another scheme is shown, never followed."""
    return url if url and urlsplit(url).scheme in ("http", "https") else None


def numbers(identifiers: tuple[Identifier, ...]) -> str:
    """Return identifiers as printed with their labels: 工商注册号：企合朝总字第000101号."""
    return "；".join(f"{i.type}：{i.value}" if i.type else i.value for i in identifiers)


def fields(record: Record) -> list[tuple[str, str]]:
    """Return a record's fields as (label, value) rows, the empty ones left out."""
    if isinstance(record, LossDeclaration):
        rows = [("声明人", record.holder), ("类型", HOLDER_TYPES[record.holder_type])]
        rows += [("遗失", "、".join(record.documents)), ("证号", numbers(record.identifiers))]
        rows += [("声明作废", "是" if record.declared_void else "否")]
    else:
        rows = [("道路", roads(record)), ("路段", stretches(record))]
        rows += [("方式", CLOSURE_WORDS[record.closure])]
        rows += [("时间", "；".join(window_phrase(w, years=True) for w in windows(record)))]
        rows += [("原因", record.reason or "")]
        rows += [("绕行", record.detour.text if record.detour else "")]
    rows += [("地区", record.source.region or ""), ("发布", "、".join(record.issuers))]
    rows += [("落款日期", record.issued_on.isoformat() if record.issued_on else "")]
    return [(label, value) for label, value in rows if value]
