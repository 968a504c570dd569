"""The same notices in any layout give the same records and the same ids (Hypothesis)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from layouts import layouts, paragraphs

from notices.normalize import _PUNCT_FOLD
from notices.parse import parse_page
from notices.serialize import to_dict

CORPUS = Path(__file__).parent / "corpus" / "road"
# ``text`` keeps punctuation as printed (compared by id instead); ``source`` is where the page
# was seen (its masthead date moves when the notice is set inside another page), not the notice
AS_PRINTED = {"text", "source"}


def _meaning(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _meaning(v) for k, v in value.items() if k not in AS_PRINTED}
    if isinstance(value, list):
        return [_meaning(v) for v in value]
    if isinstance(value, str):
        return value.translate(_PUNCT_FOLD)
    return value


def _records(text: str) -> list[Any]:
    return [_meaning(to_dict(r)) for r in parse_page(text)]


@pytest.fixture(scope="module")
def article(seed_pages: list[Path]) -> list[str]:
    """Paragraphs of an ordinary article (seed 001) to set the notices in."""
    return paragraphs(seed_pages[1].read_text(encoding="utf-8"))[:6]


# Corpus pages printed one paragraph per line, to be laid out anew
NOTICES = {
    "markdown-numbered": CORPUS / "003_x642_markdown_k000_until_complete.txt",
    "news-quoted": CORPUS / "004_news_street_renminlu.txt",
    "chinese-unit-stakes": CORPUS / "043_news_highway_km_chinese_units.txt",
    "loss-paragraph-entries": CORPUS.parent / "loss" / "003_changji_county_qishi.txt",
    "loss-online-cards": CORPUS.parent / "loss" / "020_online_dengbao_cards.txt",
}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_seed_notices_in_any_layout(
    data: st.DataObject, article: list[str], notice_page: str
) -> None:
    notice = notice_page[notice_page.index("封路通告") :]
    expected = _records(notice)
    assert [r["kind"] for r in expected].count("road_closure") == 2
    assert [r["kind"] for r in expected].count("loss_declaration") == 3
    laid_out = data.draw(layouts(notice, article))
    assert _records(laid_out) == expected


@pytest.mark.parametrize("name", sorted(NOTICES))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_corpus_notices_in_any_layout(name: str, data: st.DataObject, article: list[str]) -> None:
    base = "\n".join(p.lstrip("# ") for p in paragraphs(NOTICES[name].read_text(encoding="utf-8")))
    expected = _records(base)
    assert expected
    assert _records(data.draw(layouts(base, article))) == expected
