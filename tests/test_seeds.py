"""The seed pages: page 000's notices exactly; pages 001–004 give nothing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from notices.model import Detour, RoadClosure, Route, Segment, Stake, Window
from notices.parse import parse_page


def _roads(text: str) -> list[RoadClosure]:
    return [r for r in parse_page(text) if isinstance(r, RoadClosure)]


def test_page_000_gives_exactly_two_road_closures(notice_page: str) -> None:
    assert len(_roads(notice_page)) == 2


def test_danhuo_closure(notice_page: str) -> None:
    danhuo = _roads(notice_page)[0]
    assert danhuo.routes == (Route(None, "丹霍线"),)
    assert danhuo.segments == (
        Segment(
            "丹霍线",
            Stake("K189+400", 189400),
            Stake("K191+942", 191942),
            "垃圾场道口",
            "千金岭隧道",
            2.542,
        ),
    )
    assert danhuo.closure == "full"
    assert danhuo.window == Window(date(2025, 7, 8), date(2025, 7, 22), days_stated=15)
    assert danhuo.detour is not None
    assert danhuo.detour.via == ("众诚检车线", "千金岭", "千金岭", "石湖")
    assert danhuo.issued_on == date(2025, 7, 7)
    assert danhuo.issuers == ("本溪市公安局交通管理支队", "本溪市交通事务发展服务中心")
    assert danhuo.title == "封路通告"
    assert {c.code: c.ok for c in danhuo.checks} == {
        "stake_length": True,
        "days_stated": True,
        "window_order": True,
    }
    assert danhuo.warnings == ()


def test_heida_closure(notice_page: str) -> None:
    heida = _roads(notice_page)[1]
    assert heida.routes == (Route(None, "黑大线"),)
    assert heida.segments == (
        Segment("黑大线", Stake("K1209+411", 1209411), None, "铁背山隧道", None, None),
    )
    assert heida.closure == "full"
    assert heida.window == Window(date(2025, 7, 8), date(2025, 7, 12))
    assert isinstance(heida.detour, Detour) and heida.detour.routes == ("G1212",)
    assert heida.issued_on == date(2025, 7, 7)
    assert heida.issuers == (
        "辽宁大通公路工程有限公司",
        "抚顺市交通运输发展中心",
        "抚顺市公安局交通管理局",
    )


def test_pages_without_notices_give_nothing(seed_pages: list[Path]) -> None:
    for page in seed_pages[1:]:
        assert parse_page(page.read_text(encoding="utf-8")) == [], page.name


def test_ids_differ_between_notices_and_are_stable(notice_page: str) -> None:
    first = [r.id for r in parse_page(notice_page)]
    again = [r.id for r in parse_page(notice_page)]
    assert first == again
    assert len(set(first)) == len(first)
