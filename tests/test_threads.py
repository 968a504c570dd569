"""Parsing in threads, as ingestion does (four pages at a time): the first parses of a
process plan the LALR loop once, and a thread that comes while it is planned waits for it."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

import pytest

from notices import grammars, lalr
from notices.parse import parse_page
from notices.road_phrases import RoadTransformer
from notices.serialize import to_dict

DEMO = Path(__file__).resolve().parent.parent / "notices" / "demo" / "pages"


def test_a_parse_while_the_loop_is_being_planned_waits_for_the_plan(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    page = (DEMO / "2025-06-26-road.txt").read_text(encoding="utf-8")
    expected = [to_dict(r) for r in parse_page(page)]
    parser = grammars.load("road", RoadTransformer)
    monkeypatch.setattr(parser, "_tables", False)  # as in a process that parsed nothing yet
    monkeypatch.delattr(parser, "_make")  # the class's default, until the plan makes its own
    planning = threading.Event()
    slow_maker = lalr.maker

    def maker(*args: Any) -> Any:
        planning.set()
        time.sleep(0.3)  # the plan takes a while: another thread parses meanwhile
        return slow_maker(*args)

    monkeypatch.setattr(lalr, "maker", maker)
    results: dict[str, Any] = {}

    def parse(name: str) -> None:
        try:
            results[name] = [to_dict(r) for r in parse_page(page)]
        except Exception as exc:  # the failure under test: kept to compare
            results[name] = exc

    first = threading.Thread(target=parse, args=("first",))
    first.start()
    assert planning.wait(10)
    second = threading.Thread(target=parse, args=("second",))
    second.start()
    first.join(30)
    second.join(30)
    assert results == {"first": expected, "second": expected}
