"""Printed periods → closure windows, with the year, month and day a notice leaves out.

A date without a year takes the year of the notice's issue date, else the edition's;
an end without month or year takes the start's, rolling forward when it would fall
before the start (``12月20日至1月10日``). ``即日起`` starts on the issue date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from notices.model import Daily, Window
from notices.numerals import clock, make_date, numbers
from notices.road_phrases import DailyHours, Period, Tok, When

_TOLERANCE_DAYS = 60  # a year-less date this far before the issue date is next year's


@dataclass(frozen=True)
class Context:
    """The dates a notice's year-less dates are read against."""

    published_on: date | None
    issued_on: date | None
    printed_year: int | None = None  # the year the notice prints elsewhere (2023年高考…)
    canon: str = ""  # the notice's text, for the words around a period

    @property
    def anchor(self) -> date | None:
        return self.issued_on or self.published_on


def issue_date(when: When, published_on: date | None, warnings: list[str]) -> date | None:
    """Read the date a notice was signed."""
    year = when.year or (published_on.year if published_on else None)
    if year is None or when.month is None or when.day is None:
        return None
    reading = make_date(year, when.month, when.day)
    if reading and reading.warning:
        warnings.append(reading.warning)
    return reading.day if reading else None


def _start_day(when: When, ctx: Context, warnings: list[str]) -> date | None:
    anchor = ctx.anchor
    if when.day is None:
        return None
    if when.month is None:
        return _day_of_month(when, anchor, warnings)
    year = when.year or (anchor.year if anchor else None)
    if year is None and ctx.printed_year:
        # no issue date and no edition date: the year the notice prints elsewhere, noted
        warnings.append(f"year of {when.text} taken from the notice's text ({ctx.printed_year})")
        year = ctx.printed_year
    if year is None:
        warnings.append(f"no year for {when.text}")
        return None
    day = _read(year, when.month, when.day, when.text, warnings)
    if day is None:
        return None
    if when.year is None and anchor and day < anchor - timedelta(days=_TOLERANCE_DAYS):
        later = make_date(year + 1, when.month, when.day)
        day = later.day if later else day
    return day


def _day_of_month(when: When, anchor: date | None, warnings: list[str]) -> date | None:
    """A day printed without its month (本月28日, 今(21)日, 16日起): of the month of issue, or
    of the next when it falls more than ``_DAY_TOLERANCE`` days before the issue date."""
    if anchor is None or when.day is None or not when.text.rstrip().endswith("日"):
        return None  # 第6号台风 is no day
    day = make_date(anchor.year, anchor.month, when.day)
    if day is None:
        return None
    if day.day < anchor - timedelta(days=_DAY_TOLERANCE):
        later = _next_month(anchor.year, anchor.month, when.day)
        if later is None:
            return None
        day = later
    warnings.append(f"month of {when.text} taken from the date of issue")
    return day.day


_DAY_TOLERANCE = 10  # a day of the month this far before the issue date is next month's


_YEAR = re.compile(r"((?:19|20)\d\d)\s*年")


def printed_year(canon: str) -> int | None:
    """The latest year a notice's text prints (2023年全国普通高校招生考试将于6月7日…)."""
    years = [int(y) for y in _YEAR.findall(canon)]
    return max(years) if years else None


def _read(year: int, month: int, day: int, printed: str, warnings: list[str]) -> date | None:
    """A date from its parts, noting in ``warnings`` what could not be read as printed."""
    reading = make_date(year, month, day)
    if reading is None:
        warnings.append(f"cannot read the date {printed}")
        return None
    if reading.warning:
        warnings.append(reading.warning)
    return reading.day


def _end_day(when: When, start: date, warnings: list[str]) -> date | None:
    if when.next_day:
        return start + timedelta(days=1)
    if when.day is None:
        return start  # a clock time alone ends on the start day
    year, month = when.year or (start.year + when.next_year), when.month or start.month
    end = _read(year, month, when.day, when.text, warnings)
    if end is None:
        return None
    if end < start and when.year is None:
        rolled = (
            make_date(year + 1, month, when.day)
            if when.month
            else _next_month(year, month, when.day)
        )
        end = rolled.day if rolled else end
    return end


def _next_month(year: int, month: int, day: int) -> Any:
    return make_date(year + (month == 12), month % 12 + 1, day)


def _time(when: When | None) -> str | None:
    if when is None or when.time is None:
        return None
    ampm = next(
        (
            w
            for w in ("上午", "下午", "中午", "晚上", "早上", "凌晨", "傍晚", "夜里", "晚", "早")
            if when.time.startswith(w)
        ),
        None,
    )
    return clock(when.time[len(ampm or "") :], ampm)


def _window(period: Period, ctx: Context, warnings: list[str]) -> Window | None:
    if period.from_now:
        start = ctx.anchor
        if start is None:
            warnings.append("the closure starts on issue, and no issue date is printed")
            return None
    elif period.first is not None:
        start = _start_by_end(period.first, period.last) or _start_day(period.first, ctx, warnings)
        if start is None:
            return None
    else:
        return None
    end = None
    if period.last is not None and not period.until_complete:
        end = _end_day(period.last, start, warnings)
    return Window(
        start=start,
        end=end,
        start_time=_time(period.first),
        end_time=_time(period.last) if end else None,
        until_complete=period.until_complete,
    )


def _start_by_end(first: When, last: When | None) -> date | None:
    """A start printed without its year, before an end printed with it (2月19日至2025年2月10日
    is 2024's February): the year that puts the start first."""
    if first.year is not None or first.month is None or first.day is None:
        return None
    if last is None or last.year is None or last.month is None or last.day is None:
        return None
    year = last.year - 1 if (first.month, first.day) > (last.month, last.day) else last.year
    reading = make_date(year, first.month, first.day)
    return reading.day if reading else None


def _is_clock_only(period: Period) -> bool:
    whens = [w for w in (period.first, period.last) if w]
    return (
        bool(whens)
        and all(w.day is None and w.month is None and not w.next_day for w in whens)
        and not period.from_now
    )


def read(periods: list[Any], items: list[Any], ctx: Context, warnings: list[str]) -> list[Window]:
    """Read the closure windows of a notice from its periods and daily hours.

    A period whose start is a day without its month (16日起) counts only when no other
    gives a window: a date printed whole says more than one the reader must complete.
    """
    dated = [p for p in periods if not _month_less(p)]
    told: list[str] = []
    found = _windows(dated, items, ctx, told)
    if not found and len(dated) < len(periods):
        told = []
        found = _windows(periods, items, ctx, told)
    warnings.extend(told)
    return found


def _month_less(period: Any) -> bool:
    first = period.first if isinstance(period, Period) else None
    return first is not None and first.month is None and first.day is not None


def _windows(
    periods: list[Any], items: list[Any], ctx: Context, warnings: list[str]
) -> list[Window]:
    daily = _daily(periods)
    out: list[Window] = []
    ahead: When | None = None  # an end told before its start (工程持续到2020年11月30日…12月3日封闭)
    bare: list[Window] = []
    for period in periods:
        if not isinstance(period, Period) or _is_clock_only(period):
            continue
        if period.first is None and not period.from_now:  # only an end: it closes the open window
            if period.last is not None and out and out[-1].end is None:
                end = _end_day(period.last, out[-1].start, warnings)
                out[-1] = replace(out[-1], end=end, end_time=_time(period.last) if end else None)
            elif period.last is not None and not out:
                ahead = period.last
            continue
        window = _window(period, ctx, warnings)
        if window and period.bare:
            bare.append(window)
        if window and ahead is not None and window.end is None and not window.until_complete:
            end = _end_day(ahead, window.start, warnings)
            if end is not None and end > window.start:
                window = replace(window, end=end)
            ahead = None
        if window and window not in out:
            out.append(window)
    ranged = [w for w in out if w.end or w.until_complete]
    if not ranged and len(out) > 1 and len({w.start for w in bare}) == len(out):
        # days named alone, one a stage (一、8月14日对甲段… 二、8月15日对乙段…): each that day
        ranged = [replace(w, end=w.start) for w in out]
    out = ranged or out
    if len(out) == 1 and bare == out and _one_day(periods, items, ctx.canon):
        out = [replace(out[0], end=out[0].start)]  # 定于6月1日举行: the closure of that day
    days = _days_stated(items)
    open_ended = _until_complete(items)
    return [_finish(w, daily, days if i == 0 else None, open_ended) for i, w in enumerate(out)]


def _finish(window: Window, daily: Daily | None, days: int | None, open_ended: bool) -> Window:
    if window.end is None and open_ended:
        window = replace(window, until_complete=True)
    return replace(window, daily=daily, days_stated=days)


def _daily(periods: list[Any]) -> Daily | None:
    for phrase in periods:
        if isinstance(phrase, DailyHours) and phrase.first and phrase.last:
            first, last = clock(phrase.first), clock(phrase.last)
            if first and last:
                return Daily(first, last)
    for phrase in periods:
        if isinstance(phrase, Period) and _is_clock_only(phrase) and phrase.first and phrase.last:
            first, last = _time(phrase.first), _time(phrase.last)
            if first and last:
                return Daily(first, last)
    return None


def _days_stated(items: list[Any]) -> int | None:
    for item in items:
        if isinstance(item, Tok) and item.kind == "DAYS":
            found = numbers(item.text)
            if found:
                return found[-1]
    return None


def _one_day(periods: list[Any], items: list[Any], canon: str) -> bool:
    """A day named alone for an event or works held on it (定于6月1日举行, 将于4月23日进行路面
    改善), and nothing that leaves the window open: a start (起), a length, works until done,
    an end to be told later (另行通知)."""
    toks = [i for i in items if isinstance(i, Tok)]
    if any(t.kind in _NOT_ONE_DAY or "另行" in t.text for t in toks):
        return False
    dated = next(p for p in periods if isinstance(p, Period) and p.bare)
    clause = _CLAUSE_END.split(canon[dated.end : dated.end + _HELD_WITHIN], maxsplit=1)[0]
    return _HELD.search(clause) is not None


_HELD = re.compile(r"举行|举办|进行|开展|鸣枪|开赛")
_HELD_WITHIN = 40  # characters after the date
_CLAUSE_END = re.compile(r"[。；;，,]")
_NOT_ONE_DAY = frozenset(("UNTIL_DONE", "DAYS", "START", "FROM_NOW"))


def _until_complete(items: list[Any]) -> bool:
    return any(isinstance(i, Tok) and i.kind == "UNTIL_DONE" for i in items)


def span(found: list[Window]) -> Window | None:
    """The window that spans several: the earliest start, the latest end (None if any is open)."""
    if not found:
        return None
    if len(found) == 1:
        return found[0]
    first = min(found, key=lambda w: (w.start, w.start_time or ""))
    ends = [w.end for w in found]
    if any(e is None for e in ends):
        return replace(
            first, end=None, end_time=None, until_complete=any(w.until_complete for w in found)
        )
    last = max(found, key=lambda w: (w.end or w.start, w.end_time or ""))
    return replace(
        first,
        end=last.end,
        end_time=last.end_time,
        days_stated=first.days_stated,
        until_complete=False,
    )
