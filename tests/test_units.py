"""Small pieces: stakes, numerals, clock times, issuer splitting, windows, checks."""

from __future__ import annotations

from datetime import date

import pytest

from notices.issuers import split_issuers
from notices.numerals import clock, cn_int, make_date
from notices.parse import parse_page
from notices.road_phrases import length_km, stake


@pytest.mark.parametrize(
    ("printed", "metres"),
    [
        ("K189+400", 189400),
        ("k164+200", 164200),
        ("K000+000", 0),
        ("K32+600米", 32600),
        ("K1700 500", 1700500),
        ("791km+230m", 791230),
        ("ZK45+120", 45120),
        ("YK1512+330", 1512330),
        ("K1209", 1209000),
        ("K12.5", 12500),
        ("62公里+350米", 62350),
        ("K 4+250", 4250),
    ],
)
def test_stakes_read_in_metres(printed: str, metres: int) -> None:
    assert stake(printed).m == metres


@pytest.mark.parametrize(
    ("printed", "value"),
    [("二〇二五", 2025), ("十九", 19), ("一百八十四", 184), ("三十一", 31), ("15", 15)],
)
def test_chinese_numerals(printed: str, value: int) -> None:
    assert cn_int(printed) == value


@pytest.mark.parametrize(
    ("printed", "ampm", "hhmm"),
    [
        ("8:00", None, "08:00"),
        ("8时", None, "08:00"),
        ("24:00", None, "24:00"),
        ("八时三十分", None, "08:30"),
        ("3点半", "下午", "15:30"),
        ("20时", None, "20:00"),
    ],
)
def test_clock_times(printed: str, ampm: str | None, hhmm: str) -> None:
    assert clock(printed, ampm) == hhmm


def test_lengths_in_kilometres() -> None:
    assert length_km("约2.542公里") == 2.542
    assert length_km("长800米") == 0.8


def test_impossible_day_is_read_as_month_end_with_a_warning() -> None:
    reading = make_date(2025, 4, 31)
    assert reading is not None and reading.day == date(2025, 4, 30)
    assert reading.warning and "4月31日" in reading.warning


def test_issuers_printed_together_are_split() -> None:
    assert split_issuers("本溪市公安局交通管理支队本溪市交通事务发展服务中心") == [
        "本溪市公安局交通管理支队",
        "本溪市交通事务发展服务中心",
    ]
    assert split_issuers("抚顺市公安局交通管理局") == ["抚顺市公安局交通管理局"]
    assert split_issuers("福建省公安厅交通警察总队高速公路支队泉州大队") == [
        "福建省公安厅交通警察总队高速公路支队泉州大队"
    ]


def _one(text: str, published: date | None = None):  # type: ignore[no-untyped-def]
    records = parse_page(text, published_on=published)
    assert len(records) == 1, records
    return records[0]


def test_year_omitted_end_and_cross_year_window() -> None:
    text = "封路通告\n因S217线K10+000至K12+000段施工，12月20日至次年1月10日全幅封闭。\n某县交通运输局\n12月18日\n"
    record = _one(text, date(2025, 12, 18))
    assert record.window.start == date(2025, 12, 20)
    assert record.window.end == date(2026, 1, 10)
    assert record.issued_on == date(2025, 12, 18)


def test_daily_hours_and_open_end() -> None:
    text = (
        "封闭施工通告\n因X713线K1+800至K3+000段维修，自2025年7月8日起至工程完工止，"
        "每晚20时至次日8时实行全封闭。\n某县交通运输局\n2025年7月7日\n"
    )
    window = _one(text).window
    assert window.start == date(2025, 7, 8) and window.end is None and window.until_complete
    assert (window.daily.from_, window.daily.to) == ("20:00", "08:00")


def test_start_on_issue() -> None:
    text = "交通管制通告\n即日起至2025年8月31日，G1212沈吉高速K100+000至K120+000段全幅封闭。\n某市公安局交通警察支队\n2025年7月1日\n"
    record = _one(text)
    assert record.window.start == date(2025, 7, 1) and record.window.end == date(2025, 8, 31)
    assert record.routes[0].code == "G1212" and record.routes[0].name == "沈吉高速"


def test_impossible_date_is_kept_with_a_warning() -> None:
    text = "封路通告\n因S217线K10+000至K12+000段施工，2025年4月20日至2025年4月31日全幅封闭。\n某县交通运输局\n2025年4月18日\n"
    record = _one(text)
    assert record.window.end == date(2025, 4, 30)
    assert any("4月31日" in w for w in record.warnings)


def test_failed_cross_checks_are_findings_not_drops() -> None:
    text = (
        "封路通告\n对丹霍线K189+400至K191+942约3.5公里全幅封闭，"
        "封闭时间为2025年7月8日至2025年7月22日，共10日。\n某县交通运输局\n2025年7月7日\n"
    )
    record = _one(text)
    verdicts = {c.code: c.ok for c in record.checks}
    assert verdicts["stake_length"] is False and verdicts["days_stated"] is False
    assert any("stake_length" in w for w in record.warnings)


@pytest.mark.parametrize(
    ("phrase", "kind"),
    [
        ("实行全幅封闭", "full"),
        ("实行半幅封闭施工", "half"),
        ("封闭右侧车道", "partial"),
        ("实行交通管制，限速40公里/小时", "control"),
        ("封闭右洞", "half"),
        ("实行断交施工", "full"),
    ],
)
def test_closure_kinds(phrase: str, kind: str) -> None:
    text = (
        f"施工通告\n因施工需要，2025年7月8日至2025年7月22日，G102线K10+000至K12+000段{phrase}。\n"
    )
    assert _one(text).closure == kind


def test_the_masthead_gives_the_edition_date_when_none_is_passed() -> None:
    page = ("本溪晚报　2025年12月18日　星期四　第7版\n\n封路通告\n"
            "因S217线K10+000至K12+000段施工，12月20日至次年1月10日全幅封闭。\n某县交通运输局\n12月18日\n")
    record = _one(page)
    assert record.source.published_on == date(2025, 12, 18)
    assert (record.window.start, record.window.end) == (date(2025, 12, 20), date(2026, 1, 10))


def test_a_dated_line_that_is_no_masthead_is_not_taken_for_one() -> None:
    page = "封路通告\n二、封闭时间：2025年8月4日至2025年8月18日。因X1线K1+000至K2+000段施工全幅封闭。\n"
    assert _one(page).source.published_on is None
