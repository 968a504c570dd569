"""The labelled corpora: accuracy floors, and pages without notices give nothing.

The floors sit below what the parser reaches today, so a regression fails here
long before it reaches users; `make eval` prints the per-field figures.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from notices.evaluate import Score, score_page
from notices.parse import parse_page

CORPUS = Path(__file__).parent / "corpus"
FLOORS = {"road": ("road_closure.CORE", 0.85), "loss": ("loss_declaration.CORE", 0.85)}


@pytest.mark.parametrize("name", sorted(FLOORS))
def test_corpus_accuracy_floor(name: str) -> None:
    score = Score()
    for page in sorted((CORPUS / name).glob("*.txt")):
        score_page(page, score)
    field, floor = FLOORS[name]
    accuracy = score.right[field] / score.total[field]
    assert score.total[field] >= 60
    assert accuracy >= floor, f"{field}: {accuracy:.1%} < {floor:.0%}"


def _negatives() -> list[Path]:
    return sorted(CORPUS.glob("*/neg_*.txt"))


@pytest.mark.parametrize("page", _negatives(), ids=lambda p: p.name)
def test_pages_without_notices_give_nothing(page: Path) -> None:
    label = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    assert label["records"] == []
    assert parse_page(page.read_text(encoding="utf-8")) == []


def _labelled_pages() -> list[Path]:
    return sorted(p for p in CORPUS.glob("*/[0-9]*.txt") if p.with_suffix(".json").exists())


@pytest.mark.parametrize("page", _labelled_pages(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_each_page_gives_as_many_notices_as_it_holds(page: Path) -> None:
    from collections import Counter
    from datetime import date

    label = json.loads(page.with_suffix(".json").read_text(encoding="utf-8"))
    published = date.fromisoformat(label["published_on"]) if label.get("published_on") else None
    records = parse_page(page.read_text(encoding="utf-8"), published_on=published)
    assert Counter(r.kind for r in records) == Counter(r["kind"] for r in label["records"])
