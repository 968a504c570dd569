"""The shorter LALR loop (notices.lalr) gives what Lark's own loop gives, on any text.

What makes parsing fast is checked as behaviour, never as timing: both grammars take the
shorter loop, and its sentences of phrases equal those Lark's parse builds with the same
Transformer, for every corpus page and for generated text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from lark import Lark

from notices import normalize
from notices.grammars import IslandLark, load
from notices.loss_phrases import LossTransformer
from notices.road_phrases import RoadTransformer

CORPUS = Path(__file__).resolve().parent / "corpus"
_GRAMMARS = {"road": RoadTransformer, "loss": LossTransformer}
_PAGES = [
    normalize.normalize(page.read_text("utf-8")).canon
    for folder in ("road", "loss", "holdout", "holdout2")
    for page in sorted((CORPUS / folder).rglob("*.txt"))
]


def _both(name: str, text: str) -> tuple[Any, Any]:
    """The shorter loop's result and Lark's own, or the type of what each raised."""
    parser = load(name, _GRAMMARS[name])
    results = []
    for parse in (parser.parse, lambda t: Lark.parse(parser, t)):
        try:
            results.append(parse(text))
        except Exception as exc:  # both must fail alike
            results.append(type(exc))
    return results[0], results[1]


def test_both_grammars_take_the_shorter_loop() -> None:
    for name, transformer in _GRAMMARS.items():
        parser = load(name, transformer)
        assert isinstance(parser, IslandLark)
        parser.parse("")
        assert parser._planned() is not None, name


def test_every_corpus_page_parses_as_larks_own_loop_parses_it() -> None:
    for name in _GRAMMARS:
        for text in _PAGES:
            fast, lark = _both(name, text)
            assert fast == lark, (name, text[:60])


_ALPHABET = "".join(sorted(set("".join(_PAGES)))) + "\n"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=_ALPHABET, max_size=120))
def test_any_text_parses_as_larks_own_loop_parses_it(text: str) -> None:
    for name in _GRAMMARS:
        fast, lark = _both(name, text)
        assert fast == lark


@given(st.text(alphabet=_ALPHABET + "０９ＡＺａｚ（）《》“”", max_size=200))
def test_folding_gives_what_translate_gives(text: str) -> None:
    assert normalize._fold(text, normalize._PUNCT_PAIRS) == text.translate(normalize._PUNCT_FOLD)
    assert normalize._fold(text, normalize._ALNUM_PAIRS) == text.translate(normalize._ALNUM_FOLD)
