"""Closures on a timeline: one row per closure, a bar over the days of each window.

Pure geometry for an SVG the dashboard draws: day columns, a bar per window clipped to the
days shown (an open end runs to the edge), daily-hours windows flagged so they are drawn
hatched, and today's column marked. Units are SVG user units; the viewBox scales them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from notices.model import RoadClosure, Window
from notices.render.titles import route_label, window_phrase

LABEL_WIDTH = 150
DAY_WIDTH = 64
ROW_HEIGHT = 30
HEADER = 34
BAR_HEIGHT = 18
MAX_DAYS = 31
MIN_DAYS = 9
WEEKDAYS = "一二三四五六日"


@dataclass(frozen=True)
class Bar:
    """One window of one closure, in user units."""

    x: float
    y: float
    width: float
    daily: bool
    open_end: bool
    title: str


@dataclass(frozen=True)
class Row:
    """One closure: its label and the bars of its windows."""

    notice_id: str
    label: str
    y: float
    bars: tuple[Bar, ...]


@dataclass(frozen=True)
class Day:
    """A day column: where it starts, its label, whether it is today or a weekend."""

    x: float
    width: float
    label: str
    weekday: str
    today: bool
    weekend: bool

    @property
    def middle(self) -> float:
        """Return the x of the column's middle, where its labels stand."""
        return self.x + self.width / 2


@dataclass(frozen=True)
class Timeline:
    """Everything the SVG draws."""

    first: date
    last: date
    width: int
    height: int
    days: tuple[Day, ...]
    rows: tuple[Row, ...]
    today_x: float | None

    @property
    def bars(self) -> int:
        """Return how many bars are drawn."""
        return sum(len(row.bars) for row in self.rows)


def timeline(closures: Sequence[RoadClosure], first: date, count: int, today: date) -> Timeline:
    """Lay out closures over ``count`` days from ``first``."""
    last = first + timedelta(days=count - 1)
    rows = tuple(
        _row(closure, first, last, HEADER + index * ROW_HEIGHT)
        for index, closure in enumerate(closures)
    )
    today_x = _x(first, today) + DAY_WIDTH / 2 if first <= today <= last else None
    return Timeline(
        first=first,
        last=last,
        width=LABEL_WIDTH + count * DAY_WIDTH,
        height=HEADER + max(len(rows), 1) * ROW_HEIGHT + 6,
        days=tuple(_day(first + timedelta(days=n), first, today) for n in range(count)),
        rows=rows,
        today_x=today_x,
    )


def days_around(closures: Sequence[RoadClosure], today: date) -> tuple[date, int]:
    """Choose the days to show for closures not near today: their windows, at most a month."""
    windows = [w for c in closures for w in _windows(c)]
    if not windows:
        return today - timedelta(days=1), MIN_DAYS
    first = min(w.start for w in windows) - timedelta(days=1)
    last = max(w.end or w.start for w in windows) + timedelta(days=1)
    if (last - first).days + 1 > MAX_DAYS:  # the latest month of them
        first = last - timedelta(days=MAX_DAYS - 1)
    return first, max((last - first).days + 1, MIN_DAYS)


def _windows(closure: RoadClosure) -> tuple[Window, ...]:
    return closure.windows or ((closure.window,) if closure.window else ())


def _x(first: date, day: date) -> float:
    return LABEL_WIDTH + (day - first).days * DAY_WIDTH


def _day(day: date, first: date, today: date) -> Day:
    return Day(
        x=_x(first, day),
        width=DAY_WIDTH,
        label=f"{day.month}/{day.day}",
        weekday=WEEKDAYS[day.weekday()],
        today=day == today,
        weekend=day.weekday() >= 5,
    )


def _row(closure: RoadClosure, first: date, last: date, y: float) -> Row:
    label = "、".join(route_label(r) for r in closure.routes) or closure.title or "道路"
    bars = tuple(
        bar for w in _windows(closure) if (bar := _bar(w, first, last, y, label)) is not None
    )
    return Row(closure.id, label, y, bars)


def _bar(window: Window, first: date, last: date, y: float, label: str) -> Bar | None:
    end = window.end or last
    if end < first or window.start > last:
        return None
    start, stop = max(window.start, first), min(end, last)
    return Bar(
        x=_x(first, start),
        y=y + (ROW_HEIGHT - BAR_HEIGHT) / 2,
        width=((stop - start).days + 1) * DAY_WIDTH,
        daily=window.daily is not None,
        open_end=window.end is None,
        title=f"{label}：{window_phrase(window, years=True)}",
    )
