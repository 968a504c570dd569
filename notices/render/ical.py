"""iCalendar: road closures as events a calendar app can subscribe to.

- One VEVENT per closure, UID ``<record id>@notices``, so a closure printed again is the
  same event. Whole days give an all-day event (DTEND exclusive); clock times give a
  timed event in Asia/Shanghai (TZID with its VTIMEZONE); daily hours give one event per
  day from the window's start to its end (a daily RRULE), ending the next morning when
  the hours run past midnight.
- An open-ended closure (至完工, or a start with no end) is one event on its first day,
  the description saying that no end is known. A recurrence without end would keep
  marking the road closed in every future week long after the works are done.
- STATUS is CANCELLED once the closure is cancelled (a subscriber's calendar strikes
  it out), else CONFIRMED.
- SEQUENCE is the store's revision count less one where the store keeps one; otherwise
  a number read from a digest of the record's content, so it changes exactly when the
  record does (though not always upward, which subscribers, replacing the whole
  calendar at each refresh, do not need).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vDuration

from notices.model import RoadClosure, Window
from notices.render.times import at, expires, is_timed, local, onset
from notices.render.titles import headline, route_label, stretches
from notices.render.view import Item, fingerprint, public

PRODID = "-//notices//road closures//ZH"
OPEN_ENDED = "结束时间未定（{}），日历只标出开始当日。"
_UTC = ZoneInfo("UTC")
_DAY = timedelta(days=1)


def calendar(
    items: Sequence[Item], *, now: datetime, refresh: timedelta, name: str = "道路封闭"
) -> bytes:
    """Return an iCalendar of the road closures among ``items``, refreshed every ``refresh``.

    ``now`` is the DTSTAMP of every event (the calendar is published, METHOD:PUBLISH);
    pass the feed's last-modified time to keep the body, and its ETag, stable.
    """
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("name", name)
    cal.add("x-wr-calname", name)
    cal.add("refresh-interval", vDuration(refresh), parameters={"VALUE": "DURATION"})
    cal.add("x-published-ttl", vDuration(refresh))
    for item in items:
        if isinstance(item.record, RoadClosure) and item.record.window:
            cal.add_component(closure_event(item, now=now))
    cal.add_missing_timezones()
    body: bytes = cal.to_ical()
    return body


def closure_event(item: Item, *, now: datetime) -> Event:
    """Return the VEVENT of a stored road closure (which must have a window)."""
    record = public(item.record)
    assert isinstance(record, RoadClosure) and record.window is not None
    window = record.window
    event = Event()
    event.add("uid", f"{record.id}@notices")
    event.add("dtstamp", local(now))
    event.add("last-modified", local(item.updated_at))
    event.add("sequence", sequence(item))
    event.add("status", "CANCELLED" if item.status == "cancelled" else "CONFIRMED")
    event.add("summary", headline(record))
    event.add("description", _description(record, window))
    event.add("location", stretches(record) or "、".join(route_label(r) for r in record.routes))
    event.add("url", item.link)
    event.add("transp", "TRANSPARENT")
    start, end = _first_occurrence(window)
    event.add("dtstart", start)
    event.add("dtend", end)
    if window.daily and window.end:
        until = at(window.end, window.daily.from_).astimezone(_UTC)
        event.add("rrule", {"freq": "daily", "until": until})
    return event


def sequence(item: Item) -> int:
    """Return the event's SEQUENCE: the revision count less one, else from a content digest."""
    if item.revision is not None:
        return max(item.revision - 1, 0)
    return int(fingerprint(item.record)[:7], 16)


def _first_occurrence(window: Window) -> tuple[date | datetime, date | datetime]:
    if window.daily:
        begins = at(window.start, window.daily.from_)
        ends = at(window.start, window.daily.to)
        return begins, ends if ends > begins else ends + _DAY
    if is_timed(window):
        begins = onset(window)
        return begins, expires(window) or at(window.start, "24:00")
    last = max(window.end or window.start, window.start)
    return window.start, last + _DAY


def _description(record: RoadClosure, window: Window) -> str:
    parts = [record.text]
    if record.detour:
        parts.append(f"绕行：{record.detour.text}")
    if window.end is None:
        parts.append(OPEN_ENDED.format("至完工" if window.until_complete else "未载明"))
    return "\n\n".join(parts)
