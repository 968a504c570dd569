"""Numbers, dates and clock times as notices print them: Arabic or Chinese numerals."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

_CN_DIGITS = {
    "〇": 0,
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}
_NUMERAL = re.compile(r"\d+(?:\.\d+)?|[〇零一二三四五六七八九十百两]+")


def cn_int(text: str) -> int | None:
    """Read a whole number in Arabic or Chinese numerals (二〇二五, 十九, 一百八十四)."""
    if text.isdigit():
        return int(text)
    if not text or any(c not in _CN_DIGITS and c not in "十百" for c in text):
        return None
    if "十" not in text and "百" not in text:  # digit by digit: 二〇二五
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    total, current = 0, 0
    for ch in text:
        if ch in _CN_DIGITS:
            current = _CN_DIGITS[ch]
        else:
            total += (current or 1) * (100 if ch == "百" else 10)
            current = 0
    return total + current


def numbers(text: str) -> list[int]:
    """Return the whole numbers printed in a token, in order."""
    out = []
    for part in _NUMERAL.findall(text):
        value = cn_int(part.split(".")[0]) if part[0].isdigit() else cn_int(part)
        if value is not None:
            out.append(value)
    return out


@dataclass(frozen=True)
class DayReading:
    """A date read from its parts, with a warning when the printed day does not exist."""

    day: date
    warning: str | None = None


def make_date(year: int, month: int, day: int) -> DayReading | None:
    """Build a date, reading an impossible day (4月31日) as the month's last day."""
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1900 <= year <= 2200):
        return None
    last = calendar.monthrange(year, month)[1]
    if day <= last:
        return DayReading(date(year, month, day))
    best = date(year, month, last)
    return DayReading(best, f"{month}月{day}日 does not exist; read as {best.isoformat()}")


_AFTERNOON = ("下午", "晚上", "傍晚", "晚", "夜里")


def clock(text: str, ampm: str | None = None) -> str | None:
    """Read a clock time (8:00, 8时, 八时三十分, 下午3点半) as HH:MM; 24:00 stays 24:00."""
    parts = numbers(text.replace("半", ""))
    if not parts or parts[0] > 24:
        return None
    hour = parts[0]
    minute = 30 if "半" in text else (parts[1] if len(parts) > 1 else 0)
    if ampm in _AFTERNOON and hour < 12:
        hour += 12
    if minute > 59 or (hour == 24 and minute):
        return None
    return f"{hour:02d}:{minute:02d}"
