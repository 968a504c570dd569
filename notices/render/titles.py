"""Notices in words: titles, windows, roads and stretches, as every output prints them.

Dates are Chinese (7月8日), ranges take an en dash (K189+400–K191+942), a window without
an end reads 起 or, when the notice says so, 至完工.
"""

from __future__ import annotations

from datetime import date

from notices.model import LossDeclaration, Record, RoadClosure, Route, Segment, Window

CLOSURE_WORDS = {
    "full": "全幅封闭",
    "half": "半幅封闭",
    "partial": "部分封闭",
    "control": "交通管制",
}


def headline(record: Record) -> str:
    """Return a readable title: 丹霍线 K189+400–K191+942 全幅封闭 7月8日–7月22日."""
    if isinstance(record, LossDeclaration):
        void = "声明作废" if record.declared_void else ""
        return _spaced(record.holder, "遗失", "、".join(record.documents), void)
    window = window_phrase(record.window) if record.window else ""
    return _spaced(where(record), CLOSURE_WORDS[record.closure], window)


def where(record: RoadClosure) -> str:
    """Return the roads closed and their stakes: X307 K0+000–K12+360、Y112 K3+500–K9+885."""
    groups = [
        _spaced(route.name or route.code, "、".join(_stakes(s) for s in _on(record, route)))
        for route in record.routes
    ]
    return "、".join(groups) or record.title or ""


def _on(record: RoadClosure, route: Route) -> list[Segment]:
    return [s for s in record.segments if s.route in (route.code, route.name) and s.from_]


def _stakes(segment: Segment) -> str:
    ends = [stake.text for stake in (segment.from_, segment.to) if stake]
    return "–".join(ends)


def window_phrase(window: Window, *, years: bool = False) -> str:
    """Return a window in words: 7月8日–7月22日, 7月3日至完工, 11月12日起, 每日20:00–08:00."""
    crosses_year = window.end is not None and window.end.year != window.start.year
    show_year = years or crosses_year
    # 00:00 at the start and 24:00 at the end say "whole days": the dates alone say that.
    begins = window.start_time if window.start_time != "00:00" else None
    ends = window.end_time if window.end_time != "24:00" else None
    start = _spaced(_day(window.start, show_year), begins)
    if window.end is None:
        span = start + ("至完工" if window.until_complete else "起")
    elif window.end == window.start:
        span = _spaced(_day(window.start, show_year), "–".join(t for t in (begins, ends) if t))
    else:
        span = start + "–" + _spaced(_day(window.end, show_year), ends)
    daily = f"每日{window.daily.from_}–{window.daily.to}" if window.daily else ""
    return _spaced(span, daily)


def _day(day: date, year: bool) -> str:
    return (f"{day.year}年" if year else "") + f"{day.month}月{day.day}日"


def _spaced(*parts: str | None) -> str:
    return " ".join(p for p in parts if p)


def route_label(route: Route) -> str:
    """Return a road as people name it: G1212 沈吉高速, 丹霍线, S203."""
    return _spaced(route.code, route.name)


def stretches(record: RoadClosure) -> str:
    """Return each closed stretch: 丹霍线 K189+400–K191+942（垃圾场道口至千金岭隧道）."""
    return "；".join(_spaced(s.route, _stakes(s) + _places(s)) for s in record.segments)


def _places(segment: Segment) -> str:
    places = [p for p in (segment.from_place, segment.to_place) if p]
    return f"（{'至'.join(places)}）" if places else ""
