"""The scorer: exact CORE, and CORE~ with the conventions labellers disagree on folded."""

from __future__ import annotations

from typing import Any

from notices.evaluate import Score, _score_record


def _closure(
    routes: list[tuple[str | None, str | None]], stakes: list[tuple[Any, Any]]
) -> dict[str, Any]:
    return {
        "kind": "road_closure",
        "routes": [{"code": c, "name": n} for c, n in routes],
        "segments": [{"from": a and {"m": a}, "to": b and {"m": b}} for a, b in stakes],
        "closure": "full",
        "window": {"start": "2025-07-08", "end": "2025-07-22"},
    }


def _scored(want: dict[str, Any], have: dict[str, Any] | None) -> Score:
    score = Score()
    _score_record("road_closure", want, have, "page#0", score)
    return score


def test_folded_names_codes_and_stakeless_stretches_agree_only_tolerantly() -> None:
    want = _closure(
        [(None, "本溪市人民路"), ("G1212", "沈吉高速公路")], [(None, None), (1000, 2000)]
    )
    have = _closure([("G1212", None), (None, "人民路")], [(1000, 2000)])
    score = _scored(want, have)
    assert score.right["road_closure.CORE"] == 0
    assert score.right["road_closure.CORE~"] == 1


def test_another_road_or_stake_fails_both() -> None:
    want = _closure([(None, "人民路")], [(1000, 2000)])
    for have in (
        _closure([(None, "解放路")], [(1000, 2000)]),
        _closure([(None, "人民路")], [(1000, 2500)]),
        _closure([(None, "人民路")], []),
    ):
        score = _scored(want, have)
        assert score.right["road_closure.CORE~"] == 0, have


def test_no_record_fails_both() -> None:
    score = _scored(_closure([(None, "人民路")], []), None)
    assert score.total["road_closure.CORE~"] == 1
    assert score.right["road_closure.CORE~"] == score.right["road_closure.CORE"] == 0


def test_traditional_characters_and_pinyin_readings_fold() -> None:
    want = _closure([(None, "濟(jì)廣高速")], [])
    have = _closure([(None, "济广高速公路")], [])
    assert _scored(want, have).right["road_closure.CORE~"] == 1


def test_a_stretch_with_one_stake_scores_without_crashing() -> None:
    want = _closure([(None, "人民路")], [(1000, None), (3000, 4000)])
    have = _closure([(None, "人民路")], [(3000, 4000), (1000, None)])
    assert _scored(want, have).right["road_closure.CORE~"] == 1
    assert (
        _scored(want, _closure([(None, "人民路")], [(None, 2000)])).right["road_closure.CORE~"] == 0
    )
