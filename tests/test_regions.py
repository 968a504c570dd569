"""The division table read at a cold start (notices.regions): short names as the patterns
that defined them give, and divisions equal to those their class makes."""

from __future__ import annotations

import re

from notices import regions
from notices.regions import Division

# How a short name was read before it was read in C: the autonomous division's peoples
# dropped, else the division word (the leftmost match of these, anchored at the end).
_SUFFIX = re.compile(r"(?:省|市|自治区|自治州|自治县|自治旗|地区|林区|县|区|盟|旗)$")


def _short_by_pattern(name: str) -> str | None:
    short = regions._AUTONOMOUS.sub("", name)
    if short == name:
        short = _SUFFIX.sub("", name)
    return short if len(short) >= 2 and short != name else None


def test_every_short_name_is_the_patterns_one() -> None:
    names = [d.name for d in regions._divisions().values()]
    # and names the table does not hold: every division word after every kind of name
    endings = ("自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特别行政区", "省", "市区", "")
    names += [f"{name}{end}" for name in names[::20] for end in endings]
    names += ["区", "市", "县区", "自治县", "林区", "地区", "蒙古族自治旗", "甲蒙古族自治旗乙"]
    shorts = [regions._short(name) for name in names]
    assert shorts == [_short_by_pattern(name) for name in names]
    assert regions._short("桓仁满族自治县") == "桓仁" and regions._short("招远市") == "招远"


def test_the_tables_divisions_are_the_classs_own() -> None:
    for code, division in list(regions._divisions().items())[::50]:
        made = Division(code, division.name)
        assert division == made and hash(division) == hash(made)
        assert repr(division) == repr(made) and division.prefix == made.prefix
