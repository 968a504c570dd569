"""The division tables read at a cold start (notices.regions): short names as the patterns
that defined them give, and the tables kept for the install the same as those made."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from notices import compiled, regions

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


def test_the_tables_are_made_once_per_install_then_read_back_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = regions._made(regions._TABLE.read_text("utf-8"))
    calls: list[int] = []

    def make() -> dict[str, object]:
        calls.append(1)
        return made

    monkeypatch.setattr(compiled, "_path", lambda key, folder: tmp_path / "tables")
    assert compiled.kept_data("k", make) == made
    assert compiled.kept_data("k", make) == made  # read back, not made
    assert calls == [1]
    (tmp_path / "tables").write_bytes(b"cut short")
    assert compiled.kept_data("k", make) == made and calls == [1, 1]
    names, by_name = made["names"], made["by_name"]
    assert names["211000"] == "辽阳市" and "211000" in by_name["辽阳"]  # a short name
    assert "辽阳市" in made["full"] and "辽阳" not in made["full"]
    assert regions._tables()[1] == by_name  # what this process read: the table's own
    by_division, full = regions._index()  # the divisions each name names, as ever
    assert [d.code for d in by_division["辽阳"]] == list(by_name["辽阳"])
    assert full == frozenset(made["full"])


def test_a_name_found_is_its_divisions_in_the_tables_order() -> None:
    found = regions._found(["桓仁县公安局"])
    assert [[d.name for d in group] for group in found] == [["桓仁满族自治县"]]
    assert regions.full_name(found[0][0]) == "辽宁省本溪市桓仁满族自治县"


def _found_at_every_place(text: str) -> list[str]:
    """The names ``regions._found`` finds, read as it read them before its places were found
    in C: every place tried, the longest name there first, a short one before a division word."""
    _, by_name, full, _, _ = regions._tables()
    words: list[str] = []
    i = 0
    while i < len(text):
        for n in range(min(regions._LONGEST, len(text) - i), 1, -1):
            word = text[i : i + n]
            if word in by_name and (word in full or regions._AFTER_SHORT.match(text, i + n)):
                words.append(word)
                i += n
                break
        else:
            i += 1
    return words


def test_the_names_found_are_those_every_place_tried_gives() -> None:
    names = sorted(regions._tables()[1])[::7]
    after = ["县", "市", "公安局", "交通", "镇", "", "路", "与", "至", "和平"]
    texts = [
        f"{a}{b[:k]}{c}{d}"
        for a, b, c, d, k in zip(
            names,  # zipped to the shortest: the names five on
            names[3:],
            after * len(names),
            names[5:],
            [1, 2, 3, 9] * len(names),
            strict=False,
        )
    ]
    texts += [
        "本溪市桓仁满族自治县公安局交通警察大队",
        "招远公路管理站",
        "中山大桥至开封黄河大桥",
        "",
    ]
    for text in texts:
        found = [group[0].name for group in regions._found([text])]
        expected = [regions._named(word)[0].name for word in _found_at_every_place(text)]
        assert found == expected, text
