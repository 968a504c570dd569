"""Normalisation: layout noise out, offsets back to the raw page."""

from __future__ import annotations

import re

from notices import normalize as normalize_module
from notices.normalize import normalize


def _paragraphs(raw: str) -> list[str]:
    text = normalize(raw)
    return [text.clean[p.start : p.end] for p in text.paragraphs]


def test_column_wraps_inside_numbers_and_stakes_are_joined() -> None:
    raw = "对丹霍线K19\n1+942至K19\n3+000段，20\n25年7月8日起封闭。\n"
    assert _paragraphs(raw) == ["对丹霍线K191+942至K193+000段，2025年7月8日起封闭。"]


def test_column_wrapped_paragraph_is_joined_but_short_lines_are_not() -> None:
    raw = "封路通告\n\n因丹霍线公路维修改造施\n工需要，将对丹霍线进行\n全幅封闭施工。\n\n本溪市交通局\n2025年7月7日\n"
    assert _paragraphs(raw) == [
        "封路通告",
        "因丹霍线公路维修改造施工需要，将对丹霍线进行全幅封闭施工。",
        "本溪市交通局",
        "2025年7月7日",
    ]


def test_stray_spaces_go_but_spaces_between_digits_stay() -> None:
    assert _paragraphs("因公 路维修，K1 +800至K1700 500段") == ["因公路维修，K1+800至K1700 500段"]


def test_fullwidth_letters_and_digits_fold_punctuation_stays_in_clean() -> None:
    text = normalize("Ｋ１８９＋４００（垃圾场道口）：２０２５年")
    assert text.clean == "K189＋400（垃圾场道口）：2025年\n"
    assert text.canon == "K189+400(垃圾场道口):2025年\n"
    assert len(text.clean) == len(text.canon)


def test_markdown_markup_is_removed_and_headings_marked() -> None:
    text = normalize("## 封路通告\n\n**因**施工需要\n> 引文\n")
    assert [text.clean[p.start : p.end] for p in text.paragraphs] == [
        "封路通告",
        "因施工需要",
        "引文",
    ]
    assert text.paragraphs[0].heading


def test_offsets_lead_back_to_the_raw_page() -> None:
    raw = "前文。\n\n## 封路通告\n\n因丹霍线公 路维修\n"
    text = normalize(raw)
    start = text.clean.index("丹霍线")
    a, b = text.raw_span(start, start + 3)
    assert raw[a:b] == "丹霍线"
    c, d = text.raw_span(text.clean.index("公路"), text.clean.index("公路") + 2)
    assert raw[c:d] == "公 路"


def test_a_lines_edges_are_told_spaces_as_the_space_class_tells_them() -> None:
    space_class = re.compile(f"[{normalize_module._SPACE_CLASS}]")
    for code in range(0x10000):  # every whitespace character, and every frame, is in the BMP
        char = chr(code)
        told = char.isspace() or char in normalize_module._ODD_SPACES
        assert told == bool(space_class.match(char)), hex(code)


def test_offsets_made_when_read_lead_each_character_back_to_the_raw_page() -> None:
    raw = "# 封路  通告\n\n  **因** 施工，对K1700 500\n至K19段封闭。  \n\n本溪市交通局\n"
    text = normalize(raw)
    assert len(text.offsets) == len(text.clean)
    for at, char in enumerate(text.clean):
        if char not in "\n ":  # a kept space stands for the gap it was made from
            assert raw[text.offsets[at]] == char, at
