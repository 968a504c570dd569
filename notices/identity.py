"""One closure across printings: which printings are the same closure, and what each does to it.

A closure is printed again in later editions, extended (关于延长…封闭施工时间的通告),
corrected (更正) or cancelled (取消…, 提前解除…). The rule works from the record's
fields, never from its wording or layout:

- :func:`action` reads from the title what a printing says it does: ``notice``,
  ``extension``, ``correction`` or ``cancellation``;
- :func:`same_closure` says whether a printing is the closure already known: a road in
  common, an issuer in common (where both name one), overlapping stretches (where both
  name stakes or places), and overlapping or adjacent windows; a printing that updates
  may instead fall within the window it updates (a cancellation names no new window);
- :func:`revise` folds a printing into the closure it updates.

The new end of an extension (延长至8月25日) and the lifting day of a cancellation
(自8月21日起解除) are read here from the text, because the parser's window is the one
the notice quotes (原定8月4日至8月18日); they belong in the grammar once it reads them.
"""

from __future__ import annotations

import dataclasses
import re
import unicodedata
from datetime import date, timedelta
from typing import Literal

from notices.model import Record, RoadClosure, Segment, Window
from notices.numerals import cn_int, make_date
from notices.tables import road_keys, route_keys

Action = Literal["notice", "extension", "correction", "cancellation"]
UPDATES = ("extension", "correction", "cancellation")
# The fields a closure's meaning is made of: a printing that changes none is a reprint.
MEANING = ("routes", "segments", "closure", "window", "windows", "detour", "reason", "issuers")

_CANCELS = re.compile(r"取消|撤销|解除|提前结束|终止|恢复(?:正常)?(?:通行|通车)")
_EXTENDS = re.compile(r"延长|延期|顺延|推迟|延至")
_CORRECTS = re.compile(r"更正|勘误|修正|有误")
_NUM = r"[0-9〇零一二三四五六七八九十两]{1,4}"
_DATE = re.compile(rf"(?:({_NUM})\s*年)?\s*({_NUM})\s*月\s*({_NUM})\s*[日号]")
_EXTENDED_TO = re.compile(
    rf"(?:延长|延期|顺延|推迟|延)(?:至|到)\s*((?:{_NUM}\s*年)?\s*{_NUM}\s*月)"
)
_VERB_IN_NAME = re.compile(r"^(?:关于)?(?:提前)?(?:取消|撤销|解除|延长|延期|恢复)")
_CORRECTED_TO = re.compile(r"应为|更正为|改为|调整为")
_OPENING = 80  # characters of a headless notice's first sentence read for its action
_ADJACENT = timedelta(days=1)  # an extension may start the day after the old end
_UPDATE_LATE = timedelta(days=7)  # an update printed this soon after the window it updates
_UPDATE_EARLY = timedelta(days=60)  # …or this long before it starts


def action(record: Record) -> Action:
    """Tell what a printing says it does, from its title (else its first sentence)."""
    words = record.title or record.text.split("。")[0][:_OPENING]
    if _CORRECTS.search(words):
        return "correction"
    if _CANCELS.search(words):
        return "cancellation"
    if _EXTENDS.search(words):
        return "extension"
    return "notice"


def same_closure(known: Record, printing: Record) -> bool:
    """Tell whether ``printing`` is the closure ``known`` (printed again, or updating it)."""
    if not (isinstance(known, RoadClosure) and isinstance(printing, RoadClosure)):
        return False
    common = roads(known) & roads(printing)
    return (
        (bool(common) or _names_earlier(printing, known))
        and _issuers_agree(known, printing)
        and _stretches_agree(known, printing, common)
        and _times_agree(known, printing)
    )


def _names_earlier(printing: RoadClosure, known: RoadClosure) -> bool:
    """An update whose roads were not read, signed by the same body, naming the earlier date.

    (我支队2025年9月5日发布的交通管制公告…有误: the notice it corrects by its date.)
    """
    if action(printing) not in UPDATES or roads(printing):
        return False
    if not (_names(known.issuers) & _names(printing.issuers)):
        return False
    earlier = {known.issued_on, known.source.published_on} - {None}
    return bool(earlier & set(_dates(_folded(printing.text), _year(printing))))


def roads(record: RoadClosure) -> set[str]:
    """Return the lookup keys of the roads a closure names (see notices.tables.road_keys)."""
    return route_keys(record, _road_keys)


def _road_keys(road: str) -> set[str]:
    """A road's lookup keys, without an update's verb read into its name (取消沱江大桥)."""
    return road_keys(_VERB_IN_NAME.sub("", road))


def _issuers_agree(a: RoadClosure, b: RoadClosure) -> bool:
    first, second = _names(a.issuers), _names(b.issuers)
    return not first or not second or bool(first & second)


def _names(names: tuple[str, ...]) -> set[str]:
    return {"".join(name.split()) for name in names}


def _stretches_agree(a: RoadClosure, b: RoadClosure, roads: set[str]) -> bool:
    """Stakes overlap where both print them on a road in common; else places, if both name any."""
    staked_a, staked_b = _stakes(a, roads), _stakes(b, roads)
    if staked_a and staked_b:
        return any(_stakes_overlap(x, y) for x in staked_a for y in staked_b)
    # Without stakes on both sides, the places one names must be printed in the other.
    return _named_in(_places(a), b.text) and _named_in(_places(b), a.text)


def _named_in(places: set[str], text: str) -> bool:
    printed = "".join(text.split())
    return all(place in printed for place in places)


def _stakes_overlap(x: tuple[int, int], y: tuple[int, int]) -> bool:
    """Two stretches share road; stretches that only touch (K10+360) are neighbours, not one."""
    low, high = max(x[0], y[0]), min(x[1], y[1])
    return low < high or (low == high and (x[0] == x[1] or y[0] == y[1]))


def _stakes(record: RoadClosure, roads: set[str]) -> list[tuple[int, int]]:
    found = []
    only_road = len(record.routes) == 1  # a stretch of a one-road notice is on that road
    for segment in record.segments:
        on_road = only_road or not segment.route or bool(_road_keys(segment.route) & roads)
        if on_road and segment.from_ is not None:
            ends = (segment.from_.m, (segment.to or segment.from_).m)
            found.append((min(ends), max(ends)))
    return found


def _places(record: RoadClosure) -> set[str]:
    return {p for s in record.segments for p in (s.from_place, s.to_place) if p}


def _times_agree(known: RoadClosure, printing: RoadClosure) -> bool:
    if known.window and printing.window and _overlap(known.window, printing.window):
        return True
    if action(printing) in UPDATES or action(known) in UPDATES:
        return _within(known, _dated(printing)) or _within(printing, _dated(known))
    if known.window is None or printing.window is None:  # a window not read: the same notice?
        return known.issued_on is not None and known.issued_on == printing.issued_on
    return False


def _overlap(a: Window, b: Window) -> bool:
    a_end, b_end = a.end or date.max, b.end or date.max
    return a.start - _ADJACENT <= b_end and b.start - _ADJACENT <= a_end


def _dated(record: RoadClosure) -> date | None:
    return record.issued_on or record.source.published_on


def _within(record: RoadClosure, day: date | None) -> bool:
    """Tell whether an update dated ``day`` may be about ``record``'s window."""
    window = record.window
    if window is None or day is None:
        return False
    end = window.end or date.max
    return window.start - _UPDATE_EARLY <= day and (end == date.max or day <= end + _UPDATE_LATE)


# ── folding a printing into the closure ────────────────────────────────────────────


def revise(known: RoadClosure, printing: RoadClosure) -> RoadClosure:
    """Return the closure as ``printing`` leaves it: its fields, else the known ones."""
    done = action(printing)
    window, windows = printing.window or known.window, printing.windows or known.windows
    if done == "extension":
        window = extended(known.window, printing)
        windows = () if window is not known.window else known.windows
    elif done == "cancellation":
        window, windows = known.window, known.windows
    elif done == "correction":
        window = corrected(printing) or window
        windows = () if window is not printing.window else windows
    return dataclasses.replace(
        printing,
        id=known.id,
        routes=printing.routes or known.routes,
        segments=_segments(known, printing),
        closure=known.closure if done == "cancellation" else printing.closure,
        window=window,
        windows=windows,
        detour=printing.detour or known.detour,
        reason=printing.reason or known.reason,
        issuers=printing.issuers or known.issuers,
    )


def _segments(known: RoadClosure, printing: RoadClosure) -> tuple[Segment, ...]:
    """The printing's stretches, unless it names them less fully (no stakes) than known."""
    staked = any(s.from_ for s in printing.segments)
    if printing.segments and (staked or not any(s.from_ for s in known.segments)):
        return printing.segments
    return known.segments


def extended(window: Window | None, printing: RoadClosure) -> Window | None:
    """Return the window an extension leaves: the old start, the new end it names."""
    base = window or printing.window
    end = _extended_end(printing)
    if base is None:
        return None
    if end is None:
        end = printing.window.end if printing.window else base.end
    if end is None or (base.end is not None and end <= base.end):
        return base
    return dataclasses.replace(base, end=end, days_stated=None, until_complete=False)


def _extended_end(printing: RoadClosure) -> date | None:
    text = _folded(printing.text)
    match = _EXTENDED_TO.search(text)
    if match is None:
        return None
    return _first_date(text[match.start(1) :], _year(printing))


def corrected(printing: RoadClosure) -> Window | None:
    """Return the window a correction gives (…有误，应为“8月5日至8月19日”), if it names one."""
    text = _folded(printing.text)
    match = _CORRECTED_TO.search(text)
    if match is None:
        return None
    days = _dates(text[match.end() : match.end() + 60], _year(printing))
    if not days:
        return None
    base = printing.window or Window(start=days[0])
    return dataclasses.replace(base, start=days[0], end=days[1] if len(days) > 1 else base.end)


def lifted_on(printing: Record) -> date | None:
    """Return the day a cancellation takes effect (自8月21日起解除), else its issue date."""
    text = _folded(printing.text)
    for match in _CANCELS.finditer(text):
        before = text[max(0, match.start() - 30) : match.start()]
        days = _dates(before, _year(printing))
        if days and "至" not in before[before.rfind("月") :]:
            return days[-1]
    return printing.issued_on or printing.source.published_on


def _folded(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def _year(record: Record) -> int | None:
    day = record.issued_on or record.source.published_on
    return day.year if day else None


def _first_date(text: str, year: int | None) -> date | None:
    days = _dates(text[:30], year)
    return days[0] if days else None


def _dates(text: str, year: int | None) -> list[date]:
    found = []
    for match in _DATE.finditer(text):
        printed = cn_int(match[1]) if match[1] else None
        year = printed if printed is not None else year
        month, day = cn_int(match[2]), cn_int(match[3])
        if year is None or month is None or day is None:
            continue
        reading = make_date(year, month, day)
        if reading is not None:
            found.append(reading.day)
    return found


def meaning_changed(before: Record, after: Record) -> list[str]:
    """Return the fields of a closure's meaning that differ between two of its versions."""
    return [name for name in MEANING if getattr(before, name, None) != getattr(after, name, None)]
