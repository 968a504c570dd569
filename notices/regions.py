"""Where a notice applies: the division its own issuers and places name (GB/T 2260).

A county's notice reprinted by a paper of another province is filed under the county, not
the paper: the region is read from the notice's issuers, then its heading, then its text,
and only then taken from the source's settings. Division names come from
``notices/data/divisions.tsv`` (provinces, prefectures, counties). A name is matched in full
(桓仁满族自治县, 招远市) or short (桓仁, 招远) when a division word or an office follows
it (桓仁县公安局); when several divisions share a name, the one that agrees with the
other names found (烟台市 … 招远) or with the source's province wins.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

from notices.compiled import kept_data
from notices.hanzi import simplified


@dataclass(frozen=True)
class Division:
    """One administrative division: its six-digit code and its name."""

    code: str
    name: str

    @property
    def prefix(self) -> str:
        """The code's significant digits: 21 (a province), 2105 (a prefecture), 210522."""
        if self.code.endswith("0000"):
            return self.code[:2]
        return self.code[:4] if self.code.endswith("00") else self.code


# The peoples an autonomous division is named after (长阳土家族自治县 → 长阳).
_PEOPLES = (
    "蒙古|回|藏|维吾尔|苗|彝|壮|布依|朝鲜|满|侗|瑶|白|土家|哈尼|哈萨克|傣|黎|傈僳|佤|畲|高山|拉祜|水"
    "|东乡|纳西|景颇|柯尔克孜|土|达斡尔|仫佬|羌|布朗|撒拉|毛南|仡佬|锡伯|阿昌|普米|塔吉克|怒|乌孜别克"
    "|俄罗斯|鄂温克|德昂|保安|裕固|京|塔塔尔|独龙|鄂伦春|赫哲|门巴|珞巴|基诺|各"
)
_AUTONOMOUS = re.compile(f"(?:(?:{_PEOPLES})族)+自治(?:区|州|县|旗)$|特别行政区$")
_AUTONOMOUS_ENDS = ("自治区", "自治州", "自治县", "自治旗", "特别行政区")
# The division words a short name is the full one without (桓仁县 → 桓仁), by length
_SUFFIXES_3 = ("自治区", "自治州", "自治县", "自治旗")
_SUFFIXES_2 = ("地区", "林区")
_SUFFIXES_1 = frozenset("省市县区盟旗")
# A short name counts only before a division word or an office (桓仁县…, 招远公路…).
_AFTER_SHORT = re.compile(r"[省市县区州盟旗镇乡]|公安|交通|公路|交警|住房|人民|政府|城管|市政")
_LONGEST = 12
_TABLE = Path(__file__).with_name("data") / "divisions.tsv"
_PLACEHOLDER = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


Tables = tuple[dict[str, str], dict[str, tuple[str, ...]], frozenset[str], dict[str, int], str]
_T = TypeVar("_T")


@cache
def _tables() -> Tables:
    """The divisions' names by code; by name, full or short, the codes of the divisions it
    names (in the table's order); the full names; by the first two characters of every
    name, the longest name that opens with them (at most ``_LONGEST``: no longer one is read);
    the pattern of the places a name may begin at (:func:`_places`).

    Made from the table at the first cold start of an install and kept (``marshal``, beside
    the compiled patterns): reading it takes a tenth of the 3,500 divisions' making.
    """
    table = _TABLE.read_bytes()
    try:  # what the tables are made of: the division table and how this module reads it
        source = Path(__file__).read_bytes()
        key: str | None = "regions " + hashlib.sha256(table + b"\0" + source).hexdigest()
    except OSError:
        key = None
    data = kept_data(key, lambda: _made(table.decode("utf-8")))
    names, by_name = data["names"], data["by_name"]
    if not (isinstance(names, dict) and isinstance(by_name, dict)):
        raise TypeError("the division tables are not as they were made")
    starts, places = data["starts"], data["places"]
    if not (isinstance(starts, dict) and isinstance(places, str)):
        raise TypeError("the division tables are not as they were made")
    return names, by_name, frozenset(data["full"]), starts, places


def _made(text: str) -> dict[str, Any]:
    names: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, _, name = line.partition("\t")
            if name not in _PLACEHOLDER:
                names[code] = name
    by_name: dict[str, list[str]] = {}
    shorts: set[str] = set()
    for code, name in names.items():
        by_name.setdefault(name, []).append(code)
        if short := _short(name):
            by_name.setdefault(short, []).append(code)
            shorts.add(short)
    return {
        "names": names,
        "by_name": {n: tuple(codes) for n, codes in by_name.items()},
        "full": sorted(n for n in by_name if n not in shorts),
        "starts": _longest(by_name),
        "places": _places_pattern(by_name),
    }


def _longest(names: Iterable[str]) -> dict[str, int]:
    """By its first two characters, how long the longest of the names that open with them is."""
    longest: dict[str, int] = {}
    for name in sorted(names):  # sorted: the same file every time
        longest[name[:2]] = max(longest.get(name[:2], 0), min(len(name), _LONGEST))
    return longest


class _Read(Mapping[str, _T]):
    """A kept table of plain values (codes, names), its items made when one is read."""

    def __init__(self, plain: dict[str, Any], make: Callable[[str], _T]) -> None:
        self._plain = plain
        self._make = make

    def __getitem__(self, key: str) -> _T:
        if key not in self._plain:
            raise KeyError(key)
        return self._make(key)

    def __contains__(self, key: object) -> bool:
        return key in self._plain

    def __iter__(self) -> Iterator[str]:
        return iter(self._plain)

    def __len__(self) -> int:
        return len(self._plain)


@cache
def _divisions() -> Mapping[str, Division]:
    """The divisions by code."""
    return _Read(_tables()[0], _division)


@cache
def _division(code: str) -> Division:
    """The division of a code of the table, made once, when it is first read."""
    return Division(code, _tables()[0][code])


@cache
def _named(name: str) -> tuple[Division, ...]:
    """The divisions a name of the table names, in the table's order."""
    return tuple(map(_division, _tables()[1][name]))


def _short(name: str) -> str | None:
    # _AUTONOMOUS can match only a name ending as it does; of the division words, the
    # longest the name ends with goes
    short = _AUTONOMOUS.sub("", name) if name.endswith(_AUTONOMOUS_ENDS) else name
    if short == name:
        if name.endswith(_SUFFIXES_3):
            short = name[:-3]
        elif name.endswith(_SUFFIXES_2):
            short = name[:-2]
        elif name[-1:] in _SUFFIXES_1:
            short = name[:-1]
    return short if len(short) >= 2 and short != name else None


@cache
def _index() -> tuple[Mapping[str, tuple[Division, ...]], frozenset[str]]:
    """The divisions each name names, full or short; the full names."""
    return _Read(_tables()[1], _named), _tables()[2]


def _found(texts: Iterable[str]) -> list[tuple[Division, ...]]:
    """The division names in the texts, longest first at each place, left to right."""
    _, by_name, full, starts, _ = _tables()  # the plain tables: looked up at every place
    places = _places()
    found: list[tuple[Division, ...]] = []
    for text in texts:
        text = simplified(text)
        after = 0  # where the last name found ends: no name begins inside it
        # the places whose two characters may begin a name (one in five), found in C
        for place in places.finditer(text):
            i = place.start()
            longest = starts.get(text[i : i + 2]) if i >= after else None
            if longest is None:
                continue
            for n in range(min(longest, len(text) - i), 1, -1):
                word = text[i : i + n]
                if word in by_name and (word in full or _AFTER_SHORT.match(text, i + n)):
                    found.append(_named(word))
                    after = i + n
                    break
    return found


@cache
def _places() -> re.Pattern[str]:
    """A character that opens a division's name before one that can follow it there."""
    return re.compile(_tables()[4])


def _places_pattern(names: Iterable[str]) -> str:
    firsts = "".join(sorted({name[0] for name in names}))
    seconds = "".join(sorted({name[1] for name in names}))
    return f"[{re.escape(firsts)}](?=[{re.escape(seconds)}])"


def is_province(name: str) -> bool:
    """A province-level division's name, full or short (湖北省, 湖北, 内蒙古)."""
    by_name, _ = _index()
    return _province(by_name.get(simplified(name), ()))


def leading(name: str) -> int:
    """How many characters of a road's name are a division's name heading it (东阳市中山大桥: 3)."""
    by_name, _ = _index()
    plain = simplified(name)
    # a division heads a name printed with its suffix (东阳市中山大桥), or by its short name
    # before a street (广州东兴南路); a bridge keeps its city (开封黄河大桥)
    street = plain.endswith(("路", "街", "大道", "巷")) and not plain.endswith("公路")
    street = street and not _ENDS_NAMED.search(plain)
    # what is left names a road of its own (红旗大街 is no street of 红旗区 called 大街)
    # a province's name heads an expressway's (海南环岛高速 → 环岛高速, 湖北荆宜高速公路)
    expressway = plain.endswith(("高速", "高速公路"))
    ends_named = "至" in plain or "到" in plain
    for n in range(min(_LONGEST, len(plain) - 3), 1, -1):
        word = plain[:n]
        # 滨州港至榆林公路: a road named by its ends keeps a city's short name as its own
        suffixed = word[-1] in ("省市县区旗盟" if ends_named else "省市县区旗盟州")
        if word in by_name and (suffixed or street):
            # a county become a district keeps its short name in the table (茌平区聊夏路)
            return n + 1 if street and plain[n] in "市县区旗" and len(plain) - n > 3 else n
        if expressway and len(plain) - n >= 4 and _province(by_name.get(word, ())):
            return n
    return 0


def _province(divisions: tuple[Division, ...]) -> bool:
    return any(d.code.endswith("0000") for d in divisions)


_ENDS_NAMED = re.compile(r"[至到]|^.{2,4}[乡镇]")  # 承德至围场…, 新华乡通…: the place is the name


def _agrees(a: Division, b: Division) -> bool:
    return a.prefix.startswith(b.prefix) or b.prefix.startswith(a.prefix)


def _best(matches: list[tuple[Division, ...]], home: str | None) -> Division | None:
    candidates = [d for group in matches for d in group]
    if len(candidates) <= 1:  # most texts name one division, or none: nothing to weigh
        return candidates[0] if candidates else None
    prefixes = [[o.prefix for o in group] for group in matches]

    def score(d: Division) -> tuple[int, int, int]:
        mine = d.prefix
        # _nested, inlined: called for every pair of candidates
        support = sum(
            any(mine.startswith(o) or o.startswith(mine) for o in group) for group in prefixes
        )
        at_home = int(bool(home) and _nested(mine, home or ""))
        return (support, at_home, len(mine))

    return max(candidates, key=score)


def _nested(a: str, b: str) -> bool:
    """Two prefixes of which one holds the other: :func:`_agrees` of their divisions."""
    return a.startswith(b) or b.startswith(a)


def full_name(division: Division) -> str:
    """The division with its province and prefecture: 辽宁省本溪市桓仁满族自治县."""
    table = _divisions()
    chain = [table.get(division.code[:2] + "0000"), table.get(division.code[:4] + "00")]
    names = [d.name for d in chain if d is not None and d.code != division.code]
    return "".join(dict.fromkeys([*names, division.name]))


_full_name = cache(full_name)  # of a division of the table: the same few, record after record


def locate(tiers: Iterable[Iterable[str]], home_code: str | None) -> tuple[str, str] | None:
    """The region (full name, code) the first tier of texts that names one points to."""
    home = Division(home_code, "").prefix if home_code and len(home_code) == 6 else None
    for texts in tiers:
        best = _best(_found(texts), home)
        if best is not None:
            return _full_name(best), best.code
    return None
