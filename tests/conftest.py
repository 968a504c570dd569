"""Shared fixtures: the seed pages beside the checkout, and the labelled corpora."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT.parent / "shared" / "seeds"
CORPUS = ROOT / "tests" / "corpus"


@pytest.fixture(scope="session")
def seed_pages() -> list[Path]:
    """The five seed pages (CI has shared/ beside the checkout)."""
    pages = sorted(SEEDS.glob("*.txt"))
    assert len(pages) == 5, f"expected the five seed pages in {SEEDS}"
    return pages


@pytest.fixture(scope="session")
def notice_page(seed_pages: list[Path]) -> str:
    """Seed page 000: two road closures and three loss declarations."""
    return seed_pages[0].read_text(encoding="utf-8")
