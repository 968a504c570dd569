"""The identity rule: which printings are one closure, and what an update does to it."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from notices import identity
from notices.evaluate_identity import cross_check, run
from notices.model import RoadClosure, Route, Segment, Source, Stake, Window

CORPUS = Path(__file__).resolve().parent / "corpus"
BASE = RoadClosure(
    id="rc_base", title="封路通告", text="", issued_on=date(2025, 8, 1),
    issuers=("桓仁县公安局交通管理大队",), source=Source(published_on=date(2025, 8, 2)),
    reason=None, routes=(Route(None, "桓永线"),),
    segments=(Segment("桓永线", Stake("K96+300", 96300), Stake("K98+150", 98150)),),
    closure="full", window=Window(date(2025, 8, 4), date(2025, 8, 18)),
)  # fmt: skip


def printing(**changes: object) -> RoadClosure:
    return dataclasses.replace(BASE, id="rc_other", **changes)  # type: ignore[arg-type]


def test_the_labelled_pairs_merge_no_two_closures_and_nearly_every_reprint() -> None:
    score = run(CORPUS / "pairs")
    assert score.total["different"] >= 15 and score.total["reprint"] >= 15
    assert score.false_merges == 0
    assert score.recall(("reprint", "extension")) >= 0.95


def test_no_two_closures_of_the_road_corpus_are_one() -> None:
    assert cross_check(CORPUS / "road") == []


def test_what_a_printing_says_it_does_is_read_from_its_title() -> None:
    titles = {"关于延长桓永线部分路段封闭施工时间的通告": "extension", "更正通告": "correction",
              "关于提前解除G210国道交通管制的通告": "cancellation", "封路通告": "notice",
              "关于取消桓永线封闭施工的通告": "cancellation"}  # fmt: skip
    for title, done in titles.items():
        assert identity.action(printing(title=title)) == done


def test_stretches_and_windows_decide() -> None:
    assert identity.same_closure(BASE, printing())
    later = Window(date(2025, 8, 19), date(2025, 8, 30))  # the day after: adjacent
    assert identity.same_closure(BASE, printing(window=later))
    apart = Window(date(2025, 9, 1), date(2025, 9, 30))
    assert not identity.same_closure(BASE, printing(window=apart))
    touching = Segment("桓永线", Stake("K98+150", 98150), Stake("K99+000", 99000))
    assert not identity.same_closure(BASE, printing(segments=(touching,)))
    assert not identity.same_closure(BASE, printing(issuers=("宽甸县交通运输局",)))
    assert not identity.same_closure(BASE, printing(routes=(Route(None, "丹霍线"),),
                                                    segments=(Segment("丹霍线"),)))  # fmt: skip


def test_an_extension_moves_the_end_it_names() -> None:
    text = "原定于2025年8月4日至2025年8月18日实行的全封闭施工，现延长至2025年8月25日。"
    extended = identity.revise(BASE, printing(title="关于延长封闭施工时间的通告", text=text))
    assert extended.id == BASE.id
    assert extended.window == Window(date(2025, 8, 4), date(2025, 8, 25))
    chinese = printing(title="延期通告", text="封闭时间延期至八月三十日。", window=None)
    assert identity.revise(BASE, chinese).window == Window(date(2025, 8, 4), date(2025, 8, 30))


def test_a_correction_takes_the_window_it_gives() -> None:
    text = "封闭时间“2025年8月4日至2025年8月18日”有误，应为“2025年8月5日至2025年8月19日”。"
    fixed = identity.revise(BASE, printing(title="更正", text=text))
    assert fixed.window == Window(date(2025, 8, 5), date(2025, 8, 19))


def test_a_cancellation_keeps_the_closure_and_says_when_it_lifts() -> None:
    text = "原定于2025年8月4日至2025年8月18日的全封闭施工，现决定自2025年8月14日起取消封闭。"
    notice = printing(title="关于取消封闭施工的通告", text=text, window=None, issued_on=date(2025, 8, 13))
    assert identity.revise(BASE, notice).window == BASE.window
    assert identity.lifted_on(notice) == date(2025, 8, 14)
    assert identity.lifted_on(printing(title="取消", text="即日起恢复通行。")) == date(2025, 8, 1)
