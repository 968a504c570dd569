"""Times as the outputs print them: Asia/Shanghai, whole seconds, never naive.

A window's days and clock times are local (records.md); ``24:00`` as printed is the
start of the next day. China keeps no daylight saving, so every instant here is +08:00.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from notices.model import Window

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(moment: datetime) -> datetime:
    """Return an aware moment in Asia/Shanghai, to the second; a naive one is refused."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"naive datetime {moment.isoformat()}: pass an aware one")
    return moment.astimezone(SHANGHAI).replace(microsecond=0)


def stamp(moment: datetime) -> str:
    """Return ISO 8601 with the +08:00 offset: 2025-07-08T00:00:00+08:00."""
    return local(moment).isoformat()


def at(day: date, clock: str | None = None) -> datetime:
    """Return the local moment of a day at a printed clock time (24:00 is the next midnight)."""
    hours, minutes = (int(part) for part in (clock or "00:00").split(":"))
    return datetime.combine(day, time(), SHANGHAI) + timedelta(hours=hours, minutes=minutes)


def onset(window: Window) -> datetime:
    """Return when a window begins: its start day at its start time, else at 00:00."""
    return at(window.start, window.start_time)


def expires(window: Window) -> datetime | None:
    """Return when a window ends (exclusive): end day at its end time, else at 24:00."""
    if window.end is None:
        return None
    end = at(window.end, window.end_time or "24:00")
    return max(end, onset(window))


def is_timed(window: Window) -> bool:
    """Tell whether a window names clock times, beyond whole days."""
    whole_day = {None, "00:00"}
    return window.start_time not in whole_day or window.end_time not in whole_day | {"24:00"}
